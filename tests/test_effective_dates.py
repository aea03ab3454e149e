"""Every change has the date it happened: the effective date is kept apart
from the moment it was entered (and by whom), the forms ask for it, the
monthly report counts by it, imports date each person by their own 登记日期
/迁入日期 or the import's effective date, and bad dates are refused naming
the field (forms) or row, column and value (imports)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import QDate
from sqlalchemy import select

from gridadmin.models import Area, Household, Person, PersonEvent, PersonTag, TagKind
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.register import life_events
from gridadmin.services.register.households import HouseholdData, MemberData, save_household
from gridadmin.services.register.resident_record import ResidentData, add_resident, load_resident, save_resident
from gridadmin.services.register.age_groups import AGE_KINDS
from gridadmin.services.register.tags import set_person_tags
from gridadmin.services.reports.monthly_figures import monthly_figures
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from tests.test_import_support import HEADERS, person, write_workbook

TODAY = date(2025, 12, 7)
BABY_BORN = date(2025, 11, 20)


@pytest.fixture
def family(township_db):
    """One household registered on 5 January 2025: 张三 (head) and 李四."""
    db = township_db
    with db.session() as s:
        area = s.scalar(select(Area.id).where(Area.level == "community").order_by(Area.id))
    members = [MemberData(None, "张三", make_id_number("411302", date(1990, 5, 6), 13), relation="02"),
               MemberData(None, "李四", make_id_number("411302", date(1992, 3, 4), 24), relation="10")]
    hid = save_household(db, None, HouseholdData("H1", area), members, today=TODAY, on=date(2025, 1, 5))
    return db, hid


def _get(db, name):
    with db.session() as s:
        return s.scalar(select(Person).where(Person.name == name))


def _residents(db, year, month):
    flow = monthly_figures(db, year, month).total.residents
    return flow.previous, flow.increase, flow.decrease, flow.current


def test_the_household_card_dates_a_new_household_and_its_members(family):
    db, hid = family
    with db.session() as s:
        assert s.get(Household, hid).registered_on == date(2025, 1, 5)
        assert {p.registered_on for p in s.scalars(select(Person))} == {date(2025, 1, 5)}
        events = s.scalars(select(PersonEvent)).all()
        assert {(e.kind, e.event_date, e.entered_by) for e in events} == {("登记", date(2025, 1, 5), "system")}
    with db.session() as s:
        area = s.scalar(select(Area.id).where(Area.level == "community"))
    child = MemberData(None, "王五", make_id_number("411302", date(2025, 3, 1), 35), relation="02")
    with pytest.raises(ValidationError) as refused:  # registered before being born
        save_household(db, None, HouseholdData("H2", area), [child], today=TODAY, on=date(2025, 2, 1))
    assert refused.value.field == "登记日期" and "早于“王五”的出生日期 2025-03-01" in refused.value.message
    with pytest.raises(ValidationError, match="晚于今天"):
        save_household(db, None, HouseholdData("H2", area), [child], today=TODAY, on=date(2025, 12, 8))


def test_a_baby_born_in_november_entered_in_december_counts_in_november(family):
    db, hid = family
    number = make_id_number("411302", BABY_BORN, 57)
    pid = add_resident(db, hid, ResidentData(name="张小宝", id_number=number), "20", today=TODAY, arrival="出生")
    baby = load_resident(db, pid)
    assert baby.registered_on == BABY_BORN  # the effective date, not the day typed in
    with db.session() as s:
        event = s.scalar(select(PersonEvent).where(PersonEvent.person_id == pid))
        assert (event.kind, event.event_date, event.entered_by) == ("出生", BABY_BORN, "system")
        assert event.created_at.date() == date.today()  # entered now
    assert _residents(db, 2025, 11) == (2, 1, 0, 3)
    assert _residents(db, 2025, 12)[1:3] == (0, 0)


def test_the_new_resident_form_refuses_impossible_dates(family):
    db, hid = family
    data = ResidentData(name="张小宝", id_number=make_id_number("411302", BABY_BORN, 57))
    with pytest.raises(ValidationError) as refused:
        add_resident(db, hid, data, "20", today=TODAY, arrival="出生", on=date(2025, 12, 1))
    assert refused.value.field == "出生日期" and "2025-11-20" in refused.value.message
    with pytest.raises(ValidationError) as refused:
        add_resident(db, hid, data, "20", today=TODAY, on=date(2025, 11, 1))
    assert refused.value.field == "登记日期" and refused.value.value == date(2025, 11, 1)
    with pytest.raises(ValidationError, match="晚于今天"):
        add_resident(db, hid, data, "20", today=TODAY, arrival="迁入", on=date(2025, 12, 9))
    pid = add_resident(db, hid, replace(data, name="张小宝"), "20", today=TODAY, arrival="迁入", on=date(2025, 12, 1),
                       place="河南省郑州市")
    with db.session() as s:
        assert s.scalar(select(PersonEvent.place).where(PersonEvent.person_id == pid)) == "河南省郑州市"


def test_life_events_refuse_dates_the_register_cannot_hold(family):
    db, _hid = family
    li = _get(db, "李四")
    with pytest.raises(ValidationError) as refused:
        life_events.move_out(db, li.id, date(2024, 12, 31), "北京", today=TODAY)
    assert refused.value.field == "迁出日期" and "早于“李四”的登记日期 2025-01-05" in refused.value.message
    with pytest.raises(ValidationError, match="晚于今天"):
        life_events.record_death(db, li.id, date(2025, 12, 8), today=TODAY)
    life_events.change_category(db, li.id, "3", date(2025, 6, 1), today=TODAY)
    with db.session() as s:
        area = s.scalar(select(Area.id).where(Area.level == "community").order_by(Area.id))
    other = save_household(db, None, HouseholdData("H2", area), [MemberData(
        None, "王五", make_id_number("411302", date(1960, 1, 1), 55), relation="02")], today=TODAY,
        on=date(2025, 1, 5))
    life_events.transfer(db, li.id, other, date(2025, 7, 1), "10", today=TODAY)
    with pytest.raises(ValidationError) as refused:  # before her latest move
        life_events.move_out(db, li.id, date(2025, 6, 15), "北京", today=TODAY)
    assert "上一次变动的日期 2025-07-01" in refused.value.message
    life_events.move_out(db, li.id, date(2025, 11, 28), "北京", today=TODAY)
    with pytest.raises(ValidationError) as refused:  # already moved out
        life_events.record_death(db, li.id, date(2025, 12, 1), today=TODAY)
    assert refused.value.field == "状态"
    with db.session() as s:
        events = {(e.kind, e.event_date): e for e in s.scalars(select(PersonEvent).where(
            PersonEvent.person_id == li.id))}
        category = events[("类别变更", date(2025, 6, 1))]
        assert (category.old_value, category.new_value, category.entered_by) == ("1", "3", "system")
        assert events[("迁出", date(2025, 11, 28))].created_at.date() == date.today()
    # a 迁出 dated 28 November, entered in December, counts in November
    assert _residents(db, 2025, 11) == (3, 0, 1, 2)  # 张三, 王五 stay


def test_the_resident_form_dates_a_category_change(family):
    db, _hid = family
    zhang = _get(db, "张三")
    record = load_resident(db, zhang.id)
    with pytest.raises(ValidationError) as refused:
        save_resident(db, zhang.id, replace(record.data, category="2"), expected_version=record.version,
                      today=TODAY, on=date(2024, 1, 1))
    assert refused.value.field == "变更日期"
    save_resident(db, zhang.id, replace(record.data, category="2"), expected_version=record.version, today=TODAY,
                  on=date(2025, 10, 1))
    with db.session() as s:
        event = s.scalar(select(PersonEvent).where(PersonEvent.kind == "类别变更"))
        assert (event.event_date, event.old_value, event.new_value) == (date(2025, 10, 1), "1", "2")


def test_tags_keep_who_started_and_ended_them_and_refuse_impossible_dates(family):
    db, _hid = family
    zhang = _get(db, "张三")
    with db.session() as s:
        kind = s.scalar(select(TagKind.id).where(TagKind.sensitive.is_(False), TagKind.code.not_in(list(AGE_KINDS)))
                        .order_by(TagKind.id))  # a kind one ticks, not one computed from the birth date
    with pytest.raises(ValidationError) as refused:
        set_person_tags(db, zhang.id, [kind], date(1980, 1, 1), today=TODAY)
    assert "出生日期" in refused.value.message
    set_person_tags(db, zhang.id, [kind], date(2025, 3, 1), today=TODAY)
    set_person_tags(db, zhang.id, [], date(2025, 9, 1), today=TODAY)
    with db.session() as s:
        tag = s.scalar(select(PersonTag))
        assert (tag.start_date, tag.entered_by, tag.end_date, tag.ended_by) == \
            (date(2025, 3, 1), "system", date(2025, 9, 1), "system")
        assert tag.ended_at is not None and tag.ended_at.date() == date.today()


@pytest.fixture
def grid_db(township_db):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    return township_db


def test_an_import_dates_each_person_by_its_column_or_the_effective_date(grid_db, tmp_path):
    headers = [*HEADERS, "登记日期"]
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11, 登记日期="2025-03-04"),
            person("H1", "妻", "王芳", date(1981, 3, 4), 22),
            person("H1", "子", "李小宝", BABY_BORN, 33)]  # born after the effective date: dated by the birth
    path = write_workbook(tmp_path / "a.xlsx", rows, headers=headers)
    result = run_to_end(import_job(grid_db, path, "residents", today=TODAY, effective_date=date(2025, 10, 1)))
    assert result.committed, result.plan.errors
    got = {n: _get(grid_db, n).registered_on for n in ("李云", "王芳", "李小宝")}
    assert got == {"李云": date(2025, 3, 4), "王芳": date(2025, 10, 1), "李小宝": BABY_BORN}
    with grid_db.session() as s:
        assert s.scalar(select(Household.registered_on)) == date(2025, 3, 4)
        kinds = dict(s.execute(select(Person.name, PersonEvent.kind)
                               .join(Person, Person.id == PersonEvent.person_id)).all())
        assert kinds == {"李云": "登记", "王芳": "登记", "李小宝": "出生"}
    assert _residents(grid_db, 2025, 11) == (2, 1, 0, 3)


def test_an_import_without_dates_is_dated_today_as_before(grid_db, tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [person("H1", "户主", "李云", date(1980, 1, 2), 11)])
    run_to_end(import_job(grid_db, path, "residents", today=TODAY))
    assert _get(grid_db, "李云").registered_on == TODAY


def test_a_迁入日期_column_records_moving_in(grid_db, tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [person("H1", "户主", "李云", date(1980, 1, 2), 11,
                                                       迁入日期="2025.8.9")], headers=[*HEADERS, "迁入日期"])
    run_to_end(import_job(grid_db, path, "residents", today=TODAY))
    with grid_db.session() as s:
        assert s.execute(select(PersonEvent.kind, PersonEvent.event_date)).one() == ("迁入", date(2025, 8, 9))


def test_bad_import_dates_name_row_column_and_value(grid_db, tmp_path):
    headers = [*HEADERS, "登记日期"]
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11, 登记日期="2025-12-09"),
            person("H2", "户主", "王芳", date(1981, 3, 4), 22, 登记日期="1979-01-01"),
            person("H3", "户主", "赵四", date(1982, 3, 4), 33, 登记日期="2025-13-01")]
    plan = plan_import(grid_db, write_workbook(tmp_path / "a.xlsx", rows, headers=headers), "residents",
                       today=TODAY)
    errors = {e.row: e for e in plan.errors}
    assert (errors[4].column, errors[4].value) == ("登记日期", "2025-12-09") and "晚于今天" in errors[4].message
    assert (errors[5].column, errors[5].value) == ("登记日期", "1979-01-01") and "出生日期" in errors[5].message
    assert errors[6].column == "登记日期"
    with pytest.raises(ValidationError, match="晚于今天"):
        plan_import(grid_db, tmp_path / "a.xlsx", "residents", today=TODAY, effective_date=date(2025, 12, 8))


def test_the_new_resident_form_registers_a_newborn_from_the_birth(qtbot, family):
    from gridadmin.ui.register.resident_dialog import ResidentDialog

    db, hid = family
    dialog = ResidentDialog.new_member(db, hid)
    qtbot.addWidget(dialog)
    dialog.name.setText("张小宝")
    born = date.today().replace(day=1)
    dialog.id_number.setText(make_id_number("411302", born, 57))  # fills the birth date
    dialog.relation.setCurrentIndex(dialog.relation.findData("20"))
    dialog.arrival.setCurrentIndex(dialog.arrival.findData("出生"))
    assert dialog.effective_day.date() == QDate(born.year, born.month, born.day)
    assert not dialog.effective_day.isEnabled()
    assert dialog.try_save()
    assert load_resident(db, dialog.person_id).registered_on == born
    assert dialog.effective_label.text() == "变更生效日期"  # a saved person: the date of a category change


def test_the_event_dialog_asks_for_the_date_it_happened(qtbot, family):
    from gridadmin.services.register.households import load_household
    from gridadmin.ui.register.event_dialogs import EventDialog

    db, hid = family
    li = next(m for m in load_household(db, hid).members if m.name == "李四")
    dialog = EventDialog(db, "move_out", li, [])
    qtbot.addWidget(dialog)
    assert dialog.day.maximumDate() == QDate.currentDate()
    day = date.today().replace(day=1)
    dialog.day.setDate(QDate(day.year, day.month, day.day))
    dialog.destination.setText("北京市")
    assert dialog.try_record()
    moved = _get(db, "李四")
    assert moved.moved_out_on == day
