"""The stored per-area counts (household_tally, resident_tally) stay equal
to a full count through every kind of write — ORM, plain SQL, service
calls, import and its undo — on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import delete, select, text, update

from gridadmin.models import Area, Household, Person
from gridadmin.services import tallies
from gridadmin.services.areas import AreaInput, add_area, load_tree


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
    _exact(db)
    with db.session() as s:
        hh_ids = list(s.scalars(select(Household.id)))
        person_ids = list(s.scalars(select(Person.id)))
    for step in range(40):
        with db.session() as s:
            pid = rng.choice(person_ids)
            choice = step % 6
            if choice == 0:  # ORM: status, household and category together
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


def test_grid_tree_reads_the_stored_counts(db):
    grids = _grids(db, 2)
    with db.session() as s:
        h = Household(household_no="A1", area_id=grids[0])
        s.add(h)
        s.flush()
        s.add_all([Person(name="甲", household_id=h.id, status="在册"),
                   Person(name="乙", household_id=h.id, status="死亡")])
    nodes = {n.id: n for n in load_tree(db)}
    assert (nodes[grids[0]].households, nodes[grids[0]].residents) == (1, 1)
    community = nodes[grids[0]].parent_id
    add_area(db, community, AreaInput("网格新"))
    assert (nodes[community].households, nodes[community].residents) == (1, 1)


def test_recount_repairs_counts_damaged_outside_the_triggers(db):
    grids = _grids(db, 1)
    with db.session() as s:
        h = Household(household_no="A1", area_id=grids[0])
        s.add(h)
        s.flush()
        s.add(Person(name="甲", household_id=h.id, status="在册", category="10"))
    with db.session() as s:
        s.execute(text("UPDATE resident_tally SET residents = 5"))
        s.execute(text("DELETE FROM household_tally"))
        assert len(tallies.mismatches(s)) == 2
        tallies.recount(s)
        assert tallies.mismatches(s) == []
        assert tallies.residents_per_area_category(s) == {(grids[0], "10"): 1}


def test_demo_import_and_undo_keep_the_counts_exact(township_db, tmp_path):
    from gridadmin.services.import_history import undo_batch
    from gridadmin.services.importing import import_job
    from gridadmin.services.progress import run_to_end
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
