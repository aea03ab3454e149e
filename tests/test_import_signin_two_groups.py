"""Sign-in sheets (签到表) as printed: a merged title block over two
side-by-side groups of columns (序号 姓名 单位 联系电话 | 序号 姓名 单位
联系电话), two attendees a row. The attendance import reads one attendee
per row; messages name the Excel row and the group's own column; the error
export imports again after correcting."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from gridadmin.cli import main
from gridadmin.models import TrainingSession
from gridadmin.services.importing.history import undo_batch
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.attendance_groups import side_by_side, unfold_groups
from gridadmin.services.importing.reading import read_sheets
from gridadmin.services.importing.report import REASON_HEADER, write_error_report
from gridadmin.services.importing.xlsxscan import MSG_FORMULA
from gridadmin.services.common.progress import run_to_end
from tests import staffdata
from tests.test_import_attendance import _attendance, _counts, sid

TODAY = staffdata.TODAY
DAY = date(2025, 6, 10)
TITLE = ("培训名称：消防安全培训    主讲人：刘老师", "日期：2025年6月10日上午    学时：4    地点：东关街道会议室")
GROUP = ["序号", "姓名", "单位", "联系电话"]


@pytest.fixture
def crowd(township_db):
    """Staff: 李云, 王芳, two 张伟 (different phones), 刘洋, 陈静, 孙磊, 周敏."""
    return {"李云": staffdata.add(township_db, "李云", seq=11),
            "王芳": staffdata.add(township_db, "王芳", seq=22, phone="13900000022"),
            "张伟1": staffdata.add(township_db, "张伟", seq=31, phone="13900000031"),
            "张伟2": staffdata.add(township_db, "张伟", seq=33, phone="13900000033"),
            **{name: staffdata.add(township_db, name, seq=seq) for name, seq in
               (("刘洋", 51), ("陈静", 62), ("孙磊", 71), ("周敏", 82))}}


def two_groups(path, attendees, *, group=GROUP, spacer=False, across=False, title=TITLE):
    """A printed sign-in sheet: a merged banner and merged title rows over two
    copies of ``group`` side by side (an empty column between them when
    ``spacer``). ``attendees`` (dicts by header, or names) fill the left group
    down, then the right one (row by row when ``across``); 序号 numbers every
    place of the page in that order, the empty last one too."""
    attendees = [{"姓名": a} if isinstance(a, str) else a for a in attendees]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "签到表"
    right = len(group) + (1 if spacer else 0)  # 0-based first column of the right group
    width = right + len(group)
    ws.append(["东关街道网格员培训签到表"])
    for line in title:
        ws.append([line])
    for r in range(1, len(title) + 2):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    ws.append(group + ([None] if spacer else []) + group)
    rows = (len(attendees) + 1) // 2
    for r in range(rows):
        line = [None] * width
        for side, offset in ((0, 0), (1, right)):
            number = 2 * r + side + 1 if across else side * rows + r + 1
            values = attendees[number - 1] if number <= len(attendees) else {}
            for j, header in enumerate(group):
                line[offset + j] = number if header == "序号" else values.get(header)
        ws.append(line)
    wb.save(path)
    return path


def _names(plan) -> list[tuple[int, str]]:
    return [(r.row, r.record.get("name")) for r in plan.rows]


def test_two_groups_under_a_merged_title_import_every_attendee(township_db, crowd, tmp_path):
    names = ["李云", "王芳", "刘洋", "陈静", "孙磊", "周敏"]
    path = two_groups(tmp_path / "签到表.xlsx", names)
    plan = plan_import(township_db, path, "attendance", today=TODAY)
    assert plan.header_row == 4 and plan.headers == GROUP  # the first group's columns, once
    assert _names(plan) == [(5, "李云"), (6, "王芳"), (7, "刘洋"), (5, "陈静"), (6, "孙磊"), (7, "周敏")]
    assert [r.status for r in plan.rows] == ["new"] * 6 and not plan.errors
    assert plan.extra["notes"] == ["将新建培训“消防安全培训”（2025-06-10，4 学时）"]
    result = run_to_end(import_job(township_db, path, "attendance", today=TODAY))
    assert result.committed and result.to_dict()["inserted"] == 6
    assert set(_attendance(township_db)) == {("消防安全培训", DAY, crowd[n]) for n in names}
    with township_db.session() as s:
        training = s.scalars(select(TrainingSession)).one()
        assert (training.hours, training.trainer, training.place) == (4.0, "刘老师", "东关街道会议室")

    again = run_to_end(import_job(township_db, path, "attendance", today=TODAY))
    assert again.to_dict()["unchanged"] == 6 and again.to_dict()["inserted"] == 0
    undo_batch(township_db, result.batch_id)
    assert _counts(township_db) == (0, 0)


def test_odd_count_leaves_the_last_right_half_blank_and_skipped(township_db, crowd, tmp_path):
    path = two_groups(tmp_path / "odd.xlsx", ["李云", "王芳", "刘洋", "陈静", "孙磊"])
    sheet = read_sheets(path)[0]
    assert sheet.rows[6][4:] == [6, "", "", ""]  # the pre-numbered empty place
    plan = plan_import(township_db, path, "attendance", today=TODAY)
    assert _names(plan) == [(5, "李云"), (6, "王芳"), (7, "刘洋"), (5, "陈静"), (6, "孙磊")]
    assert not plan.errors and not [w for r in plan.rows for w in r.warnings]
    assert run_to_end(import_job(township_db, path, "attendance", today=TODAY)).to_dict()["inserted"] == 5


def test_spacer_column_and_more_columns_in_each_group(township_db, crowd, tmp_path):
    group = ["序号", "姓名", "身份证号码", "联系电话", "签名"]
    attendees = [{"姓名": "张伟", "身份证号码": sid(31)}, {"姓名": "李云", "签名": "李云"},
                 {"姓名": "张伟", "身份证号码": sid(33)}, {"姓名": "王芳", "联系电话": "13900000022"}]
    path = two_groups(tmp_path / "gap.xlsx", attendees, group=group, spacer=True)
    groups = side_by_side(read_sheets(path)[0].rows[3])
    assert groups.starts == (0, 6) and groups.columns == [[0, 1, 2, 3, 4], [6, 7, 8, 9, 10]]
    plan = plan_import(township_db, path, "attendance", today=TODAY)
    assert plan.headers == group and not plan.errors
    assert [r.target_id for r in plan.rows] == [crowd["张伟1"], crowd["李云"], crowd["张伟2"], crowd["王芳"]]
    assert [r.row for r in plan.rows] == [5, 6, 5, 6]


def test_numbers_running_across_the_rows_keep_that_order(township_db, crowd, tmp_path):
    names = ["李云", "王芳", "刘洋", "陈静", "孙磊"]
    path = two_groups(tmp_path / "across.xlsx", names, across=True)
    plan = plan_import(township_db, path, "attendance", today=TODAY)
    assert _names(plan) == [(5, "李云"), (5, "王芳"), (6, "刘洋"), (6, "陈静"), (7, "孙磊")]
    assert not plan.errors


def test_single_group_sheet_is_not_unfolded(tmp_path):
    path = tmp_path / "one.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(GROUP)
    wb.active.append([1, "李云", "河街社区", "13800138000"])
    wb.save(path)
    sheet = read_sheets(path)[0]
    assert unfold_groups(sheet) is sheet


def _messy(tmp_path):
    """Left: 李云, 王芳, 刘洋 (all fine). Right: 陈静 with a bad phone, 钱七
    (unknown), 孙磊 whose phone is a formula without a saved result."""
    attendees = ["李云", "王芳", "刘洋", {"姓名": "陈静", "联系电话": "1380013800"}, "钱七",
                 {"姓名": "孙磊", "联系电话": "=NA()"}]
    return two_groups(tmp_path / "错.xlsx", attendees)


def test_right_hand_errors_name_the_excel_row_and_the_right_groups_cell(township_db, crowd, tmp_path):
    result = run_to_end(import_job(township_db, _messy(tmp_path), "attendance", today=TODAY))
    assert not result.committed and _counts(township_db) == (0, 0)
    assert [r.status for r in result.plan.rows] == ["new", "new", "new", "error", "error", "error"]
    errors = [(e.row, e.column, e.value, e.message) for e in result.plan.errors]
    assert errors[0][:3] == (5, "联系电话（H列）", "1380013800") and "不是有效的电话号码" in errors[0][3]
    assert errors[1][:3] == (6, "姓名（F列）", "钱七") and "没有“钱七”" in errors[1][3]
    assert errors[2] == (7, "联系电话（H列）", "", MSG_FORMULA)  # 刘洋 on the same row (left) is fine
    assert len(errors) == 3


def test_the_same_person_on_both_sides_of_a_row(township_db, crowd, tmp_path):
    plan = plan_import(township_db, two_groups(tmp_path / "twice.xlsx", ["李云", "王芳", "李云"]),
                       "attendance", today=TODAY)
    messages = [(e.row, e.column, e.message) for e in plan.errors]
    assert messages == [(5, "姓名（B列）", "与第 5 行“姓名（F列）”是同一人，同一人在一次培训中只能签到一次"),
                        (5, "姓名（F列）", "与第 5 行“姓名（B列）”是同一人，同一人在一次培训中只能签到一次")]


def test_error_export_is_one_attendee_a_row_and_imports_again(township_db, crowd, tmp_path):
    first = run_to_end(import_job(township_db, _messy(tmp_path), "attendance", skip_errors=True, today=TODAY))
    assert first.committed and _counts(township_db) == (1, 3)
    out = tmp_path / "错误行.xlsx"
    assert write_error_report(first.plan, out) == 3
    ws = openpyxl.load_workbook(out).active
    lines = [[c.value for c in row] for row in ws.iter_rows()]
    assert lines[0][0] == "培训名称：消防安全培训    培训日期：2025-06-10    学时：4    主讲人：刘老师    地点：东关街道会议室"
    assert lines[1] == ["原行号", *GROUP, REASON_HEADER]
    assert [line[:5] for line in lines[2:]] == [[5, 4, "陈静", None, "1380013800"], [6, 5, "钱七", None, None],
                                                [7, 6, "孙磊", None, None]]
    assert lines[2][5].startswith("联系电话（H列）：") and lines[4][5] == f"联系电话（H列）：{MSG_FORMULA}"

    ws["E3"] = "13812345678"  # the clerk corrects the file and imports it again
    ws["C4"] = "周敏"
    ws["E5"] = "13812345678"
    ws.parent.save(out)
    again = run_to_end(import_job(township_db, out, "attendance", today=TODAY))
    assert again.committed and again.to_dict()["inserted"] == 3, [e.message for e in again.plan.errors]
    assert _counts(township_db) == (1, 6)  # the same session
    assert {key[2] for key in _attendance(township_db)} == {crowd[n] for n in ("李云", "王芳", "刘洋", "陈静", "周敏",
                                                                               "孙磊")}


def test_dry_run_counts_equal_the_commits(township_db, crowd, tmp_path):
    path = two_groups(tmp_path / "dry.xlsx", ["李云", "王芳", "刘洋", "钱七", "孙磊"])
    planned = plan_import(township_db, path, "attendance", today=TODAY).counts()
    dry = run_to_end(import_job(township_db, path, "attendance", dry_run=True, today=TODAY))
    assert not dry.committed and dry.plan.counts() == planned and _counts(township_db) == (0, 0)
    done = run_to_end(import_job(township_db, path, "attendance", skip_errors=True, today=TODAY))
    assert done.committed and done.plan.counts() == planned
    assert planned == {"rows": 5, "inserted": 4, "updated": 0, "unchanged": 0, "skipped": 1, "errors": 1}
    assert _counts(township_db) == (1, 4)


def test_cli_counts_a_two_group_sheet(township_db, crowd, tmp_path, capsys, cli_login):
    login = cli_login(township_db)
    path = two_groups(tmp_path / "cli.xlsx", ["李云", "王芳", "刘洋", "陈静", "孙磊"], spacer=True)
    assert main(["import", "--db", township_db.url, "--kind", "attendance", str(path), "--json", "--dry-run", *login]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["rows"], out["inserted"], out["committed"], out["errors"]) == (5, 5, False, [])
    assert main(["import", "--db", township_db.url, "--kind", "attendance", str(path), "--json", *login]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["rows"], out["inserted"], out["committed"]) == (5, 5, True)
    assert _counts(township_db) == (1, 5)


def test_wizard_shows_the_first_group_once_and_its_mapping_applies_to_both(qtbot, township_db, crowd, tmp_path,
                                                                              monkeypatch):
    from gridadmin.ui.importing.wizard import STEP_MAPPING, STEP_PREVIEW, STEP_RESULT
    from tests.test_import_page import _choose, _page

    path = two_groups(tmp_path / "签到表.xlsx", ["李云", "王芳", "刘洋", {"姓名": "陈静", "联系电话": "1380013800"}])
    page = _page(qtbot, township_db)
    wizard = page.wizard
    wizard.file_step.kind_buttons["attendance"].click()
    _choose(page, monkeypatch, path)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    mapping = wizard.mapping_step
    assert wizard.step() == STEP_MAPPING
    assert mapping.table.rowCount() == 4 and [mapping.table.item(r, 1).text() for r in range(4)] == GROUP
    assert "并排的 2 组列（分别从 A、E 列开始）" in mapping.intro.text()
    assert mapping.chosen() == {"seq": 0, "name": 1, "phone": 3}

    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_PREVIEW and wizard.preview_step.counts["error"] == 1
    assert wizard.plan.errors[0].column == "联系电话（H列）"

    qtbot.mouseClick(wizard.back_button, Qt.MouseButton.LeftButton)
    mapping.choose(3, None)  # 联系电话 not imported: for the right group too
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.preview_step.counts == {"rows": 4, "new": 4, "update": 0, "unchanged": 0, "skip": 0, "error": 0}
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT and _counts(township_db) == (1, 4)
