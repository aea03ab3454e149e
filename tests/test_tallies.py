"""The stored per-area counts (household_tally, resident_tally, tag_tally) stay equal
to a full count through every kind of write — ORM, plain SQL, service
calls, import and its undo — on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
from datetime import date

import pytest

from sqlalchemy import delete, select, text, update

from gridadmin.models import Area, Household, Person, PersonTag, TagKind
from gridadmin.services.register import tallies
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree


def _grids(db, n=4) -> list[int]:
    with db.session() as s:
        township = Area(level="township", name="测试镇")
        s.add(township)
        s.flush()
        community = Area(level="community", name="测试社区", parent_id=township.id)
        s.add(community)
        s.flush()
        grids = [Area(level="grid", name=f"网格{i}", parent_id=community.id) for i in range(n)]
        s.add_all(grids)
        s.flush()
        return [g.id for g in grids]


def _exact(db) -> None:
    with db.session() as s:
        assert tallies.mismatches(s) == []


def test_random_writes_keep_the_counts_exact(db):
    rng = random.Random(7)
    grids = _grids(db)
    with db.session() as s:
        households = [Household(household_no=f"H{i}", area_id=rng.choice(grids)) for i in range(30)]
        s.add_all(households)
        s.flush()
        s.add_all(Person(name=f"人{i}", household_id=rng.choice(households).id,
                         category=rng.choice(["10", "20", None]), status=rng.choice(["在册", "在册", "迁出"]))
                  for i in range(200))
    with db.session() as s:
        kinds = [TagKind(code=f"t{i}", name=f"测试人群{i}") for i in range(3)]
        s.add_all(kinds)
        s.flush()
        kind_ids = [k.id for k in kinds]
        person_ids = list(s.scalars(select(Person.id)))
        # every (person, group) pair at most once, open or not: the random steps below reopen
        # memberships, and the database allows one open membership per person and group (0009)
        pairs = set(rng.sample([(p, k) for p in person_ids for k in kind_ids], 150))
        s.add_all(PersonTag(person_id=p, tag_kind_id=k, end_date=rng.choice([None, None, date(2026, 1, 1)]))
                  for p, k in sorted(pairs))

    def free_pair(person_id=None):
        """An unused (person, group) pair, the person's own when given and any is left."""
        people = [person_id] if person_id is not None else person_ids
        free = [(p, k) for p in people for k in kind_ids if (p, k) not in pairs]
        return rng.choice(free) if free else free_pair()

    _exact(db)
    with db.session() as s:
        hh_ids = list(s.scalars(select(Household.id)))
        tag_ids = list(s.scalars(select(PersonTag.id)))
    for step in range(60):
        with db.session() as s:
            pid = rng.choice(person_ids)
            choice = step % 9
            if choice == 4 and s.scalar(select(PersonTag.id).where(PersonTag.person_id == pid).limit(1)):
                choice = 6  # a person with memberships is not deleted
            if choice == 6:  # membership ended, reopened, moved to another kind or person
                t = s.get(PersonTag, rng.choice(tag_ids))
                t.end_date = None if t.end_date else date(2026, 2, 1)
                pairs.discard((t.person_id, t.tag_kind_id))
                t.person_id, t.tag_kind_id = free_pair(None if step % 2 else t.person_id)
                pairs.add((t.person_id, t.tag_kind_id))
            elif choice == 7:  # new and deleted memberships
                pair = free_pair(pid)
                t = PersonTag(person_id=pair[0], tag_kind_id=pair[1])
                s.add(t)
                s.flush()
                tag_ids.append(t.id)
                pairs.add(pair)
                gone = s.get(PersonTag, rng.choice(tag_ids[:-1]))
                pairs.discard((gone.person_id, gone.tag_kind_id))
                s.execute(delete(PersonTag).where(PersonTag.id == gone.id))
                tag_ids.remove(gone.id)
            elif choice == 8:  # plain SQL over many memberships
                s.execute(update(PersonTag).where(PersonTag.id % 5 == step % 5).values(end_date=None))
            elif choice == 0:  # ORM: status, household and category together
                p = s.get(Person, pid)
                p.status = rng.choice(["在册", "迁出", "死亡"])
                p.household_id = rng.choice(hh_ids + [None])
                p.category = rng.choice(["10", "20", "30", None])
            elif choice == 1:  # plain SQL over many rows
                s.execute(update(Person).where(Person.id % 7 == step % 7).values(category="40"))
            elif choice == 2:  # a household moves to another grid, with its members
                s.execute(update(Household).where(Household.id == rng.choice(hh_ids))
                          .values(area_id=rng.choice(grids)))
            elif choice == 3:  # dissolved / restored
                h = s.get(Household, rng.choice(hh_ids))
                h.dissolved_on = None if h.dissolved_on else date(2026, 1, 1)
            elif choice == 4:  # deleted person
                s.execute(delete(Person).where(Person.id == pid))
                person_ids.remove(pid)
            else:  # new person and household
                h = Household(household_no=f"N{step}", area_id=rng.choice(grids))
                s.add(h)
                s.flush()
                hh_ids.append(h.id)
                p = Person(name=f"新{step}", household_id=h.id, category="10", status="在册")
                s.add(p)
                s.flush()
                person_ids.append(p.id)
        _exact(db)
        if step % 10 == 9:  # PostgreSQL: the pending changes folded into the base rows
            with db.session() as s:
                before = (tallies.households_per_area(s), tallies.residents_per_area_category(s),
                          tallies.holders_per_area_kind(s))
                tallies.fold(s)
            with db.session() as s:
                assert (tallies.households_per_area(s), tallies.residents_per_area_category(s),
                        tallies.holders_per_area_kind(s)) == before
                assert not s.scalar(text("SELECT count(*) FROM resident_tally_delta"))
    with db.session() as s:  # changes that cancel out fold to nothing
        p = s.get(Person, person_ids[0])
        p.status = "迁出" if p.status == "在册" else "在册"
        s.flush()
        p.status = "迁出" if p.status == "在册" else "在册"
    with db.session() as s:
        tallies.fold(s)
    _exact(db)
    with db.session() as s:  # a rolled-back change leaves the counts as they were
        before = tallies.residents_per_area(s)
    try:
        with db.session() as s:
            s.execute(update(Person).values(status="迁出"))
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    with db.session() as s:
        assert tallies.residents_per_area(s) == before
    _exact(db)


