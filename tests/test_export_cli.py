"""``export``: every kind in its import columns, masked unless
--full-numbers, formulas neutralised; an exported file re-imports
unchanged."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from gridadmin.cli import main
from gridadmin.models import Person
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.export import export_kind
from gridadmin.services.common.progress import run_to_end
from tests import staffdata
from tests.test_import_attendance import sid as staff_id_number
from tests.test_import_attendance import sign_in
from tests.test_import_support import person, pid, write_workbook

TODAY = staffdata.TODAY


@pytest.fixture
def filled(township_db, tmp_path):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11, 备注="-重点关注"),
            person("H1", "妻", "王芳", date(1981, 3, 4), 22),
            person("H1", "子", "李小云", date(2010, 5, 6), 33, 联系电话=None),
            person("H2", "户主", "张三", date(1960, 5, 6), 35)]
    headers = ["序号", "社区*", "网格*", "户号*", "与户主\n关系*", "姓  名*", "公民身份号码*", "性别", "出生日期",
               "民族", "政治面貌", "文化程度", "婚姻状况", "人口类别", "联系电话", "备注"]
    path = write_workbook(tmp_path / "人口.xlsx", rows, headers=headers)
    result = run_to_end(import_job(township_db, path, "residents", today=TODAY))
    assert result.committed, [e.message for e in result.plan.errors]
    staffdata.add(township_db, "赵六", seq=11)
    run_to_end(import_job(township_db, sign_in(tmp_path / "签到.xlsx", [{"姓  名": "赵六", "成绩": 88.0}]),
                          "attendance", today=TODAY))
    return township_db


def _sheet(path) -> list[list]:
    return [[c.value for c in row] for row in openpyxl.load_workbook(path).active.iter_rows()]


@pytest.mark.parametrize("kind", ["residents", "staff", "grids", "attendance"])
def test_full_export_reimports_unchanged(filled, tmp_path, kind):
    out = tmp_path / f"{kind}.xlsx"
    export_kind(filled, kind, out, full_numbers=True)
    plan = plan_import(filled, out, kind, today=TODAY)
    assert plan.rows and {r.status for r in plan.rows} == {"unchanged"}, \
        [(r.row, r.summary(), r.changes) for r in plan.rows if r.status != "unchanged"]


def test_cli_masks_numbers_and_neutralises_formulas(filled, tmp_path, capsys, cli_login):
    login = cli_login(filled)
    out = tmp_path / "r.xlsx"
    assert main(["export", "--db", filled.url, "--kind", "residents", "--out", str(out), *login]) == 0
    assert "已导出户籍人口 4 行" in capsys.readouterr().out
    rows = _sheet(out)
    header = rows[0]
    assert header[:6] == ["社区/村", "网格", "网格编码", "户号", "与户主关系", "姓名"]
    li = next(r for r in rows if r[header.index("姓名")] == "李云")
    number = li[header.index("公民身份号码")]
    assert number == pid(date(1980, 1, 2), 11)[:6] + "********" + pid(date(1980, 1, 2), 11)[-4:]
    assert li[header.index("联系电话")] == "138****8000"
    assert li[header.index("备注")] == "'-重点关注"
    assert li[header.index("性别")] == "男" and li[header.index("与户主关系")] == "户主"

    full = tmp_path / "full.xlsx"
    assert main(["export", "--db", filled.url, "--kind", "staff", "--out", str(full), "--full-numbers", *login]) == 0
    staff = _sheet(full)
    assert staff[1][staff[0].index("身份证号码")] == staff_id_number(11)


def test_households_wide_and_attendance_per_session(filled, tmp_path):
    out = tmp_path / "h.xlsx"
    assert export_kind(filled, "households", out, full_numbers=True) == 2
    rows = _sheet(out)
    assert rows[0][:2] == ["户号", "社区/村"] and rows[0][-3:] == ["成员2姓名", "成员2公民身份号码", "成员2与户主关系"]
    h1 = rows[1]
    assert h1[0] == "H1" and "李云" in h1 and "王芳" in h1 and ("配偶" in h1 or "妻" in h1)
    out = tmp_path / "a.xlsx"
    assert export_kind(filled, "attendance", out, session="消防安全培训") == 1
    attendance = _sheet(out)
    assert attendance[1][:4] == ["消防安全培训", "2025-06-10", "4", "赵六"]
    with pytest.raises(Exception, match="没有培训"):
        export_kind(filled, "attendance", out, session="没有这个")
    assert main(["export", "--db", filled.url, "--kind", "grids", "--out", str(tmp_path / "g.csv")]) == 2
    with filled.session() as s:
        assert s.scalar(select(Person.name).where(Person.relation == "02").order_by(Person.id)) == "李云"


def test_staff_export_follows_the_roster_filter(tmp_path):
    """The roster page's "export in template columns" writes what the
    filter shows: here one role's people only."""
    from openpyxl import load_workbook

    from gridadmin.db import open_database
    from gridadmin.services.demo import generate_demo
    from gridadmin.services.importing.export import export_kind
    from gridadmin.services.common.progress import run_to_end
    from gridadmin.services.roster.listing import RosterFilter

    db = open_database(str(tmp_path / "demo.db"))
    run_to_end(generate_demo(db, size="small"))
    everyone, leaders = tmp_path / "all.xlsx", tmp_path / "leaders.xlsx"
    total = export_kind(db, "staff", everyone)
    shown = export_kind(db, "staff", leaders, roster_filter=RosterFilter(role="leader"))
    assert 0 < shown < total
    sheet = load_workbook(leaders, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    role_column = next(i for i, h in enumerate(rows[0]) if h and "岗位" in str(h))
    assert {r[role_column] for r in rows[1:] if any(r)} == {"网格长"}
    db.dispose()


def test_households_export_finds_a_head_stored_as_benren(filled, tmp_path):
    """本人 (01) heads a household as 户主 (02) does: the wide export puts
    them in the head columns, not among the members."""
    from sqlalchemy import update

    with filled.session() as s:
        s.execute(update(Person).where(Person.name == "李云").values(relation="01"))
    out = tmp_path / "h.xlsx"
    export_kind(filled, "households", out, full_numbers=True)
    rows = _sheet(out)
    header, h1 = rows[0], rows[1]
    assert h1[header.index("户主姓名")] == "李云" and h1[header.index("户主公民身份号码")] == pid(date(1980, 1, 2), 11)
    assert "李云" not in h1[header.index("户主公民身份号码") + 1:]


def test_departed_staff_export_names_their_last_grid_and_reimports_without_warnings(township_db, tmp_path):
    from tests.test_import_staff import FULL, roster, row

    grids = staffdata.grids(township_db)
    first = [row("李云", date(1985, 3, 2), 11), row("王芳", date(1990, 6, 7), 22, grid="粮行网格", community="粮行社区"),
             row("赵六", date(1980, 1, 1), 31)]
    assert run_to_end(import_job(township_db, roster(tmp_path / "a.xlsx", first, FULL), "staff", today=TODAY)).committed
    left = [row("王芳", date(1990, 6, 7), 22, grid="粮行网格", community="粮行社区", 状态="离职", 离职时间="2024.12.31")]
    assert run_to_end(import_job(township_db, roster(tmp_path / "b.xlsx", left, FULL), "staff", today=TODAY)).committed
    out = tmp_path / "staff.xlsx"
    export_kind(township_db, "staff", out, full_numbers=True)
    rows = _sheet(out)
    header = rows[0]
    wang = next(r for r in rows if r[header.index("姓名")] == "王芳")
    assert (wang[header.index("所属网格")], wang[header.index("状态")]) == ("粮行网格", "离职")
    plan = plan_import(township_db, out, "staff", today=TODAY)
    assert {r.status for r in plan.rows} == {"unchanged"} and not [w for r in plan.rows for w in r.warnings]
    assert grids["粮行网格"]


def test_empty_session_export_carries_its_title_and_imports_as_no_rows(filled, tmp_path, capsys, cli_login):
    from gridadmin.services.training.sessions import SessionInput, create_session

    login = cli_login(filled)
    create_session(filled, SessionInput(name="应急处置演练", start_date=date(2025, 5, 20), end_date=date(2025, 5, 20),
                                        hours=2))
    out = tmp_path / "empty.xlsx"
    assert main(["export", "--db", filled.url, "--kind", "attendance", "--session", "应急处置演练", "--out",
                 str(out), *login]) == 0
    rows = _sheet(out)
    assert rows[0][0] == "培训名称：应急处置演练    培训日期：2025-05-20    学时：2" and rows[1][0] == "培训名称"
    capsys.readouterr()
    assert main(["import", "--db", filled.url, "--kind", "attendance", str(out), "--dry-run", "--json", *login]) == 0
    out_json = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (out_json["rows"], out_json["errors"]) == (0, [])
    assert main(["export", "--db", filled.url, "--kind", "attendance", "--out", str(tmp_path / "all.xlsx"), *login]) == 0
    assert "全部培训的签到清单" in capsys.readouterr().out


def test_cancelled_empty_session_is_a_located_error_not_a_failed_commit(filled, tmp_path):
    from gridadmin.services.training.sessions import SessionInput, create_session, set_session_cancelled

    session_id = create_session(filled, SessionInput(name="停办的培训", start_date=date(2025, 5, 21),
                                                     end_date=date(2025, 5, 21), hours=2))
    set_session_cancelled(filled, session_id)
    out = tmp_path / "cancelled.xlsx"
    export_kind(filled, "attendance", out, session=str(session_id))
    result = run_to_end(import_job(filled, out, "attendance", today=TODAY))
    assert not result.committed
    assert [(e.row, e.column, e.value) for e in result.plan.errors] == [(1, "培训名称", "停办的培训")]
    assert "已取消" in result.plan.errors[0].message
