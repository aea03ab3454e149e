"""The ``staff`` kind: roster rows validated by the staff service, matched
by ID number, new people assigned to their grid; undo of a staff batch."""

from __future__ import annotations

from datetime import date

import openpyxl
from sqlalchemy import func, select

from gridadmin.models import Staff, StaffAssignment, StaffStatusEvent
from gridadmin.services.roster.assignments import assign
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.importing.history import undo_batch
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.common.progress import run_to_end
from tests import staffdata

HEADERS = ["序号", "社区", "所属网格", "姓  名*", "身份证号码*", "性别*", "出生年月*", "联系电话", "专兼职*",
           "政治面貌*", "文化程度*", "职务/岗位", "入职(登记)时间*", "状态", "技能等级"]


def sid(born: date, seq: int) -> str:
    return make_id_number("411302", born, seq)


def row(name, born, seq, grid="第一网格", community="河街社区", **extra) -> dict:
    values = {"社区": community, "所属网格": grid, "姓  名*": name, "身份证号码*": sid(born, seq),
              "性别*": "男" if seq % 2 else "女", "出生年月*": f"{born.year}.{born.month:02d}",
              "联系电话": 13812345678.0, "专兼职*": "专职", "政治面貌*": "党员", "文化程度*": "大专",
              "职务/岗位": "", "入职(登记)时间*": "2021.03.01", "状态": "在岗", "技能等级": "四级"}
    values.update(extra)
    return values


def roster(path, rows, headers=HEADERS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["东关街道网格员花名册"])
    ws.append(headers)
    for i, values in enumerate(rows, start=1):
        ws.append([float(i) if h == "序号" else values.get(h) for h in headers])
    wb.save(path)
    return path


def _staff(db):
    with db.session() as s:
        return {st.name: (st.id_number, st.phone, st.political_status, st.education, st.skill_level, st.status,
                          st.birth_date) for st in s.scalars(select(Staff))}


def test_new_staff_get_an_assignment_and_updates_match_by_id(township_db, tmp_path):
    grids = staffdata.grids(township_db)
    rows = [row("李  云", date(1985, 3, 2), 11), row("王芳", date(1990, 6, 7), 22, grid="粮行网格", community="粮行",
                                                    **{"专兼职*": "兼职"})]
    result = run_to_end(import_job(township_db, roster(tmp_path / "a.xlsx", rows), "staff", today=staffdata.TODAY))
    assert result.committed, [e.message for e in result.plan.errors]
    assert result.to_dict()["inserted"] == 2
    staff = _staff(township_db)
    assert staff["李云"] == (sid(date(1985, 3, 2), 11), "13812345678", "01", "30", "4", "在岗", date(1985, 3, 2))
    with township_db.session() as s:
        assignments = s.execute(select(Staff.name, StaffAssignment.area_id, StaffAssignment.role,
                                       StaffAssignment.start_date)
                                .join(Staff, Staff.id == StaffAssignment.staff_id).order_by(Staff.name)).all()
        assert s.scalar(select(func.count()).select_from(StaffStatusEvent)) == 2
    assert sorted(assignments) == sorted([("李云", grids["第一网格"], "fulltime", date(2021, 3, 1)),
                                          ("王芳", grids["粮行网格"], "parttime", date(2021, 3, 1))])

    changed = [row("李云", date(1985, 3, 2), 11, 联系电话="13900001111", **{"文化程度*": "本科"}),
               row("王芳", date(1990, 6, 7), 22, grid="第二网格", **{"专兼职*": "兼职"})]
    plan = plan_import(township_db, roster(tmp_path / "b.xlsx", changed), "staff", today=staffdata.TODAY)
    first, second = plan.rows
    assert first.status == "update"
    assert first.changes == {"phone": ("联系电话", "13812345678", "13900001111"),
                             "education": ("文化程度", "大学专科", "大学本科")}
    assert second.status == "unchanged" and "调动请在花名册中办理" in second.warnings[0].message
    update = run_to_end(import_job(township_db, tmp_path / "b.xlsx", "staff", today=staffdata.TODAY))
    assert update.to_dict()["updated"] == 1 and _staff(township_db)["李云"][1] == "13900001111"

    undo_batch(township_db, update.batch_id)
    assert _staff(township_db)["李云"][1:4] == ("13812345678", "01", "30")
    undo_batch(township_db, result.batch_id)
    assert _staff(township_db) == {}
    with township_db.session() as s:
        assert s.scalar(select(func.count()).select_from(StaffAssignment)) == 0
        assert s.scalar(select(func.count()).select_from(StaffStatusEvent)) == 0


