"""Files that must not kill the app (issue 19): a far-away cell, a huge
.xls or .ods, a legitimate sheet over the row limit, an .xls named .xlsx,
Excel's UTF-16 "Unicode 文本", a zip whose directory lies. Each is read or
refused with a Chinese message; none reaches calamine unguarded (its
dense range would abort the process, uncatchably)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from gridadmin.services.importing import FileRefused
from gridadmin.services.importing.reading import MAX_ROWS, read_sheets, sheet_names
from tests.test_import_reading import _raw_xlsx

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _sheet_xlsx(path: Path, sheet_xml_rows, *, dimension: str = "A1:B2") -> Path:
    """A minimal .xlsx whose sheet XML rows are given (an iterable of
    strings, streamed: a million rows stay cheap)."""
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
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
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS} {rel_ns}><sheets>'
                   '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0"?><worksheet {NS}><dimension ref="{dimension}"/><sheetData>'.encode())
            batch = []
            for row in sheet_xml_rows:
                batch.append(row)
                if len(batch) == 10_000:
                    member.write("".join(batch).encode())
                    batch = []
            member.write(("".join(batch) + "</sheetData></worksheet>").encode())
    return path


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEAD = ['<row r="1">' + _cell("A1", "姓名") + _cell("B1", "公民身份号码") + "</row>",
        '<row r="2">' + _cell("A2", "李云") + _cell("B2", "x") + "</row>"]


def _refused(path, sheet=None) -> str:
    with pytest.raises(FileRefused) as info:
        read_sheets(path, sheet)
    assert path.name in info.value.message
    return info.value.message


def test_one_value_in_xfd1048576_is_refused_naming_the_cell(tmp_path):
    """5 KB that would make calamine allocate 512 GB and abort."""
    path = _sheet_xlsx(tmp_path / "人口.xlsx",
                       HEAD + ['<row r="1048576">' + _cell("XFD1048576", "x") + "</row>"],
                       dimension="A1:XFD1048576")
    assert path.stat().st_size < 5_000
    message = _refused(path)
    assert "工作表“Sheet1”在 XFD1048576 单元格有内容" in message and "表格范围过大" in message
    assert f"{MAX_ROWS:,} 行" in message and "删除" in message


def test_a_far_cell_in_a_short_row_is_found(tmp_path):
    """The reference decides where calamine puts a cell, not its row tag;
    openpyxl writes the same file as Excel would."""
    path = _sheet_xlsx(tmp_path / "a.xlsx", HEAD + ['<row r="3">' + _cell("Z1048576", "x") + "</row>"])
    assert "Z1048576" in _refused(path)
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "公民身份号码"])
    wb.active["XFD5000"] = "多余"  # 5,000 rows × 16,384 columns: over the cell limit
    wb.save(tmp_path / "wide.xlsx")
    assert "在 XFD5000 单元格有内容" in _refused(tmp_path / "wide.xlsx")
    wb.active["XFD5000"] = None
    wb.active["XFD20"] = "多余"  # 20 × 16,384 is within it: read
    wb.save(tmp_path / "wide.xlsx")
    assert read_sheets(tmp_path / "wide.xlsx")[0].rows[19][16383] == "多余"


def test_a_dimension_alone_or_empty_styled_far_cells_do_no_harm(tmp_path):
    path = _sheet_xlsx(tmp_path / "a.xlsx", HEAD + ['<row r="1048576"><c r="XFD1048576" s="1"/></row>'],
                       dimension="A1:XFD1048576")
    [sheet] = read_sheets(path)
    assert sheet.rows == [["姓名", "公民身份号码"], ["李云", "x"]]


def test_a_legitimate_sheet_over_the_row_limit_is_refused_with_the_limit(tmp_path):
    rows = ('<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(3, 1_048_574))
    path = _sheet_xlsx(tmp_path / "全镇.xlsx", HEAD + list(rows))
    message = _refused(path)
    assert "1,048,573 行" in message and f"最多支持 {MAX_ROWS:,} 行" in message and "拆分" in message


def test_a_large_sheet_under_the_limit_is_read(tmp_path):
    rows = ('<row r="%d">%s%s</row>' % (r, _cell(f"A{r}", "王"), _cell(f"AD{r}", str(r))) for r in range(3, 20_003))
    [sheet] = read_sheets(_sheet_xlsx(tmp_path / "a.xlsx", HEAD + list(rows)))
    assert len(sheet.rows) == 20_002 and len(sheet.rows[0]) == 30 and sheet.rows[-1][29] == "20002"


def _xls(path: Path, row: int | None = None, col: int | None = None) -> Path:
    """An .xls (BIFF8, written by xlwt) whose NUMBER cell B2 is moved to
    ``row``/``col`` by patching its record: what no writer would make."""
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Sheet1")
    ws.write(0, 0, "姓名")
    ws.write(0, 1, "公民身份号码")
    ws.write(1, 0, "李云")
    ws.write(1, 1, 12345.678)
    wb.save(str(path))
    if row is not None:
        data = bytearray(path.read_bytes())
        at = data.find(struct.pack("<d", 12345.678)) - 10
        assert data[at:at + 2] == b"\x03\x02"  # the NUMBER record
        data[at + 4:at + 8] = struct.pack("<HH", row, col)
        path.write_bytes(bytes(data))
    return path


def test_an_xls_with_a_far_cell_is_refused_and_the_app_lives(tmp_path):
    """calamine reads .xls sheets at open: 65536 × 65536 cells abort; the
    open happens in a child process first."""
    message = _refused(_xls(tmp_path / "老表.xls", 65535, 65535))
    assert "表格范围过大" in message
    message = _refused(_xls(tmp_path / "老表2.xls", 65535, 1000))  # 65 million cells: over the child's memory
    assert "表格范围过大" in message and "300,000 行" in message
    with pytest.raises(FileRefused):
        sheet_names(tmp_path / "老表.xls")


def test_an_xls_is_read_and_one_named_xlsx_is_read_as_xls_with_a_note(tmp_path):
    path = _xls(tmp_path / "人口.xls")
    assert read_sheets(path)[0].rows == [["姓名", "公民身份号码"], ["李云", 12345.678]]
    renamed = tmp_path / "人口.xlsx"
    renamed.write_bytes(path.read_bytes())
    [sheet] = read_sheets(renamed)
    assert sheet.rows[1][0] == "李云"
    assert any("扩展名是 .xlsx" in note and ".xls" in note for note in sheet.notes)
    assert sheet_names(renamed) == ["Sheet1"]


def _ods(path: Path, rows_repeated: int, columns_repeated: int) -> Path:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="人口">'
               '<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell>'
               '<table:table-cell office:value-type="string"><text:p>公民身份号码</text:p></table:table-cell>'
               '</table:table-row>'
               f'<table:table-row table:number-rows-repeated="{rows_repeated}">'
               f'<table:table-cell table:number-columns-repeated="{columns_repeated}" office:value-type="string">'
               '<text:p>x</text:p></table:table-cell></table:table-row>'
               '<table:table-row table:number-rows-repeated="1048000">'
               '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:'
                   'names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
                   'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')
        z.writestr("content.xml", content)
    return path


def test_an_ods_with_repeated_values_is_refused_before_calamine_expands_it(tmp_path):
    message = _refused(_ods(tmp_path / "表.ods", 1_000_000, 26))
    assert "工作表“人口”在 Z1000001 单元格有内容" in message
    assert "XFD" in _refused(_ods(tmp_path / "表2.ods", 2000, 16384))
    [sheet] = read_sheets(_ods(tmp_path / "好.ods", 3, 2))  # LibreOffice's empty repeated rest is fine
    assert sheet.rows == [["姓名", "公民身份号码"], ["x", "x"], ["x", "x"], ["x", "x"]]


def test_excel_unicode_text_is_read(tmp_path):
    """Excel's "Unicode 文本": UTF-16LE with a BOM, tab-separated."""
    path = tmp_path / "人口.txt"
    path.write_bytes("姓名\t公民身份号码\r\n李云\t110101199001011237\r\n".encode("utf-16"))
    [sheet] = read_sheets(path)
    assert sheet.rows == [["姓名", "公民身份号码"], ["李云", "110101199001011237"]]
    assert any("UTF-16" in note for note in sheet.notes)
    path.write_bytes(b"\xff\xfe" + "姓名\t号码\r\n".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    assert "UTF-16" in _refused(path)


def test_a_zip_whose_directory_lies_about_sizes_is_refused(tmp_path):
    good = tmp_path / "good.xlsx"
    _raw_xlsx(good, [["姓名", "身份证号"], ["李云", "x"]])
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    central = data.rfind(b"PK\x01\x02" + data[data.find(b"PK\x01\x02") + 4:data.find(b"PK\x01\x02") + 6])
    # patch the directory entry of the sheet: claim a tiny uncompressed size
    name = b"xl/worksheets/sheet1.xml"
    at = data.find(name, central) - 46
    assert data[at:at + 4] == b"PK\x01\x02"
    data[at + 24:at + 28] = struct.pack("<I", 10)
    lying = tmp_path / "lying.xlsx"
    lying.write_bytes(bytes(data))
    assert info.file_size != 10
    message = _refused(lying)
    assert "声明的大小与实际数据不符" in message and "重新获取" in message


def test_a_zip_whose_headers_agree_on_a_false_size_is_refused(tmp_path):
    """Both headers (and the checksum) describe only the first 2,000 bytes
    of the sheet: a reader trusting them would stop there, a reader
    trusting the data would inflate everything (a bomb past the size
    check). The rest is refused, not read."""
    rows = "".join('<row r="%d">%s</row>' % (r, _cell(f"A{r}", "x")) for r in range(1, 3000))
    sheet = f'<?xml version="1.0"?><worksheet {NS}><sheetData>{rows}</sheetData></worksheet>'.encode()
    template = tmp_path / "t.xlsx"
    _raw_xlsx(template, [["姓名"]])
    path = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            z.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else src.read(name))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        local = z.getinfo("xl/worksheets/sheet1.xml").header_offset
    central = data.find(b"xl/worksheets/sheet1.xml", data.find(b"PK\x01\x02")) - 46
    assert data[local:local + 4] == b"PK\x03\x04" and data[central:central + 4] == b"PK\x01\x02"
    crc = struct.pack("<I", zlib.crc32(sheet[:2000]))
    data[local + 14:local + 18] = data[central + 16:central + 20] = crc
    data[local + 22:local + 26] = data[central + 24:central + 28] = struct.pack("<I", 2000)
    path.write_bytes(bytes(data))
    assert "声明的大小与实际数据不符" in _refused(path)


