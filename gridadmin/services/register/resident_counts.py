"""The stored-count side of the residents list: how many a list filtered
only by 在册, area and category holds (``stored_count``), over which areas
(``listed_areas``), and whether a group filter is large (``large_group``),
all from the stored per-area counts (``services.tallies``) in time that does
not grow with the register."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridadmin.db import Database
from gridadmin.models import Person
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.access.permissions import Actor, acting, visible_areas
from gridadmin.services.register import tallies
from gridadmin.services.register.age_groups import computed_kinds
from gridadmin.services.roster.listing import subtree_ids


def stored_count(db: Database, f) -> int | None:
    """The count of a list filtered only by 在册, area and category, from
    the stored per-area counts (``services.tallies``) — the same number
    the SQL count gives, in time that does not grow with the register:
    the stored counts hold everyone 在册 with a household or a house; those
    在册 with neither (listed only when no area is chosen, and only to users of
    every area) are one index seek. Only the acting user's areas count.
    None for any other filter."""
    if (f.status != PERSON_ACTIVE or f.as_of is not None or f.search.strip() or f.age_band or f.gender
            or f.tag_kind_id is not None):
        return None
    with db.session() as session:
        areas = listed_areas(session, f.area_id, acting(db))
        total = tallies.residents_total(session, areas, f.category)
        if areas is None:
            no_household = select(func.count()).select_from(Person).where(
                Person.household_id.is_(None), Person.house_id.is_(None), Person.status == PERSON_ACTIVE)
            if f.category:
                no_household = no_household.where(Person.category == f.category)
            total += session.scalar(no_household) or 0
        return total


def large_group(session: Session, f, actor: Actor, exact_up_to: int) -> bool:
    """Whether ``f`` filters by a stored group (not an age group) of more
    than ``exact_up_to`` open memberships in the list's areas (stored
    counts: ``tallies.holders_total``)."""
    if f.tag_kind_id is None or f.as_of is not None or f.tag_kind_id in computed_kinds(session):
        return False
    return tallies.holders_total(session, f.tag_kind_id, listed_areas(session, f.area_id, actor)) > exact_up_to


def listed_areas(session: Session, area_id: int | None, actor: Actor) -> set[int] | None:
    """The areas a list of ``area_id`` (None: everywhere) shows to ``actor``
    — that area's subtree among the actor's areas — or None for every area:
    what the stored per-area counts are summed over."""
    areas = set(subtree_ids(session, area_id)) if area_id is not None else None
    visible = visible_areas(session, actor)
    if visible is not None:
        areas = set(visible) if areas is None else areas & visible
    return areas
