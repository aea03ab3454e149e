"""The monthly report (月报): figures from the history, checked against a
tiny register with known history and plain-SQL counts, the PDF's text and
the CLI's --json."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from gridadmin.models import (
    Area, Attendance, Household, Person, PersonEvent, Staff, StaffAssignment, TrainingSession,
)
from gridadmin.models.household import EVENT_TRANSFER, PERSON_ACTIVE, PERSON_DECEASED, PERSON_MOVED_OUT
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.reports.monthly_figures import StockFlow, monthly_figures
from gridadmin.services.reports.monthly_pdf import monthly_report_pdf

D = date.fromisoformat
OLD = D("2024-01-01")


def _build(db) -> dict[str, int]:
    """Township 小城街道 with 甲社区 (grid 甲一 and its micro-grid) and 乙村 (grid 乙一).

    History in March 2026 (previous month ends 2026-02-28):
    - h1 (甲一) and h2 (甲一 micro-grid) exist throughout; h3 (乙一) is
      dissolved on 03-20; h4 (乙一) registered on 03-05.
    - p1 h1 stays; p2 h1 moves out 03-15; p3 h2 dies 03-10; p4 h2 registered
      03-12; p5 h3 moves out 03-20; p6 h4 registered 03-05; p7 transfers
      from h1 to h4 on 03-18; p8 h1 moved out 02-28 (before the month).
    - s1 full-time 甲一; s2 leader of 甲一 and of 乙一; s3 part-time 乙一
      ended 03-10; s4 full-time on the micro-grid from 03-05.
    - Training: session 03-08 (s1 present 4 h, s2 absent), 01-10 (s3 present
      2 h), a cancelled one on 03-09 (s1 present).
    """
    ids: dict[str, int] = {}
    with db.session() as s:
        def area(key, level, name, parent=None, **kw):
            a = Area(level=level, name=name, parent_id=ids.get(parent), **kw)
            s.add(a)
            s.flush()
            ids[key] = a.id

        area("town", "township", "小城街道", division_code="411399001000")
        area("A", "community", "甲社区", "town", division_code="411399001001", community_kind="社区", sort_order=0)
        area("B", "community", "乙村", "town", division_code="411399001200", community_kind="村", sort_order=1)
        area("A1", "grid", "甲一网格", "A", grid_code="411399001001001", grid_type="城市社区网格")
        area("A1m", "microgrid", "甲一微网格", "A1", grid_code="411399001001001001")
        area("B1", "grid", "乙一网格", "B", grid_code="411399001200001", grid_type="农村网格")

        def household(key, area_key, registered, dissolved=None):
            h = Household(household_no=key, area_id=ids[area_key], registered_on=registered, dissolved_on=dissolved)
            s.add(h)
            s.flush()
            ids[key] = h.id

        household("h1", "A1", OLD)
        household("h2", "A1m", OLD)
        household("h3", "B1", OLD, D("2026-03-20"))
        household("h4", "B1", D("2026-03-05"))

        def person(key, hh, registered=OLD, moved_out=None, died=None):
            status = PERSON_MOVED_OUT if moved_out else PERSON_DECEASED if died else PERSON_ACTIVE
            p = Person(name=key, household_id=ids[hh], registered_on=registered, moved_out_on=moved_out,
                       died_on=died, status=status)
            s.add(p)
            s.flush()
            ids[key] = p.id

        person("p1", "h1")
        person("p2", "h1", moved_out=D("2026-03-15"))
        person("p3", "h2", died=D("2026-03-10"))
        person("p4", "h2", registered=D("2026-03-12"))
        person("p5", "h3", moved_out=D("2026-03-20"))
        person("p6", "h4", registered=D("2026-03-05"))
        person("p7", "h4")
        person("p8", "h1", moved_out=D("2026-02-28"))
        s.add(PersonEvent(person_id=ids["p7"], kind=EVENT_TRANSFER, event_date=D("2026-03-18"),
                          from_household_id=ids["h1"], to_household_id=ids["h4"]))

        for key in ("s1", "s2", "s3", "s4"):
            st = Staff(name=key)
            s.add(st)
            s.flush()
            ids[key] = st.id
        for staff, area_key, role, start, end in [
            ("s1", "A1", "fulltime", D("2025-01-01"), None), ("s2", "A1", "leader", D("2025-01-01"), None),
            ("s2", "B1", "leader", D("2025-01-01"), None), ("s3", "B1", "parttime", D("2025-01-01"), D("2026-03-10")),
            ("s4", "A1m", "fulltime", D("2026-03-05"), None),
        ]:
            s.add(StaffAssignment(staff_id=ids[staff], area_id=ids[area_key], role=role, start_date=start,
                                  end_date=end))
        for key, day, hours, cancelled in [("t1", "2026-03-08", 4, False), ("t2", "2026-01-10", 2, False),
                                           ("t3", "2026-03-09", 3, True)]:
            t = TrainingSession(name=key, start_date=D(day), end_date=D(day), hours=hours, cancelled=cancelled)
            s.add(t)
            s.flush()
            ids[key] = t.id
        for session_key, staff, status, hours in [("t1", "s1", "present", 4), ("t1", "s2", "absent", 0),
                                                  ("t2", "s3", "present", 2), ("t3", "s1", "present", 3)]:
            s.add(Attendance(session_id=ids[session_key], staff_id=ids[staff], status=status, hours_credited=hours))
    return ids


EXPECTED_MARCH = {
    "甲社区": (StockFlow(2, 0, 0, 2), StockFlow(4, 1, 3, 2), 3),
    "乙村": (StockFlow(1, 1, 1, 1), StockFlow(1, 2, 1, 2), 1),
}


@pytest.fixture
def tiny(db):
    return db, _build(db)


def _plain_sql_residents(db, on: date) -> int:
    with db.session() as s:
        return s.execute(text(
            "SELECT count(*) FROM person WHERE registered_on <= :d AND (moved_out_on IS NULL OR moved_out_on > :d)"
            " AND (died_on IS NULL OR died_on > :d)"), {"d": on}).scalar_one()


def _plain_sql_households(db, on: date) -> int:
    with db.session() as s:
        return s.execute(text("SELECT count(*) FROM household WHERE registered_on <= :d"
                              " AND (dissolved_on IS NULL OR dissolved_on > :d)"), {"d": on}).scalar_one()


def _plain_sql_staff(db, on: date) -> int:
    """在岗 at ``on``: an assignment runs and the status that day (latest
    status event, else the current status) is 在岗 — 休假 is not counted."""
    with db.session() as s:
        return s.execute(text(
            "SELECT count(DISTINCT a.staff_id) FROM staff_assignment a JOIN staff st ON st.id = a.staff_id"
            " WHERE a.start_date <= :d AND (a.end_date IS NULL OR a.end_date >= :d)"
            " AND coalesce((SELECT e.status FROM staff_status_event e WHERE e.staff_id = a.staff_id"
            " AND e.event_date <= :d ORDER BY e.event_date DESC, e.id DESC LIMIT 1), st.status) = '在岗'"),
            {"d": on}).scalar_one()


def test_figures_of_a_month_with_known_history(tiny):
    db, ids = tiny
    f = monthly_figures(db, 2026, 3)
    assert f.township == "小城街道" and f.unit == "小城街道网格化服务管理中心"
    assert [c.name for c in f.communities] == ["甲社区", "乙村"]
    for c in f.communities:
        households, residents, staff = EXPECTED_MARCH[c.name]
        assert (c.households, c.residents, c.staff_on_post) == (households, residents, staff), c.name
        assert c.households.balanced and c.residents.balanced
    assert f.total.households == StockFlow(3, 1, 1, 3)
    assert f.total.residents == StockFlow(5, 3, 4, 4)
    assert f.total.staff_on_post == 3  # s2 serves both communities: counted once
    assert f.total.staff_by_role["fulltime"] == 2 and f.total.staff_by_role["leader"] == 1
    assert f.total.staff_by_role["parttime"] == 0  # s3's assignment ended on 03-10
    # Plain SQL at both month ends.
    assert f.total.residents.current == _plain_sql_residents(db, D("2026-03-31"))
    assert f.total.residents.previous == _plain_sql_residents(db, D("2026-02-28"))
    assert f.total.households.current == _plain_sql_households(db, D("2026-03-31"))
    assert f.total.households.previous == _plain_sql_households(db, D("2026-02-28"))
    assert f.total.staff_on_post == _plain_sql_staff(db, D("2026-03-31"))

    grids = {g.name: g for g in f.grids}
    assert list(grids) == ["甲一网格", "乙一网格"]
    a1, b1 = grids["甲一网格"], grids["乙一网格"]
    assert (a1.households, a1.residents, a1.staff_on_post, a1.fulltime_workers) == (2, 2, 3, 2)
    assert (b1.households, b1.residents, b1.staff_on_post, b1.fulltime_workers) == (1, 2, 1, 0)
    assert a1.households_per_worker == 1 and b1.households_per_worker is None
    assert b1.warning == "无专职网格员" and f.grids_lacking == (b1,)

    assert (f.training_month.sessions, f.training_month.attendances, f.training_month.hours) == (1, 1, 4.0)
    assert (f.training_year.sessions, f.training_year.attendances, f.training_year.hours) == (2, 2, 6.0)


def test_february_before_the_changes(tiny):
    db, _ids = tiny
    f = monthly_figures(db, 2026, 2)
    by_name = {c.name: c for c in f.communities}
    # p8 left on 02-28 (the last day): counted at January's end, not at February's.
    assert by_name["甲社区"].residents == StockFlow(5, 0, 1, 4)
    assert by_name["乙村"].residents == StockFlow(1, 0, 0, 1)
    assert by_name["乙村"].staff_on_post == 2  # s2 and s3 (ended only in March)
    assert f.training_month == type(f.training_month)(0, 0, 0.0)


def test_past_month_is_the_same_after_later_changes(tiny):
    db, ids = tiny
    before = monthly_figures(db, 2026, 3)
    with db.session() as s:
        # April: p1 moves out, p4 transfers 甲 → 乙, s1's post ends, a new household and person.
        p1 = s.get(Person, ids["p1"])
        p1.status, p1.moved_out_on = PERSON_MOVED_OUT, D("2026-04-10")
        p4 = s.get(Person, ids["p4"])
        p4.household_id = ids["h4"]
        s.add(PersonEvent(person_id=ids["p4"], kind=EVENT_TRANSFER, event_date=D("2026-04-05"),
                          from_household_id=ids["h2"], to_household_id=ids["h4"]))
        s.get(Household, ids["h2"]).dissolved_on = D("2026-04-05")
        assignment = s.scalar(select(StaffAssignment).where(StaffAssignment.staff_id == ids["s1"]))
        assignment.end_date = D("2026-04-30")
        h5 = Household(household_no="h5", area_id=ids["A1"], registered_on=D("2026-04-02"))
        s.add(h5)
        s.flush()
        s.add(Person(name="p9", household_id=h5.id, registered_on=D("2026-04-02"), status=PERSON_ACTIVE))
        s.add(TrainingSession(name="t4", start_date=D("2026-04-01"), end_date=D("2026-04-01"), hours=1))
    after = monthly_figures(db, 2026, 3)
    assert after == before
    april = monthly_figures(db, 2026, 4)
    by_name = {c.name: c for c in april.communities}
    assert by_name["甲社区"].residents == StockFlow(2, 1, 2, 1)  # +p9; −p1 moved out, −p4 transferred
    assert by_name["乙村"].residents == StockFlow(2, 1, 0, 3)  # +p4
    assert by_name["甲社区"].households == StockFlow(2, 1, 1, 2)
    assert by_name["甲社区"].staff_on_post == 3  # s1's assignment runs to 04-30 inclusive
    assert monthly_figures(db, 2026, 5).total.staff_on_post == 2
    assert april.total.residents.current == _plain_sql_residents(db, D("2026-04-30"))


def test_scope_and_bad_input(tiny):
    db, ids = tiny
    f = monthly_figures(db, 2026, 3, ids["B"])
    # one community's report: its rows are its grids, the total is the community
    assert [c.name for c in f.communities] == ["乙一网格"] and f.scope_name == "乙村" and not f.scope_is_township
    assert f.by_grid and f.breakdown == "网格" and f.scope_word == "本村"
    assert f.total.staff_on_post == 1 and f.total.residents == StockFlow(1, 2, 1, 2)
    assert [g.name for g in f.grids] == ["乙一网格"]
    # Only s3 (乙一, 01-10) trained for 乙村 this year; no 乙村 attendance in March.
    assert (f.training_month.sessions, f.training_year.sessions, f.training_year.hours) == (0, 1, 2.0)
    assert monthly_figures(db, 2026, 3, ids["town"]).to_dict()["totals"] == monthly_figures(db, 2026, 3).to_dict()[
        "totals"]
    with pytest.raises(ValidationError, match="网格"):
        monthly_figures(db, 2026, 3, ids["A1"])
    with pytest.raises(ValidationError, match="报告月份"):
        monthly_figures(db, 2026, 13)


def test_stock_and_flow_add_up_on_the_demo(tmp_path):
    from gridadmin.db import open_database
    from gridadmin.services.demo import create_demo_database

    path = tmp_path / "demo.db"
    create_demo_database(str(path), "small", today=date(2026, 11, 20))
    db = open_database(str(path))
    try:
        for year, month in [(2025, m) for m in range(1, 13)] + [(2026, m) for m in range(1, 12)]:
            f = monthly_figures(db, year, month)
            for row in (*f.communities, f.total):
                assert row.households.balanced and row.residents.balanced, (year, month, row.name)
            assert f.total.residents.current == _plain_sql_residents(db, f.month_end)
            assert f.total.households.current == _plain_sql_households(db, f.month_end)
            assert f.total.staff_on_post == _plain_sql_staff(db, f.month_end)
            assert sum(g.households for g in f.grids) <= f.total.households.current
        previous = monthly_figures(db, 2026, 9)
        assert monthly_figures(db, 2026, 10).total.residents.previous == previous.total.residents.current
    finally:
        db.dispose()


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_pdf_has_headings_and_numbers(tiny, tmp_path):
    db, _ids = tiny
    path = tmp_path / "month.pdf"
    pages = monthly_report_pdf(db, 2026, 3, path, printed_on=date(2026, 4, 3))
    body = _pdf_text(path)
    flat = re.sub(r"\s+", "", body)
    assert pages == len(PdfReader(str(path)).pages) >= 1
    for heading in ("网格化服务管理月报", "小城街道网格化服务管理中心", "报告月份：2026年3月", "户数与人口增减情况",
                    "上月末", "本月增加", "本月减少", "本月末", "网格力量在岗情况", "网格情况", "培训情况",
                    "单位负责人", "审核人", "制表人", "（盖章）", f"第1页共{pages}页", "无专职网格员"):
        assert heading in flat, heading
    # 甲社区 row: households 2 0 0 2, residents 4 1 3 2, then the 合计 row.
    assert re.search(r"甲社区\s*411399001001\s*2\s*0\s*0\s*2\s*4\s*1\s*3\s*2", body)
    assert re.search(r"乙村\s*411399001200\s*1\s*1\s*1\s*1\s*1\s*2\s*1\s*2", body)
    assert re.search(r"合计\s*3\s*1\s*1\s*3\s*5\s*3\s*4\s*4", body)


def test_cli_json_equals_the_figures(tiny, tmp_path, capsys, cli_login):
    from gridadmin.cli import main

    db, _ids = tiny
    url = db.url
    login = cli_login(db)
    out = tmp_path / "m.pdf"
    assert main(["report", "monthly", "--db", url, "--month", "2026-03", "--out", str(out), "--json", *login]) == 0
    printed = json.loads(capsys.readouterr().out)
    from gridadmin.services.reports.monthly_tables import report_json

    figures = monthly_figures(db, 2026, 3)
    assert printed == report_json(figures)
    # every table the PDF prints, row by row as printed (see test_pdf_… above for the same rows in the PDF)
    tables = printed.pop("tables")
    printed.pop("charts")
    assert printed == figures.to_dict()
    sections = [t["section"] for t in tables]
    for heading in ("一、户数与人口增减情况", "二、人口类别增减情况（人）", "三、网格力量在岗情况", "四、人员变动情况（本月）",
                    "五、网格情况（本月末）", "六、培训情况", "七、特殊人群、重点人员和关怀对象情况（本月末，人）"):
        assert heading in sections, heading
    first = tables[0]
    assert first["header"][1][2:6] == ["上月末", "本月增加", "本月减少", "本月末"]
    assert first["rows"][0] == ["甲社区", "411399001001", "2", "0", "0", "2", "4", "1", "3", "2"]
    assert first["rows"][-1] == ["合计", "", "3", "1", "1", "3", "5", "3", "4", "4"]
    assert printed["provisional"] is False and printed["as_of_text"] == "统计时点：2026年03月31日（本月末）"
    flows = printed["totals"].pop("flows")
    assert printed["totals"] == {"households": 3, "residents": 4, "staff_on_post": 3, "staff_on_leave": 0,
                                 "grids": 2, "categories": {"未填类别": 4},  # the fixture sets no categories
                                 "census": {"houses": 0, "rentals": 0, "tenants": 0, "away": 0, "absent": 0}}
    assert printed["correction_changes"] == []
    # no month submitted: 上月末 is computed, nothing was submitted, no 更正
    assert flows["residents"] == {"previous": 5, "previous_submitted": None, "corrections": 0, "increase": 3,
                                  "decrease": 4, "current": 4}
    assert printed["submitted"] is None
    assert printed["communities"][0] == {"name": "甲社区", "code": "411399001001", "households": 2, "residents": 2,
                                         "staff_on_post": 3}
    assert out.stat().st_size > 0
    assert main(["report", "monthly", "--db", url, "--month", "2026-03", "--scope", "411399001200",
                 "--out", str(out), "--json", *login]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["households"] == 1
    assert main(["report", "monthly", "--db", url, "--month", "2026-3x", "--out", str(out), *login]) == 2
    assert "报告月份" in capsys.readouterr().err
    assert main(["report", "monthly", "--db", url, "--month", "2026-03", "--scope", "000", "--out", str(out), *login]) == 2
    assert "找不到" in capsys.readouterr().err


def _python_residents(db, on: date) -> dict[tuple[int, str], int]:
    """{(community id, category or ''): residents at ``on``}, person by person
    in Python: present by the plain rule, in the household they had at
    ``on`` (the one left by their first transfer after it, else the current)
    or, without one, at the house they lived in then (likewise by 住所变更)."""
    with db.session() as s:
        area_parent = dict(s.execute(text("SELECT id, parent_id FROM area")).all())
        area_level = dict(s.execute(text("SELECT id, level FROM area")).all())
        household_area = dict(s.execute(text("SELECT id, area_id FROM household")).all())
        house_area = dict(s.execute(text("SELECT id, area_id FROM house")).all())
        transfers = s.execute(text(
            "SELECT person_id, event_date, id, from_household_id FROM person_event WHERE kind = '户间迁移'")).all()
        moves = s.execute(text(
            "SELECT person_id, event_date, id, from_house_id FROM person_event WHERE kind = '住所变更'")).all()
        people = s.execute(text("SELECT id, household_id, category, status, registered_on, moved_out_on, died_on, "
                                "house_id FROM person")).all()

    def community(area_id):
        while area_id is not None and area_level[area_id] != "community":
            area_id = area_parent[area_id]
        return area_id

    def day(value):
        return date.fromisoformat(str(value)) if value is not None else None

    def firsts(events) -> dict[int, tuple]:
        found: dict[int, tuple] = {}
        for person_id, event_date, event_id, left in events:
            key = (day(event_date), event_id)
            if key[0] > on and (person_id not in found or key < found[person_id][0]):
                found[person_id] = (key, left)
        return found

    first_after, first_move = firsts(transfers), firsts(moves)
    counts: dict[tuple[int, str], int] = {}
    for pid, household, category, status, registered, moved_out, died, house in people:
        registered, moved_out, died = day(registered), day(moved_out), day(died)
        if status != "在册" and moved_out is None and died is None:
            continue
        if (registered and registered > on) or (moved_out and moved_out <= on) or (died and died <= on):
            continue
        household = first_after.get(pid, (None, household))[1]
        house = first_move.get(pid, (None, house))[1]
        if household is None and house is None:
            continue
        area = household_area[household] if household is not None else house_area[house]
        key = (community(area), category or "")
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_residents_per_community_and_category_match_a_person_by_person_count(tmp_path):
    """The report reads stored per-area counts plus the people who are not
    there at every date; every figure equals a count done person by person."""
    from gridadmin.db import open_database
    from gridadmin.services.demo import create_demo_database
    from gridadmin.services.reports.monthly_figures import month_bounds

    path = tmp_path / "demo.db"
    create_demo_database(str(path), "small", today=date(2026, 11, 20))
    db = open_database(str(path))
    try:
        for year, month in [(2025, 2), (2025, 11), (2026, 6), (2026, 11)]:
            f = monthly_figures(db, year, month)
            end_counts, prev_counts = _python_residents(db, f.month_end), _python_residents(db, f.previous_end)
            assert sum(end_counts.values()) > 1000
            for c in f.communities:
                expected_end = {cat: n for (comm, cat), n in end_counts.items() if comm == c.area_id}
                expected_prev = {cat: n for (comm, cat), n in prev_counts.items() if comm == c.area_id}
                got = f.category_flows[c.area_id]
                assert {cat: flow.current for cat, flow in got.items() if flow.current} == expected_end, (month, c.name)
                assert {cat: flow.previous for cat, flow in got.items() if flow.previous} == expected_prev
                assert c.residents.current == sum(expected_end.values())
            trend_ends = [month_bounds(p.year, p.month)[1] for p in f.trend]
            assert [p.residents for p in f.trend][-1] == f.total.residents.current
            assert [p.residents for p in f.trend][0] == _plain_sql_residents(db, trend_ends[0])
    finally:
        db.dispose()
