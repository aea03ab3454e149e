"""PostgreSQL passwords never sit in the settings file: the last database
is kept as a URL without password, the password in the OS keyring (or, with
no keyring, asked at each start); old settings holding one are migrated."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from gridadmin.credentials import SERVICE, completed, split_password, stored_location
from gridadmin.ui.shell.pc_settings import SETTINGS_LAST_DB, app_settings

URL = "postgresql+psycopg://clerk:Pa55word@dbserver:5432/gridadmin"
BARE = "postgresql+psycopg://clerk@dbserver:5432/gridadmin"


def _settings_file_text() -> str:
    settings = app_settings()
    settings.sync()
    path = Path(settings.fileName())
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def test_split_and_complete():
    assert split_password(URL) == (BARE, "Pa55word")
    assert split_password("/data/town.db") == ("/data/town.db", None)
    assert stored_location("/data/town.db") == "/data/town.db"


def test_remembering_a_server_database_keeps_its_password_in_the_keyring(qapp, memory_keyring):
    from gridadmin.ui.shell.start_dialog import remember, with_asked_password

    remember(SimpleNamespace(url=URL))
    assert app_settings().value(SETTINGS_LAST_DB) == BARE
    assert "Pa55word" not in _settings_file_text()
    assert memory_keyring.store[(SERVICE, BARE)] == "Pa55word"
    assert with_asked_password(BARE, None) == URL  # the next start needs no typing
    assert completed(BARE) == URL


def test_old_settings_with_a_password_are_migrated(qapp, memory_keyring):
    from gridadmin.ui.shell.start_dialog import migrate_saved_location

    app_settings().setValue(SETTINGS_LAST_DB, URL)
    app_settings().sync()
    assert "Pa55word" in _settings_file_text()
    migrate_saved_location()
    assert app_settings().value(SETTINGS_LAST_DB) == BARE
    assert "Pa55word" not in _settings_file_text()
    assert memory_keyring.store[(SERVICE, BARE)] == "Pa55word"


@pytest.fixture
def no_keyring():
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.mark.parametrize("typed", ["Pa55word", None])
def test_without_a_keyring_the_password_is_dropped_and_asked_at_each_start(qapp, qtbot, no_keyring, typed):
    from PySide6.QtWidgets import QInputDialog

    from gridadmin.ui.shell.start_dialog import migrate_saved_location, with_asked_password
    from tests.uihelpers import when_modal

    app_settings().setValue(SETTINGS_LAST_DB, URL)
    migrate_saved_location()
    assert app_settings().value(SETTINGS_LAST_DB) == BARE and "Pa55word" not in _settings_file_text()
    asked = []

    def answer(dialog):
        asked.append(dialog.labelText())
        if typed is None:
            dialog.reject()
        else:
            dialog.setTextValue(typed)
            dialog.accept()

    when_modal(answer, kind=QInputDialog)
    result = with_asked_password(BARE, None)
    assert asked and "dbserver" in asked[0] and "Pa55word" not in asked[0]
    assert result == (URL if typed else None)
