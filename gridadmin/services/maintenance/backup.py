"""Backups of an SQLite database: online backup (SQLite's backup API, safe
while the app runs, never a file copy of a live database), verification,
restore and rotation (keep 7 daily, 4 weekly and 12 monthly backups).

A restore verifies the backup first (integrity check, GridAdmin schema,
not newer than this program) and backs up the current database before
replacing anything. PostgreSQL databases are backed up on the server.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.settings import DEFAULT_SAFETY_KEEP

BACKUP_SUFFIX = ".gadb"
SAFETY_PREFIX = "恢复前-"
_SAFETY = re.compile("^" + SAFETY_PREFIX + r"(\d{8})-(\d{6})(?:-\d+)?" + re.escape(BACKUP_SUFFIX) + "$")
_DAILY = re.compile(r"^gridadmin-(\d{8})-(\d{6})" + re.escape(BACKUP_SUFFIX) + "$")
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12


@dataclass(frozen=True)
class BackupCheck:
    """What verifying a backup found: ``ok`` and a Chinese ``message``."""

    ok: bool
    message: str
    revision: str | None = None
    township: str | None = None
    township_code: str | None = None


def _online_copy(source: Path, target: Path) -> None:
    """Copy the SQLite file ``source`` (opened read-only, may be live) into
    ``target`` with SQLite's online backup API."""
    from gridadmin.db import create_private_file

    create_private_file(Path(target))  # a new file: its owner's only
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def backup_sqlite(source: Path, target: Path) -> BackupCheck:
    """Copy the live database ``source`` to ``target`` with SQLite's online
    backup API, then verify the copy. Raises ``ValidationError`` when the
    source cannot be read or the copy does not verify (the copy is removed)."""
    source, target = Path(source), Path(target)
    if not source.exists():
        raise ValidationError(f"找不到数据库文件“{source}”。", field="数据库", value=str(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        try:
            _create_private(partial)
            _online_copy(source, partial)
            _self_contained(partial)
        except (sqlite3.Error, OSError) as exc:
            _remove_sqlite_file(partial)
            raise ValidationError(f"备份失败：{exc}", field="数据库", value=str(source)) from exc
        check = verify_backup(partial)
        if not check.ok:
            _remove_sqlite_file(partial)
            raise ValidationError(f"备份文件校验未通过：{check.message}", field="备份", value=str(target))
        partial.replace(target)
    finally:
        for suffix in ("-wal", "-shm", "-journal"):  # never left beside the backup, whatever happened
            Path(str(partial) + suffix).unlink(missing_ok=True)
    return check


def _self_contained(path: Path) -> None:
    """Make a copy of a WAL database one file (rollback journal mode): a
    copy keeps its source's WAL mode, and reading it (``verify_backup``,
    read-only) would leave ``-wal``/``-shm`` files beside it."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def verify_backup(path: Path) -> BackupCheck:
    """Check a backup file without changing it: readable SQLite, integrity
    check passes, and a complete GridAdmin database of a revision this
    program knows: every table of that revision, as a table, with every
    column. Whatever else the file holds (triggers, views, extra tables or
    columns) is never restored (``restore_sqlite`` rebuilds the schema)."""
    from gridadmin.migrations import known_revisions

    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return BackupCheck(False, f"文件“{path.name}”不存在或为空。")
    try:
        conn = _read_only(path)
        try:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if integrity != "ok":
                return BackupCheck(False, f"文件“{path.name}”已损坏（完整性检查：{integrity}）。")
            tables = _tables(conn, "main")
            if not {"alembic_version", "area", "setting"} <= set(tables):
                return BackupCheck(False, f"文件“{path.name}”不是网格中心管理系统的数据库。")
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = revision[0] if revision else None
            if revision is None or revision not in known_revisions():
                return BackupCheck(False, f"文件“{path.name}”来自更新版本或未知版本的程序（数据版本 {revision or '无'}），"
                                   "本程序不认识这个版本，不能使用；请先升级本程序。", revision)
            missing = _missing_schema(tables, expected_schema(revision))
            if missing:
                return BackupCheck(False, f"文件“{path.name}”不是完整的网格中心管理系统数据库（数据版本 {revision}）：{missing}。",
                                   revision)
            township = dict(conn.execute("SELECT key, value FROM setting WHERE key IN ('township_code', 'township_name')")
                            .fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return BackupCheck(False, f"文件“{path.name}”不是有效的数据库文件（{exc}）。")
    name = township.get("township_name")
    return BackupCheck(True, f"备份有效（{name or '未设置乡镇'}，数据版本 {revision}）。", revision, name,
                       township.get("township_code"))


def _read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection that runs none of the file's own SQL
    functions in views or triggers (``trusted_schema`` off)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.execute("PRAGMA trusted_schema=OFF")
    return conn


def _tables(conn: sqlite3.Connection, schema: str) -> dict[str, set[str]]:
    """The real tables (not views) of ``schema`` and their columns."""
    names = [r[0] for r in conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite%'")]
    return {name: {r[1] for r in conn.execute(f'PRAGMA {schema}.table_info("{_quoted(name)}")')} for name in names}


def _quoted(name: str) -> str:
    return name.replace('"', '""')


def _missing_schema(tables: dict[str, set[str]], expected: dict[str, set[str]]) -> str | None:
    """What a file lacks of the schema ``expected`` (Chinese), or None."""
    absent = sorted(set(expected) - set(tables))
    if absent:
        shown = "、".join(absent[:5]) + (f" 等 {len(absent)} 个" if len(absent) > 5 else "")
        return f"缺少数据表 {shown}"
    for table in sorted(expected):
        lacking = sorted(expected[table] - tables[table])
        if lacking:
            return f"数据表 {table} 缺少列 {'、'.join(lacking[:5])}"
    return None


@lru_cache(maxsize=None)
def _schema_file(revision: str) -> Path:
    """An empty SQLite database built by the migrations up to ``revision``
    (in a private temporary folder, kept for this process)."""
    import atexit
    import tempfile

    from sqlalchemy import create_engine

    from gridadmin.migrations import upgrade_to

    folder = Path(tempfile.mkdtemp(prefix="gridadmin-schema-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / f"schema-{revision}.db"
    engine = create_engine(f"sqlite:///{path.as_posix()}")
    try:
        upgrade_to(engine, revision)
    finally:
        engine.dispose()
    return path


@lru_cache(maxsize=None)
def _expected(revision: str) -> tuple[tuple[str, frozenset[str]], ...]:
    conn = _read_only(_schema_file(revision))
    try:
        return tuple((t, frozenset(c)) for t, c in sorted(_tables(conn, "main").items()))
    finally:
        conn.close()


def expected_schema(revision: str) -> dict[str, set[str]]:
    """GridAdmin's own tables at ``revision`` and their columns, as the
    migrations build them."""
    return {table: set(columns) for table, columns in _expected(revision)}


class OtherTownshipError(ValidationError):
    """The backup belongs to another township than the database it would
    replace; restore again with ``confirm_township`` once the user agreed."""


def township_of_file(path: Path) -> tuple[str | None, str | None] | None:
    """``(code, name)`` of the township an SQLite database file was set up
    for, or None when the file is missing or unreadable."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = _read_only(path)
        try:
            rows = dict(conn.execute("SELECT key, value FROM setting WHERE key IN ('township_code', 'township_name')")
                        .fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return rows.get("township_code"), rows.get("township_name")


def other_township(check: BackupCheck, database: Path) -> str | None:
    """The Chinese warning when the verified backup ``check`` belongs to
    another township than ``database`` holds (None when the same, or when
    either does not say)."""
    current = township_of_file(database)
    if current is None or not current[0] or not check.township_code or current[0] == check.township_code:
        return None
    return (f"备份属于“{check.township or check.township_code}”（{check.township_code}），"
            f"当前数据库属于“{current[1] or current[0]}”（{current[0]}）。")


def restore_sqlite(backup: Path, database: Path, safety_dir: Path, *, confirm_township: bool = False,
                   keep_safety: int = DEFAULT_SAFETY_KEEP) -> Path | None:
    """Replace ``database`` with the data of ``backup``.

    Verifies the backup first (``ValidationError`` with the reason, nothing
    changed); a backup of another township than ``database`` holds raises
    ``OtherTownshipError`` unless ``confirm_township``. Then saves the
    current database into ``safety_dir`` and rebuilds the database from
    GridAdmin's own schema with the backup's table data
    (``rebuild_from_backup``). Returns the safety copy's path (None when
    there was no database yet); the safety copies in ``safety_dir`` beyond
    the newest ``keep_safety`` are deleted (``rotate_safety_copies``). All
    connections to ``database`` must be closed by the caller."""
    check = verify_backup(backup)
    if not check.ok:
        raise ValidationError(f"不能恢复：{check.message}", field="备份", value=str(backup))
    database = Path(database)
    warning = other_township(check, database)
    if warning and not confirm_township:
        raise OtherTownshipError(f"不能恢复：{warning}确认要用其他乡镇/街道的备份替换当前数据库时，"
                                 "命令行请加 --confirm-township。", field="备份", value=str(backup))
    rebuilt = database.with_name(database.name + ".restore.part")
    rebuild_from_backup(backup, check.revision, rebuilt)
    try:
        safety = None
        if database.exists() and database.stat().st_size > 0:
            safety = _new_safety_path(Path(safety_dir))
            backup_sqlite(database, safety)
        _online_copy(rebuilt, database)
    finally:
        _remove_sqlite_file(rebuilt)
    if safety is not None:
        rotate_safety_copies(Path(safety_dir), keep_safety)
    return safety


def _new_safety_path(folder: Path) -> Path:
    stamp = f"{SAFETY_PREFIX}{datetime.now():%Y%m%d-%H%M%S}"
    path, n = folder / f"{stamp}{BACKUP_SUFFIX}", 1
    while path.exists():  # two restores in one second
        n += 1
        path = folder / f"{stamp}-{n}{BACKUP_SUFFIX}"
    return path


def rotate_safety_copies(folder: Path, keep: int = DEFAULT_SAFETY_KEEP) -> list[Path]:
    """Delete the safety copies (恢复前-YYYYMMDD-HHMMSS.gadb) in ``folder``
    beyond the newest ``keep`` (by the time in their names); other backups
    are never touched. Returns the deleted paths."""
    found = []
    for path in Path(folder).glob(f"{SAFETY_PREFIX}*{BACKUP_SUFFIX}"):
        m = _SAFETY.match(path.name)
        if m:
            suffix = path.stem.rsplit("-", 1)[-1] if path.stem.count("-") == 3 else "1"
            found.append((m[1] + m[2], int(suffix), path))
    found.sort(reverse=True)
    removed = [path for *_key, path in found[max(keep, 1):]]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def rebuild_from_backup(backup: Path, revision: str, target: Path) -> None:
    """Write into ``target`` (a new file) a database built by GridAdmin's
    migrations up to ``revision`` holding the table data of ``backup``:
    only GridAdmin's tables and columns are copied, so triggers, views,
    indexes or tables the file brought along are not; the database's own
    triggers are off while copying and back afterwards. Then upgraded to
    this program's schema and the stored counts recounted. Dangling
    references refuse the backup (``ValidationError``, ``target`` removed)."""
    from gridadmin.db import open_database

    target = Path(target)
    _remove_sqlite_file(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _create_private(target)
    try:
        shutil.copyfile(_schema_file(revision), target)
        conn = sqlite3.connect(f"file:{target.resolve().as_posix()}", uri=True, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys=OFF")
            conn.execute("PRAGMA trusted_schema=OFF")
            triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
            conn.execute("ATTACH DATABASE ? AS bk", (f"file:{Path(backup).resolve().as_posix()}?mode=ro",))
            conn.execute("BEGIN")
            for name, _sql in triggers:
                conn.execute(f'DROP TRIGGER "{_quoted(name)}"')
            for table, columns in sorted(_tables(conn, "main").items()):
                if table == "alembic_version":
                    continue  # stamped by the migrations: ``revision``
                names = ", ".join(f'"{_quoted(c)}"' for c in sorted(columns))
                conn.execute(f'INSERT INTO main."{_quoted(table)}" ({names}) SELECT {names} FROM bk."{_quoted(table)}"')
            for _name, sql in triggers:
                conn.execute(sql)
            dangling = conn.execute("PRAGMA main.foreign_key_check").fetchmany(3)
            if dangling:
                conn.execute("ROLLBACK")
                where = "、".join(f"{row[0]}（第 {row[1]} 行引用 {row[2]}）" for row in dangling)
                raise ValidationError(f"不能恢复：备份中的数据互相引用不完整：{where}。该文件不是本程序写出的完整备份。",
                                      field="备份", value=str(backup))
            conn.execute("COMMIT")
            conn.execute("DETACH DATABASE bk")
        finally:
            conn.close()
        restored = open_database(str(target))  # upgrades an older revision to this program's
        try:
            from gridadmin.services.register.tallies import recount

            with restored.session() as session:
                recount(session)
        finally:
            restored.dispose()
    except BaseException:
        _remove_sqlite_file(target)
        raise


def _create_private(path: Path) -> None:
    """Create ``path`` new and empty, readable by its owner only (see
    ``gridadmin.db.create_private_file``)."""
    from gridadmin.db import create_private_file

    Path(path).unlink(missing_ok=True)
    create_private_file(Path(path))


def _remove_sqlite_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def daily_backup(database: Path, backup_dir: Path, now: datetime | None = None) -> Path | None:
    """The automatic backup at start: one per day (None when today's exists),
    then rotation. Returns the new backup's path."""
    now = now or datetime.now()
    backup_dir = Path(backup_dir)
    backup_dir.mkdir(parents=True, exist_ok=True)
    if not backup_due(backup_dir, now):
        return None
    target = backup_dir / f"gridadmin-{now:%Y%m%d-%H%M%S}{BACKUP_SUFFIX}"
    backup_sqlite(database, target)
    rotate_backups(backup_dir)
    return target


def backup_due(backup_dir: Path, now: datetime | None = None) -> bool:
    """True when ``backup_dir`` holds no automatic backup of today."""
    today = (now or datetime.now()).date()
    return not any(d == today for d, _ in _dated_backups(Path(backup_dir)))


def rotate_backups(backup_dir: Path) -> list[Path]:
    """Delete automatic backups beyond 7 daily, 4 weekly and 12 monthly
    (the newest of each day, ISO week and month is the one kept); manual
    and safety backups are never touched. Returns the deleted paths."""
    dated = sorted(_dated_backups(Path(backup_dir)), reverse=True)
    keep: set[Path] = set()
    for key, limit in ((lambda d: d, KEEP_DAILY), (lambda d: d.isocalendar()[:2], KEEP_WEEKLY),
                       (lambda d: (d.year, d.month), KEEP_MONTHLY)):
        seen: list = []
        for day, path in dated:
            k = key(day)
            if k not in seen:
                seen.append(k)
                if len(seen) > limit:
                    break
                keep.add(path)
    removed = [path for _, path in dated if path not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _dated_backups(backup_dir: Path) -> list[tuple[date, Path]]:
    found = []
    for path in backup_dir.glob(f"gridadmin-*{BACKUP_SUFFIX}"):
        match = _DAILY.match(path.name)
        if match:
            found.append((datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S").date(), path))
    return found


def backup_database(db, target: Path) -> BackupCheck:
    """Back up the open SQLite database ``db`` to ``target`` as the acting
    user (administrators only); recorded in the audit trail."""
    from gridadmin.db import sqlite_path
    from gridadmin.services.access import audit
    from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting, require

    path = sqlite_path(db.url)
    if path is None:
        raise ValidationError("PostgreSQL 数据库请由服务器管理员用 pg_dump 备份。", field="数据库", value=db.display_location)
    with db.session() as session:
        require(session, acting(db), MANAGE_SETTINGS)
    check = backup_sqlite(path, Path(target))
    with db.session() as session:
        audit.record(session, acting(db), audit.ACTION_BACKUP, "database", None, summary=f"备份到 {Path(target).name}")
    return check


def restore_database(db, backup: Path, safety_dir: Path, *, confirm_township: bool = False) -> Path | None:
    """Restore the open SQLite database ``db`` from ``backup`` (administrators
    only; see ``restore_sqlite``: another township needs
    ``confirm_township``). Closes the database's connections first; the
    caller reopens its windows afterwards. Returns the safety copy of the
    replaced database (the older ones beyond the 恢复前副本保留份数 setting are
    deleted). The restore is recorded in the restored database."""
    from gridadmin.db import sqlite_path
    from gridadmin.services.common.settings import safety_keep
    from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting, require

    path = sqlite_path(db.url)
    if path is None:
        raise ValidationError("PostgreSQL 数据库请由服务器管理员恢复。", field="数据库", value=db.display_location)
    with db.session() as session:
        require(session, acting(db), MANAGE_SETTINGS)
    keep = safety_keep(db)
    db.engine.dispose()
    safety = restore_sqlite(Path(backup), path, Path(safety_dir), confirm_township=confirm_township, keep_safety=keep)
    record_restore(db, Path(backup))
    return safety


def record_restore(db, backup: Path) -> None:
    """The audit row of a restore, written into the restored database as
    ``acting(db)`` (without a user id when that user is not the same one
    in the restored data)."""
    from sqlalchemy import select

    from gridadmin.models import User
    from gridadmin.services.access import audit
    from gridadmin.services.access.permissions import Actor, acting

    actor = acting(db)
    with db.session() as session:
        if actor.user_id is not None and session.scalar(select(User.username).where(User.id == actor.user_id)) \
                != actor.username:
            actor = Actor(None, actor.username, actor.display_name, actor.roles, actor.scope)
        audit.record(session, actor, audit.ACTION_RESTORE, "database", None, summary=f"从 {Path(backup).name} 恢复")


def list_backups(backup_dir: Path) -> list[tuple[Path, int, datetime]]:
    """Backups in a folder, newest first: (path, bytes, modified)."""
    folder = Path(backup_dir)
    if not folder.exists():
        return []
    found = [(p, p.stat().st_size, datetime.fromtimestamp(p.stat().st_mtime))
             for p in folder.glob(f"*{BACKUP_SUFFIX}")]
    return sorted(found, key=lambda item: item[2], reverse=True)


def pg_dump_advice(url: str) -> str:
    """What the administrator runs to back up a PostgreSQL database before
    an upgrade (Chinese; the password is never shown)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    host = f" -h {parsed.host}" if parsed.host else ""
    port = f" -p {parsed.port}" if parsed.port else ""
    user = f" -U {parsed.username}" if parsed.username else ""
    return (f"请先由服务器管理员用 pg_dump 备份数据库“{parsed.database}”，例如：\n"
            f"pg_dump{host}{port}{user} -Fc -f gridadmin-升级前.dump {parsed.database}\n"
            "确认备份完成后再升级。")


@dataclass(frozen=True)
class UpgradeResult:
    """An upgraded database: the revisions before and after, and the
    backup made first (None for PostgreSQL, backed up with pg_dump)."""

    old_revision: str | None
    new_revision: str
    backup: Path | None


def upgrade_with_backup(url: str, backup_dir: Path, *, now: datetime | None = None) -> UpgradeResult:
    """Upgrade an older database to this program's schema, SQLite after an
    online backup into ``backup_dir`` (``升级前-<版本>-<时间>.gadb``, verified;
    ``ValidationError`` and nothing upgraded when it fails). For PostgreSQL
    the caller has had the administrator confirm a pg_dump backup
    (``pg_dump_advice``). The upgrade itself runs in one transaction.
    Raises ``DatabaseVersionError`` for a newer database."""
    from gridadmin.db import SCHEMA_HEAD, DatabaseVersionError, make_engine, resolve_url, sqlite_path, stamped_revision
    from gridadmin.migrations import known_revisions, upgrade_to_head

    resolved = resolve_url(url)
    engine = make_engine(resolved)
    try:
        current = stamped_revision(engine)
        if current is not None and current not in known_revisions():
            raise DatabaseVersionError(f"该数据库由更新版本的网格中心管理系统创建（版本 {current}），请先升级本程序。")
        if current == SCHEMA_HEAD:
            return UpgradeResult(current, current, None)
        made = None
        path = sqlite_path(resolved)
        if path is not None and current is not None:
            made = Path(backup_dir) / f"升级前-{current}-{(now or datetime.now()):%Y%m%d-%H%M%S}{BACKUP_SUFFIX}"
            backup_sqlite(path, made)
        upgrade_to_head(engine)
        return UpgradeResult(current, SCHEMA_HEAD, made)
    finally:
        engine.dispose()


def newest_verified_backup(backup_dir: Path) -> tuple[Path, BackupCheck] | None:
    """The newest backup in ``backup_dir`` that passes ``verify_backup``
    (damaged or foreign files are skipped), or None."""
    for path, _size, _modified in list_backups(backup_dir):
        check = verify_backup(path)
        if check.ok:
            return path, check
    return None


def restore_damaged(database: Path, backup: Path, backup_dir: Path, *, now: datetime | None = None) -> Path:
    """Replace a damaged SQLite file with ``backup`` (verified first:
    ``ValidationError``, nothing changed, when it fails). The damaged file
    and its -wal/-shm are not deleted but moved into ``backup_dir`` as
    ``损坏-<时间>-<name>`` for support; returns that path. No connection
    to ``database`` may be open."""
    check = verify_backup(backup)
    if not check.ok:
        raise ValidationError(f"不能恢复：{check.message}", field="备份", value=str(backup))
    database = Path(database)
    kept = Path(backup_dir) / f"损坏-{(now or datetime.now()):%Y%m%d-%H%M%S}-{database.name}"
    kept.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        part = Path(str(database) + suffix)
        if part.exists():
            shutil.move(str(part), str(kept) + suffix)
    partial = database.with_name(database.name + ".part")
    rebuild_from_backup(backup, check.revision, partial)
    partial.replace(database)
    return kept
