"""户籍户 list: every household in a lazily paged table — filter, search,
sort and window in SQL, like the residents list (``services.residents``).

``household_source(db)`` is a ``PageSource`` of ``HouseholdRow`` for a
``HouseholdFilter``; ``household_columns(show_full)`` describes the columns
(phones masked unless ``show_full``). Head name and member count are read
for the shown window only (one grouped query), never for the whole table.

Search as you type, each form served by an index:
letters → the head's pinyin initials or full pinyin from the start;
digits → household number or phone from the start; other text → the head's
name from the start, or (two characters or more) the address containing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gridadmin.db import Database
from gridadmin.models import Household, Person
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.access.permissions import SYSTEM, Actor, acting, area_condition, number_maskers
from gridadmin.services.register.household_rules import HEAD_RELATIONS
from gridadmin.services.areas.names import AreaNames
from gridadmin.services.common.idcard import number_formatters
from gridadmin.services.common.paging import ALIGN_CENTER, ALIGN_RIGHT, Column, PageQuery, SqlPager, prefix_range
from gridadmin.services.register import tallies
from gridadmin.services.register.resident_counts import listed_areas
from gridadmin.services.register.residents import search_kind
from gridadmin.services.roster.listing import subtree_ids

DISSOLVED = "已注销"


@dataclass(frozen=True)
class HouseholdFilter:
    """What the households list shows; empty values mean "any".
    ``include_dissolved`` also lists households whose last member left."""

    search: str = ""
    area_id: int | None = None
    include_dissolved: bool = False


@dataclass(frozen=True)
class HouseholdRow:
    id: int
    household_no: str
    address: str
    head: str
    members: int
    grid: str
    grid_detail: str
    phone: str
    state: str


def _heads():
    """``SELECT person.household_id`` of active heads (for head-name search)."""
    return select(Person.household_id).where(Person.status == PERSON_ACTIVE, Person.relation.in_(HEAD_RELATIONS))


def search_condition(text: str):
    """SQL condition on ``household`` for the search box, or None."""
    kind, typed = search_kind(text)
    if kind == "letters":
        heads = _heads().where(prefix_range(Person.name_pinyin, typed[0]),
                               or_(prefix_range(Person.name_initials, typed), prefix_range(Person.name_pinyin, typed)))
        return Household.id.in_(heads)
    if kind == "digits":
        return or_(prefix_range(Household.household_no, typed), prefix_range(Household.phone, typed))
    if kind == "text":
        condition = Household.id.in_(_heads().where(prefix_range(Person.name, typed)))
        if len(typed) >= 2:
            condition = or_(condition, Household.address.contains(typed, autoescape=True))
        return condition
    return None


def household_keys(session: Session, f: HouseholdFilter | None, actor: Actor = SYSTEM):
    """``SELECT household.id`` for the filter (every condition in SQL), among
    the households of ``actor``'s areas."""
    f = f or HouseholdFilter()
    stmt = select(Household.id)
    scope = area_condition(session, actor, Household.area_id)
    if scope is not None:
        stmt = stmt.where(scope)
    if not f.include_dissolved:
        stmt = stmt.where(Household.dissolved_on.is_(None))
    if f.area_id is not None:
        stmt = stmt.where(Household.area_id.in_(subtree_ids(session, f.area_id)))
    condition = search_condition(f.search)
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt


SORTS = {
    "household_no": (Household.household_no,),
    "address": (Household.address,),
    "grid": (Household.area_id, Household.household_no),
    "phone": (Household.phone,),
}


def load_rows(session: Session, ids: Sequence[int], _query: PageQuery | None = None, *,
              actor: Actor = SYSTEM) -> list[HouseholdRow]:
    """Rows for ``ids`` (in that order): one query for households and grids,
    one grouped query for heads and member counts of just these ids; the
    phone masked unless ``actor`` may see it whole."""
    ids = list(ids)
    _id_text, phone_text = number_maskers(actor)
    found = {r.id: r for r in session.execute(
        select(Household.id, Household.household_no, Household.address, Household.phone, Household.dissolved_on,
               Household.area_id)
        .where(Household.id.in_(ids)))}
    names = AreaNames.load_for(session, {h.area_id for h in found.values()})  # the page's areas, not the county's
    counts = dict(session.execute(
        select(Person.household_id, func.count()).where(Person.household_id.in_(ids), Person.status == PERSON_ACTIVE)
        .group_by(Person.household_id)).all())
    heads: dict[int, str] = {}
    for household_id, name in session.execute(
            select(Person.household_id, Person.name).where(
                Person.household_id.in_(ids), Person.status == PERSON_ACTIVE, Person.relation.in_(HEAD_RELATIONS))
            .order_by(Person.id)):
        heads.setdefault(household_id, name)
    rows = []
    for household_id in ids:
        h = found.get(household_id)
        if h is None:
            continue
        rows.append(HouseholdRow(
            id=h.id, household_no=h.household_no, address=h.address or "", head=heads.get(h.id, ""),
            members=int(counts.get(h.id, 0)), grid=names.full(h.area_id),
            grid_detail=names.full(h.area_id),
            phone=phone_text(h.phone), state=DISSOLVED if h.dissolved_on else ""))
    return rows


class HouseholdSource(SqlPager[HouseholdRow]):
    """``PageSource`` of households; the count of a list filtered only by
    area (households not dissolved) comes from the stored per-area counts
    (``services.tallies``), in time that does not grow with the register."""

    def count(self, query: PageQuery) -> int:
        f = query.filter if isinstance(query.filter, HouseholdFilter) else HouseholdFilter()
        if f.include_dissolved or f.search.strip():
            return super().count(query)
        with self.db.session() as session:
            total = tallies.households_total(session, listed_areas(session, f.area_id, acting(self.db)))
        self._counts[query.filter] = total
        return total


def household_source(db: Database) -> SqlPager[HouseholdRow]:
    """``PageSource`` of households (default order: household number) of
    the acting user's areas, as they stand at each read."""
    return HouseholdSource(db=db, keys=lambda session, f: household_keys(session, f, acting(db)), sorts=SORTS,
                           tiebreak=Household.id, load=lambda session, ids, query: load_rows(session, ids, query,
                                                                                              actor=acting(db)),
                           default_sort="household_no")


def household_columns(show_full: bool = False) -> tuple[Column, ...]:
    """The households list's columns; the phone masked unless ``show_full``."""
    _id_text, phone_text = number_formatters(show_full)
    return (
        Column("household_no", "户号", lambda r: r.household_no, sort="household_no", width=150),
        Column("address", "地址", lambda r: r.address, sort="address", width=220, tooltip=lambda r: r.address),
        Column("head", "户主", lambda r: r.head, width=72),
        Column("members", "人数", lambda r: str(r.members), align=ALIGN_RIGHT, width=44),
        Column("grid", "所属网格", lambda r: r.grid, sort="grid", width=200, tooltip=lambda r: r.grid_detail),
        Column("phone", "联系电话", phone_text, sort="phone", width=110),
        Column("state", "状态", lambda r: r.state, align=ALIGN_CENTER, width=60),
    )
