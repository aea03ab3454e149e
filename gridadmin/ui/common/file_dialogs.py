"""Choosing a file to save or open: the dialogs start in the folder the
user last chose a file in (remembered on this PC), else in their
Documents folder — never in the program's working directory."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from gridadmin.ui.shell.pc_settings import app_settings

SETTINGS_LAST_FOLDER = "last_file_folder"


def documents_folder() -> Path:
    """The user's Documents folder (文档), else their home folder."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


def start_folder() -> Path:
    """The last folder a file was chosen in, while it still exists, else
    Documents."""
    last = app_settings().value(SETTINGS_LAST_FOLDER, "")
    if last and Path(last).is_dir():
        return Path(last)
    return documents_folder()


def remember_folder(path: str | Path) -> None:
    """Remember the folder of ``path`` for the next file dialog."""
    if path:
        app_settings().setValue(SETTINGS_LAST_FOLDER, str(Path(path).parent))


def ask_save_path(parent: QWidget | None, title: str, file_name: str, file_filter: str,
                  suffix: str | None = None) -> str:
    """Ask where to save ``file_name``; '' when cancelled. ``suffix``
    (".pdf") is added when the user typed a name without it."""
    path, _filter = QFileDialog.getSaveFileName(parent, title, str(start_folder() / file_name), file_filter)
    if not path:
        return ""
    if suffix and not path.lower().endswith(suffix):
        path += suffix
    remember_folder(path)
    return path


def ask_open_path(parent: QWidget | None, title: str, file_filter: str) -> str:
    """Ask which file to open; '' when cancelled."""
    path, _filter = QFileDialog.getOpenFileName(parent, title, str(start_folder()), file_filter)
    if path:
        remember_folder(path)
    return path
