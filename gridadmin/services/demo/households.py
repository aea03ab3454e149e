"""Composing one household: its family, registration history over the two
years (登记, 出生, 迁入, 户间迁移, 迁出, 死亡), categories (户籍/流动)
and 人户状态 — and the households dissolved within the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from gridadmin.models.household import (
    EVENT_BORN, EVENT_DIED, EVENT_MOVED_IN, EVENT_MOVED_OUT, EVENT_REGISTERED, EVENT_TRANSFER,
    PERSON_ACTIVE, PERSON_DECEASED, PERSON_MOVED_OUT,
)
from gridadmin.services.demo.addresses import NextAddress, address
from gridadmin.services.demo.context import Context
from gridadmin.services.demo.dates import add_years, ordinal_date
from gridadmin.services.demo.family import (
    Member, add_dead_spouse, add_moved_child, add_next_generation, add_parents, head_age, household_kind,
    kids_births, set_child_relations, spouse_of,
)

NOTE_DIED_ALONE = "独居户主去世，户已注销"
_PARENT_RELS = ("02", "11", "12", "20", "21", "22", "38", "28")


@dataclass
class Composed:
    """A household ready to be written: its members and row. ``moved_in``
    holds (former household id, registered, dissolved, parent) for parents
    who left a household of their own to join this one."""

    members: list[Member]
    row: dict
    flow: bool = False
    origin: str | None = None  # where a 流动/迁入 household came from
    in_window: bool = False
    moved_in: list[tuple] = field(default_factory=list)


def household_row(hh_id: int, household_no: str, addr: dict, registered: int, *, dissolved: int | None = None,
                  note: str | None = None) -> dict:
    """A household row (flags False, phone None: filled when it is written)."""
    return {"id": hh_id, "household_no": household_no, "area_id": addr["area_id"], "household_type": "1",
            "compound": addr["compound"], "building": addr["building"], "unit": addr["unit"],
            "room": addr["room"], "village_group": addr["village_group"], "door_no": addr["door_no"],
            "address": addr["address"], "phone": None, "is_dibao": False, "is_tekun": False,
            "is_party": False, "is_veteran": False, "is_disabled": False, "is_poor": False,
            "registered_on": date.fromordinal(registered), "dissolved_on": ordinal_date(dissolved),
            "note": note, "version": 1}


def compose_household(ctx: Context, urban: bool, household_no: Callable[[], str], next_address: NextAddress,
                      clan: list[str]) -> Composed:
    """A current household. ``clan``: the surnames common in the village
    (empty in cities); ``household_no``/``next_address`` are called once."""
    rng = ctx.rng
    T, W0 = ctx.T, ctx.W0
    flow = rng.random() < (0.15 if urban else 0.05)
    resident_outside = (not flow) and urban and rng.random() < 0.03  # living here, 户口 elsewhere
    hh_id = ctx.new_id("household")
    in_window = rng.random() < (0.5 if flow else 0.04)
    hh_reg = rng.randint(W0, T - 5) if in_window else rng.randint(W0 - 5 * 365, W0 - 1)
    age = head_age(ctx, flow)
    kind = household_kind(ctx, age, urban, flow)
    region = ctx.regions.elsewhere(0.6 if flow else 0.8) if flow or resident_outside else None
    members: list[Member] = []
    moved_in: list[tuple] = []
    head, spouse, kids = _family(ctx, kind, age, flow, clan, hh_id, in_window, members, moved_in)

    # a husband or wife who died within the two years
    widowed = head.marital == "30" and (kind == "single_parent" or (kind == "single" and age >= 62))
    if widowed and rng.random() < 0.3:
        add_dead_spouse(ctx, head, members, rng.randint(W0, T - 1))
    # a child who moved away within the two years
    if not flow and 45 <= age <= 72 and kind in ("couple", "nuclear", "three_gen", "adult_child") \
            and spouse is not None and rng.random() < 0.13:
        add_moved_child(ctx, head, spouse, members)
    # 留守: parents working away, children under 16 at home
    if not urban and not flow and rng.random() < 0.3:
        young = [m for m in members if m.status == PERSON_ACTIVE and T - m.birth < 16 * 365]
        parents = [m for m in members if m.status == PERSON_ACTIVE and m.rel in _PARENT_RELS
                   and 24 * 365 < T - m.birth < 45 * 365]
        elders = [m for m in members if m.status == PERSON_ACTIVE and T - m.birth >= 50 * 365]
        if young and parents and elders:
            for p in parents:
                p.res = "2"
            for y in young:
                y.left_behind = True

    moved_here = in_window and not flow
    origin = ctx.regions.text(region) if region else None
    if moved_here and origin is None:
        origin = ctx.regions.home_township()
    _register(ctx, members, hh_id, hh_reg, flow, resident_outside, moved_here, region, origin)

    # a spouse from elsewhere (户口 not moved: 流动人口 living in the 户)
    if spouse is not None and not flow and not resident_outside and rng.random() < 0.05:
        spouse.cat, spouse.res = "3", "3"
        spouse.region = ctx.regions.elsewhere(0.7)
    # a spouse who married in within the two years (迁入)
    if spouse is not None and not flow and not in_window and age <= 33 and rng.random() < 0.25:
        first_kid = min((k.birth for k in kids), default=T)
        lo = max(W0, hh_reg + 1, add_years(spouse.birth, 20))
        hi = min(T - 5, first_kid - 1)
        if lo < hi:
            d = rng.randint(lo, hi)
            spouse.reg = d
            place = ctx.regions.text(spouse.region) if spouse.region != ctx.county_code else \
                ctx.regions.home_township()
            spouse.events = [(EVENT_REGISTERED, d, None, hh_id, None, None),
                             (EVENT_MOVED_IN, d, None, hh_id, place, "婚迁")]
    # working away / studying away (户在人不在)
    if not flow and not resident_outside:
        away = 0.2 if not urban else 0.06
        for m in members:
            if m.status != PERSON_ACTIVE or m.res != "1":
                continue
            m_age = ctx.age(m.birth)
            if 18 <= m_age <= 21 and m.marital == "10" and rng.random() < 0.5:
                m.res, m.student_away = "2", True
            elif 22 <= m_age <= 50 and rng.random() < away:
                m.res = "2"

    addr = next_address()
    row = household_row(hh_id, household_no(), addr, hh_reg)
    return Composed(members, row, flow, origin, in_window, moved_in)


def _family(ctx: Context, kind: str, age: int, flow: bool, clan: list[str], hh_id: int, in_window: bool,
            members: list[Member], moved_in: list[tuple]) -> tuple[Member, Member | None, list[Member]]:
    """Head, spouse and children of a household of ``kind`` (appended to
    ``members``); at most six members."""
    rng = ctx.rng
    if kind == "single":
        male_p = 0.55 if age < 60 else 0.4
    elif kind == "single_parent":
        male_p = 0.35
    else:
        male_p = 0.85
    head_gender = "1" if rng.random() < male_p else "2"
    if not flow and clan and rng.random() < 0.45:
        head_surname = rng.choice(clan)
    else:
        head_surname = ctx.names.surname()
    head = Member(head_gender, ctx.born(age), "02", head_surname)
    members.append(head)
    spouse = None
    kids: list[Member] = []

    def add_spouse():
        nonlocal spouse
        if ctx.T - head.birth < (23 if head.gender == "1" else 21) * 366:
            head.birth = ctx.born(rng.randint(23, 27) if head.gender == "1" else rng.randint(21, 25))
        spouse = spouse_of(ctx, head)
        head.marital = spouse.marital = rng.choices(("20", "21", "22"), (75, 20, 5))[0]
        members.append(spouse)

    def add_kids(k: int, adult_ok: bool = True) -> list[Member]:
        if spouse is not None:
            mother = head if head.gender == "2" else spouse
            father = spouse if head.gender == "2" else head
            births = kids_births(ctx, mother.birth, father.birth, k, adult_ok)
            surname = father.surname
        else:
            births = kids_births(ctx, head.birth if head.gender == "2" else None,
                                 head.birth if head.gender == "1" else None, k, adult_ok)
            surname = head.surname if head.gender == "1" or rng.random() < 0.3 else ctx.names.surname()
        new = [Member("1" if rng.random() < 0.52 else "2", b, "20", surname) for b in births]
        for kid in new:
            if ctx.T - kid.birth >= 22 * 365 and rng.random() < 0.08:
                kid.marital = "40"
        kids.extend(new)
        members.extend(new)
        return new

    if kind == "single":
        if age < 30:
            head.marital = "10"
        elif age < 60:
            head.marital = rng.choices(("10", "40", "30"), (40, 48, 12))[0]
        else:
            head.marital = rng.choices(("30", "40", "10"), (75, 12, 13))[0]
    elif kind == "couple":
        add_spouse()
    elif kind == "nuclear":
        add_spouse()
        add_kids(rng.choices((1, 2, 3), (45, 45, 10))[0], adult_ok=age >= 45)
    elif kind == "single_parent":
        head.marital = rng.choices(("40", "30"), (70, 30))[0]
        add_kids(rng.choices((1, 2), (65, 35))[0])
    elif kind == "with_parents":
        if age >= 25 or rng.random() < 0.5:
            add_spouse()
            add_kids(rng.choices((0, 1, 2), (20, 45, 35))[0], adult_ok=False)
        add_parents(ctx, head, members, hh_id, not in_window, moved_in)
    elif kind == "three_gen":
        if rng.random() < 0.85:
            add_spouse()
        else:
            head.marital = "30"
        add_next_generation(ctx, head, spouse, members, kids)
    elif kind == "adult_child":
        if rng.random() < 0.8:
            add_spouse()
        else:
            head.marital = "30"
        for kid in add_kids(1):
            if ctx.T - kid.birth < 20 * 365:
                members.remove(kid)
                kids.remove(kid)
    if kids and kind != "three_gen":
        set_child_relations(ctx, kids)
    if len(members) > 6:
        del members[6:]
        kids[:] = [k for k in kids if k in members]
    return head, spouse, kids


def _register(ctx: Context, members: list[Member], hh_id: int, hh_reg: int, flow: bool, resident_outside: bool,
              moved_here: bool, region: str | None, origin: str | None) -> None:
    """Registration events, categories and ID regions; drops members who
    left before being registered; adds the 迁出/死亡 events."""
    rng = ctx.rng
    T = ctx.T
    for m in members:
        if m.reg is None:
            if m.birth > hh_reg:
                rng.randint(0, 20)  # (was the entry lag; kept so the rest of the township draws the same)
                m.reg = m.birth  # a newborn is in the register from the birth, whenever it was entered
                m.events.append((EVENT_BORN, m.birth, None, hh_id, None, None))
            else:
                m.reg = hh_reg
                m.events.append((EVENT_REGISTERED, hh_reg, None, hh_id, origin if flow else None,
                                 "流入登记" if flow else None))
                if moved_here:
                    m.events.append((EVENT_MOVED_IN, hh_reg, None, hh_id, origin, None))
        if flow:
            m.cat, m.res, m.region = "3", "3", region
        elif resident_outside:
            m.cat, m.res, m.region = "3", "3", region  # 户口 elsewhere, living here: 流动人口
        elif m.region is None:
            m.region = ctx.county_code if rng.random() < 0.93 else ctx.regions.elsewhere(0.9)
    members[:] = [m for m in members if m.leave is None or m.leave > m.reg]
    for m in members:
        if m.status != PERSON_ACTIVE:
            m.events.append((EVENT_DIED if m.status == PERSON_DECEASED else EVENT_MOVED_OUT,
                             m.leave, hh_id, None, m.place, m.note))


def compose_dissolved(ctx: Context, grid_id: int, urban: bool, household_no: Callable[[], str],
                      next_address: NextAddress) -> Composed | None:
    """A household dissolved within the two years: a lone elder who died or
    a family that moved (流动人口: left) as a whole. None when the drawn
    family has nobody left to dissolve it."""
    rng = ctx.rng
    T, W0 = ctx.T, ctx.W0
    d = rng.randint(W0 + 10, T - 1)
    flow = False
    if rng.random() < 0.5:
        hh_id = ctx.new_id("household")
        hh_reg = rng.randint(W0 - 6 * 365, W0 - 1)
        gender = "2" if rng.random() < 0.55 else "1"
        birth = ctx.born(rng.randint(72, 96))
        m = Member(gender, birth, "02", ctx.names.surname())
        m.marital = "30"
        m.status, m.leave = PERSON_DECEASED, d
        m.reg = hh_reg
        m.region = ctx.county_code
        m.events = [(EVENT_REGISTERED, hh_reg, None, hh_id, None, None),
                    (EVENT_DIED, d, hh_id, None, None, None)]
        members = [m]
        note = NOTE_DIED_ALONE
    else:
        family = compose_household(ctx, urban, lambda: "", lambda: address(area_id=grid_id), [])
        hh_id = family.row["id"]
        flow = family.flow
        hh_reg = min(family.row["registered_on"].toordinal(), d - 30)
        moved_here = family.in_window and not flow and hh_reg >= W0
        place = ctx.regions.move_out_place() if rng.random() < 0.6 else \
            (family.origin or ctx.regions.text(ctx.regions.elsewhere()))
        members = [m for m in family.members if m.birth < d - 1
                   and not any(e[0] == EVENT_TRANSFER for e in m.events)
                   and not (m.status == PERSON_DECEASED and m.leave >= d)]
        if not members or members[0].rel != "02":
            return None
        note = "流出" if flow else "全户迁出"
        for m in members:
            if m.birth > hh_reg:
                ctx.between(m.birth, min(d - 1, m.birth + 20))  # (the draw kept, see ``_register``)
                m.reg = m.birth
                m.events = [(EVENT_BORN, m.birth, None, hh_id, None, None)]
            else:
                m.reg = hh_reg
                m.events = [(EVENT_REGISTERED, hh_reg, None, hh_id, None, "流入登记" if flow else None)]
                if moved_here:
                    m.events.append((EVENT_MOVED_IN, hh_reg, None, hh_id, family.origin, None))
            if m.status == PERSON_DECEASED and m.leave > m.reg:
                m.events.append((EVENT_DIED, m.leave, hh_id, None, None, None))
            else:
                m.status, m.leave, m.place, m.note = PERSON_MOVED_OUT, d, place, note
                m.events.append((EVENT_MOVED_OUT, d, hh_id, None, place, note))
        note = "全户流出，户已注销" if flow else "全户迁出，户已注销"
    row = household_row(hh_id, household_no(), next_address(), hh_reg, dissolved=d, note=note)
    return Composed(members, row, flow)
