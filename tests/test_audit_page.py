"""The audit trail page: filter, details with old and new values, a record's
history, export; only administrators."""

from __future__ import annotations

from openpyxl import load_workbook
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gridadmin.services.areas import tree as areas
from gridadmin.services.access.users import authenticate, create_user
from gridadmin.ui.access.audit_page import AuditPage
from tests.uihelpers import answer_message_box

PASSWORD = "wangge2026"


def _admin(db):
    create_user(db, "admin", "王管理", PASSWORD, ["admin"])
    return db.as_actor(authenticate(db, "admin", PASSWORD))


def test_audit_page_filters_and_shows_changes(qtbot, township_db, tmp_path, monkeypatch):
    db = _admin(township_db)
    community = next(n for n in areas.load_tree(db) if n.name == "河街社区")
    grid = areas.add_area(db, community.id, areas.AreaInput(name="=第一网格"))
    areas.update_area(db, grid, areas.AreaInput(name="第一网格"))
    page = AuditPage(db)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 3  # user created, area created, area renamed
    page.entity.setCurrentIndex(page.entity.findData("area"))
    assert page.model.rowCount() == 2
    page.table.selectRow(0)
    page.table.setCurrentIndex(page.model.index(0, 0))
    assert "name：=第一网格 → 第一网格" in page.details.toPlainText()
    page.show_record_history()
    assert page.model.rowCount() == 2 and "全部历史" in page.count.text()
    out = tmp_path / "audit.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    page.export()
    cells = [c for row in load_workbook(out).active.iter_rows() for c in row]
    assert "修改" in [c.value for c in cells] and all(c.data_type != "f" for c in cells)


def test_safe_cell_neutralises_formulas():
    from gridadmin.services.common.xlsx import safe_cell

    assert safe_cell("=SUM(A1)") == "'=SUM(A1)" and safe_cell("@x") == "'@x" and safe_cell("-1") == "'-1"
    assert safe_cell("正常") == "正常" and safe_cell(12) == 12 and safe_cell(None) is None


def test_audit_page_is_closed_to_other_roles(qtbot, township_db):
    db = _admin(township_db)
    create_user(db, "leader", "赵领导", PASSWORD, ["official"])
    page = AuditPage(township_db.as_actor(authenticate(db, "leader", PASSWORD)))
    qtbot.addWidget(page)
    assert page.model is None
