"""Identity: an ID number belongs to one person. An import row (or a form)
with a registered ID number and another name is an error naming that
person, never an update; a rename needs the 曾用名 column (or the resident
form) and is audited as 更名; moving a person to another household through
an import is a dated 户间迁移."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gridadmin.models import AuditLog, Household, Person, PersonEvent
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.undo import undo_batch
from gridadmin.services.register import life_events
from gridadmin.services.register.resident_record import ResidentData, add_resident, load_resident, save_resident
from tests.test_import_support import HEADERS, person, pid, write_workbook

TODAY = date(2025, 6, 1)
LU = (date(1966, 3, 8), 41)  # 鲁素巧's birth and sequence: her ID number is pid(*LU)


@pytest.fixture
def register(township_db, tmp_path):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    rows = [person("H1", "户主", "鲁素巧", LU[0], LU[1]), person("H1", "子", "王小军", date(1990, 4, 5), 43),
            person("H2", "户主", "张三", date(1960, 5, 6), 35)]
    result = run_to_end(import_job(township_db, write_workbook(tmp_path / "base.xlsx", rows), "residents",
                                   today=TODAY, effective_date=date(2025, 1, 10)))
    assert result.committed
    return township_db


def _person(db, name):
    with db.session() as s:
        return s.scalar(select(Person).where(Person.name == name))


def _household_no(db, person_id):
    with db.session() as s:
        return s.scalar(select(Household.household_no).join(Person, Person.household_id == Household.id)
                        .where(Person.id == person_id))


def test_another_name_with_a_registered_id_is_an_error_never_an_update(register, tmp_path):
    row = person("H9", "户主", "周桂英", LU[0], LU[1])  # 鲁素巧's number, another name, a new household
    path = write_workbook(tmp_path / "wrong.xlsx", [row])
    result = run_to_end(import_job(register, path, "residents", today=TODAY))
    assert not result.committed
    [error] = [e for e in result.plan.errors if "已登记给" in e.message]
    assert error.row == 4 and "姓" in error.column and error.value == "周桂英"
    assert "鲁素巧" in error.message and "周桂英" in error.message and pid(*LU) in error.message
    assert "曾用名" in error.message
    lu = _person(register, "鲁素巧")
    assert lu is not None and _household_no(register, lu.id) == "H1" and lu.relation == "02"
    with register.session() as s:
        assert s.scalar(select(Household).where(Household.household_no == "H9")) is None
    # insert-only mode does not make it a mere "skip"
    plan = plan_import(register, path, "residents", mode="insert", today=TODAY)
    assert plan.rows[0].status == "error"


def test_a_rename_needs_the_former_name_and_is_audited_as_such(register, tmp_path):
    headers = [*HEADERS, "曾用名"]
    wrong = person("H1", "户主", "鲁素琴", LU[0], LU[1], 曾用名="周桂英")
    plan = plan_import(register, write_workbook(tmp_path / "a.xlsx", [wrong], headers=headers), "residents",
                       today=TODAY)
    assert plan.rows[0].status == "error" and "“曾用名”列填的是“周桂英”" in plan.errors[0].message
    right = person("H1", "户主", "鲁素琴", LU[0], LU[1], 曾用名="鲁素巧")
    path = write_workbook(tmp_path / "b.xlsx", [right], headers=headers)
    plan = plan_import(register, path, "residents", today=TODAY)
    assert plan.rows[0].status == "update" and plan.rows[0].changes["name"] == ("更名", "鲁素巧", "鲁素琴")
    result = run_to_end(import_job(register, path, "residents", today=TODAY, effective_date=date(2025, 5, 30)))
    assert result.committed
    lu = _person(register, "鲁素琴")
    with register.session() as s:
        audit = s.scalar(select(AuditLog).where(AuditLog.import_batch_id == result.batch_id,
                                                AuditLog.entity == "person"))
        assert audit.action == "rename" and "鲁素巧 → 鲁素琴" in audit.summary
        event = s.scalar(select(PersonEvent).where(PersonEvent.person_id == lu.id, PersonEvent.kind == "更名"))
        assert (event.old_value, event.new_value, event.event_date) == ("鲁素巧", "鲁素琴", date(2025, 5, 30))
    undo_batch(register, result.batch_id)
    assert _person(register, "鲁素巧") is not None and _person(register, "鲁素琴") is None
    with register.session() as s:
        assert s.scalar(select(PersonEvent).where(PersonEvent.kind == "更名")) is None


def test_the_resident_form_renames_with_an_audited_rename(register):
    lu = _person(register, "鲁素巧")
    record = load_resident(register, lu.id)
    from dataclasses import replace

    save_resident(register, lu.id, replace(record.data, name="鲁素琴"), expected_version=record.version, today=TODAY)
    with register.session() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.entity == "person", AuditLog.entity_id == lu.id)
                          .order_by(AuditLog.id.desc())).first()
        assert audit.action == "rename" and audit.summary == "更名：鲁素巧 → 鲁素琴"
        assert s.scalar(select(PersonEvent.new_value).where(PersonEvent.kind == "更名")) == "鲁素琴"


def test_moving_household_in_an_import_is_a_dated_transfer(register, tmp_path):
    son = person("H2", "子", "王小军", date(1990, 4, 5), 43)
    path = write_workbook(tmp_path / "move.xlsx", [son])
    plan = plan_import(register, path, "residents", today=TODAY, effective_date=date(2025, 5, 20))
    assert plan.rows[0].changes == {"household_no": ("户间迁移", "户号 H1", "户号 H2（2025-05-20）")}
    result = run_to_end(import_job(register, path, "residents", today=TODAY, effective_date=date(2025, 5, 20)))
    assert result.committed
    wang = _person(register, "王小军")
    with register.session() as s:
        event = s.scalar(select(PersonEvent).where(PersonEvent.person_id == wang.id, PersonEvent.kind == "户间迁移"))
        # effective in May; entered now, by the importing user
        assert event.event_date == date(2025, 5, 20) and event.entered_by == "system"
        assert event.created_at.date() == date.today()


def test_a_row_date_dates_the_transfer_and_bad_dates_are_refused(register, tmp_path):
    headers = [*HEADERS, "迁入日期"]
    son = person("H2", "子", "王小军", date(1990, 4, 5), 43, 迁入日期="2025-05-03")
    result = run_to_end(import_job(register, write_workbook(tmp_path / "a.xlsx", [son], headers=headers),
                                   "residents", today=TODAY))
    assert result.committed
    with register.session() as s:
        assert s.scalar(select(PersonEvent.event_date).where(PersonEvent.kind == "户间迁移")) == date(2025, 5, 3)
    back = person("H1", "子", "王小军", date(1990, 4, 5), 43, 迁入日期="2025-04-01")  # before his last change
    plan = plan_import(register, write_workbook(tmp_path / "b.xlsx", [back], headers=headers), "residents",
                       today=TODAY)
    [error] = plan.errors
    assert (error.row, error.column, error.value) == (4, "迁入日期", "2025-04-01")
    assert "早于“王小军”上一次变动的日期 2025-05-03" in error.message
    future = person("H1", "子", "王小军", date(1990, 4, 5), 43, 迁入日期="2025-07-01")
    plan = plan_import(register, write_workbook(tmp_path / "c.xlsx", [future], headers=headers), "residents",
                       today=TODAY)
    assert "晚于今天" in plan.errors[0].message and plan.errors[0].value == "2025-07-01"


def test_moving_someone_who_moved_out_is_refused(register, tmp_path):
    wang = _person(register, "王小军")
    life_events.move_out(register, wang.id, date(2025, 3, 1), "河南省郑州市", today=TODAY)
    path = write_workbook(tmp_path / "move.xlsx", [person("H2", "子", "王小军", date(1990, 4, 5), 43)])
    plan = plan_import(register, path, "residents", today=TODAY)
    [error] = plan.errors
    assert error.row == 4 and "户号" in error.column and error.value == "H2"
    assert "已于 2025-03-01 迁出" in error.message


def test_the_forms_refuse_a_registered_number_with_another_name(register):
    wang = _person(register, "王小军")
    life_events.move_out(register, wang.id, date(2025, 3, 1), "河南省郑州市", today=TODAY)
    zhang = _person(register, "张三")
    with pytest.raises(ValidationError) as caught:
        add_resident(register, zhang.household_id, ResidentData(name="赵六", id_number=wang.id_number), "20",
                     today=TODAY)
    assert caught.value.field == "身份证号" and "王小军" in caught.value.message and "赵六" in caught.value.message
