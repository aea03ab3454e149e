"""Identifier columns (户号, 网格编码, 证书编号) typed into number cells: a
number Excel or a float could not keep exactly is refused with a message
naming the row, the column and the value; an exact one becomes its digits."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from gridadmin.models import Area, Household
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.values import CellError, code_text_value, text_value
from gridadmin.services.common.progress import run_to_end
from tests import staffdata
from tests.test_import_support import person, write_workbook

TODAY = date(2025, 6, 1)
LONG_NO = 4113240030010099001  # a 19-digit 户号; as a float it is 4113240030010099200


@pytest.mark.parametrize("raw, expected", [
    (12345.0, "12345"), (4113240030010099.0, "4113240030010099"), (12345, "12345"),
    ("4113240030010099001", "4113240030010099001"), (" H-01 ", "H-01"), (None, None),
])
def test_exact_numbers_become_their_digits(raw, expected):
    assert code_text_value(raw, 30, "户号") == expected


@pytest.mark.parametrize("raw, shown", [
    (float(LONG_NO), "4.1132400300101E+18"),  # beyond 2**53: digits lost
    (float(2 ** 53), "9.00719925474099E+15"),
    (4113240030010090.0, "4.11324003001009E+15"),  # 16 digits ending in 0: Excel's 15-digit cut
    ("4.11324E+18", "4.11324E+18"),  # a CSV saved by Excel
])
def test_numbers_that_lost_digits_are_refused(raw, shown):
    with pytest.raises(CellError) as info:
        code_text_value(raw, 30, "户号")
    message = info.value.message
    assert message.startswith(f"户号“{shown}”被 Excel 存成了数字") and "文本" in message and "丢失" in message


def test_a_fractional_number_is_not_a_code():
    with pytest.raises(CellError, match="带小数的数字.*文本"):
        code_text_value(1234.5, 24, "网格编码")


def test_any_text_column_refuses_a_float_beyond_exact_integers():
    assert text_value(41132400300100.0) == "41132400300100"
    with pytest.raises(CellError, match="丢失"):
        text_value(4.1132400300100123e16)


@pytest.fixture
def grid_db(township_db):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    return township_db


def test_household_numbers_that_lost_digits_do_not_merge_households(grid_db, tmp_path):
    rows = [person(float(LONG_NO + i), "户主", name, date(1980 + i, 1, 2), 11 + 2 * i, 联系电话=None)
            for i, name in enumerate(["李云", "张三", "王五", "赵六"])]
    path = write_workbook(tmp_path / "人口.xlsx", rows)
    result = run_to_end(import_job(grid_db, path, "residents", today=TODAY))
    assert not result.committed
    errors = [(e.row, e.column, e.value, e.message) for e in result.plan.errors]
    assert [e[:3] for e in errors] == [(r, "户号*", "4.1132400300101E+18") for r in (4, 5, 6, 7)]
    assert all("被 Excel 存成了数字" in m and "文本" in m for *_x, m in errors)
    assert not any("户主" in m for *_x, m in errors)  # not the misleading "有 4 个户主"
    with grid_db.session() as s:
        assert s.scalar(select(Household.id)) is None


def test_exact_number_household_numbers_are_kept(grid_db, tmp_path):
    rows = [person(4113240030010099.0, "户主", "李云", date(1980, 1, 2), 11),
            person(12345.0, "户主", "张三", date(1981, 1, 2), 13)]
    result = run_to_end(import_job(grid_db, write_workbook(tmp_path / "人口.xlsx", rows), "residents", today=TODAY))
    assert result.committed, result.plan.errors
    with grid_db.session() as s:
        assert sorted(s.scalars(select(Household.household_no))) == ["12345", "4113240030010099"]


def test_a_micro_grid_code_as_a_number_is_refused_in_residents(grid_db, tmp_path):
    headers = ["序号", "网格编码", "户号*", "与户主\n关系*", "姓  名*", "公民身份号码*"]
    code = 41132400300100123  # 17 digits
    rows = [{**person("H1", "户主", "李云", date(1980, 1, 2), 11), "网格编码": float(code)}]
    plan = plan_import(grid_db, write_workbook(tmp_path / "人口.xlsx", rows, headers=headers), "residents",
                       today=TODAY)
    issue = plan.errors[0]  # (then: a new household needs a grid)
    assert (issue.row, issue.column) == (4, "网格编码") and "被 Excel 存成了数字" in issue.message
    assert "没有编码为" not in issue.message


def test_a_fractional_grid_code_in_residents_is_not_looked_up(grid_db, tmp_path):
    headers = ["序号", "网格编码", "户号*", "与户主\n关系*", "姓  名*", "公民身份号码*"]
    rows = [{**person("H1", "户主", "李云", date(1980, 1, 2), 11), "网格编码": 1234.5}]
    plan = plan_import(grid_db, write_workbook(tmp_path / "人口.xlsx", rows, headers=headers), "residents",
                       today=TODAY)
    issue = plan.errors[0]
    assert (issue.row, issue.column) == (4, "网格编码")
    assert issue.message.startswith("网格编码“1234.5”是带小数的数字") and "没有编码为" not in issue.message


def _grids_file(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "所属社区*", "网格名称*", "网格编码", "网格类型"])
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    wb.save(path)
    return path


def test_grid_codes_as_numbers(township_db, tmp_path):
    code = next(n for n in load_tree(township_db) if n.name == "河街社区").division_code
    rows = [("河街社区", "一网格", float(code + "00101"), "城市"),  # 17 digits
            ("河街社区", "二网格", 1234.5, "城市"), ("河街社区", "三网格", float(code + "003"), "城市")]
    plan = plan_import(township_db, _grids_file(tmp_path / "g.xlsx", rows), "grids")
    issues = {(e.row, e.column): e.message for e in plan.errors}
    assert set(issues) == {(2, "网格编码"), (3, "网格编码")}
    assert issues[(2, "网格编码")].startswith("网格编码“") and "被 Excel 存成了数字" in issues[(2, "网格编码")]
    assert "带小数" in issues[(3, "网格编码")]
    assert plan.rows[2].record["grid_code"] == code + "003"
    with township_db.session() as s:
        assert s.scalar(select(Area.id).where(Area.name == "一网格")) is None


def test_staff_grid_code_and_attendance_certificate_as_numbers(township_db, tmp_path):
    staffdata.grids(township_db)
    born = date(1985, 3, 2)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "网格编码", "专兼职", "政治面貌", "文化程度", "入职时间"])
    ws.append(["李云", staffdata.person(seq=11).id_number, float(41132400300100123), "专职", "群众", "大专",
               "2021.03.01"])
    wb.save(tmp_path / "s.xlsx")
    plan = plan_import(township_db, tmp_path / "s.xlsx", "staff", today=staffdata.TODAY)
    issues = {(e.row, e.column): e.message for e in plan.errors}
    assert "被 Excel 存成了数字" in issues[(2, "网格编码")]
    staffdata.add(township_db, "王芳", seq=22, born=born)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["培训名称：消防安全培训    日期：2025年6月10日    学时：4"])
    ws.append(["姓名", "身份证号", "状态", "证书编号"])
    ws.append(["王芳", staffdata.person(seq=22, born=born).id_number, "出席", 2.0250610000001e18])
    wb.save(tmp_path / "a.xlsx")
    plan = plan_import(township_db, tmp_path / "a.xlsx", "attendance", today=staffdata.TODAY)
    issue = plan.errors[0]  # (then: a new household needs a grid)
    assert (issue.row, issue.column) == (3, "证书编号") and issue.message.startswith("证书编号“")


@pytest.mark.parametrize("kind, headers", [
    ("residents", ("户号*", "网格编码", "楼栋", "单元", "室", "门牌号", "公民身份号码*", "联系电话")),
    ("grids", ("网格编码",)), ("staff", ("网格编码", "身份证号码")), ("attendance", ("证书编号", "身份证号码")),
])
def test_template_formats_identifier_columns_as_text(tmp_path, kind, headers):
    from gridadmin.services.importing.template import HEADER_ROW, write_template

    write_template(kind, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]
    letters = {c.value.rstrip("*"): c.column_letter for c in ws[HEADER_ROW]}
    for header in headers:
        letter = letters[header.rstrip("*")]
        assert ws[f"{letter}{HEADER_ROW + 1}"].number_format == "@", header
        assert ws[f"{letter}{HEADER_ROW + 500}"].number_format == "@", header
    if kind == "residents":
        assert ws.column_dimensions[letters["户号"]].width >= 22
        assert ws.column_dimensions[letters["网格编码"]].width >= 20
        assert "文本格式" in ws[f"{letters['户号']}2"].value
