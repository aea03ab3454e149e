"""Exported identifier columns (ID numbers, phones, 户号, 网格编码 …) are
formatted as text, cells and column, so a clerk who corrects the exported
file in Excel and sends it back sends text, not floats; the ``export``
command says what it masked only when the kind has such columns."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from gridadmin.cli import main
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.importing import import_job
from gridadmin.services.importing.export import RowSource
from gridadmin.services.common.paging import Column, PageQuery
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.register.residents import resident_columns
from gridadmin.services.common.table_export import export_table_xlsx
from gridadmin.services.common.xlsx import is_text_column
from tests.test_import_support import person, write_workbook

TODAY = date(2025, 6, 30)


@pytest.fixture
def filled(township_db, tmp_path):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    rows = [person("4113240030010099001", "户主", "李云", date(1980, 1, 2), 11, 联系电话="13812345678"),
            person("4113240030010099001", "妻", "王芳", date(1981, 3, 4), 22)]
    result = run_to_end(import_job(township_db, write_workbook(tmp_path / "in.xlsx", rows), "residents",
                                   today=TODAY))
    assert result.committed, [e.message for e in result.plan.errors]
    return township_db


def _column_format(ws, index: int) -> str | None:
    """The number format of the <col> range covering 1-based column ``index``."""
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max and dim.min <= index <= dim.max:
            return dim.number_format
    return None


def _formats(path) -> dict[str, tuple[str, str | None]]:
    """header → (number format of the first data cell, of the column)."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    return {c.value: (ws.cell(2, c.column).number_format, _column_format(ws, c.column)) for c in ws[1]}


def test_export_command_formats_identifier_columns_as_text(filled, tmp_path, capsys, cli_login):
    login = cli_login(filled)
    out = tmp_path / "r.xlsx"
    assert main(["export", "--db", filled.url, "--kind", "residents", "--out", str(out), "--full-numbers", *login]) == 0
    formats = _formats(out)
    for header in ("公民身份号码", "联系电话", "户号", "网格编码"):
        assert formats[header] == ("@", "@"), header
    assert formats["姓名"][0] == "General"
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws.cell(2, [c.value for c in ws[1]].index("户号") + 1).value == "4113240030010099001"
    out = tmp_path / "h.xlsx"
    assert main(["export", "--db", filled.url, "--kind", "households", "--out", str(out), *login]) == 0
    formats = _formats(out)
    assert formats["户主公民身份号码"] == ("@", "@") and formats["户号"] == ("@", "@")


def test_table_export_formats_identifier_columns_as_text(db, tmp_path):
    columns = [Column("name", "姓名", lambda r: r[0]), Column("id_number", "身份证号", lambda r: r[1]),
               Column("phone", "联系电话", lambda r: r[2]), Column("household_no", "户号", lambda r: r[3])]
    path = tmp_path / "t.xlsx"
    rows = [("李云", "411302198001020011", "", "4113240030010099001")]
    assert export_table_xlsx(db, RowSource(iter(rows)), PageQuery(), columns, path, what="测试") == 1
    formats = _formats(path)
    assert formats["身份证号"] == ("@", "@") and formats["户号"] == ("@", "@")
    assert formats["联系电话"][1] == "@"  # an empty phone: the column's format is what a clerk types into
    assert formats["姓名"][0] == "General"


def test_the_residents_page_columns_that_are_identifiers():
    text = {c.key for c in resident_columns(True) if is_text_column(c.key, c.title)}
    assert text == {"id_number", "household_no", "phone"}


@pytest.mark.parametrize("kind, said", [("grids", None), ("households", "（身份证号已打码）"),
                                        ("residents", "（身份证号和电话已打码）")])
def test_the_export_message_names_only_what_was_masked(filled, tmp_path, capsys, kind, said, cli_login):
    login = cli_login(filled)
    assert main(["export", "--db", filled.url, "--kind", kind, "--out", str(tmp_path / "x.xlsx"), *login]) == 0
    out = capsys.readouterr().out
    assert ("打码" in out) == (said is not None) and (said is None or said in out)
    assert main(["export", "--db", filled.url, "--kind", kind, "--out", str(tmp_path / "y.xlsx"),
                 "--full-numbers", *login]) == 0
    assert "打码" not in capsys.readouterr().out
