"""「下载模板」: the template's header, hints, dropdowns on a hidden sheet,
text-formatted ID/phone columns; a filled template imports as is."""

from __future__ import annotations

from datetime import date

import openpyxl
from PySide6.QtWidgets import QFileDialog

from gridadmin.cli import main
from gridadmin.services.importing import import_job
from gridadmin.services.importing.template import HEADER_ROW, LISTS_SHEET, write_template
from gridadmin.services.common.progress import run_to_end
from tests import staffdata
from tests.test_import_staff import _staff, sid


def _column(ws, header: str) -> str:
    for cell in ws[HEADER_ROW]:
        if cell.value == header:
            return cell.column_letter
    raise AssertionError(f"no column {header}: {[c.value for c in ws[HEADER_ROW]]}")


def _validation_of(ws, letter: str):
    for dv in ws.data_validations.dataValidation:
        if any(str(r).startswith(f"{letter}{HEADER_ROW + 1}:") for r in dv.sqref.ranges):
            return dv
    return None


def _fill(path, kind: str, values: dict, db=None):
    """Write ``kind``'s template to ``path`` and fill its first data row."""
    write_template(kind, path, db)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for c, cell in enumerate(ws[HEADER_ROW], start=1):
        ws.cell(HEADER_ROW + 1, c, values.get(cell.value))
    wb.save(path)
    return path


def test_staff_template_layout(township_db, tmp_path):
    staffdata.grids(township_db)
    path = tmp_path / "网格员模板.xlsx"
    write_template("staff", path, township_db)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    lists = wb[LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers[:6] == ["序号", "社区/村", "所属网格", "网格编码", "姓名*", "身份证号码*"]
    assert "专兼职*" in headers and "联系电话" in headers
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    id_col, phone_col = _column(ws, "身份证号码*"), _column(ws, "联系电话")
    assert ws[f"{id_col}{HEADER_ROW + 1}"].number_format == "@" and ws[f"{phone_col}500"].number_format == "@"
    assert ws[f"{id_col}2"].value.startswith("必填") and ws.column_dimensions[id_col].width >= 20
    gender = _validation_of(ws, _column(ws, "性别"))
    assert gender.type == "list" and gender.formula1.startswith(f"'{LISTS_SHEET}'!$")
    letter = gender.formula1.split("!$")[1].split("$")[0]
    values = [c.value for c in lists[letter] if c.value]
    assert {"男", "女"} <= set(values)
    grid = _validation_of(ws, _column(ws, "所属网格"))
    grid_letter = grid.formula1.split("!$")[1].split("$")[0]
    # grid names repeat across communities: the list gives each grid with its community, once
    assert {"河街社区·第一网格", "河街社区·第二网格", "粮行社区·粮行网格"} <= {c.value for c in lists[grid_letter]}
    employment = _validation_of(ws, _column(ws, "专兼职*"))
    assert employment is not None
    assert _validation_of(ws, id_col) is None


def test_filled_staff_template_round_trips(township_db, tmp_path):
    staffdata.grids(township_db)
    values = {"序号": 1, "社区/村": "河街社区", "所属网格": "第一网格", "姓名*": "李云",
              "身份证号码*": sid(date(1985, 3, 2), 11), "性别": "男", "联系电话": "13812345678", "专兼职*": "专职",
              "政治面貌*": "中共党员", "文化程度*": "大学专科", "入职(登记)时间*": "2021.03.01", "状态": "在岗",
              "技能等级": "四级/中级工", "网格岗位": "专职网格员"}
    path = _fill(tmp_path / "t.xlsx", "staff", values, township_db)
    result = run_to_end(import_job(township_db, path, "staff", today=staffdata.TODAY))
    assert result.committed, [e.message for e in result.plan.errors]
    assert result.plan.header_row == HEADER_ROW and len(result.plan.rows) == 1
    assert _staff(township_db)["李云"][4] == "4"


def test_every_kind_has_a_template_and_the_cli_writes_one(tmp_path, capsys):
    for kind in ("residents", "grids", "staff"):
        out = tmp_path / f"{kind}.xlsx"
        assert main(["template", "--kind", kind, "--out", str(out)]) == 0
        ws = openpyxl.load_workbook(out).worksheets[0]
        assert any(str(c.value).endswith("*") for c in ws[HEADER_ROW])
    assert "已生成模板" in capsys.readouterr().out
    assert main(["template", "--kind", "staff", "--out", str(tmp_path / "x.txt")]) == 2


def test_wizard_template_button(qtbot, township_db, tmp_path, monkeypatch):
    from gridadmin.ui.importing.import_page import ImportPage

    page = ImportPage(township_db)
    qtbot.addWidget(page)
    target = tmp_path / "模板"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page.wizard.file_step.kind_buttons["grids"].click()
    page.wizard.file_step.template_button.click()
    saved = tmp_path / "模板.xlsx"
    assert saved.exists() and "已保存模板" in page.wizard.file_step.info.text()
    headers = [c.value for c in openpyxl.load_workbook(saved).worksheets[0][HEADER_ROW]]
    assert "网格名称*" in headers


def test_filled_residents_template_round_trips(township_db, tmp_path):
    staffdata.grids(township_db)
    values = {"社区/村": "河街社区", "网格": "第一网格", "户号*": "H1", "与户主关系*": "户主", "姓名*": "李云",
              "公民身份号码*": sid(date(1985, 3, 2), 11), "性别": "男", "民族": "汉族", "联系电话": "13812345678"}
    path = _fill(tmp_path / "r.xlsx", "residents", values)
    result = run_to_end(import_job(township_db, path, "residents"))
    assert result.committed and result.to_dict()["inserted"] == 1, [e.message for e in result.plan.errors]


def test_whole_columns_are_text_and_validated_past_row_1003(township_db, tmp_path):
    """Demo villages hold 1,100–4,500 people: the ID, phone and 户号 columns
    are text down to Excel's last row (the column's own style, which Excel
    and WPS give every cell typed or pasted later), and dropdowns validate
    the whole column below the header."""
    path = tmp_path / "户籍人口模板.xlsx"
    write_template("residents", path, township_db)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for header in ("公民身份号码*", "联系电话", "户号*"):
        letter = _column(ws, header)
        assert ws.column_dimensions[letter].number_format == "@", header
    gender = _validation_of(ws, _column(ws, "性别"))
    assert any(str(r).endswith(":" + _column(ws, "性别") + "1048576") for r in gender.sqref.ranges)
    # the saved XML carries the column style (numFmtId 49 is Excel's text format)
    import zipfile

    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert 'style="' in sheet[sheet.find("<cols>"):sheet.find("</cols>")]
    assert 'numFmtId="49"' in styles
