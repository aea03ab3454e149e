"""Roster query: filters, search, sort and windows computed in SQL."""

from __future__ import annotations

from datetime import date

import pytest

from gridadmin.services.roster import assignments
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.roster.listing import RosterFilter, roster_columns, roster_source
from gridadmin.services.roster.staff import save_staff
from tests.staffdata import TODAY, add, grids, person


@pytest.fixture
def roster(township_db):
    db = township_db
    ids = grids(db)
    people = {
        "张三": add(db, "张三", seq=11),
        "李四": add(db, "李四", seq=22, born=date(1998, 5, 1), employment_type="兼职", political_status="13",
                   phone="0377-63123456", skill_level="3"),
        "曾明": add(db, "曾明", seq=33, born=date(1960, 1, 1)),
        "王五": add(db, "王五", seq=44, status="离职", left_on=date(2023, 1, 1)),
    }
    assignments.assign(db, people["张三"], ids["第一网格"], "fulltime", date(2020, 2, 1))
    assignments.assign(db, people["张三"], ids["粮行网格"], "leader", date(2020, 2, 1))
    assignments.assign(db, people["李四"], ids["第二网格"], "parttime", date(2020, 2, 1))
    assignments.assign(db, people["曾明"], ids["粮行网格"], "instructor", date(2020, 2, 1))
    return db, ids, people


def names(db, **filters):
    source = roster_source(db)
    query = PageQuery(RosterFilter(today=TODAY, **filters))
    rows = source.window(query, 0, 100)
    assert source.count(query) == len(rows)
    return [r.name for r in rows]


def test_default_shows_serving_staff_by_pinyin(roster):
    db, _, _ = roster
    assert names(db) == ["李四", "曾明", "张三"]  # lisi, zengming (曾 read as zeng), zhangsan
    assert names(db, statuses=()) == ["李四", "王五", "曾明", "张三"]


@pytest.mark.parametrize("typed, expected", [
    ("zs", ["张三"]), ("zhangsan", ["张三"]), ("ZHANG", ["张三"]), ("z", ["曾明", "张三"]), ("zm", ["曾明"]),
    ("张", ["张三"]), ("三", ["张三"]), ("63123456", ["李四"]), ("19850302", ["张三"]),
    ("1998", ["李四"]), ("lisi wu", []),
])
def test_search(roster, typed, expected):
    db, _, _ = roster
    assert names(db, search=typed) == expected


def test_filters(roster):
    db, ids, _ = roster
    assert names(db, area_id=ids["河街社区"]) == ["李四", "张三"]
    assert names(db, area_id=ids["粮行网格"]) == ["曾明", "张三"]
    assert names(db, role="leader") == ["张三"]
    assert names(db, area_id=ids["粮行网格"], role="instructor") == ["曾明"]
    assert names(db, employment_type="兼职") == ["李四"]
    assert names(db, statuses=("离职",)) == ["王五"]
    assert names(db, political_status="13") == ["李四"]
    assert names(db, skill_level="3") == ["李四"]
    assert names(db, age_band=(60, 200)) == ["曾明"]
    assert names(db, age_band=(20, 29)) == ["李四"]


def test_someone_who_left_is_found_under_the_old_grid(roster):
    db, ids, people = roster
    save_staff(db, person("张三", seq=11, status="离职", left_on=date(2024, 12, 31)), staff_id=people["张三"],
               today=TODAY)
    assert names(db, area_id=ids["第一网格"]) == []
    assert names(db, area_id=ids["第一网格"], statuses=("离职",)) == ["张三"]
    row = roster_source(db).window(PageQuery(RosterFilter(statuses=("离职",), search="zs", today=TODAY)), 0, 1)[0]
    assert row.grids.startswith("原：") and "原专职网格员" in row.roles


def test_row_content_and_masking(roster):
    db, _, _ = roster
    row = roster_source(db).window(PageQuery(RosterFilter(search="zs", today=TODAY)), 0, 1)[0]
    assert (row.gender, row.age, row.employment_type, row.political_status, row.education) == (
        "男", 40, "专职", "中共党员", "大学专科")
    assert row.grids == "河街社区·第一网格、粮行社区·粮行网格" and row.roles == "专职网格员、网格长"
    assert "河街社区·第一网格" in row.grids_detail
    masked = {c.key: c.text(row) for c in roster_columns(False)}
    full = {c.key: c.text(row) for c in roster_columns(True)}
    assert masked["id_number"] == row.id_number[:6] + "********" + row.id_number[-4:]
    assert masked["phone"] == "138****5678" and full["phone"] == "13812345678"
    assert full["id_number"] == row.id_number


@pytest.mark.parametrize("sort, descending, expected", [
    ("age", False, ["李四", "张三", "曾明"]), ("age", True, ["曾明", "张三", "李四"]),
    ("name", True, ["张三", "曾明", "李四"]), ("employment_type", False, ["张三", "曾明", "李四"]),
])
def test_sort_in_sql(roster, sort, descending, expected):
    db, _, _ = roster
    rows = roster_source(db).window(PageQuery(RosterFilter(today=TODAY), sort, descending), 0, 10)
    assert [r.name for r in rows] == expected  # employment: 专 sorts before 兼, ties by id


def test_windows_do_not_overlap(roster):
    db, _, _ = roster
    source = roster_source(db)
    query = PageQuery(RosterFilter(statuses=(), today=TODAY), "employment_type")
    parts = [r.name for offset in range(4) for r in source.window(query, offset, 1)]
    assert sorted(parts) == sorted(["张三", "李四", "曾明", "王五"])
