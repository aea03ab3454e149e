"""特殊人群统计: residents in the register and holders of each special-group
tag, per community, on a day — today or any past day ("as of date D").

Both counts come from SQL grouped by community, never from rows loaded
into Python. For today they follow the current register (status 在册, the
current household), so they match the residents list filtered by tag and
community. For a past day they are derived from the history the monthly
report uses (``reports.monthly_figures``): registered by then, not moved
out or dead by then, in the household they were in that day; a tag counts
when its row holds on that day — the same people the residents list shows
for that day (``ResidentFilter.as_of``), so a past count opens its list. Sensitive tag kinds are left out for
actors who may not see them (``tags.visible_tag_kinds``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from gridadmin.db import Database
from gridadmin.models import Area, Household, Person, PersonTag
from gridadmin.models.area import LEVEL_COMMUNITY
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.access import acting
from gridadmin.services.paging import ALIGN_RIGHT, Column
from gridadmin.services.reports.monthly_figures import _area_map, household_at, person_present
from gridadmin.services.tags import holds_on, visible_tag_kinds

RESIDENTS_ROW = "在册人口"


@dataclass(frozen=True)
class CommunityColumn:
    id: int
    name: str


@dataclass(frozen=True)
class GroupCountRow:
    """One line: ``tag_kind_id`` None for the 在册人口 line; ``counts`` as
    ``((community id, count), ...)``; ``total`` over all communities."""

    tag_kind_id: int | None
    name: str
    counts: tuple[tuple[int, int], ...]
    total: int

    def count(self, community_id: int) -> int:
        return dict(self.counts).get(community_id, 0)


@dataclass(frozen=True)
class SpecialGroupCounts:
    on: date
    communities: tuple[CommunityColumn, ...]
    rows: tuple[GroupCountRow, ...]


def _people(on: date, today: date):
    """``(person id, household id on that day)`` of the people in the
    register on ``on``, as a subquery."""
    if on >= today:
        return (select(Person.id.label("person_id"), Person.household_id.label("household_id"))
                .where(Person.status == PERSON_ACTIVE).subquery("people"))
    return (select(Person.id.label("person_id"), household_at(on).label("household_id"))
            .where(person_present(on)).subquery("people"))


def residents_by_community(db: Database, on: date, *, today: date | None = None) -> dict[int, int]:
    """``{community id: residents in the register on ``on``}`` (one grouped
    query; micro-grids and grids count for their community)."""
    today = today or date.today()
    people = _people(on, today)
    m = _area_map("m")
    with db.session() as session:
        return {c: int(n) for c, n in session.execute(
            select(m.c.community_id, func.count()).select_from(people)
            .join(Household, Household.id == people.c.household_id)
            .join(m, m.c.area_id == Household.area_id)
            .where(m.c.community_id.is_not(None)).group_by(m.c.community_id))}


def special_group_counts(db: Database, on: date | None = None, *, today: date | None = None) -> SpecialGroupCounts:
    """Residents and holders of each visible tag kind per community on
    ``on`` (today): one line for 在册人口, then one per tag kind."""
    today = today or date.today()
    on = on or today
    residents = residents_by_community(db, on, today=today)
    people = _people(on, today)
    m = _area_map("m")
    with db.session() as session:
        communities = tuple(CommunityColumn(i, n) for i, n in session.execute(
            select(Area.id, Area.name).where(Area.level == LEVEL_COMMUNITY)
            .order_by(Area.sort_order, Area.division_code, Area.id)))
        kinds = visible_tag_kinds(session, acting(db))
        found: dict[int, dict[int, int]] = {}
        if kinds:
            for kind_id, community_id, n in session.execute(
                    select(PersonTag.tag_kind_id, m.c.community_id, func.count(func.distinct(PersonTag.person_id)))
                    .select_from(PersonTag).join(people, people.c.person_id == PersonTag.person_id)
                    .join(Household, Household.id == people.c.household_id)
                    .join(m, m.c.area_id == Household.area_id)
                    .where(PersonTag.tag_kind_id.in_([k.id for k in kinds]), holds_on(on),
                           m.c.community_id.is_not(None))
                    .group_by(PersonTag.tag_kind_id, m.c.community_id)):
                found.setdefault(kind_id, {})[community_id] = int(n)

    def line(kind_id: int | None, name: str, counts: dict[int, int]) -> GroupCountRow:
        return GroupCountRow(kind_id, name, tuple(sorted(counts.items())), sum(counts.values()))

    rows = [line(None, RESIDENTS_ROW, residents)]
    rows += [line(k.id, k.name + ("（敏感）" if k.sensitive else ""), found.get(k.id, {})) for k in kinds]
    return SpecialGroupCounts(on, communities, tuple(rows))


def count_columns(counts: SpecialGroupCounts) -> tuple[Column, ...]:
    """Columns for showing/exporting the counts: 类别, 合计, one per
    community (key ``c<id>``)."""
    columns = [Column("name", "类别", lambda r: r.name, width=170),
               Column("total", "合计", lambda r: str(r.total), align=ALIGN_RIGHT, width=70)]
    for c in counts.communities:
        columns.append(Column(f"c{c.id}", c.name, lambda r, cid=c.id: str(r.count(cid)), align=ALIGN_RIGHT,
                              width=max(64, 14 * len(c.name))))
    return tuple(columns)
