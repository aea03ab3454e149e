"""Importing residents: validation, matching, household rules, modes,
commit in one transaction, the batch record and the error report."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from gridadmin.models import AuditLog, Household, ImportBatch, Person, PersonEvent
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.report import REASON_HEADER, write_error_report
from gridadmin.services.common.progress import run_to_end
from tests.test_import_support import pid, person, write_workbook

TODAY = date(2025, 6, 1)


@pytest.fixture
def grid_db(township_db):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    add_area(township_db, community.id, AreaInput("二网格", grid_code=community.division_code + "002"))
    return township_db


def _family(**head_extra):
    return [person("H1", "户主", "李  云", date(1980, 1, 2), 11, **head_extra),
            person("H1", "妻", "王芳", date(1981, 3, 4), 22, 出生日期="1981.03.04"),
            person("H1", "子", "李小云", date(2010, 5, 6), 33, 出生日期="2010年5月6日", 性别="M"),
            person("H2", "户主", "张三", date(1960, 5, 6), 35, 出生日期=19600506.0, 联系电话=13900139000.0)]


def _import(db, path, **kw):
    return run_to_end(import_job(db, path, "residents", today=TODAY, **kw))


def _count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_messy_workbook_imports_and_households_are_formed(grid_db, tmp_path):
    path = write_workbook(tmp_path / "人口.xlsx", _family(联系电话=13800138000.0), empty_formatted_rows=500)
    result = _import(grid_db, path)
    assert result.to_dict() == {"rows": 4, "inserted": 4, "updated": 0, "unchanged": 0, "skipped": 0,
                                "committed": True, "batch_id": result.batch_id, "errors": [], "warnings": []}
    with grid_db.session() as s:
        li = s.scalar(select(Person).where(Person.name == "李云"))
        assert (li.name_pinyin, li.name_initials, li.phone, li.relation, li.gender, li.education) == \
            ("liyun", "ly", "13800138000", "02", "1", "60")
        assert li.birth_date == date(1980, 1, 2) and li.registered_on == TODAY
        households = s.scalars(select(Household).order_by(Household.household_no)).all()
        assert [h.household_no for h in households] == ["H1", "H2"]
        assert {h.area_id for h in households} == {s.scalar(select(Household.area_id).limit(1))}
        assert s.scalar(select(func.count()).select_from(Person).where(Person.household_id == households[0].id)) == 3
        events = s.scalars(select(PersonEvent.kind)).all()
        assert events == ["登记"] * 4
        batch = s.get(ImportBatch, result.batch_id)
        assert (batch.file_name, batch.kind, batch.mode, batch.inserted, len(batch.sha256)) == \
            ("人口.xlsx", "residents", "upsert", 4, 64)
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.import_batch_id == batch.id)) == 6


def test_second_import_is_unchanged_then_update_lists_changes(grid_db, tmp_path):
    _import(grid_db, write_workbook(tmp_path / "a.xlsx", _family()))
    again = _import(grid_db, write_workbook(tmp_path / "b.xlsx", _family()))
    assert again.to_dict()["unchanged"] == 4
    changed = _family(联系电话="13700137000", 文化程度="大专")
    plan = plan_import(grid_db, write_workbook(tmp_path / "c.xlsx", changed), "residents", today=TODAY)
    row = plan.rows[0]
    assert row.status == "update"
    assert row.changes == {"education": ("文化程度", "普通高中", "大学专科"),
                           "phone": ("联系电话", "13800138000", "13700137000")}
    assert plan.counts()["updated"] == 1
    insert_only = _import(grid_db, tmp_path / "c.xlsx", mode="insert")
    assert insert_only.to_dict()["skipped"] == 1 and insert_only.to_dict()["updated"] == 0
    done = _import(grid_db, tmp_path / "c.xlsx", mode="update")
    assert done.committed and done.to_dict()["updated"] == 1
    with grid_db.session() as s:
        li = s.scalar(select(Person).where(Person.name == "李云"))
        assert (li.phone, li.education, li.version) == ("13700137000", "30", 2)


def test_update_mode_does_not_insert(grid_db, tmp_path):
    result = _import(grid_db, write_workbook(tmp_path / "a.xlsx", _family()), mode="update")
    assert result.to_dict()["skipped"] == 4 and _count(grid_db, Person) == 0


def test_row_errors_write_nothing_and_name_row_column_value(grid_db, tmp_path):
    rows = _family()
    rows[3]["公民身份号码*"] = float(pid(date(1960, 5, 6), 35))  # stored as a number: digits lost
    rows[1]["出生日期"] = "1981.03.05"  # disagrees with the ID
    rows[2]["民族"] = "火星"
    result = _import(grid_db, write_workbook(tmp_path / "a.xlsx", rows))
    assert not result.committed and _count(grid_db, Person) == 0 and _count(grid_db, ImportBatch) == 0
    errors = {(e.row, e.column): e for e in result.plan.errors}
    lost = errors[(7, "公民身份号码*")]
    assert "末尾几位已丢失" in lost.message and lost.value.endswith("E+17")
    assert "不符" in errors[(5, "出生日期")].message and errors[(5, "出生日期")].value == "1981.03.05"
    assert "火星" in errors[(6, "民族")].message
    assert "整户暂不导入" in errors[(4, "")].message  # same household as the bad rows


def test_skip_errors_imports_the_valid_households(grid_db, tmp_path):
    rows = _family()
    rows[3]["公民身份号码*"] = "4113021960050603X1"
    result = _import(grid_db, write_workbook(tmp_path / "a.xlsx", rows), skip_errors=True)
    assert result.committed and result.to_dict()["inserted"] == 3 and result.to_dict()["skipped"] == 1
    assert _count(grid_db, Person) == 3 and _count(grid_db, Household) == 1


def test_same_person_twice_in_the_file(grid_db, tmp_path):
    rows = _family() + [person("H3", "户主", "李云", date(1980, 1, 2), 11)]
    plan = plan_import(grid_db, write_workbook(tmp_path / "a.xlsx", rows), "residents", today=TODAY)
    messages = [e.message for e in plan.errors if "重复" in e.message]
    assert "与第 8 行重复（公民身份号码相同），同一文件中只能出现一次" in messages
    assert "与第 4 行重复（公民身份号码相同），同一文件中只能出现一次" in messages


def test_household_with_two_heads_or_none(grid_db, tmp_path):
    rows = _family()
    rows[1]["与户主\n关系*"] = "户主"
    rows[3]["与户主\n关系*"] = "子"
    plan = plan_import(grid_db, write_workbook(tmp_path / "a.xlsx", rows), "residents", today=TODAY)
    messages = {e.message for e in plan.errors}
    assert "户号 H1 有 2 个户主（第 4、5 行），一户只能有一个户主" in messages
    assert any(m.startswith("户号 H2 没有户主") and "第 7 行" in m for m in messages)
    assert plan.counts()["errors"] == 4


def test_member_added_to_registered_household_keeps_its_head(grid_db, tmp_path):
    _import(grid_db, write_workbook(tmp_path / "a.xlsx", _family()))
    newborn = [person("H1", "女", "李小雨", date(2024, 2, 3), 44)]
    result = _import(grid_db, write_workbook(tmp_path / "b.xlsx", newborn, community=("", "")))
    assert result.committed and result.to_dict()["inserted"] == 1
    second_head = [person("H1", "户主", "赵六", date(1970, 2, 3), 55)]
    plan = plan_import(grid_db, write_workbook(tmp_path / "c.xlsx", second_head), "residents", today=TODAY)
    assert "已登记的户主李云" in plan.errors[0].message


def test_new_household_needs_a_grid(grid_db, tmp_path):
    plan = plan_import(grid_db, write_workbook(tmp_path / "a.xlsx", _family(), community=("河街社区", "")),
                       "residents", today=TODAY)
    assert any("须填写所属网格" in e.message for e in plan.errors)
    plan = plan_import(grid_db, write_workbook(tmp_path / "b.xlsx", _family(), community=("河街社区", "九网格")),
                       "residents", today=TODAY)
    assert any("下没有名为“九网格”的网格" in e.message for e in plan.errors)
    # the grid was filled in: only the unknown grid is reported, not a missing one
    assert not any("须填写所属网格" in e.message for e in plan.errors)


def test_moving_a_person_to_another_household_records_a_transfer(grid_db, tmp_path):
    _import(grid_db, write_workbook(tmp_path / "a.xlsx", _family()))
    rows = [person("H2", "子", "李小云", date(2010, 5, 6), 33, 出生日期="2010年5月6日")]
    result = _import(grid_db, write_workbook(tmp_path / "b.xlsx", rows))
    # a dated 户间迁移 (the import's effective date: today here), not a field change
    assert result.plan.rows[0].changes["household_no"] == ("户间迁移", "户号 H1", f"户号 H2（{TODAY.isoformat()}）")
    with grid_db.session() as s:
        assert s.scalar(select(PersonEvent.event_date).where(PersonEvent.kind == "户间迁移")) == TODAY


def test_cancel_rolls_everything_back(grid_db, tmp_path):
    job = import_job(grid_db, write_workbook(tmp_path / "a.xlsx", _family()), "residents", today=TODAY)
    for step in job:
        if step.message.startswith("正在写入"):
            break
    job.close()
    assert _count(grid_db, Person) == 0 and _count(grid_db, Household) == 0 and _count(grid_db, ImportBatch) == 0


def test_error_report_has_original_columns_and_reasons(grid_db, tmp_path):
    rows = _family()
    rows[3]["公民身份号码*"] = "4113021960050603X1"
    rows[3]["出生日期"] = date(1960, 5, 6)
    plan = plan_import(grid_db, write_workbook(tmp_path / "a.xlsx", rows), "residents", today=TODAY)
    out = tmp_path / "错误.xlsx"
    assert write_error_report(plan, out) == 1
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[0] == "原行号" and header[-1] == REASON_HEADER and "公民身份号码*" in header
    values = [c.value for c in ws[2]]
    assert values[0] == 7 and values[header.index("公民身份号码*")] == "4113021960050603X1"
    assert "公民身份号码" in values[-1]
    cells = ws[2]
    birth, phone = cells[header.index("出生日期")], cells[header.index("联系电话")]
    assert birth.is_date and birth.value.date() == date(1960, 5, 6)  # a date cell stays a date
    assert phone.value == "13900139000" and phone.number_format == "@"  # phones and IDs are text cells
    assert cells[header.index("公民身份号码*")].number_format == "@"
    assert ws.freeze_panes == "B2" and cells[-1].fill.fgColor.rgb.endswith("FFF2CC")


def test_error_report_that_cannot_be_written_says_why_and_leaves_no_file(grid_db, tmp_path):
    from gridadmin.services.common.errors import ValidationError

    rows = _family()
    rows[3]["公民身份号码*"] = "4113021960050603X1"
    plan = plan_import(grid_db, write_workbook(tmp_path / "a.xlsx", rows), "residents", today=TODAY)
    out = tmp_path / "没有这个文件夹" / "错误.xlsx"
    with pytest.raises(ValidationError, match="无法写入文件“错误.xlsx”"):
        write_error_report(plan, out)
    assert not out.exists()


def test_data_on_the_second_sheet_is_found(grid_db, tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", _family(), extra_sheets=("填表说明",))
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    assert plan.sheet_name == "人口" and plan.counts()["inserted"] == 4


def _heads(db, household_no):
    with db.session() as s:
        return s.execute(select(Person.name, Person.relation).join(Household, Household.id == Person.household_id)
                         .where(Household.household_no == household_no, Person.relation.in_(("01", "02")))
                         .order_by(Person.name)).all()


def test_benren_is_a_head_like_huzhu(grid_db, tmp_path):
    rows = _family()
    rows[0]["与户主\n关系*"] = "本人"  # GB/T 4761 code 01, first in the template's dropdown
    result = _import(grid_db, write_workbook(tmp_path / "a.xlsx", rows))
    assert result.committed, [e.message for e in result.plan.errors]
    assert [tuple(h) for h in _heads(grid_db, "H1")] == [("李云", "01")]
    # the stored 本人 is the household's head: a second 户主 is refused
    second = [person("H1", "户主", "赵六", date(1970, 2, 3), 55)]
    result = _import(grid_db, write_workbook(tmp_path / "b.xlsx", second))
    assert not result.committed
    assert "户号 H1 有 2 个户主（第 4 行，已登记的户主李云）" in result.plan.errors[0].message
    assert [tuple(h) for h in _heads(grid_db, "H1")] == [("李云", "01")]


def test_moving_the_head_out_is_refused_on_that_row(grid_db, tmp_path):
    _import(grid_db, write_workbook(tmp_path / "a.xlsx", _family()))
    moved = [person("H3", "户主", "李云", date(1980, 1, 2), 11)]
    result = _import(grid_db, write_workbook(tmp_path / "b.xlsx", moved))
    assert not result.committed and [e.to_dict() for e in result.plan.errors] == [{
        "row": 4, "column": "户号*", "value": "H3",
        "message": "“李云”是户号 H1 的户主，改到户号 H3 后，户号 H1 还有 2 人却没有户主：请在同一文件中为户号 H1 "
                   "指定新户主（与户主关系填“户主”或“本人”），或不改此人的户号"}]
    assert [tuple(h) for h in _heads(grid_db, "H1")] == [("李云", "02")]
    # the same file names the household's new head: accepted
    moved.append(person("H1", "户主", "王芳", date(1981, 3, 4), 22))
    result = _import(grid_db, write_workbook(tmp_path / "c.xlsx", moved))
    assert result.committed, [e.message for e in result.plan.errors]
    assert [tuple(h) for h in _heads(grid_db, "H1")] == [("王芳", "02")]
    assert [tuple(h) for h in _heads(grid_db, "H3")] == [("李云", "02")]


def test_rows_left_out_with_skip_errors_cannot_leave_a_household_headless(grid_db, tmp_path):
    _import(grid_db, write_workbook(tmp_path / "a.xlsx", _family()))
    rows = [person("H3", "户主", "李云", date(1980, 1, 2), 11),
            person("H1", "户主", "王芳", date(1981, 3, 4), 22, 民族="火星")]  # the new head's row is wrong
    result = _import(grid_db, write_workbook(tmp_path / "b.xlsx", rows), skip_errors=True)
    by_row = {e.row: e.message for e in result.plan.errors}
    assert "火星" in by_row[5]
    assert by_row[4].startswith("“李云”是户号 H1 的户主") and "不能一并导入" in by_row[4]
    assert result.to_dict()["updated"] == 0
    assert [tuple(h) for h in _heads(grid_db, "H1")] == [("李云", "02")]


def test_household_the_import_empties_is_dissolved_and_takes_no_new_members(grid_db, tmp_path):
    _import(grid_db, write_workbook(tmp_path / "a.xlsx", _family()))
    moved = [person("H1", "父", "张三", date(1960, 5, 6), 35)]  # H2's only member joins H1
    result = _import(grid_db, write_workbook(tmp_path / "b.xlsx", moved))
    assert result.committed, [e.message for e in result.plan.errors]
    with grid_db.session() as s:
        h2 = s.scalar(select(Household).where(Household.household_no == "H2"))
        assert h2.dissolved_on == TODAY
        audit = s.scalar(select(AuditLog).where(AuditLog.entity == "household", AuditLog.entity_id == h2.id,
                                                AuditLog.import_batch_id == result.batch_id))
        assert audit.action == "update" and "注销" in audit.summary
    newcomer = [person("H2", "户主", "赵六", date(1970, 2, 3), 55)]
    plan = plan_import(grid_db, write_workbook(tmp_path / "c.xlsx", newcomer), "residents", today=TODAY)
    assert plan.errors[0].message.startswith(f"户号 H2 已于 {TODAY.isoformat()} 注销")
