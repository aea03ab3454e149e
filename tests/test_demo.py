"""Tests for gridadmin.services.demo and the ``demo``/``init`` commands.

The small size is generated once per module; the tests check the rules the
demo data must follow (ID numbers, households, grids, staff, tags). The grid
counts of the bigger sizes are checked on the plan the generator follows,
without generating them.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from gridadmin.db import open_database
from gridadmin.models import (
    Area, Attendance, CodeItem, Household, Person, PersonEvent, PersonTag, Setting, Staff,
    StaffAssignment, StaffStatusEvent, TagKind, TrainingRequirement, TrainingSession,
)
from gridadmin.services.areas.tree import load_tree
from gridadmin.services.demo import (
    DEMO_SIZES, DemoSummary, age_on, create_demo_database, generate_demo, planned_grid_count,
)
from gridadmin.services.demo.areas import chinese_number
from gridadmin.services.demo.picking import seeded_rng
from gridadmin.services.demo.plan import CITY, RURAL, SPECIAL, VILLAGE, plan_demo
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.idcard import check_id_number
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.areas.setup import init_township
from gridadmin.services.register import tallies

TODAY = date(2025, 6, 15)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "small.db"
    steps = []
    db = open_database(str(path))
    summary = run_to_end(generate_demo(db, "small", seed=1, today=TODAY), steps.append)
    yield db, summary, steps
    db.dispose()


def _rows(db, sql: str, **params):
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def _gender_code(label: str) -> str:
    return {"男": "1", "女": "2"}[label]


# --------------------------------------------------------------------------- shape

def test_summary_and_progress(small):
    db, summary, steps = small
    assert isinstance(summary, DemoSummary)
    assert summary.townships == 1 and summary.communities == 3
    assert 1_500 <= summary.residents <= 3_000
    assert summary.grids >= 4 and summary.microgrids >= 1
    assert summary.staff > 10 and summary.sessions >= 40 and summary.attendances > 0
    assert summary.households > 500
    assert summary.seconds > 0
    assert len(steps) >= 5
    assert all(0 <= s.done <= s.total for s in steps)
    assert all(s.message for s in steps)
    with db.session() as s:
        assert s.scalar(select(Setting.value).where(Setting.key == "township_code")) == "411324003"
        kinds = Counter(s.scalars(select(Area.grid_type).where(Area.level == "grid")))
        assert kinds["城市社区网格"] >= 1 and kinds["农村网格"] >= 1 and kinds["专属网格"] >= 1


def test_sizes_are_declared():
    assert set(DEMO_SIZES) == {"small", "township", "county"}
    assert DEMO_SIZES["county"].residents > DEMO_SIZES["township"].residents > DEMO_SIZES["small"].residents


# --------------------------------------------------------------------------- people

def test_id_numbers_valid_unique_and_matching(small):
    db, _, _ = small
    people = _rows(db, "SELECT id_number, birth_date, gender, status FROM person WHERE id_type = '111'")
    staff = _rows(db, "SELECT id_number, birth_date, gender, status FROM staff")
    for number, birth, gender, _status in people + staff:
        check = check_id_number(number, today=TODAY)
        assert check.valid, (number, check.error)
        assert check.normalized == number
        assert check.birth_date.isoformat() == str(birth)
        assert _gender_code(check.gender) == gender
        assert not check.warnings, (number, check.warnings)
    active = [p[0] for p in people if p[3] == "在册"]
    assert len(active) == len(set(active))
    assert len({p[0] for p in people}) == len(people)
    assert len({s[0] for s in staff}) == len(staff)


def test_overseas_people_hold_documents_of_their_type(small):
    """Issue #17: the demo's 境外人员 (≈0.1 % of the register) hold a
    passport or 通行证 of a sane shape, unique per type, with a nationality;
    passport holders' names are romanised."""
    from gridadmin.services.common.id_types import check_document

    db, _, _ = small
    rows = _rows(db, "SELECT id_type, id_number, nationality, name, name_pinyin, document_valid_until "
                     "FROM person WHERE category = '4'")
    assert rows and all(t in ("414", "516", "511") and nationality and valid for t, _n, nationality, _nm, _p, valid
                        in rows)
    for id_type, number, _nat, name, pinyin, _valid in rows:
        assert check_document(id_type, number).number == number
        if id_type == "414":
            assert name.replace(" ", "").isalpha() and name.isupper() and pinyin == name.replace(" ", "").lower()
    assert len({(r[0], r[1]) for r in rows}) == len(rows)


