"""Test set-up: offscreen Qt, a private data folder, a fresh database per test.

``GRIDADMIN_TEST_DB`` may name a server database URL (PostgreSQL); by
default every test gets its own SQLite file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory, monkeypatch):
    """Keep the user's real data folder and Qt settings out of tests."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("GRIDADMIN_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("GRIDADMIN_DB", raising=False)
    yield home


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated, empty database: an SQLite file, or the server
    database named by ``GRIDADMIN_TEST_DB`` with its schema emptied."""
    from gridadmin.db import open_database

    server_url = os.environ.get("GRIDADMIN_TEST_DB")
    if server_url:
        _empty_server_database(server_url)
        database = open_database(server_url)
    else:
        database = open_database(str(tmp_path / "test.db"))
    yield database
    database.dispose()


def _empty_server_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def township_db(db):
    """A database set up for 东关街道 (南阳市宛城区), with its 16 communities."""
    from gridadmin.services.areas.setup import init_township

    init_township(db, "411302001")
    return db


@pytest.fixture(scope="session")
def qapp():
    """pytest-qt's application, set up like the real one (font, zh_CN)."""
    from gridadmin.ui.shell.app import create_application

    return create_application()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """argon2 with its real, memory-hard cost takes ~0.1 s per hash; tests
    create many users, so they use the same algorithm at minimum cost."""
    from argon2 import PasswordHasher

    from gridadmin.services.access import users
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(autouse=True)
def _no_leftover_dialog_pollers():
    """A ``when_modal`` whose dialog never came must not act on a later
    test's dialogs (it once cancelled another test's progress dialog)."""
    yield
    from tests.uihelpers import stop_pollers

    stop_pollers()


@pytest.fixture(autouse=True)
def _no_leftover_background_calls():
    """A worker a test started (the dashboard's figures, a list's exact
    count) must not outlive it: while one runs the cyclic collector is held
    off (``jobs.gui_thread_collects``), and with no event loop after the
    test nothing would give it back to the next test."""
    yield
    if "gridadmin.ui.common.background" in sys.modules:
        sys.modules["gridadmin.ui.common.background"].wait_for_background()


def pytest_sessionfinish(session, exitstatus):
    """Delete any top-level widget a test left alive while QApplication
    still exists: destroyed later, at interpreter exit, it crashes Qt
    (segmentation fault, and CI fails although every test passed)."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    for widget in app.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


CLI_ADMIN, CLI_PASSWORD = "cliadmin", "cli-pass-2026"


def _ensure_cli_admin(database, role_admin: str) -> None:
    """The command-line tests' administrator, created with plain SQL so it
    also works on a database of an older schema (an upgrade test logs in
    before upgrading)."""
    from sqlalchemy import text

    from gridadmin.services.access.users import _hasher

    with database.engine.begin() as conn:
        if conn.execute(text("SELECT id FROM app_user WHERE username = :u"), {"u": CLI_ADMIN}).first():
            return
        conn.execute(text("INSERT INTO app_user (username, display_name, password_hash, active, failed_logins, "
                          "version) VALUES (:u, '命令行管理员', :h, true, 0, 1)"),
                     {"u": CLI_ADMIN, "h": _hasher.hash(CLI_PASSWORD)})
        user_id = conn.execute(text("SELECT id FROM app_user WHERE username = :u"), {"u": CLI_ADMIN}).scalar()
        conn.execute(text("INSERT INTO user_role (user_id, role) VALUES (:i, :r)"), {"i": user_id, "r": role_admin})


@pytest.fixture
def cli_login(monkeypatch):
    """``cli_login(db_or_url)`` → the login arguments of a command-line test:
    ``--as-system`` for an SQLite file (the test's own), else ``--user`` of
    an administrator created for the purpose, whose password the command
    reads from ``GRIDADMIN_PASSWORD`` (set here, inherited by subprocesses)."""
    def login(target) -> list[str]:
        from gridadmin.db import has_schema, open_database, resolve_url, sqlite_path

        url = target.url if hasattr(target, "url") else str(target)
        if sqlite_path(resolve_url(url)) is not None:
            return ["--as-system"]
        from gridadmin.models.access import ROLE_ADMIN

        database = open_database(url, upgrade=False)  # an older database stays older
        if not has_schema(database.engine):
            database.dispose()
            database = open_database(url)
        try:
            _ensure_cli_admin(database, ROLE_ADMIN)
        finally:
            database.dispose()
        monkeypatch.setenv("GRIDADMIN_PASSWORD", CLI_PASSWORD)
        return ["--user", CLI_ADMIN]

    return login


class MemoryKeyring:
    """An OS keyring in memory (``keyring`` backend protocol), so tests
    never read or write the keyring of the machine they run on."""

    priority = 1

    def __init__(self):
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring():
    import keyring
    from keyring.backend import KeyringBackend

    backend = type("TestKeyring", (MemoryKeyring, KeyringBackend), {})()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