def test_cells_without_references_are_counted_as_calamine_places_them(tmp_path):
    """A cell without ``r`` goes right of the one before: 2,000 of them
    in row 299,999 ask for 600 million cells."""
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * 2000
    path = _sheet_xlsx(tmp_path / "a.xlsx", HEAD + [f'<row r="299999">{cells}</row>'])
    assert "在 BXX299999 单元格有内容" in _refused(path)
    prefixed = _sheet_xlsx(tmp_path / "b.xlsx", HEAD + ['<row r="3"><x:c xmlns:x="http://schemas.openxmlformats.org/'
                                                          'spreadsheetml/2006/main" r="XFD1048576" t="inlineStr">'
                                                          '<x:is><x:t>x</x:t></x:is></x:c></row>'])
    assert "XFD1048576" in _refused(prefixed)


# ---- columns and cells that would be taken silently ------------------------

from datetime import date  # noqa: E402

from PySide6.QtCore import Qt  # noqa: E402

from gridadmin.services.common.progress import run_to_end  # noqa: E402
from gridadmin.services.importing import import_job, plan_import  # noqa: E402
from tests.test_import_residents import TODAY, grid_db  # noqa: E402,F401
from tests.test_import_support import HEADERS, person, pid, write_workbook  # noqa: E402


def _two_id_columns(path: Path) -> Path:
    """Two 公民身份号码 columns (G and P) with different numbers."""
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11), person("H1", "妻", "王芳", date(1981, 3, 4), 22)]
    for i, row in enumerate(rows):
        row["身份证号"] = pid(date(1970, 1, 1), 40 + i)
    return write_workbook(path, rows, headers=[*HEADERS, "身份证号"])


