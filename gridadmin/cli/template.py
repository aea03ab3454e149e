"""``template --kind KIND --out FILE.xlsx [--db DB]``: write the empty
import template of a kind (dropdowns, text-formatted ID and phone columns;
the code lists and area names of ``--db`` when given, else the built-in
code lists)."""

from __future__ import annotations

from gridadmin.cli import CliError, open_cli_database
from gridadmin.cli.login import add_login_arguments
from gridadmin.db import DatabaseVersionError
from gridadmin.services.importing import KINDS
from gridadmin.services.importing.template import write_template


def register(sub) -> None:
    parser = sub.add_parser("template", help="生成导入模板（Excel）",
                            description="生成某类数据的导入模板：必填列带 *，有填写说明行和下拉列表，"
                            "身份证号和电话列为文本格式。")
    parser.add_argument("--kind", required=True, choices=list(KINDS), help="数据类型")
    parser.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件")
    parser.add_argument("--db", help="数据库文件或 URL（用其中的代码表和社区、网格名称做下拉列表）")
    add_login_arguments(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    if not str(args.out).lower().endswith(".xlsx"):
        raise CliError(f"输出文件“{args.out}”应以 .xlsx 结尾。")
    db = None
    if args.db:
        try:
            db = open_cli_database(args)
        except DatabaseVersionError as exc:
            raise CliError(str(exc)) from None
    try:
        write_template(args.kind, args.out, db)
    except OSError as exc:
        raise CliError(f"无法写入“{args.out}”：{exc.strerror or exc}") from None
    finally:
        if db is not None:
            db.dispose()
    print(f"已生成模板：{args.out}")
    return 0
