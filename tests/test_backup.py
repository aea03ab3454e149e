"""Backups: online backup while the app has the database open, verification,
restore with a safety copy, rotation."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta

import pytest

from gridadmin.db import open_database, sqlite_path
from gridadmin.services.areas import tree as areas
from gridadmin.services.maintenance.backup import (
    BACKUP_SUFFIX, backup_sqlite, daily_backup, restore_sqlite, rotate_backups, verify_backup,
)
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.areas.setup import init_township

pytestmark = pytest.mark.skipif(bool(os.environ.get("GRIDADMIN_TEST_DB")), reason="SQLite backups")


@pytest.fixture
def live(tmp_path):
    db = open_database(str(tmp_path / "live.db"))
    init_township(db, "411302001")
    yield db
    db.dispose()


def _names(db):
    return {n.name for n in areas.load_tree(db)}


def test_backup_of_open_database_verifies_and_restores(live, tmp_path):
    path = sqlite_path(live.url)
    target = tmp_path / "b" / f"manual{BACKUP_SUFFIX}"
    check = backup_sqlite(path, target)
    assert check.ok and check.township == "东关街道" and "备份有效" in check.message
    community = next(n for n in areas.load_tree(live) if n.name == "河街社区")
    areas.add_area(live, community.id, areas.AreaInput(name="备份后新增网格"))
    assert "备份后新增网格" in _names(live)
    live.dispose()
    safety = restore_sqlite(target, path, tmp_path / "safety")
    reopened = open_database(str(path))
    assert "备份后新增网格" not in _names(reopened)
    assert verify_backup(safety).ok  # the state before the restore was kept
    reopened.dispose()
    kept = open_database(str(tmp_path / "safety" / safety.name))
    assert "备份后新增网格" in _names(kept)
    kept.dispose()


@pytest.mark.parametrize("content, message", [
    (b"", "不存在或为空"),
    (os.urandom(4096), "不是有效的数据库文件"),
])
def test_bad_backup_files_are_refused_and_nothing_changes(live, tmp_path, content, message):
    bad = tmp_path / f"bad{BACKUP_SUFFIX}"
    bad.write_bytes(content)
    before = _names(live)
    live.dispose()
    with pytest.raises(ValidationError, match=message):
        restore_sqlite(bad, sqlite_path(live.url), tmp_path / "safety")
    reopened = open_database(live.url)
    assert _names(reopened) == before
    assert not (tmp_path / "safety").exists()
    reopened.dispose()


def test_foreign_and_newer_databases_are_refused(tmp_path, live):
    other = tmp_path / f"other{BACKUP_SUFFIX}"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.commit()
    assert "不是网格中心管理系统的数据库" in verify_backup(other).message
    newer = tmp_path / f"newer{BACKUP_SUFFIX}"
    backup_sqlite(sqlite_path(live.url), newer)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    check = verify_backup(newer)
    assert not check.ok and "更新版本" in check.message


def test_daily_backup_once_a_day_and_rotation(live, tmp_path):
    backups = tmp_path / "backups"
    path = sqlite_path(live.url)
    first = daily_backup(path, backups, now=datetime(2026, 3, 1, 9, 0))
    assert first is not None and daily_backup(path, backups, now=datetime(2026, 3, 1, 17, 0)) is None
    start = datetime(2026, 3, 1, 8, 0) - timedelta(days=500)
    for day in range(500):  # fake a long history of daily backups
        (backups / f"gridadmin-{start + timedelta(days=day):%Y%m%d-%H%M%S}{BACKUP_SUFFIX}").write_bytes(b"x")
    manual = backups / f"手动备份{BACKUP_SUFFIX}"
    manual.write_bytes(b"x")
    rotate_backups(backups)
    left = sorted(p.name for p in backups.glob(f"gridadmin-*{BACKUP_SUFFIX}"))
    assert len(left) <= 7 + 4 + 12 and len(left) >= 12
    assert manual.exists() and first.exists()
    newest_fake = start + timedelta(days=499)
    assert f"gridadmin-{newest_fake:%Y%m%d-%H%M%S}{BACKUP_SUFFIX}" in left
    months = {name[10:16] for name in left}
    assert len(months) == 12  # one kept per month for a year


def test_backup_and_restore_commands(live, tmp_path, cli_login):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    path = sqlite_path(live.url)
    out = tmp_path / f"cli{BACKUP_SUFFIX}"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "gridadmin", *args], cwd=root, capture_output=True, text=True,
                              encoding="utf-8")

    result = run("backup", "--db", str(path), "--out", str(out), "--as-system")
    assert result.returncode == 0 and "备份有效" in result.stdout
    assert run("verify-backup", str(out)).returncode == 0
    junk = tmp_path / f"junk{BACKUP_SUFFIX}"
    junk.write_bytes(b"not a database at all" * 100)
    bad = run("restore", "--db", str(path), "--from", str(junk), "--as-system")
    assert bad.returncode == 2 and "不能恢复" in bad.stderr
    live.dispose()
    good = run("restore", "--db", str(path), "--from", str(out), "--as-system")
    assert good.returncode == 0 and "恢复前的数据库已另存为" in good.stdout


def test_only_administrators_back_up_and_restore(live, tmp_path):
    from gridadmin.services.access.permissions import PermissionDeniedError
    from gridadmin.services.maintenance.backup import backup_database, restore_database
    from gridadmin.services.access.users import authenticate, create_user

    create_user(live, "admin", "王管理", "wangge2026", ["admin"])
    admin = live.as_actor(authenticate(live, "admin", "wangge2026"))
    create_user(admin, "hr", "孙人事", "renshi2026", ["hr"])
    hr = live.as_actor(authenticate(live, "hr", "renshi2026"))
    target = tmp_path / f"x{BACKUP_SUFFIX}"
    with pytest.raises(PermissionDeniedError, match="无权修改系统设置和备份"):
        backup_database(hr, target)
    assert backup_database(admin, target).ok
    with pytest.raises(PermissionDeniedError):
        restore_database(hr, target, tmp_path / "safety")
