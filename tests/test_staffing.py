"""Per-grid 1+3+N staffing: core roles filled or vacant, households per
full-time grid worker and the two township-wide lists."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from gridadmin.models import Household
from gridadmin.services.areas import tree as areas
from gridadmin.services.roster import assignments
from gridadmin.services.roster import staffing
from gridadmin.services.areas.tree import AreaInput
from tests.staffdata import TODAY, add, grids


def _households(db, area_id: int, count: int, *, dissolved: int = 0, prefix: str = "") -> None:
    """``count`` generated households in ``area_id`` (the last ``dissolved`` of them dissolved)."""
    with db.session() as s:
        for i in range(count):
            s.add(Household(household_no=f"T{prefix}{area_id:04d}{i:05d}", area_id=area_id,
                            dissolved_on=date(2024, 1, 1) if i >= count - dissolved else None))


@pytest.fixture
def setup(township_db):
    db = township_db
    ids = grids(db)
    ids["一网格微网格"] = areas.add_area(db, ids["第一网格"], AreaInput(name="一网格微网格"))
    _households(db, ids["第一网格"], 300)
    _households(db, ids["一网格微网格"], 350, dissolved=10, prefix="m")  # counts for 第一网格: 640
    _households(db, ids["第二网格"], 420)
    _households(db, ids["粮行网格"], 20)
    a, b, c, d = (add(db, n, seq=s) for n, s in (("甲", 11), ("乙", 13), ("丙", 15), ("丁", 17)))
    assignments.assign(db, a, ids["第一网格"], "fulltime", date(2020, 2, 1))
    assignments.assign(db, b, ids["一网格微网格"], "parttime", date(2020, 2, 1))  # counts for 第一网格
    assignments.assign(db, c, ids["第一网格"], "leader", date(2020, 2, 1))
    assignments.assign(db, c, ids["第二网格"], "leader", date(2020, 2, 1))  # one person, two grids
    assignments.assign(db, d, ids["第二网格"], "fulltime", date(2020, 2, 1))
    assignments.assign(db, d, ids["第二网格"], "volunteer", date(2020, 2, 1))
    ended = assignments.assign(db, a, ids["粮行网格"], "fulltime", date(2020, 2, 1))
    assignments.end_assignment(db, ended, date(2024, 12, 31))  # no longer there
    future = add(db, "戊", seq=19)
    assignments.assign(db, future, ids["粮行网格"], "fulltime", date(2025, 8, 1))  # not yet
    left = add(db, "己", seq=21)
    assignments.assign(db, left, ids["粮行网格"], "instructor", date(2020, 2, 1))
    return db, ids


def test_core_roles_households_and_lists(setup):
    db, ids = setup
    report = staffing.grid_staffing(db, today=TODAY)
    by_name = {g.name: g for g in report.grids}
    assert set(by_name) == {"第一网格", "第二网格", "粮行网格"}  # micro-grids fold into their grid
    assert report.role_labels == ("网格长", "专职网格员", "兼职网格员", "网格指导员")
    first, second, liangxing = by_name["第一网格"], by_name["第二网格"], by_name["粮行网格"]
    assert first.households == 640 and first.core == (1, 1, 1, 0) and first.vacant == ("网格指导员",)
    assert first.households_per_worker == 640 and first.over_limit and "超过 500 户" in first.note
    assert second.households == 420 and second.core == (1, 1, 0, 0) and second.others == 1
    assert second.vacant == ("兼职网格员", "网格指导员") and not second.over_limit and second.note == ""
    assert liangxing.core == (0, 0, 0, 1) and liangxing.lacking and liangxing.note == "无专职网格员"
    assert liangxing.households_per_worker is None and liangxing.community == "粮行社区"
    assert [g.name for g in report.lacking] == ["粮行网格"]
    assert [g.name for g in report.over_limit] == ["第一网格"]


def test_staff_who_left_and_inactive_grids_do_not_count(setup):
    db, ids = setup
    from gridadmin.services.roster.staff import get_staff, save_staff
    from dataclasses import replace

    record = get_staff(db, add(db, "庚", seq=23))
    assignments.assign(db, record.id, ids["粮行网格"], "fulltime", date(2021, 1, 1))
    assert not {g.name: g for g in staffing.grid_staffing(db, today=TODAY).grids}["粮行网格"].lacking
    save_staff(db, replace(record.data, status="离职", left_on=date(2025, 6, 1)), staff_id=record.id, today=TODAY)
    report = staffing.grid_staffing(db, today=TODAY)
    assert [g.name for g in report.lacking] == ["粮行网格"]


def test_under_300_per_worker_is_noted_except_rural(setup):
    db, ids = setup
    rural = areas.add_area(db, ids["粮行社区"], AreaInput(name="村网格", grid_type="农村网格"))
    city = areas.add_area(db, ids["粮行社区"], AreaInput(name="城网格", grid_type="城市社区网格"))
    for area_id, seq in ((rural, 31), (city, 33)):
        _households(db, area_id, 100)
        assignments.assign(db, add(db, f"人{seq}", seq=seq), area_id, "fulltime", date(2021, 1, 1))
    by_name = {g.name: g for g in staffing.grid_staffing(db, today=TODAY).grids}
    assert by_name["村网格"].note == "" and "少于 300 户" in by_name["城网格"].note


def test_counts_are_grouped_queries(setup):
    db, _ids = setup
    statements: list[str] = []
    engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        staffing.grid_staffing(db, today=TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 6  # code book, the staffing rule, grids, households, staff — not one per grid
    assert sum("GROUP BY" in s.upper() for s in selects) >= 2


def test_columns_for_export(setup):
    db, _ids = setup
    report = staffing.grid_staffing(db, today=TODAY)
    columns = staffing.staffing_columns(report)
    first = next(g for g in report.grids if g.name == "第一网格")
    texts = {c.title: c.text(first) for c in columns}
    assert texts["户数"] == "640" and texts["专职网格员"] == "1" and texts["缺岗"] == "网格指导员"
    assert texts["户/专职网格员"] == "640"
