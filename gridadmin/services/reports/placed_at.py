"""Where a person counts on a past date (the monthly report's placement).

A person counts in their household's area, or without a household in
their house's (``register.placement.area_of``; the tally triggers of
migration 0019). On a past date D the household is the one their first
户间迁移 after D left (None when they had none then), else the current
one; the house likewise the one their first 住所变更 after D left. Both
come from small derived tables of the first such event after D (changes
are few), outer-joined to ``Person`` — no query per person.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select, true, union

from gridadmin.models import House, Household, Person, PersonEvent
from gridadmin.models.household import EVENT_HOUSE, EVENT_TRANSFER


def first_after(kind: str, on: date, column: str, name: str, *, label: str = "left", only=None):
    """``(person_id, <label>)``: each person's first ``kind`` event after
    ``on`` (among those with ``only(event table)``, when given) and the
    value of ``column`` (what they left) on it."""
    # Core aliases (the ORM's aliased() adapts every column: slow to build, many per report)
    e, e2 = PersonEvent.__table__.alias(), PersonEvent.__table__.alias()
    extra, extra2 = (only(e), only(e2)) if only is not None else (true(), true())
    earlier = (select(literal(1)).where(
        e2.c.person_id == e.c.person_id, e2.c.kind == kind, e2.c.event_date > on, extra2,
        or_(e2.c.event_date < e.c.event_date, and_(e2.c.event_date == e.c.event_date, e2.c.id < e.c.id))).exists())
    return (select(e.c.person_id.label("person_id"), e.c[column].label(label))
            .where(e.c.kind == kind, e.c.event_date > on, extra, ~earlier).subquery(name))


def replaced_after(on: date):
    """Ids of people with a 户间迁移 or 住所变更 after ``on``: only for them
    can the place on ``on`` differ from the current one."""
    return select(PersonEvent.person_id).where(PersonEvent.kind.in_((EVENT_TRANSFER, EVENT_HOUSE)),
                                               PersonEvent.event_date > on)


def changed_after(on: date, *more):
    """SQL: the person's place (or, with ``more`` id selects, anything else) changed after ``on``."""
    return Person.id.in_(union(replaced_after(on), *more))


def place_at(query, on: date, name: str):
    """``(query, area, house_id)``: ``query`` (over ``Person``) outer-joined
    to what gives the person's area and house on ``on``."""
    t = first_after(EVENT_TRANSFER, on, "from_household_id", f"{name}_t")
    m = first_after(EVENT_HOUSE, on, "from_house_id", f"{name}_m")
    hh, ho = Household.__table__.alias(f"{name}_hh"), House.__table__.alias(f"{name}_ho")
    household = case((t.c.person_id.is_not(None), t.c.left), else_=Person.household_id)
    house = case((m.c.person_id.is_not(None), m.c.left), else_=Person.house_id)
    query = (query.outerjoin(t, t.c.person_id == Person.id).outerjoin(m, m.c.person_id == Person.id)
             .outerjoin(hh, hh.c.id == household).outerjoin(ho, ho.c.id == house))
    return query, func.coalesce(hh.c.area_id, ho.c.area_id), house


def place_now(query):
    """``(query, area)``: ``query`` (over ``Person``) outer-joined to the
    person's current household and house; ``area`` where they count today."""
    query = (query.outerjoin(Household, Household.id == Person.household_id)
             .outerjoin(House, House.id == Person.house_id))
    return query, func.coalesce(Household.area_id, House.area_id)


def place_groups(groups):
    """``(query, area)``: ``groups`` (a subquery of people already grouped,
    with ``household_id`` and ``house_id`` columns) outer-joined to the
    household and house, so each is looked up once per group rather than
    once per person; ``area`` as ``place_now``'s."""
    hh, ho = Household.__table__.alias("g_hh"), House.__table__.alias("g_ho")
    query = (select().select_from(groups).outerjoin(hh, hh.c.id == groups.c.household_id)
             .outerjoin(ho, ho.c.id == groups.c.house_id))
    return query, func.coalesce(hh.c.area_id, ho.c.area_id)
