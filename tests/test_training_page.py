"""The training page driven through its real widgets."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QFileDialog, QMessageBox

from gridadmin.models import Staff, StaffAssignment
from gridadmin.services.areas import tree as areas
from gridadmin.services.training.sessions import SessionInput, add_attendees, create_session, list_sessions, session_attendance
from gridadmin.services.training.compliance import compliance, requirements, set_requirement
from gridadmin.ui.training.training_page import TrainingPage
from gridadmin.ui.training.attendance_dialog import AttendanceDialog
from gridadmin.ui.training.attendance_model import COL_HOURS, COL_SCORE, COL_STATUS
from tests.uihelpers import type_text, when_modal

YEAR = date.today().year


@pytest.fixture
def world(township_db):
    """河街社区 with two grids: 张三 and 王五 full-time, 李四 part-time;
    赵六 full-time in 粮行社区."""
    tree = areas.load_tree(township_db)
    community = next(n for n in tree if n.name == "河街社区")
    other = next(n for n in tree if n.name == "粮行社区")
    grid1 = areas.add_area(township_db, community.id, areas.AreaInput(name="第一网格"))
    grid2 = areas.add_area(township_db, community.id, areas.AreaInput(name="第二网格"))
    grid3 = areas.add_area(township_db, other.id, areas.AreaInput(name="粮行第一网格"))
    ids = {"community": community.id}
    with township_db.session() as s:
        for name, pinyin, grid, role, phone in (
                ("张三", "zhangsan", grid1, "fulltime", "13812345678"), ("王五", "wangwu", grid2, "fulltime", None),
                ("李四", "lisi", grid2, "parttime", None), ("赵六", "zhaoliu", grid3, "fulltime", None)):
            staff = Staff(name=name, name_pinyin=pinyin, hired_on=date(2020, 1, 1), status="在岗", phone=phone)
            s.add(staff)
            s.flush()
            s.add(StaffAssignment(staff_id=staff.id, area_id=grid, role=role, start_date=date(2020, 1, 1)))
            ids[name] = staff.id
    return township_db, ids


def _page(qtbot, db):
    page = TrainingPage(db)
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    return page


def _session(db, name="消防安全培训", day=date(YEAR, 3, 10), hours=4.0, **kw):
    return create_session(db, SessionInput(name=name, start_date=day, end_date=day, hours=hours, category="06",
                                           form="1", **kw))


def _save(dialog):
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def test_create_session_through_dialog(qtbot, world):
    db, _ = world
    page = _page(qtbot, db)

    def fill(dialog):
        type_text(qtbot, dialog.name, "人民调解技巧培训")
        dialog.category.setCurrentIndex(dialog.category.findText("矛盾调解"))
        dialog.start.setDate(QDate(YEAR, 4, 8))
        assert dialog.end.date() == QDate(YEAR, 4, 8)  # the end follows the start
        dialog.hours.setValue(6)
        type_text(qtbot, dialog.trainer, "县司法局 王律师")
        type_text(qtbot, dialog.place, "街道办三楼会议室")
        _save(dialog)

    when_modal(fill)
    qtbot.mouseClick(page.sessions.new_button, Qt.MouseButton.LeftButton)
    [row] = list_sessions(db)
    assert (row.name, row.category, row.form, row.start_date, row.hours, row.trainer) == (
        "人民调解技巧培训", "03", "1", date(YEAR, 4, 8), 6.0, "县司法局 王律师")
    model = page.sessions.model
    assert [model.index(0, c).data() for c in range(5)] == [
        "人民调解技巧培训", "矛盾调解", "集中", f"{YEAR}-04-08", "6"]
    assert page.sessions.selected().id == row.id
    assert "共 1 场培训" in page.sessions.summary.text()


@pytest.mark.parametrize("change, message", [
    (lambda d: d.end.setDate(QDate(YEAR, 4, 7)), "早于开始日期"),
    (lambda d: d.hours.setValue(0), "学时应大于 0"),
])
def test_refused_input_keeps_dialog_open_with_message(qtbot, world, change, message):
    db, _ = world
    page = _page(qtbot, db)
    seen = []

    def fill(dialog):
        type_text(qtbot, dialog.name, "应急处置培训")
        dialog.start.setDate(QDate(YEAR, 4, 8))
        change(dialog)
        _save(dialog)
        seen.append((dialog.isVisible(), dialog.error.isVisible(), dialog.error.text(), dialog.name.text()))
        dialog.reject()

    when_modal(fill)
    page.sessions.new_session()
    visible, shown, error, typed = seen[0]
    assert visible and shown and message in error and typed == "应急处置培训"
    assert list_sessions(db) == []


def test_cancel_and_restore_greys_the_row(qtbot, world):
    db, _ = world
    _session(db)
    page = _page(qtbot, db)
    from tests.uihelpers import answer_message_box
    from PySide6.QtWidgets import QMessageBox

    answer_message_box(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(page.sessions.cancel_button, Qt.MouseButton.LeftButton)
    assert list_sessions(db)[0].cancelled
    assert page.sessions.model.index(0, 0).data() == "消防安全培训（已取消）"
    assert page.sessions.cancel_button.text() == "恢复培训"
    qtbot.mouseClick(page.sessions.cancel_button, Qt.MouseButton.LeftButton)
    assert not list_sessions(db)[0].cancelled


def _attendance_dialog(qtbot, db, session_id):
    row = next(r for r in list_sessions(db) if r.id == session_id)
    from gridadmin.services.training.sessions import training_code_lists

    dialog = AttendanceDialog(db, row, training_code_lists(db))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_add_fulltime_workers_of_a_community_then_mark_absent(qtbot, world):
    db, ids = world
    session_id = _session(db)
    dialog = _attendance_dialog(qtbot, db, session_id)
    dialog.area.setCurrentIndex(dialog.area.findData(ids["community"]))
    assert dialog.role.currentText() == "专职网格员"
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    model = dialog.model
    assert [r.name for r in model.rows] == ["王五", "张三"]  # by pinyin; 李四 is part-time, 赵六 elsewhere
    assert "已添加河街社区专职网格员 2 人" in dialog.notice.text()
    assert model.index(1, 2).data() == "138****5678"
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)  # again: nobody twice
    assert len(model.rows) == 2 and "另有 2 人已在名单中" in dialog.notice.text()

    # 王五 absent: pick 缺席 in the status cell's combo box
    index = model.index(0, COL_STATUS)
    dialog.table.setCurrentIndex(index)
    dialog.table.edit(index)
    combo = dialog.table.findChild(QComboBox)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert model.index(0, COL_STATUS).data() == "缺席" and model.index(0, COL_HOURS).data() == "0"
    assert {r.name: r.hours_credited for r in session_attendance(db, session_id)} == {"王五": 0.0, "张三": 4.0}
    assert "出席 1 人" in dialog.summary.text()

    # a score out of range is refused, the cell keeps its value
    assert not model.setData(model.index(1, COL_SCORE), "101")
    assert dialog.error.isVisible() and "张三" in dialog.error.text() and "0–100" in dialog.error.text()
    assert model.index(1, COL_SCORE).data() == ""
    assert model.setData(model.index(1, COL_HOURS), "3")
    assert session_attendance(db, session_id)[1].hours_credited == 3.0 and not dialog.error.isVisible()


def test_refused_addition_names_the_person_and_adds_nobody(qtbot, world):
    db, ids = world
    session_id = _session(db, day=date(YEAR, 1, 5))
    dialog = _attendance_dialog(qtbot, db, session_id)
    with db.session() as s:  # 张三 leaves after the list of people on post was taken
        s.get(Staff, ids["张三"]).left_on = date(YEAR, 1, 1)
    import gridadmin.ui.training.attendance_dialog as module

    original = module.training.staff_on_post_in
    module.training.staff_on_post_in = lambda *a, **k: [ids["王五"], ids["张三"]]
    try:
        dialog.area.setCurrentIndex(dialog.area.findData(ids["community"]))
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    finally:
        module.training.staff_on_post_in = original
    assert "未添加任何人" in dialog.error.text() and "“张三”" in dialog.error.text()
    assert session_attendance(db, session_id) == [] and dialog.model.rows == []


def test_print_signin_sheet(qtbot, world, tmp_path, monkeypatch):
    from pypdf import PdfReader

    db, ids = world
    session_id = _session(db, trainer="县消防救援大队 王教官", place="街道办三楼会议室")
    add_attendees(db, session_id, [ids["张三"], ids["王五"]])
    page = _page(qtbot, db)
    target = tmp_path / "sheet.pdf"
    asked = []

    def fake_dialog(parent, title, default, filters):
        asked.append(default)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_dialog)
    qtbot.mouseClick(page.sessions.print_button, Qt.MouseButton.LeftButton)
    assert asked[0].endswith("培训签到表_消防安全培训.pdf")
    text = PdfReader(str(target)).pages[0].extract_text()
    for expected in ("培训签到表", "消防安全培训", "县消防救援大队 王教官", "张三", "王五", "第一网格", "138****5678"):
        assert expected in text, expected
    assert "13812345678" not in text and "已保存签到表" in page.sessions.status.text()
    page.full_numbers.setChecked(True)
    qtbot.mouseClick(page.sessions.print_button, Qt.MouseButton.LeftButton)
    assert "13812345678" in PdfReader(str(target)).pages[0].extract_text()


def _due(annual: float) -> float:
    """The requirement to date on the tab's day (today)."""
    from gridadmin.services.training.compliance import months_elapsed

    return round(annual * months_elapsed(date.today()) / 12 * 2) / 2


