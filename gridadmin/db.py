"""Opening a database: engine, pragmas, migrations and the unit of work.

Any SQLAlchemy URL works (SQLite by default, PostgreSQL for several PCs);
nothing here or in the services uses SQLite-only SQL. The schema is
created and upgraded by Alembic, never by ``create_all``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from gridadmin.paths import default_database_path

ENV_DB = "GRIDADMIN_DB"


class DatabaseVersionError(RuntimeError):
    """The database was written by a newer GridAdmin than this one."""


def resolve_url(value: str | os.PathLike | None = None) -> str:
    """Turn ``--db`` / ``GRIDADMIN_DB`` / the default into an SQLAlchemy URL.

    A plain path (``C:\\data\\town.db``, ``town.db``) means an SQLite file;
    anything with ``://`` is used as given.
    """
    raw = str(value) if value else os.environ.get(ENV_DB) or str(default_database_path())
    if "://" in raw:
        return raw
    return "sqlite:///" + str(Path(raw).expanduser().resolve()).replace("\\", "/")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None (memory or another backend)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if path is not None:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@dataclass
class Database:
    """An open database: the engine and a session factory.

    ``session()`` is the unit of work: one per user action, committed as a
    whole or rolled back on any exception.
    """

    url: str
    engine: Engine
    sessionmaker: sessionmaker
    # The user actions run as (``gridadmin.services.access.Actor``); None
    # means the system (command line, tests, first start).
    actor: object | None = None

    def as_actor(self, actor: object) -> Database:
        """The same database, with actions running as ``actor``."""
        return replace(self, actor=actor)

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()

    @property
    def display_location(self) -> str:
        """A human-readable location (file path, or URL without password)."""
        path = sqlite_path(self.url)
        if path is not None:
            return str(path)
        return make_url(self.url).render_as_string(hide_password=True)


# The newest migration's revision id. Opening an up-to-date database only
# compares against this, so Alembic is imported only when there is work to
# do (it costs a noticeable part of start-up). A test keeps it equal to the
# head of gridadmin/migrations/versions.
SCHEMA_HEAD = "0006"


def stamped_revision(engine: Engine) -> str | None:
    """The revision stamped in the database (None for an empty database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def open_database(url: str | None = None, *, upgrade: bool = True) -> Database:
    """Open (and by default create or upgrade) the database at ``url``.

    Raises ``DatabaseVersionError`` when the database is newer than this
    program's migrations.
    """
    resolved = resolve_url(url)
    engine = make_engine(resolved)
    current = stamped_revision(engine)
    if current != SCHEMA_HEAD:
        from gridadmin.migrations import upgrade_to_head

        if current is not None and not _is_known_revision(current):
            engine.dispose()
            raise DatabaseVersionError(
                f"该数据库由更新版本的网格中心管理系统创建（版本 {current}），请先升级本程序。"
            )
        if upgrade:
            upgrade_to_head(engine)
    return Database(resolved, engine, sessionmaker(engine, expire_on_commit=False))


def _is_known_revision(revision: str) -> bool:
    from gridadmin.migrations import known_revisions

    return revision in known_revisions()


def has_schema(engine: Engine) -> bool:
    """True when the database already holds GridAdmin tables."""
    return inspect(engine).has_table("area")
