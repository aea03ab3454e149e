"""The ``attendance`` kind: a training sign-in sheet with the session in
title rows or columns; attendees matched by ID number or name; row errors
for unknown, ambiguous, repeated and departed people; undo of a batch."""

from __future__ import annotations

import json
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from gridadmin.cli import main
from gridadmin.models import Attendance, TrainingSession
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.importing.history import undo_batch
from gridadmin.services.importing import FileRefused, import_job, plan_import
from gridadmin.services.importing.attendance_sheet import title_facts
from gridadmin.services.importing.template import template_columns
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.training.sessions import SessionInput, create_session
from tests import staffdata

TODAY = staffdata.TODAY
HEADERS = ["序号", "姓  名", "身份证号", "联系电话", "状态", "成绩", "是否合格", "证书编号"]


def sid(seq: int, born: date = date(1985, 3, 2)) -> str:
    return make_id_number("411302", born, seq)


@pytest.fixture
def people(township_db):
    """李云, 王芳, two 张伟 (different phones), 赵四 who left on 2025-03-01."""
    return {
        "李云": staffdata.add(township_db, "李云", seq=11),
        "王芳": staffdata.add(township_db, "王芳", seq=22, phone="13900000022"),
        "张伟1": staffdata.add(township_db, "张伟", seq=31, phone="13900000031"),
        "张伟2": staffdata.add(township_db, "张伟", seq=33, phone="13900000033"),
        "赵四": staffdata.add(township_db, "赵四", seq=41, status="离职", left_on=date(2025, 3, 1)),
    }