def test_compliance_tab_shows_who_is_behind_first(qtbot, world):
    db, ids = world
    set_requirement(db, YEAR, 12)
    first = _session(db, hours=8)
    second = _session(db, "应急处置培训", day=date(YEAR, 1, 20), hours=6)
    add_attendees(db, first, [ids["张三"], ids["王五"], ids["李四"]])
    add_attendees(db, second, [ids["张三"]])
    page = _page(qtbot, db)
    page.tabs.setCurrentWidget(page.compliance)
    tab = page.compliance
    model = tab.model
    # hours to date are compared with the requirement to date (12 h a year, pro-rated by elapsed months)
    due = _due(12)
    assert model.headerData(4, Qt.Orientation.Horizontal) == "截至当前应完成学时（按已过月份折算）"
    if due:
        assert model.index(0, 0).data() == "赵六"  # nothing yet
        assert [model.index(0, c).data() for c in range(3, 6)] == ["0", f"{due:g}", f"{due:g}"]
        assert model.index(0, 2).data() == "专职网格员"
    behind = (due > 0) + 2 * (due > 8) + (due > 14)  # 赵六 0 h, 王五 and 李四 8 h, 张三 14 h
    assert tab.count.text() == f"共 4 人，未达标 {behind} 人"
    tab.behind_only.setChecked(True)
    assert model.rowCount() == behind and "张三" not in [model.index(r, 0).data() for r in range(behind)]

    def set_fulltime(dialog):
        assert dialog.default_hours.value() == 12 and dialog.role_hours["fulltime"].text() == "同默认"
        dialog.role_hours["fulltime"].setValue(20)
        dialog.role_hours["leader"].setValue(-5)  # the box stops at 同默认
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    when_modal(set_fulltime)
    qtbot.mouseClick(tab.requirements_button, Qt.MouseButton.LeftButton)
    rows = {r.name: r for r in compliance(db, YEAR)}
    assert rows["张三"].required == _due(20) and rows["李四"].required == _due(12)
    assert (rows["张三"].annual, rows["李四"].annual) == (20, 12)
    assert requirements(db, YEAR) == {None: 12, "fulltime": 20}
    behind = (_due(20) > 0) + (_due(20) > 14) + 2 * (_due(12) > 8)  # 赵六 and 张三 full-time
    assert tab.count.text() == f"共 4 人，未达标 {behind} 人"
    assert "专职网格员 20" in tab.requirement_title.text()