def test_two_columns_for_one_field_are_refused_naming_both(grid_db, tmp_path):
    path = _two_id_columns(tmp_path / "两列.xlsx")
    with pytest.raises(FileRefused) as info:
        plan_import(grid_db, path, "residents", today=TODAY)
    message = info.value.message
    assert "“公民身份号码”：G 列“公民身份号码*”和 P 列“身份证号”" in message and "删除或改名" in message
    with pytest.raises(FileRefused):
        run_to_end(import_job(grid_db, path, "residents", today=TODAY))
    # the user's choice of one of them (the wizard's overrides) settles it
    plan = plan_import(grid_db, path, "residents", today=TODAY, overrides={"id_number": 15})
    assert [r.record["id_number"] for r in plan.rows] == [pid(date(1970, 1, 1), 40), pid(date(1970, 1, 1), 41)]


def test_the_command_line_refuses_two_columns_for_one_field(grid_db, tmp_path, capsys, cli_login):
    from gridadmin.cli import main

    path = _two_id_columns(tmp_path / "两列.xlsx")
    assert main(["import", "--db", grid_db.url, "--kind", "residents", str(path), "--dry-run", *cli_login(grid_db)]) == 2
    assert "P 列“身份证号”" in capsys.readouterr().err


def test_the_wizard_shows_both_columns_as_a_clash(qtbot, grid_db, tmp_path, monkeypatch):
    from tests.test_import_page import _choose, _page

    path = _two_id_columns(tmp_path / "两列.xlsx")
    page = _page(qtbot, grid_db)
    wizard = page.wizard
    _choose(page, monkeypatch, path)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    mapping = wizard.mapping_step
    assert mapping.combos()[6].currentData() == mapping.combos()[15].currentData() == "id_number"
    assert not wizard.next_button.isEnabled()
    assert "“公民身份号码”对应了 G 列“公民身份号码*”和 P 列“身份证号”" in mapping.status.text()
    mapping.choose(6, None)
    assert wizard.next_button.isEnabled()


