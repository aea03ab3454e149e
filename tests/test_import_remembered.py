"""Remembered column mappings: stored per kind and header set in the
database settings after a corrected import, applied to the same headers."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gridadmin.services.importing.remembered import mapping_key, recall_mapping, remember_mapping
from gridadmin.ui.importing.wizard import STEP_MAPPING, STEP_RESULT
from gridadmin.ui.importing.import_page import ImportPage
from tests.test_import_support import HEADERS, person, write_workbook


def test_remember_and_recall(db):
    headers = ["姓名", "号码", "户号"]
    assert recall_mapping(db, "residents", headers) is None
    assert remember_mapping(db, "residents", headers, {"name": 0, "id_number": 1}, {"name": 0}) is True
    assert recall_mapping(db, "residents", ["姓 名*", "号码", "户号"]) == {"name": 0, "id_number": 1}
    assert recall_mapping(db, "staff", headers) is None  # per kind
    assert recall_mapping(db, "residents", ["姓名", "号码"]) is None  # another header set
    assert len(mapping_key("residents", headers * 30)) <= 64
    assert remember_mapping(db, "residents", headers, {"name": 0}, {"name": 0}) is False  # automatic: forgotten
    assert recall_mapping(db, "residents", headers) is None


def test_wizard_applies_the_corrected_mapping_next_time(qtbot, township_db, tmp_path, monkeypatch):
    from gridadmin.services.areas.tree import AreaInput, add_area, load_tree

    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    headers = [h if h != "公民身份号码*" else "号码" for h in HEADERS]
    rows = [{("号码" if k == "公民身份号码*" else k): v for k, v in
             person("H1", "户主", "李云", date(1980, 1, 2), 11).items()}]
    path = write_workbook(tmp_path / "a.xlsx", rows, headers=headers)
    id_column = headers.index("号码")

    page = ImportPage(township_db)
    qtbot.addWidget(page)
    wizard = page.wizard
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    wizard.file_step.choose_button.click()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_MAPPING and wizard.mapping_step.missing() == ["公民身份号码"]
    wizard.mapping_step.choose(id_column, "id_number")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT

    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)  # 导入其他文件
    wizard.file_step.choose_button.click()
    assert wizard.mapping_step.missing() == [] and wizard.mapping_step.chosen()["id_number"] == id_column
    assert "上次" in wizard.mapping_step.status.text()