def test_row_errors_name_row_column_and_value(township_db, tmp_path):
    staffdata.grids(township_db)
    bad_id = sid(date(1980, 1, 1), 31)
    rows = [row("甲", date(1985, 3, 2), 11), row("乙", date(1985, 3, 2), 11),  # the same ID twice
            row("丙", date(1980, 1, 1), 31, **{"身份证号码*": float(bad_id[:15] + "000")}),
            row("丁", date(1981, 2, 3), 41, **{"专兼职*": "临时"}),
            row("戊", date(1982, 2, 3), 51, **{"政治面貌*": "火星"}),
            row("己", date(1983, 2, 3), 61, grid="火星网格"),
            row("庚", date(1984, 2, 3), 71),
            row("辛", date(1984, 2, 3), 81, **{"出生年月*": "1984.03"})]
    path = roster(tmp_path / "bad.xlsx", rows)
    plan = plan_import(township_db, path, "staff", today=staffdata.TODAY)
    issues = {(e.row, e.column): (e.value, e.message) for e in plan.errors}
    assert issues[(3, "身份证号码*")][1].startswith("与第 4 行重复") and issues[(4, "身份证号码*")][1].startswith("与第 3 行")
    assert (5, "身份证号码*") in issues
    assert issues[(6, "专兼职*")] == ("临时", "专兼职“临时”无效，应为：专职、兼职")
    assert issues[(7, "政治面貌*")][0] == "火星" and "不是有效的政治面貌" in issues[(7, "政治面貌*")][1]
    assert issues[(8, "所属网格")] == ("火星网格", "“河街社区”下没有名为“火星网格”的网格")
    assert "不符" in issues[(10, "出生年月*")][1]
    result = run_to_end(import_job(township_db, path, "staff", today=staffdata.TODAY))
    assert not result.committed and _staff(township_db) == {}
    no_grid = plan_import(township_db, roster(tmp_path / "c.xlsx", [row("壬", date(1984, 2, 3), 91, grid=None)]),
                          "staff", today=staffdata.TODAY)
    assert [(e.row, e.column, e.message) for e in no_grid.errors] == [
        (3, "所属网格", "新登记的人员须填写所属网格（名称或编码）")]


def test_existing_staff_from_the_form_is_updated_not_duplicated(township_db, tmp_path):
    staffdata.grids(township_db)
    staffdata.add(township_db, "张三", born=date(1985, 3, 2), seq=123)
    path = roster(tmp_path / "a.xlsx", [row("张三", date(1985, 3, 2), 123, **{"政治面貌*": "群众"})])
    plan = plan_import(township_db, path, "staff", mode="insert", today=staffdata.TODAY)
    assert plan.rows[0].status == "skip"
    plan = plan_import(township_db, path, "staff", today=staffdata.TODAY)
    assert plan.rows[0].status == "update" and "political_status" in plan.rows[0].changes
    assert run_to_end(import_job(township_db, path, "staff", today=staffdata.TODAY)).committed
    assert len(_staff(township_db)) == 1


def test_leaving_ends_assignments_and_undo_brings_them_back(township_db, tmp_path):
    staffdata.grids(township_db)
    first = run_to_end(import_job(township_db, roster(tmp_path / "a.xlsx", [row("李云", date(1985, 3, 2), 11)]),
                                  "staff", today=staffdata.TODAY))
    assert first.committed
    headers = [*HEADERS, "离职时间"]
    left = roster(tmp_path / "b.xlsx", [row("李云", date(1985, 3, 2), 11, 状态="离职", 离职时间="2025.05.31")],
                  headers)
    result = run_to_end(import_job(township_db, left, "staff", today=staffdata.TODAY))
    assert result.committed, [e.message for e in result.plan.errors]
    with township_db.session() as s:
        assert s.scalar(select(StaffAssignment.end_date)) == date(2025, 5, 31)
    assert _staff(township_db)["李云"][5] == "离职"
    undo_batch(township_db, result.batch_id)
    assert _staff(township_db)["李云"][5] == "在岗"
    with township_db.session() as s:
        assert s.scalar(select(StaffAssignment.end_date)) is None
        assert s.scalar(select(func.count()).select_from(StaffStatusEvent)) == 1


