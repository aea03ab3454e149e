"""The stored per-area register counts (``household_tally``,
``resident_tally``, ``tag_tally`` and, on PostgreSQL, their unfolded
``*_delta`` rows; see ``gridadmin.models.tally``): read them, fold the
deltas in, and recount them from the rows to check or repair.

Readers get the same numbers a full count would give, in time that does
not grow with the register: one row per area (and category).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, insert, select, union_all, update
from sqlalchemy.orm import Session

from gridadmin.models import (
    House, Household, HouseholdTally, HouseholdTallyDelta, Person, PersonTag, ResidentTally, ResidentTallyDelta, TagTally,
    TagTallyDelta,
)
from gridadmin.models.household import PERSON_ACTIVE

# (base table, its deltas, key columns, count column)
_TABLES = (
    (HouseholdTally, HouseholdTallyDelta, ("area_id",), "households"),
    (ResidentTally, ResidentTallyDelta, ("area_id", "category"), "residents"),
    (TagTally, TagTallyDelta, ("area_id", "tag_kind_id"), "holders"),
)


def _summed(base, delta, keys: tuple[str, ...], count: str) -> list[tuple]:
    """SQL rows ``(*keys, count)`` of the base table plus its unfolded deltas,
    zero counts left out."""
    parts = union_all(*(select(*(t.__table__.c[k] for k in keys), t.__table__.c[count].label("n"))
                        for t in (base, delta))).subquery("parts")
    total = func.sum(parts.c.n)
    return (select(*(parts.c[k] for k in keys), total).group_by(*(parts.c[k] for k in keys))
            .having(total != 0))


def households_per_area(session: Session) -> dict[int, int]:
    """``{area_id: households not dissolved}`` (areas with none are absent)."""
    return {a: int(n) for a, n in session.execute(_summed(*_TABLES[0]))}


def residents_per_area(session: Session) -> dict[int, int]:
    """``{area_id: persons 在册 in the area's households}``."""
    totals: dict[int, int] = {}
    for (area_id, _category), n in residents_per_area_category(session).items():
        totals[area_id] = totals.get(area_id, 0) + n
    return {a: n for a, n in totals.items() if n}


def residents_per_area_category(session: Session) -> dict[tuple[int, str | None], int]:
    """``{(area_id, category): persons 在册}``; category None when empty."""
    return {(a, c or None): int(n) for a, c, n in session.execute(_summed(*_TABLES[1]))}


def _total(session: Session, which: int, area_ids: Collection[int] | None, **equal) -> int:
    """The count of ``_TABLES[which]`` (base plus deltas) summed over
    ``area_ids`` (None: every area) and the rows whose columns equal
    ``equal``, in SQL: a county's thousands of stored rows are not carried
    into Python for one number."""
    base, delta, _keys, count = _TABLES[which]
    parts = []
    for t in (base.__table__, delta.__table__):
        part = select(t.c[count].label("n")).where(*(t.c[k] == v for k, v in equal.items()))
        if area_ids is not None:
            part = part.where(t.c.area_id.in_(sorted(area_ids)))
        parts.append(part)
    summed = union_all(*parts).subquery("parts")
    return int(session.scalar(select(func.coalesce(func.sum(summed.c.n), 0))))


def households_total(session: Session, area_ids: Collection[int] | None = None) -> int:
    """Households not dissolved in ``area_ids`` (None: every area)."""
    return _total(session, 0, area_ids)


def residents_total(session: Session, area_ids: Collection[int] | None = None, category: str | None = None) -> int:
    """Persons 在册 counted in ``area_ids`` (None: every area) of
    ``category`` (None: any)."""
    return _total(session, 1, area_ids, **({"category": category} if category else {}))


def holders_total(session: Session, tag_kind_id: int, area_ids: Collection[int] | None = None) -> int:
    """Open memberships of ``tag_kind_id`` of persons 在册 counted in
    ``area_ids`` (None: every area)."""
    return _total(session, 2, area_ids, tag_kind_id=tag_kind_id)


def holders_per_area_kind(session: Session) -> dict[tuple[int, int], int]:
    """``{(area_id, tag_kind_id): open memberships of persons 在册}``."""
    return {(a, k): int(n) for a, k, n in session.execute(_summed(*_TABLES[2]))}


def fold(session: Session) -> int:
    """Move the committed deltas into the base rows (PostgreSQL; on SQLite
    there are none); returns how many were folded. Run it in a short
    transaction of its own: it locks the base rows it changes until commit.
    Two folds at once cannot count a delta twice: each delta row is
    deleted (``DELETE … RETURNING``) by exactly one of them."""
    folded = 0
    for base, delta, keys, count in _TABLES:
        table = delta.__table__
        rows = session.execute(table.delete().returning(*(table.c[k] for k in keys), table.c[count])).all()
        if not rows:
            continue
        folded += len(rows)
        sums: dict[tuple, int] = {}
        for *key, n in rows:
            sums[tuple(key)] = sums.get(tuple(key), 0) + n
        _add_to_base(session, base, keys, count, sums)
    return folded


def fold_committed(db) -> int:
    """``fold`` in a transaction of its own, after a job that wrote many rows
    (import, undo, demo) or when the program starts; nothing to do on SQLite."""
    if db.engine.dialect.name == "sqlite":
        return 0
    with db.session() as session:
        return fold(session)


def _add_to_base(session: Session, base, keys: tuple[str, ...], count: str, sums: dict[tuple, int]) -> None:
    """``base.count += n`` for each key (a missing row is created)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    table = base.__table__
    statement = upsert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={count: table.c[count] + statement.excluded[count]})
    rows = [{**dict(zip(keys, key)), count: n} for key, n in sums.items() if n]
    if rows:  # changes that cancel out leave nothing to add
        session.execute(statement, rows)


def occupied_dwellings_per_area(session: Session) -> dict[int, int]:
    """``{area_id: houses with someone 在册 living there}`` (实有房屋 in use),
    empty when no house is recorded (one probe)."""
    if session.scalar(select(House.id).limit(1)) is None:
        return {}
    lived_in = select(Person.id).where(Person.house_id == House.id, Person.status == PERSON_ACTIVE).exists()
    return dict(session.execute(select(House.area_id, func.count()).where(lived_in).group_by(House.area_id)).all())


def counted_households():
    """SQL: ``(area_id, households)`` counted from the rows."""
    return (select(Household.area_id, func.count()).where(Household.dissolved_on.is_(None))
            .group_by(Household.area_id))


def _person_area():
    """SQL: the area a person counts in — their household's, or without one
    their house's (migration 0019)."""
    return func.coalesce(Household.area_id, House.area_id)


def placed_area():
    """SQL (correlated with ``person``): the area the person counts in, as
    ``person.area_id`` stores it (migration 0025's triggers)."""
    return func.coalesce(select(Household.area_id).where(Household.id == Person.household_id).scalar_subquery(),
                         select(House.area_id).where(House.id == Person.house_id).scalar_subquery())


def living_at():
    """SQL (correlated with ``house``): persons 在册 living there, as
    ``house.residents`` stores it (migration 0025's triggers)."""
    return (select(func.count()).select_from(Person)
            .where(Person.house_id == House.id, Person.status == PERSON_ACTIVE).scalar_subquery())


def count_house_residents(session: Session) -> None:
    """Set ``house.residents`` from the rows where it differs (after a bulk
    write with the triggers dropped)."""
    session.execute(update(House).where(House.residents != living_at())
                    .values(residents=living_at(), updated_at=House.updated_at)
                    .execution_options(synchronize_session=False))


def counted_residents():
    """SQL: ``(area_id, category, residents)`` counted from the rows."""
    category = func.coalesce(Person.category, "")
    area = _person_area()
    return (select(area, category, func.count()).select_from(Person)
            .outerjoin(Household, Household.id == Person.household_id)
            .outerjoin(House, House.id == Person.house_id)
            .where(Person.status == PERSON_ACTIVE, area.is_not(None))
            .group_by(area, category))


def counted_holders():
    """SQL: ``(area_id, tag_kind_id, holders)`` counted from the rows."""
    area = _person_area()
    return (select(area, PersonTag.tag_kind_id, func.count()).select_from(PersonTag)
            .join(Person, Person.id == PersonTag.person_id)
            .outerjoin(Household, Household.id == Person.household_id)
            .outerjoin(House, House.id == Person.house_id)
            .where(Person.status == PERSON_ACTIVE, PersonTag.end_date.is_(None), area.is_not(None))
            .group_by(area, PersonTag.tag_kind_id))


def mismatches(session: Session) -> list[str]:
    """Where the stored counts differ from a full count, and (the first 20)
    persons whose stored area differs from their household's or house's and
    houses whose stored residents differ (empty when exact); one readable
    line each."""
    problems = []
    stored_h = households_per_area(session)
    counted_h = dict(session.execute(counted_households()).all())
    for area_id in sorted(set(stored_h) | set(counted_h)):
        if stored_h.get(area_id, 0) != counted_h.get(area_id, 0):
            problems.append(f"区域 {area_id} 住户：存储 {stored_h.get(area_id, 0)}，实数 {counted_h.get(area_id, 0)}")
    stored_r = {(a, c or ""): n for (a, c), n in residents_per_area_category(session).items()}
    counted_r = {(a, c): n for a, c, n in session.execute(counted_residents())}
    for key in sorted(set(stored_r) | set(counted_r)):
        if stored_r.get(key, 0) != counted_r.get(key, 0):
            problems.append(f"区域 {key[0]} 类别 {key[1] or '未填'} 居民：存储 {stored_r.get(key, 0)}，"
                            f"实数 {counted_r.get(key, 0)}")
    stored_t = holders_per_area_kind(session)
    counted_t = {(a, k): n for a, k, n in session.execute(counted_holders())}
    for key in sorted(set(stored_t) | set(counted_t)):
        if stored_t.get(key, 0) != counted_t.get(key, 0):
            problems.append(f"区域 {key[0]} 人群类别 {key[1]}：存储 {stored_t.get(key, 0)}，实数 {counted_t.get(key, 0)}")
    for person_id, stored, placed in session.execute(
            select(Person.id, Person.area_id, placed_area()).where(Person.area_id.is_distinct_from(placed_area()))
            .order_by(Person.id).limit(20)):
        problems.append(f"居民 {person_id} 所在区域：存储 {stored}，实为 {placed}")
    for house_id, stored, counted in session.execute(
            select(House.id, House.residents, living_at()).where(House.residents != living_at())
            .order_by(House.id).limit(20)):
        problems.append(f"房屋 {house_id} 居住人数：存储 {stored}，实数 {counted}")
    return problems


def recount(session: Session) -> None:
    """Rebuild the tables from the rows (repair; the triggers keep them
    exact afterwards). Runs in the caller's transaction."""
    for base, delta, _keys, _count in _TABLES:
        session.execute(delete(delta))
        session.execute(delete(base))
    session.execute(insert(HouseholdTally).from_select(["area_id", "households"], counted_households()))
    session.execute(insert(ResidentTally).from_select(["area_id", "category", "residents"], counted_residents()))
    session.execute(insert(TagTally).from_select(["area_id", "tag_kind_id", "holders"], counted_holders()))
