"""Presence at many dates in one scan, by date buckets.

``person_present(D)`` (monthly_counts) is a handful of date comparisons;
evaluated for 12 month ends over half a million people it dominates a
report. Instead each row is put, once, into buckets against the sorted
dates ``D_0 < D_1 < … < D_{n-1}``:

- ``since`` bucket: the first ``i`` with ``value <= D_i`` (empty value: 0;
  after every date: n) — "already there at ``D_i``" is ``since <= i``;
- ``until`` bucket: the first ``i`` with ``value <= D_i`` (empty value: n)
  — "not yet gone at ``D_i``" is ``i < until``.

Grouping by the buckets leaves a few thousand groups; Python then answers
"present at ``D_i``" per group. The rules are exactly those of
``person_present`` and the tag validity of ``PersonTag``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, case, or_

from gridadmin.models import Person
from gridadmin.models.household import PERSON_ACTIVE, PERSON_STATUSES


def bucket(column, dates: Sequence[date], *, empty: int):
    """SQL: the first index ``i`` with ``column <= dates[i]``; ``len(dates)``
    when after all; ``empty`` when the column is NULL."""
    whens = [(column.is_(None), empty)] + [(column <= d, i) for i, d in enumerate(dates)]
    return case(*whens, else_=len(dates))


def person_columns(dates: Sequence[date]) -> list:
    """The four bucket columns of a person: registered, moved out, died,
    and whether their status can count at all (在册, or 迁出/死亡 with a date)."""
    n = len(dates)
    valid = case((or_(Person.status == PERSON_ACTIVE, Person.moved_out_on.is_not(None),
                      Person.died_on.is_not(None)), 1), else_=0)
    return [bucket(Person.registered_on, dates, empty=0).label("b_reg"),
            bucket(Person.moved_out_on, dates, empty=n).label("b_out"),
            bucket(Person.died_on, dates, empty=n).label("b_died"),
            valid.label("b_valid")]


def present(i: int, reg: int, out: int, died: int, valid: int) -> bool:
    """Whether a person with these buckets is in the register at ``dates[i]``."""
    return bool(valid) and reg <= i < min(out, died)


def held(i: int, start: int, end: int) -> bool:
    """Whether a membership with these (start, end) buckets holds at ``dates[i]``
    (start empty or on/before; end empty or after)."""
    return start <= i < end


def unsteady_parts(first: date) -> list[tuple[bool, object]]:
    """``(active, condition)`` pairs, disjoint, each an index range of
    ``ix_person_presence``, that together select every person who is not
    simply present at every date from ``first`` on: those 在册 who arrived
    after ``first`` or carry a leaving date (``active`` True — the stored
    per-area counts include them), and those who left, with a date after
    ``first`` (``active`` False). Everyone else 在册 is present at every
    date ``>= first``; everyone else who left is present at none."""
    active = Person.status == PERSON_ACTIVE
    parts: list[tuple[bool, object]] = [
        (True, and_(active, Person.moved_out_on.is_(None), Person.died_on.is_(None), Person.registered_on > first)),
        (True, and_(active, Person.moved_out_on.is_not(None))),
        (True, and_(active, Person.moved_out_on.is_(None), Person.died_on.is_not(None))),
    ]
    for status in PERSON_STATUSES:
        if status != PERSON_ACTIVE:
            parts.append((False, and_(Person.status == status, Person.moved_out_on > first)))
            parts.append((False, and_(Person.status == status, Person.died_on > first,
                                      or_(Person.moved_out_on.is_(None), Person.moved_out_on <= first))))
    return parts
