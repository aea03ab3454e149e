"""Dropping a table's secondary indexes and count triggers around a bulk
write on SQLite, and building them again before the commit.

When a write touches a large share of a table (the first big import adds
rows that at least double it; undoing it deletes at least half of it),
building each index once from the rows left costs a fraction of updating
thirteen B-trees row by row (deleting 100,000 people one index entry at a
time took 5.7 s). The drop happens inside the write transaction, so a
rollback or cancel brings everything back; ``restore_indexes`` must run
before the transaction commits. Unique constraints (automatic indexes) are
left alone. The triggers that keep the stored per-area counts go the same
way: one recount after the write (``restore_indexes``) costs less than
firing them row by row.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridadmin.services.register import tallies
from gridadmin.services.common.bulk import is_sqlite

REBUILD_MIN_ROWS = 10_000


def drop_indexes(session: Session, tables, rows: int, *, deleting: bool = False) -> list[str]:
    """Drop the secondary indexes and triggers of each of ``tables`` that
    ``rows`` added rows at least double (``deleting``: deleted rows are at
    least half of); returns the statements that recreate them."""
    if rows < REBUILD_MIN_ROWS or not is_sqlite(session):
        return []
    conn = session.connection()
    statements = []
    for table in tables:
        count = session.scalar(select(func.count()).select_from(table)) or 0
        if (count > 2 * rows) if deleting else (count > rows):
            continue
        for kind, name, sql in conn.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                "AND tbl_name = ? AND sql IS NOT NULL", (table.name,)).all():
            conn.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
            statements.append(sql)
    return statements


def restore_indexes(session: Session, statements: list[str]) -> None:
    """Run what ``drop_indexes`` returned; recount the stored per-area
    counts when triggers were among it."""
    conn = session.connection() if statements else None
    for sql in statements:
        conn.exec_driver_sql(sql)
    if any(sql.lstrip().upper().startswith("CREATE TRIGGER") for sql in statements):
        tallies.recount(session)