def _household(db, area_id: int, *people: Person) -> None:
    """One household in ``area_id`` holding ``people``."""
    with db.session() as s:
        h = Household(household_no=f"A{area_id}", area_id=area_id)
        s.add(h)
        s.flush()
        for p in people:
            p.household_id = h.id
        s.add_all(people)


def test_grid_tree_reads_the_stored_counts(db):
    grids = _grids(db, 2)
    _household(db, grids[0], Person(name="甲", status="在册"), Person(name="乙", status="死亡"))
    nodes = {n.id: n for n in load_tree(db)}
    assert (nodes[grids[0]].households, nodes[grids[0]].residents) == (1, 1)
    community = nodes[grids[0]].parent_id
    add_area(db, community, AreaInput("网格新"))
    nodes = {n.id: n for n in load_tree(db)}
    assert (nodes[community].households, nodes[community].residents) == (1, 1)
    assert (nodes[grids[1]].households, nodes[grids[1]].residents) == (0, 0)


def test_recount_repairs_counts_damaged_outside_the_triggers(db):
    grids = _grids(db, 1)
    _household(db, grids[0], Person(name="甲", status="在册", category="10"))
    with db.session() as s:
        s.execute(text("INSERT INTO resident_tally_delta (area_id, category, residents) "
                       f"VALUES ({grids[0]}, '10', 4)"))
        s.execute(text("DELETE FROM household_tally"))
        s.execute(text("DELETE FROM household_tally_delta"))
        assert len(tallies.mismatches(s)) == 2
        tallies.recount(s)
        assert tallies.mismatches(s) == []
        assert tallies.residents_per_area_category(s) == {(grids[0], "10"): 1}


