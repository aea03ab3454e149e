"""Effective dates: every change to the register carries the day it
happened (its effective date, what the monthly report counts by), apart
from the moment it was entered and who entered it (kept for the audit).

``date_problem`` words what is wrong with an effective date for a person,
the same for the forms (``ValidationError`` naming the field) and the
imports (a row error naming row, column and value):
- a day in the future;
- before the person's birth;
- after their death, or any change at all for someone who died or moved
  out (the register no longer holds them);
- before the day they were registered, or before their latest change of
  household (the register's history runs forward; a category change or a
  rename does not pin the others, but a category change cannot come before
  the latest category change: the report reads each month's category from
  them, ``CATEGORY_PINNING``).

``registration_problem`` does the same for a corrected 登记日期 of a person
already registered: not in the future, not before birth, and not after
their first later change (``earliest_change``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridadmin.models import PersonEvent
from gridadmin.models.household import (
    ARRIVAL_EVENTS, EVENT_BORN, EVENT_CATEGORY, EVENT_HOUSE, EVENT_MOVED_IN, EVENT_REGISTERED,
    EVENT_REGISTRATION_CORRECTED, EVENT_TRANSFER, PERSON_DECEASED, PERSON_MOVED_OUT,
)


def future_problem(on: date, today: date, label: str) -> str | None:
    if on > today:
        return f"{label} {on.isoformat()} 晚于今天，不能登记未来的变动"
    return None


def arrival_problem(on: date, today: date, name: str, birth_date: date | None, label: str) -> str | None:
    """A new person's 登记/出生/迁入 date: not in the future, not before birth."""
    problem = future_problem(on, today, label)
    if problem is None and birth_date is not None and on < birth_date:
        problem = f"{label} {on.isoformat()} 早于“{name}”的出生日期 {birth_date.isoformat()}"
    return problem


def date_problem(person, on: date, today: date, label: str, *, latest: date | None = None) -> str | None:
    """What is wrong with ``on`` as the effective date of a change to
    ``person`` (anything with name, birth_date, status, died_on,
    moved_out_on, registered_on), or None. ``latest``: the date of the
    person's latest dated change (``latest_change``)."""
    problem = arrival_problem(on, today, person.name, person.birth_date, label)
    if problem:
        return problem
    if person.status == PERSON_DECEASED or person.died_on is not None:
        died = f"已于 {person.died_on.isoformat()} 死亡" if person.died_on else "已死亡"
        if person.died_on is not None and on > person.died_on:
            return f"{label} {on.isoformat()} 晚于“{person.name}”的死亡日期 {person.died_on.isoformat()}"
        return f"“{person.name}”{died}，不能再登记变动"
    if person.status == PERSON_MOVED_OUT:
        out = f"已于 {person.moved_out_on.isoformat()} 迁出" if person.moved_out_on else "已迁出"
        return f"“{person.name}”{out}，不能再登记变动"
    if person.registered_on is not None and on < person.registered_on:
        return f"{label} {on.isoformat()} 早于“{person.name}”的登记日期 {person.registered_on.isoformat()}"
    if latest is not None and on < latest:
        return f"{label} {on.isoformat()} 早于“{person.name}”上一次变动的日期 {latest.isoformat()}"
    return None


# The changes that place a person in the register, a household or a house: a later one cannot be
# dated before them (a category change or a rename does not pin the dates of the others).
PLACING = (EVENT_REGISTERED, EVENT_BORN, EVENT_MOVED_IN, EVENT_TRANSFER, EVENT_HOUSE)


# … and a category change cannot be dated before them nor before the latest category change.
CATEGORY_PINNING = (*PLACING, EVENT_CATEGORY)


def latest_change(session: Session, person_ids, kinds=PLACING) -> dict[int, date]:
    """``{person_id: date of the latest event of ``kinds`` (default: those
    placing them, ``PLACING``)}``."""
    return _dates_of(session, person_ids, func.max(PersonEvent.event_date), PersonEvent.kind.in_(kinds))


def earliest_change(session: Session, person_ids) -> dict[int, tuple[date, str]]:
    """``{person_id: (date, kind) of their earliest change after arriving}``
    (anything but the 登记/出生/迁入 itself and a 登记日期 correction)."""
    other = PersonEvent.kind.not_in((*ARRIVAL_EVENTS, EVENT_REGISTRATION_CORRECTED))
    first = _dates_of(session, person_ids, func.min(PersonEvent.event_date), other)
    found: dict[int, tuple[date, str]] = {}
    ids = sorted(first)
    for start in range(0, len(ids), 500):
        for pid, on, kind in session.execute(select(PersonEvent.person_id, PersonEvent.event_date, PersonEvent.kind)
                                             .where(PersonEvent.person_id.in_(ids[start:start + 500]), other)):
            if on == first[pid] and pid not in found:
                found[pid] = (on, kind)
    return found


def _dates_of(session: Session, person_ids, aggregate, condition) -> dict:
    ids = sorted(set(person_ids))
    found: dict = {}
    for start in range(0, len(ids), 500):
        found.update(session.execute(select(PersonEvent.person_id, aggregate)
                                     .where(PersonEvent.person_id.in_(ids[start:start + 500]), condition)
                                     .group_by(PersonEvent.person_id)).all())
    return found


def registration_problem(person, on: date, today: date, label: str, *,
                         first_change: tuple[date, str] | None = None) -> str | None:
    """What is wrong with ``on`` as the corrected 登记日期 of ``person``
    (registered already), or None: in the future, before birth, for
    someone who died or moved out, or after their first later change
    (``earliest_change``: the register's history runs forward)."""
    problem = arrival_problem(on, today, person.name, person.birth_date, label)
    if problem:
        return problem
    if person.status in (PERSON_DECEASED, PERSON_MOVED_OUT):
        return f"“{person.name}”已{person.status}，不能再更正登记日期"
    if first_change is not None and on > first_change[0]:
        return (f"{label} {on.isoformat()} 晚于“{person.name}”此后的{first_change[1]}日期 "
                f"{first_change[0].isoformat()}")
    return None
