"""Integrity checks when they matter, not at every start (issue 21): after
an unclean shutdown at open, once a day in the background after the
window is shown, and on demand (settings tab, ``check-db``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from gridadmin.cli import main as cli_main
from gridadmin.db import DatabaseCorruptError, open_database
from gridadmin.open_marker import header_matches_size, marker_folder, unclean_shutdown
from gridadmin.services.maintenance.integrity import check_database, check_file, daily_check_and_backup
from tests.test_open_checks import _demo_with_backup, answer_boxes, crash_while_open, damage

ROOT = Path(__file__).resolve().parent.parent


def test_clean_shutdown_leaves_no_sign_and_skips_the_check(tmp_path):
    path, _folder = _demo_with_backup(tmp_path)
    db = open_database(str(path))
    assert not unclean_shutdown(path) and len(list(marker_folder(path).iterdir())) == 1
    db.dispose()
    assert not marker_folder(path).exists() and not unclean_shutdown(path)
    damage(path)
    db = open_database(str(path))  # not re-checked: a clean close before
    try:
        found = check_file(db)  # the check itself still sees the damage
        assert not found.ok and "已损坏" in found.message and "备份与恢复" in found.message
    finally:
        db.dispose()


def test_unclean_shutdown_checks_at_next_open_once(tmp_path):
    path, _folder = _demo_with_backup(tmp_path)
    crash_while_open(path)
    assert unclean_shutdown(path)
    db = open_database(str(path))  # checked, sound: the sign is cleared
    db.dispose()
    assert not unclean_shutdown(path) and not marker_folder(path).exists()


def test_unclean_shutdown_with_damage_is_refused_every_time(tmp_path):
    path, _folder = _demo_with_backup(tmp_path)
    crash_while_open(path)
    damage(path)
    for _ in range(2):  # the sign stays until the file is restored
        with pytest.raises(DatabaseCorruptError) as caught:
            open_database(str(path))
        assert "已损坏" in str(caught.value)


def test_a_program_still_running_is_not_a_crash(tmp_path):
    path, _folder = _demo_with_backup(tmp_path)
    db = open_database(str(path))
    try:
        code = "import sys\nfrom gridadmin.open_marker import unclean_shutdown\nprint(unclean_shutdown(sys.argv[1]))\n"
        out = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
        assert out.strip() == "False"
    finally:
        db.dispose()


def test_header_shows_a_truncated_file(tmp_path):
    path, _folder = _demo_with_backup(tmp_path)
    assert header_matches_size(path)
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size - 4096)
    assert not header_matches_size(path)
    (tmp_path / "text.db").write_bytes(b"not a database" * 20)
    assert not header_matches_size(tmp_path / "text.db")


def test_on_demand_check_and_command(tmp_path, capsys, cli_login):
    path, _folder = _demo_with_backup(tmp_path)
    db = open_database(str(path))
    try:
        result = check_database(db)
        assert result.ok and "检查通过" in result.message
    finally:
        db.dispose()
    login = cli_login(str(path))
    assert cli_main(["check-db", "--db", str(path), *login]) == 0
    assert "检查通过" in capsys.readouterr().out
    damage(path)
    assert cli_main(["check-db", "--db", str(path), *login]) == 3
    assert "已损坏" in capsys.readouterr().err


def test_daily_check_does_not_back_up_a_damaged_file(tmp_path):
    path, folder = _demo_with_backup(tmp_path)
    daily = tmp_path / "daily"
    db = open_database(str(path))
    try:
        check, made = daily_check_and_backup(db, daily)
        assert check.ok and made is not None and made.exists()
        assert daily_check_and_backup(db, daily) == (None, None)  # once a day
    finally:
        db.dispose()
    damage(path)
    other = tmp_path / "other"
    db = open_database(str(path))
    try:
        check, made = daily_check_and_backup(db, other)
        assert not check.ok and made is None and not list(other.glob("*.gadb"))
    finally:
        db.dispose()


def test_background_check_tells_the_user(qapp, qtbot, tmp_path, monkeypatch):
    from gridadmin.ui.shell import app as app_module

    path, _folder = _demo_with_backup(tmp_path)
    damage(path)
    monkeypatch.setattr(app_module, "backup_folder", lambda _db: tmp_path / "daily")
    db = open_database(str(path))
    window = QWidget()
    replies: list[str] = []
    answer_boxes(replies)
    try:
        thread = app_module.start_daily_check(db, window)
        thread.join(60)
        qtbot.waitUntil(lambda: bool(replies), timeout=10_000)
    finally:
        db.dispose()
    assert "已损坏" in replies[0] and not list((tmp_path / "daily").glob("*.gadb"))


def test_settings_tab_checks_on_demand(qapp, qtbot, tmp_path):
    from gridadmin.ui.settings.backup_tab import BackupTab

    path, _folder = _demo_with_backup(tmp_path)
    db = open_database(str(path))
    try:
        tab = BackupTab(db)
        qtbot.addWidget(tab)
        assert tab.check_button.isEnabled()
        replies: list[str] = []
        answer_boxes(replies)
        tab.check_button.click()
        qtbot.waitUntil(lambda: bool(replies), timeout=30_000)
        assert "检查通过" in replies[0]
    finally:
        db.dispose()