def test_demo_import_and_undo_keep_the_counts_exact(township_db, tmp_path):
    from gridadmin.services.importing.history import undo_batch
    from gridadmin.services.importing import import_job
    from gridadmin.services.common.progress import run_to_end
    from tests.test_import_support import person, write_workbook

    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11), person("H1", "妻", "王芳", date(1981, 3, 4), 22),
            person("H2", "户主", "赵四", date(1990, 5, 6), 33)]
    result = run_to_end(import_job(township_db, write_workbook(tmp_path / "a.xlsx", rows), "residents"))
    assert result.committed
    _exact(township_db)
    tree = {n.name: n for n in load_tree(township_db)}
    assert (tree["一网格"].households, tree["一网格"].residents) == (2, 3)
    undo_batch(township_db, result.batch_id)
    _exact(township_db)
    assert load_tree(township_db)[0].residents == 0


def test_residents_list_count_from_the_stored_counts_equals_the_sql_count(tmp_path):
    from gridadmin.db import open_database
    from gridadmin.services.demo import create_demo_database
    from gridadmin.services.common.paging import PageQuery, SqlPager
    from gridadmin.services.register.residents import ResidentFilter, resident_source, stored_count

    path = tmp_path / "small.db"
    create_demo_database(str(path), "small")
    db = open_database(str(path))
    try:
        with db.session() as s:  # people 在册 with neither a household nor a house are listed, but in no area
            s.execute(text("UPDATE person SET household_id = NULL, house_id = NULL "
                           "WHERE id IN (SELECT id FROM person LIMIT 4)"))
            # without a household but at a house: listed and counted in the house's area
            s.execute(text("UPDATE person SET household_id = NULL "
                           "WHERE id IN (SELECT id FROM person WHERE household_id IS NOT NULL LIMIT 3)"))
        nodes = load_tree(db)
        community = next(n for n in nodes if n.level == "community")
        grid = next(n for n in nodes if n.level == "grid")
        source = resident_source(db)
        filters = [ResidentFilter(), ResidentFilter(category="3"), ResidentFilter(area_id=community.id),
                   ResidentFilter(area_id=grid.id, category="1"), ResidentFilter(area_id=nodes[0].id)]
        for f in filters:
            assert stored_count(db, f) is not None
            sql = SqlPager.count(source, PageQuery(f, "name"))
            assert source.count(PageQuery(f, "name")) == sql, f
        assert stored_count(db, ResidentFilter()) == stored_count(db, ResidentFilter(area_id=nodes[0].id)) + 4
        assert 0 < stored_count(db, ResidentFilter(category="3")) < stored_count(db, ResidentFilter())
        for f in (ResidentFilter(status=None), ResidentFilter(gender="1"), ResidentFilter(search="李")):
            assert stored_count(db, f) is None
    finally:
        db.dispose()


def test_special_group_pages_are_the_same_walked_in_name_order_or_joined(tmp_path):
    from sqlalchemy import func

    from gridadmin.db import open_database
    from gridadmin.models import PersonTag
    from gridadmin.services.demo import create_demo_database
    from gridadmin.services.common.paging import PageQuery
    from gridadmin.services.register.residents import ResidentFilter, resident_keys, resident_source

    path = tmp_path / "small.db"
    create_demo_database(str(path), "small")
    db = open_database(str(path))
    try:
        with db.session() as s:
            kind = s.execute(select(PersonTag.tag_kind_id).group_by(PersonTag.tag_kind_id)
                             .order_by(func.count().desc()).limit(1)).scalar_one()
        query = PageQuery(ResidentFilter(tag_kind_id=kind), "name")
        with db.session() as s:
            order = resident_source(db).order_by(query)
            joined = list(s.scalars(resident_keys(s, query.filter).order_by(*order)))
            walked = list(s.scalars(resident_keys(s, query.filter, walk_in_order=True).order_by(*order)))
        assert walked == joined and len(joined) > 20
        source = resident_source(db)
        total = source.count(query)
        assert total == len(joined)
        pages = [r.id for offset in range(0, total, 7) for r in source.window(query, offset, 7)]
        assert pages == joined
    finally:
        db.dispose()


