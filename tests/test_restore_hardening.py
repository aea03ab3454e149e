"""Restore takes only GridAdmin's own schema: a crafted backup's triggers,
views, tables and extra columns stay behind; another township needs a
confirmation; a fake or an unknown revision is refused with the reason.
SQLite backups only (PostgreSQL is backed up on the server)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import date

import pytest
from sqlalchemy import func, select

from gridadmin.db import SCHEMA_HEAD, open_database, sqlite_path
from gridadmin.models import AuditLog, Person
from gridadmin.services.areas.setup import init_township
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.maintenance.backup import (
    BACKUP_SUFFIX, OtherTownshipError, backup_sqlite, restore_sqlite, verify_backup,
)
from gridadmin.services.register.households import HouseholdData, MemberData, save_household

pytestmark = pytest.mark.skipif(bool(os.environ.get("GRIDADMIN_TEST_DB")), reason="SQLite backups")

HEAD_ID = make_id_number("411302", date(1970, 5, 6), 13)
SPOUSE_ID = make_id_number("411302", date(1972, 3, 4), 24)


def _town(path, code="411302001", with_people=True):
    db = open_database(str(path))
    init_township(db, code)
    if with_people:
        with db.session() as s:
            from gridadmin.models import Area

            community = s.scalar(select(Area.id).where(Area.level == "community").order_by(Area.id).limit(1))
        save_household(db, None, HouseholdData("4113020010010001", community, phone="13812345678"),
                       [MemberData(None, "张三", HEAD_ID, relation="02", phone="13812345678"),
                        MemberData(None, "李四", SPOUSE_ID, relation="10")], today=date(2025, 1, 1))
    return db


def _objects(path):
    conn = sqlite3.connect(path)
    try:
        return {(t, n) for t, n in conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite%'")}
    finally:
        conn.close()


def _person_columns(path):
    conn = sqlite3.connect(path)
    try:
        return {r[1] for r in conn.execute("PRAGMA table_info(person)")}
    finally:
        conn.close()


@pytest.fixture
def backup(tmp_path):
    """A genuine backup of 东关街道 holding one household of two."""
    db = _town(tmp_path / "source.db")
    out = tmp_path / f"town{BACKUP_SUFFIX}"
    backup_sqlite(sqlite_path(db.url), out)
    db.dispose()
    return out


def test_planted_triggers_views_tables_and_columns_are_not_restored(backup, tmp_path):
    genuine = _objects(backup)
    conn = sqlite3.connect(backup)
    conn.executescript("""
        CREATE TABLE leak (id_number TEXT, phone TEXT);
        CREATE TRIGGER wipe_audit AFTER INSERT ON audit_log BEGIN DELETE FROM audit_log WHERE id = NEW.id; END;
        CREATE TRIGGER copy_people AFTER INSERT ON person BEGIN
            INSERT INTO leak VALUES (NEW.id_number, NEW.phone); END;
        CREATE VIEW people_numbers AS SELECT name, id_number, phone FROM person;
        CREATE INDEX slow_everything ON person (name, phone);
        ALTER TABLE person ADD COLUMN secret TEXT;
        UPDATE person SET secret = 'x';
    """)
    conn.commit()
    conn.close()
    assert verify_backup(backup).ok  # GridAdmin's schema is complete; the rest is ignored
    target = tmp_path / "restored.db"
    _town(target, with_people=False).dispose()
    restore_sqlite(backup, target, tmp_path / "safety")

    restored = _objects(target)
    planted = {("table", "leak"), ("trigger", "wipe_audit"), ("trigger", "copy_people"),
               ("view", "people_numbers"), ("index", "slow_everything")}
    assert not planted & restored
    assert restored == genuine  # exactly the objects the migrations make
    assert "secret" not in _person_columns(target)
    db = open_database(str(target))
    try:
        with db.session() as s:
            assert sorted(s.scalars(select(Person.id_number))) == sorted([HEAD_ID, SPOUSE_ID])
            audit_rows = s.scalar(select(func.count()).select_from(AuditLog))
        with db.session() as s:
            community = s.scalar(select(Person.household_id).limit(1))
        save_household(db, None, HouseholdData("4113020010010002", _first_community(db)),
                       [MemberData(None, "王五", make_id_number("411302", date(1990, 1, 1), 55), relation="02")],
                       today=date(2025, 2, 1))
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(AuditLog)) > audit_rows  # new audit rows stay
        assert community is not None
    finally:
        db.dispose()


def _first_community(db):
    from gridadmin.models import Area

    with db.session() as s:
        return s.scalar(select(Area.id).where(Area.level == "community").order_by(Area.id).limit(1))


def test_another_township_is_refused_unless_confirmed(backup, tmp_path):
    target = tmp_path / "yudu.db"
    _town(target, "411324003", with_people=False).dispose()
    before = target.read_bytes()
    with pytest.raises(OtherTownshipError) as refused:
        restore_sqlite(backup, target, tmp_path / "safety")
    assert "东关街道" in refused.value.message and "玉都街道" in refused.value.message
    assert "--confirm-township" in refused.value.message
    assert target.read_bytes() == before
    restore_sqlite(backup, target, tmp_path / "safety", confirm_township=True)
    db = open_database(str(target))
    from gridadmin.services.areas.setup import township_of_database

    assert township_of_database(db) == ("411302001", "东关街道")
    db.dispose()


def test_another_township_from_the_command_line(backup, tmp_path, capsys):
    from gridadmin.cli import main

    target = tmp_path / "yudu.db"
    _town(target, "411324003", with_people=False).dispose()
    assert main(["restore", "--db", str(target), "--from", str(backup), "--as-system"]) == 2
    assert "--confirm-township" in capsys.readouterr().err
    assert main(["restore", "--db", str(target), "--from", str(backup), "--as-system", "--confirm-township"]) == 0


def test_a_three_table_fake_is_refused(tmp_path):
    target = tmp_path / "live.db"
    _town(target, with_people=False).dispose()
    fake = tmp_path / f"fake{BACKUP_SUFFIX}"
    conn = sqlite3.connect(fake)
    conn.executescript(f"""
        CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY);
        INSERT INTO alembic_version VALUES ('{SCHEMA_HEAD}');
        CREATE TABLE area (id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT);
        INSERT INTO setting VALUES ('township_code', '411302001'), ('township_name', '东关街道');
    """)
    conn.commit()
    conn.close()
    check = verify_backup(fake)
    assert not check.ok and "不是完整的网格中心管理系统数据库" in check.message and "缺少数据表" in check.message
    before = target.read_bytes()
    with pytest.raises(ValidationError, match="不能恢复：.*缺少数据表"):
        restore_sqlite(fake, target, tmp_path / "safety")
    assert target.read_bytes() == before


def test_a_missing_column_is_refused(backup, tmp_path):
    conn = sqlite3.connect(backup)
    conn.execute("ALTER TABLE person DROP COLUMN occupation")
    conn.commit()
    conn.close()
    check = verify_backup(backup)
    assert not check.ok and "person" in check.message and "occupation" in check.message


def test_a_backup_of_an_unknown_newer_revision_is_refused(backup, tmp_path):
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    check = verify_backup(backup)
    assert not check.ok and "9999" in check.message and "未知版本" in check.message
    target = tmp_path / "live.db"
    _town(target, with_people=False).dispose()
    with pytest.raises(ValidationError, match="9999"):
        restore_sqlite(backup, target, tmp_path / "safety")


def test_dangling_references_are_refused(backup, tmp_path):
    conn = sqlite3.connect(backup)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("UPDATE person SET household_id = 424242")
    conn.commit()
    conn.close()
    target = tmp_path / "live.db"
    _town(target, with_people=False).dispose()
    before = target.read_bytes()
    with pytest.raises(ValidationError, match="引用不完整"):
        restore_sqlite(backup, target, tmp_path / "safety")
    assert target.read_bytes() == before
    assert not list(tmp_path.glob("*.restore.part*"))


def test_an_older_backup_restores_and_is_upgraded(tmp_path):
    from tests.test_open_checks import OLD, make_old_database

    old = tmp_path / f"old{BACKUP_SUFFIX}"
    make_old_database(str(old))
    check = verify_backup(old)
    assert check.ok and check.revision == OLD
    target = tmp_path / "new.db"
    restore_sqlite(old, target, tmp_path / "safety")
    db = open_database(str(target), confirm_upgrade=True)  # already at this program's revision
    db.dispose()


def test_stored_counts_are_recounted_from_the_restored_rows(backup, tmp_path):
    from gridadmin.services.register import tallies

    conn = sqlite3.connect(backup)
    conn.execute("UPDATE resident_tally SET residents = residents + 1000")
    conn.commit()
    conn.close()
    target = tmp_path / "live.db"
    restore_sqlite(backup, target, tmp_path / "safety")
    db = open_database(str(target))
    with db.session() as s:
        assert tallies.mismatches(s) == []
    db.dispose()


def test_the_restored_file_is_its_owners_only(backup, tmp_path):
    if os.name == "nt":
        pytest.skip("Windows keeps the folder's ACLs")
    target = tmp_path / "live.db"
    restore_sqlite(backup, target, tmp_path / "safety")
    assert target.stat().st_mode & 0o077 == 0
    shutil.rmtree(tmp_path / "safety", ignore_errors=True)


@pytest.mark.parametrize("agree", [False, True])
def test_the_backup_page_asks_before_restoring_another_township(qtbot, qapp, backup, tmp_path, monkeypatch, agree):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from gridadmin.services.areas.setup import township_of_database
    from gridadmin.ui.settings.backup_tab import BackupTab
    from tests.uihelpers import when_modal

    db = _town(tmp_path / "yudu.db", "411324003", with_people=False)
    tab = BackupTab(db)
    qtbot.addWidget(tab)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(backup), ""))
    texts = []

    def answer(box, button):
        texts.append(box.text())
        box.button(button).click()

    def first(box):  # 用这个备份替换当前数据库吗？ → yes; then the township warning
        answer(box, QMessageBox.StandardButton.Yes)
        when_modal(lambda b: (answer(b, QMessageBox.StandardButton.Yes if agree else QMessageBox.StandardButton.No),
                              agree and when_modal(lambda c: answer(c, QMessageBox.StandardButton.Ok),
                                                   kind=QMessageBox)), kind=QMessageBox)

    when_modal(first, kind=QMessageBox)
    tab.restore()
    assert "其他乡镇/街道" in texts[1] and "东关街道" in texts[1] and "玉都街道" in texts[1]
    expected = ("411302001", "东关街道") if agree else ("411324003", "玉都街道")
    assert township_of_database(db) == expected
    db.dispose()