def test_names_and_pinyin(small):
    db, _, _ = small
    rows = _rows(db, "SELECT name, name_pinyin, name_initials FROM person WHERE id_type <> '414' UNION ALL "
                     "SELECT name, name_pinyin, name_initials FROM staff")
    for name, py, initials in rows:
        assert 2 <= len(name) <= 4
        assert py.isascii() and py.isalpha() and py == py.lower()
        assert len(initials) == len(name) and py.startswith(initials[0])
    assert len({r[0] for r in rows}) > len(rows) * 0.8  # names vary


def test_one_head_per_household(small):
    db, _, _ = small
    heads = dict(_rows(db, """
        SELECT h.id, (SELECT count(*) FROM person p WHERE p.household_id = h.id
                      AND p.status = '在册' AND p.relation = '02')
        FROM household h WHERE h.dissolved_on IS NULL"""))
    assert heads and all(n == 1 for n in heads.values()), Counter(heads.values())
    # dissolved households keep nobody on the register
    leftovers = _rows(db, """SELECT count(*) FROM person p JOIN household h ON p.household_id = h.id
                             WHERE h.dissolved_on IS NOT NULL AND p.status = '在册'""")
    assert leftovers[0][0] == 0
    assert _rows(db, "SELECT count(*) FROM household WHERE dissolved_on IS NOT NULL")[0][0] > 0
    assert len({r[0] for r in _rows(db, "SELECT household_no FROM household")}) == \
        _rows(db, "SELECT count(*) FROM household")[0][0]


def test_relations_and_ages_plausible(small):
    db, _, _ = small
    rows = _rows(db, """SELECT household_id, relation, gender, birth_date, status,
                               coalesce(died_on, moved_out_on), marital_status FROM person""")
    by_household = defaultdict(list)
    for row in rows:
        by_household[row[0]].append(row)
    male = {"11", "21", "22", "23", "24", "28", "41", "43", "51", "53", "55", "61", "63"}
    female = {"12", "31", "32", "33", "34", "38", "42", "44", "52", "54", "56", "62", "64"}
    checked = Counter()
    by_household.pop(None, None)  # people without a 户 (流动人口 renting, 未落户人口) have no 与户主关系
    for members in by_household.values():
        heads = [m for m in members if m[1] == "02" and m[4] == "在册"] or [m for m in members if m[1] == "02"]
        head_birth = date.fromisoformat(str(heads[0][3]))
        for _hh, rel, gender, birth, status, left, marital in members:
            birth = date.fromisoformat(str(birth))
            on = date.fromisoformat(str(left)) if left else TODAY
            assert birth <= on
            if rel in male:
                assert gender == "1", rel
            if rel in female:
                assert gender == "2", rel
            years_younger = age_on(birth, TODAY) - age_on(head_birth, TODAY)
            if rel in ("10", "11", "12", "28", "38"):
                assert age_on(birth, on) >= 18, (rel, birth, on)
                checked["spouse"] += 1
            elif rel[0] in "23" and rel not in ("28", "38"):
                assert 15 <= -years_younger <= 41, (rel, birth, head_birth)
                checked["child"] += 1
            elif rel[0] == "4":
                assert -years_younger >= 30, (rel, birth, head_birth)
                checked["grandchild"] += 1
            elif rel[0] == "5":
                assert 15 <= years_younger <= 41, (rel, birth, head_birth)
                checked["parent"] += 1
            if age_on(birth, on) < 18:
                assert marital == "10"
    assert min(checked["spouse"], checked["child"], checked["grandchild"], checked["parent"]) > 0


