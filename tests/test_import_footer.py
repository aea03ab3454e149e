"""Footer rows (制表人/审核人, 填表说明, 合计, 填表日期) end the table in every
import kind and layout: left out with a note in the preview and the CLI
output; data after them is an error row, never silently dropped."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
from sqlalchemy import func, select

from gridadmin.cli import main
from gridadmin.models import Person
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.footer import footer_label
from gridadmin.services.importing.overview import inspect_file
from tests import staffdata
from tests.test_import_grids import _grids_file
from tests.test_import_page import grid_db  # noqa: F401 - 河街社区 with 一网格
from tests.test_import_signin_two_groups import crowd, two_groups  # noqa: F401 - fixture
from tests.test_import_staff import roster, row as staff_row
from tests.test_import_support import person, pid, write_workbook
from tests.test_import_wide import wide_book, _rows as wide_rows

TODAY = date(2025, 6, 1)
FOOTER = [[], ["合计", None, None, None, None, "4人"], ["制表人：张三", None, None, None, "审核人：李四"],
          ["填表说明：", None, None], ["1、身份证号码请填写 18 位。"], ["填表日期：2025年5月30日"]]


def _family():
    return [person("H1", "户主", "李云", date(1980, 1, 2), 11), person("H1", "妻", "王芳", date(1981, 3, 4), 22),
            person("H1", "子", "李小云", date(2010, 5, 6), 33), person("H2", "户主", "张三", date(1960, 5, 6), 35)]


def add_rows(path, rows):
    """Append ``rows`` under the sheet's last row (as a clerk's sheet ends)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    last = ws.max_row
    for i, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            ws.cell(last + i, c, value)
    wb.save(path)
    return last


def test_footer_is_left_out_and_said_so_in_the_plan(grid_db, tmp_path):
    path = write_workbook(tmp_path / "人口.xlsx", _family())
    last = add_rows(path, FOOTER)  # data on rows 4-7, a blank row 8, footer 9-13
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    assert [r.row for r in plan.rows] == [4, 5, 6, 7] and not plan.errors
    note = f"第 {last + 1}–{last + len(FOOTER)} 行为表尾（合计/制表人/填表说明/填表日期），未导入"
    assert plan.extra["notes"] == [note]
    result = run_to_end(import_job(grid_db, path, "residents", today=TODAY))
    assert result.committed and result.to_dict()["inserted"] == 4 and result.to_dict()["notes"] == [note]
    overview = inspect_file(path, "residents")
    assert overview.data_rows == 4 and note in overview.note


def test_data_after_the_footer_is_an_error_row(grid_db, tmp_path):
    path = write_workbook(tmp_path / "人口.xlsx", _family())
    stray = person("H3", "户主", "赵敏", date(1970, 7, 8), 44)
    headers = [c.value for c in openpyxl.load_workbook(path).active[3]]
    last = add_rows(path, [["制表人：张三"], [], [stray.get(h) for h in headers]])
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    bad = plan.rows[-1]
    assert (bad.row, bad.status) == (last + 3, "error")
    assert bad.errors[0].message.startswith(f"这一行在表尾（第 {last + 1} 行“制表人”）之后")
    assert plan.extra["notes"] == [f"第 {last + 1} 行为表尾（制表人），未导入"]  # the stray row is an error instead
    refused = run_to_end(import_job(grid_db, path, "residents", today=TODAY))
    assert not refused.committed
    skipped = run_to_end(import_job(grid_db, path, "residents", today=TODAY, skip_errors=True))
    assert skipped.committed and skipped.to_dict()["inserted"] == 4 and skipped.to_dict()["errors"][0]["row"] == last + 3


def test_a_person_named_heji_in_a_complete_row_is_data_a_sum_row_is_not():
    assert footer_label(["合计", "411302198001020011", "男", "汉族", "河街1号"]) is None
    assert footer_label([None, "合计", None, "12", 34.0, "5户", "1,234人"]) == "合计"
    assert footer_label(["合  计：", "12"]) == "合计"
    assert footer_label(["", "制表人", "张三"]) == "制表人"
    assert footer_label(["单雄", "男"]) is None and footer_label([1.0, "制表人"]) is None


def test_person_named_heji_is_imported(grid_db, tmp_path):
    rows = _family()
    rows[3] = person("H2", "户主", "合计", date(1960, 5, 6), 35)
    headers = ["序号", "姓  名*", "社区*", "网格*", "户号*", "与户主\n关系*", "公民身份号码*", "性别", "出生日期", "民族"]
    path = write_workbook(tmp_path / "人口.xlsx", rows, headers=headers, merge_community=False)
    wb = openpyxl.load_workbook(path)
    wb.active.cell(7, 1).value = None  # no 序号: 合计 is the row's first value
    wb.save(path)
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    assert [r.record.get("name") for r in plan.rows] == ["李云", "王芳", "李小云", "合计"] and not plan.errors
    assert "notes" not in plan.extra


def test_wide_household_layout(grid_db, tmp_path):
    path = wide_book(tmp_path / "每户一行.xlsx", wide_rows())
    last = add_rows(path, [[], [None, "合计", None, None, None, "2户"], ["制表人：张三", None, None, None, None,
                                                                        "审核人：李四"]])
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    assert len(plan.rows) == 5 and not plan.errors
    assert plan.extra["notes"] == [f"第 {last + 1}–{last + 3} 行为表尾（合计/制表人），未导入"]


