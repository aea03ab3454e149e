"""Full place names through the real widgets: the roster, residents,
training and reports pages show and offer each grid with its community
(第一网格 exists in 河街社区 and in 粮行社区), and a list or report of one
community names it."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gridadmin.services.training.sessions import SessionInput, add_attendees, create_session, list_sessions
from gridadmin.services.training.sessions import training_code_lists
from gridadmin.ui.common.pdf_viewer import PdfPreviewDialog
from gridadmin.ui.register.residents_page import ResidentsPage
from gridadmin.ui.reports.reports_page import ReportsPage
from gridadmin.ui.roster.roster_page import RosterPage
from gridadmin.ui.training.attendance_dialog import AttendanceDialog
from gridadmin.ui.training.training_page import TrainingPage
from tests.test_place_names import twin_grids

TODAY = date.today()


@pytest.fixture
def twins(township_db):
    return township_db, twin_grids(township_db)


def _show(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(1024, 768)
    widget.show()
    return widget


def _items(combo) -> list[str]:
    return [combo.itemText(i).strip("　") for i in range(combo.count())]


def _column(model, key) -> list[str]:
    return [model.data(model.index(r, model.column_index(key))) for r in range(model.rowCount())]


def test_roster_shows_and_filters_by_full_grid_names_and_prints_the_community(qtbot, twins, tmp_path,
                                                                               monkeypatch):
    db, ids = twins
    page = _show(qtbot, RosterPage(db))
    items = _items(page.area)
    assert items.count("河街社区·第一网格") == 1 and items.count("粮行社区·第一网格") == 1
    assert "第一网格" not in items
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert sorted(_column(page.model, "grids")) == ["河街社区·第一网格", "粮行社区·第一网格"]
    page.area.setCurrentIndex(page.area.findData(ids["粮行一"]))
    qtbot.waitUntil(lambda: _column(page.model, "name") == ["李四"])
    page.area.setCurrentIndex(page.area.findData(ids["粮行社区"]))
    qtbot.waitUntil(lambda: _column(page.model, "name") == ["李四"])
    target = tmp_path / "roster.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page.print_button.click()
    preview = page.findChild(PdfPreviewDialog)
    preview.close()
    text = "".join(p.extract_text() for p in PdfReader(target).pages)
    assert "粮行社区网格力量花名册" in text and "粮行社区·第一网格" in text and "张三" not in text


def test_residents_page_shows_the_community_with_each_grid(qtbot, twins):
    db, ids = twins
    page = _show(qtbot, ResidentsPage(db))
    items = _items(page.area)
    assert items.count("河街社区·第一网格") == 1 and items.count("粮行社区·第一网格") == 1
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert sorted(_column(page.model, "grid")) == ["河街社区·第一网格·3号楼", "粮行社区·第一网格"]
    page.area.setCurrentIndex(page.area.findData(ids["粮行一"]))
    qtbot.waitUntil(lambda: _column(page.model, "name") == ["赵六"])
    assert page._export_title() == "人口信息（粮行社区·第一网格）"


def test_training_attendance_offers_and_shows_full_grid_names(qtbot, twins):
    db, ids = twins
    session_id = create_session(db, SessionInput(name="消防安全培训", start_date=TODAY, end_date=TODAY, hours=2))
    row = next(r for r in list_sessions(db, year=TODAY.year) if r.id == session_id)
    dialog = _show(qtbot, AttendanceDialog(db, row, training_code_lists(db)))
    items = _items(dialog.area)
    assert items.count("河街社区·第一网格") == 1 and items.count("粮行社区·第一网格") == 1
    dialog.area.setCurrentIndex(dialog.area.findData(ids["粮行一"]))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert [r.name for r in dialog.model.rows] == ["李四"]
    assert dialog.model.rows[0].grids == "粮行社区·第一网格"
    texts = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
    assert "粮行社区·第一网格" in texts
    add_attendees(db, session_id, [ids["张三"]])
    page = _show(qtbot, TrainingPage(db))
    page.tabs.setCurrentWidget(page.compliance)
    model = page.compliance.model
    grids = {model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())}
    assert grids == {"张三": "河街社区·第一网格", "李四": "粮行社区·第一网格"}


def test_reports_page_community_report_is_by_grid(qtbot, twins):
    db, ids = twins
    page = _show(qtbot, ReportsPage(db))
    page.scope.setCurrentIndex(page.scope.findData(ids["河街社区"]))
    report = page.generate()
    assert report is not None and report.scope_name == "河街社区"
    text = "".join(p.extract_text() for p in PdfReader(report.file_path).pages)
    assert "河街社区网格化服务管理月报" in text and "本社区" in text and "全范围" not in text
    assert "第二村民小组网格" in text