def test_people_without_a_household_live_at_a_house(small):
    """Issue #17: renting 流动人口 families live at their 出租房 without an
    invented 户; ≈0.4 % of the register are 未落户人口, at a house; only
    户籍人口 sit in 户 (and the 流动人口 married into a local 户)."""
    db, _, _ = small
    rows = _rows(db, """SELECT p.category, p.household_id IS NULL, p.house_id IS NULL, p.relation, h.purpose
                        FROM person p LEFT JOIN house h ON h.id = p.house_id WHERE p.status = '在册'""")
    total = len(rows)
    houseless = [r for r in rows if r[1]]
    assert all(not no_house and relation is None and category != "1"
               for category, _no_hh, no_house, relation, _purpose in houseless)
    renting = [r for r in houseless if r[0] == "3"]
    assert 0.01 <= len(renting) / total <= 0.12 and all(r[4] == "出租" for r in renting)
    unregistered = [r for r in rows if r[0] == "5"]
    assert unregistered and all(r[1] for r in unregistered) and len(unregistered) / total <= 0.012
    overseas = [r for r in rows if r[0] == "4"]  # 境外人员: a few tenants of 出租房
    assert overseas and all(r[1] and r[4] == "出租" for r in overseas) and len(overseas) / total <= 0.004
    with db.session() as s:
        assert tallies.mismatches(s) == []


def test_household_sizes(small):
    db, _, _ = small
    sizes = [r[0] for r in _rows(db, """
        SELECT count(*) FROM person p JOIN household h ON p.household_id = h.id
        WHERE p.status = '在册' AND h.dissolved_on IS NULL GROUP BY h.id""")]
    assert max(sizes) <= 6 and min(sizes) >= 1
    assert 2.4 <= sum(sizes) / len(sizes) <= 3.2


def test_categories_events_and_dates(small):
    db, _, _ = small
    with db.session() as s:
        cats = Counter(s.scalars(select(Person.category).where(Person.status == "在册")))
        total = sum(cats.values())
        assert cats["1"] / total > 0.75
        assert 0.03 <= cats["3"] / total <= 0.12
        flows = s.execute(select(Person.inflow_date, Person.origin_place, Person.registered_on)
                          .where(Person.category == "3")).all()
        assert all(f[0] and f[1] and f[0] <= f[2] for f in flows)
        # exactly one entry into the register per person: 登记, or 出生 for a child born here
        registered = Counter(s.scalars(select(PersonEvent.person_id).where(PersonEvent.kind.in_(("登记", "出生")))))
        assert set(registered.values()) == {1}
        assert len(registered) == s.scalar(select(func.count()).select_from(Person))
        # effective dates agree with the people: a newborn is registered from the birth (the report
        # counts them in the month of birth), each change entered on or after the day it happened
        born = s.execute(select(PersonEvent.event_date, Person.birth_date, Person.registered_on)
                         .join(Person, Person.id == PersonEvent.person_id).where(PersonEvent.kind == "出生")).all()
        assert born and all(day == birth == registered_on for day, birth, registered_on in born)
        entered = s.execute(select(PersonEvent.event_date, PersonEvent.created_at)).all()
        assert all(day <= at.date() <= TODAY for day, at in entered)
        assert sum(at.date() > day for day, at in entered) > len(entered) // 2  # most entered some days later
        for p in s.scalars(select(Person).where(Person.status != "在册")):
            assert p.birth_date <= p.registered_on <= (p.died_on or p.moved_out_on)
        kinds = Counter(s.scalars(select(PersonEvent.kind)))
        for kind in ("登记", "出生", "迁入", "迁出", "死亡", "户间迁移"):
            assert kinds[kind] > 0, kind
        for p in s.scalars(select(Person).where(Person.status == "死亡")):
            assert p.died_on and p.moved_out_on is None
            assert TODAY.toordinal() - 731 <= p.died_on.toordinal() <= TODAY.toordinal()
        for p in s.scalars(select(Person).where(Person.status == "迁出")):
            assert p.moved_out_on and p.moved_out_to and p.died_on is None
        old_deaths = s.execute(select(Person.birth_date, Person.died_on).where(Person.status == "死亡")).all()
        assert sum(age_on(b, d) >= 60 for b, d in old_deaths) / len(old_deaths) > 0.7
        for p in s.scalars(select(Person)):
            assert p.registered_on <= (p.died_on or p.moved_out_on or TODAY)
            assert p.birth_date <= p.registered_on


