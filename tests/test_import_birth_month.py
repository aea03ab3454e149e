"""出生年月 columns: a real date cell there (Excel keeps 1988年4月 as
1988-04-01) is a year and month, cross-checked with the ID by year and
month; six digits with a two-digit year (900102) are refused, never guessed."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from gridadmin.models import Person, Staff
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.values import CellError, date_value
from gridadmin.services.common.progress import run_to_end
from tests import staffdata
from tests.test_import_support import HEADERS, person, pid, write_workbook

TODAY = date(2025, 6, 1)
TWO_DIGITS = "年份只有两位，无法确定是哪个世纪"


def test_a_date_cell_in_a_birth_month_column_is_its_year_and_month():
    assert date_value(datetime(1988, 4, 1), allow_month=True) == (date(1988, 4, 1), True)
    assert date_value(date(1988, 4, 1), allow_month=True) == (date(1988, 4, 1), True)
    assert date_value(datetime(1988, 4, 1)) == (date(1988, 4, 1), False)  # 出生日期: the whole date


@pytest.mark.parametrize("raw", ["900102", 900102, 900102.0, "900102.0", "９００１０２"])
@pytest.mark.parametrize("allow_month", [False, True])
def test_six_digits_with_a_two_digit_year_are_refused(raw, allow_month):
    with pytest.raises(CellError) as info:
        date_value(raw, allow_month=allow_month)
    assert TWO_DIGITS in info.value.message and "900102" in info.value.message


def test_six_digits_with_a_four_digit_year_are_a_year_and_month():
    assert date_value("199001", allow_month=True) == (date(1990, 1, 1), True)
    assert date_value(199001.0, allow_month=True) == (date(1990, 1, 1), True)
    for raw in ("199001", 199001):
        with pytest.raises(CellError, match="缺少日"):
            date_value(raw)
    with pytest.raises(CellError, match="不是可识别的日期"):
        date_value(123456)


@pytest.fixture
def grid_db(township_db):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    return township_db


def test_residents_birth_month_date_cells_match_the_id_by_month(grid_db, tmp_path):
    headers = [h if h != "出生日期" else "出生年月" for h in HEADERS]
    rows = [person("H1", "户主", "李云", date(1988, 4, 5), 11, 出生年月=datetime(1988, 4, 1)),
            person("H1", "妻", "王芳", date(1989, 6, 7), 22, 出生年月=datetime(1989, 7, 1)),
            person("H1", "子", "李小云", date(2010, 5, 6), 33, 出生年月="900102")]
    plan = plan_import(grid_db, write_workbook(tmp_path / "人口.xlsx", rows, headers=headers), "residents",
                       today=TODAY)
    issues = {(e.row, e.column): e.message for e in plan.errors}
    assert set(issues) == {(4, ""), (5, "出生年月"), (6, "出生年月")}  # row 4: the household waits for them
    assert issues[(5, "出生年月")] == "出生日期 1989.07 与身份证号码中的 1989-06-07 不符"
    assert TWO_DIGITS in issues[(6, "出生年月")]
    good = write_workbook(tmp_path / "好.xlsx", rows[:1], headers=headers)
    assert run_to_end(import_job(grid_db, good, "residents", today=TODAY)).committed
    with grid_db.session() as s:
        assert s.scalar(select(Person.birth_date)) == date(1988, 4, 5)  # the day comes from the ID


def test_a_full_date_column_still_checks_the_day(grid_db, tmp_path):
    rows = [person("H1", "户主", "李云", date(1988, 4, 5), 11, 出生日期=datetime(1988, 4, 1))]
    plan = plan_import(grid_db, write_workbook(tmp_path / "人口.xlsx", rows), "residents", today=TODAY)
    assert [e.message for e in plan.errors] == ["出生日期 1988-04-01 与身份证号码中的 1988-04-05 不符"]


def test_staff_birth_month_date_cell(township_db, tmp_path):
    staffdata.grids(township_db)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["所属网格", "姓名", "身份证号码", "出生年月", "专兼职", "政治面貌", "文化程度", "入职时间"])
    ws.append(["第一网格", "李云", pid(date(1988, 4, 5), 11), datetime(1988, 4, 1), "专职", "群众", "大专",
               "2021.03.01"])
    ws.cell(2, 4).number_format = 'yyyy"年"m"月"'
    wb.save(tmp_path / "s.xlsx")
    result = run_to_end(import_job(township_db, tmp_path / "s.xlsx", "staff", today=staffdata.TODAY))
    assert result.committed, [e.message for e in result.plan.errors]
    with township_db.session() as s:
        assert s.scalar(select(Staff.birth_date)) == date(1988, 4, 5)


def test_wide_layout_birth_month_columns(grid_db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["户号", "网格", "户主姓名", "户主身份证号", "户主出生年月", "成员1姓名", "成员1身份证号", "成员1与户主关系",
               "成员1出生年月"])
    ws.append(["H1", "一网格", "李云", pid(date(1988, 4, 5), 11), "1988.04", "李小云", pid(date(2010, 5, 6), 33),
               "子", datetime(2010, 5, 1)])
    wb.save(tmp_path / "wide.xlsx")
    result = run_to_end(import_job(grid_db, tmp_path / "wide.xlsx", "residents", today=TODAY))
    assert result.committed, [(e.column, e.message) for e in result.plan.errors]