def test_upgrading_a_0007_database_fills_the_counts_from_its_rows(tmp_path):
    """A database made by the previous version (schema 0007) holding people
    gets exact stored counts from migration 0008, and triggers after it."""
    import os

    from alembic import command
    from sqlalchemy import create_engine

    from gridadmin.db import open_database
    from gridadmin.migrations import alembic_config
    from tests.conftest import _empty_server_database

    url = os.environ.get("GRIDADMIN_TEST_DB") or f"sqlite:///{tmp_path / 'old.db'}"
    if url.startswith("postgresql"):
        _empty_server_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
        conn.execute(text("INSERT INTO area (id, level, name, active, sort_order, version) VALUES "
                          "(1, 'township', '老镇', true, 0, 1), (2, 'community', '老社区', true, 0, 1), "
                          "(3, 'grid', '老网格', true, 0, 1)"))
        conn.execute(text("UPDATE area SET parent_id = id - 1 WHERE id > 1"))
        conn.execute(text("INSERT INTO household (id, household_no, area_id, is_dibao, is_tekun, is_party, "
                          "is_veteran, is_disabled, is_poor, version) VALUES (1, 'H1', 3, false, false, false, "
                          "false, false, false, 1)"))
        conn.execute(text("INSERT INTO person (id, household_id, name, status, category, version) VALUES "
                          "(1, 1, '甲', '在册', '1', 1), (2, 1, '乙', '在册', '3', 1), (3, 1, '丙', '死亡', '1', 1)"))
        conn.execute(text("INSERT INTO tag_kind (id, code, name, sensitive, sort_order, active, version) "
                          "VALUES (900, 'old', '旧人群', false, 0, true, 1)"))
        conn.execute(text("INSERT INTO person_tag (person_id, tag_kind_id) VALUES (1, 900), (3, 900)"))
    engine.dispose()
    db = open_database(url)
    try:
        with db.session() as s:
            assert tallies.mismatches(s) == []
            assert tallies.residents_per_area_category(s) == {(3, "1"): 1, (3, "3"): 1}
            assert tallies.households_per_area(s) == {3: 1}
            assert tallies.holders_per_area_kind(s) == {(3, 900): 1}
            s.execute(text("UPDATE person SET status = '迁出' WHERE id = 1"))
            assert tallies.mismatches(s) == [] and tallies.holders_per_area_kind(s) == {}
    finally:
        db.dispose()


