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
from pathlib import Path

from gridadmin.services.common.errors import ValidationError

BACKUP_SUFFIX = ".gadb"
_DAILY = re.compile(r"^gridadmin-(\d{8})-(\d{6})" + re.escape(BACKUP_SUFFIX) + "$")
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12


@dataclass(frozen=True)
class BackupCheck:
    """What verifying a backup found: ``ok`` and a Chinese ``message``."""

    ok: bool
    message: str
    revision: str | None = None
    township: str | None = None


def _online_copy(source: Path, target: Path) -> None:
    """Copy the SQLite file ``source`` (opened read-only, may be live) into
    ``target`` with SQLite's online backup API."""
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
        _online_copy(source, partial)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise ValidationError(f"备份失败：{exc}", field="数据库", value=str(source)) from exc
    check = verify_backup(partial)
    if not check.ok:
        partial.unlink(missing_ok=True)
        raise ValidationError(f"备份文件校验未通过：{check.message}", field="备份", value=str(target))
    partial.replace(target)
    return check


def verify_backup(path: Path) -> BackupCheck:
    """Check a backup file without changing it: readable SQLite, integrity
    check passes, holds a GridAdmin schema this program can open."""
    from gridadmin.db import SCHEMA_HEAD

    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return BackupCheck(False, f"文件“{path.name}”不存在或为空。")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if integrity != "ok":
                return BackupCheck(False, f"文件“{path.name}”已损坏（完整性检查：{integrity}）。")
            if not {"alembic_version", "area", "setting"} <= tables:
                return BackupCheck(False, f"文件“{path.name}”不是网格中心管理系统的数据库。")
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            township = conn.execute("SELECT value FROM setting WHERE key = 'township_name'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return BackupCheck(False, f"文件“{path.name}”不是有效的数据库文件（{exc}）。")
    revision = revision[0] if revision else None
    if revision is None or revision > SCHEMA_HEAD:
        return BackupCheck(False, f"文件“{path.name}”来自更新版本的程序（版本 {revision}），请先升级本程序。", revision)
    name = township[0] if township else None
    return BackupCheck(True, f"备份有效（{name or '未设置乡镇'}，数据版本 {revision}）。", revision, name)


def restore_sqlite(backup: Path, database: Path, safety_dir: Path) -> Path | None:
    """Replace ``database`` with the contents of ``backup``.

    Verifies the backup first (``ValidationError`` with the reason, nothing
    changed), then saves the current database into ``safety_dir`` and
    returns that copy's path (None when there was no database yet). All
    connections to ``database`` must be closed by the caller."""
    check = verify_backup(backup)
    if not check.ok:
        raise ValidationError(f"不能恢复：{check.message}", field="备份", value=str(backup))
    database = Path(database)
    safety = None
    if database.exists() and database.stat().st_size > 0:
        safety = Path(safety_dir) / f"恢复前-{datetime.now():%Y%m%d-%H%M%S}{BACKUP_SUFFIX}"
        backup_sqlite(database, safety)
    _online_copy(backup, database)
    return safety


def daily_backup(database: Path, backup_dir: Path, now: datetime | None = None) -> Path | None:
    """The automatic backup at start: one per day (None when today's exists),
    then rotation. Returns the new backup's path."""
    now = now or datetime.now()
    backup_dir = Path(backup_dir)
    backup_dir.mkdir(parents=True, exist_ok=True)
    if any(d == now.date() for d, _ in _dated_backups(backup_dir)):
        return None
    target = backup_dir / f"gridadmin-{now:%Y%m%d-%H%M%S}{BACKUP_SUFFIX}"
    backup_sqlite(database, target)
    rotate_backups(backup_dir)
    return target


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
        audit.record(session, acting(db), "backup", "database", None, summary=f"备份到 {Path(target).name}")
    return check


def restore_database(db, backup: Path, safety_dir: Path) -> Path | None:
    """Restore the open SQLite database ``db`` from ``backup`` (administrators
    only). Closes the database's connections first; the caller reopens its
    windows afterwards. Returns the safety copy of the replaced database."""
    from gridadmin.db import sqlite_path
    from gridadmin.services.access import audit
    from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting, require

    path = sqlite_path(db.url)
    if path is None:
        raise ValidationError("PostgreSQL 数据库请由服务器管理员恢复。", field="数据库", value=db.display_location)
    with db.session() as session:
        require(session, acting(db), MANAGE_SETTINGS)
    db.engine.dispose()
    safety = restore_sqlite(Path(backup), path, Path(safety_dir))
    with db.session() as session:
        audit.record(session, acting(db), "restore", "database", None, summary=f"从 {Path(backup).name} 恢复")
    return safety


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
    _online_copy(backup, partial)
    partial.replace(database)
    return kept
