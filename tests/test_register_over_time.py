"""Issue 16, the rest: the monthly report groups residents by the 人口类别
they had at each month's end (dated 类别变更 events), a back-dated 类别变更
in a submitted month is a late change like the others; a residents import
changes a category as a dated 类别变更 and corrects a differing 登记日期 as
a dated, audited correction; late staff changes are listed in the
regenerated month, ``report diff`` and the next month's 更正 explanation."""

from __future__ import annotations

import json
import os
from pathlib import Path
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from gridadmin.models import AuditLog, Person, PersonEvent
from gridadmin.models.household import EVENT_CATEGORY, EVENT_REGISTRATION_CORRECTED
from gridadmin.models.staff import ROLE_FULLTIME
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.undo import undo_batch
from gridadmin.services.register import life_events
from gridadmin.services.reports.monthly_figures import monthly_figures
from gridadmin.services.reports.monthly_pdf import monthly_report_pdf
from gridadmin.services.reports.submission import report_diff, submit_monthly_report
from gridadmin.services.roster.assignments import assign
from gridadmin.services.roster.staff import get_staff, save_staff
from tests import staffdata
from tests.test_import_support import HEADERS, person, pid, write_workbook

LOCAL, FLOATING = "1", "3"  # 户籍人口, 流动人口 (codes of the resident_category list)


def _months_back(n: int) -> tuple[int, int]:
    today = date.today()
    index = today.year * 12 + today.month - 1 - n
    return index // 12, index % 12 + 1


M3, M2, M1 = _months_back(3), _months_back(2), _months_back(1)
WANG = (date(1981, 3, 4), 22)
ROWS = [person("H1", "户主", "李云", date(1980, 1, 2), 11), person("H1", "妻", "王芳", *WANG),
        person("H1", "子", "李小云", date(2010, 5, 6), 33), person("H2", "户主", "张三", date(1960, 5, 6), 35)]


@pytest.fixture
def register(township_db, tmp_path):
    """河街社区 with a grid; two households (4 户籍 residents) registered on the 5th of M−3."""
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    path = write_workbook(tmp_path / "人口.xlsx", ROWS)
    assert run_to_end(import_job(township_db, path, "residents", effective_date=date(*M3, 5))).committed
    return township_db


def _person(db, name: str) -> Person:
    with db.session() as s:
        p = s.scalar(select(Person).where(Person.name == name))
        s.expunge(p)
        return p


def _cats(figures, community=None) -> dict:
    return {code: (f.previous, f.correction, f.increase, f.decrease, f.current)
            for code, f in figures.category_flows.get(community, {}).items() if f.previous or f.current
            or f.increase or f.decrease or f.correction}


def _submit(db, ym, tmp_path):
    """Submit, then wait for the next whole second: staff rows are stamped
    by the database clock to the second, so a change typed within the
    submission's own second could not be told from one before it (a clerk
    never types that fast; a test on a loaded machine may)."""
    import time

    done = run_to_end(submit_monthly_report(db, *ym, folder=tmp_path))
    time.sleep(1.05 - time.time() % 1)
    return done


# --- 1. categories as of each month's end ---------------------------------------------------------

def test_a_category_change_moves_the_person_only_from_its_date(register):
    db = register
    wang = _person(db, "王芳")
    assert life_events.change_category(db, wang.id, FLOATING, date(*M1, 10)) is None
    before = monthly_figures(db, *M2)  # regenerated after the change: M−2's categories
    assert _cats(before) == {LOCAL: (4, 0, 0, 0, 4)}
    month = monthly_figures(db, *M1)
    assert _cats(month) == {LOCAL: (4, 0, 0, 1, 3), FLOATING: (0, 0, 1, 0, 1)}
    flow = month.total.residents  # not an arrival nor a departure
    assert (flow.previous, flow.increase, flow.decrease, flow.current) == (4, 0, 0, 4)
    assert all(f.balanced for per in month.category_flows.values() for f in per.values())
    assert month.to_dict()["totals"]["categories"]["流动人口"] == 1
    # a second change back, later: each month has the category of its end
    life_events.change_category(db, wang.id, LOCAL, date.today() - timedelta(days=date.today().day - 1))
    assert _cats(monthly_figures(db, *M1)) == {LOCAL: (4, 0, 0, 1, 3), FLOATING: (0, 0, 1, 0, 1)}
    assert _cats(monthly_figures(db, *M2)) == {LOCAL: (4, 0, 0, 0, 4)}