def test_formula_cells_in_identifier_and_text_columns_are_refused_with_the_formula(grid_db, tmp_path):
    """XlsxWriter caches 0 for a formula it cannot compute; the import
    would store that 0 as the ID number."""
    import xlsxwriter

    path = tmp_path / "公式.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("人口")
    ws.write_row(0, 0, ["户号", "与户主关系", "姓名", "公民身份号码", "出生日期", "序号", "社区", "网格"])
    ws.write_row(1, 0, ["H1", "户主", "李云", pid(date(1980, 1, 2), 11), "1980-01-02"])
    ws.write_formula(1, 5, "=ROW()-1")  # a number: its value is fine
    ws.write_row(1, 6, ["河街社区", "一网格"])
    ws.write_row(2, 0, ["H2", "户主"])
    ws.write_formula(2, 2, '=CONCATENATE("王","芳")')
    ws.write_formula(2, 3, "=D2&\"\"")
    ws.write_row(2, 4, ["1981-03-04"])
    wb.close()
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    first, second = plan.rows
    assert not first.errors
    messages = {(e.row, e.column): e.message for e in second.errors}
    assert "公式（=CONCATENATE(\"王\",\"芳\")）" in messages[(3, "姓名")]
    assert "公式（=D2&\"\"）" in messages[(3, "公民身份号码")] and "选择性粘贴" in messages[(3, "公民身份号码")]
    assert plan.counts()["errors"] == 1


# ---- invisible characters and hostile searches ------------------------------

from sqlalchemy import select  # noqa: E402

from gridadmin.models import Person  # noqa: E402
from gridadmin.services.common.paging import PageQuery  # noqa: E402
from gridadmin.services.common.text import MAX_SEARCH_CHARS, clean_name, clean_text, code_key, search_text  # noqa: E402
from gridadmin.services.register.household_list import HouseholdFilter, household_source  # noqa: E402
from gridadmin.services.register.residents import ResidentFilter, resident_source  # noqa: E402
from gridadmin.services.roster.listing import RosterFilter, roster_source  # noqa: E402
from tests.test_residents_page import register  # noqa: E402,F401

INVISIBLE = ("\u200b", "\u202e", "\ufeff", "\u200d", "\u2066", "\u00ad")