def test_postgresql_writers_do_not_wait_for_each_other_on_the_counts(db):
    """Two clerks on PostgreSQL: while one transaction (an import, say) has
    added a resident to a grid and not committed, another records a death
    in the same grid and commits at once; both land in the counts."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL: SQLite has one writer at a time")
    grids = _grids(db, 1)
    _household(db, grids[0], Person(name="甲", status="在册", category="1"),
               Person(name="乙", status="在册", category="1"))
    with db.session() as s:
        tallies.fold(s)
    with db.session() as s:
        household = s.scalar(select(Household.id))
        second = s.scalar(select(Person.id).where(Person.name == "乙"))
    long_running = db.engine.connect()
    transaction = long_running.begin()
    long_running.execute(text("INSERT INTO person (household_id, name, status, category, version) "
                              "VALUES (:h, '丙', '在册', '1', 1)"), {"h": household})
    try:
        with db.engine.connect() as clerk:
            with clerk.begin():
                clerk.execute(text("SET LOCAL lock_timeout = '2s'"))
                clerk.execute(text("UPDATE person SET status = '死亡' WHERE id = :id"), {"id": second})
        with db.session() as s:
            tallies.fold(s)  # folds what is committed; the open transaction's change waits for its commit
        with db.session() as s:
            assert tallies.residents_per_area(s) == {grids[0]: 1}
        transaction.commit()
    finally:
        long_running.close()
    with db.session() as s:
        assert tallies.residents_per_area(s) == {grids[0]: 2}
        assert tallies.mismatches(s) == []


def test_special_group_counts_of_today_equal_a_plain_sql_count(tmp_path):
    """人群统计 for today reads residents from the stored counts and groups
    holders by area; both equal plain SQL per community on the demo (a
    membership past its due end not counted; 老年人/高龄老人 by birth date)."""
    from gridadmin.db import open_database
    from gridadmin.services.demo import create_demo_database
    from gridadmin.services.register.age_groups import born_by
    from gridadmin.services.register.special_groups import special_group_counts

    path = tmp_path / "small.db"
    create_demo_database(str(path), "small")
    db = open_database(str(path))
    community = """CASE a.level WHEN 'community' THEN a.id WHEN 'grid' THEN a.parent_id
                   WHEN 'microgrid' THEN (SELECT parent_id FROM area WHERE id = a.parent_id) END"""
    try:
        counts = special_group_counts(db)
        today = counts.on.isoformat()
        with db.session() as s:
            residents = {c: n for c, n in s.execute(text(
                f"SELECT {community} AS c, count(*) FROM person p LEFT JOIN household h ON h.id = p.household_id "
                "LEFT JOIN house hs ON hs.id = p.house_id JOIN area a ON a.id = coalesce(h.area_id, hs.area_id) WHERE p.status = '在册' GROUP BY c HAVING c IS NOT NULL"))}
            holders = {(k, c): n for k, c, n in s.execute(text(
                f"SELECT t.tag_kind_id, {community} AS c, count(DISTINCT t.person_id) FROM person_tag t "
                "JOIN person p ON p.id = t.person_id LEFT JOIN household h ON h.id = p.household_id "
                "LEFT JOIN house hs ON hs.id = p.house_id JOIN area a ON a.id = coalesce(h.area_id, hs.area_id) WHERE p.status = '在册' "
                "AND (t.start_date IS NULL OR t.start_date <= :d) AND (t.end_date IS NULL OR t.end_date > :d) "
                "AND (t.due_end IS NULL OR t.due_end > :d) "
                "GROUP BY t.tag_kind_id, c HAVING c IS NOT NULL"), {"d": today})}
            for kind_id, code in s.execute(text("SELECT id, code FROM tag_kind WHERE code IN ('elder_60', 'elder_80')")):
                for c, n in s.execute(text(
                        f"SELECT {community} AS c, count(*) FROM person p LEFT JOIN household h ON h.id = p.household_id "
                        "LEFT JOIN house hs ON hs.id = p.house_id JOIN area a ON a.id = coalesce(h.area_id, hs.area_id) WHERE p.status = '在册' AND p.birth_date <= :b "
                        "GROUP BY c HAVING c IS NOT NULL"),
                        {"b": born_by(counts.on, 60 if code == "elder_60" else 80)}):
                    holders[(kind_id, c)] = n
        rows = {row.tag_kind_id: row for row in counts.rows}
        assert dict(rows[None].counts) == residents and sum(residents.values()) > 1000
        for kind_id, row in rows.items():
            if kind_id is not None:
                assert dict(row.counts) == {c: n for (k, c), n in holders.items() if k == kind_id}, row.name
        assert sum(row.total for k, row in rows.items() if k is not None) == sum(holders.values()) > 0
    finally:
        db.dispose()
