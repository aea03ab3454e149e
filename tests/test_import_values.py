"""Cell values → typed values (dates, phones, codes, names) and the header
row / column mapping."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from gridadmin.services.common.codes import CodeBook
from gridadmin.services.importing import FileRefused
from gridadmin.services.importing.headers import build_table, find_header_row
from gridadmin.services.importing.mapping import map_columns, normalize_header
from gridadmin.services.importing.reading import SheetData
from gridadmin.services.importing.residents import RESIDENTS, month_only_column
from gridadmin.services.importing.values import (
    CellError, code_value, date_value, name_value, phone_value, text_value,
)


@pytest.mark.parametrize("raw", ["1990.01.02", "1990.1.2", "1990年1月2日", "19900102", "1990/1/2", "1990-01-02",
                                 "１９９０．０１．０２", 19900102.0, 32875.0, 32875, datetime(1990, 1, 2, 0, 0),
                                 date(1990, 1, 2), "1990-01-02 00:00:00", "2/13/1990".replace("2/13", "13/1"),
                                 "19900102.0"])  # a number written as text with its decimal point (a CSV)
def test_date_forms(raw):
    expected = date(1990, 1, 13) if raw == "13/1/1990" else date(1990, 1, 2)
    assert date_value(raw) == (expected, False)


@pytest.mark.parametrize("raw, words", [
    ("90.1.2", "两位"), ("1/2/90", "两位"), ("01/02/1990", "哪个是月"), ("1990.13.01", "月份"),
    ("1999.02.30", "没有 30 日"), ("1985.03", "缺少日"), ("明年", "不是可识别的日期"), (True, "不是日期"),
    ("32875.0", "不是可识别的日期"), ("19901302.0", "月份"),  # a serial as text is not guessed at
])
def test_dates_refused_never_guessed(raw, words):
    with pytest.raises(CellError) as info:
        date_value(raw)
    assert words in info.value.message


def test_year_month_only_in_birth_month_columns():
    assert date_value("1985.03", allow_month=True) == (date(1985, 3, 1), True)
    assert date_value("1985年3月", allow_month=True) == (date(1985, 3, 1), True)
    assert date_value(1985.03, allow_month=True) == (date(1985, 3, 1), True)
    assert date_value(1985.12, allow_month=True) == (date(1985, 12, 1), True)
    assert date_value("198503.0", allow_month=True) == (date(1985, 3, 1), True)
    with pytest.raises(CellError, match="10 月"):
        date_value(1985.1, allow_month=True)  # 1985.10 lost its 0 in a number cell
    assert month_only_column("出生年月*") and not month_only_column("出生日期") and not month_only_column("出生年月日")


@pytest.mark.parametrize("raw, expected", [
    (13800138000.0, "13800138000"), (13800138000, "13800138000"), ("138 0013 8000", "13800138000"),
    ("+86 138-0013-8000", "13800138000"), ("１３８００１３８０００", "13800138000"),
    ("0377-63123456", "0377-63123456"), ("037763123456", "0377-63123456"), ("63123456", "63123456"), (None, None),
    ("13800138000.0", "13800138000"),  # a number written as text with its decimal point (a CSV)
])
def test_phones_as_text(raw, expected):
    assert phone_value(raw) == expected


@pytest.mark.parametrize("raw", ["138001380001", "13800138000/13900139000", "电话", 1.38e10 + 0.5, "13800138000.5"])
def test_bad_phones(raw):
    with pytest.raises(CellError):
        phone_value(raw)


def test_names_text_and_long_cells():
    assert name_value("李  云") == "李云"
    assert name_value(" 李\u3000云 ") == "李云"
    assert name_value("John  Smith") == "John Smith"
    assert text_value("a\x00b\x07c") == "abc"
    with pytest.raises(CellError, match="过长"):
        text_value("很" * 101, 100)
    with pytest.raises(CellError, match="过长"):
        text_value("x" * 100_000, 500)
    with pytest.raises(CellError, match="数字"):
        name_value("李云2")


def test_code_spellings(township_db):
    with township_db.session() as session:
        book = CodeBook.load(session)
    assert code_value(book, "gender", "男性", "性别") == "1"
    assert code_value(book, "ethnicity", "汉", "民族") == "01"
    assert code_value(book, "political", "党员", "政治面貌") == "01"
    assert code_value(book, "education", "大专", "文化程度") == "30"
    assert code_value(book, "relation", "户主", "与户主关系") == "02"
    with pytest.raises(CellError, match="不是有效的民族"):
        code_value(book, "ethnicity", "火星族", "民族")


# ---- headers -------------------------------------------------------------

def test_header_normalisation():
    assert normalize_header(" 姓  名* ") == "姓名"
    assert normalize_header("与户主\n关系＊") == "与户主关系"
    assert normalize_header("公民身份号码（必填）") == "公民身份号码（必填）".replace("（", "(").replace("）", ")")


@pytest.mark.parametrize("header", ["身份证号", "身份证号码", "公民身份号码", "证件号码", "公民身份号码*",
                                    "身份证号码（18位）", "身 份 证 号"])
def test_id_synonyms(header):
    mapping = map_columns(RESIDENTS, ["姓名", header])
    assert mapping.columns["id_number"] == 1


def _sheet(rows) -> SheetData:
    return SheetData("a.xlsx", "Sheet1", ["Sheet1"], rows)


def test_header_found_under_title_rows_with_empty_first_cell():
    rows = [["某某社区人口信息表"], ["填报单位：", "", "日期："], [None, "户号", "与户主关系", "姓名", "身份证号"],
            [1.0, "H1", "户主", "李云", "x"], ["", "", "", "", ""], [2.0, "H2", "户主", "王芳", "y"]]
    assert find_header_row(RESIDENTS, rows) == 2
    table = build_table(RESIDENTS, _sheet(rows))
    assert table.header_row == 3
    assert [r for r, _cells in table.rows] == [4, 6]  # the blank row is skipped


def test_group_filled_columns_are_filled_down():
    rows = [["社区", "户号", "与户主关系", "姓名", "身份证号"], ["河街社区", "H1", "户主", "李云", "x"],
            ["", "H1", "妻", "王芳", "y"], ["新华社区", "H2", "户主", "张三", "z"], [None, "H2", "子", "张四", "w"]]
    table = build_table(RESIDENTS, _sheet(rows))
    assert [cells[0] for _r, cells in table.rows] == ["河街社区", "河街社区", "新华社区", "新华社区"]
    assert [cells[1] for _r, cells in table.rows] == ["H1", "H1", "H2", "H2"]


def test_mapping_override():
    headers = ["户号", "关系", "姓名", "证件号", "备用号码"]
    mapping = map_columns(RESIDENTS, headers)
    assert "phone" not in mapping.columns
    mapping = map_columns(RESIDENTS, headers, {"phone": "备用号码", "relation": 1})
    assert mapping.columns["phone"] == 4 and mapping.columns["relation"] == 1
    assert "note" not in map_columns(RESIDENTS, headers + ["备注"], {"note": None}).columns


def test_no_recognisable_header_is_refused():
    with pytest.raises(FileRefused, match="找不到"):
        build_table(RESIDENTS, _sheet([["a", "b"], ["1", "2"]]))


def test_missing_required_column_is_refused():
    with pytest.raises(FileRefused, match="缺少必填列：与户主关系"):
        build_table(RESIDENTS, _sheet([["户号", "姓名", "身份证号"], ["H1", "李云", "x"]]))


def test_filling_down_leaves_the_sheet_read_as_it_was():
    """A table can be built again from the same read (the wizard's first
    look at the file) with another mapping: filled cells are copies."""
    rows = [["社区", "户号", "与户主关系", "姓名", "身份证号"], ["河街社区", "H1", "户主", "李云", "x"],
            ["", "H1", "妻", "王芳", "y"]]
    sheet = _sheet(rows)
    table = build_table(RESIDENTS, sheet)
    assert [cells[0] for _r, cells in table.rows] == ["河街社区", "河街社区"]
    assert sheet.rows[2][0] == ""
    again = build_table(RESIDENTS, sheet, {"community": None})
    assert [cells[0] for _r, cells in again.rows] == ["河街社区", ""]


def test_a_message_quotes_a_long_value_cut_short():
    """The cell is shown beside the message in full; the message quotes
    only its start, so the reason stays readable."""
    from gridadmin.services.importing.values import phone_value

    with pytest.raises(CellError) as info:
        phone_value("1" * 5000)
    assert info.value.message.startswith("“" + "1" * 30 + "…”不是") and len(info.value.message) < 120
