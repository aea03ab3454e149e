"""Paged reading of big tables: a total count plus a window of rows for a
filter and a sort, computed in SQL (no Qt).

The contract every list page shares (roster, households, residents):

- ``PageQuery(filter, sort, descending)`` says what to show; ``filter`` is
  an opaque, hashable value the source understands (a frozen dataclass),
  ``sort`` the key of a sortable column (or None for the default order).
- A ``PageSource`` answers ``count(query)`` and ``window(query, offset,
  limit)``; rows are plain frozen dataclasses or tuples, never ORM objects.
- ``Column`` describes one displayed column as data (title, the row's text,
  alignment, sort key), so one generic Qt model can show any source.

``SqlPager`` builds a ``PageSource`` from three pieces: a function turning
the filter into a ``SELECT`` of primary keys, the ORDER BY expressions per
sort key, and a loader that turns one window of keys into rows. The window
query reads keys only (through an index where one exists); the loader then
reads the few rows shown, so nothing ever loads the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from gridadmin.db import Database

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)

ALIGN_LEFT = "left"
ALIGN_RIGHT = "right"
ALIGN_CENTER = "center"


@dataclass(frozen=True)
class PageQuery:
    """What a list shows: ``filter`` (opaque to the paging code), the sort
    key (None: the source's default order) and its direction."""

    filter: Hashable = None
    sort: str | None = None
    descending: bool = False


@dataclass(frozen=True)
class Reversed:
    """An ORDER BY term that runs the other way round from the sort the user
    chose (age ascending = birth date descending)."""

    expression: ColumnElement


@dataclass(frozen=True)
class Column(Generic[R]):
    """One displayed column. ``text(row)`` gives the cell text; ``sort`` is
    the sort key passed to the source when the header is clicked (None: the
    column cannot be sorted); ``tooltip(row)`` is optional."""

    key: str
    title: str
    text: Callable[[R], str]
    sort: str | None = None
    align: str = ALIGN_LEFT
    width: int | None = None
    tooltip: Callable[[R], str] | None = None


@dataclass(frozen=True)
class QuickCount:
    """A count a list can show at once: ``exact``, or else an estimate
    (``at_least``: only a lower bound) to be replaced by the exact count,
    which the source's ``count`` gives (a table model asks for it off the
    UI thread). A source offering ``first_count(query) -> QuickCount``
    answers filters whose exact count grows with the table this way."""

    n: int
    exact: bool = True
    at_least: bool = False


class PageSource(Protocol[R_co]):
    """Anything that can count and window rows for a ``PageQuery``."""

    def count(self, query: PageQuery) -> int:
        """How many rows match ``query.filter``."""
        ...

    def window(self, query: PageQuery, offset: int, limit: int) -> Sequence[R_co]:
        """Rows ``offset`` .. ``offset + limit - 1`` in the query's order."""
        ...


@dataclass
class SqlPager(Generic[R]):
    """A ``PageSource`` over one table.

    - ``keys(session, filter)`` returns a ``SELECT`` of the primary key
      (exactly one column) with the filter applied;
    - ``sorts`` maps each sort key to its ORDER BY expressions (ascending
      form; wrap a term in ``Reversed`` to run it the other way);
      ``default_sort`` is used when the query names none;
    - ``tiebreak`` (the primary key) is appended so the order is total and
      windows never overlap or skip rows;
    - ``load(session, ids, query)`` returns the rows for ``ids`` in that order.

    Each call opens one session (one user action)."""

    db: Database
    keys: Callable[[Session, Any], Select]
    sorts: Mapping[str, Sequence[ColumnElement | Reversed]]
    tiebreak: ColumnElement
    load: Callable[[Session, list[Any], PageQuery], list[R]]
    default_sort: str | None = None

    def __post_init__(self) -> None:
        self._counts: dict[Any, int] = {}

    def count(self, query: PageQuery) -> int:
        with self.db.session() as session:
            stmt = self.keys(session, query.filter)
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        self._counts[query.filter] = total
        return total

    def window(self, query: PageQuery, offset: int, limit: int) -> list[R]:
        """Rows ``offset`` .. ``offset + limit - 1``. A window in the second
        half of a counted list is read from the end, in the opposite order
        (OFFSET costs as many rows as it skips: scrolling to the end of
        100,000 rows then costs what the first page does)."""
        if limit <= 0:
            return []
        offset = max(0, offset)
        total = self._counts.get(query.filter)
        from_end = total is not None and offset > total // 2
        with self.db.session() as session:
            stmt = self.keys(session, query.filter)
            if from_end:
                take = max(0, min(limit, total - offset))
                order = self.order_by(query, reverse=True)
                ids = list(session.scalars(stmt.order_by(*order).offset(max(0, total - offset - take)).limit(take)))
                ids.reverse()
            else:
                ids = list(session.scalars(stmt.order_by(*self.order_by(query)).offset(offset).limit(limit)))
            return self.load(session, ids, query) if ids else []

    def order_by(self, query: PageQuery, *, reverse: bool = False) -> list[ColumnElement]:
        """The ORDER BY list for ``query`` (unknown sort keys fall back to the
        default order); ``reverse`` gives the exact opposite order."""
        key = query.sort if query.sort in self.sorts else self.default_sort
        terms = list(self.sorts.get(key, ())) if key else []
        terms.append(self.tiebreak)
        descending = bool(query.descending and key) != reverse
        order = []
        for term in terms:
            reverse = isinstance(term, Reversed)
            expression = term.expression if reverse else term
            order.append(expression.desc() if descending != reverse else expression.asc())
        return order


def row_by_row(column):
    """SQLite only: ``+column``, the same value, but no index is used for a
    term on it (the planner's documented way to keep a condition from
    driving)."""
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def prefix_range(column: ColumnElement, prefix: str) -> ColumnElement:
    """``column`` starts with the ASCII letters/digits ``prefix``, written as
    ``prefix <= column < next(prefix)`` so an ordinary index serves it on
    every database (SQLite's LIKE cannot use one; "zh" → "zh" ≤ c < "zi")."""
    if not prefix:
        raise ValueError("empty prefix")
    upper = _next_string(prefix)
    return (column >= prefix) if upper is None else (column >= prefix) & (column < upper)


def _next_string(prefix: str) -> str | None:
    """The least string above every string starting with ``prefix`` (its
    last character raised by one, past the surrogates, which no database
    stores); None when every character is U+10FFFF."""
    stem = prefix.rstrip("\U0010ffff")
    if not stem:
        return None
    code = ord(stem[-1]) + 1
    if 0xD800 <= code <= 0xDFFF:
        code = 0xE000
    return stem[:-1] + chr(code)


def load_in_order(rows: Sequence[R], ids: Sequence[Any], key: Callable[[R], Any]) -> list[R]:
    """``rows`` (fetched with ``IN ids``) put back into the order of ``ids``."""
    by_key = {key(r): r for r in rows}
    return [by_key[i] for i in ids if i in by_key]


@dataclass
class ListSource(Generic[R]):
    """A ``PageSource`` over rows already computed (small lists such as the
    compliance list), so exports and tables treat them like any other."""

    rows: Sequence[R]

    def count(self, query: PageQuery) -> int:
        return len(self.rows)

    def window(self, query: PageQuery, offset: int, limit: int) -> list[R]:
        return list(self.rows[max(0, offset):max(0, offset) + max(0, limit)])