def test_a_category_change_cannot_come_before_the_latest_one(register):
    db = register
    wang = _person(db, "王芳")
    life_events.change_category(db, wang.id, FLOATING, date(*M1, 10))
    with pytest.raises(ValidationError) as refused:
        life_events.change_category(db, wang.id, LOCAL, date(*M2, 10))
    assert "早于" in refused.value.message and refused.value.field == "变更日期"
    with pytest.raises(ValidationError) as future:
        life_events.change_category(db, wang.id, LOCAL, date.today() + timedelta(days=3))
    assert "晚于今天" in future.value.message


def test_a_back_dated_category_change_in_a_submitted_month_is_a_late_change(register, tmp_path):
    db = register
    _submit(db, M2, tmp_path)
    wang = _person(db, "王芳")
    notice = life_events.change_category(db, wang.id, FLOATING, date(*M2, 20))
    assert notice == f"该变动属于已上报的{M2[0]}年{M2[1]}月，将作为更正计入下月报表"

    again = monthly_figures(db, *M2)
    assert _cats(again) == {LOCAL: (4, 0, 0, 0, 4)}  # as submitted
    assert again.now_totals["categories"]["流动人口"] == 1 and again.now_totals["categories"]["户籍人口"] == 3
    [late] = again.late
    assert (late.name, late.effective_date, late.residents, late.households) == ("王芳", date(*M2, 20), 0, 0)
    assert late.change == "类别变更（户籍人口→流动人口）" and late.categories == {"户籍人口": -1, "流动人口": 1}
    diff = report_diff(db, *M2).to_dict()
    assert diff["submitted"]["categories"]["户籍人口"] == 4 and diff["now"]["categories"]["户籍人口"] == 3
    assert diff["changes"][0]["effect"]["categories"] == {"户籍人口": -1, "流动人口": 1}

    nxt = monthly_figures(db, *M1)
    assert _cats(nxt) == {LOCAL: (4, -1, 0, 0, 3), FLOATING: (0, 1, 0, 0, 1)}
    assert nxt.total.residents.correction == 0
    assert [c.name for c in nxt.corrected_by] == ["王芳"]
    assert nxt.to_dict()["correction_changes"][0]["change"].startswith("类别变更")


# --- the residents import: dated category changes and 登记日期 corrections ------------------------

DATED = HEADERS + ["登记日期"]


def test_an_import_changing_a_category_is_a_dated_category_change(register, tmp_path):
    db = register
    day = date(*M1, 3)
    rows = [dict(r, **{"登记日期": date(*M3, 5)}) for r in ROWS]
    rows[1] = dict(rows[1], **{"人口类别": "流动"})
    path = write_workbook(tmp_path / "改类别.xlsx", rows, headers=DATED)
    plan = plan_import(db, path, "residents", effective_date=day)
    assert plan.rows[1].changes["category"] == ("类别变更", "户籍人口", f"流动人口（{date(*M3, 5).isoformat()}）")
    # the row's own 登记日期 is its date; without the column, the import's effective date
    path = write_workbook(tmp_path / "改类别2.xlsx", [dict(ROWS[1], **{"人口类别": "流动"})])
    plan = plan_import(db, path, "residents", effective_date=day)
    assert plan.rows[0].changes["category"] == ("类别变更", "户籍人口", f"流动人口（{day.isoformat()}）")
    assert run_to_end(import_job(db, path, "residents", effective_date=day)).committed
    with db.session() as s:
        event = s.scalar(select(PersonEvent).where(PersonEvent.kind == EVENT_CATEGORY))
        assert (event.event_date, event.old_value, event.new_value) == (day, LOCAL, FLOATING)
    assert _cats(monthly_figures(db, *M2)) == {LOCAL: (4, 0, 0, 0, 4)}
    assert _cats(monthly_figures(db, *M1)) == {LOCAL: (4, 0, 0, 1, 3), FLOATING: (0, 0, 1, 0, 1)}


