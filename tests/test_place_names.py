"""Places have their full names: a grid whose name repeats across the
township (第一网格 in 河街社区 and in 粮行社区) is shown, printed, offered in
drop-downs and template lists as "社区·网格"; an import naming it bare is
resolved by the row's 社区/村 or refused listing the candidates; one
community's report is broken down by its grids; ``--scope`` takes names."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from pypdf import PdfReader

from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID, LEVEL_TOWNSHIP
from gridadmin.services.areas import tree as areas
from gridadmin.services.areas.names import AreaNames, find_area, place_name
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.template import LISTS_SHEET, write_template
from gridadmin.services.register.household_list import HouseholdFilter, household_source
from gridadmin.services.register.households import HouseholdData, MemberData, save_household
from gridadmin.services.register.residents import ResidentFilter, resident_source
from gridadmin.services.reports.monthly_figures import monthly_figures
from gridadmin.services.reports.monthly_pdf import monthly_report_pdf
from gridadmin.services.reports.signin_sheet import signin_sheet_pdf
from gridadmin.services.roster.assignments import assign
from gridadmin.services.roster.listing import RosterFilter, area_options, roster_source
from gridadmin.services.training.sessions import SessionInput, add_attendees, create_session
from tests import staffdata
from tests.test_import_staff import roster as roster_file
from tests.test_import_staff import row as staff_row

TODAY = staffdata.TODAY


def twin_grids(db) -> dict[str, int]:
    """河街社区 and 粮行社区 (of 东关街道) each with a 第一网格; 河街社区's has a
    micro-grid; 张三 serves 河街's, 李四 粮行's; one household in each."""
    nodes = {n.name: n for n in areas.load_tree(db)}
    hejie, liangxing = nodes["河街社区"].id, nodes["粮行社区"].id
    ids = {"town": nodes["东关街道"].id, "河街社区": hejie, "粮行社区": liangxing,
           "河街一": areas.add_area(db, hejie, areas.AreaInput(name="第一网格", grid_code="411302001001001")),
           "河街二": areas.add_area(db, hejie, areas.AreaInput(name="第二村民小组网格", grid_code="411302001001002")),
           "粮行一": areas.add_area(db, liangxing, areas.AreaInput(name="第一网格", grid_code="411302001002001"))}
    ids["河街一楼"] = areas.add_area(db, ids["河街一"], areas.AreaInput(name="3号楼", grid_code="411302001001001001"))
    ids["张三"] = staffdata.add(db, "张三", seq=11)
    ids["李四"] = staffdata.add(db, "李四", seq=21)
    assign(db, ids["张三"], ids["河街一"], "fulltime", date(2024, 1, 1))
    assign(db, ids["李四"], ids["粮行一"], "fulltime", date(2024, 1, 1))
    for no, grid, name, seq in (("4113020010010001", "河街一楼", "王芳", 32), ("4113020010020001", "粮行一", "赵六", 43)):
        save_household(db, None, HouseholdData(no, ids[grid]),
                       [MemberData(None, name, make_id_number("411302", date(1980, 1, 2), seq), relation="02")],
                       today=date(2024, 1, 1))
    return ids


@pytest.fixture
def twins(township_db):
    return township_db, twin_grids(township_db)


def _all(source, f):
    query = PageQuery(f)
    return source.window(query, 0, source.count(query))


def test_one_helper_names_every_area_in_full(twins):
    db, ids = twins
    with db.session() as s:
        names = AreaNames.load(s)
        assert names.full(ids["河街一"]) == "河街社区·第一网格" and names.full(ids["粮行一"]) == "粮行社区·第一网格"
        assert names.full(ids["河街一楼"]) == "河街社区·第一网格·3号楼"
        assert names.full(ids["河街社区"]) == "河街社区" and names.full(ids["town"]) == "东关街道"
        assert names.grid_name(ids["河街一楼"]) == "第一网格·3号楼" and names.community_name(ids["河街一楼"]) == "河街社区"
    assert place_name("河街社区", "第一网格") == "河街社区·第一网格" and place_name(None, "第一网格") == "第一网格"
    tree = {n.id: n for n in areas.load_tree(db, counts=False)}
    assert tree[ids["粮行一"]].full_name == "粮行社区·第一网格" and tree[ids["河街社区"]].full_name == "河街社区"
    # drop-downs: every grid once, saying its community
    grids = [o for o in area_options(db, levels=(LEVEL_GRID, LEVEL_MICROGRID))]
    labels = [o.full_name for o in grids]
    assert len(labels) == len(set(labels)) and {"河街社区·第一网格", "粮行社区·第一网格"} <= set(labels)
    assert any(o.label.strip("　") == "河街社区·第一网格·3号楼" for o in grids)


def test_lists_show_the_community_with_each_grid(twins):
    db, ids = twins
    rows = {r.name: r for r in _all(roster_source(db), RosterFilter(today=TODAY))}
    assert rows["张三"].grids == "河街社区·第一网格" and rows["李四"].grids == "粮行社区·第一网格"
    people = {r.name: r.grid for r in _all(resident_source(db), ResidentFilter())}
    assert people == {"王芳": "河街社区·第一网格·3号楼", "赵六": "粮行社区·第一网格"}
    households = {r.household_no: r.grid for r in _all(household_source(db), HouseholdFilter())}
    assert households["4113020010020001"] == "粮行社区·第一网格"


def test_find_area_takes_names_and_lists_candidates(twins):
    db, ids = twins
    with db.session() as s:
        assert find_area(s, "河街社区") == ids["河街社区"] == find_area(s, "河街")  # short name too
        assert find_area(s, "东关街道·河街社区") == ids["河街社区"]
        assert find_area(s, "东关街道") == ids["town"]
        assert find_area(s, "河街社区·第一网格", levels=(LEVEL_GRID,)) == ids["河街一"]
        assert find_area(s, "411302001001001", levels=(LEVEL_GRID,)) == ids["河街一"]
        with pytest.raises(ValidationError) as ambiguous:
            find_area(s, "第一网格", levels=(LEVEL_GRID,))
        assert "河街社区·第一网格" in ambiguous.value.message and "粮行社区·第一网格" in ambiguous.value.message
        assert "411302001002001" in ambiguous.value.message
        with pytest.raises(ValidationError) as grid:
            find_area(s, "第一网格", levels=(LEVEL_TOWNSHIP, LEVEL_COMMUNITY))
        assert "不是" in grid.value.message and "粮行社区·第一网格" in grid.value.message
        with pytest.raises(ValidationError, match="找不到统计范围“火星”"):
            find_area(s, "火星")


def test_template_lists_each_grid_once_with_its_community(twins, tmp_path):
    db, _ids = twins
    path = tmp_path / "staff.xlsx"
    write_template("staff", path, db)
    wb = openpyxl.load_workbook(path)
    values = [c.value for column in wb[LISTS_SHEET].iter_cols() for c in column if c.value]
    assert "河街社区·第一网格" in values and "粮行社区·第一网格" in values
    assert "第一网格" not in values
    grid_values = [v for v in values if "·" in v]
    assert len(grid_values) == len(set(grid_values))


def test_import_resolves_a_repeated_grid_name_or_lists_the_candidates(twins, tmp_path):
    db, ids = twins
    # (blank 社区 cells first: a blank cell under a filled one is read as merged, filled down)
    rows = [staff_row("孙一", date(1985, 3, 2), 51, grid="第一网格", community=None),
            staff_row("孙三", date(1985, 3, 2), 71, grid="河街社区·第一网格", community=None),
            staff_row("孙二", date(1985, 3, 2), 61, grid="第一网格", community="粮行社区"),
            staff_row("孙四", date(1985, 3, 2), 81, grid="河街社区·第一网格", community="粮行社区"),
            staff_row("孙五", date(1985, 3, 2), 91, grid="粮行·第一网格", community="粮行")]
    path = roster_file(tmp_path / "twins.xlsx", rows)
    plan = plan_import(db, path, "staff", today=TODAY)
    issues = {(e.row, e.column): (e.value, e.message) for e in plan.errors}
    value, message = issues[(3, "所属网格")]
    assert value == "第一网格"
    assert "河街社区·第一网格" in message and "粮行社区·第一网格" in message and "社区/村" in message
    assert (4, "所属网格") not in issues and (5, "所属网格") not in issues and (7, "所属网格") not in issues
    value, message = issues[(6, "所属网格")]
    assert value == "河街社区·第一网格" and "粮行社区" in message
    assert set(r for r, _c in issues) == {3, 6}
    # the good rows land in the grids they name
    result = run_to_end(import_job(db, roster_file(tmp_path / "ok.xlsx", [rows[1], rows[2], rows[4]]), "staff",
                                   today=TODAY))
    assert result.committed, [e.message for e in result.plan.errors]
    found = {r.name: r.grids for r in _all(roster_source(db), RosterFilter(today=TODAY))}
    assert (found["孙二"], found["孙三"], found["孙五"]) == ("粮行社区·第一网格", "河街社区·第一网格", "粮行社区·第一网格")


def test_a_community_report_is_broken_down_by_its_grids(twins, tmp_path):
    db, ids = twins
    month = (TODAY.year, TODAY.month)
    f = monthly_figures(db, *month, ids["河街社区"])
    assert f.by_grid and f.scope_word == "本社区" and f.breakdown == "网格"
    assert [c.name for c in f.communities] == ["第一网格", "第二村民小组网格"]  # no community row, no repeat
    by_name = {c.name: c for c in f.communities}
    assert by_name["第一网格"].households.current == 1 and by_name["第一网格"].staff_on_post == 1
    assert f.total.households.current == 1 and f.total.residents.current == 1 and f.total.staff_on_post == 1
    township = monthly_figures(db, *month)
    assert not township.by_grid and township.scope_word == "全范围"
    assert {c.name for c in township.communities} >= {"河街社区", "粮行社区"}
    path = tmp_path / "hejie.pdf"
    monthly_report_pdf(db, *month, path, ids["河街社区"])
    text = "".join(p.extract_text() for p in PdfReader(path).pages)
    assert "河街社区网格化服务管理月报" in text and "本社区" in text and "全范围" not in text
    assert "第二村民小组网格" in text
    path = tmp_path / "town.pdf"
    monthly_report_pdf(db, *month, path)
    text = "".join(p.extract_text() for p in PdfReader(path).pages)
    assert "全范围" in text and "河街社区网格化服务管理月报" not in text


def test_signin_sheet_names_grids_in_full_or_its_one_community(twins, tmp_path):
    db, ids = twins
    session_id = create_session(db, SessionInput(name="消防安全培训", start_date=TODAY, end_date=TODAY, hours=2))
    add_attendees(db, session_id, [ids["张三"], ids["李四"]])
    path = tmp_path / "both.pdf"
    signin_sheet_pdf(db, session_id, path, printed_on=TODAY)
    text = PdfReader(path).pages[0].extract_text().replace("\n", "")
    assert "河街社区·第一网格" in text and "粮行社区·第一网格" in text
    one = create_session(db, SessionInput(name="河街社区培训", start_date=TODAY, end_date=TODAY, hours=2))
    add_attendees(db, one, [ids["张三"]])
    path = tmp_path / "one.pdf"
    signin_sheet_pdf(db, one, path, printed_on=TODAY)
    text = PdfReader(path).pages[0].extract_text()
    assert "河街社区培训签到表" in text and "第一网格" in text and "粮行" not in text


def test_cli_scope_takes_a_name_and_refuses_unknown_or_ambiguous(twins, tmp_path, capsys, cli_login):
    from gridadmin.cli import main

    db, ids = twins
    login = cli_login(db)
    out = tmp_path / "m.pdf"
    month = f"{TODAY.year}-{TODAY.month:02d}"
    assert main(["report", "monthly", "--db", db.url, "--month", month, "--scope", "河街社区", "--out", str(out),
                 "--json", *login]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["scope"]["name"] == "河街社区" and printed["breakdown"] == "网格"
    assert [c["name"] for c in printed["communities"]] == ["第一网格", "第二村民小组网格"]
    assert main(["report", "monthly", "--db", db.url, "--month", month, "--scope", "河街", "--out", str(out),
                 "--json", *login]) == 0
    assert json.loads(capsys.readouterr().out)["scope"]["name"] == "河街社区"
    assert main(["report", "monthly", "--db", db.url, "--month", month, "--scope", "第一网格", "--out", str(out),
                 *login]) == 2
    err = capsys.readouterr().err
    assert "河街社区·第一网格" in err and "粮行社区·第一网格" in err
    assert main(["report", "monthly", "--db", db.url, "--month", month, "--scope", "火星社区", "--out", str(out),
                 *login]) == 2
    assert "找不到统计范围“火星社区”" in capsys.readouterr().err


def test_micro_grid_import_takes_its_grid_by_full_name(twins, tmp_path):
    from tests.test_import_grids import _micro_file

    db, ids = twins
    rows = [("河街社区", "5号楼", "411302001001001005", "", "河街社区·第一网格"),
            ("粮行社区", "6号楼", "411302001002001006", "", "粮行·第一网格"),
            ("河街社区", "7号楼", "411302001001001007", "", "粮行社区·第一网格")]
    plan = plan_import(db, _micro_file(tmp_path / "micro.xlsx", rows), "grids", today=TODAY)
    issues = {(e.row, e.column): (e.value, e.message) for e in plan.errors}
    assert list(issues) == [(4, "所属网格")]
    assert issues[(4, "所属网格")][0] == "粮行社区·第一网格" and "河街社区" in issues[(4, "所属网格")][1]
    result = run_to_end(import_job(db, _micro_file(tmp_path / "ok.xlsx", rows[:2]), "grids", today=TODAY))
    assert result.committed, [e.message for e in result.plan.errors]
    full = {n.name: n.full_name for n in areas.load_tree(db, counts=False)}
    assert full["5号楼"] == "河街社区·第一网格·5号楼" and full["6号楼"] == "粮行社区·第一网格·6号楼"
