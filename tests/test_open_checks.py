"""Opening a database that needs care: an older schema is upgraded only
after a backup (app and ``python -m gridadmin upgrade``); a damaged SQLite
file is detected at open and restored from the newest verified backup."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic import command
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import text

from gridadmin.cli import main as cli_main
from gridadmin.db import (
    SCHEMA_HEAD, DatabaseCorruptError, DatabaseUpgradeNeeded, make_engine, open_database, resolve_url,
    stamped_revision,
)
from gridadmin.migrations import alembic_config
from gridadmin.services.maintenance.backup import (
    backup_sqlite, newest_verified_backup, restore_damaged, upgrade_with_backup, verify_backup,
)

OLD = "0005"


def make_old_database(url: str, revision: str = OLD) -> None:
    """A database migrated only up to ``revision``, holding one setting."""
    engine = make_engine(resolve_url(url))
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('township_name', '东关街道')"))
    engine.dispose()


def revision_of(url: str) -> str | None:
    engine = make_engine(resolve_url(url))
    try:
        return stamped_revision(engine)
    finally:
        engine.dispose()


def crash_while_open(path: Path) -> None:
    """A program opens ``path`` and dies without closing it (as a killed
    app or a power cut would): the next open checks the file."""
    import subprocess
    import sys

    code = "import os, sys\nfrom gridadmin.db import open_database\nopen_database(sys.argv[1])\nos._exit(1)\n"
    subprocess.run([sys.executable, "-c", code, str(path)], check=False, cwd=Path(__file__).resolve().parent.parent)


def damage(path: Path) -> None:
    """Overwrite the middle of the file with garbage (as a failing disk would)."""
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 3)
        f.write(os.urandom(size // 3))


def answer_boxes(replies: list[str], presses: dict | None = None) -> None:
    """Answer every message box that opens (Yes when it asks, else OK),
    appending each box's text to ``replies``; runs until the test ends
    (the conftest fixture stops it, so it never answers a later test's box)."""
    from tests.uihelpers import _POLLERS

    alive = [True]
    _POLLERS.append(alive)

    def poll() -> None:
        if not alive[0]:
            return
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible() and not widget.property("answered"):
                widget.setProperty("answered", True)
                replies.append(widget.text())
                button = widget.button(QMessageBox.StandardButton.Yes) or widget.button(QMessageBox.StandardButton.Ok)
                button.click()
        if len(replies) < 10:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)


# -- older schema ---------------------------------------------------------
def test_older_sqlite_is_not_touched_without_consent(tmp_path):
    path = tmp_path / "old.db"
    make_old_database(str(path))
    with pytest.raises(DatabaseUpgradeNeeded) as caught:
        open_database(str(path), confirm_upgrade=True)
    assert (caught.value.current, caught.value.head) == (OLD, SCHEMA_HEAD)
    assert "较早版本" in str(caught.value)
    assert revision_of(str(path)) == OLD


def test_upgrade_backs_up_first_then_upgrades(tmp_path):
    path, folder = tmp_path / "old.db", tmp_path / "backups"
    make_old_database(str(path))
    result = upgrade_with_backup(str(path), folder)
    assert (result.old_revision, result.new_revision) == (OLD, SCHEMA_HEAD)
    assert result.backup.parent == folder and result.backup.name.startswith(f"升级前-{OLD}-")
    check = verify_backup(result.backup)
    assert check.ok and check.revision == OLD and check.township == "东关街道"
    db = open_database(str(path), confirm_upgrade=True)
    with db.session() as s:
        assert s.execute(text("SELECT value FROM setting WHERE key = 'township_name'")).scalar() == "东关街道"
    db.dispose()
    assert upgrade_with_backup(str(path), folder).backup is None  # already current: nothing to do


def test_upgrade_command(tmp_path, capsys):
    path, folder = tmp_path / "old.db", tmp_path / "bk"
    make_old_database(str(path))
    assert cli_main(["upgrade", "--db", str(path), "--backup-dir", str(folder)]) == 2  # who upgrades?
    assert "--as-system" in capsys.readouterr().err and revision_of(str(path)) == OLD
    assert cli_main(["upgrade", "--db", str(path), "--backup-dir", str(folder), "--as-system"]) == 0
    out = capsys.readouterr().out
    assert f"已从版本 {OLD} 升级到 {SCHEMA_HEAD}" in out and "升级前的备份" in out
    assert revision_of(str(path)) == SCHEMA_HEAD and len(list(folder.glob("升级前-*.gadb"))) == 1
    assert cli_main(["upgrade", "--db", str(path), "--backup-dir", str(folder), "--as-system"]) == 0
    assert "无需升级" in capsys.readouterr().out


