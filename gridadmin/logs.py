"""The log file (``gridadmin.log`` in the data folder): created readable by
its owner only (POSIX 0600; on Windows the data folder in the user's
profile keeps its ACLs), every line scrubbed of personal data
(``services.common.errors.scrub_personal_data``), tracebacks included."""

from __future__ import annotations

import logging
import os
from pathlib import Path

LOG_NAME = "gridadmin.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class ScrubbingFormatter(logging.Formatter):
    """A formatter whose output never carries ID numbers, phones or the
    values of a database error."""

    def format(self, record: logging.LogRecord) -> str:
        from gridadmin.services.common.errors import scrub_personal_data

        return scrub_personal_data(super().format(record))


def log_path() -> Path:
    from gridadmin.paths import data_dir

    return data_dir() / LOG_NAME


def setup_logging() -> Path:
    """Send the ``gridadmin`` logs (and the root logger's) to the log file,
    once per process; returns its path."""
    path = log_path()
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "gridadmin_log", None) == str(path):
            return path
    from gridadmin.db import create_private_file

    create_private_file(path)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.gridadmin_log = str(path)
    handler.setFormatter(ScrubbingFormatter(_FORMAT))
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return path


def owner_only_files() -> int | None:
    """Files and folders this process creates from now on are its owner's
    only (umask 077) on POSIX; returns the previous umask (None on Windows,
    where the folders' ACLs apply)."""
    if os.name == "nt":  # pragma: no cover - Windows keeps its ACLs
        return None
    return os.umask(0o077)


def restore_umask(previous: int | None) -> None:
    if previous is not None:
        os.umask(previous)
