"""``report monthly --db DB --month YYYY-MM [--scope NAME_OR_CODE] --out FILE.pdf [--json]``:
the monthly report (月报) as a PDF; ``--json`` also prints its figures.
``report submit`` marks a month's report as 已上报 (figures and PDF kept),
``report withdraw --reason …`` withdraws a submission, ``report diff``
compares a submitted month with what the register says today."""

from __future__ import annotations

import json
import re

from gridadmin.cli import CliError, open_cli_database
from gridadmin.cli.login import add_login_arguments
from gridadmin.db import DatabaseVersionError
from gridadmin.services.common.errors import ServiceError

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def register(sub) -> None:
    parser = sub.add_parser("report", help="生成报表（月报 PDF）")
    kinds = parser.add_subparsers(dest="report", metavar="REPORT")
    _month_command(kinds, "monthly", "网格化服务管理月报", run_monthly, extra=lambda p: (
        p.add_argument("--out", required=True, help="PDF 文件"),
        p.add_argument("--json", action="store_true", help="同时输出月报数据（JSON）")))
    _month_command(kinds, "submit", "上报月报：保存本月数字和 PDF，此后补录的变动作为下月更正", run_submit,
                   month_help="报告月份，如 2026-10（须已结束）")
    _month_command(kinds, "withdraw", "撤回已上报的月报（管理员，须说明原因）", run_withdraw,
                   extra=lambda p: p.add_argument("--reason", required=True, help="撤回原因"))
    _month_command(kinds, "diff", "已上报月份：上报数与现登记数的差异及补录的变动", run_diff,
                   extra=lambda p: p.add_argument("--json", action="store_true", help="以 JSON 输出"))
    parser.set_defaults(func=lambda _args: (parser.print_help(), 2)[1])


def _month_command(kinds, name: str, help_text: str, func, *, month_help: str = "报告月份，如 2026-10",
                   extra=None) -> None:
    """A month subcommand (monthly/submit/withdraw/diff): ``--db``, ``--month``,
    ``--scope``, its own arguments (``extra(parser)``) and the login ones."""
    command = kinds.add_parser(name, help=help_text)
    command.add_argument("--db", required=True, help="数据库文件或地址")
    command.add_argument("--month", required=True, help=month_help)
    command.add_argument("--scope", help="统计范围：乡镇/街道或社区/村的名称或代码（默认全部）")
    if extra is not None:
        extra(command)
    add_login_arguments(command)
    command.set_defaults(func=func)


def parse_month(text: str) -> tuple[int, int]:
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CliError(f"报告月份“{text}”无效，应为 YYYY-MM 格式，如 2026-10。")
    return int(match.group(1)), int(match.group(2))


def _scope_id(db, text: str | None) -> int | None:
    """The area ``--scope`` names: a township or community/village by its
    code, its name (the short name of a community too) or "乡镇·社区";
    an unknown or ambiguous one is an error listing the candidates."""
    if not text or not text.strip():
        return None
    from gridadmin.services.areas.names import find_area

    with db.session() as session:
        try:
            return find_area(session, text.strip(), what="统计范围")
        except ServiceError as exc:
            raise CliError(exc.message) from None


def _open(args):
    try:
        return open_cli_database(args)
    except DatabaseVersionError as exc:
        raise CliError(str(exc)) from None


def _on_month(args, action):
    """``action(db, year, month, scope_id)`` on the command's database and
    month; a refusal becomes the command's error. Returns (year, month, result)."""
    year, month = parse_month(args.month)
    db = _open(args)
    try:
        return year, month, action(db, year, month, _scope_id(db, args.scope))
    except ServiceError as exc:
        raise CliError(exc.message) from None
    finally:
        db.dispose()


def run_submit(args) -> int:
    from gridadmin.services.common.progress import run_to_end
    from gridadmin.services.reports.history import get_report
    from gridadmin.services.reports.submission import submit_monthly_report

    def submit(db, year, month, scope_id):
        info = run_to_end(submit_monthly_report(db, year, month, scope_id))
        return info, get_report(db, info.generated_report_id)

    year, month, (info, pdf) = _on_month(args, submit)
    print(f"已上报 {year}年{month}月 月报（{info.scope_name}）：{info.username}，{info.submitted_at:%Y-%m-%d %H:%M}；"
          f"PDF：{pdf.file_path}")
    return 0


def run_withdraw(args) -> int:
    from gridadmin.services.reports.submission import withdraw_submission

    year, month, info = _on_month(args, lambda db, y, m, scope: withdraw_submission(db, y, m, scope,
                                                                                 reason=args.reason))
    print(f"已撤回 {year}年{month}月 月报（{info.scope_name}）的上报（原上报：{info.username}，"
          f"{info.submitted_at:%Y-%m-%d %H:%M}），可以重新上报。")
    return 0


def run_diff(args) -> int:
    from gridadmin.services.reports.submission import report_diff

    year, month, diff = _on_month(args, report_diff)
    if args.json:
        print(json.dumps(diff.to_dict(), ensure_ascii=False))
        return 0
    print(f"{year}年{month}月 月报{diff.submission.label}")
    for key, label in (("households", "户数"), ("residents", "人口"), ("staff_on_post", "在岗网格力量")):
        before, now = diff.submitted.get(key, 0), diff.now.get(key, 0)
        print(f"  {label}：上报 {before}，现登记 {now}，差额 {now - before:+d}")
    was, is_now = diff.submitted.get("categories", {}), diff.now.get("categories", {})
    for label in [*was, *(k for k in is_now if k not in was)]:
        before, now = was.get(label, 0), is_now.get(label, 0)
        if before != now:
            print(f"  其中{label}：上报 {before}，现登记 {now}，差额 {now - before:+d}")
    if not diff.changes:
        print("  上报后没有补录本月末及以前的变动。")
    for c in diff.changes:
        who = c.name if c.subject == "居民" else f"{c.name}（{c.subject}）"
        print(f"  {who}（{c.id_number}）{c.change}，生效 {c.effective_date}，{c.entered_by} 录入于 "
              f"{c.entered_on:%Y-%m-%d %H:%M}")
    return 0


def run_monthly(args) -> int:
    from gridadmin.services.reports.monthly_figures import monthly_figures
    from gridadmin.services.reports.monthly_pdf import write_monthly_pdf

    year, month = parse_month(args.month)
    db = _open(args)
    try:
        scope_id = _scope_id(db, args.scope)
        figures = monthly_figures(db, year, month, scope_id)
        from gridadmin.services.common.settings import print_signatories

        pages = write_monthly_pdf(figures, args.out, signatories=print_signatories(db))
    except ServiceError as exc:
        raise CliError(exc.message) from None
    finally:
        db.dispose()
    if args.json:
        from gridadmin.services.reports.monthly_tables import report_json

        print(json.dumps(report_json(figures), ensure_ascii=False))
    else:
        print(f"已生成 {figures.year}年{figures.month}月 月报：{args.out}（共 {pages} 页）")
        if figures.provisional:
            print(f"注意：{figures.as_of_text}。")
    return 0
