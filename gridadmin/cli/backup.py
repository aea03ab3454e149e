"""``backup --db DB --out FILE``, ``restore --db DB --from FILE
[--confirm-township]``, ``check-db --db DB`` and ``verify-backup FILE``: SQLite backups and checks from the
command line, verified like in the app. Backup and restore run as a user
(``--user`` / ``--as-system``) with the 修改系统设置和备份 permission and are
recorded in the audit trail (the restore in the restored database)."""

from __future__ import annotations

from pathlib import Path

from gridadmin.cli import CliError, open_cli_database
from gridadmin.cli.login import add_login_arguments, check_as_system, cli_actor, record_command
from gridadmin.db import resolve_url, sqlite_path
from gridadmin.paths import data_dir
from gridadmin.services.common.errors import ServiceError, ValidationError
from gridadmin.services.maintenance.backup import (
    BACKUP_SUFFIX, backup_database, record_restore, restore_sqlite, verify_backup,
)


def register(sub) -> None:
    parser = sub.add_parser("backup", help="备份数据库（SQLite 在线备份，并校验备份文件）")
    parser.add_argument("--db", required=True, help="数据库文件")
    parser.add_argument("--out", required=True, help=f"备份文件（建议以 {BACKUP_SUFFIX} 结尾）")
    add_login_arguments(parser)
    parser.set_defaults(func=run_backup)
    parser = sub.add_parser("restore", help="从备份恢复数据库（先校验备份，并保留当前数据库的副本）",
                            description="只恢复本程序自己的数据表和数据（按本程序的数据结构重建数据库）；"
                            "不是完整的网格中心数据库、来自未知版本的备份会被拒绝；"
                            "其他乡镇/街道的备份须加 --confirm-township 确认。")
    parser.add_argument("--db", required=True, help="要恢复到的数据库文件")
    parser.add_argument("--from", dest="source", required=True, help="备份文件")
    parser.add_argument("--confirm-township", action="store_true",
                        help="确认用其他乡镇/街道的备份替换当前数据库")
    add_login_arguments(parser)
    parser.set_defaults(func=run_restore)
    parser = sub.add_parser("check-db", help="检查数据库文件是否完整（全文件检查；启动时只在上次没有正常退出后检查）")
    parser.add_argument("--db", required=True, help="数据库文件")
    add_login_arguments(parser)
    parser.set_defaults(func=run_check)
    parser = sub.add_parser("verify-backup", help="校验备份文件是否完整可用")
    parser.add_argument("file", help="备份文件")
    parser.set_defaults(func=run_verify)


def _sqlite_file(db: str) -> Path:
    path = sqlite_path(resolve_url(db))
    if path is None:
        raise CliError("只有 SQLite 数据库文件可以这样备份；PostgreSQL 数据库请由服务器管理员用 pg_dump 备份。")
    return path


def run_backup(args) -> int:
    _sqlite_file(args.db)
    db = open_cli_database(args)
    try:
        check = backup_database(db, Path(args.out))
    except ValidationError as exc:
        raise CliError(exc.message) from None
    finally:
        db.dispose()
    print(f"已备份到 {args.out}：{check.message}")
    return 0


def run_restore(args) -> int:
    """Who restores is checked on the database being replaced: its user
    with the backup permission (``--user``), or its owner (``--as-system``,
    which also restores over a damaged file or into a new one)."""
    from gridadmin.db import open_database
    from gridadmin.services.access.permissions import MANAGE_SETTINGS, SYSTEM, require

    target = _sqlite_file(args.db)
    if args.as_system:
        if args.user:
            raise CliError("--user 和 --as-system 只能选一个。")
        check_as_system(resolve_url(args.db))
        actor = SYSTEM
    else:
        if not target.exists():
            raise CliError(f"数据库文件不存在：{target}\n恢复成新文件时请以文件所有者身份加 --as-system。")
        current = open_database(str(target), upgrade=False)
        try:
            actor = cli_actor(current, args)
            with current.session() as session:
                require(session, actor, MANAGE_SETTINGS)
        except ServiceError as exc:
            raise CliError(exc.message) from None
        finally:
            current.dispose()
    keep = _safety_keep(target)
    try:
        safety = restore_sqlite(Path(args.source), target, data_dir() / "backups",
                                confirm_township=args.confirm_township, keep_safety=keep)
    except ValidationError as exc:  # OtherTownshipError included: its message names --confirm-township
        raise CliError(exc.message) from None
    restored = open_database(str(target)).as_actor(actor)
    try:
        record_restore(restored, Path(args.source))
        record_command(restored, actor, args)
    finally:
        restored.dispose()
    print(f"已从 {args.source} 恢复到 {target}。")
    if safety is not None:
        print(f"恢复前的数据库已另存为 {safety}")
        print(f"恢复前副本保留最近 {keep} 份（系统设置 → 常规 → 恢复前副本保留份数），更早的已自动删除。")
    return 0


def run_check(args) -> int:
    """Exit 0 when the file is sound, 3 when it is damaged (the damage and
    what to do on stderr)."""
    from gridadmin.services.maintenance.integrity import check_database

    _sqlite_file(args.db)
    db = open_cli_database(args)
    try:
        check = check_database(db)
    finally:
        db.dispose()
    if not check.ok:
        raise CliError(check.message, code=3)
    print(check.message)
    return 0


def run_verify(args) -> int:
    check = verify_backup(Path(args.file))
    print(check.message)
    return 0 if check.ok else 1


def _safety_keep(target: Path) -> int:
    """The 恢复前副本保留份数 setting of the database about to be replaced
    (the default when it cannot be read: damaged, missing, too old)."""
    from gridadmin.db import open_database
    from gridadmin.services.common.settings import DEFAULT_SAFETY_KEEP, safety_keep

    if not target.exists():
        return DEFAULT_SAFETY_KEEP
    try:
        current = open_database(str(target), upgrade=False)
    except Exception:  # noqa: BLE001 - a damaged database is restored over: the default applies
        return DEFAULT_SAFETY_KEEP
    try:
        return safety_keep(current)
    except Exception:  # noqa: BLE001 - see above
        return DEFAULT_SAFETY_KEEP
    finally:
        current.dispose()