def sign_in(path, rows, *, title=("培训名称：消防安全培训    日期：2025年6月10日    学时：4",), headers=HEADERS):
    """A sign-in sheet: a title block (each entry one row; a tuple entry is
    several cells) above ``headers``; ``rows`` are dicts by header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "签到表"
    ws.append(["东关街道网格员培训签到表"])
    for line in title:
        ws.append(list(line) if isinstance(line, tuple) else [line])
    ws.append(headers)
    for i, values in enumerate(rows, start=1):
        ws.append([float(i) if h == "序号" else values.get(h) for h in headers])
    wb.save(path)
    return path


def _attendance(db) -> dict:
    with db.session() as s:
        return {(r.name, r.start_date, r.staff_id): (r.status, r.hours_credited, r.score, r.passed, r.certificate_no)
                for r in s.execute(select(TrainingSession.name, TrainingSession.start_date, Attendance.staff_id,
                                          Attendance.status, Attendance.hours_credited, Attendance.score,
                                          Attendance.passed, Attendance.certificate_no)
                                   .join(Attendance, Attendance.session_id == TrainingSession.id))}


def _counts(db) -> tuple[int, int]:
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(TrainingSession)),
                s.scalar(select(func.count()).select_from(Attendance)))


def test_title_rows_create_the_session_and_attendance(township_db, people, tmp_path):
    rows = [{"姓  名": "李  云", "身份证号": sid(11), "成绩": 92.0, "是否合格": "合格", "证书编号": "XF-001"},
            {"姓  名": "王芳", "联系电话": 13900000022.0, "状态": "请假"},
            {"姓  名": "张伟", "联系电话": "13900000033", "状态": "缺席"}]
    path = sign_in(tmp_path / "签到.xlsx", rows)
    plan = plan_import(township_db, path, "attendance", today=TODAY)
    assert [r.status for r in plan.rows] == ["new", "new", "new"], [e.message for e in plan.errors]
    assert plan.extra["notes"] == ["将新建培训“消防安全培训”（2025-06-10，4 学时）"]
    assert _counts(township_db) == (0, 0)  # the dry run writes nothing
    result = run_to_end(import_job(township_db, path, "attendance", today=TODAY))
    assert result.committed and result.to_dict()["inserted"] == 3
    day = date(2025, 6, 10)
    assert _attendance(township_db) == {("消防安全培训", day, people["李云"]): ("present", 4.0, 92.0, True, "XF-001"),
                               ("消防安全培训", day, people["王芳"]): ("excused", 0.0, None, None, None),
                               ("消防安全培训", day, people["张伟2"]): ("absent", 0.0, None, None, None)}

    # The same sheet again: unchanged; a changed status updates the stored mark.
    rows[1]["状态"] = "出席"
    again = run_to_end(import_job(township_db, sign_in(tmp_path / "b.xlsx", rows), "attendance", today=TODAY))
    assert again.to_dict()["updated"] == 1 and again.to_dict()["unchanged"] == 2
    assert again.plan.rows[1].changes["status"] == ("状态", "请假", "出席")
    assert _attendance(township_db)[("消防安全培训", day, people["王芳"])][:2] == ("present", 4.0)
    assert _counts(township_db) == (1, 3)

    undo_batch(township_db, again.batch_id)
    assert _attendance(township_db)[("消防安全培训", day, people["王芳"])][:2] == ("excused", 0.0)
    undo_batch(township_db, result.batch_id)
    assert _counts(township_db) == (0, 0)  # the session the import created is gone too


def test_session_columns_and_an_existing_session(township_db, people, tmp_path):
    session_id = create_session(township_db, SessionInput("信息采集培训", date(2025, 5, 8), None, 3.0))
    headers = ["培训名称", "培训日期", "学时", "姓名", "身份证号码", "认定学时"]
    rows = [{"培训名称": "信息采集培训", "培训日期": datetime(2025, 5, 8), "学时": 3.0, "姓名": "李云",
             "身份证号码": sid(11), "认定学时": 2.0},
            {"姓名": "王芳", "身份证号码": sid(22)},  # session cells left blank: filled down
            {"培训名称": "信息采集培训", "培训日期": "2025.05.09", "姓名": "张伟", "身份证号码": sid(31)}]
    path = sign_in(tmp_path / "c.xlsx", rows, title=(), headers=headers)
    plan = plan_import(township_db, path, "attendance", today=TODAY)
    assert plan.extra["session_id"] == session_id
    assert [r.status for r in plan.rows] == ["new", "new", "error"]
    assert [e.to_dict() for e in plan.errors] == [
        {"row": 5, "column": "培训日期", "value": "2025-05-09",
         "message": "与第 3 行的培训日期“2025-05-08”不同：一个文件只能导入一次培训的签到"}]
    result = run_to_end(import_job(township_db, path, "attendance", skip_errors=True, today=TODAY))
    assert result.committed and _counts(township_db) == (1, 2)
    assert _attendance(township_db)[("信息采集培训", date(2025, 5, 8), people["李云"])][:2] == ("present", 2.0)


def test_row_errors_name_row_column_and_value_and_nothing_is_written(township_db, people, tmp_path):
    rows = [{"姓  名": "李云", "身份证号": sid(11)},
            {"姓  名": "钱七"},  # unknown
            {"姓  名": "张伟"},  # two 张伟, no ID, no phone
            {"姓  名": "李云"},  # the same person again
            {"姓  名": "赵四", "身份证号": sid(41)},  # left 2025-03-01
            {"姓  名": "王芳", "身份证号": sid(22), "成绩": 120.0},
            {"姓  名": "王芳", "身份证号": sid(99)}]  # ID of nobody
    path = sign_in(tmp_path / "e.xlsx", rows)
    result = run_to_end(import_job(township_db, path, "attendance", today=TODAY))
    assert not result.committed and _counts(township_db) == (0, 0)
    errors = [(e.row, e.column, e.value, e.message) for e in result.plan.errors]
    by_row = {}
    for row, column, value, message in errors:
        by_row.setdefault(row, []).append((column, value, message))
    assert sorted(by_row) == [4, 5, 6, 7, 8, 9, 10]
    assert by_row[4] == [("姓 名", "李云", "与第 7 行是同一人，同一人在一次培训中只能签到一次")]
    assert by_row[7] == [("姓 名", "李云", "与第 4 行是同一人，同一人在一次培训中只能签到一次")]
    assert by_row[5][0][:2] == ("姓 名", "钱七") and "没有“钱七”" in by_row[5][0][2]
    assert by_row[6] == [("姓 名", "张伟", "名册中有 2 名网格员叫“张伟”，无法确定是哪一位，请填写身份证号")]
    assert by_row[8] == [("姓 名", "赵四", "“赵四”已于 2025-03-01 离职，不能参加 2025-06-10 的培训")]
    assert by_row[9] == [("成绩", "120", "考试成绩“120”应在 0–100 之间")]
    assert by_row[10][0][:2] == ("身份证号", sid(99)) and "没有此身份证号码" in by_row[10][0][2]
    assert result.plan.rows[0].status == "error"


def test_title_block_in_label_and_value_cells(township_db, people, tmp_path):
    title = (("培训名称：", "矛盾调解实务", None, "培训时间", datetime(2025, 6, 2)),
             ("学时:", "2.5学时", "主讲人：", "刘老师", "地点：社区会议室"))
    path = sign_in(tmp_path / "f.xlsx", [{"姓  名": "李云"}], title=title)
    wb = openpyxl.load_workbook(path)
    facts = title_facts([[c.value for c in r] for r in wb.active.iter_rows()], 3)
    assert facts.values == {"session_name": "矛盾调解实务", "session_date": date(2025, 6, 2), "hours": 2.5,
                            "trainer": "刘老师", "place": "社区会议室"}
    result = run_to_end(import_job(township_db, path, "attendance", today=TODAY))
    assert result.committed
    with township_db.session() as s:
        training = s.scalars(select(TrainingSession)).one()
        assert (training.name, training.hours, training.trainer, training.place) == \
            ("矛盾调解实务", 2.5, "刘老师", "社区会议室")


def test_session_problems(township_db, people, tmp_path):
    with pytest.raises(FileRefused, match="培训名称"):
        plan_import(township_db, sign_in(tmp_path / "g.xlsx", [{"姓  名": "李云"}], title=("日期：2025.6.1",)),
                    "attendance", today=TODAY)
    plan = plan_import(township_db, sign_in(tmp_path / "h.xlsx", [{"姓  名": "李云"}, {"姓  名": "王芳"}],
                                   title=("培训名称：应急处置  日期：2025.6.1",)), "attendance", today=TODAY)
    assert [r.status for r in plan.rows] == ["error", "error"]
    first = plan.errors[0]
    assert (first.row, first.column, first.value) == (2, "培训名称", "应急处置") and "须写明学时" in first.message
    plan = plan_import(township_db, sign_in(tmp_path / "i.xlsx", [{"姓  名": "李云"}],
                                   title=("培训名称：应急处置  日期：2025.13.1  学时：2",)), "attendance", today=TODAY)
    assert (plan.errors[0].row, plan.errors[0].column, plan.errors[0].value) == (2, "日期", "2025.13.1")


def test_cli_and_template(township_db, people, tmp_path, capsys, cli_login):
    login = cli_login(township_db)
    path = sign_in(tmp_path / "j.xlsx", [{"姓  名": "李云"}, {"姓  名": "钱七"}])
    code = main(["import", "--db", township_db.url, "--kind", "attendance", str(path), "--json", *login])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["committed"] is False and out["errors"][0]["row"] == 5
    assert main(["import", "--db", township_db.url, "--kind", "attendance", str(path), "--json", "--skip-errors", *login]) == 1
    assert json.loads(capsys.readouterr().out)["inserted"] == 1 and _counts(township_db) == (1, 1)
    columns = {c.key: c for c in template_columns("attendance")}
    assert columns["name"].header == "姓名*" and columns["attendance_status"].choices == ("出席", "缺席", "请假")
    out_path = tmp_path / "t.xlsx"
    assert main(["template", "--kind", "attendance", "--out", str(out_path)]) == 0
    headers = [c.value for c in openpyxl.load_workbook(out_path).active[3]]
    assert headers[:5] == ["序号", "培训名称", "培训日期", "学时", "姓名*"]


def test_attendance_kind_through_the_wizard(qtbot, township_db, people, tmp_path, monkeypatch):
    from PySide6.QtCore import Qt

    from gridadmin.ui.importing.wizard import STEP_RESULT
    from tests.test_import_page import _page, _to_preview

    path = sign_in(tmp_path / "签到表.xlsx", [{"姓  名": "李云"}, {"姓  名": "王芳", "状态": "请假"}])
    page = _page(qtbot, township_db)
    wizard = page.wizard
    wizard.file_step.kind_buttons["attendance"].click()
    assert wizard.file_step.kind_buttons["attendance"].text() == "培训签到"
    _to_preview(qtbot, page, monkeypatch, path)
    assert wizard.preview_step.counts["new"] == 2
    assert "将新建培训“消防安全培训”" in wizard.preview_step.intro.text()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT and _counts(township_db) == (1, 2)
    page.history.refresh()
    assert page.history.row_texts(0)[3] == "培训签到"


def test_session_names_differing_in_spacing_or_width_are_the_same_session(township_db, people, tmp_path):
    first = sign_in(tmp_path / "a.xlsx", [{"姓  名": "李云"}],
                    title=("培训名称：心理危机识别与干预（第2期）    日期：2025年6月10日    学时：4",))
    assert run_to_end(import_job(township_db, first, "attendance", today=TODAY)).committed
    second = sign_in(tmp_path / "b.xlsx", [{"姓  名": "李云"}, {"姓  名": "王芳"}],
                     title=("培训名称：心理危机识别与干预  (第２期)    日期：2025年6月10日    学时：4",))
    result = run_to_end(import_job(township_db, second, "attendance", today=TODAY))
    assert result.committed and (result.to_dict()["inserted"], result.to_dict()["unchanged"]) == (1, 1)
    notes = result.to_dict()["notes"]
    assert notes[0].startswith("签到记入已有的培训“心理危机识别与干预（第2期）”") and "只差空格或全角/半角" in notes[1]
    with township_db.session() as s:
        assert s.scalar(select(func.count()).select_from(TrainingSession)) == 1
        assert s.scalar(select(func.sum(Attendance.hours_credited))) == 8


def test_future_session_is_refused_and_one_before_hire_warns(township_db, people, tmp_path):
    future = sign_in(tmp_path / "a.xlsx", [{"姓  名": "李云"}],
                     title=("培训名称：消防安全培训    日期：2025年7月10日    学时：4",))
    plan = plan_import(township_db, future, "attendance", today=TODAY)
    first = plan.errors[0]
    assert (first.value, first.message) == ("2025年7月10日", "培训日期 2025-07-10 晚于今天：尚未举行的培训不能登记签到")
    early = sign_in(tmp_path / "b.xlsx", [{"姓  名": "李云"}],
                    title=("培训名称：消防安全培训    日期：2019年7月10日    学时：4",))
    plan = plan_import(township_db, early, "attendance", today=TODAY)
    assert plan.rows[0].status == "new"
    warning = plan.rows[0].warnings[0]
    assert (warning.row, warning.column, warning.value) == (4, "姓 名", "李云") and "早于“李云”的入职时间 2020-01-01" in warning.message


def test_absent_with_marks_and_a_shared_certificate_are_row_errors(township_db, people, tmp_path):
    rows = [{"姓  名": "李云", "状态": "缺席", "成绩": 92, "是否合格": "合格", "证书编号": "ZS-9"},
            {"姓  名": "王芳", "证书编号": "ZS-7"},
            {"姓  名": "张伟", "联系电话": "13900000031", "证书编号": "ZS-7"},
            {"姓  名": "张伟", "联系电话": "13900000033", "状态": "请假", "是否合格": "不合格"}]
    plan = plan_import(township_db, sign_in(tmp_path / "a.xlsx", rows), "attendance", today=TODAY)
    issues = {(e.row, e.column): (e.value, e.message) for e in plan.errors}
    assert issues[(4, "成绩")] == ("92", "状态为“缺席”，不应有成绩")
    assert issues[(4, "是否合格")] == ("合格", "状态为“缺席”，不应评为合格")
    assert issues[(4, "证书编号")] == ("ZS-9", "状态为“缺席”，不应有证书编号")
    assert issues[(5, "证书编号")][1].startswith("与第 6 行重复") and issues[(6, "证书编号")][1].startswith("与第 5 行")
    assert [r.status for r in plan.rows] == ["error", "error", "error", "new"]