def test_compliance_list_exports_and_prints_what_is_shown(qtbot, world, tmp_path, monkeypatch):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from tests.uihelpers import answer_message_box

    db, ids = world
    set_requirement(db, YEAR, 12)
    add_attendees(db, _session(db, hours=12), [ids["张三"]])
    page = _page(qtbot, db)
    page.tabs.setCurrentWidget(page.compliance)
    tab = page.compliance
    tab.behind_only.setChecked(False)
    assert tab.model.rowCount() > 0
    out = tmp_path / "达标.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    tab.export_button.click()
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "所属网格", "岗位", "已完成学时", "截至当前应完成学时（按已过月份折算）", "全年要求", "差额")
    assert len(rows) - 1 == tab.model.rowCount() and "张三" in [r[0] for r in rows]
    pdf = tmp_path / "达标.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(pdf), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    tab.print_button.click()
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert "培训学时达标情况" in text and rows[1][0] in text


def test_monthly_chart_has_twelve_bars_with_the_hours(qtbot, world):
    db, ids = world
    march = _session(db, hours=4)
    march2 = _session(db, "信息采集培训", day=date(YEAR, 3, 25), hours=2)
    july = _session(db, "防汛培训", day=date(YEAR, 7, 2), hours=3)
    add_attendees(db, march, [ids["张三"], ids["王五"]])
    add_attendees(db, march2, [ids["张三"]])
    add_attendees(db, july, [ids["赵六"]])
    page = _page(qtbot, db)
    page.tabs.setCurrentWidget(page.monthly)
    heights = page.monthly.bar_heights()
    assert len(heights) == 12
    assert heights == [0, 0, 10, 0, 0, 0, 3, 0, 0, 0, 0, 0]
    table = page.monthly.table
    assert [table.item(2, c).text() for c in range(4)] == ["3月", "2", "3", "10"]
    assert [table.item(12, c).text() for c in range(4)] == ["合计", "3", "4", "13"]