FULL = [*HEADERS, "网格岗位", "离职时间"]


def _issues(plan) -> dict:
    return {(e.row, e.column): (e.value, e.message) for e in plan.errors}


def _warnings(plan) -> dict:
    return {(w.row, w.column): (w.value, w.message) for r in plan.rows for w in r.warnings}


def test_leaving_before_a_running_assignment_started_is_a_row_error_not_a_commit_failure(township_db, tmp_path):
    grids = staffdata.grids(township_db)
    assert run_to_end(import_job(township_db, roster(tmp_path / "a.xlsx", [
        row("李云", date(1985, 3, 2), 11), row("王芳", date(1990, 6, 7), 22)]),
        "staff", today=staffdata.TODAY)).committed
    with township_db.session() as s:
        li = s.scalar(select(Staff.id).where(Staff.name == "李云"))
    assign(township_db, li, grids["第二网格"], "parttime", date(2024, 3, 1))
    rows = [row("李云", date(1985, 3, 2), 11, 状态="离职", 离职时间="2024.01.31"),
            row("王芳", date(1990, 6, 7), 22, 联系电话="13900001111")]
    path = roster(tmp_path / "b.xlsx", rows, FULL)
    plan = plan_import(township_db, path, "staff", today=staffdata.TODAY)
    value, message = _issues(plan)[(3, "离职时间")]
    assert value == "2024.01.31" and "早于" in message and "2024-03-01" in message
    result = run_to_end(import_job(township_db, path, "staff", skip_errors=True, today=staffdata.TODAY))
    assert result.committed and result.to_dict()["updated"] == 1
    assert _staff(township_db)["王芳"][1] == "13900001111" and _staff(township_db)["李云"][5] == "在岗"
    future = roster(tmp_path / "c.xlsx", [row("王芳", date(1990, 6, 7), 22, 状态="离职", 离职时间="2025.07.31")], FULL)
    value, message = _issues(plan_import(township_db, future, "staff", today=staffdata.TODAY))[(3, "离职时间")]
    assert value == "2025.07.31" and "晚于今天" in message


def test_second_grid_leader_is_refused_naming_the_current_one(township_db, tmp_path):
    staffdata.grids(township_db)
    assert run_to_end(import_job(township_db, roster(tmp_path / "a.xlsx", [
        row("李云", date(1985, 3, 2), 11, 网格岗位="网格长")], FULL), "staff", today=staffdata.TODAY)).committed
    rows = [row("赵二", date(1980, 1, 1), 21, 网格岗位="网格长"),
            row("钱三", date(1981, 1, 1), 31, grid="第二网格", 网格岗位="网格长"),
            row("孙四", date(1982, 1, 1), 41, grid="第二网格", 网格岗位="网格长"),
            row("周五", date(1983, 1, 1), 51, grid="粮行网格", community="粮行社区", 网格岗位="网格长")]
    plan = plan_import(township_db, roster(tmp_path / "b.xlsx", rows, FULL), "staff", today=staffdata.TODAY)
    issues = _issues(plan)
    assert issues[(3, "网格岗位")][0] == "网格长" and "已有网格长李云" in issues[(3, "网格岗位")][1]
    assert "与第 5 行" in issues[(4, "网格岗位")][1] and "与第 4 行" in issues[(5, "网格岗位")][1]
    assert [r.status for r in plan.rows] == ["error", "error", "error", "new"]


def test_role_or_grid_change_for_existing_staff_is_a_warning_on_its_column(township_db, tmp_path):
    staffdata.grids(township_db)
    assert run_to_end(import_job(township_db, roster(tmp_path / "a.xlsx", [
        row("李云", date(1985, 3, 2), 11, 网格岗位="网格长")], FULL), "staff", today=staffdata.TODAY)).committed
    path = roster(tmp_path / "b.xlsx", [row("李云", date(1985, 3, 2), 11, 网格岗位="专职网格员")], FULL)
    plan = plan_import(township_db, path, "staff", today=staffdata.TODAY)
    assert plan.rows[0].status == "unchanged"
    value, message = _warnings(plan)[(3, "网格岗位")]
    assert value == "专职网格员" and "导入不改变任职；岗位调整请在花名册中办理“调岗”" in message


