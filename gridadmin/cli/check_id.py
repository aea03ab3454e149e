"""``check-id [--json] NUMBER...``: check resident ID numbers (公民身份号码).

Prints one line per number: a readable Chinese line, or with ``--json`` one
JSON object (see :meth:`IdCheck.to_dict`). A NUMBER of ``-`` reads numbers
from standard input, one per line. Exit code 0 when all are valid, else 1.
"""

from __future__ import annotations

import argparse
import json
import sys

from gridadmin.services.common.idcard import IdCheck, check_id_number


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check-id",
        help="校验身份证号码（公民身份号码、居住证、外国人永久居留身份证）",
        description="校验身份证号码：长度、字符、省份代码、出生日期、校验码；"
        "15 位旧号自动升为 18 位。全部有效时退出码为 0，否则为 1。",
    )
    parser.add_argument("--json", action="store_true", help="每个号码输出一行 JSON")
    parser.add_argument("numbers", nargs="+", metavar="NUMBER",
                        help="要校验的号码；“-” 表示从标准输入逐行读取")
    parser.set_defaults(func=run)


def _numbers(args: argparse.Namespace) -> list[str]:
    numbers: list[str] = []
    for item in args.numbers:
        if item == "-":
            numbers.extend(line.rstrip("\r\n") for line in sys.stdin if line.strip())
        else:
            numbers.append(item)
    return numbers


def format_line(check: IdCheck) -> str:
    """One readable Chinese line for a result."""
    if check.valid:
        text = (f"{check.input}：有效，{check.kind}，规范号码 {check.normalized}，"
                f"出生日期 {check.birth_date.isoformat()}，性别 {check.gender}")
    else:
        text = f"{check.input or '（空）'}：无效，{check.error}"
    for warning in check.warnings:
        text += f"；提示：{warning}"
    return text


def run(args: argparse.Namespace) -> int:
    all_valid = True
    for number in _numbers(args):
        check = check_id_number(number)
        all_valid = all_valid and check.valid
        if args.json:
            print(json.dumps(check.to_dict(), ensure_ascii=False))
        else:
            print(format_line(check))
    return 0 if all_valid else 1
