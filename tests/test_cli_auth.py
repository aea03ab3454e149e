"""The command line runs as a logged-in user (``--user``, password from
``GRIDADMIN_PASSWORD`` or a prompt) or as 系统 with ``--as-system`` on an
SQLite file the OS user owns; every command that opens a database leaves
an audit row (backup and restore included); the files it makes are its
owner's only."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from gridadmin.cli import main
from gridadmin.cli.login import audited_arguments
from gridadmin.db import open_database, sqlite_path
from gridadmin.models import AuditLog, User
from gridadmin.models.access import ROLE_ADMIN, ROLE_OFFICIAL
from gridadmin.services.access.users import create_user

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "secret-2026a"
SQLITE_ONLY = pytest.mark.skipif(bool(os.environ.get("GRIDADMIN_TEST_DB")), reason="an SQLite file of the test")


@pytest.fixture
def users(township_db):
    create_user(township_db, "boss", "管理员甲", PASSWORD, [ROLE_ADMIN])
    create_user(township_db, "lead", "领导乙", PASSWORD, [ROLE_OFFICIAL])
    return township_db


def _commands(db):
    with db.session() as s:
        return [(r.username, r.summary, json.loads(r.changes)) for r in
                s.scalars(select(AuditLog).where(AuditLog.action == "command").order_by(AuditLog.id))]


def test_a_command_without_login_is_refused(users, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    assert main(["export", "--db", users.url, "--kind", "residents", "--out", str(out), "--full-numbers"]) == 2
    err = capsys.readouterr().err
    assert "--user" in err and "--as-system" in err and "GRIDADMIN_PASSWORD" in err
    assert not out.exists() and _commands(users) == []


def test_a_user_logs_in_with_the_password_from_the_environment(users, tmp_path, capsys, monkeypatch):
    out = tmp_path / "r.xlsx"
    monkeypatch.setenv("GRIDADMIN_PASSWORD", PASSWORD)
    assert main(["export", "--db", users.url, "--kind", "grids", "--out", str(out), "--user", "boss"]) == 0
    assert out.exists()
    [(who, summary, changes)] = _commands(users)
    assert who == "boss" and summary.startswith("命令行：export") and "--kind grids" in summary
    assert changes["command"] == [None, "export"] and changes["arguments"][1]["kind"] == "grids"
    with users.session() as s:
        assert s.scalar(select(AuditLog.user_id).where(AuditLog.action == "command")) == \
            s.scalar(select(User.id).where(User.username == "boss"))


def test_a_wrong_password_is_refused_and_counted(users, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GRIDADMIN_PASSWORD", "wrong-one-1")
    out = tmp_path / "r.xlsx"
    assert main(["export", "--db", users.url, "--kind", "grids", "--out", str(out), "--user", "boss"]) == 2
    assert "登录失败" in capsys.readouterr().err and not out.exists()
    with users.session() as s:
        assert s.scalar(select(User.failed_logins).where(User.username == "boss")) == 1


def test_the_users_roles_apply(users, tmp_path, capsys, monkeypatch):
    """A 领导 may not back up (修改系统设置和备份 is the administrator's)."""
    monkeypatch.setenv("GRIDADMIN_PASSWORD", PASSWORD)
    if sqlite_path(users.url) is None:
        pytest.skip("backups are SQLite files")
    out = tmp_path / "b.gadb"
    assert main(["backup", "--db", users.url, "--out", str(out), "--user", "lead"]) == 2
    assert "无权" in capsys.readouterr().err and not out.exists()


@SQLITE_ONLY
def test_the_password_prompt_reads_the_terminal_or_standard_input(users, tmp_path):
    """Without ``GRIDADMIN_PASSWORD`` the password is asked (getpass; with
    no terminal it reads standard input), never taken from an argument."""
    env = {k: v for k, v in os.environ.items() if k != "GRIDADMIN_PASSWORD"}
    env["PYTHONPATH"] = str(ROOT)
    out = tmp_path / "g.xlsx"
    args = [sys.executable, "-m", "gridadmin", "export", "--db", users.url, "--kind", "grids", "--out", str(out),
            "--user", "boss"]
    done = subprocess.run(args, input=PASSWORD + "\n", env=env, cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", start_new_session=True, timeout=120)  # no controlling terminal
    assert done.returncode == 0, done.stderr
    assert out.exists()
    nothing = subprocess.run(args, input="", env=env, cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                             start_new_session=True, timeout=120)
    assert nothing.returncode == 2 and "GRIDADMIN_PASSWORD" in nothing.stderr


def test_a_piped_password_is_read_from_standard_input_on_windows(monkeypatch, capsys):
    """Windows' getpass reads the console's keys even when standard input is
    a pipe; the command line reads the piped line itself there (the test
    above runs that path under the Windows Python in .ci/windows.sh)."""
    import io

    from gridadmin.cli.login import _password_from_standard_input

    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\r\n"))
    assert _password_from_standard_input("用户 boss 的密码：") == PASSWORD
    assert capsys.readouterr().err == "用户 boss 的密码："
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(EOFError):
        _password_from_standard_input("用户 boss 的密码：")


@SQLITE_ONLY
def test_as_system_works_on_the_users_own_file_and_is_audited(users, tmp_path):
    out = tmp_path / "r.xlsx"
    assert main(["export", "--db", users.url, "--kind", "residents", "--out", str(out), "--full-numbers",
                 "--as-system"]) == 0
    [(who, summary, changes)] = _commands(users)
    assert who == "system" and "--full-numbers" in summary and changes["arguments"][1]["full_numbers"] is True


@SQLITE_ONLY
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give the file away")
def test_as_system_is_refused_for_a_file_of_another_os_user(users, tmp_path, capsys):
    path = sqlite_path(users.url)
    users.dispose()
    os.chown(path, 65534, -1)
    out = tmp_path / "r.xlsx"
    assert main(["export", "--db", str(path), "--kind", "residents", "--out", str(out), "--as-system"]) == 2
    assert "不属于当前操作系统用户" in capsys.readouterr().err and not out.exists()


def test_as_system_is_refused_for_postgresql(capsys):
    url = "postgresql+psycopg://clerk:pw@127.0.0.1:1/nothing"  # refused before any connection is tried
    assert main(["export", "--db", url, "--kind", "grids", "--out", "x.xlsx", "--as-system"]) == 2
    err = capsys.readouterr().err
    assert "PostgreSQL" in err and "--user" in err and "pw" not in err


def test_audited_arguments_hide_the_password_of_a_url():
    args = argparse.Namespace(db="postgresql+psycopg://clerk:Sekr3t@server/gridadmin", kind="residents",
                              full_numbers=True, user="clerk", as_system=False, func=print, command="export")
    shown = audited_arguments(args)
    assert "Sekr3t" not in json.dumps(shown) and shown["db"].startswith("postgresql+psycopg://clerk:***@server")
    assert shown["kind"] == "residents" and shown["full_numbers"] is True and "func" not in shown
    assert "user" not in shown  # who ran it is the audit row's user


def test_demo_and_init_need_no_login_on_a_new_database_only(tmp_path, capsys):
    target = tmp_path / "new.db"
    assert main(["init", "--db", str(target), "--township", "411302001"]) == 0
    db = open_database(str(target))
    [(who, summary, _changes)] = _commands(db)
    assert who == "system" and summary.startswith("命令行：init")
    create_user(db, "boss", "管理员甲", PASSWORD, [ROLE_ADMIN])
    db.dispose()
    capsys.readouterr()
    assert main(["demo", "--db", str(target)]) == 2  # it has a user now: whoever runs it must log in
    assert "--as-system" in capsys.readouterr().err


@SQLITE_ONLY
def test_backup_and_restore_are_audited(users, tmp_path):
    path = sqlite_path(users.url)
    out = tmp_path / "town.gadb"
    assert main(["backup", "--db", str(path), "--out", str(out), "--as-system"]) == 0
    with users.session() as s:
        actions = list(s.scalars(select(AuditLog.action).order_by(AuditLog.id.desc()).limit(2)))
    assert actions == ["backup", "command"]
    users.dispose()
    assert main(["restore", "--db", str(path), "--from", str(out), "--as-system"]) == 0
    db = open_database(str(path))
    with db.session() as s:
        rows = list(s.execute(select(AuditLog.action, AuditLog.summary).order_by(AuditLog.id.desc()).limit(2)))
    db.dispose()
    assert [r.action for r in rows] == ["command", "restore"]
    assert "town.gadb" in rows[1].summary and rows[0].summary.startswith("命令行：restore")


@SQLITE_ONLY
def test_restore_as_a_user_needs_the_backup_permission(users, tmp_path, capsys, monkeypatch):
    path = sqlite_path(users.url)
    out = tmp_path / "town.gadb"
    assert main(["backup", "--db", str(path), "--out", str(out), "--as-system"]) == 0
    users.dispose()
    monkeypatch.setenv("GRIDADMIN_PASSWORD", PASSWORD)
    assert main(["restore", "--db", str(path), "--from", str(out), "--user", "lead"]) == 2
    assert "无权" in capsys.readouterr().err
    assert main(["restore", "--db", str(path), "--from", str(out), "--user", "boss"]) == 0
    db = open_database(str(path))
    with db.session() as s:
        row = s.execute(select(AuditLog.username, AuditLog.user_id).where(AuditLog.action == "restore")
                        .order_by(AuditLog.id.desc())).first()
    db.dispose()
    assert row.username == "boss" and row.user_id is not None


@pytest.mark.skipif(os.name == "nt", reason="Windows keeps the folders' ACLs")
@SQLITE_ONLY
def test_files_the_command_line_makes_are_its_owners_only(tmp_path):
    os.umask(0o022)  # as a shell would have it
    target = tmp_path / "town.db"
    assert main(["init", "--db", str(target), "--township", "411302001"]) == 0
    export = tmp_path / "grids.xlsx"
    assert main(["export", "--db", str(target), "--kind", "grids", "--out", str(export), "--as-system"]) == 0
    backup = tmp_path / "town.gadb"
    assert main(["backup", "--db", str(target), "--out", str(backup), "--as-system"]) == 0
    for made in (target, export, backup):
        assert made.stat().st_mode & 0o077 == 0, made
    assert os.umask(0o022) == 0o022  # the command put the caller's umask back
