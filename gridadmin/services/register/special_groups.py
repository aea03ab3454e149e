"""人群统计: residents in the register and the members of each group kind
(特殊人群, 重点人员, 关怀对象: a line per kind, by family), per community, on a day — today or any past day ("as of date D").

Both counts come from SQL grouped by area (mapped to communities from the
small area table), never from rows loaded into Python; today's residents
come from the stored per-area counts. For today they follow the current register (status 在册, the
current household), so they match the residents list filtered by tag and
community. For a past day they are derived from the history the monthly
report uses (``reports.monthly_figures``): registered by then, not moved
out or dead by then, in the household they were in that day; a tag counts
when its row holds on that day — the same people the residents list shows
for that day (``ResidentFilter.as_of``), so a past count opens its list. Sensitive tag kinds are left out for
actors who may not see them (``tags.visible_tag_kinds``); only the acting
user's areas are counted, and only their communities are columns.
Age-defined kinds (老年人, 高龄老人) count the people of that age on the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from gridadmin.db import Database
from gridadmin.models import Area, Person, PersonTag
from gridadmin.models.area import LEVEL_COMMUNITY
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.access.permissions import acting, visible_areas
from gridadmin.services.common.paging import ALIGN_RIGHT, Column
from gridadmin.services.register import tallies
from gridadmin.services.reports import placed_at as placed
from gridadmin.services.reports.monthly_counts import area_parts, person_present
from gridadmin.services.register.age_groups import age_condition
from gridadmin.services.register.tags import holds_on, visible_tag_kinds

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
    family: str = ""  # 特殊人群 / 重点人员 / 关怀对象; "" for 在册人口

    def count(self, community_id: int) -> int:
        return dict(self.counts).get(community_id, 0)


@dataclass(frozen=True)
class SpecialGroupCounts:
    on: date
    communities: tuple[CommunityColumn, ...]
    rows: tuple[GroupCountRow, ...]


def _people(on: date, today: date):
    """``(person id, area id on that day)`` of the people in the register on
    ``on``, as a subquery: the area they counted in (their household's, or
    without one their house's; on a past day as the monthly report places
    them, ``reports.placed_at``)."""
    if on >= today:
        query, area = placed.place_now(select().select_from(Person).where(Person.status == PERSON_ACTIVE))
    else:
        query, area, _house = placed.place_at(select().select_from(Person).where(person_present(on)), on, "sg")
    return query.add_columns(Person.id.label("person_id"), area.label("area_id")).subquery("people")


def _community_of(session) -> dict[int, int | None]:
    """area id → its community's id (``_area_map``'s rule, from the area rows)."""
    areas = {r.id: r for r in session.execute(select(Area.id, Area.parent_id, Area.level))}
    return {area_id: community for area_id, (community, _grid) in area_parts(areas).items()}


def _per_community(pairs, community_of: dict, visible: frozenset[int] | None = None) -> dict[int, int]:
    """``{community: total}`` from ``(area id, count)`` pairs (only areas in
    ``visible`` when given: the acting user's)."""
    totals: dict[int, int] = {}
    for area_id, n in pairs:
        if visible is not None and area_id not in visible:
            continue
        community = community_of.get(area_id)
        if community is not None:
            totals[community] = totals.get(community, 0) + int(n)
    return totals


def residents_by_community(db: Database, on: date, *, today: date | None = None) -> dict[int, int]:
    """``{community id: residents in the register on ``on``}`` (micro-grids
    and grids count for their community). For today: the stored per-area
    counts (``services.tallies``: the same people, 在册 in a household);
    for a past day one grouped query over the history."""
    today = today or date.today()
    if on >= today:
        with db.session() as session:
            return _per_community(tallies.residents_per_area(session).items(), _community_of(session),
                                  visible_areas(session, acting(db)))
    people = _people(on, today)
    with db.session() as session:
        return _per_community(session.execute(
            select(people.c.area_id, func.count()).group_by(people.c.area_id)),
            _community_of(session), visible_areas(session, acting(db)))


def special_group_counts(db: Database, on: date | None = None, *, today: date | None = None) -> SpecialGroupCounts:
    """Residents and holders of each visible tag kind per community on
    ``on`` (today): one line for 在册人口, then one per tag kind."""
    today = today or date.today()
    on = on or today
    residents = residents_by_community(db, on, today=today)
    people = _people(on, today)
    with db.session() as session:
        actor = acting(db)
        visible = visible_areas(session, actor)
        community_of = _community_of(session)
        shown = None if visible is None else {community_of.get(a) for a in visible}
        communities = tuple(CommunityColumn(i, n) for i, n in session.execute(
            select(Area.id, Area.name).where(Area.level == LEVEL_COMMUNITY)
            .order_by(Area.sort_order, Area.division_code, Area.id)) if shown is None or i in shown)
        kinds = visible_tag_kinds(session, actor)
        found: dict[int, dict[int, int]] = {}
        for k in kinds:
            if k.age is not None:
                found[k.id] = _per_community(session.execute(
                    select(people.c.area_id, func.count()).select_from(people)
                    .join(Person, Person.id == people.c.person_id)
                    .where(age_condition(on, k.age)).group_by(people.c.area_id)), community_of, visible)
        if kinds:
            # Grouped by the household's area, mapped to communities here: a
            # person lives in one area, so the distinct counts add up, and no
            # row needs the three area look-ups of the SQL area map.
            by_kind: dict[int, list] = {}
            for kind_id, area_id, n in session.execute(
                    select(PersonTag.tag_kind_id, people.c.area_id, func.count(func.distinct(PersonTag.person_id)))
                    .select_from(PersonTag).join(people, people.c.person_id == PersonTag.person_id)
                    .where(PersonTag.tag_kind_id.in_([k.id for k in kinds if k.age is None]), holds_on(on))
                    .group_by(PersonTag.tag_kind_id, people.c.area_id)):
                by_kind.setdefault(kind_id, []).append((area_id, n))
            found.update({kind_id: _per_community(pairs, community_of, visible) for kind_id, pairs in by_kind.items()})

    def line(kind_id: int | None, name: str, counts: dict[int, int], family: str = "") -> GroupCountRow:
        return GroupCountRow(kind_id, name, tuple(sorted(counts.items())), sum(counts.values()), family)

    rows = [line(None, RESIDENTS_ROW, residents)]
    rows += [line(k.id, k.name + ("（敏感）" if k.sensitive else ""), found.get(k.id, {}), k.family_name)
             for k in kinds]
    return SpecialGroupCounts(on, communities, tuple(rows))


def count_columns(counts: SpecialGroupCounts) -> tuple[Column, ...]:
    """Columns for showing/exporting the counts: 类别, 合计, one per
    community (key ``c<id>``)."""
    columns = [Column("family", "分类", lambda r: r.family, width=80),
               Column("name", "类别", lambda r: r.name, width=170),
               Column("total", "合计", lambda r: str(r.total), align=ALIGN_RIGHT, width=70)]
    for c in counts.communities:
        columns.append(Column(f"c{c.id}", c.name, lambda r, cid=c.id: str(r.count(cid)), align=ALIGN_RIGHT,
                              width=max(64, 14 * len(c.name))))
    return tuple(columns)