@pytest.mark.parametrize("mark", INVISIBLE)
def test_format_characters_are_dropped_from_names_identifiers_and_codes(mark):
    from gridadmin.services.common.idcard import check_id_number
    from gridadmin.services.importing.values import code_text_value, name_value, text_value

    assert clean_name(f"李{mark}云") == clean_text(f"{mark}李云{mark}") == name_value(f"李云{mark}") == "李云"
    number = pid(date(1980, 1, 2), 11)
    assert check_id_number(f"{mark}{number[:9]}{mark}{number[9:]}").normalized == number
    assert code_text_value(f"H{mark}1") == "H1" and text_value(f"河街{mark}社区") == "河街社区"
    assert code_key(f"汉{mark}族") == code_key("汉族")
    assert search_text(f"张{mark}三") == "张三"


def test_an_invisible_character_does_not_make_a_second_person(grid_db, tmp_path):
    """"李\u200b云" with the same ID number (with a BOM in it) is the same
    person, found as a duplicate in the file and unchanged on re-import."""
    number = pid(date(1980, 1, 2), 11)
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11)]
    run_to_end(import_job(grid_db, write_workbook(tmp_path / "a.xlsx", rows), "residents", today=TODAY))
    again = [person("H1", "户主", "李\u200b云\u202e", date(1980, 1, 2), 11, **{"公民身份号码*": "\ufeff" + number})]
    plan = plan_import(grid_db, write_workbook(tmp_path / "b.xlsx", again), "residents", today=TODAY)
    assert plan.counts()["unchanged"] == 1 and plan.counts()["inserted"] == 0
    twice = [person("H2", "户主", "王芳", date(1981, 3, 4), 22),
             person("H3", "户主", "王\u200b芳", date(1981, 3, 4), 22,
                    **{"公民身份号码*": pid(date(1981, 3, 4), 22) + "\u200b"})]
    plan = plan_import(grid_db, write_workbook(tmp_path / "c.xlsx", twice), "residents", today=TODAY)
    assert plan.counts()["errors"] >= 1 and plan.counts()["inserted"] == 0


def test_forms_store_names_without_format_characters(register):
    db = register[0]
    with db.session() as s:
        names = set(s.scalars(select(Person.name)))
    assert names == {"张三", "李四", "张小五", "王芳"}
    from gridadmin.services.register.households import HouseholdData, MemberData, save_household
    from gridadmin.models import Area

    with db.session() as s:
        area = s.scalar(select(Area.id).where(Area.level == "community").order_by(Area.id))
    save_household(db, None, HouseholdData("4113020010010009", area),
                   [MemberData(None, "赵\u200b六\u202e", "\ufeff" + pid(date(1985, 1, 1), 51), relation="02")],
                   today=date(2025, 1, 1))
    with db.session() as s:
        assert s.scalar(select(Person.name).where(Person.id_number == pid(date(1985, 1, 1), 51))) == "赵六"


HOSTILE_SEARCHES = ("张" * 17_000, "张\U0010ffff", "\U0010ffff", "1\U0010ffff", "z\U0010ffff", "张\ud7ff",
                    "\u202e\u200b", "%_\\'\"; DROP TABLE person; --", "幸福" + "\U0010ffff" * 3)


@pytest.mark.parametrize("typed", HOSTILE_SEARCHES, ids=range(len(HOSTILE_SEARCHES)))
def test_hostile_searches_are_bounded_and_answered(register, typed):
    db = register[0]
    for source, make in ((resident_source(db), ResidentFilter), (household_source(db), HouseholdFilter),
                         (roster_source(db), RosterFilter)):
        query = PageQuery(make(search=typed))
        count = source.count(query)
        assert len(source.window(query, 0, 50)) == count
    assert resident_source(db).count(PageQuery(ResidentFilter(search="张" * 17_000))) == 0
    assert resident_source(db).count(PageQuery(ResidentFilter(search="张\U0010ffff"))) == 2  # 张三, 张小五


def test_a_search_is_cut_to_its_first_hundred_characters():
    assert len(search_text("张" * 17_000)) == MAX_SEARCH_CHARS == 100
    assert search_text("  张三\U0010ffff ") == "张三"


def test_the_residents_search_box_takes_a_pasted_page_and_a_last_code_point(qtbot, register):
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from tests.test_residents_page import _names, _page
    from tests.uihelpers import type_text

    page = _page(qtbot, register[0])
    assert page.search.maxLength() == MAX_SEARCH_CHARS and "100" in page.search.toolTip()
    QGuiApplication.clipboard().setText("张" * 17_000)
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert page.search.text() == "张" * 100
    assert _names(page.model) == []
    page.search.clear()
    type_text(qtbot, page.search, "张\U0010ffff")
    QApplication.processEvents()
    assert sorted(_names(page.model)) == ["张三", "张小五"]


