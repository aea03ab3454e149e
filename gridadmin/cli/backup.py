"""``backup --db DB --out FILE`` and ``restore --db DB --from FILE``:
SQLite backups from the command line, verified like in the app."""

from __future__ import annotations

from pathlib import Path

from gridadmin.cli import CliError
from gridadmin.db import resolve_url, sqlite_path
from gridadmin.paths import data_dir
from gridadmin.services.maintenance.backup import BACKUP_SUFFIX, backup_sqlite, restore_sqlite, verify_backup
from gridadmin.services.common.errors import ValidationError


def register(sub) -> None:
    parser = sub.add_parser("backup", help="备份数据库（SQLite 在线备份，并校验备份文件）")
    parser.add_argument("--db", required=True, help="数据库文件")
    parser.add_argument("--out", required=True, help=f"备份文件（建议以 {BACKUP_SUFFIX} 结尾）")
    parser.set_defaults(func=run_backup)
    parser = sub.add_parser("restore", help="从备份恢复数据库（先校验备份，并保留当前数据库的副本）")
    parser.add_argument("--db", required=True, help="要恢复到的数据库文件")
    parser.add_argument("--from", dest="source", required=True, help="备份文件")
    parser.set_defaults(func=run_restore)
    parser = sub.add_parser("verify-backup", help="校验备份文件是否完整可用")
    parser.add_argument("file", help="备份文件")
    parser.set_defaults(func=run_verify)


def _sqlite_file(db: str) -> Path:
    path = sqlite_path(resolve_url(db))
    if path is None:
        raise CliError("只有 SQLite 数据库文件可以这样备份；PostgreSQL 数据库请由服务器管理员用 pg_dump 备份。")
    return path


def run_backup(args) -> int:
    try:
        check = backup_sqlite(_sqlite_file(args.db), Path(args.out))
    except ValidationError as exc:
        raise CliError(exc.message) from None
    print(f"已备份到 {args.out}：{check.message}")
    return 0


def run_restore(args) -> int:
    target = _sqlite_file(args.db)
    try:
        safety = restore_sqlite(Path(args.source), target, data_dir() / "backups")
    except ValidationError as exc:
        raise CliError(exc.message) from None
    print(f"已从 {args.source} 恢复到 {target}。")
    if safety is not None:
        print(f"恢复前的数据库已另存为 {safety}")
    return 0


def run_verify(args) -> int:
    check = verify_backup(Path(args.file))
    print(check.message)
    return 0 if check.ok else 1
