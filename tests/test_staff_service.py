"""Staff form service: ID-derived facts, duplicates, phones, dates, versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from gridadmin.models import Staff, StaffStatusEvent
from gridadmin.services.roster import assignments
from gridadmin.services.common.errors import ConflictError, ValidationError
from gridadmin.services.roster.staff import get_staff, id_facts, normalize_phone, save_staff
from tests.staffdata import TODAY, add, grids, person


def test_save_fills_birth_date_gender_and_pinyin(township_db):
    staff_id = add(township_db, "曾  小明", id_number=person().id_number.lower(), gender=None, birth_date=None)
    record = get_staff(township_db, staff_id)
    assert record.data.name == "曾小明" and record.data.gender == "1"
    assert record.data.birth_date == date(1985, 3, 2) and record.version == 1
    with township_db.session() as s:
        staff = s.get(Staff, staff_id)
        assert (staff.name_pinyin, staff.name_initials) == ("zengxiaoming", "zxm")
        events = s.scalars(select(StaffStatusEvent.note).where(StaffStatusEvent.staff_id == staff_id)).all()
    assert events == ["入职"]


def test_id_facts_while_typing():
    assert id_facts("41130219850302") is None
    facts = id_facts(person(seq=124).id_number)
    assert facts.gender == "2" and facts.birth_date == date(1985, 3, 2)


@pytest.mark.parametrize("changes, field, words", [
    ({"id_number": "411302198503021230"}, "id_number", "校验码"),
    ({"gender": "2"}, "gender", "与身份证号码不符"),
    ({"birth_date": date(1985, 3, 3)}, "birth_date", "1985-03-02"),
    ({"phone": "1381234567"}, "phone", "1381234567"),
    ({"hired_on": date(2021, 1, 1), "left_on": date(2020, 12, 31), "status": "离职"}, "hired_on", "晚于离职时间"),
    ({"status": "离职"}, "left_on", "请填写离职时间"),
    ({"left_on": date(2024, 1, 1)}, "left_on", "不应填写离职时间"),
    ({"political_status": "火星党"}, "political", "火星党"),
    ({"name": "  "}, "name", "姓名不能为空"),
    ({"employment_type": ""}, "employment_type", "专兼职"),
])
def test_refusals_name_field_and_value(township_db, changes, field, words):
    with pytest.raises(ValidationError) as info:
        save_staff(township_db, replace(person(), **changes), today=TODAY)
    assert info.value.field == field and words in info.value.message
    with township_db.session() as s:
        assert s.scalar(select(Staff.id)) is None


@pytest.mark.parametrize("typed, stored", [
    ("138 1234 5678", "13812345678"), ("０３７７－６３１２３４５６", "0377-63123456"),
    ("(0377)63123456", "0377-63123456"), ("037763123456", "037763123456"), ("", ""),
])
def test_phone_forms(typed, stored):
    assert normalize_phone(typed) == stored


def test_duplicate_active_id_names_person_and_grid(township_db):
    ids = grids(township_db)
    first = add(township_db, "张三")
    assignments.assign(township_db, first, ids["第一网格"], "fulltime", date(2020, 2, 1))
    with pytest.raises(ValidationError) as info:
        add(township_db, "张叁")
    assert "张三" in info.value.message and "第一网格" in info.value.message
    # the person themself may be saved again
    save_staff(township_db, person("张三", position="网格员"), staff_id=first, today=TODAY)


def test_duplicate_of_someone_who_left_is_allowed(township_db):
    first = add(township_db, "张三")
    save_staff(township_db, person("张三", status="离职", left_on=date(2023, 1, 1)), staff_id=first, today=TODAY)
    second = add(township_db, "张三")
    assert second != first


def test_stale_version_is_a_conflict(township_db):
    staff_id = add(township_db)
    save_staff(township_db, person(position="甲"), staff_id=staff_id, expected_version=1, today=TODAY)
    with pytest.raises(ConflictError):
        save_staff(township_db, person(position="乙"), staff_id=staff_id, expected_version=1, today=TODAY)
    assert get_staff(township_db, staff_id).data.position == "甲"


def test_leaving_ends_running_assignments_and_rehire_keeps_history(township_db):
    ids = grids(township_db)
    staff_id = add(township_db)
    assignments.assign(township_db, staff_id, ids["第一网格"], "fulltime", date(2020, 2, 1))
    save_staff(township_db, person(status="离职", left_on=date(2023, 5, 31)), staff_id=staff_id, today=TODAY)
    history = assignments.list_assignments(township_db, staff_id)
    assert [(h.area_name, h.end_date) for h in history] == [("第一网格", date(2023, 5, 31))]
    with pytest.raises(ValidationError, match="已离职"):
        assignments.assign(township_db, staff_id, ids["第二网格"], "fulltime", date(2024, 1, 1))
    save_staff(township_db, person(hired_on=date(2024, 3, 1)), staff_id=staff_id, today=TODAY)
    assignments.assign(township_db, staff_id, ids["第二网格"], "fulltime", date(2024, 3, 1))
    history = assignments.list_assignments(township_db, staff_id)
    assert [h.area_name for h in history] == ["第二网格", "第一网格"]
    with township_db.session() as s:
        notes = s.scalars(select(StaffStatusEvent.note).where(StaffStatusEvent.staff_id == staff_id)
                          .order_by(StaffStatusEvent.id)).all()
    assert notes == ["入职", "离职", "再次入职"]


@pytest.mark.parametrize("typed, expected", [
    ("2020-01-31", date(2020, 1, 31)), ("2020.1.3", date(2020, 1, 3)), ("2020年1月31日", date(2020, 1, 31)),
    ("20200131", date(2020, 1, 31)), ("", None),
])
def test_form_dates(typed, expected):
    from gridadmin.services.roster.staff import parse_form_date

    assert parse_form_date(typed, "入职时间", "hired_on") == expected


@pytest.mark.parametrize("typed", ["2020-02-30", "2020-13", "明天"])
def test_bad_form_dates_are_refused(typed):
    from gridadmin.services.roster.staff import parse_form_date

    with pytest.raises(ValidationError, match="入职时间"):
        parse_form_date(typed, "入职时间", "hired_on")
