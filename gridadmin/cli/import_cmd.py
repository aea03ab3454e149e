"""``import --db DB --kind residents|changes|staff|grids|attendance FILE [--sheet NAME] [--mode
insert|update|upsert] [--effective-date YYYY-MM-DD] [--create-communities] [--skip-errors] [--dry-run]
[--json] [--error-report OUT.xlsx]``: import a spreadsheet.

``--create-communities`` (grids): a community/village that is not in the
tree is created (新建社区/村, audited, undone with the batch) instead of
being a row error that names the nearest names.

``--effective-date`` (residents, changes): the day the changes happened for
rows without a 登记日期/迁入日期/变动日期 of their own (default: today); the
monthly report counts them in that month.

Exit codes: 0 committed or a clean dry run; 1 row errors (nothing written
unless ``--skip-errors``); 2 the file could not be read (reason printed).
With ``--json`` one JSON object is printed: rows, inserted, updated,
unchanged, skipped, committed, batch_id, errors [{row, column, value,
message}], and warnings in the same form (what was accepted but should be
looked at, and why rows were skipped). The counts describe the plan;
``committed`` says whether it was written.
"""

from __future__ import annotations

import json
import sys

from gridadmin.cli import CliError, open_cli_database
from gridadmin.cli.login import add_login_arguments
from gridadmin.db import DatabaseVersionError
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.importing import KINDS, MODES, FileRefused, import_job
from gridadmin.services.importing.plan import MODE_LABELS, STATUS_LABELS
from gridadmin.services.common.progress import run_to_end


def register(sub) -> None:
    parser = sub.add_parser("import", help="从 Excel/CSV 文件导入数据",
                            description="导入 .xlsx/.xlsm/.xls/CSV 文件：自动识别表头、校验每一行，"
                            "默认全部成功才写入（一个事务）。退出码：0 成功，1 有错误行，2 文件无法读取。")
    parser.add_argument("--db", required=True, help="数据库文件或 URL")
    parser.add_argument("--kind", required=True, choices=list(KINDS), help="导入的数据类型")
    parser.add_argument("file", metavar="FILE", help="要导入的文件")
    parser.add_argument("--sheet", help="工作表名称（默认自动选择表头匹配的工作表）")
    parser.add_argument("--mode", default="upsert", choices=list(MODES),
                        help="insert 仅新增；update 仅更新已有；upsert 新增并更新（默认）")
    parser.add_argument("--effective-date", metavar="YYYY-MM-DD", type=_day,
                        help="户籍人口、人口变动：没有登记日期/变动日期的行按此日期生效（默认今天）")
    parser.add_argument("--create-communities", action="store_true",
                        help="网格：文件中有、网格树中没有的社区/村予以新建（默认作为错误，并提示相近的名称）")
    parser.add_argument("--skip-errors", action="store_true", help="跳过有错误的行，只导入正确的行")
    parser.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入数据库")
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    parser.add_argument("--error-report", metavar="OUT.xlsx", help="把出错的行另存为 Excel（含“错误说明”列）")
    add_login_arguments(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    try:
        db = open_cli_database(args)
    except DatabaseVersionError as exc:
        raise CliError(str(exc)) from None
    except CliError as exc:  # no such database file, or one that needs upgrading first
        if args.json:
            print(json.dumps({"committed": False, "error": str(exc)}, ensure_ascii=False))
        raise
    try:
        result = run_to_end(import_job(db, args.file, args.kind, mode=args.mode, sheet=args.sheet,
                                       skip_errors=args.skip_errors, dry_run=args.dry_run,
                                       effective_date=args.effective_date,
                                       create_communities=args.create_communities))
    except FileRefused as exc:
        if args.json:
            print(json.dumps({"committed": False, "error": exc.message}, ensure_ascii=False))
        raise CliError(exc.message, code=2) from None
    except ServiceError as exc:
        raise CliError(exc.message, code=1) from None
    finally:
        db.dispose()
    plan = result.plan
    if args.error_report and plan.error_rows:
        from gridadmin.services.importing.report import write_error_report

        try:
            write_error_report(plan, args.error_report)
        except ServiceError as exc:  # the import's own outcome is still reported below
            print(exc.message, file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _print_text(result, args)
    return 1 if plan.error_rows else 0


def _day(text: str):
    import argparse
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”无效，应为 YYYY-MM-DD") from None


def _print_text(result, args) -> None:
    plan = result.plan
    c = plan.counts()
    print(f"文件：{plan.file_name}（工作表“{plan.sheet_name}”，表头在第 {plan.header_row} 行），"
          f"方式：{MODE_LABELS[plan.mode]}")
    print(f"共 {c['rows']} 行：新增 {c['inserted']}，更新 {c['updated']}，无变化 {c['unchanged']}，"
          f"跳过 {c['skipped']}（其中错误 {c['errors']}）")
    for note in plan.extra.get("notes") or []:
        print(f"{note}。")
    if plan.extra.get("unused_columns"):
        print(f"未导入的列（本系统不保存这些项目）：{'、'.join(plan.extra['unused_columns'])}")
    for row in plan.rows:
        if row.status == "update":
            changes = "；".join(f"{label}：{old or '（空）'} → {new}" for label, old, new in row.changes.values())
            print(f"  第 {row.row} 行 {STATUS_LABELS[row.status]}：{changes}")
    for row in plan.rows:
        for issue in row.warnings:
            label = "跳过" if row.status == "skip" else "提示"
            print(f"  {_where(issue)}：{label}：{issue.message}")
    for issue in plan.errors:
        print(f"  {_where(issue)}：{issue.message}", file=sys.stderr)
    if result.committed:
        print(f"已导入，批次号 {result.batch_id}。")
    elif args.dry_run:
        print("预览完成，未写入数据库。")
    elif args.skip_errors:
        print("每一行都有错误，没有可导入的行，未写入任何数据。", file=sys.stderr)
    else:
        print("有错误，未写入任何数据（可改正后重新导入，或加 --skip-errors 只导入正确的行）。", file=sys.stderr)


def _where(issue) -> str:
    """第 7 行“民族”（火星）: the row as Excel numbers it, the header, the value."""
    column = f"“{issue.column}”" if issue.column else ""
    value = f"（{issue.value}）" if issue.value else ""
    return f"第 {issue.row} 行{column}{value}"