def test_grid_sizes_follow_the_rule(small):
    db, _, _ = small
    rows = _rows(db, """
        SELECT g.id, g.grid_type,
          (SELECT count(*) FROM household h JOIN area a ON h.area_id = a.id
           WHERE (a.id = g.id OR a.parent_id = g.id) AND h.dissolved_on IS NULL),
          (SELECT count(*) FROM person p JOIN household h ON p.household_id = h.id JOIN area a ON h.area_id = a.id
           WHERE (a.id = g.id OR a.parent_id = g.id) AND p.status = '在册')
        FROM area g WHERE g.level = 'grid'""")
    for _id, grid_type, households, residents in rows:
        if grid_type == "专属网格":
            assert households == 0
        elif grid_type == "城市社区网格":
            assert 300 <= households <= 500, households
        else:  # a natural village / villager group, or a whole village under 500 residents
            assert 0 < households <= 500, households
    # the grid tree warns about none of them
    grids = [n for n in load_tree(db, today=TODAY) if n.level == "grid"]
    assert len(grids) == len(rows)
    assert [(n.name, n.warning) for n in grids if n.warning] == []
    codes = _rows(db, """SELECT a.level, a.grid_code, p.grid_code, p.division_code FROM area a
                         JOIN area p ON a.parent_id = p.id WHERE a.level IN ('grid', 'microgrid')""")
    for level, code, parent_grid, parent_division in codes:
        parent = parent_division if level == "grid" else parent_grid
        assert code.startswith(parent) and len(code) == len(parent) + (3 if level == "grid" else 2)
    assert _rows(db, """SELECT count(*) FROM household h JOIN area a ON h.area_id = a.id
                        WHERE a.level = 'microgrid'""")[0][0] > 0


def test_villages_split_by_natural_village(small):
    db, summary, _ = small
    assert summary.grids == planned_grid_count("small", 1)  # the generator follows the plan
    by_village = defaultdict(list)
    for village, name in _rows(db, """SELECT c.name, g.name FROM area g JOIN area c ON g.parent_id = c.id
                                      WHERE g.grid_type = '农村网格'"""):
        by_village[village].append(name)
    assert any(len(names) > 1 for names in by_village.values())
    for village, names in by_village.items():
        if len(names) == 1:
            assert names == [f"{village}网格"]
        else:
            assert all(n.endswith(("自然村网格", "村民小组网格")) for n in names), names
            assert len(set(names)) == len(names)


@pytest.mark.parametrize("size, low, high", [("township", 90, 115), ("county", 900, 1_150)])
def test_planned_grid_counts(size, low, high):
    for seed in (1, 2, 3):
        assert low <= planned_grid_count(size, seed) <= high, (size, seed)
    towns = plan_demo(DEMO_SIZES[size], seeded_rng(size, 1))
    plans = [g for t in towns for c in t.communities for g in c.grids]
    assert {CITY, RURAL, SPECIAL} <= {g.kind for g in plans}
    assert all(300 <= g.amount <= 500 for g in plans if g.kind == CITY)
    assert all(80 <= g.amount <= 250 for g in plans if g.kind == RURAL)
    assert all(g.amount < 500 for g in plans if g.kind == VILLAGE)  # residents
    residents = sum(c.residents for t in towns for c in t.communities)
    assert 0.85 <= residents / DEMO_SIZES[size].residents <= 1.15


def test_chinese_numbers():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 19, 20, 23, 99)] == \
        ["一", "九", "十", "十一", "十九", "二十", "二十三", "九十九"]


# --------------------------------------------------------------------------- staff

def test_every_regular_grid_has_a_fulltime_worker_on_post(small):
    db, _, _ = small
    today = TODAY.isoformat()
    grids = _rows(db, "SELECT id, grid_type FROM area WHERE level = 'grid'")
    for grid_id, grid_type in grids:
        serving = _rows(db, """
            SELECT sa.role, s.status FROM staff_assignment sa JOIN staff s ON s.id = sa.staff_id
            WHERE sa.area_id = :g AND sa.start_date <= :t AND (sa.end_date IS NULL OR sa.end_date > :t)""",
                        g=grid_id, t=today)
        assert all(status in ("在岗", "休假") for _role, status in serving)
        roles = {role for role, _status in serving}
        on_post = {role for role, status in serving if status == "在岗"}
        if grid_type != "专属网格":
            assert "fulltime" in on_post, (grid_id, serving)
            assert {"leader", "parttime", "instructor"} <= roles, (grid_id, roles)  # the 1+3 core
        else:
            assert "fulltime" not in roles and "leader" in roles


