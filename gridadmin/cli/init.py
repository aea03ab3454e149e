"""``init --db DB --township CODE_OR_NAME``: set up a database for one
township: code lists, the township and its official communities/villages."""

from __future__ import annotations

from gridadmin.cli import CliError, open_cli_database
from gridadmin.cli.login import add_login_arguments
from gridadmin.db import DatabaseVersionError
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.areas.setup import init_township, resolve_township


def register(sub) -> None:
    parser = sub.add_parser("init", help="为一个乡镇/街道初始化数据库",
                            description="建立代码表、乡镇/街道及其官方社区/村。"
                            "乡镇可写 9 位代码，或名称（如“宛城区 东关街道”）。")
    parser.add_argument("--db", required=True, help="数据库文件或 URL")
    parser.add_argument("--township", required=True, help="乡镇/街道的 9 位代码或名称")
    add_login_arguments(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    try:
        resolve_township(args.township)  # refuse before any file is created
    except ValidationError as exc:
        raise CliError(exc.message) from None
    try:
        db = open_cli_database(args, create=True)
    except DatabaseVersionError as exc:
        raise CliError(str(exc)) from None
    try:
        info = init_township(db, args.township)
    except ValidationError as exc:
        raise CliError(exc.message) from None
    finally:
        db.dispose()
    print(f"已初始化：{info.full_name}（{info.code}），社区/村 {info.communities} 个。")
    print(f"数据库：{db.display_location}")
    return 0