def test_staff_grids_and_sign_in_sheets(township_db, crowd, tmp_path):  # noqa: F811 - fixture
    path = roster(tmp_path / "花名册.xlsx", [staff_row("李明", date(1985, 3, 2), 71)])
    last = add_rows(path, [["制表人：张三", None, None, "审核人：李四"], ["填表日期：2025.5.30"]])
    plan = plan_import(township_db, path, "staff", today=staffdata.TODAY)
    assert [r.row for r in plan.rows] == [3] and all(e.row == 3 for e in plan.errors)
    assert plan.extra["notes"][0] == f"第 {last + 1}–{last + 2} 行为表尾（制表人/填表日期），未导入"

    path = _grids_file(tmp_path / "网格.xlsx", [["河街社区", "新一网格", None, "城市社区网格"]])
    last = add_rows(path, [["合计", None, "1"], [], ["说明：网格编码可不填"]])
    plan = plan_import(township_db, path, "grids")
    assert len(plan.rows) == 1 and not plan.errors
    assert plan.extra["notes"] == [f"第 {last + 1}–{last + 3} 行为表尾（合计/说明），未导入"]

    path = two_groups(tmp_path / "签到表.xlsx", ["李云", "王芳", "刘洋"])
    last = add_rows(path, [[], ["制表人：张三", None, None, None, "审核人：李四"], ["注：请本人签字"],
                           [5, "孙磊", "东关街道", None]])
    plan = plan_import(township_db, path, "attendance", today=staffdata.TODAY)
    assert [r.record.get("name") for r in plan.rows] == ["李云", "王芳", "刘洋", None]
    assert (plan.rows[-1].status, plan.rows[-1].row) == ("error", last + 4)  # data after the footer
    assert plan.extra["notes"][0] == f"第 {last + 1}–{last + 3} 行为表尾（制表人/注），未导入"


def test_csv_and_cli_output(grid_db, tmp_path, capsys, cli_login):
    lines = ["序号,社区,网格,户号,与户主关系,姓名,公民身份号码,性别",
             f"1,河街社区,一网格,H1,户主,李云,{pid(date(1980, 1, 2), 11)},男", ",,,,,,,",
             "制表人：张三,,,审核人：李四,,,,", "合计,,,,,1人,,"]
    path = tmp_path / "人口.csv"
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    login = cli_login(grid_db)
    db_path = grid_db.url.split("sqlite:///", 1)[-1] if grid_db.url.startswith("sqlite") else grid_db.url
    assert main(["import", "--db", db_path, "--kind", "residents", str(path), "--json", *login]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["inserted"] == 1 and out["notes"] == ["第 3–5 行为表尾（制表人/合计），未导入"]
    with grid_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 1
    assert main(["import", "--db", db_path, "--kind", "residents", str(path), "--dry-run", *login]) == 0
    assert "第 3–5 行为表尾（制表人/合计），未导入" in capsys.readouterr().out


def test_wizard_shows_samples_as_read_and_the_footer_note(qtbot, grid_db, tmp_path, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog

    from gridadmin.ui.importing.import_page import ImportPage
    from gridadmin.ui.importing.mapping_step import COL_SAMPLE
    from gridadmin.ui.importing.wizard import STEP_MAPPING, STEP_PREVIEW

    rows = _family()
    lost = float(pid(date(1980, 1, 2), 11)[:17] + "0")  # an ID typed into a number cell
    rows[0] = person("H1", "户主", "李  云", date(1980, 1, 2), 11, 联系电话=13800138000.0, **{"公民身份号码*": lost})
    path = write_workbook(tmp_path / "人口.xlsx", rows)
    last = add_rows(path, FOOTER)
    page = ImportPage(grid_db)
    qtbot.addWidget(page)
    page.resize(1024, 768)
    page.show()
    wizard = page.wizard
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    wizard.file_step.choose_button.click()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_MAPPING
    mapping = wizard.mapping_step
    headers = [mapping.table.item(r, 1).text() for r in range(mapping.table.rowCount())]
    sample = {h: mapping.table.item(r, COL_SAMPLE).text() for r, h in enumerate(headers)}
    id_column = headers.index("公民身份号码*")
    assert sample["公民身份号码*"].startswith("无法导入：") and "e+17" not in sample["公民身份号码*"]
    assert "被 Excel 存成了数字" in sample["公民身份号码*"]
    assert sample["联系电话"] == "13800138000" and sample["姓 名*"] == "李云" and sample["出生日期"] == "1980-01-02"
    note = f"第 {last + 1}–{last + len(FOOTER)} 行为表尾（合计/制表人/填表说明/填表日期），未导入"
    assert note in mapping.intro.text()
    mapping.choose(id_column, None)  # not imported: the cell as it is
    assert mapping.table.item(id_column, COL_SAMPLE).text() == f"{lost:.15G}"  # as Excel shows it
    mapping.choose(id_column, "id_number")
    assert mapping.table.item(id_column, COL_SAMPLE).text().startswith("无法导入：")
    page.grab().save(str(tmp_path / "mapping.png"))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_PREVIEW
    assert note + "。" in wizard.preview_step.intro.text()
    assert wizard.plan.rows[0].errors and [r.row for r in wizard.plan.rows] == [4, 5, 6, 7]