def test_staff_history_consistent(small):
    db, _, _ = small
    with db.session() as s:
        events = defaultdict(list)
        for e in s.scalars(select(StaffStatusEvent).order_by(StaffStatusEvent.event_date, StaffStatusEvent.id)):
            events[e.staff_id].append(e)
        assignments = defaultdict(list)
        for a in s.scalars(select(StaffAssignment)):
            assignments[a.staff_id].append(a)
        statuses = Counter()
        for staff in s.scalars(select(Staff)):
            history = events[staff.id]
            assert history and history[0].status == "在岗"
            assert staff.status == history[-1].status
            statuses[staff.status] += 1
            assert staff.hired_on <= TODAY
            if staff.status in ("离职", "卸任"):
                assert staff.left_on == history[-1].event_date
                assert all(a.end_date is not None and a.end_date <= staff.left_on for a in assignments[staff.id])
            else:
                assert staff.left_on is None
                assert any(a.end_date is None for a in assignments[staff.id])
            for a in assignments[staff.id]:
                assert a.end_date is None or a.start_date <= a.end_date
            assert staff.employment_type == ("专职" if any(a.role == "fulltime" for a in assignments[staff.id])
                                             else "兼职")
        assert statuses["在岗"] > 0
        skill_codes = {c for c in s.scalars(select(CodeItem.code).where(CodeItem.list_key == "skill_level"))}
        assert set(s.scalars(select(Staff.skill_level).where(Staff.skill_level.is_not(None)))) <= skill_codes


def test_training(small):
    db, _, _ = small
    with db.session() as s:
        sessions = s.scalars(select(TrainingSession)).all()
        months = {(t.start_date.year, t.start_date.month) for t in sessions}
        assert len(months) >= 24
        categories = {c for c in s.scalars(select(CodeItem.code).where(CodeItem.list_key == "training_category"))}
        forms = {c for c in s.scalars(select(CodeItem.code).where(CodeItem.list_key == "training_form"))}
        for t in sessions:
            assert t.category in categories and t.form in forms
            assert 2 <= t.hours <= 16 and t.start_date <= t.end_date <= TODAY
        by_id = {t.id: t for t in sessions}
        spans = defaultdict(list)
        for a in s.scalars(select(StaffAssignment)):
            spans[a.staff_id].append((a.start_date, a.end_date))
        for att in s.scalars(select(Attendance)):
            session = by_id[att.session_id]
            assert not session.cancelled
            assert att.hours_credited == (session.hours if att.status == "present" else 0)
            assert any(start <= session.start_date and (end is None or end > session.start_date)
                       for start, end in spans[att.staff_id])
            if att.score is not None:
                assert att.status == "present" and att.passed == (att.score >= 60)
        assert s.scalar(select(func.count()).select_from(TrainingRequirement)) >= 4


def test_tags_consistent_with_ages(small):
    db, _, _ = small
    with db.session() as s:
        kinds = dict(s.execute(select(TagKind.id, TagKind.code)).all())
        people = {p.id: p for p in s.scalars(select(Person))}
        def home(p):  # the 户, or for someone without one the house they live at
            return p.household_id if p.household_id is not None else ("house", p.house_id)

        active_size = Counter(home(p) for p in people.values() if p.status == "在册")
        seen = Counter()
        for tag in s.scalars(select(PersonTag)):
            p = people[tag.person_id]
            code = kinds[tag.tag_kind_id]
            seen[code] += 1
            assert tag.start_date is not None and tag.start_date >= p.registered_on
            assert tag.end_date is None or tag.start_date < tag.end_date <= TODAY
            if p.status != "在册":
                assert tag.end_date is not None and tag.end_date <= (p.died_on or p.moved_out_on)
                continue
            if tag.end_date is not None:
                continue
            age = age_on(p.birth_date, TODAY)
            assert code not in ("elder_60", "elder_80")  # computed from the birth date, never tagged
            if code in ("elder_alone", "empty_nest"):
                assert age >= 60
            if code == "elder_alone":
                assert active_size[home(p)] == 1
            elif code in ("left_child", "needy_child"):
                assert age < 18
            elif code == "fertile_woman":
                assert p.gender == "2" and 15 <= age <= 49
            elif code == "veteran":
                assert p.gender == "1" and age >= 22
        for code in ("elder_alone", "fertile_woman", "disabled", "dibao"):
            assert seen[code] > 0, code
        residents = sum(active_size.values())
        assert seen["disabled"] / residents < 0.05
        assert seen["fertile_woman"] / residents < 0.35