# ---- a PostgreSQL database that does not exist -----------------------------

import os  # noqa: E402

from sqlalchemy.engine import make_url  # noqa: E402

SERVER = os.environ.get("GRIDADMIN_TEST_DB")
needs_server = pytest.mark.skipif(not SERVER, reason="needs GRIDADMIN_TEST_DB (a PostgreSQL test server)")


def _missing_database_url() -> str:
    """The test server with a database name nobody creates."""
    url = make_url(SERVER)
    return url.set(database=f"{url.database}_does_not_exist").render_as_string(hide_password=False)


@needs_server
def test_the_command_line_explains_a_missing_postgresql_database(tmp_path, capsys):
    from gridadmin.cli import main

    url = _missing_database_url()
    name = make_url(url).database
    for argv in (["export", "--kind", "grids", "--out", str(tmp_path / "g.xlsx")],
                 ["import", "--kind", "grids", str(_two_id_columns(tmp_path / "a.xlsx")), "--dry-run"],
                 ["init", "--township", "411302001"]):
        assert main([*argv, "--db", url]) == 2
        err = capsys.readouterr().err
        assert f"没有名为“{name}”的数据库" in err and "createdb" in err and "Traceback" not in err
    assert not (tmp_path / "g.xlsx").exists()


@needs_server
def test_the_app_explains_a_missing_postgresql_database(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from gridadmin.ui.shell.start_dialog import try_open

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text, *a, **k: shown.append(text))
    assert try_open(_missing_database_url(), None) is None
    assert len(shown) == 1 and "没有名为" in shown[0] and "请检查连接地址中的数据库名" in shown[0]


def test_the_wizard_refuses_the_far_cell_file_and_stays(qtbot, grid_db, tmp_path, monkeypatch):
    """The wizard's first read of the XFD1048576 file: a message in the
    file step instead of a vanished window."""
    from tests.test_import_page import _choose, _page

    path = _sheet_xlsx(tmp_path / "人口.xlsx", HEAD + ['<row r="1048576">' + _cell("XFD1048576", "x") + "</row>"])
    page = _page(qtbot, grid_db)
    wizard = page.wizard
    _choose(page, monkeypatch, path)
    qtbot.waitUntil(lambda: "XFD1048576" in wizard.file_step.error.text(), timeout=30_000)
    assert "表格范围过大" in wizard.file_step.error.text() and not wizard.next_button.isEnabled()
    assert page.isVisible()


def test_an_xls_named_xlsx_is_imported_with_a_note(grid_db, tmp_path, capsys, cli_login):
    """Read by its content; the dry run's notes (shown by the wizard's
    preview and the command line) say what the file really is."""
    import xlwt

    from gridadmin.cli import main

    wb = xlwt.Workbook()
    ws = wb.add_sheet("人口")
    for c, text in enumerate(["社区", "网格", "户号", "与户主关系", "姓名", "公民身份号码"]):
        ws.write(0, c, text)
    for c, text in enumerate(["河街社区", "一网格", "H1", "户主", "李云", pid(date(1980, 1, 2), 11)]):
        ws.write(1, c, text)
    path = tmp_path / "人口.xlsx"
    wb.save(str(path))
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    assert plan.counts()["inserted"] == 1
    assert any("扩展名是 .xlsx" in note and "Excel 97-2003 工作簿（.xls）" in note for note in plan.extra["notes"])
    assert main(["import", "--db", grid_db.url, "--kind", "residents", str(path), "--dry-run", *cli_login(grid_db)]) == 0
    assert "Excel 97-2003 工作簿（.xls）" in capsys.readouterr().out


def test_a_csv_over_the_row_limit_is_refused_with_the_limit(tmp_path):
    path = tmp_path / "全镇.csv"
    path.write_text("姓名,公民身份号码\n" + "李云,x\n" * MAX_ROWS, encoding="utf-8")
    message = _refused(path)
    assert f"{MAX_ROWS + 1:,} 行" in message and f"最多支持 {MAX_ROWS:,} 行" in message and "拆分" in message
