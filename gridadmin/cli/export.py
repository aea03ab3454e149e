"""``export --db DB --kind grids|staff|residents|households|attendance --out
FILE.xlsx [--session ID|NAME] [--full-numbers]``: export a whole kind in
its import columns (an exported file can be corrected and imported again;
for attendance that is the export of one session, ``--session``: the import
takes one session per file, and the export of every session is a listing).
IDs and phones are masked unless ``--full-numbers``."""

from __future__ import annotations

from gridadmin.cli import CliError, open_cli_database
from gridadmin.cli.login import add_login_arguments
from gridadmin.db import DatabaseVersionError
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.importing.export import EXPORT_KINDS, EXPORT_LABELS, MASKED_NUMBERS, export_kind


def register(sub) -> None:
    parser = sub.add_parser("export", help="导出数据到 Excel（与导入模板的列相同）",
                            description="按导入模板的列导出网格、网格员、户籍人口、住户或培训签到，"
                            "导出的文件改正后可直接再导入。培训签到一个文件只能导入一次培训："
                            "用 --session 导出的单次培训可再导入，不加 --session 导出的是全部培训的清单，"
                            "不能整体再导入。身份证号和电话默认打码。")
    parser.add_argument("--db", required=True, help="数据库文件或 URL")
    parser.add_argument("--kind", required=True, choices=list(EXPORT_KINDS), help="导出的数据类型")
    parser.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件")
    parser.add_argument("--session", help="只导出这次培训的签到（培训编号或名称；仅 attendance）；这样导出的文件可再导入，"
                        "不加则导出全部培训的签到清单")
    parser.add_argument("--full-numbers", action="store_true", help="导出完整的身份证号和电话（默认打码）")
    add_login_arguments(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    if not str(args.out).lower().endswith(".xlsx"):
        raise CliError(f"输出文件“{args.out}”应以 .xlsx 结尾。")
    if args.session and args.kind != "attendance":
        raise CliError("--session 只用于导出培训签到（--kind attendance）。")
    try:
        db = open_cli_database(args)
    except DatabaseVersionError as exc:
        raise CliError(str(exc)) from None
    try:
        count = export_kind(db, args.kind, args.out, full_numbers=args.full_numbers, session=args.session)
    except ServiceError as exc:
        raise CliError(exc.message, code=1) from None
    except OSError as exc:
        raise CliError(f"无法写入“{args.out}”：{exc.strerror or exc}") from None
    finally:
        db.dispose()
    masked = f"（{MASKED_NUMBERS[args.kind]}已打码）" if args.kind in MASKED_NUMBERS and not args.full_numbers else ""
    print(f"已导出{EXPORT_LABELS[args.kind]} {count} 行到 {args.out}{masked}")
    if args.kind == "attendance" and not args.session:
        print("这是全部培训的签到清单；一个文件只能导入一次培训，要改正后再导入请用 --session 逐次导出。")
    return 0
