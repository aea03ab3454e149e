"""The wide household layout: one row per household with members in
repeated column groups becomes one row per person (original Excel row
numbers and the group's own column names in messages), then the usual
residents pipeline."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from gridadmin.models import Household, Person
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.importing import import_job, load_table, plan_import
from gridadmin.services.importing.export import export_kind
from gridadmin.services.importing.overview import inspect_file
from gridadmin.services.importing.wide import _number
from gridadmin.services.common.progress import run_to_end
from tests.test_import_support import pid

TODAY = date(2025, 6, 30)
HEADERS = ["序号", "社区", "网格", "户号", "住址", "户主姓名", "户主身份证号", "成员1姓名", "成员1身份证号",
           "成员1与户主关系", "成员2姓名", "成员2身份证号", "成员2与户主关系"]


@pytest.fixture
def grid_db(township_db):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    return township_db


def wide_book(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["河街社区住户登记表（每户一行）"])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _rows(bad_id: bool = False):
    second = pid(date(2012, 5, 6), 33)
    if bad_id:
        second = second[:-1] + ("0" if second[-1] != "0" else "1")
    return [[1.0, "河街社区", "一网格", "H1", "河街1号", "李云", pid(date(1980, 1, 2), 11), "王芳",
             pid(date(1981, 3, 4), 22), "妻", "李小云", second, "子"],
            [2.0, None, None, "H2", "河街2号", "张三", pid(date(1960, 5, 6), 35), "赵敏", pid(date(1962, 7, 8), 44),
             "配偶", None, None, None]]


def test_wide_rows_become_one_row_per_person(grid_db, tmp_path):
    path = wide_book(tmp_path / "wide.xlsx", _rows())
    table = load_table(path, "residents")
    assert [r for r, _cells in table.rows] == [3, 3, 3, 4, 4]
    assert table.mapping.headers == ["序号", "社区", "网格", "户号", "住址", "与户主关系", "姓名", "公民身份号码"]
    result = run_to_end(import_job(grid_db, path, "residents", today=TODAY))
    assert result.committed, [e.message for e in result.plan.errors]
    with grid_db.session() as s:
        people = s.execute(select(Household.household_no, Person.name, Person.relation, Household.address)
                           .join(Household, Household.id == Person.household_id).order_by(Person.id)).all()
    assert [tuple(p) for p in people] == [("H1", "李云", "02", "河街1号"), ("H1", "王芳", "12", "河街1号"),
                                          ("H1", "李小云", "20", "河街1号"), ("H2", "张三", "02", "河街2号"),
                                          ("H2", "赵敏", "10", "河街2号")]


def test_errors_name_the_excel_row_and_the_groups_column(grid_db, tmp_path):
    path = wide_book(tmp_path / "bad.xlsx", _rows(bad_id=True))
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    bad = [e for e in plan.errors if e.column == "成员2身份证号"]
    assert len(bad) == 1 and bad[0].row == 3 and bad[0].value.startswith("411302201205")
    assert {r.status for r in plan.rows[:3]} == {"error"}  # the household is refused whole
    # Excel row 3 carries its own error only: no "同户 … 第 3 行有错误" for its other members
    assert [e.message for e in plan.errors if e.row == 3] == [bad[0].message]
    assert {r.status for r in plan.rows[3:]} == {"new"}
    overview = inspect_file(path, "residents")  # what the wizard maps
    assert overview.headers[-3:] == ("与户主关系", "姓名", "公民身份号码") and overview.data_rows == 5
    # … and tells the clerk: 2 households of 5 people, the member columns where the file has them
    assert overview.households == 2 and "共 2 户、5 人" in overview.note
    assert overview.letters == ("A", "B", "C", "D", "E", "J、M", "F、H、K", "G、I、L")


def test_error_report_gives_every_held_back_member_a_reason(grid_db, tmp_path):
    from gridadmin.services.importing.report import REASON_HEADER, write_error_report

    plan = plan_import(grid_db, wide_book(tmp_path / "bad.xlsx", _rows(bad_id=True)), "residents", today=TODAY)
    out = tmp_path / "错误行.xlsx"
    assert write_error_report(plan, out) == 3
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    reasons = [r[rows[0].index(REASON_HEADER)] for r in rows[1:]]
    assert reasons[:2] == ["同户在第 3 行的其他内容有错误，整户暂不导入"] * 2 and "成员2身份证号" in reasons[2]


def test_exported_households_reimport_through_the_wide_layout(grid_db, tmp_path):
    run_to_end(import_job(grid_db, wide_book(tmp_path / "w.xlsx", _rows()), "residents", today=TODAY))
    out = tmp_path / "households.xlsx"
    export_kind(grid_db, "households", out, full_numbers=True)
    plan = plan_import(grid_db, out, "residents", today=TODAY)
    assert len(plan.rows) == 5 and {r.status for r in plan.rows} == {"unchanged"}, \
        [(r.row, r.summary()) for r in plan.rows]


def test_chinese_member_numbers():
    assert [_number(t) for t in ("1", "12", "一", "九", "十", "十一", "二十", "二十三")] == [1, 12, 1, 9, 10, 11, 20, 23]


def test_household_over_two_excel_rows_names_the_bad_row_once(grid_db, tmp_path):
    rows = _rows(bad_id=True)
    # H1 goes on on the next Excel row with two more members
    rows.insert(1, [None, None, None, "H1", "河街1号", None, None, "李大", pid(date(2008, 1, 2), 55), "子",
                    "李二", pid(date(2009, 3, 4), 66), "女"])
    plan = plan_import(grid_db, wide_book(tmp_path / "two.xlsx", rows), "residents", today=TODAY)
    by_row = {}
    for e in plan.errors:
        by_row.setdefault(e.row, []).append(e.message)
    assert len(by_row[3]) == 1 and "同户" not in by_row[3][0]
    assert by_row[4] == ["同户（户号 H1）第 3 行有错误，整户暂不导入"]
    assert [r.status for r in plan.rows] == ["error"] * 5 + ["new"] * 2


def test_two_heads_name_the_head_groups_own_column(grid_db, tmp_path):
    """The head group has no 与户主关系 column: its part of a two-heads
    error names 户主姓名, a column the clerk can find in the file."""
    rows = _rows()
    rows[0][9] = "户主"  # 成员1与户主关系
    plan = plan_import(grid_db, wide_book(tmp_path / "two.xlsx", rows), "residents", today=TODAY)
    columns = {e.column for e in plan.errors if "2 个户主" in e.message}
    assert "户主姓名" in columns and "与户主关系" not in columns
