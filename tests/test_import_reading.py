"""Reading files for import: what is refused (and why), CSV encodings,
title rows, merged cells, error cells, trailing empty rows."""

from __future__ import annotations

import os
import zipfile
from datetime import date

import pytest

from gridadmin.services.importing import FileRefused
from gridadmin.services.importing.reading import read_sheets, sheet_names
from tests.test_import_support import (
    encrypted_workbook, person, renamed_docx, write_workbook, zip_bomb,
)


def _refused(path) -> str:
    with pytest.raises(FileRefused) as info:
        read_sheets(path)
    assert path.name in info.value.message
    return info.value.message


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "空表.xlsx"
    path.write_bytes(b"")
    assert "空的" in _refused(path)


def test_random_bytes_are_refused(tmp_path):
    path = tmp_path / "人口.xlsx"
    path.write_bytes(os.urandom(64 * 1024))
    assert "不是表格文件" in _refused(path)


def test_binary_without_nul_bytes_is_refused(tmp_path):
    path = tmp_path / "数据.csv"
    path.write_bytes(bytes(range(1, 32)) * 200)
    assert "不是表格文件" in _refused(path)


def test_small_csv_with_a_few_control_characters_is_read(tmp_path):
    """Three stray control characters in a 200-character CSV (a bell in a
    name, an escape in a note) do not make it "not a spreadsheet"; the
    cells are read and cleaned like any other."""
    path = tmp_path / "人口.csv"
    path.write_text("户号,与户主关系,姓名,公民身份号码,备注\r\n"
                    "C001,户主,欧阳\x07明,110101196606061011,控制\x01字符\x1b\r\n", encoding="utf-8-sig",
                    newline="")  # as written: on Windows text mode would make \r\n into \r\r\n
    [sheet] = read_sheets(path)
    assert sheet.rows[1][2] == "欧阳\x07明"


def test_renamed_docx_is_refused_as_word(tmp_path):
    assert "Word" in _refused(renamed_docx(tmp_path / "人口.xlsx"))


def test_plain_text_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "人口.xlsx"
    path.write_text("姓名,身份证号\n", encoding="utf-8")
    assert "纯文本" in _refused(path)


def test_password_protected_workbook_is_refused(tmp_path):
    assert "密码" in _refused(encrypted_workbook(tmp_path / "加密.xlsx"))


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    path = zip_bomb(tmp_path / "bomb.xlsx", size_mb=450)
    assert path.stat().st_size < 3 * 1024 * 1024
    assert "压缩炸弹" in _refused(path)


def test_ratio_bomb_under_the_size_limit_is_refused(tmp_path):
    assert "压缩" in _refused(zip_bomb(tmp_path / "small-bomb.xlsx", size_mb=20, level=9))


def test_truncated_zip_is_refused(tmp_path):
    good = write_workbook(tmp_path / "good.xlsx", [person("H1", "户主", "李云", date(1990, 1, 2), 11)])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:2000])
    _refused(path)


def test_unknown_sheet_name_lists_the_sheets(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [person("H1", "户主", "李云", date(1990, 1, 2), 11)])
    with pytest.raises(FileRefused, match="人口"):
        read_sheets(path, "不存在")
    assert sheet_names(path) == ["人口"]


def test_merged_community_column_is_filled(tmp_path):
    rows = [person("H1", "户主", "李云", date(1990, 1, 2), 11), person("H1", "妻", "王芳", date(1991, 3, 4), 22)]
    sheet = read_sheets(write_workbook(tmp_path / "a.xlsx", rows))[0]
    assert sheet.rows[3][1] == sheet.rows[4][1] == "河街社区"  # merged B4:B5


def test_trailing_empty_formatted_rows_are_dropped(tmp_path):
    path = tmp_path / "long.xlsx"
    _raw_xlsx(path, [["姓名", "身份证号"], ["李云", "x"]], empty_styled_rows=200_000)
    sheet = read_sheets(path)[0]
    assert len(sheet.rows) == 2


def test_error_cells_and_uncached_formulas_are_reported(tmp_path):
    path = tmp_path / "err.xlsx"
    _raw_xlsx(path, [["姓名", "身份证号"], ["李云", ("e", "#N/A")], ["王芳", ("f", "A1")]])
    problems = read_sheets(path)[0].problems
    assert "#N/A" in problems[(1, 1)]
    assert "公式" in problems[(2, 1)]


