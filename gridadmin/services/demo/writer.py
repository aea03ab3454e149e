"""Writing the demo rows: one transaction, ids assigned here, rows buffered
per table and written with ``executemany``.

Primary keys are max(id) + 1 onwards (read once after the township is set
up), so no ``RETURNING`` is needed; PostgreSQL sequences are moved past
them at the end. On SQLite the rows go to the driver as tuples (dates as
ISO text, as SQLAlchemy's ``Date`` stores them): the per-row parameter
processing of a Core insert would cost a third of the run. The tables have
no Python-side defaults or type decorators that this would skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter

from sqlalchemy import Date, Table, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from gridadmin.db import Database
from gridadmin.models import (
    Area, Attendance, Certificate, Household, Person, PersonEvent, PersonTag, Staff,
    StaffAssignment, StaffStatusEvent, TrainingRequirement, TrainingSession,
)

# in foreign-key order: a flush writes them in this order
TABLES = {
    "area": Area.__table__, "household": Household.__table__, "person": Person.__table__,
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
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        for name, table in TABLES.items():
            rows = self.buffers[name]
            if rows:
                if sqlite:
                    self._insert_tuples(table, rows)
                else:
                    self.session.execute(insert(table), rows)
                self.buffers[name] = []

    def _insert_tuples(self, table: Table, rows: list[dict]) -> None:
        """``executemany`` on the driver; all rows of a table have the same keys."""
        conn = self.session.connection()
        compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(rows[0]))
        keys = compiled.positiontup
        dates = [i for i, key in enumerate(keys) if isinstance(table.c[key].type, Date)]
        values = itemgetter(*keys)
        if dates:
            data = []
            for row in rows:
                t = list(values(row))
                for i in dates:
                    if t[i] is not None:
                        t[i] = t[i].isoformat()
                data.append(tuple(t))
        else:
            data = [values(row) for row in rows]
        conn.exec_driver_sql(compiled.string, data)

    def fix_sequences(self) -> None:
        """PostgreSQL: move the id sequences past the ids written here."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for name in TABLES:
            self.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))