def test_an_import_corrects_a_differing_registration_date(register, tmp_path):
    db = register
    _submit(db, M2, tmp_path)
    earlier = date(*M3, 5) - timedelta(days=40)  # the family really came 40 days earlier
    rows = [dict(r, **{"登记日期": earlier if r["姓  名*"] == "王芳" else date(*M3, 5)}) for r in ROWS]
    path = write_workbook(tmp_path / "更正.xlsx", rows, headers=DATED)
    plan = plan_import(db, path, "residents")
    wang_row = plan.rows[1]
    assert wang_row.status == "update" and [r.status for r in plan.rows].count("update") == 1
    assert wang_row.changes == {"registered_on": ("登记日期更正", date(*M3, 5).isoformat(), earlier.isoformat())}
    result = run_to_end(import_job(db, path, "residents"))
    assert result.committed
    assert _person(db, "王芳").registered_on == earlier
    with db.session() as s:
        event = s.scalar(select(PersonEvent).where(PersonEvent.kind == EVENT_REGISTRATION_CORRECTED))
        assert (event.event_date, event.old_value, event.new_value) == \
            (earlier, date(*M3, 5).isoformat(), earlier.isoformat())
        audit = s.scalar(select(AuditLog).where(AuditLog.import_batch_id == result.batch_id, AuditLog.entity == "person"))
        assert earlier.isoformat() in audit.changes
    # the month she now arrives in counts her; the later months (M−2 submitted) are unchanged
    early_month = (earlier.year, earlier.month)
    assert monthly_figures(db, *early_month).total.residents.current == 1
    assert monthly_figures(db, *M2).late == ()
    # undo puts the old date back and removes the correction
    undo_batch(db, result.batch_id)
    assert _person(db, "王芳").registered_on == date(*M3, 5)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(PersonEvent)
                        .where(PersonEvent.kind == EVENT_REGISTRATION_CORRECTED)) == 0


def test_a_registration_correction_into_a_submitted_month_warns_and_is_listed(register, tmp_path):
    db = register
    _submit(db, M2, tmp_path)
    later = date(*M2, 12)  # she was only registered in M−2, not M−3
    rows = [dict(ROWS[1], **{"登记日期": later})]
    path = write_workbook(tmp_path / "更正.xlsx", rows, headers=DATED)
    plan = plan_import(db, path, "residents")
    assert any(f"已上报的{M2[0]}年{M2[1]}月" in w.message for w in plan.rows[0].warnings), plan.rows[0].warnings
    assert run_to_end(import_job(db, path, "residents")).committed
    again = monthly_figures(db, *M2)
    [late] = again.late
    assert late.name == "王芳" and late.change.startswith("登记日期更正") and late.residents == 0
    assert late.effective_date == date(*M3, 5)
    # the month before it: she is no longer there at its end; M−3 was not submitted, so its figures follow
    assert monthly_figures(db, *M3).total.residents.current == 3


@pytest.mark.parametrize("day, words", [
    (date.today() + timedelta(days=2), "晚于今天"),
    (date(1981, 1, 1), "早于“王芳”的出生日期"),
])
def test_a_bad_corrected_registration_date_is_refused(register, tmp_path, day, words):
    db = register
    path = write_workbook(tmp_path / "坏.xlsx", [dict(ROWS[1], **{"登记日期": day})], headers=DATED)
    plan = plan_import(db, path, "residents")
    [error] = plan.rows[0].errors
    assert error.column == "登记日期" and words in error.message and "更正登记日期" in error.message
    assert not run_to_end(import_job(db, path, "residents")).committed
    assert _person(db, "王芳").registered_on == date(*M3, 5)