def test_error_text_in_csv_is_reported(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("姓名,身份证号\n李云,#N/A\n", encoding="utf-8")
    assert "#N/A" in read_sheets(path)[0].problems[(1, 1)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "a.csv"
    path.write_bytes("姓名,身份证号\n李  云,110101199001011237\n\n\n".encode(encoding))
    sheet = read_sheets(path)[0]
    assert sheet.rows == [["姓名", "身份证号"], ["李  云", "110101199001011237"]]


def _raw_xlsx(path, rows, empty_styled_rows: int = 0) -> None:
    """A minimal .xlsx written by hand: inline strings, ``("e", code)`` error
    cells, ``("f", formula)`` formulas without a cached value, and styled
    empty rows after the data (what a template with formatting leaves)."""
    cells_xml = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if isinstance(value, tuple) and value[0] == "e":
                cells.append(f'<c r="{ref}" t="e"><v>{value[1]}</v></c>')
            elif isinstance(value, tuple):
                cells.append(f'<c r="{ref}"><f>{value[1]}</f><v></v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        cells_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    start = len(rows) + 1
    cells_xml += [f'<row r="{r}"><c r="A{r}" s="1"/><c r="B{r}" s="1"/></row>'
                  for r in range(start, start + empty_styled_rows)]
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {ns} {rel_ns}><sheets>'
                   '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {ns}><sheetData>'
                   + "".join(cells_xml) + "</sheetData></worksheet>")


def test_error_text_in_shared_strings_is_reported(tmp_path):
    """Excel stores text as shared strings: "#N/A" typed as text is found
    although the reader skips the cell-by-cell look when no text of the
    sheet starts with "#"."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(tmp_path / "a.xlsx"))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号", "民族"])
    sheet.write_string(1, 0, "李云")
    sheet.write_string(1, 1, "110101199001011237")
    sheet.write_string(1, 2, "#N/A")
    workbook.close()
    assert "#N/A" in read_sheets(tmp_path / "a.xlsx")[0].problems[(1, 2)]


def test_error_text_in_inline_strings_is_reported(tmp_path):
    path = tmp_path / "inline.xlsx"
    _raw_xlsx(path, [["姓名", "身份证号"], ["李云", "#REF!"]])
    assert "#REF!" in read_sheets(path)[0].problems[(1, 1)]


def test_scan_tells_when_no_text_can_start_with_hash(tmp_path):
    import xlsxwriter

    from gridadmin.services.importing.xlsxscan import scan_sheet

    for name, note, expected in (("plain.xlsx", "备注", False), ("hash.xlsx", "#3 楼", True)):
        workbook = xlsxwriter.Workbook(str(tmp_path / name))  # shared strings, as Excel writes
        workbook.add_worksheet("人口").write_row(0, 0, ["姓名", "身份证号", note])
        workbook.close()
        assert scan_sheet(tmp_path / name, "人口").hash_text is expected
        _raw_xlsx(tmp_path / f"inline-{name}", [["姓名", "身份证号", note]])  # inline strings
        assert scan_sheet(tmp_path / f"inline-{name}", "Sheet1").hash_text is expected


def test_hash_written_as_a_character_reference_counts():
    from gridadmin.services.importing.xlsxscan import _starts_with_hash

    assert _starts_with_hash(b'<si><t xml:space="preserve">&#35;N/A</t></si>')
    assert _starts_with_hash(b"<si><r><t>#REF!</t></r></si>")
    assert not _starts_with_hash(b"<si><t>A#1</t></si><c><v>3</v></c>")


def test_load_table_reuses_a_read_only_while_the_file_is_unchanged(tmp_path, monkeypatch):
    from gridadmin.services.importing import pipeline

    path = write_workbook(tmp_path / "a.xlsx", [person("H1", "户主", "李云", date(1990, 1, 2), 11)])
    read = pipeline.read_file(path, "residents")
    calls = []
    real = pipeline.read_kind_sheets
    monkeypatch.setattr(pipeline, "read_kind_sheets", lambda *a, **k: calls.append(a) or real(*a, **k))
    table = pipeline.load_table(path, "residents", sheet="人口", read=read)
    assert calls == [] and table.sha256 == read.sha256 and len(table.rows) == 1

    write_workbook(path, [person("H1", "户主", "李云", date(1990, 1, 2), 11),
                          person("H1", "妻", "王芳", date(1991, 3, 4), 22)])  # changed since the first look
    table = pipeline.load_table(path, "residents", sheet="人口", read=read)
    assert len(calls) == 1 and table.sha256 != read.sha256 and len(table.rows) == 2
