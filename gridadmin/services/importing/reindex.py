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
firing them row by row. So do the trigger-kept area of each person
(``person.area_id``) and residents of each house (``house.residents``,
migration 0025): set in one statement each where the write left them
wrong.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gridadmin.models import Person

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
    triggers = [sql for sql in statements if sql.lstrip().upper().startswith("CREATE TRIGGER")]
    if any(" ON person " in " ".join(sql.split()) for sql in triggers):
        fill_person_areas(session)
        tallies.count_house_residents(session)
    if triggers:
        tallies.recount(session)


def fill_person_areas(session: Session) -> None:
    """Set ``person.area_id`` (what its triggers keep) on the rows written
    while they were dropped: inserted rows, whose area is still empty
    (``ix_person_area_name`` finds them)."""
    session.execute(update(Person).where(Person.area_id.is_(None),
                                         (Person.household_id.is_not(None)) | (Person.house_id.is_not(None)))
                    .values(area_id=tallies.placed_area(), updated_at=Person.updated_at)
                    .execution_options(synchronize_session=False))
