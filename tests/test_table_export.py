"""Exporting and printing the list on screen: same filter, order and
columns, masking and permissions, audit, formulas neutralised."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import select

from gridadmin.db import open_database
from gridadmin.models import AuditLog
from gridadmin.services.access.permissions import PermissionDeniedError
from gridadmin.services.demo import create_demo_database
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.roster.listing import RosterFilter, roster_columns, roster_source
from gridadmin.services.common.table_export import export_table_xlsx
from gridadmin.services.access.users import authenticate, create_user
from gridadmin.ui.roster.roster_page import RosterPage
from tests.uihelpers import answer_message_box


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "demo.db"
    create_demo_database(str(path), "small")
    return path


def test_roster_page_exports_and_prints_what_is_shown(qtbot, demo_path, tmp_path, monkeypatch):
    db = open_database(str(demo_path))
    page = RosterPage(db)
    qtbot.addWidget(page)
    page.role.setCurrentIndex(page.role.findData("fulltime"))
    shown = page.model.rowCount()
    assert 0 < shown < 30
    out = tmp_path / "roster.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    page.export_shown_action.trigger()  # 导出 → 按表格当前的列导出
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("姓名", "性别") and len(rows) == shown + 1
    assert all("*" in (r[3] or "") for r in rows[1:])  # IDs masked by default
    pdf = tmp_path / "roster.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(pdf), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    page.print_button.click()
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert "网格力量花名册" in text and "第 1 页" in text and rows[1][0] in text
    with db.session() as s:
        actions = [a for a, in s.execute(select(AuditLog.action).where(AuditLog.entity == "网格力量花名册"))]
    assert sorted(actions) == ["export", "print"]
    db.dispose()


def test_full_numbers_need_permission(demo_path, tmp_path):
    db = open_database(str(demo_path))
    create_user(db, "admin", "王管理", "wangge2026", ["admin"])
    admin = db.as_actor(authenticate(db, "admin", "wangge2026"))
    create_user(admin, "leader", "赵领导", "lingdao2026", ["official"], all_areas=True)  # 全部 is explicit now
    official = db.as_actor(authenticate(db, "leader", "lingdao2026"))
    query = PageQuery(RosterFilter(), "name")
    with pytest.raises(PermissionDeniedError, match="查看完整证件号码"):
        export_table_xlsx(official, roster_source(official), query, roster_columns(True), tmp_path / "x.xlsx",
                          what="花名册", full_numbers=True)
    assert not (tmp_path / "x.xlsx").exists()
    count = export_table_xlsx(official, roster_source(official), query, roster_columns(False), tmp_path / "y.xlsx",
                              what="花名册")
    assert count > 0 and Path(tmp_path / "y.xlsx").exists()
    db.dispose()


def test_an_unwritable_target_gets_a_chinese_message_and_no_half_file(demo_path, tmp_path, qtbot, monkeypatch):
    from gridadmin.services.common.errors import ValidationError

    db = open_database(str(demo_path))
    query = PageQuery(RosterFilter(), "name")

    def exports() -> int:
        with db.session() as s:
            return len(s.scalars(select(AuditLog.id).where(AuditLog.entity == "花名册")).all())

    before = exports()
    missing = tmp_path / "没有这个文件夹" / "花名册.xlsx"
    with pytest.raises(ValidationError, match="无法写入文件“花名册.xlsx”：所选文件夹不存在"):
        export_table_xlsx(db, roster_source(db), query, roster_columns(False), missing, what="花名册")

    def broken(_row):
        raise RuntimeError("a bug while reading the rows")

    columns = list(roster_columns(False))
    columns[0] = type(columns[0])("bad", "坏列", broken)
    half = tmp_path / "half.xlsx"
    with pytest.raises(RuntimeError):
        export_table_xlsx(db, roster_source(db), query, columns, half, what="花名册")
    assert not half.exists()
    assert exports() == before  # neither attempt is recorded as an export
    # the page shows the same message instead of an English error
    page = RosterPage(db)
    qtbot.addWidget(page)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(missing), ""))
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: said.append(text))
    page.export_shown_action.trigger()
    assert said and "所选文件夹不存在" in said[-1]
    db.dispose()


def test_every_kind_of_cell_value_is_written_as_its_type(db, tmp_path):
    """Text stays text (formula starts neutralised, blanks left empty),
    dates are dates, numbers numbers, anything else its text."""
    from datetime import date, datetime
    from decimal import Decimal

    from gridadmin.services.importing.export import RowSource
    from gridadmin.services.common.paging import Column

    values = ["李云", "=1+1", "-5", "+86 138", "@x", "", "  ", None, date(1990, 1, 2),
              datetime(2025, 6, 1, 8, 30), 12, 3.5, True, Decimal("2.50"), "0377-6123456"]
    columns = [Column(f"c{i}", f"列{i}", lambda row, i=i: row[i]) for i in range(len(values))]
    path = tmp_path / "types.xlsx"
    assert export_table_xlsx(db, RowSource(iter([tuple(values)])), PageQuery(), columns, path, what="测试") == 1
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]] == [f"列{i}" for i in range(len(values))]
    cells = sheet[2]
    assert [c.value for c in cells] == ["李云", "'=1+1", "'-5", "'+86 138", "'@x", None, "  ", None,
                                        datetime(1990, 1, 2), datetime(2025, 6, 1, 8, 30), 12, 3.5, True,
                                        "2.50", "0377-6123456"]
    assert all(c.data_type != "f" for c in cells)
    assert cells[8].is_date and cells[9].is_date and cells[14].data_type == "s"


def test_a_half_file_that_cannot_be_removed_does_not_hide_the_write_error(tmp_path, monkeypatch):
    """On Windows a file held open by Excel can be neither written nor
    removed: the caller must still get to report the write's own error."""
    import xlsxwriter

    from gridadmin.services.common.xlsx import discard_unwritten

    path = tmp_path / "held.xlsx"
    path.write_bytes(b"old")
    workbook = xlsxwriter.Workbook(str(tmp_path / "other.xlsx"))

    def locked(self, missing_ok=False):
        raise PermissionError(13, "being used by another process")

    monkeypatch.setattr(Path, "unlink", locked)
    discard_unwritten(workbook, path)  # no exception
    assert path.read_bytes() == b"old"
