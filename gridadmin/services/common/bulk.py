"""Bulk inserts inside the open transaction, for jobs that write tens of
thousands of rows (demo data, imports).

On SQLite the rows go straight to the driver's ``executemany`` as tuples
(dates and date-times as ISO text, as SQLAlchemy's ``Date``/``DateTime``
store them): the per-row parameter processing of a Core insert would cost
more than SQLite itself. Columns left out get their scalar Python-side
default (``version`` = 1 …); a column with a callable default must be
given. Other databases get an ordinary Core ``executemany``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain, repeat
from datetime import date, datetime
from operator import itemgetter

from sqlalchemy import Date, DateTime, Table, func, insert, select
from sqlalchemy.orm import Session

from gridadmin.services.common.lengths import check_rows


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def insert_tuples(session: Session, table: Table, keys: Sequence[str], rows: list[tuple]) -> None:
    """Insert ``rows`` (tuples in the order of ``keys``) into ``table``.
    On SQLite a column that is None in every row and NULL when left out
    (no default) is not bound at all: an import fills a third of the
    person columns, binding the others cost as much as the rest."""
    if not rows:
        return
    keys = list(keys)
    if not is_sqlite(session):
        check_rows(table, keys, zip(*rows))  # a text longer than its column: refused naming the field
        session.execute(insert(table), [dict(zip(keys, row)) for row in rows])
        return
    _insert_columns(session, table, dict(zip(keys, zip(*rows))), len(rows))


def _insert_columns(session: Session, table: Table, columns: dict, count: int) -> None:
    """SQLite: insert ``count`` rows given column by column (key → values);
    the work below is done in C, per distinct value in Python."""
    columns = {key: values for key, values in columns.items()
               if any(values) or values.count(None) != count or not _null_when_left_out(table.c[key])}
    check_rows(table, columns, columns.values())  # a text longer than its column: refused naming the field
    conn = session.connection()
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(columns))
    order = list(compiled.positiontup)
    for key in order:
        if key not in columns:
            columns[key] = repeat(_default_value(table, key), count)
        elif isinstance(table.c[key].type, (Date, DateTime)):
            columns[key] = _as_text(columns[key], _DATE if isinstance(table.c[key].type, Date) else _DATETIME)
    rows = list(zip(*(columns[key] for key in order)))
    if table.name in TALLIED_TABLES:
        _insert_multirow(conn, compiled.string, rows)
    else:
        conn.exec_driver_sql(compiled.string, rows)


def _null_when_left_out(column) -> bool:
    return column.default is None and column.server_default is None and not column.primary_key


def _default_value(table: Table, key: str):
    """The value of a column left out: its scalar default, or its callable
    default called once (e.g. local_now: one value for the whole batch)."""
    default = table.c[key].default
    if default is not None and default.is_scalar:
        value = default.arg
    elif default is not None and default.is_callable:
        value = default.arg(None)
    else:
        raise ValueError(f"{table.name}.{key}: no value given and no scalar or callable default")
    if isinstance(value, datetime):
        return _DATETIME(value)
    if isinstance(value, date):
        return _DATE(value)
    return value


def _as_text(values: tuple, fmt) -> list:
    """A date/date-time column as the text SQLAlchemy stores; other values
    (text, None) pass unchanged. Each distinct value is formatted once: an
    import writes the same few dates (today, birthdays) many times."""
    texts = {}
    for value in set(values):
        texts[value] = fmt(value) if isinstance(value, date) else value
    return list(map(texts.__getitem__, values))


# Tables with row triggers (the stored register counts, migration 0008).
# SQLite opens a statement journal for every statement that fires a
# trigger, which made one INSERT per row three times slower; many rows per
# statement pay it once per statement.
TALLIED_TABLES = frozenset({"person", "household", "person_tag"})
_MAX_PARAMETERS = 32_000  # SQLite's limit is 32,766 since 3.32


def _insert_multirow(conn, single_row_sql: str, rows: list[tuple]) -> None:
    """Insert ``rows`` with ``INSERT … VALUES (…), (…), …`` statements."""
    head, group = single_row_sql.rsplit(" VALUES ", 1)
    per_statement = max(1, _MAX_PARAMETERS // max(1, len(rows[0])))
    full_sql = None
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        if len(chunk) == per_statement:
            full_sql = full_sql or f"{head} VALUES {', '.join([group] * per_statement)}"
            sql = full_sql
        else:
            sql = f"{head} VALUES {', '.join([group] * len(chunk))}"
        conn.exec_driver_sql(sql, tuple(chain.from_iterable(chunk)))


def _DATE(value):  # noqa: N802 - what SQLAlchemy's SQLite Date stores (isoformat pads the year to 4 digits)
    return (value if value.__class__ is date else date(value.year, value.month, value.day)).isoformat()


def _DATETIME(value):  # noqa: N802 - what SQLAlchemy's SQLite DateTime stores
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}:"
            f"{value.second:02d}.{value.microsecond:06d}")


@contextmanager
def bulk_session(session: Session, cache_mb: int = 128) -> Iterator[None]:
    """For a job writing many rows in one transaction: on SQLite a larger
    page cache for the connection (index pages of big tables stay in
    memory instead of spilling to the WAL), restored afterwards."""
    if not is_sqlite(session):
        yield
        return
    driver = session.connection().connection.driver_connection  # PRAGMAs outside SQLAlchemy's transaction state
    before = driver.execute("PRAGMA cache_size").fetchone()[0]
    driver.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size={int(before)}")


def insert_dicts(session: Session, table: Table, rows: list[dict]) -> None:
    """Like :func:`insert_tuples` for dict rows that all have the same keys."""
    if not rows:
        return
    keys = list(rows[0])
    values = itemgetter(*keys)
    insert_tuples(session, table, keys, [values(row) for row in rows] if len(keys) > 1
                  else [(values(row),) for row in rows])


def insert_returning_ids(session: Session, table: Table, keys: Sequence[str], rows: list[tuple]) -> list[int]:
    """Insert ``rows`` and return their new ids in the same order.

    On SQLite the ids are assigned here (max(id) + 1 onwards): a write
    transaction holds the database lock, and a clash with a concurrent
    writer would fail the insert, never mix rows up. Elsewhere the
    database assigns them (``RETURNING``)."""
    if not rows:
        return []
    keys = list(keys)
    if is_sqlite(session):
        start = (session.scalar(select(func.max(table.c.id))) or 0) + 1
        ids = list(range(start, start + len(rows)))
        _insert_columns(session, table, {"id": ids, **dict(zip(keys, zip(*rows)))}, len(rows))
        return ids
    result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                             [dict(zip(keys, row)) for row in rows])
    return [row[0] for row in result]