def test_year_selector_and_new_session_in_another_year(qtbot, world):
    db, _ = world
    _session(db, "去年的培训", day=date(YEAR - 1, 6, 1))
    page = _page(qtbot, db)
    assert page.year() == YEAR and page.sessions.model.rowCount() == 0
    page.year_box.setCurrentIndex(page.year_box.findData(YEAR - 1))
    assert [r.name for r in page.sessions.model.rows] == ["去年的培训"]

    def fill(dialog):
        type_text(qtbot, dialog.name, "明年的培训")
        dialog.start.setDate(QDate(YEAR + 1, 2, 1))
        _save(dialog)

    when_modal(fill)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(page.sessions.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.year() == YEAR + 1 and [r.name for r in page.sessions.model.rows] == ["明年的培训"]


def test_remove_selected_attendee_after_confirmation(qtbot, world):
    from PySide6.QtWidgets import QMessageBox

    from tests.uihelpers import answer_message_box

    db, ids = world
    session_id = _session(db)
    add_attendees(db, session_id, [ids["张三"], ids["王五"]])
    dialog = _attendance_dialog(qtbot, db, session_id)
    assert not dialog.remove_button.isEnabled()
    dialog.table.selectRow(1)
    texts = answer_message_box(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert "张三" in texts[0]
    assert [r.name for r in session_attendance(db, session_id)] == ["王五"]
    assert "应到 1 人" in dialog.summary.text()


def test_staff_dialog_shows_training_history_with_yearly_totals(qtbot, tmp_path):
    from sqlalchemy import func, select

    from gridadmin.db import open_database
    from gridadmin.models import Attendance
    from gridadmin.services.demo import create_demo_database
    from gridadmin.services.training.compliance import staff_history
    from gridadmin.ui.roster.staff_dialog import StaffDialog

    path = tmp_path / "demo.db"
    create_demo_database(str(path), "small")
    db = open_database(str(path))
    with db.session() as s:
        staff_id = s.execute(select(Attendance.staff_id, func.count()).group_by(Attendance.staff_id)
                             .order_by(func.count().desc())).first()[0]
    rows, totals = staff_history(db, staff_id)
    dialog = StaffDialog(db, staff_id)
    qtbot.addWidget(dialog)
    assert dialog.training.table.rowCount() == len(rows) > 0
    for year, hours in totals.items():
        assert f"{year} 年 {hours:g} 学时" in dialog.training.totals.text()
    db.dispose()
