"""Checking an SQLite database file for damage when it matters, not at
every start (issue 21): on demand (系统设置 → 备份与恢复, ``python -m
gridadmin check-db``), and once a day in the background after the window
is shown, before the automatic backup. ``open_database`` itself checks
only after an unclean shutdown (``gridadmin.open_marker``)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gridadmin.db import DatabaseCorruptError, sqlite_path
from gridadmin.services.common.errors import ValidationError


@dataclass(frozen=True)
class IntegrityCheck:
    """What a check found: ``ok`` and a Chinese ``message`` (the damage and
    what to do, when not ok)."""

    ok: bool
    message: str


def damage_message(path: Path, detail: str) -> str:
    """The Chinese report of a damaged file: what SQLite found and what to do."""
    return (f"{DatabaseCorruptError(path, detail)}\n请在“系统设置 → 备份与恢复”中从最近一次有效的备份恢复，"
            "或联系技术支持；不要删除该文件。")


def file_problem(path: Path, pragma: str = "quick_check") -> str | None:
    """What ``PRAGMA quick_check`` / ``integrity_check`` finds wrong with the
    SQLite file ``path`` (read-only connection, no memory map), or None."""
    try:
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True, timeout=15)
        try:
            rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "；".join(str(r) for r in rows[:3])


def check_file(db, *, thorough: bool = False) -> IntegrityCheck:
    """Check the open SQLite database ``db`` (``quick_check``: pages and
    structure; ``thorough``: ``integrity_check``, which also compares every
    index with its table). Reads the whole file without mapping it into
    memory; other work goes on meanwhile (WAL). Uses a connection of its
    own, outside SQLAlchemy, so it may run in a background thread."""
    path = sqlite_path(db.url)
    if path is None:
        raise ValidationError("PostgreSQL 数据库的完整性由数据库服务器保证，请由服务器管理员检查。",
                              field="数据库", value=db.display_location)
    problem = file_problem(path, "integrity_check" if thorough else "quick_check")
    if problem is not None:
        return IntegrityCheck(False, damage_message(path, problem))
    return IntegrityCheck(True, f"数据库检查通过：文件“{path.name}”完整，没有发现损坏。")


def check_database(db) -> IntegrityCheck:
    """The on-demand check (administrators: the 修改系统设置和备份
    permission), thorough, recorded in the audit trail."""
    from gridadmin.services.access import audit
    from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting, require

    with db.session() as session:
        require(session, acting(db), MANAGE_SETTINGS)
    result = check_file(db, thorough=True)
    with db.session() as session:
        audit.record(session, acting(db), audit.ACTION_BACKUP, "database", None,
                     summary="检查数据库完整性：" + ("通过" if result.ok else "发现损坏"))
    return result


def daily_check_and_backup(db, backup_dir: Path, now: datetime | None = None) -> tuple[IntegrityCheck | None, Path | None]:
    """The background work after the window is shown: when today's
    automatic backup is still due, check the file first, then back it up
    (a damaged file is not backed up, so no damaged copy pushes a good one
    out of the rotation). Returns (the check, or None when nothing was due;
    the new backup, or None)."""
    from gridadmin.services.maintenance.backup import backup_due, daily_backup

    path = sqlite_path(db.url)
    if path is None or not backup_due(Path(backup_dir), now):
        return None, None
    check = check_file(db)
    if not check.ok:
        return check, None
    return check, daily_backup(path, Path(backup_dir), now)


def check_database_job(db):
    """``check_database`` as a job, for the window's progress dialog."""
    from gridadmin.services.common.progress import Progress

    yield Progress(0, 0, "正在检查数据库文件（大的数据库需要几秒钟）…")
    return check_database(db)
