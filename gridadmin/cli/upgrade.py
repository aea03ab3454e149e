"""``upgrade --db DB``: bring an older database up to this program's
schema, after a backup (SQLite: online backup into the backup folder;
PostgreSQL: the administrator confirms a pg_dump backup with ``--yes``)."""

from __future__ import annotations

from pathlib import Path

from gridadmin.cli import CliError
from gridadmin.db import DatabaseVersionError, resolve_url, sqlite_path
from gridadmin.paths import data_dir
from gridadmin.services.maintenance.backup import pg_dump_advice, upgrade_with_backup
from gridadmin.services.common.errors import ServiceError, describe_db_error


def register(sub) -> None:
    parser = sub.add_parser("upgrade", help="把较早版本的数据库升级到本程序的版本（先备份）")
    parser.add_argument("--db", required=True, help="数据库文件或 PostgreSQL 连接串")
    parser.add_argument("--backup-dir", help="SQLite 升级前备份的存放文件夹（默认：数据文件夹下的 backups）")
    parser.add_argument("--yes", action="store_true", help="PostgreSQL：确认已用 pg_dump 备份，直接升级")
    parser.set_defaults(func=run_upgrade)


def run_upgrade(args) -> int:
    url = resolve_url(args.db)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise CliError(f"找不到数据库文件“{path}”。")
    if path is None and not args.yes:
        raise CliError(pg_dump_advice(url) + "\n备份完成后加 --yes 重新运行本命令。")
    folder = Path(args.backup_dir) if args.backup_dir else data_dir() / "backups"
    try:
        result = upgrade_with_backup(url, folder)
    except DatabaseVersionError as exc:
        raise CliError(str(exc)) from None
    except ServiceError as exc:
        raise CliError(f"没有升级：{exc.message}") from None
    except Exception as exc:  # noqa: BLE001 - driver errors are explained, others re-raised
        mapped = describe_db_error(exc)
        if mapped is None:
            raise
        raise CliError(f"升级失败，数据库保持原样：{mapped.message}") from None
    if result.old_revision == result.new_revision:
        print(f"数据库已是最新版本（{result.new_revision}），无需升级。")
        return 0
    print(f"已从版本 {result.old_revision or '（空库）'} 升级到 {result.new_revision}。")
    if result.backup is not None:
        print(f"升级前的备份：{result.backup}")
    return 0