def test_hire_dates_against_birth_and_assignments(township_db, tmp_path):
    staffdata.grids(township_db)
    rows = [row("甲", date(2000, 3, 3), 11, **{"入职(登记)时间*": "1999.01.01"}),
            row("乙", date(2010, 3, 3), 21, **{"入职(登记)时间*": "2024.01.01"}),
            row("丙", date(1945, 3, 3), 31, **{"入职(登记)时间*": "2024.01.01"})]
    plan = plan_import(township_db, roster(tmp_path / "a.xlsx", rows), "staff", today=staffdata.TODAY)
    issues = _issues(plan)
    assert "早于出生日期 2000-03-03" in issues[(3, "入职(登记)时间*")][1]
    assert "未满 18 周岁" in issues[(4, "入职(登记)时间*")][1]
    assert plan.rows[2].status == "new" and "78 岁" in _warnings(plan)[(5, "入职(登记)时间*")][1]
    assert run_to_end(import_job(township_db, roster(tmp_path / "b.xlsx", [row("李云", date(1985, 3, 2), 11)]),
                                 "staff", today=staffdata.TODAY)).committed
    later = roster(tmp_path / "c.xlsx", [row("李云", date(1985, 3, 2), 11, **{"入职(登记)时间*": "2022.01.01"})])
    value, message = _issues(plan_import(township_db, later, "staff", today=staffdata.TODAY))[(3, "入职(登记)时间*")]
    assert value == "2022.01.01" and "开始日期 2021-03-01" in message


def test_rehire_brings_the_status_back_with_a_new_assignment(township_db, tmp_path):
    grids = staffdata.grids(township_db)
    assert run_to_end(import_job(township_db, roster(tmp_path / "a.xlsx", [row("李云", date(1985, 3, 2), 11)]),
                                 "staff", today=staffdata.TODAY)).committed
    assert run_to_end(import_job(township_db, roster(tmp_path / "b.xlsx", [
        row("李云", date(1985, 3, 2), 11, 状态="离职", 离职时间="2024.05.31")], FULL),
        "staff", today=staffdata.TODAY)).committed
    too_early = roster(tmp_path / "c.xlsx", [row("李云", date(1985, 3, 2), 11, 状态="在岗")], FULL)
    value, message = _issues(plan_import(township_db, too_early, "staff", today=staffdata.TODAY))[
        (3, "入职(登记)时间*")]
    assert "再次入职请填写新的入职时间" in message and "2024-05-31" in message
    back = roster(tmp_path / "d.xlsx", [row("李云", date(1985, 3, 2), 11, grid="第二网格", 状态="在岗",
                                            **{"入职(登记)时间*": "2025.01.02"})], FULL)
    result = run_to_end(import_job(township_db, back, "staff", today=staffdata.TODAY))
    assert result.committed and result.to_dict()["updated"] == 1, result.to_dict()
    with township_db.session() as s:
        st = s.scalar(select(Staff))
        assert (st.status, st.left_on, st.hired_on) == ("在岗", None, date(2025, 1, 2))
        posts = s.execute(select(StaffAssignment.area_id, StaffAssignment.start_date, StaffAssignment.end_date)
                          .order_by(StaffAssignment.id)).all()
        assert posts == [(grids["第一网格"], date(2021, 3, 1), date(2024, 5, 31)),
                         (grids["第二网格"], date(2025, 1, 2), None)]
    undo_batch(township_db, result.batch_id)
    with township_db.session() as s:
        assert s.scalar(select(Staff.status)) == "离职"
        assert s.scalar(select(func.count()).select_from(StaffAssignment)) == 1


def test_a_new_grid_leader_is_accepted_when_the_old_one_leaves_in_the_same_file(township_db, tmp_path):
    staffdata.grids(township_db)
    assert run_to_end(import_job(township_db, roster(tmp_path / "a.xlsx", [
        row("李云", date(1985, 3, 2), 11, 网格岗位="网格长")], FULL), "staff", today=staffdata.TODAY)).committed
    rows = [row("李云", date(1985, 3, 2), 11, 网格岗位="网格长", 状态="离职", 离职时间="2025.01.31"),
            row("赵二", date(1980, 1, 1), 21, 网格岗位="网格长", **{"入职(登记)时间*": "2025.02.01"})]
    result = run_to_end(import_job(township_db, roster(tmp_path / "b.xlsx", rows, FULL), "staff",
                                   today=staffdata.TODAY))
    assert result.committed and (result.to_dict()["updated"], result.to_dict()["inserted"]) == (1, 1), result.to_dict()
