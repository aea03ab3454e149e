"""Training target groups (培训对象) as structure and text, adding the
target group in one step, and picking people one by one."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox

from gridadmin.services.training.sessions import list_sessions, session_attendance, training_code_lists
from gridadmin.services.training.targets import (
    TargetGroup, community_choices, find_staff, format_target_group, parse_target_group, target_group_staff,
)
from tests.test_training_page import YEAR, _attendance_dialog, _page, _session, world  # noqa: F401
from tests.uihelpers import type_text, when_modal

ROLES = (("leader", "网格长"), ("fulltime", "专职网格员"), ("parttime", "兼职网格员"))
COMMUNITIES = ((7, "河街社区"), (8, "粮行社区"))


def test_target_group_text_round_trip_keeps_unknown_words():
    group = TargetGroup(("leader", "fulltime"), (8,), "新入职人员")
    text = format_target_group(group, ROLES, COMMUNITIES)
    assert text == "网格长、专职网格员；粮行社区；新入职人员"
    assert parse_target_group(text, ROLES, COMMUNITIES) == group
    # typed by hand in an older version: commas, a role and other words mixed
    old = parse_target_group("全体专职网格员, 兼职网格员，河街社区；党员志愿者", ROLES, COMMUNITIES)
    assert old == TargetGroup(("parttime",), (7,), "全体专职网格员；党员志愿者")
    assert parse_target_group(None, ROLES, COMMUNITIES).is_empty


def test_target_group_staff_by_role_and_community(world):
    db, ids = world
    on = date(YEAR, 3, 10)
    assert target_group_staff(db, TargetGroup(("fulltime",), (ids["community"],)), on) == sorted(
        [ids["张三"], ids["王五"]])
    assert set(target_group_staff(db, TargetGroup(("fulltime",)), on)) == {ids["张三"], ids["王五"], ids["赵六"]}
    assert len(target_group_staff(db, TargetGroup(), on)) == 4


def test_find_staff_by_pinyin_or_name_masks_phones(world):
    db, ids = world
    found = find_staff(db, "zhang", on=date(YEAR, 3, 10))
    assert [(p.name, p.grids, p.phone) for p in found] == [("张三", "河街社区·第一网格", "138****5678")]
    assert find_staff(db, "张", on=date(YEAR, 3, 10), full_numbers=True)[0].phone == "13812345678"
    assert find_staff(db, "  ", on=date(YEAR, 3, 10)) == []


def test_session_dialog_stores_ticked_target_group(qtbot, world):
    db, ids = world
    page = _page(qtbot, db)

    def fill(dialog):
        type_text(qtbot, dialog.name, "网格员业务培训")
        dialog.start.setDate(QDate(YEAR, 5, 6))
        dialog.target_roles["fulltime"].setChecked(True)
        areas = dialog.target_areas
        for i in range(areas.count()):
            if areas.item(i).text() == "河街社区":
                areas.item(i).setCheckState(Qt.CheckState.Checked)
        type_text(qtbot, dialog.target_extra, "新入职人员")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    when_modal(fill)
    qtbot.mouseClick(page.sessions.new_button, Qt.MouseButton.LeftButton)
    row = list_sessions(db)[0]
    assert row.target_group == "专职网格员；河街社区；新入职人员"

    def check(dialog):  # editing shows the same ticks
        assert dialog.target_roles["fulltime"].isChecked() and not dialog.target_roles["leader"].isChecked()
        assert dialog.target().communities == (ids["community"],) and dialog.target_extra.text() == "新入职人员"
        dialog.reject()

    when_modal(check)
    page.sessions.table.selectRow(0)
    qtbot.mouseClick(page.sessions.edit_button, Qt.MouseButton.LeftButton)


def test_attendance_adds_target_group_and_picked_people(qtbot, world):
    db, ids = world
    codes = training_code_lists(db)
    target = format_target_group(TargetGroup(("fulltime",), (ids["community"],)), codes.roles,
                                 community_choices(db))
    session_id = _session(db, target_group=target)
    dialog = _attendance_dialog(qtbot, db, session_id)
    qtbot.mouseClick(dialog.target_button, Qt.MouseButton.LeftButton)
    assert [r.name for r in dialog.model.rows] == ["王五", "张三"]
    assert "已添加培训对象中 2 人" in dialog.notice.text()

    def pick(picker):
        type_text(qtbot, picker.query, "li")
        qtbot.waitUntil(lambda: picker.table.rowCount() == 1)
        assert picker.table.item(0, 0).text() == "李四"
        picker.table.item(0, 0).setCheckState(Qt.CheckState.Checked)
        picker.query.clear()
        type_text(qtbot, picker.query, "zhang")  # 张三 is listed already: shown, not tickable
        qtbot.waitUntil(lambda: picker.table.rowCount() == 1 and "已在名单中" in picker.table.item(0, 0).text())
        assert not picker.table.item(0, 0).flags() & Qt.ItemFlag.ItemIsUserCheckable
        assert "已选 1 人：李四" in picker.status.text()
        picker.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    when_modal(pick)
    qtbot.mouseClick(dialog.pick_button, Qt.MouseButton.LeftButton)
    assert {r.name for r in session_attendance(db, session_id)} == {"王五", "张三", "李四"}
    assert "已添加所选人员中 1 人" in dialog.notice.text()
