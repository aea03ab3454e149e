"""File dialogs start in the user's Documents folder, then in the folder
last chosen — never in the program's working directory."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from gridadmin.ui.common import file_dialogs
from gridadmin.ui.common.file_dialogs import ask_open_path, ask_save_path, documents_folder
from gridadmin.ui.shell.pc_settings import app_settings


def _forget():
    app_settings().remove(file_dialogs.SETTINGS_LAST_FOLDER)


def test_first_dialog_opens_in_documents_then_in_the_last_folder(qapp, tmp_path, monkeypatch):
    _forget()
    asked: list[str] = []
    chosen = tmp_path / "社区报表 2026" / "户籍人口.xlsx"
    chosen.parent.mkdir()

    def fake_open(parent, title, start, filters):
        asked.append(start)
        return str(chosen), filters
    monkeypatch.setattr(QFileDialog, "getOpenFileName", fake_open)
    try:
        assert ask_open_path(None, "选择文件", "*.xlsx") == str(chosen)
        assert Path(asked[0]) == documents_folder() and Path(asked[0]) != Path.cwd()

        def fake_save(parent, title, start, filters):
            asked.append(start)
            return str(chosen.parent / "错误行"), filters
        monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
        saved = ask_save_path(None, "保存", "错误行.xlsx", "*.xlsx", ".xlsx")
        assert Path(asked[1]) == chosen.parent / "错误行.xlsx"  # the folder last chosen, with the suggested name
        assert saved == str(chosen.parent / "错误行.xlsx")  # the suffix is added when typed without it
    finally:
        _forget()


def test_a_vanished_last_folder_falls_back_to_documents(qapp, tmp_path):
    _forget()
    try:
        app_settings().setValue(file_dialogs.SETTINGS_LAST_FOLDER, str(tmp_path / "已删除"))
        assert file_dialogs.start_folder() == documents_folder()
    finally:
        _forget()


def test_cancelled_dialog_remembers_nothing(qapp, monkeypatch):
    _forget()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: ("", ""))
    assert ask_save_path(None, "保存", "x.pdf", "*.pdf", ".pdf") == ""
    assert not app_settings().value(file_dialogs.SETTINGS_LAST_FOLDER, "")
