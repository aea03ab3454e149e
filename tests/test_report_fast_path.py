"""The monthly report's fast paths (stored counts, counts per household
inside indexes, the few who changed corrected: ``monthly_details`` age
groups and special groups, ``monthly_census``) give exactly what a person
by person count in Python gives: present by the plain rule, in the area
of the household they had on the day (first 户间迁移 after it) or, without
a 户, of the house they lived in then (first 住所变更 after it).

The register is the generated small demo plus, within the reported month,
people without a 户 moving house (old ones among them), people moving
between households with their groups, deaths, moves out and arrivals.
Real databases: SQLite, and PostgreSQL with GRIDADMIN_TEST_DB."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import inspect, text

from gridadmin.migrations import alembic_config
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.demo import generate_demo
from gridadmin.services.register import life_events
from gridadmin.services.register.age_groups import born_by, computed_kinds
from gridadmin.services.register.dwellers import move_house
from gridadmin.services.register.household_rules import HEAD_RELATIONS
from gridadmin.services.reports.monthly_census import ABSENT, AWAY
from gridadmin.services.reports.monthly_figures import monthly_figures

TODAY = date(2026, 11, 20)
YEAR, MONTH = 2026, 10
IN_MONTH = (date(2026, 10, 12), date(2026, 10, 20), date(2026, 10, 28))


def _day(value):
    return date.fromisoformat(str(value)) if value is not None else None


def _quiet_people(db, where: str, limit: int, **params) -> list[tuple]:
    """``(id, household_id, house_id)`` of 在册 people matching ``where``
    with no register event on or after the month's first day (so a change
    within the month is accepted), heads of a 户 left out (they cannot leave it)."""
    heads = ", ".join(f"'{r}'" for r in HEAD_RELATIONS)
    with db.session() as s:
        return s.execute(text(
            f"SELECT p.id, p.household_id, p.house_id FROM person p WHERE p.status = '在册' AND {where} "
            f"AND (p.relation IS NULL OR p.relation NOT IN ({heads})) "
            "AND NOT EXISTS (SELECT 1 FROM person_event e WHERE e.person_id = p.id AND e.event_date >= :first) "
            "AND (p.registered_on IS NULL OR p.registered_on < :first) ORDER BY p.id LIMIT :n"),
            {"first": date(YEAR, MONTH, 1), "n": limit, **params}).all()


def _changes_in_the_month(db) -> None:
    with db.session() as s:
        houses = [r[0] for r in s.execute(text("SELECT id FROM house ORDER BY area_id DESC, id"))]
        households = [r[0] for r in s.execute(text(
            "SELECT id FROM household WHERE dissolved_on IS NULL ORDER BY area_id DESC, id"))]
    assert len(houses) > 10 and len(households) > 10
    without = "p.household_id IS NULL AND p.house_id IS NOT NULL"
    movers = [*_quiet_people(db, without, 8),  # people without a 户 moving house, old ones among them
              *_quiet_people(db, without + " AND p.birth_date <= :old", 3, old=born_by(date(YEAR, MONTH, 1), 60))]
    assert len(movers) >= 8
    for k, (pid, _household, house) in enumerate(dict.fromkeys(movers)):
        target = next(h for h in houses[k * 7 % len(houses):] + houses if h != house)
        move_house(db, pid, target, IN_MONTH[k % 2], today=TODAY)
        if k % 3 == 0:  # and back again later in the month
            move_house(db, pid, house, IN_MONTH[2], today=TODAY)
    tagged = _quiet_people(db, "p.household_id IS NOT NULL AND EXISTS ("
                               "SELECT 1 FROM person_tag t WHERE t.person_id = p.id AND t.end_date IS NULL)", 6)
    assert tagged
    for k, (pid, household, _house) in enumerate(tagged):  # a 户间迁移 with their groups
        target = next(h for h in households[k * 5:] + households if h != household)
        life_events.transfer(db, pid, target, IN_MONTH[k % 3], "99", today=TODAY)
    for k, (pid, *_rest) in enumerate(_quiet_people(db, "p.birth_date <= :old", 4,
                                                    old=born_by(date(YEAR, MONTH, 1), 70))):
        life_events.record_death(db, pid, IN_MONTH[k % 3], today=TODAY)
    for k, (pid, *_rest) in enumerate(_quiet_people(db, "p.household_id IS NULL", 3)):
        life_events.move_out(db, pid, IN_MONTH[k % 3], "浙江省杭州市", today=TODAY)


def _python_counts(db, ends: tuple[date, ...], prev: date, end: date):
    """Person by person: ({kind: [holders at each of ends]}, {community:
    {census key: [上月末, 增加, 减少, 本月末]}})."""
    with db.session() as s:
        level = dict(s.execute(text("SELECT id, level FROM area")).all())
        parent = dict(s.execute(text("SELECT id, parent_id FROM area")).all())
        household_area = dict(s.execute(text("SELECT id, area_id FROM household")).all())
        houses = {r[0]: r[1:] for r in s.execute(text("SELECT id, area_id, purpose, registered_on FROM house"))}
        events = s.execute(text("SELECT person_id, kind, event_date, id, from_household_id, from_house_id "
                                "FROM person_event WHERE kind IN ('户间迁移', '住所变更')")).all()
        people = s.execute(text("SELECT id, household_id, house_id, status, registered_on, moved_out_on, died_on, "
                                "birth_date, residence_status FROM person")).all()
        tags = s.execute(text("SELECT person_id, tag_kind_id, start_date, end_date, due_end FROM person_tag")).all()
        ages = {kind: years for kind, (_name, years) in computed_kinds(s).items()}

    def community(area_id):
        while area_id is not None and level[area_id] != "community":
            area_id = parent[area_id]
        return area_id

    def first_after(pid: int, kind: str, on: date):
        found = [(_day(d), i, hh, ho) for p, k, d, i, hh, ho in events if p == pid and k == kind and _day(d) > on]
        return min(found) if found else None

    def place(person, on: date):
        pid, household, house = person[0], person[1], person[2]
        t, m = first_after(pid, "户间迁移", on), first_after(pid, "住所变更", on)
        household = t[2] if t else household
        house = m[3] if m else house
        area = household_area[household] if household is not None else houses[house][0] if house else None
        return community(area), house

    def present(person, on: date) -> bool:
        _pid, _hh, _ho, status, registered, out, died = person[:7]
        registered, out, died = _day(registered), _day(out), _day(died)
        if status != "在册" and out is None and died is None:
            return False
        return not ((registered and registered > on) or (out and out <= on) or (died and died <= on))

    held: dict[int, list[int]] = {}
    by_person: dict[int, list] = {}
    for pid, kind, start, stop, due in tags:
        by_person.setdefault(pid, []).append((kind, _day(start), _day(stop), _day(due)))
    census: dict = {}

    def add(key: str, c_prev, c_end, was: bool, now: bool, n: int = 1) -> None:
        stayed = was and now and c_prev == c_end
        if now and c_end is not None:
            flow = census.setdefault(c_end, {}).setdefault(key, [0, 0, 0, 0])
            flow[3] += n
            flow[1] += 0 if stayed else n
        if was and c_prev is not None:
            flow = census.setdefault(c_prev, {}).setdefault(key, [0, 0, 0, 0])
            flow[0] += n
            flow[2] += 0 if stayed else n

    for person in people:
        for i, on in enumerate(ends):
            if not present(person, on):
                continue
            comm, _house = place(person, on)
            if comm is None:
                continue
            birth = _day(person[7])
            for kind, years in ages.items():
                if birth is not None and birth <= born_by(on, years):
                    held.setdefault(kind, [0] * len(ends))[i] += 1
            for kind, start, stop, due in by_person.get(person[0], []):
                if (start is None or start <= on) and (stop is None or stop > on) and (due is None or due > on):
                    held.setdefault(kind, [0] * len(ends))[i] += 1
        was, now = present(person, prev), present(person, end)
        if not (was or now):
            continue
        (c_prev, house_prev), (c_end, house_end) = place(person, prev), place(person, end)
        rented = {h for h in (house_prev, house_end) if h is not None and houses[h][1] == "出租"}
        add("tenants", c_prev, c_end, was and house_prev in rented, now and house_end in rented)
        for key, code in (("away", AWAY), ("absent", ABSENT)):
            if person[8] == code:
                add(key, c_prev, c_end, was, now)
    for area_id, purpose, registered in houses.values():
        registered = _day(registered)
        was, now = registered is None or registered <= prev, registered is None or registered <= end
        add("houses", community(area_id), community(area_id), was, now)
        if purpose == "出租":
            add("rentals", community(area_id), community(area_id), was, now)
    return held, census


def test_the_fast_counts_equal_a_person_by_person_count(db):
    run_to_end(generate_demo(db, "small", seed=5, today=TODAY))
    _changes_in_the_month(db)
    f = monthly_figures(db, YEAR, MONTH)
    ends = (f.month_end, f.previous_end, date(YEAR - 1, MONTH, 31))
    held, census = _python_counts(db, ends, f.previous_end, f.month_end)
    with db.session() as s:
        kinds = dict(s.execute(text("SELECT name, id FROM tag_kind")).all())
    got = {kinds[t.name]: [t.current, t.previous, t.last_year] for t in f.tags}
    assert all(type(n) is int for t in f.tags for n in (t.current, t.previous, t.last_year))
    assert {k: v for k, v in got.items() if any(v)} == {k: v for k, v in held.items() if any(v)}
    ages = [kinds[t.name] for t in f.tags if t.name in ("老年人", "高龄老人")]
    assert ages and all(got[k][0] > 0 for k in ages)
    shown = {(area, key): [flow.previous, flow.increase, flow.decrease, flow.current]
             for area, per in f.census_flows.items() if area is not None for key, flow in per.items()}
    expected = {(area, key): flow for area, per in census.items() for key, flow in per.items()}
    assert {k: v for k, v in shown.items() if any(v)} == {k: v for k, v in expected.items() if any(v)}
    moved_in_month = [v for (area, key), v in shown.items() if key == "tenants" and (v[1] or v[2])]
    assert moved_in_month  # the month's house moves changed some community's 承租人数


def test_the_report_indexes_are_added_to_a_database_holding_data(db):
    """Migration 0026 on a filled register (SQLite or PostgreSQL): down to
    0023 and up again; the indexes are there and the report is unchanged."""
    run_to_end(generate_demo(db, "small", seed=2, today=TODAY))
    before = monthly_figures(db, YEAR, MONTH).to_dict()
    with db.engine.begin() as conn:
        cfg = alembic_config(db.engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0023")
        assert "ix_person_status_birth_place" not in {i["name"] for i in inspect(conn).get_indexes("person")}
        command.upgrade(cfg, "0026")
        names = {table: {i["name"] for i in inspect(conn).get_indexes(table)} for table in ("person", "person_tag", "house")}
    assert {"ix_person_status_birth_place", "ix_person_status_residence"} <= names["person"]
    assert "ix_person_tag_open_due" in names["person_tag"] and "ix_house_registered" in names["house"]
    assert monthly_figures(db, YEAR, MONTH).to_dict() == before
