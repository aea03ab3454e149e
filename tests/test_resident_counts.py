"""The residents list at county scale (issue 21): a count the UI shows at
once (exact when cheap, else an estimate shown as such) with the exact one
arriving from a worker thread; pages in every sort and filter the same rows
in the same order whichever index drives them (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gridadmin.models import Area
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register import residents
from gridadmin.services.register.households import HouseholdData, MemberData, save_household
from gridadmin.services.register.residents import ResidentFilter, resident_keys, resident_source
from gridadmin.ui.common.lazy_table_model import LazyTableModel, wait_for_counts

TODAY = date(2025, 6, 30)
SURNAMES = "张李王赵刘陈杨黄周吴"
GIVEN = "伟芳娜敏静丽强磊军洋"


@pytest.fixture
def people(township_db):
    """40 people in 10 households of one community: both genders, every age
    band, some with phones (a few sharing a birth date, so ties fall to id)."""
    db = township_db
    with db.session() as s:
        area = s.scalar(select(Area.id).where(Area.level == "community").order_by(Area.id))
    n = 0
    for h in range(10):
        members = []
        for m in range(4):
            n += 1
            birth = date(1935 + (n * 7) % 88, 1 + n % 12, 1 + (n % 3) * 9)
            members.append(MemberData(
                None, SURNAMES[h] + GIVEN[(n * 3) % 10] + ("" if m % 2 else GIVEN[m]),
                make_id_number("411302", birth, 100 + n), relation="02" if m == 0 else "20",
                phone=f"13{n % 5}{n:08d}" if n % 3 else "", category="1" if n % 4 else "3"))
        save_household(db, None, HouseholdData(f"41130200100100{h:02d}", area), members, today=TODAY,
                       confirmed=True)  # ages are spread, not plausible per family
    return db


def _all_ids(db, query: PageQuery) -> list[int]:
    """Every id of ``query`` in its order, from one plain query (the
    filter's every condition usable by any index)."""
    source = resident_source(db)
    with db.session() as s:
        return list(s.scalars(resident_keys(s, query.filter).order_by(*source.order_by(query))))


def _paged_ids(db, query: PageQuery, size: int = 7) -> list[int]:
    """The same list read as the table does: the count first, then windows
    (the second half read from the end)."""
    source = resident_source(db)
    total = source.first_count(query).n
    if not source.first_count(query).exact:
        total = source.count(query)
    return [r.id for offset in range(0, total, size) for r in source.window(query, offset, size)]


@pytest.mark.parametrize("sort", ["name", "age", "id_number", "phone", "gender", "category", "household"])
def test_every_sort_and_filter_pages_the_same_rows_in_the_same_order(people, sort):
    filters = [ResidentFilter(today=TODAY), ResidentFilter(age_band=(18, 59), today=TODAY),
               ResidentFilter(gender="2", today=TODAY), ResidentFilter(gender="1", age_band=(60, 200), today=TODAY),
               ResidentFilter(search="13", today=TODAY), ResidentFilter(search="4113", today=TODAY),
               ResidentFilter(status=None, age_band=(0, 17), today=TODAY)]
    for f in filters:
        for descending in (False, True):
            query = PageQuery(f, sort, descending)
            expected = _all_ids(people, query)
            assert expected, (f, sort)
            assert _paged_ids(people, query) == expected, (f, sort, descending)


def test_first_count_is_exact_when_cheap_and_an_estimate_past_the_limit(people, monkeypatch):
    source = resident_source(people)
    assert source.first_count(PageQuery(ResidentFilter())).exact  # the stored counts
    women = PageQuery(ResidentFilter(gender="2", today=TODAY))
    exact = source.count(women)
    assert 0 < exact < 40 and source.first_count(women).n == exact and source.first_count(women).exact
    monkeypatch.setattr(residents, "EXACT_UP_TO", 3)
    estimate = source.first_count(women)
    # every person's id is drawn when there are fewer than SAMPLE: the estimate is then exact
    assert not estimate.exact and not estimate.at_least and estimate.n == exact
    assert source.exact_count(women) == exact == source.count(women)
    # digits: the count that stops at the limit finds them through their own indexes
    typed = PageQuery(ResidentFilter(search="13", today=TODAY))
    assert source.first_count(typed).n == source.count(typed) > 3
    # no stored count to scale (all statuses, a past day): only "more than"
    for f in (ResidentFilter(status=None, gender="2"), ResidentFilter(as_of=TODAY, gender="2")):
        quick = source.first_count(PageQuery(f))
        assert (quick.n, quick.exact, quick.at_least) == (4, False, True)
        assert source.count(PageQuery(f)) == exact


def test_the_table_shows_the_estimate_then_the_exact_count_from_a_worker(people, qtbot, monkeypatch):
    monkeypatch.setattr(residents, "EXACT_UP_TO", 3)
    source = resident_source(people)
    model = LazyTableModel(source, residents.resident_columns(), query=PageQuery(ResidentFilter(), "name"))
    assert model.count_estimate is None and model.rowCount() == 40
    counts = []
    model.countChanged.connect(counts.append)
    men = ResidentFilter(status=None, gender="1", today=TODAY)  # no stored count to scale: "more than 3"
    model.set_filter(men)
    assert model.count_estimate is not None and model.count_estimate.at_least and model.rowCount() == 4
    qtbot.waitUntil(lambda: model.count_estimate is None, timeout=10_000)
    exact = source.count(PageQuery(men, "name"))
    assert model.rowCount() == exact > 4 and counts == [4, exact]
    names = [model.row_at(r).name for r in range(model.rowCount())]
    assert [r.name for r in source.window(PageQuery(men, "name"), 0, 100)] == names
    # a count that arrives after the filter changed again is dropped
    model.set_filter(ResidentFilter(gender="2", today=TODAY))
    model.set_filter(ResidentFilter(search="zz"))
    wait_for_counts()
    qtbot.wait(50)
    assert model.count_estimate is None and model.rowCount() == 0


def test_the_page_says_the_count_is_an_estimate_until_it_is_exact(people, qtbot, monkeypatch):
    from gridadmin.ui.register.residents_page import ResidentsPage

    monkeypatch.setattr(residents, "EXACT_UP_TO", 3)
    page = ResidentsPage(people)
    qtbot.addWidget(page)
    page.gender.setCurrentIndex(page.gender.findData("2"))
    assert "估计数" in page.summary.text() and page.model.count_estimate is not None
    qtbot.waitUntil(lambda: page.model.count_estimate is None, timeout=10_000)
    n = resident_source(people).count(PageQuery(page.current_filter()))
    assert page.summary.text().startswith(f"共 {n:,} 人（已按条件筛选）")


def _plan(db, stmt) -> str:
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    sql = str(stmt.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}))
    with db.session() as s:
        return "\n".join(r[3] for r in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


@pytest.mark.parametrize("sort, flt", [
    ("age", ResidentFilter()), ("id_number", ResidentFilter()), ("phone", ResidentFilter()),
    ("gender", ResidentFilter()), ("category", ResidentFilter()), ("age", ResidentFilter(age_band=(18, 34))),
    ("name", ResidentFilter(age_band=(18, 34))), ("id_number", ResidentFilter(gender="2", age_band=(60, 79))),
    ("name", ResidentFilter(gender="1")),
])
def test_a_page_in_any_sort_walks_an_index_instead_of_sorting_the_register(db, sort, flt):
    """SQLite: each sort of one status has its index (migration 0023); an age
    band drives only a page sorted by age (elsewhere it would sort the band)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    source = resident_source(db)
    query = PageQuery(flt, sort)
    source._band_drives = sort == "age"  # as window() sets it
    with db.session() as s:
        stmt = source._keys(s, flt).order_by(*source.order_by(query)).limit(200)
    plan = _plan(db, stmt)
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan  # ("… RIGHT PART OF ORDER BY": ties of one birth date)


def test_digits_are_counted_through_their_own_indexes(db):
    """SQLite: the count that stops at the limit finds digits typed through
    the ID number, phone, household and house indexes, not by testing every
    person of the status (which SQLite, without statistics, would choose)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    f = ResidentFilter(search="3")
    with db.session() as s:
        driven = resident_keys(s, f, status_drives=False)
        walked = resident_keys(s, f)
    assert "MULTI-INDEX OR" in _plan(db, driven)
    walk = _plan(db, walked.order_by(*resident_source(db).order_by(PageQuery(f, "name"))).limit(200))
    assert "ix_person_register" in walk and "LIST SUBQUERY" not in walk, walk  # households tested per person
