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
from gridadmin.cli.errors import CliError  # noqa: F401 - every command imports it from here

COMMAND_MODULES = ("init", "demo", "check_id", "screenshot", "backup", "upgrade", "import_cmd", "export", "template", "report",
                   "staffing_rules")


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
    force_utf8_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from gridadmin.logs import owner_only_files, restore_umask
    from gridadmin.services.common.errors import ServiceError, StorageError

    previous_umask = owner_only_files()  # databases, backups, exports, logs: the owner's only
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.code
    except ServiceError as exc:  # a refusal of the services (permissions …) a command did not explain itself
        print(f"错误：{exc.message}", file=sys.stderr)
        return 3 if isinstance(exc, StorageError) else 2  # 3: the database could not do it (disk full …)
    except Exception as exc:  # noqa: BLE001 - database faults any command may meet are explained
        message = _database_fault(exc)
        if message is None:
            return _unexpected(exc)
        print(f"错误：{message}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    finally:
        restore_umask(previous_umask)


def _unexpected(exc: Exception) -> int:
    """A bug: the traceback, without personal data, to stderr and the log
    file (exit 1)."""
    import logging
    import traceback

    from gridadmin.logs import setup_logging
    from gridadmin.services.common.errors import scrub_personal_data

    text = scrub_personal_data("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    path = setup_logging()
    logging.getLogger("gridadmin.cli").error("unexpected error in a command\n%s", text)
    print(text, file=sys.stderr)
    print(f"错误：程序遇到意外错误，命令没有完成。详细信息已记录在 {path}", file=sys.stderr)
    return 1


def open_cli_database(args, *, create: bool = False):
    """Open ``args.db`` for a command, as the user the command runs as
    (``--user`` / ``--as-system``, see ``gridadmin.cli.login``), and record
    the command in the audit trail. An older database is never upgraded
    silently here: the command stops and names the ``upgrade`` command,
    which backs the database up first. Only commands that set a database
    up (``init``, ``demo``: ``create``) make a new SQLite file; for the
    others a file that does not exist is a mistyped path, refused (exit 2)
    rather than answered from a new, empty database."""
    from gridadmin.cli.login import check_as_system, cli_actor, record_command
    from gridadmin.db import DatabaseUnavailableError, DatabaseUpgradeNeeded, open_database, resolve_url, sqlite_path

    url = args.db
    resolved = resolve_url(url)
    if not create:
        path = sqlite_path(resolved)
        if path is not None and not path.exists():
            raise CliError(f"数据库文件不存在：{path}\n请检查 --db 路径；新建数据库请用 init 或 demo 命令。", code=2)
    if getattr(args, "as_system", False):
        check_as_system(resolved)  # before the file is even opened
    try:
        db = open_database(url, confirm_upgrade=True)
    except DatabaseUnavailableError as exc:
        raise CliError(str(exc), code=2) from None
    except DatabaseUpgradeNeeded as exc:
        shown = url if "://" not in str(url or "") else "数据库连接串"
        raise CliError(f"{exc}\n请先运行 python -m gridadmin upgrade --db {shown or '数据库'}（会先做校验过的备份再升级）。",
                       code=2) from None
    try:
        actor = cli_actor(db, args, creating=create)
        record_command(db, actor, args)
    except BaseException:
        db.dispose()
        raise
    return db.as_actor(actor)


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


def force_utf8_output() -> None:
    """Chinese output must not crash on a Windows console code page, and is
    UTF-8 on a pipe or file whatever the ANSI code page (GBK on a Chinese
    Windows). A windowed executable has no streams (None): nothing to do."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass
