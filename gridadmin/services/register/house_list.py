"""房屋 list: every house (实有房屋) in a lazily paged table — filter,
search, sort and window in SQL, like the households list.

``house_source(db)`` is a ``PageSource`` of ``HouseRow`` for a
``HouseFilter``; ``house_columns(show_full)`` describes the columns (the
房主's phone masked unless ``show_full``). The people living at each house
(居住人数; for a 出租房 its 承租人数) are counted for the shown window only
(one grouped query on ``ix_person_house_status``). Only houses of the
acting user's areas are listed.

Search as you type, each form served by an index: letters → the 房主's
pinyin initials or full pinyin from the start; digits → 房屋编号 or the
房主's phone from the start; other text → the 房主's name from the start,
or (two characters or more) the address containing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from gridadmin.db import Database
from gridadmin.models import Area, House, Person
from gridadmin.models.house import USE_RENTED
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.access.permissions import SYSTEM, Actor, acting, area_condition, number_maskers
from gridadmin.services.common.idcard import mask_phone
from gridadmin.services.common.paging import ALIGN_CENTER, ALIGN_RIGHT, Column, PageQuery, SqlPager, prefix_range, \
    row_by_row
from gridadmin.services.register.residents import search_kind
from gridadmin.services.roster.listing import subtree_ids

OVERCROWDED = "超员"


@dataclass(frozen=True)
class HouseFilter:
    """What the houses list shows; empty values mean "any". ``rented``:
    True 出租房 only, False all but 出租房; ``overcrowded``: only 出租房 with
    more people than their 限住人数."""

    search: str = ""
    area_id: int | None = None
    purpose: str | None = None
    rented: bool | None = None
    overcrowded: bool = False


@dataclass(frozen=True)
class HouseRow:
    id: int
    house_no: str
    address: str
    purpose: str
    owner: str
    landlord: str
    landlord_phone: str
    rooms_let: int | None
    occupancy_limit: int | None
    residents: int
    grid: str
    grid_detail: str
    version: int

    @property
    def tenants(self) -> int | None:
        """承租人数 of a 出租房 (None for other uses)."""
        return self.residents if self.purpose == USE_RENTED else None

    @property
    def overcrowded(self) -> bool:
        return (self.purpose == USE_RENTED and self.occupancy_limit is not None
                and self.residents > self.occupancy_limit)


def search_condition(text: str):
    """SQL condition on ``house`` for the search box, or None."""
    kind, typed = search_kind(text)
    if kind == "letters":
        return and_(prefix_range(House.landlord_pinyin, typed[0]),
                    or_(prefix_range(House.landlord_initials, typed), prefix_range(House.landlord_pinyin, typed)))
    if kind == "digits":
        return or_(prefix_range(House.house_no, typed), prefix_range(House.landlord_phone, typed))
    if kind == "text":
        condition = prefix_range(House.landlord, typed)
        if len(typed) >= 2:
            condition = or_(condition, House.address.contains(typed, autoescape=True),
                            prefix_range(House.owner, typed))
        return condition
    return None


def house_keys(session: Session, f: HouseFilter | None, actor: Actor = SYSTEM):
    """``SELECT house.id`` for the filter (every condition in SQL), among
    the houses of ``actor``'s areas."""
    f = f or HouseFilter()
    stmt = select(House.id)
    scope = area_condition(session, actor, House.area_id)
    if scope is not None:
        stmt = stmt.where(scope)
    if f.area_id is not None:
        stmt = stmt.where(House.area_id.in_(subtree_ids(session, f.area_id)))
    # 超员: the stored residents (trigger-kept, migration 0025) against the limit, the term of
    # the partial index ix_house_overcrowded, which lists just those houses; on SQLite the use
    # is then tested row by row (else its index would drive: every 出租房 of the county)
    purpose = row_by_row(House.purpose) if f.overcrowded and session.get_bind().dialect.name == "sqlite" \
        else House.purpose
    if f.purpose:
        stmt = stmt.where(purpose == f.purpose)
    if f.rented is True or f.overcrowded:
        stmt = stmt.where(purpose == USE_RENTED)
    elif f.rented is False:
        stmt = stmt.where(purpose != USE_RENTED)
    if f.overcrowded:
        stmt = stmt.where(House.residents > House.occupancy_limit)
    condition = search_condition(f.search)
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt


