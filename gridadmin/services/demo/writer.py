"""Writing the demo rows: one transaction, ids assigned here, rows buffered
per table and written with ``executemany``.

Primary keys are max(id) + 1 onwards (read once after the township is set
up), so no ``RETURNING`` is needed; PostgreSQL sequences are moved past
them at the end. Rows are written with ``services.bulk.insert_dicts`` (on
SQLite straight to the driver as tuples: the per-row parameter processing
of a Core insert would cost a third of the run).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from gridadmin.db import Database
from gridadmin.models import (
    Area, Attendance, Certificate, House, Household, Person, PersonEvent, PersonTag, Staff,
    StaffAssignment, StaffStatusEvent, TrainingRequirement, TrainingSession,
)
from gridadmin.services.common.bulk import insert_dicts

# in foreign-key order: a flush writes them in this order
TABLES = {
    "area": Area.__table__, "household": Household.__table__, "house": House.__table__, "person": Person.__table__,
    "person_event": PersonEvent.__table__, "person_tag": PersonTag.__table__,
    "staff": Staff.__table__, "staff_assignment": StaffAssignment.__table__,
    "staff_status_event": StaffStatusEvent.__table__, "certificate": Certificate.__table__,
    "training_session": TrainingSession.__table__, "attendance": Attendance.__table__,
    "training_requirement": TrainingRequirement.__table__,
}


@contextmanager
def one_transaction(db: Database) -> Iterator[tuple[Connection, Session]]:
    """A connection in a transaction and a session bound to it. Commits when
    the block ends normally; rolls everything back on any exception,
    including ``GeneratorExit`` when a driver closes a job mid-way."""
    with db.engine.connect() as conn:
        trans = conn.begin()
        session = Session(bind=conn, expire_on_commit=False)
        try:
            yield conn, session
            session.close()
            trans.commit()
        except BaseException:
            session.close()
            if trans.is_active:
                trans.rollback()
            raise


class Writer:
    """Buffered rows per table (see :data:`TABLES`) and the next free id of each."""

    def __init__(self, session: Session):
        self.session = session
        self.buffers: dict[str, list[dict]] = {name: [] for name in TABLES}
        self.next_id: dict[str, int] = {}

    def start_ids(self) -> None:
        """Read max(id) of every table; new ids continue from there."""
        for name, table in TABLES.items():
            self.next_id[name] = (self.session.scalar(select(func.max(table.c.id))) or 0) + 1

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def add(self, table: str, row: dict) -> None:
        self.buffers[table].append(row)

    def pending(self, table: str) -> int:
        """Rows of ``table`` not written yet."""
        return len(self.buffers[table])

    def flush(self) -> None:
        """Write every buffered row (inside the open transaction)."""
        for name, table in TABLES.items():
            rows = self.buffers[name]
            if rows:
                insert_dicts(self.session, table, rows)
                self.buffers[name] = []

    def fix_sequences(self) -> None:
        """PostgreSQL: move the id sequences past the ids written here."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for name in TABLES:
            self.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))
