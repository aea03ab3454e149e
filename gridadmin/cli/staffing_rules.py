"""``staffing-rules --db DB [--posts 岗位,…] [--responsible 岗位] [--required yes|no]
[--households 300-500|none] [--json]``: show or change the township's own
staffing rule (``services.roster.staffing_rules``): which posts exist,
which post is a grid's responsible worker, whether every grid must have one,
and the households per worker. Without a change option the rule is shown.
Changing it needs 修改系统设置 (管理员); bad values are refused naming the
field and the value (exit 2), nothing changed."""

from __future__ import annotations

import json

from gridadmin.cli import CliError, open_cli_database
from gridadmin.cli.login import add_login_arguments
from gridadmin.db import DatabaseVersionError
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.roster.staffing_rules import changed_rule, post_choices, save_staffing_rule, staffing_rule

YES, NO = ("yes", "是", "y", "1", "true"), ("no", "否", "n", "0", "false")


def register(sub) -> None:
    parser = sub.add_parser("staffing-rules", help="查看或修改本乡镇的网格配备规则",
                            description="网格配备规则：设置哪些岗位、网格责任人是哪个岗位（专职网格员、兼职网格员或网格长）、"
                            "是否每个网格都必须配备、每名责任人服务多少户。不带修改选项时显示当前规则。")
    parser.add_argument("--db", required=True, help="数据库文件或 URL")
    parser.add_argument("--posts", help="设置的岗位，逗号分隔（如“网格长,兼职网格员,网格指导员”）")
    parser.add_argument("--responsible", help="网格责任人岗位：专职网格员（默认）、兼职网格员或网格长")
    parser.add_argument("--required", help="每个网格是否必须配备责任人：yes/no（没有住户的专属网格不要求）")
    parser.add_argument("--households", help="每名责任人服务户数：300-500、-500、300- 或 none（不检查）")
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    add_login_arguments(parser)
    parser.set_defaults(func=run)


def _yes_no(text: str | None) -> bool | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise CliError(f"每个网格必须配备“{text}”无效，应为 yes 或 no。")


def run(args) -> int:
    required = _yes_no(args.required)
    try:
        db = open_cli_database(args)
    except DatabaseVersionError as exc:
        raise CliError(str(exc)) from None
    try:
        changing = any(v is not None for v in (args.posts, args.responsible, args.required, args.households))
        if changing:
            rule = changed_rule(db, posts=args.posts.replace("，", ",").split(",") if args.posts is not None else None,
                                responsible=args.responsible, required=required, households=args.households)
            rule = save_staffing_rule(db, rule)
        else:
            rule = staffing_rule(db)
        labels = dict(post_choices(db))
        posts = [labels.get(p, p) for p in rule.posts]
    except ValidationError as exc:
        raise CliError(exc.message) from None
    finally:
        db.dispose()
    if args.json:
        print(json.dumps({**rule.to_dict(), "post_labels": posts, "saved": changing}, ensure_ascii=False))
        return 0
    print(("已保存。" if changing else "") + "本乡镇的网格配备规则：")
    print(f"  设置的岗位：{'、'.join(posts)}")
    print(f"  网格责任人：{rule.responsible_label}；"
          + ("每个网格必须配备（没有住户的专属网格除外）" if rule.required else "不要求每个网格都配备"))
    print(f"  每名{rule.responsible_label}服务户数：{rule.range_text}")
    return 0
