"""``demo --db DB --size small|township|county [--seed N]``: fill an empty
database with demo data (real 镇平县 townships, made-up people).

Refuses a database that already holds areas. Progress goes to stderr, the
summary to stdout.
"""

from __future__ import annotations

import sys
import time

from gridadmin.cli import CliError, open_cli_database
from gridadmin.cli.login import add_login_arguments
from gridadmin.db import DatabaseVersionError
from gridadmin.services.demo.account import create_demo_account, demo_account
from gridadmin.services.demo import DEMO_SIZES, generate_demo
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.common.progress import run_to_end


def register(sub) -> None:
    sizes = "；".join(f"{key}：{spec.label}" for key, spec in DEMO_SIZES.items())
    parser = sub.add_parser("demo", help="在空数据库中生成演示数据",
                            description=f"在空数据库中生成演示数据。规模：{sizes}。"
                            "同一个种子生成相同的数据。")
    parser.add_argument("--db", required=True, help="数据库文件或 URL（须为空数据库）")
    parser.add_argument("--size", default="small", help="规模：small、township 或 county（默认 small）")
    parser.add_argument("--seed", default="1", help="随机种子，整数（默认 1）")
    parser.add_argument("--no-demo-account", action="store_true",
                        help="不建立演示账号（默认在没有用户的数据库中建立管理员 demo，密码 demo2026，"
                             "登录窗口会提示）")
    add_login_arguments(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.size not in DEMO_SIZES:
        raise CliError(f"规模“{args.size}”无效，可选：{'、'.join(DEMO_SIZES)}。")
    try:
        seed = int(str(args.seed).strip())
    except ValueError:
        raise CliError(f"随机种子“{args.seed}”不是整数。") from None
    try:
        db = open_cli_database(args, create=True)
    except DatabaseVersionError as exc:
        raise CliError(str(exc)) from None
    last = {"at": 0.0, "message": ""}

    def report(step) -> None:
        now = time.monotonic()
        base = step.message.split("…")[0]
        if base != last["message"] or now - last["at"] >= 2.0:
            last["at"], last["message"] = now, base
            print(f"[{step.fraction:4.0%}] {step.message}", file=sys.stderr, flush=True)

    try:
        summary = run_to_end(generate_demo(db, args.size, seed), report)
        account = None if args.no_demo_account or not create_demo_account(db) else demo_account(db)
    except ServiceError as exc:
        raise CliError(exc.message) from None
    finally:
        db.dispose()
    print(
        f"演示数据已生成（规模 {args.size}，种子 {seed}）：{'、'.join(summary.township_names)}；"
        f"乡镇/街道 {summary.townships} 个，社区/村 {summary.communities} 个，网格 {summary.grids} 个"
        f"（微网格 {summary.microgrids} 个），住户 {summary.households:,} 户，人口 {summary.residents:,} 人，"
        f"网格力量 {summary.staff:,} 人（在岗 {summary.staff_on_post:,} 人），培训 {summary.sessions} 场，"
        f"签到 {summary.attendances:,} 条；用时 {summary.seconds:.1f} 秒。"
    )
    print(f"数据库：{db.display_location}")
    if account:
        print(f"演示账号：用户名 {account[0]}，密码 {account[1]}（管理员）")
    return 0