# --------------------------------------------------------------------------- job behaviour

def _checksum(db) -> str:
    digest = hashlib.sha256()
    for sql in (
        "SELECT p.name, p.id_number, p.birth_date, p.relation, p.status, h.household_no, h.address "
        "FROM person p JOIN household h ON h.id = p.household_id ORDER BY p.id",
        "SELECT name, grid_code, level FROM area ORDER BY id",
        "SELECT name, id_number, status, hired_on FROM staff ORDER BY id",
        "SELECT session_id, staff_id, status, hours_credited FROM attendance ORDER BY id",
        "SELECT person_id, tag_kind_id, start_date, end_date FROM person_tag ORDER BY id",
    ):
        for row in _rows(db, sql):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_same_seed_gives_same_data(small, tmp_path):
    db, _, _ = small
    again = create_demo_database(str(tmp_path / "again.db"), "small", 1, today=TODAY)
    other = open_database(str(tmp_path / "again.db"))
    try:
        assert _checksum(other) == _checksum(db)
        assert again.residents == small[1].residents
    finally:
        other.dispose()


def test_other_seed_gives_other_data(small, tmp_path):
    create_demo_database(str(tmp_path / "seed2.db"), "small", 2, today=TODAY)
    other = open_database(str(tmp_path / "seed2.db"))
    try:
        assert _checksum(other) != _checksum(small[0])
    finally:
        other.dispose()


def _count_all(database) -> dict[str, int]:
    with database.session() as s:
        return {model.__tablename__: s.scalar(select(func.count()).select_from(model))
                for model in (Area, Household, Person, PersonEvent, PersonTag, Staff, StaffAssignment,
                              TrainingSession, Attendance, Setting, CodeItem, TagKind)}


def test_cancel_leaves_no_rows(db):
    job = generate_demo(db, "small", seed=1, today=TODAY)
    for _ in range(4):
        next(job)
    job.close()
    assert set(_count_all(db).values()) == {0}
    # the database is usable afterwards
    summary = run_to_end(generate_demo(db, "small", seed=1, today=TODAY))
    assert _count_all(db)["person"] == summary.person_rows > 0


def test_refuses_a_database_with_areas(db):
    init_township(db, "411302001")
    before = _count_all(db)
    with pytest.raises(ValidationError, match="已有区域"):
        run_to_end(generate_demo(db, "small", seed=1, today=TODAY))
    assert _count_all(db) == before


def test_unknown_size(db):
    with pytest.raises(ValidationError, match="规模"):
        run_to_end(generate_demo(db, "huge"))


# --------------------------------------------------------------------------- command line

