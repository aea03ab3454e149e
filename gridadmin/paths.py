"""Where GridAdmin finds its resources and keeps the user's data.

Resources are found the same way from a source checkout and from a frozen
(PyInstaller) bundle. The user's data folder follows the platform's habit
and can be overridden with ``GRIDADMIN_HOME`` (tests use this).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """Return the folder holding fonts, division lists and name lists."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """Return the path of one resource file, e.g. ``resource("fonts", "x.ttc")``."""
    return resources_dir().joinpath(*parts)


def docs_dir() -> Path:
    """Return the folder holding the user manual (``manual.md``), the
    glossary and the screenshots they show; bundled as ``docs`` when frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "docs"
    return Path(__file__).resolve().parent.parent / "docs"


def data_dir() -> Path:
    """Return (and create) the per-user data folder.

    Windows: ``%APPDATA%\\GridAdmin``; elsewhere ``$XDG_DATA_HOME/gridadmin``
    or ``~/.local/share/gridadmin``. ``GRIDADMIN_HOME`` overrides both.
    """
    override = os.environ.get("GRIDADMIN_HOME")
    if override:
        path = Path(override)
    elif sys.platform == "win32":
        path = Path(os.environ.get("APPDATA", Path.home())) / "GridAdmin"
    else:
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        path = Path(base) / "gridadmin"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    """The SQLite file used when no URL is given."""
    return data_dir() / "gridadmin.db"
