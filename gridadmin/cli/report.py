"""``report monthly --db DB --month YYYY-MM [--scope CODE] --out FILE.pdf [--json]``:
the monthly report (月报) as a PDF; ``--json`` also prints its figures."""

from __future__ import annotations

import json
import re

from sqlalchemy import or_, select

from gridadmin.cli import CliError, open_cli_database
from gridadmin.cli.login import add_login_arguments
from gridadmin.db import DatabaseVersionError
from gridadmin.models import Area
from gridadmin.services.common.errors import ServiceError

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def register(sub) -> None:
    parser = sub.add_parser("report", help="生成报表（月报 PDF）")
    kinds = parser.add_subparsers(dest="report", metavar="REPORT")
    monthly = kinds.add_parser("monthly", help="网格化服务管理月报")
    monthly.add_argument("--db", required=True, help="数据库文件或地址")
    monthly.add_argument("--month", required=True, help="报告月份，如 2026-10")
    monthly.add_argument("--scope", help="统计范围：乡镇/街道或社区/村的代码（默认全部）")
    monthly.add_argument("--out", required=True, help="PDF 文件")
    monthly.add_argument("--json", action="store_true", help="同时输出月报数据（JSON）")
    add_login_arguments(monthly)
    monthly.set_defaults(func=run_monthly)
    parser.set_defaults(func=lambda _args: (parser.print_help(), 2)[1])


def parse_month(text: str) -> tuple[int, int]:
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CliError(f"报告月份“{text}”无效，应为 YYYY-MM 格式，如 2026-10。")
    return int(match.group(1)), int(match.group(2))


def run_monthly(args) -> int:
    from gridadmin.services.reports.monthly_figures import monthly_figures
    from gridadmin.services.reports.monthly_pdf import write_monthly_pdf

    year, month = parse_month(args.month)
    try:
        db = open_cli_database(args)
    except DatabaseVersionError as exc:
        raise CliError(str(exc)) from None
    try:
        scope_id = None
        if args.scope:
            code = args.scope.strip()
            with db.session() as session:
                scope_id = session.scalar(select(Area.id).where(or_(Area.division_code == code,
                                                                    Area.grid_code == code)))
            if scope_id is None:
                raise CliError(f"找不到代码为“{code}”的乡镇/街道或社区/村，请核对统计范围。")
        figures = monthly_figures(db, year, month, scope_id)
        from gridadmin.services.common.settings import signatories

        pages = write_monthly_pdf(figures, args.out, signatories=signatories(db))
    except ServiceError as exc:
        raise CliError(exc.message) from None
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(figures.to_dict(), ensure_ascii=False))
    else:
        print(f"已生成 {figures.year}年{figures.month}月 月报：{args.out}（共 {pages} 页）")
    return 0
