"""Two clerks, one database (SQLite file or PostgreSQL, two real
connections): whatever they do at the same moment, the register holds one
person per ID number, one open membership per group and one household per
户号, and the clerk who came second reads a Chinese ``ConflictError`` naming
the other record — never a raw SQLAlchemy error."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from gridadmin.models import Area, Household, Person, PersonTag, TagKind
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.common.errors import ConflictError
from gridadmin.services.common.idcard import make_id_number, mask_id_number
from gridadmin.services.register import life_events
from gridadmin.services.register.households import HouseholdData, MemberData, load_household, save_household
from gridadmin.services.register.resident_record import ResidentData, add_resident, load_resident, save_resident
from gridadmin.services.register.tags import set_person_tags
from gridadmin.services.register.tallies import holders_per_area_kind
from gridadmin.services.roster.staff import get_staff, save_staff
from tests.concurrency import held_at, in_thread, second_clerk, wait_reached
from tests.staffdata import TODAY as STAFF_TODAY, add as add_staff, person as staff_form

TODAY = date(2026, 6, 1)
HEAD_A = make_id_number("411302", date(1970, 5, 6), 13)
HEAD_B = make_id_number("411302", date(1971, 7, 8), 15)
NEWCOMER = make_id_number("411302", date(2001, 6, 1), 57)


@pytest.fixture
def clerks(township_db):
    """(clerk A's database, clerk B's database — another connection) and
    two households in the first community."""
    db = township_db
    other = second_clerk(db)
    with db.session() as s:
        area = s.scalar(select(Area.id).where(Area.level == "community").order_by(Area.id))
    first = save_household(db, None, HouseholdData("4113020010010001", area, compound="幸福小区"),
                           [MemberData(None, "张三", HEAD_A, relation="02")], today=date(2025, 1, 1))
    second = save_household(db, None, HouseholdData("4113020010010002", area),
                            [MemberData(None, "王芳", HEAD_B, relation="02")], today=date(2025, 1, 1))
    yield db, other, area, first, second
    other.dispose()


def _active_with(db, number):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Person).where(Person.id_number == number,
                                                                       Person.status == PERSON_ACTIVE))


def test_two_clerks_adding_one_id_number_register_one_person(clerks):
    a, b, _area, first, second = clerks
    with held_at(b, "INSERT INTO person ") as go:
        late = in_thread(lambda: add_resident(b, second, ResidentData(name="赵六", id_number=NEWCOMER), "20",
                                              today=TODAY))
        wait_reached(go, late)  # B has checked the number: nobody holds it yet
        add_resident(a, first, ResidentData(name="赵六", id_number=NEWCOMER), "20", today=TODAY)
        go()
        with pytest.raises(ConflictError) as refused:
            late.result()
    message = refused.value.message
    assert f"公民身份号码 {mask_id_number(NEWCOMER)} 已登记为在册人员 赵六" in message
    assert "户号 4113020010010001" in message and "不能重复登记" in message
    assert NEWCOMER not in message  # masked as everywhere else
    assert _active_with(a, NEWCOMER) == 1
    assert "赵六" not in [m.name for m in load_household(a, second).members]


def test_two_households_saved_with_one_number_end_in_one_household(clerks):
    a, b, area, _first, _second = clerks
    head = make_id_number("411302", date(1980, 1, 1), 11)
    other_head = make_id_number("411302", date(1982, 2, 2), 21)
    with held_at(b, "INSERT INTO household ") as go:
        late = in_thread(lambda: save_household(b, None, HouseholdData("4113020010019999", area),
                                                [MemberData(None, "孙七", other_head, relation="02")], today=TODAY))
        wait_reached(go, late)
        save_household(a, None, HouseholdData("4113020010019999", area, compound="幸福小区", building="9号楼"),
                       [MemberData(None, "周八", head, relation="02")], today=TODAY)
        go()
        with pytest.raises(ConflictError, match="户号 4113020010019999 已被另一户使用（.*幸福小区9号楼"):
            late.result()
    with a.session() as s:
        assert s.scalar(select(func.count()).select_from(Household)
                        .where(Household.household_no == "4113020010019999")) == 1
        assert s.scalar(select(func.count()).select_from(Person).where(Person.name == "孙七")) == 0


def test_two_clerks_tagging_one_person_make_one_membership_and_one_exit_ends_it(clerks):
    a, b, area, first, _second = clerks
    person_id = load_household(a, first).members[0].id
    with a.session() as s:
        kind = s.scalar(select(TagKind.id).where(TagKind.code == "dibao"))
    with held_at(b, "INSERT INTO person_tag ") as go:
        late = in_thread(lambda: set_person_tags(b, person_id, [kind], today=TODAY))
        wait_reached(go, late)
        assert set_person_tags(a, person_id, [kind], today=TODAY) == (["低保对象"], [])
        go()
        with pytest.raises(ConflictError, match="“张三”已在人群类别“.*”中（自 2026-06-01 起），不能重复加入"):
            late.result()
    with a.session() as s:
        assert s.scalar(select(func.count()).select_from(PersonTag).where(
            PersonTag.person_id == person_id, PersonTag.end_date.is_(None))) == 1
        assert sum(n for (_a, k), n in holders_per_area_kind(s).items() if k == kind) == 1
    set_person_tags(a, person_id, [], today=TODAY)  # one 退出 and they are out
    with a.session() as s:
        assert s.scalar(select(func.count()).select_from(PersonTag).where(
            PersonTag.person_id == person_id, PersonTag.end_date.is_(None))) == 0
        assert sum(n for (_a, k), n in holders_per_area_kind(s).items() if k == kind) == 0


def test_an_edit_and_a_life_event_at_once_end_in_one_change_and_a_conflict(clerks):
    a, b, _area, first, _second = clerks
    newcomer = add_resident(a, first, ResidentData(name="赵六", id_number=NEWCOMER), "20", today=TODAY)
    record = load_resident(a, newcomer)
    with held_at(b, "UPDATE person ") as go:
        late = in_thread(lambda: life_events.move_out(b, newcomer, TODAY, "郑州市", expected_version=record.version,
                                                      today=TODAY))
        wait_reached(go, late)
        save_resident(a, newcomer, ResidentData(name="赵六", id_number=NEWCOMER, occupation="教师"),
                      expected_version=record.version, today=TODAY)
        go()
        with pytest.raises(ConflictError, match="“赵六”已被.*修改"):
            late.result()
    after = load_resident(a, newcomer)
    assert (after.status, after.data.occupation) == (PERSON_ACTIVE, "教师")


def test_a_life_event_and_an_edit_at_once_the_other_way_round(clerks):
    a, b, _area, first, _second = clerks
    newcomer = add_resident(a, first, ResidentData(name="赵六", id_number=NEWCOMER), "20", today=TODAY)
    record = load_resident(a, newcomer)
    with held_at(b, "UPDATE person ") as go:
        late = in_thread(lambda: save_resident(b, newcomer, ResidentData(name="赵六", id_number=NEWCOMER,
                                                                         occupation="教师"),
                                               expected_version=record.version, today=TODAY))
        wait_reached(go, late)
        life_events.move_out(a, newcomer, TODAY, "郑州市", expected_version=record.version, today=TODAY)
        go()
        with pytest.raises(ConflictError, match="“赵六”已被.*修改"):
            late.result()
    after = load_resident(a, newcomer)
    assert (after.status, after.data.occupation) == ("迁出", "")


def test_two_staff_edits_at_once_end_in_one_change_and_a_conflict(township_db):
    a = township_db
    b = second_clerk(a)
    try:
        staff_id = add_staff(a)
        version = get_staff(a, staff_id).version
        with held_at(b, "UPDATE staff ") as go:
            late = in_thread(lambda: save_staff(b, staff_form(position="乙"), staff_id=staff_id,
                                                expected_version=version, today=STAFF_TODAY))
            wait_reached(go, late)
            save_staff(a, staff_form(position="甲"), staff_id=staff_id, expected_version=version, today=STAFF_TODAY)
            go()
            with pytest.raises(ConflictError, match="已被.*修改"):
                late.result()
        assert get_staff(a, staff_id).data.position == "甲"
    finally:
        b.dispose()


def test_the_household_card_shows_who_holds_the_number_and_keeps_what_was_typed(qapp, qtbot, clerks):
    from PySide6.QtWidgets import QMessageBox

    from gridadmin.ui.register.household_dialog import BIRTH, ID_NUMBER, HouseholdDialog
    from tests.concurrency import WAIT
    from tests.uihelpers import when_modal

    a, b, _area, first, second = clerks
    dialog = HouseholdDialog(b, second)
    qtbot.addWidget(dialog)
    dialog.members.item(0, ID_NUMBER).setText(NEWCOMER)  # 王芳's number corrected … to one just being registered
    dialog.members.item(0, BIRTH).setText("2001-06-01")
    shown: list[str] = []

    def answer(box):
        shown.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()

    with held_at(b, "UPDATE household ") as go:  # B has checked the number, nothing written yet
        def clerk_a():
            assert go.reached.wait(WAIT)
            add_resident(a, first, ResidentData(name="赵六", id_number=NEWCOMER), "20", today=TODAY)
            go()

        other = in_thread(clerk_a)
        when_modal(answer, kind=QMessageBox, timeout_ms=WAIT * 1000)
        assert dialog.try_save() is False
        other.result()
    assert shown and shown[0].startswith(f"公民身份号码 {mask_id_number(NEWCOMER)} 已登记为在册人员 赵六")
    assert dialog.members.item(0, ID_NUMBER).text() == NEWCOMER  # the form is kept for correcting
    assert _active_with(a, NEWCOMER) == 1 and _active_with(a, HEAD_B) == 1