def test_a_corrected_registration_date_cannot_pass_a_later_change(register, tmp_path):
    db = register
    wang = _person(db, "王芳")
    life_events.change_category(db, wang.id, FLOATING, date(*M2, 1))
    path = write_workbook(tmp_path / "坏.xlsx", [dict(ROWS[1], **{"登记日期": date(*M2, 15), "人口类别": "流动"})],
                          headers=DATED)
    [error] = plan_import(db, path, "residents").rows[0].errors
    assert "此后的类别变更日期" in error.message and error.value == date(*M2, 15).isoformat()


def test_moved_out_people_take_no_changes(register, tmp_path):
    db = register
    wang = _person(db, "王芳")
    life_events.move_out(db, wang.id, date(*M2, 1), "北京市")
    with pytest.raises(ValidationError) as refused:
        life_events.change_category(db, wang.id, FLOATING, date(*M2, 10))
    assert "迁出" in refused.value.message
    path = write_workbook(tmp_path / "迁出后.xlsx", [dict(ROWS[1], **{"登记日期": date(*M3, 2)})], headers=DATED)
    [error] = plan_import(db, path, "residents").rows[0].errors
    assert "已迁出" in error.message and error.column == "登记日期"


# --- 3. late staff changes -----------------------------------------------------------------------

def test_late_staff_changes_are_listed_like_the_residents(register, tmp_path, capsys, cli_login):
    from gridadmin.cli import main

    db = register
    community = next(n for n in load_tree(db) if n.name == "河街社区")
    grid = next(n for n in load_tree(db) if n.name == "一网格")
    old_hand = save_staff(db, staffdata.person("周老成", seq=201, hired_on=date(*M3, 1)))
    assign(db, old_hand, grid.id, ROLE_FULLTIME, date(*M3, 1))
    leaver = save_staff(db, staffdata.person("吴离开", seq=203, hired_on=date(*M3, 1)))
    assign(db, leaver, grid.id, ROLE_FULLTIME, date(*M3, 1))
    _submit(db, M2, tmp_path)
    assert monthly_figures(db, *M2).total.staff_on_post == 2

    # entered now, effective in M−2: a hire and a departure
    newcomer = save_staff(db, staffdata.person("郑新来", seq=205, hired_on=date(*M2, 10)))
    assign(db, newcomer, grid.id, ROLE_FULLTIME, date(*M2, 10))
    record = get_staff(db, leaver)
    save_staff(db, staffdata.person("吴离开", seq=203, hired_on=date(*M3, 1), status="离职", left_on=date(*M2, 20)),
               staff_id=leaver, expected_version=record.version)

    again = monthly_figures(db, *M2)
    assert again.total.staff_on_post == 2 and again.now_totals["staff_on_post"] == 2
    staff_lines = {c.name: c for c in again.late if c.subject == "网格力量"}
    assert set(staff_lines) == {"郑新来", "吴离开"}
    assert (staff_lines["郑新来"].change, staff_lines["郑新来"].staff, staff_lines["郑新来"].effective_date) == \
        ("入职", 1, date(*M2, 10))
    assert (staff_lines["吴离开"].change, staff_lines["吴离开"].staff, staff_lines["吴离开"].effective_date) == \
        ("离职", -1, date(*M2, 20))
    assert staff_lines["郑新来"].entered_by == "system" and staff_lines["郑新来"].community == community.name

    url, login = db.url, cli_login(db)
    assert main(["report", "diff", "--db", url, "--month", "%04d-%02d" % M2, "--json", *login]) == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    assert {(c["person"], c["subject"], c["effect"]["staff_on_post"]) for c in changes} == \
        {("郑新来", "网格力量", 1), ("吴离开", "网格力量", -1)}
    assert main(["report", "diff", "--db", url, "--month", "%04d-%02d" % M2, *login]) == 0
    assert "郑新来（网格力量）" in capsys.readouterr().out

    nxt = monthly_figures(db, *M1)
    assert {c.name for c in nxt.corrected_by} == {"郑新来", "吴离开"}
    flow = nxt.staff_flows[None]
    assert flow.previous == 2 and flow.correction == 0 and flow.balanced
    out = Path(os.environ.get("GRIDADMIN_SHOTS") or tmp_path) / "m1.pdf"
    monthly_report_pdf(db, *M1, out)
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "更正说明" in text and "郑新来" in text and "吴离开" in text
    out2 = Path(os.environ.get("GRIDADMIN_SHOTS") or tmp_path) / "m2.pdf"
    monthly_report_pdf(db, *M2, out2)
    assert "郑新来" in "".join(page.extract_text() for page in PdfReader(out2).pages)


