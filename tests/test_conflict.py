"""Stale saves name who changed the record and when, and the dialogs offer
to reload (two users editing the same record on two PCs)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import update
from sqlalchemy.orm.exc import StaleDataError

from gridadmin.models import Area, Staff
from gridadmin.models.access import ROLE_ADMIN
from gridadmin.services.areas import tree as areas
from gridadmin.services.access import audit
from gridadmin.services.access import users
from gridadmin.services.areas.tree import AreaInput
from gridadmin.services.common.errors import ConflictError
from gridadmin.services.register.households import HouseholdData, MemberData, load_household, save_household
from gridadmin.services.roster.staff import get_staff, save_staff
from tests.staffdata import TODAY, add, person
from tests.uihelpers import when_modal

PASSWORD = "Grid-2026-pass"


@pytest.fixture
def two_clerks(township_db):
    """The same database as seen by 张三 and by 李四 (two PCs)."""
    users.create_user(township_db, "zhangsan", "张三", PASSWORD, [ROLE_ADMIN])
    users.create_user(township_db, "lisi", "李四", PASSWORD, [ROLE_ADMIN])
    zhang = township_db.as_actor(users.authenticate(township_db, "zhangsan", PASSWORD))
    li = township_db.as_actor(users.authenticate(township_db, "lisi", PASSWORD))
    return zhang, li


def _pattern(who: str) -> str:
    return rf"已被 {who} 于 \d{{4}}-\d\d-\d\d \d\d:\d\d 修改，您的修改未保存。"


def test_second_staff_save_names_who_and_when(two_clerks):
    zhang, li = two_clerks
    staff_id = add(zhang)
    mine, theirs = get_staff(zhang, staff_id), get_staff(li, staff_id)
    save_staff(li, person(position="组长"), staff_id=staff_id, expected_version=theirs.version, today=TODAY)
    with pytest.raises(ConflictError, match=_pattern("李四")) as caught:
        save_staff(zhang, person(position="副组长"), staff_id=staff_id, expected_version=mine.version, today=TODAY)
    error = caught.value
    assert error.changed_by == "李四" and error.changed_at is not None
    assert (error.entity, error.entity_id) == ("staff", staff_id)
    assert "“张三”的资料已被 李四 于" in error.message
    assert get_staff(zhang, staff_id).data.position == "组长"


def test_second_area_save_names_who(two_clerks):
    zhang, li = two_clerks
    node = next(n for n in areas.load_tree(zhang) if n.name == "河街社区")
    areas.update_area(li, node.id, AreaInput(name="河街社区（新）", community_kind="社区"), expected_version=node.version)
    with pytest.raises(ConflictError, match=_pattern("李四")):
        areas.update_area(zhang, node.id, AreaInput(name="别的名字"), expected_version=node.version)
    assert next(n for n in areas.load_tree(zhang) if n.id == node.id).name == "河街社区（新）"


def test_second_household_save_names_who(two_clerks):
    zhang, li = two_clerks
    area_id = next(n.id for n in areas.load_tree(zhang) if n.level == "community")
    hid = save_household(zhang, None, HouseholdData("4113020010010009", area_id, room="101"),
                         [MemberData(None, "王五", relation="02")], today=TODAY)
    mine, theirs = load_household(zhang, hid), load_household(li, hid)
    from dataclasses import replace
    save_household(li, hid, replace(theirs.data, room="202"), list(theirs.members),
                   expected_version=theirs.version, today=TODAY)
    with pytest.raises(ConflictError, match="户 4113020010010009 " + _pattern("李四")):
        save_household(zhang, hid, replace(mine.data, room="303"), list(mine.members),
                       expected_version=mine.version, today=TODAY)
    assert load_household(zhang, hid).data.room == "202"


def test_race_caught_at_flush_still_names_who(two_clerks):
    """Both sessions read version 1; the other commits first; this flush
    fails (StaleDataError), the session can no longer query, and the
    message is still built (through a fresh connection)."""
    zhang, li = two_clerks
    staff_id = add(zhang)
    with zhang.session() as mine:
        staff = mine.get(Staff, staff_id)
        save_staff(li, person(position="组长"), staff_id=staff_id, today=TODAY)
        staff.position = "副组长"
        with pytest.raises(StaleDataError):
            mine.flush()
        assert not mine.is_active
        error = audit.stale_record(mine, "staff", staff_id)
        mine.rollback()
    assert error.changed_by == "李四" and error.message.startswith("该记录已被 李四 于 ")


def test_no_audit_row_still_refuses_plainly(township_db):
    area_id = next(n.id for n in areas.load_tree(township_db) if n.name == "河街社区")
    with township_db.session() as s:
        s.execute(update(Area).where(Area.id == area_id).values(version=Area.version + 1))
        error = audit.stale_record(s, "area", area_id, "“河街社区”")
    assert error.changed_by is None and error.message == "“河街社区”已被其他用户修改，您的修改未保存。请重新载入后再改。"


def test_staff_dialog_offers_reload(qapp, qtbot, two_clerks):
    from gridadmin.ui.common.conflict import RELOAD_BUTTON
    from gridadmin.ui.roster.staff_dialog import StaffDialog

    zhang, li = two_clerks
    staff_id = add(zhang)
    dialog = StaffDialog(zhang, staff_id)
    qtbot.addWidget(dialog)
    save_staff(li, person(position="组长"), staff_id=staff_id, today=TODAY)
    dialog.position.setText("副组长")
    shown: list[str] = []

    def press_reload(box):
        assert isinstance(box, QMessageBox)
        shown.append(box.text())
        box.findChild(type(box.buttons()[0]), RELOAD_BUTTON).click()

    when_modal(press_reload)
    dialog.try_save()
    assert shown and "已被 李四 于" in shown[0] and "您的修改未保存" in shown[0]
    assert dialog.position.text() == "组长" and dialog.record.version == 2 and dialog.result() == 0
    assert get_staff(zhang, staff_id).data.position == "组长"
    dialog.position.setText("副组长")
    dialog.try_save()  # now based on the reloaded version
    assert dialog.result() == 1 and get_staff(zhang, staff_id).data.position == "副组长"


def test_household_dialog_offers_reload(qapp, qtbot, two_clerks):
    from dataclasses import replace

    from gridadmin.ui.common.conflict import RELOAD_BUTTON
    from gridadmin.ui.register.household_dialog import HouseholdDialog

    zhang, li = two_clerks
    area_id = next(n.id for n in areas.load_tree(zhang) if n.level == "community")
    hid = save_household(zhang, None, HouseholdData("4113020010010009", area_id, room="101"),
                         [MemberData(None, "王五", relation="02")], today=TODAY)
    dialog = HouseholdDialog(zhang, hid)
    qtbot.addWidget(dialog)
    theirs = load_household(li, hid)
    save_household(li, hid, replace(theirs.data, room="202"), list(theirs.members),
                   expected_version=theirs.version, today=TODAY)
    dialog.parts["room"].setText("303")
    shown: list[str] = []

    def press_reload(box):
        shown.append(box.text())
        box.findChild(type(box.buttons()[0]), RELOAD_BUTTON).click()

    when_modal(press_reload)
    assert dialog.try_save() is False
    assert "户 4113020010010009 已被 李四 于" in shown[0]
    assert dialog.parts["room"].text() == "202" and load_household(zhang, hid).data.room == "202"
