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
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gridadmin.open_marker import (
    clear_stale_markers, header_matches_size, hold_open_marker, release_open_marker, unclean_shutdown,
)
from gridadmin.paths import default_database_path

ENV_DB = "GRIDADMIN_DB"


class DatabaseVersionError(RuntimeError):
    """The database was written by a newer GridAdmin than this one."""


class DatabaseCorruptError(RuntimeError):
    """An SQLite file failed its check at open (``PRAGMA quick_check``, run
    after an unclean shutdown or when the file's header does not match its
    size, see ``open_database``; or it cannot be read as a database at all). ``path`` is the file,
    ``detail`` what SQLite said; the message is Chinese."""

    def __init__(self, path: Path, detail: str):
        self.path, self.detail = Path(path), detail
        super().__init__(f"数据库文件“{path}”已损坏，无法打开（检查结果：{detail[:200]}）。")


class DatabaseUnavailableError(RuntimeError):
    """A database server refused the connection at open: the database or
    the user does not exist, the password is wrong, or the server cannot be
    reached. The message (Chinese) says which, and what to do."""


def unavailable(url: str, exc: BaseException) -> DatabaseUnavailableError | None:
    """The ``DatabaseUnavailableError`` for a failed first connection to a
    server database, or None when ``exc`` is something else."""
    if sqlite_path(url) is not None:
        return None
    parsed = make_url(url)
    server = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "does not exist" in text and "database" in text:
        message = (f"PostgreSQL 服务器 {server} 上没有名为“{parsed.database}”的数据库。"
                   "请检查连接地址中的数据库名是否写错；如果这是新的网格中心数据库，请先让管理员在服务器上创建它"
                   f"（例如：createdb -O {parsed.username or '用户名'} {parsed.database}），再连接，程序会自动建好各表。")
    elif "does not exist" in text and "role" in text:
        message = (f"PostgreSQL 服务器 {server} 上没有用户“{parsed.username}”。请检查连接地址中的用户名，"
                   "或请管理员创建该用户并授予数据库的权限。")
    elif "password" in text or "authentication" in text:
        message = f"连接 PostgreSQL 服务器 {server} 时用户名或密码不对（用户“{parsed.username}”）。请检查后重新输入。"
    elif any(w in text for w in ("could not connect", "connection refused", "timeout", "timed out",
                                 "could not translate host", "name or service not known", "no route")):
        message = (f"无法连接到 PostgreSQL 服务器 {server}。请检查服务器是否已启动、地址和端口是否正确，"
                   "以及网络和防火墙是否允许连接。")
    else:
        return None
    return DatabaseUnavailableError(message)


