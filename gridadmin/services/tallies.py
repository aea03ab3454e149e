"""The stored per-area register counts (``household_tally``,
``resident_tally``, ``tag_tally``; see ``gridadmin.models.tally``): read them, and recount
them from the rows to check or repair.

Readers get the same numbers a full count would give, in time that does
not grow with the register: one row per area (and category).
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from gridadmin.models import Household, HouseholdTally, Person, PersonTag, ResidentTally, TagTally
from gridadmin.models.household import PERSON_ACTIVE


def households_per_area(session: Session) -> dict[int, int]:
    """``{area_id: households not dissolved}`` (areas with none are absent)."""
    return {a: n for a, n in session.execute(
        select(HouseholdTally.area_id, HouseholdTally.households).where(HouseholdTally.households != 0))}


def residents_per_area(session: Session) -> dict[int, int]:
    """``{area_id: persons 在册 in the area's households}``."""
    return {a: int(n) for a, n in session.execute(
        select(ResidentTally.area_id, func.sum(ResidentTally.residents)).group_by(ResidentTally.area_id)
        .having(func.sum(ResidentTally.residents) != 0))}


def residents_per_area_category(session: Session) -> dict[tuple[int, str | None], int]:
    """``{(area_id, category): persons 在册}``; category None when empty."""
    return {(a, c or None): n for a, c, n in session.execute(
        select(ResidentTally.area_id, ResidentTally.category, ResidentTally.residents)
        .where(ResidentTally.residents != 0))}


def holders_per_area_kind(session: Session) -> dict[tuple[int, int], int]:
    """``{(area_id, tag_kind_id): open memberships of persons 在册}``."""
    return {(a, k): n for a, k, n in session.execute(
        select(TagTally.area_id, TagTally.tag_kind_id, TagTally.holders).where(TagTally.holders != 0))}


def counted_households():
    """SQL: ``(area_id, households)`` counted from the rows."""
    return (select(Household.area_id, func.count()).where(Household.dissolved_on.is_(None))
            .group_by(Household.area_id))


def counted_residents():
    """SQL: ``(area_id, category, residents)`` counted from the rows."""
    category = func.coalesce(Person.category, "")
    return (select(Household.area_id, category, func.count()).select_from(Person)
            .join(Household, Household.id == Person.household_id).where(Person.status == PERSON_ACTIVE)
            .group_by(Household.area_id, category))


def counted_holders():
    """SQL: ``(area_id, tag_kind_id, holders)`` counted from the rows."""
    return (select(Household.area_id, PersonTag.tag_kind_id, func.count()).select_from(PersonTag)
            .join(Person, Person.id == PersonTag.person_id).join(Household, Household.id == Person.household_id)
            .where(Person.status == PERSON_ACTIVE, PersonTag.end_date.is_(None))
            .group_by(Household.area_id, PersonTag.tag_kind_id))


def mismatches(session: Session) -> list[str]:
    """Where the stored counts differ from a full count (empty when exact);
    one readable line each."""
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
            problems.append(f"区域 {key[0]} 特殊人群 {key[1]}：存储 {stored_t.get(key, 0)}，实数 {counted_t.get(key, 0)}")
    return problems


def recount(session: Session) -> None:
    """Rebuild the tables from the rows (repair; the triggers keep them
    exact afterwards). Runs in the caller's transaction."""
    session.execute(delete(HouseholdTally))
    session.execute(delete(ResidentTally))
    session.execute(delete(TagTally))
    session.execute(insert(HouseholdTally).from_select(["area_id", "households"], counted_households()))
    session.execute(insert(ResidentTally).from_select(["area_id", "category", "residents"], counted_residents()))
    session.execute(insert(TagTally).from_select(["area_id", "tag_kind_id", "holders"], counted_holders()))
