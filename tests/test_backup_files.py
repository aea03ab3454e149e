"""What a backup leaves in its folder: the backup alone (no ``.part-wal`` /
``.part-shm``), also after a failed one; safety copies made before restores
are rotated (the newest N kept, N the 恢复前副本保留份数 setting), and the
restore dialog and the command line say so."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gridadmin.db import sqlite_path
from gridadmin.services.access.users import authenticate, create_user
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.settings import DEFAULT_SAFETY_KEEP, safety_keep, save_general_settings
from gridadmin.services.maintenance.backup import (
    BACKUP_SUFFIX, backup_sqlite, restore_sqlite, rotate_safety_copies, verify_backup,
)
from tests.test_backup import live  # noqa: F401 - the live SQLite database fixture
from tests.uihelpers import answer_message_box, when_modal

pytestmark = pytest.mark.skipif(bool(os.environ.get("GRIDADMIN_TEST_DB")), reason="SQLite backups")
ROOT = Path(__file__).resolve().parent.parent


def test_backup_of_a_live_wal_database_leaves_the_backup_alone(live, tmp_path):
    path = sqlite_path(live.url)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # the live database: WAL
    folder = tmp_path / "out"
    target = folder / f"b{BACKUP_SUFFIX}"
    assert backup_sqlite(path, target).ok
    assert sorted(p.name for p in folder.iterdir()) == [target.name]
    assert verify_backup(target).ok  # reading it again leaves nothing either
    assert sorted(p.name for p in folder.iterdir()) == [target.name]


def test_a_failed_backup_leaves_nothing(tmp_path):
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:  # a WAL database that is not GridAdmin's: the copy does not verify
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
    folder = tmp_path / "out"
    with pytest.raises(ValidationError, match="备份文件校验未通过"):
        backup_sqlite(foreign, folder / f"b{BACKUP_SUFFIX}")
    assert list(folder.iterdir()) == []


def test_safety_copies_are_rotated(live, tmp_path):
    path = sqlite_path(live.url)
    backup = tmp_path / f"b{BACKUP_SUFFIX}"
    backup_sqlite(path, backup)
    safety_dir = tmp_path / "safety"
    safety_dir.mkdir()
    (safety_dir / f"gridadmin-20250101-080000{BACKUP_SUFFIX}").write_bytes(b"x")  # other backups stay
    (safety_dir / f"恢复前-20200101-080000{BACKUP_SUFFIX}").write_bytes(b"old")
    live.dispose()
    made = [restore_sqlite(backup, path, safety_dir, keep_safety=2) for _ in range(3)]
    left = sorted(p.name for p in safety_dir.iterdir())
    assert left == sorted([f"gridadmin-20250101-080000{BACKUP_SUFFIX}", made[1].name, made[2].name])
    assert not any(p.name.endswith(("-wal", "-shm")) for p in tmp_path.rglob("*"))
    assert rotate_safety_copies(safety_dir, 1) == [made[1]]


def test_keep_is_a_setting_and_the_commands_say_it(live, tmp_path, cli_login):
    assert safety_keep(live) == DEFAULT_SAFETY_KEEP == 5
    with pytest.raises(ValidationError, match="恢复前副本保留份数“0”无效"):
        save_general_settings(live, keep_safety=0)
    save_general_settings(live, keep_safety=3)
    assert safety_keep(live) == 3
    path = sqlite_path(live.url)
    out = tmp_path / f"cli{BACKUP_SUFFIX}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "gridadmin", *args], cwd=ROOT, capture_output=True, text=True,
                              encoding="utf-8", env=env)  # the command line writes UTF-8, not the code page

    assert run("backup", "--db", str(path), "--out", str(out), "--as-system").returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("cli")) == [out.name]
    live.dispose()
    good = run("restore", "--db", str(path), "--from", str(out), "--as-system")
    assert good.returncode == 0, good.stderr
    assert "恢复前副本保留最近 3 份" in good.stdout


def test_restore_dialog_says_how_many_are_kept(qtbot, township_db, tmp_path, monkeypatch):
    from gridadmin.ui.settings.settings_page import SettingsPage

    create_user(township_db, "admin", "王管理", "wangge2026", ["admin"])
    db = township_db.as_actor(authenticate(township_db, "admin", "wangge2026"))
    folder = tmp_path / "备份"
    save_general_settings(db, backup_folder=str(folder), keep_safety=2)
    page = SettingsPage(db)
    qtbot.addWidget(page)
    target = folder / f"手动{BACKUP_SUFFIX}"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    qtbot.mouseClick(page.backup_tab.backup_button, Qt.MouseButton.LeftButton)
    assert sorted(p.name for p in folder.iterdir()) == [target.name]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(target), ""))
    questions, acknowledgements = [], []
    for _ in range(3):
        def confirm_then_acknowledge(box):
            questions.append(box.text())
            box.button(QMessageBox.StandardButton.Yes).click()
            acknowledgements.append(answer_message_box(QMessageBox.StandardButton.Ok))

        when_modal(confirm_then_acknowledge, kind=QMessageBox)
        qtbot.mouseClick(page.backup_tab.restore_button, Qt.MouseButton.LeftButton)
    assert len(questions) == 3 and all("“恢复前-”副本保留最近 2 份" in q for q in questions)
    assert all("恢复前副本保留最近 2 份，更早的已自动删除" in a[0] for a in acknowledgements)
    safety = [p for p in folder.iterdir() if p.name.startswith("恢复前-")]
    assert len(safety) == 2
    assert not any(p.name.endswith(("-wal", "-shm", ".part")) for p in folder.iterdir())
    assert page.general_tab.keep_safety.value() == 2