SORTS = {
    "house_no": (House.house_no,),
    "address": (House.address,),
    "grid": (House.area_id, House.address),
    "purpose": (House.purpose, House.address),
    "landlord": (House.landlord_pinyin,),
}


def load_rows(session: Session, ids: Sequence[int], _query: PageQuery | None = None, *,
              actor: Actor = SYSTEM) -> list[HouseRow]:
    """Rows for ``ids`` (in that order): one query for houses and grids, one
    grouped count of the people living at just these houses; the 房主's
    phone masked unless ``actor`` may see it whole."""
    ids = list(ids)
    _id_text, phone_text = number_maskers(actor)
    community = aliased(Area)
    found = {house.id: (house, grid, parent) for house, grid, parent in session.execute(
        select(House, Area.name, community.name)
        .outerjoin(Area, Area.id == House.area_id)
        .outerjoin(community, community.id == Area.parent_id)
        .where(House.id.in_(ids))).all()}
    counts = dict(session.execute(
        select(Person.house_id, func.count()).where(Person.house_id.in_(ids), Person.status == PERSON_ACTIVE)
        .group_by(Person.house_id)).all())
    rows = []
    for house_id in ids:
        if house_id not in found:
            continue
        h, grid, parent = found[house_id]
        rows.append(HouseRow(
            id=h.id, house_no=h.house_no, address=h.address, purpose=h.purpose, owner=h.owner or "",
            landlord=h.landlord or "", landlord_phone=phone_text(h.landlord_phone), rooms_let=h.rooms_let,
            occupancy_limit=h.occupancy_limit, residents=int(counts.get(h.id, 0)), grid=grid or "",
            grid_detail=f"{parent}·{grid}" if parent and grid else (grid or ""), version=h.version))
    return rows


def house_source(db: Database) -> SqlPager[HouseRow]:
    """``PageSource`` of houses (default order: address) of the acting
    user's areas, as they stand at each read."""
    return SqlPager(db=db, keys=lambda session, f: house_keys(session, f, acting(db)), sorts=SORTS,
                    tiebreak=House.id, load=lambda session, ids, query: load_rows(session, ids, query,
                                                                                   actor=acting(db)),
                    default_sort="address")


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def house_columns(show_full: bool = False) -> tuple[Column, ...]:
    """The houses list's columns; the 房主's phone masked unless ``show_full``."""
    def phone_text(row: HouseRow) -> str:
        return row.landlord_phone if show_full or not row.landlord_phone else mask_phone(row.landlord_phone)

    return (
        Column("house_no", "房屋编号", lambda r: r.house_no, sort="house_no", width=130),
        Column("address", "地址", lambda r: r.address, sort="address", width=200, tooltip=lambda r: r.address),
        Column("grid", "所属网格", lambda r: r.grid, sort="grid", width=120, tooltip=lambda r: r.grid_detail),
        Column("purpose", "用途", lambda r: r.purpose, sort="purpose", align=ALIGN_CENTER, width=48),
        Column("owner", "产权人", lambda r: r.owner, width=72),
        Column("landlord", "房主", lambda r: r.landlord, sort="landlord", width=72),
        Column("landlord_phone", "房主电话", phone_text, width=110),
        Column("rooms_let", "出租间数", lambda r: _number(r.rooms_let), align=ALIGN_RIGHT, width=60),
        Column("occupancy_limit", "限住人数", lambda r: _number(r.occupancy_limit), align=ALIGN_RIGHT, width=60),
        Column("residents", "居住人数", lambda r: str(r.residents), align=ALIGN_RIGHT, width=60),
        Column("overcrowded", "超员", lambda r: OVERCROWDED if r.overcrowded else "", align=ALIGN_CENTER,
               width=44),
    )
