"""One import of a kind at a time, database-wide, and who is importing.

Two clerks importing the same community file at once both planned "new"
for the same people and both wrote them. Now the committing import takes
the database's lock *before* it plans, so its plan (made again at commit,
whatever the preview said) sees everything committed before it:

- PostgreSQL: a transaction-scoped advisory lock keyed by the kind
  (``pg_try_advisory_xact_lock``), released by the commit or rollback, or
  by the server when the connection dies;
- SQLite: the write lock (``BEGIN IMMEDIATE`` on the import's transaction),
  so nothing else writes between its plan and its commit.

A second import waits (``IMPORT_WAIT_SECONDS`` at most, telling the user
whom it waits for) and is then refused with a Chinese ``ConflictError``:
「王芳 自 10:31 起正在导入人口数据（社区.xlsx），请等其完成后再导入。」. Whom:
each import writes a ``running_import`` row in a transaction of its own at
its start (so every PC sees it) and deletes it at its end; the lock itself
is the database's, so a row left by a crashed program holds nothing back
(rows older than ``STALE_AFTER`` are not named and are cleared).
"""

from __future__ import annotations

import time
import uuid
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from gridadmin.db import Database
from gridadmin.models import RunningImport
from gridadmin.models.base import local_now
from gridadmin.services.common.errors import ConflictError, describe_db_error, STORAGE_LOCKED
from gridadmin.services.common.progress import Progress

IMPORT_WAIT_SECONDS = 120.0
POLL_SECONDS = 0.2
STALE_AFTER = timedelta(hours=12)
SQLITE_BUSY_MS = 15_000  # the engine's usual busy timeout (``db.make_engine``)
_LOCK_CLASS = 0x67726964  # "grid": the first key of GridAdmin's advisory locks
KIND_LABELS = {"residents": "人口数据", "staff": "网格员名册", "grids": "网格", "attendance": "培训签到"}


def _is_sqlite(db: Database) -> bool:
    return db.engine.dialect.name == "sqlite"


def _kind_key(kind: str) -> int:
    return zlib.crc32(f"gridadmin-import:{kind}".encode()) & 0x7FFFFFFF


def running_imports(db: Database, kind: str, *, besides: str | None = None) -> list[RunningImport]:
    """The imports of ``kind`` under way (oldest first), read in a
    transaction of its own; ``besides``: a token to leave out (one's own)."""
    since = local_now() - STALE_AFTER
    with Session(db.engine, expire_on_commit=False) as session:
        stmt = select(RunningImport).where(RunningImport.kind == kind, RunningImport.started_at >= since)
        if besides is not None:
            stmt = stmt.where(RunningImport.token != besides)
        return list(session.scalars(stmt.order_by(RunningImport.started_at, RunningImport.id)))


def busy_message(db: Database, kind: str, token: str | None) -> str:
    """Who is importing ``kind`` and since when (or that someone is)."""
    what = KIND_LABELS.get(kind, kind)
    others = running_imports(db, kind, besides=token)
    if not others:
        return f"另一位用户正在向数据库写入数据（{what}导入需要独占写入），请稍后再导入。"
    first = others[0]
    since = f"{first.started_at:%H:%M}" if first.started_at.date() == datetime.now().date() \
        else f"{first.started_at:%Y-%m-%d %H:%M}"
    file = f"（{first.file_name}）" if first.file_name else ""
    return f"{first.user_name} 自 {since} 起正在导入{what}{file}，请等其完成后再导入。"


def _busy(exc: BaseException) -> bool:
    mapped = describe_db_error(exc)
    return mapped is not None and mapped.kind == STORAGE_LOCKED


def _set_busy_timeout(conn, ms: int) -> None:
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(ms)}")


def _announce(db: Database, token: str, kind: str, user_id: int | None, user_name: str, file_name: str) -> bool:
    """Write this import's ``running_import`` row (own transaction); False
    when the database is busy (SQLite: another writer holds the lock)."""
    with db.engine.connect() as conn:
        sqlite = _is_sqlite(db)
        if sqlite:
            _set_busy_timeout(conn, POLL_SECONDS * 1000)
        try:
            conn.execute(delete(RunningImport).where(RunningImport.started_at < local_now() - STALE_AFTER))
            conn.execute(insert(RunningImport).values(
                token=token, kind=kind, user_id=user_id, user_name=user_name[:100],
                file_name=(file_name or "")[:255] or None, started_at=local_now()))
            conn.commit()
            return True
        except OperationalError as exc:
            if sqlite and _busy(exc):
                conn.rollback()
                return False
            raise
        finally:
            if sqlite:
                _set_busy_timeout(conn, SQLITE_BUSY_MS)


def withdraw(db: Database, token: str) -> None:
    """Delete this import's ``running_import`` row (own transaction)."""
    with Session(db.engine) as session:
        session.execute(delete(RunningImport).where(RunningImport.token == token))
        session.commit()


def _take(session: Session, kind: str) -> bool:
    """Try once to take the import lock in ``session``'s transaction."""
    conn = session.connection()
    if session.get_bind().dialect.name == "postgresql":
        return bool(conn.exec_driver_sql("SELECT pg_try_advisory_xact_lock(%(cls)s, %(key)s)",
                                         {"cls": _LOCK_CLASS, "key": _kind_key(kind)}).scalar())
    _set_busy_timeout(conn, POLL_SECONDS * 1000)
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return True
    except OperationalError as exc:
        if _busy(exc):
            return False
        raise
    finally:
        _set_busy_timeout(conn, SQLITE_BUSY_MS)


def acquire(db: Database, session: Session, kind: str, actor, file_name: str, *,
            wait: float = IMPORT_WAIT_SECONDS) -> Iterator[Progress]:
    """Take the import lock for ``kind`` in ``session`` (which must not
    have written anything yet), waiting ``wait`` seconds at most and
    yielding a ``Progress`` that names whom it waits for; returns the token
    to hand to ``withdraw`` once the transaction has ended. Raises the
    Chinese ``ConflictError`` when the time is up."""
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    user_name = actor.display_name or actor.username
    told = None

    def waiting() -> Iterator[Progress]:
        nonlocal told
        message = busy_message(db, kind, token)
        if time.monotonic() >= deadline:
            raise ConflictError(message, field="导入", value=kind)
        if message != told:
            told = message
            yield Progress(0, 0, "正在等待：" + message.split("，请")[0] + "…")
        time.sleep(POLL_SECONDS if _is_sqlite(db) else POLL_SECONDS / 2)

    while not _announce(db, token, kind, actor.user_id, user_name, file_name):
        yield from waiting()
    try:
        while not _take(session, kind):
            yield from waiting()
    except BaseException:
        withdraw(db, token)
        raise
    return token
