"""Settings kept on this PC for this Windows/Linux user (QSettings): the
last database opened, window and table layouts, and the backup folder
remembered for upgrades and restores before any database is open."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from gridadmin import APP_NAME
from gridadmin.paths import data_dir

SETTINGS_LAST_DB = "last_database"
SETTINGS_BACKUP_FOLDER = "backup_folder"
SETTINGS_WINDOW_GEOMETRY = "main_window/geometry"  # "x,y,width,height" of the normal (not maximised) window
SETTINGS_WINDOW_MAXIMISED = "main_window/maximised"


def backup_folder(db=None):
    """The folder of automatic, pre-upgrade and safety backups: the one set
    in 系统设置 → 常规 for ``db`` (kept in the database), else the one last
    set on this PC (for upgrades and restores before a database is open),
    else ``backups`` in the data folder."""
    folder = None
    if db is not None:
        from gridadmin.services.common.settings import backup_folder_setting

        try:
            folder = backup_folder_setting(db)
        except Exception:  # noqa: BLE001 - an unreadable setting falls back to the default
            folder = None
    else:
        folder = app_settings().value(SETTINGS_BACKUP_FOLDER, "") or None
    return Path(folder) if folder else data_dir() / "backups"


def app_settings() -> QSettings:
    """Per-user program settings (window layout, last database)."""
    return QSettings(APP_NAME, APP_NAME)