class DatabaseUpgradeNeeded(RuntimeError):
    """The database holds an older schema (``current``) than this program
    (``head``) and the caller asked to confirm before upgrading; nothing was
    changed. ``url`` is the resolved URL to upgrade (see
    ``gridadmin.services.maintenance.backup.upgrade_with_backup``)."""

    def __init__(self, url: str, current: str, head: str):
        self.url, self.current, self.head = url, current, head
        super().__init__(f"该数据库由较早版本的程序创建（数据版本 {current}），需要升级到 {head} 才能使用。")


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
            create_private_file(path)
        engine = create_engine(url, connect_args={"timeout": 15}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if path is not None:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                # Read pages through a memory map instead of a read() call
                # each: halves the time of the look-ups a county report or
                # list makes across half a million rows. Address space
                # only; the OS shares the pages with its file cache.
                cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def create_private_file(path: Path) -> None:
    """Create ``path`` (when missing) readable and writable by its owner
    only: a new database file gets POSIX mode 0600, and SQLite gives its
    -wal/-shm/-journal files the database file's mode. On Windows the file
    inherits the folder's ACLs (the data folder is in the user's profile)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


SQLITE_MMAP_BYTES = 1 << 30


@dataclass
class Database:
    """An open database: the engine and a session factory.

    ``session()`` is the unit of work: one per user action, committed as a
    whole or rolled back on any exception.
    """

    url: str
    engine: Engine
    sessionmaker: sessionmaker
    # The user actions run as (``gridadmin.services.access.permissions.Actor``); None
    # means the system (command line, tests, first start).
    actor: object | None = None

    def as_actor(self, actor: object) -> Database:
        """The same database, with actions running as ``actor``."""
        return replace(self, actor=actor)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work. A storage fault of the driver (disk full,
        read-only, server gone, damaged file, locked) is rolled back and
        re-raised as the Chinese ``StorageError`` (``services/errors.py``
        ``describe_db_error``); a write that broke one of the register's
        identities (two 在册 persons with one ID number, two open
        memberships of one group, two households with one 户号 — typically
        two clerks at once) as the ``ConflictError`` naming the record that
        holds it (``services/common/identities.py``); other errors propagate
        unchanged."""
        if getattr(self.actor, "version", None) is not None:
            # the logged-in user as stored now (roles, areas, 停用): one
            # primary-key query, in its own short session so the action's
            # transaction starts untouched (a report sets its isolation
            # level first); see services.access.permissions
            from gridadmin.services.access.permissions import refresh_actor

            with self.sessionmaker() as check:
                self.actor = refresh_actor(check, self.actor)
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except DBAPIError as exc:
            _quiet_rollback(session)
            from gridadmin.services.common.errors import describe_db_error

            mapped = describe_db_error(exc)
            if mapped is None and isinstance(exc, IntegrityError):
                from gridadmin.services.common.identities import describe_integrity_error

                mapped = describe_integrity_error(exc, self.engine)
            if mapped is None:
                raise
            raise mapped from exc
        except BaseException:
            _quiet_rollback(session)
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
        release_open_marker(self.engine)

    @property
    def display_location(self) -> str:
        """A human-readable location (file path, or URL without password)."""
        path = sqlite_path(self.url)
        if path is not None:
            return str(path)
        return make_url(self.url).render_as_string(hide_password=True)


def _quiet_rollback(session: Session) -> None:
    """Roll back; a rollback that fails because the connection is gone is
    ignored (the server rolls back a transaction whose connection died)."""
    try:
        session.rollback()
    except DBAPIError:
        pass


# The newest migration's revision id. Opening an up-to-date database only
# compares against this, so Alembic is imported only when there is work to
# do (it costs a noticeable part of start-up). A test keeps it equal to the
# head of gridadmin/migrations/versions.
SCHEMA_HEAD = "0026"


def stamped_revision(engine: Engine) -> str | None:
    """The revision stamped in the database (None for an empty database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def open_database(url: str | None = None, *, upgrade: bool = True, confirm_upgrade: bool = False) -> Database:
    """Open (and by default create or upgrade) the database at ``url``.

    Raises ``DatabaseVersionError`` when the database is newer than this
    program's migrations. With ``confirm_upgrade`` an older (stamped)
    database is not touched: ``DatabaseUpgradeNeeded`` is raised so the
    caller can back it up and ask first (an empty database is still
    created).

    An SQLite file is checked (``PRAGMA quick_check``, which reads the
    whole file: 0.85 s for a county's 490 MB) only when it matters: when a
    program that had it open did not close it (``unclean_shutdown``), or
    when the header does not match the file's size (a truncated copy). A
    failed check raises ``DatabaseCorruptError`` before anything else
    touches the file. Other damage is found by the check after the window
    is shown and before the daily backup, or on demand
    (``services.maintenance.integrity``).
    """
    resolved = resolve_url(url)
    engine = make_engine(resolved)
    path = sqlite_path(resolved)
    if path is not None and path.exists() and path.stat().st_size > 0:
        if unclean_shutdown(path) or not header_matches_size(path):
            problem = sqlite_problem(engine)
            if problem is not None:
                engine.dispose()
                raise DatabaseCorruptError(path, problem)
        clear_stale_markers(path)
    if path is not None:
        hold_open_marker(engine, path)
    try:
        current = stamped_revision(engine)
    except BaseException as exc:
        engine.dispose()
        release_open_marker(engine)
        refused = unavailable(resolved, exc) if isinstance(exc, DBAPIError) else None
        if refused is not None:
            raise refused from None
        raise
    if current != SCHEMA_HEAD:
        from gridadmin.migrations import upgrade_to_head

        if current is not None and not _is_known_revision(current):
            engine.dispose()
            release_open_marker(engine)
            raise DatabaseVersionError(
                f"该数据库由更新版本的网格中心管理系统创建（版本 {current}），请先升级本程序。"
            )
        if current is not None and confirm_upgrade:
            engine.dispose()
            release_open_marker(engine)
            raise DatabaseUpgradeNeeded(resolved, current, SCHEMA_HEAD)
        if upgrade:
            upgrade_to_head(engine)
    from gridadmin.services.common.lengths import install_length_checks

    maker = sessionmaker(engine, expire_on_commit=False)
    install_length_checks(maker)  # a text longer than its column: a Chinese refusal naming the field
    return Database(resolved, engine, maker)


def sqlite_problem(engine: Engine) -> str | None:
    """What is wrong with an SQLite file (``PRAGMA quick_check``: the pages
    and structure; not the slower index contents check of
    ``integrity_check``), or None when it is sound. The check reads without
    the memory map, so reading the whole file does not leave it mapped into
    the program's memory."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA mmap_size=0")
            try:
                rows = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
            finally:
                conn.exec_driver_sql(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    except DBAPIError as exc:
        return str(exc.orig)
    return None if rows == ["ok"] else "；".join(str(r) for r in rows[:3])



def _is_known_revision(revision: str) -> bool:
    from gridadmin.migrations import known_revisions

    return revision in known_revisions()


def has_schema(engine: Engine) -> bool:
    """True when the database already holds GridAdmin tables."""
    return inspect(engine).has_table("area")
