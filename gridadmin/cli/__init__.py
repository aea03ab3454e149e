"""Headless command line: ``python -m gridadmin COMMAND ...``.

Each command lives in its own module with ``register(subparsers)`` that adds
its parser and sets ``func(args) -> int`` (the exit code). Commands print
Chinese messages for users and exit non-zero on bad input.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from gridadmin import __version__

COMMAND_MODULES = ("init", "demo", "check_id", "screenshot", "backup", "upgrade", "import_cmd", "export", "template", "report")


class CliError(Exception):
    """A user-facing failure: printed to stderr, exit code ``code``."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gridadmin",
        description="网格中心管理系统 命令行（与桌面程序使用同一套服务）",
    )
    parser.add_argument("--version", action="version", version=f"GridAdmin {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(f"gridadmin.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run one command; returns the process exit code."""
    _force_utf8_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.code
    except Exception as exc:  # noqa: BLE001 - database faults any command may meet are explained
        message = _database_fault(exc)
        if message is None:
            raise
        print(f"错误：{message}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130


def open_cli_database(url, *, create: bool = False):
    """Open ``--db`` for a command. An older database is never upgraded
    silently here: the command stops and names the ``upgrade`` command,
    which backs the database up first. Only commands that set a database
    up (``init``, ``demo``: ``create``) make a new SQLite file; for the
    others a file that does not exist is a mistyped path, refused (exit 2)
    rather than answered from a new, empty database."""
    from gridadmin.db import DatabaseUnavailableError, DatabaseUpgradeNeeded, open_database, resolve_url, sqlite_path

    if not create:
        path = sqlite_path(resolve_url(url))
        if path is not None and not path.exists():
            raise CliError(f"数据库文件不存在：{path}\n请检查 --db 路径；新建数据库请用 init 或 demo 命令。", code=2)
    try:
        return open_database(url, confirm_upgrade=True)
    except DatabaseUnavailableError as exc:
        raise CliError(str(exc), code=2) from None
    except DatabaseUpgradeNeeded as exc:
        raise CliError(f"{exc}\n请先运行 python -m gridadmin upgrade --db {url or '数据库'}（会先做校验过的备份再升级）。",
                       code=2) from None


def _database_fault(exc: Exception) -> str | None:
    """The Chinese explanation of a damaged, newer or unreachable database
    (and of disk full / read-only), or None for anything else."""
    from gridadmin.db import DatabaseCorruptError, DatabaseUnavailableError, DatabaseVersionError
    from gridadmin.services.common.errors import StorageError, describe_db_error

    if isinstance(exc, DatabaseCorruptError):
        return f"{exc}\n可以用 python -m gridadmin restore --db 数据库文件 --from 备份文件 从备份恢复。"
    if isinstance(exc, (DatabaseVersionError, DatabaseUnavailableError, StorageError)):
        return str(exc)
    mapped = describe_db_error(exc)
    return mapped.message if mapped else None


def _force_utf8_output() -> None:
    """Chinese output must not crash on a Windows console code page."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass
