"""``upgrade --db DB``: bring an older database up to this program's
schema, after a backup (SQLite: online backup into the backup folder;
PostgreSQL: the administrator confirms a pg_dump backup with ``--yes``)."""

from __future__ import annotations

from pathlib import Path

from gridadmin.cli import CliError
from gridadmin.cli.login import add_login_arguments
from gridadmin.db import DatabaseVersionError, resolve_url, sqlite_path
from gridadmin.paths import data_dir
from gridadmin.services.maintenance.backup import pg_dump_advice, upgrade_with_backup
from gridadmin.services.common.errors import ServiceError, describe_db_error


def register(sub) -> None:
    parser = sub.add_parser("upgrade", help="把较早版本的数据库升级到本程序的版本（先备份）")
    parser.add_argument("--db", required=True, help="数据库文件或 PostgreSQL 连接串")
    parser.add_argument("--backup-dir", help="SQLite 升级前备份的存放文件夹（默认：数据文件夹下的 backups）")
    parser.add_argument("--yes", action="store_true", help="PostgreSQL：确认已用 pg_dump 备份，直接升级")
    add_login_arguments(parser)
    parser.set_defaults(func=run_upgrade)


def run_upgrade(args) -> int:
    url = resolve_url(args.db)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise CliError(f"找不到数据库文件“{path}”。")
    if path is None and not args.yes:
        raise CliError(pg_dump_advice(url) + "\n备份完成后加 --yes 重新运行本命令。")
    folder = Path(args.backup_dir) if args.backup_dir else data_dir() / "backups"
    actor = _upgrading_actor(url, args)
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
    _record(url, actor, args)
    if result.old_revision == result.new_revision:
        print(f"数据库已是最新版本（{result.new_revision}），无需升级。")
        return 0
    print(f"已从版本 {result.old_revision or '（空库）'} 升级到 {result.new_revision}。")
    if result.backup is not None:
        print(f"升级前的备份：{result.backup}")
    if result.old_revision and result.old_revision < "0018":
        _print_family_mapping(url)
    return 0


def _print_family_mapping(url: str) -> None:
    """What the upgrade to the group families mapped (also in 操作日志)."""
    from gridadmin.db import open_database
    from gridadmin.services.register.age_groups import family_mapping

    db = open_database(url)
    try:
        lines = family_mapping(db)
    finally:
        db.dispose()
    if lines:
        print("人群类别已按特殊人群、重点人员、关怀对象归类（明细也记入操作日志）：")
        for line in lines:
            print(f"  {line}")


def _upgrading_actor(url: str, args):
    """Who upgrades: the file's owner (``--as-system``) or a user of the
    database, as it is before the upgrade, with the backup permission."""
    from gridadmin.cli.login import check_as_system, cli_actor
    from gridadmin.db import has_schema, open_database
    from gridadmin.services.access.permissions import MANAGE_SETTINGS, SYSTEM, require

    if args.as_system:
        check_as_system(url)
        if args.user:
            raise CliError("--user 和 --as-system 只能选一个。")
        return SYSTEM
    try:
        db = open_database(url, upgrade=False)
    except DatabaseVersionError as exc:
        raise CliError(str(exc)) from None
    try:
        actor = cli_actor(db, args, creating=not has_schema(db.engine))
        with db.session() as session:
            require(session, actor, MANAGE_SETTINGS)
        return actor
    except ServiceError as exc:
        raise CliError(exc.message) from None
    finally:
        db.dispose()


def _record(url: str, actor, args) -> None:
    from gridadmin.cli.login import record_command
    from gridadmin.db import open_database

    db = open_database(url)
    try:
        record_command(db, actor, args)
    finally:
        db.dispose()