@pytest.mark.skipif(not os.environ.get("GRIDADMIN_TEST_DB"), reason="needs the PostgreSQL test server")
def test_upgrade_postgresql_needs_confirmed_pg_dump(capsys, cli_login):
    from tests.conftest import _empty_server_database

    url = os.environ["GRIDADMIN_TEST_DB"]
    _empty_server_database(url)
    make_old_database(url)
    with pytest.raises(DatabaseUpgradeNeeded):
        open_database(url, confirm_upgrade=True)
    login = cli_login(url)  # an administrator of the older database
    assert cli_main(["upgrade", "--db", url, *login]) == 2
    assert "pg_dump" in capsys.readouterr().err and revision_of(url) == OLD
    assert cli_main(["upgrade", "--db", url, "--yes", "--as-system"]) == 2  # not for a server database
    assert "PostgreSQL" in capsys.readouterr().err and revision_of(url) == OLD
    assert cli_main(["upgrade", "--db", url, "--yes", *login]) == 0
    assert revision_of(url) == SCHEMA_HEAD


def test_app_offers_upgrade_after_backup(qapp, tmp_path):
    from gridadmin.paths import data_dir
    from gridadmin.ui.shell.start_dialog import try_open

    path = tmp_path / "old.db"
    make_old_database(str(path))
    replies: list[str] = []
    answer_boxes(replies)
    db = try_open(str(path), None)
    assert db is not None
    db.dispose()
    assert "较早版本" in replies[0] and "备份" in replies[0]
    assert f"已从版本 {OLD} 升级到 {SCHEMA_HEAD}" in replies[1]
    assert revision_of(str(path)) == SCHEMA_HEAD
    assert len(list((data_dir() / "backups").glob(f"升级前-{OLD}-*.gadb"))) == 1


# -- damaged SQLite file -------------------------------------------------
def _demo_with_backup(tmp_path) -> tuple[Path, Path]:
    from gridadmin.services.demo import create_demo_database

    path, folder = tmp_path / "town.db", tmp_path / "backups"
    create_demo_database(path, "small")
    backup_sqlite(path, folder / "gridadmin-20261126-080000.gadb")
    return path, folder


def test_damaged_file_is_detected_at_open_after_an_unclean_shutdown(tmp_path):
    path, _folder = _demo_with_backup(tmp_path)
    crash_while_open(path)
    damage(path)
    with pytest.raises(DatabaseCorruptError) as caught:
        open_database(str(path))
    assert "已损坏" in str(caught.value) and caught.value.path == path


def test_truncated_file_is_detected_at_open(tmp_path):
    path, _folder = _demo_with_backup(tmp_path)
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 2)
    with pytest.raises(DatabaseCorruptError):
        open_database(str(path))


def test_restore_damaged_from_newest_verified_backup(tmp_path):
    path, folder = _demo_with_backup(tmp_path)
    (folder / "gridadmin-20261127-080000.gadb").write_bytes(b"not a database" * 100)  # newer, but bad
    damage(path)
    found = newest_verified_backup(folder)
    assert found is not None and found[0].name == "gridadmin-20261126-080000.gadb"
    kept = restore_damaged(path, found[0], folder)
    assert kept.exists() and kept.parent == folder and kept.name.startswith("损坏-")
    db = open_database(str(path))
    with db.session() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert s.execute(text("SELECT count(*) FROM person")).scalar() > 0
    db.dispose()


def test_app_offers_restore_of_damaged_file(qapp, tmp_path, monkeypatch):
    from gridadmin.ui.shell import start_dialog
    path, folder = _demo_with_backup(tmp_path)
    monkeypatch.setattr(start_dialog, "backup_folder", lambda: folder)
    crash_while_open(path)
    damage(path)
    replies: list[str] = []
    answer_boxes(replies)
    db = start_dialog.try_open(str(path), None)
    assert db is not None
    db.dispose()
    assert "已损坏" in replies[0] and "gridadmin-20261126-080000.gadb" in replies[0] and "恢复" in replies[0]
    assert "已从 gridadmin-20261126-080000.gadb 恢复" in replies[1]
    assert len(list(folder.glob("损坏-*"))) == 1


def test_app_without_backup_says_so(qapp, tmp_path, monkeypatch):
    from gridadmin.ui.shell import start_dialog
    path, folder = _demo_with_backup(tmp_path)
    monkeypatch.setattr(start_dialog, "backup_folder", lambda: tmp_path / "empty")
    crash_while_open(path)
    damage(path)
    replies: list[str] = []
    answer_boxes(replies)
    assert start_dialog.try_open(str(path), None) is None
    assert "没有找到可用的备份" in replies[0]
    assert path.exists()  # the damaged file is left for support


def test_commands_explain_a_damaged_file(tmp_path, capsys):
    path, _folder = _demo_with_backup(tmp_path)
    crash_while_open(path)
    damage(path)
    assert cli_main(["init", "--db", str(path), "--township", "411302001"]) == 3
    err = capsys.readouterr().err
    assert "已损坏" in err and "restore" in err


def test_cli_commands_do_not_upgrade_an_older_database_silently(tmp_path, capsys):
    """Only ``upgrade`` (which backs up first) changes an older database;
    the other commands stop and name it."""
    from gridadmin.cli import main

    path = tmp_path / "old.db"
    make_old_database(str(path))
    assert main(["report", "monthly", "--db", str(path), "--month", "2026-01", "--out",
                 str(tmp_path / "m.pdf")]) == 2
    assert "python -m gridadmin upgrade" in capsys.readouterr().err
    assert revision_of(str(path)) == OLD