def test_a_changes_file_refuses_changes_on_people_moved_out_and_out_of_order(register, tmp_path):
    from tests.test_import_changes import changes_file

    db = register
    life_events.move_out(db, _person(db, "李小云").id, date(*M2, 1), "北京市")
    life_events.change_category(db, _person(db, "王芳").id, FLOATING, date(*M1, 10))
    rows = [(pid(date(2010, 5, 6), 33), "李小云", "户间迁移", date(*M2, 5).isoformat(), None, "H2", "子", None),
            (pid(*WANG), "王芳", "类别变更", date(*M1, 2).isoformat(), None, None, None, "户籍人口"),
            (pid(date(1999, 9, 9), 91), "孙八", "类别变更", date(*M1, 2).isoformat(), None, None, None, "流动人口")]
    plan = plan_import(db, changes_file(tmp_path / "变动.xlsx", rows), "changes")
    by_row = {e.row: e for e in plan.errors}
    assert "已于" in by_row[3].message and "迁出" in by_row[3].message
    assert (by_row[4].column, by_row[4].value) == ("变动日期", date(*M1, 2).isoformat())
    assert "上一次变动的日期" in by_row[4].message
    assert by_row[5].column == "公民身份号码" and "第 5 行" in by_row[5].message and "未登记" in by_row[5].message


def test_the_residents_list_as_of_a_day_filters_by_the_category_of_that_day(register):
    from gridadmin.services.common.paging import PageQuery
    from gridadmin.services.register.residents import ResidentFilter, resident_source

    db = register
    life_events.change_category(db, _person(db, "王芳").id, FLOATING, date(*M1, 10))
    source = resident_source(db)

    def count(category, as_of=None):
        return source.count(PageQuery(ResidentFilter(category=category, as_of=as_of), "name"))

    m2_end = monthly_figures(db, *M2)
    end = m2_end.month_end
    assert (count(LOCAL, end), count(FLOATING, end)) == (4, 0)
    assert count(LOCAL, end) == m2_end.category_flows[None][LOCAL].current
    assert (count(LOCAL), count(FLOATING)) == (3, 1)
    m1 = monthly_figures(db, *M1)
    assert (count(LOCAL, m1.month_end), count(FLOATING, m1.month_end)) == (3, 1)
    assert count(FLOATING, m1.month_end) == m1.category_flows[None][FLOATING].current


def test_the_household_card_dates_a_member_category_change(register):
    from dataclasses import replace

    from gridadmin.services.register.households import load_household, save_household

    db = register
    wang = _person(db, "王芳")
    card = load_household(db, wang.household_id)
    members = [replace(m, category=FLOATING) if m.id == wang.id else m for m in card.members]
    with pytest.raises(ValidationError) as refused:  # before her registration
        save_household(db, card.id, card.data, members, expected_version=card.version, on=date(*M3, 1))
    assert refused.value.field == "登记日期" and "王芳" in refused.value.message
    save_household(db, card.id, card.data, members, expected_version=card.version, on=date(*M1, 10))
    with db.session() as s:
        event = s.scalar(select(PersonEvent).where(PersonEvent.kind == EVENT_CATEGORY))
        assert (event.person_id, event.event_date, event.old_value, event.new_value) == \
            (wang.id, date(*M1, 10), LOCAL, FLOATING)
    assert _cats(monthly_figures(db, *M2)) == {LOCAL: (4, 0, 0, 0, 4)}
    assert _cats(monthly_figures(db, *M1)) == {LOCAL: (4, 0, 0, 1, 3), FLOATING: (0, 0, 1, 0, 1)}