def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "gridadmin", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_cli_demo(tmp_path):
    target = tmp_path / "cli.db"
    done = _cli("demo", "--db", str(target), "--size", "small", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert "演示数据已生成" in done.stdout and "人口" in done.stdout
    assert "%" in done.stderr  # progress lines
    assert "演示账号：用户名 demo" in done.stdout
    again = _cli("demo", "--db", str(target), "--size", "small")  # it has a user now: a login is needed
    assert again.returncode == 2 and "--as-system" in again.stderr
    again = _cli("demo", "--db", str(target), "--size", "small", "--as-system")
    assert again.returncode == 2 and "已有区域数据" in again.stderr


def test_cli_demo_bad_input(tmp_path, capsys):
    from gridadmin.cli import main

    assert main(["demo", "--db", str(tmp_path / "x.db"), "--size", "huge"]) == 2
    assert "规模" in capsys.readouterr().err
    assert main(["demo", "--db", str(tmp_path / "x.db"), "--seed", "abc"]) == 2
    assert "种子" in capsys.readouterr().err


def test_cli_init(tmp_path, capsys):
    from gridadmin.cli import main

    target = str(tmp_path / "init.db")
    assert main(["init", "--db", target, "--township", "411324003"]) == 0
    out = capsys.readouterr().out
    assert "河南省 南阳市 镇平县 玉都街道" in out and "19" in out
    assert main(["init", "--db", target, "--township", "411302001", "--as-system"]) == 2
    assert "已属于" in capsys.readouterr().err
    assert main(["init", "--db", str(tmp_path / "other.db"), "--township", "东关"]) == 2
    assert "多个" in capsys.readouterr().err


def test_each_persons_events_run_forward(small):
    """Issue 16: the register's history runs forward as the services demand
    of every change (``register.effective``): the entry into the register
    first, nothing after leaving, each 户间迁移 from the household the
    person was in, a 类别变更 or 登记日期 correction only between them."""
    db, _, _ = small
    arrivals, leaving = ("登记", "出生", "迁入"), ("迁出", "死亡")
    with db.session() as s:
        people = {p.id: p for p in s.execute(select(Person.id, Person.registered_on, Person.household_id,
                                                    Person.moved_out_on, Person.died_on, Person.birth_date))}
        history = defaultdict(list)
        for e in s.execute(select(PersonEvent.person_id, PersonEvent.kind, PersonEvent.event_date,
                                  PersonEvent.from_household_id, PersonEvent.to_household_id)
                           .order_by(PersonEvent.event_date, PersonEvent.id)):
            history[e.person_id].append(e)
    assert len(history) == len(people)
    for pid, events in history.items():
        p = people[pid]
        entry = [e for e in events if e.kind in ("登记", "出生")]
        assert entry[0].event_date == p.registered_on >= p.birth_date
        assert all(e.event_date >= p.registered_on for e in events)
        gone = [e for e in events if e.kind in leaving]
        assert len(gone) <= 1
        if gone:
            assert events[-1].kind in leaving and gone[0].event_date == (p.died_on or p.moved_out_on)
        household = None
        for e in events:
            if e.kind in arrivals and e.to_household_id is not None:
                household = e.to_household_id
            elif e.kind == "户间迁移":
                assert e.from_household_id == household, pid
                household = e.to_household_id
        if not gone:
            assert household == p.household_id, pid


def test_a_person_gets_one_running_tag_per_group():
    """困境儿童 can come both as 留守 and as a 低保 child: one running tag,
    as the database's one-open-membership index demands (the county demo
    failed on it)."""
    from datetime import date as _date

    from gridadmin.services.demo.tags import Tagger

    class _Ctx:
        T = _date(2026, 1, 1).toordinal()
        rows: list = []

        def new_id(self, table):
            return len(self.rows) + 1

        def add(self, table, row):
            self.rows.append(row)

    class _Member:
        reg, leave = _date(2020, 1, 1).toordinal(), None

    tagger = Tagger(_Ctx(), {"needy_child": 7})
    assert tagger.tag(_Member(), 1, "needy_child", _date(2024, 1, 1).toordinal())
    assert not tagger.tag(_Member(), 1, "needy_child", _date(2025, 1, 1).toordinal())
    assert tagger.tag(_Member(), 2, "needy_child", _date(2025, 1, 1).toordinal())
    assert tagger.tag(_Member(), 1, "needy_child", _date(2021, 1, 1).toordinal(), _date(2022, 1, 1).toordinal())


def test_an_event_the_demo_enters_today_is_stamped_before_now():
    """Early in the morning a demo event "typed today" at a working hour would
    lie in the future and show as entered after a report submitted next."""
    from datetime import date as _date, datetime as _datetime

    from gridadmin.services.demo.register import entered_at

    today = _date.today().toordinal()
    before = _datetime.now()
    stamps = [entered_at(event_id, today - 3, today) for event_id in range(1, 200)]
    assert all(stamp < before for stamp in stamps)
