"""Who the command line acts as, and the audit row of every command.

The command line is not an anonymous administrator. A command that opens a
database runs as

- a GridAdmin user: ``--user NAME``, the password from the environment
  variable ``GRIDADMIN_PASSWORD`` (for scripts) or else asked on the
  terminal (``getpass``, never echoed, never an argument); the user's roles
  and areas apply as in the app, and wrong passwords count towards the
  account lock;
- the built-in 系统 user with ``--as-system``, which is accepted only for an
  SQLite file that belongs to the OS user running the command (whoever owns
  the file can read it anyway); refused for PostgreSQL URLs and for files
  of another OS user;
- 系统 without either flag only when ``demo``/``init`` make a new database
  (a file that did not exist, or a database without any user yet): its
  creator owns it.

Each such command leaves one audit row (action ``command``): the command
name and its arguments, with the password of a URL hidden.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

PASSWORD_ENV = "GRIDADMIN_PASSWORD"
# Arguments that never go into the audit trail (none carries a secret
# today: the password is never an argument; URLs lose theirs below).
_NOT_AUDITED = frozenset({"func", "user", "as_system"})


def add_login_arguments(parser) -> None:
    """``--user`` and ``--as-system`` on a command that opens a database."""
    group = parser.add_argument_group("登录（命令行须以用户身份运行）")
    group.add_argument("--user", metavar="NAME",
                       help=f"以该用户身份运行；密码从环境变量 {PASSWORD_ENV} 读取，未设置时在终端输入")
    group.add_argument("--as-system", action="store_true",
                       help="以内置“系统”用户运行：仅限当前操作系统用户本人拥有的 SQLite 数据库文件")


def owned_by_current_user(path: Path) -> bool:
    """Whether the OS user running this process owns ``path``.

    POSIX: the file's owner uid. Windows has no uid in ``stat``; there the
    file must lie inside the user's own profile folder (``%USERPROFILE%``,
    which holds ``%APPDATA%``), which other users cannot reach."""
    path = Path(path)
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        profile = Path(os.environ.get("USERPROFILE") or Path.home()).resolve()
        try:
            return path.resolve().is_relative_to(profile)
        except OSError:
            return False
    return path.stat().st_uid == os.getuid()


def check_as_system(url: str) -> None:
    """Refuse ``--as-system`` for ``url`` unless it is an SQLite file of the
    OS user (a file that does not exist yet will be theirs)."""
    from gridadmin.cli.errors import CliError
    from gridadmin.db import sqlite_path

    path = sqlite_path(url)
    if path is None:
        raise CliError("--as-system 只能用于本机 SQLite 数据库文件；PostgreSQL 数据库请用 --user 用户名 登录"
                       f"（密码在提示时输入，或设置环境变量 {PASSWORD_ENV}）。")
    if path.exists() and not owned_by_current_user(path):
        raise CliError(f"数据库文件“{path}”不属于当前操作系统用户，不能用 --as-system；"
                       "请用 --user 用户名 以 GridAdmin 用户身份登录。")


def read_password(username: str) -> str:
    """The password of ``username``: ``GRIDADMIN_PASSWORD``, else asked."""
    from gridadmin.cli.errors import CliError

    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return password
    prompt = f"用户 {username} 的密码："
    try:
        if os.name == "nt" and not (sys.stdin and sys.stdin.isatty()):
            return _password_from_standard_input(prompt)
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        raise CliError(f"没有输入密码。在脚本中运行时请设置环境变量 {PASSWORD_ENV}。") from None


def _password_from_standard_input(prompt: str) -> str:
    """One line of a redirected standard input (a script, the Task
    Scheduler). On Windows getpass reads the console's keys even then, so a
    piped password was never read and the command waited for ever (found
    under wine by .ci/windows.sh); without a terminal getpass on Linux reads
    standard input too."""
    print(prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline() if sys.stdin else ""
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def has_users(db) -> bool:
    """Whether the database has any user (False before its schema exists)."""
    from sqlalchemy import inspect

    from gridadmin.services.access.users import needs_first_admin

    if not inspect(db.engine).has_table("app_user"):
        return False
    return not needs_first_admin(db)


def cli_actor(db, args, *, creating: bool = False):
    """The ``Actor`` a command runs as on the open database ``db`` (see the
    module docstring); ``CliError`` when the command may not run."""
    from gridadmin.cli.errors import CliError
    from gridadmin.services.access.permissions import SYSTEM, PermissionDeniedError
    from gridadmin.services.access.users import authenticate

    user = getattr(args, "user", None)
    if getattr(args, "as_system", False):
        if user:
            raise CliError("--user 和 --as-system 只能选一个。")
        check_as_system(db.url)
        return SYSTEM
    if creating and not has_users(db):
        return SYSTEM  # a new database: its creator owns it
    if not user:
        raise CliError("命令行须以用户身份运行：加 --user 用户名（密码在提示时输入，或设置环境变量 "
                       f"{PASSWORD_ENV}），或对本人拥有的 SQLite 数据库文件加 --as-system。")
    try:
        return authenticate(db, user, read_password(user))
    except PermissionDeniedError as exc:
        raise CliError(f"登录失败：{exc.message}") from None


def audited_arguments(args) -> dict:
    """The command's arguments for the audit trail: no secrets (a URL's
    password is hidden), paths and values as given."""
    from sqlalchemy.engine import make_url

    shown = {}
    for key, value in sorted(vars(args).items()):
        if key in _NOT_AUDITED or key.startswith("_") or value is None or value is False:
            continue
        if isinstance(value, str) and "://" in value:
            try:
                value = make_url(value).render_as_string(hide_password=True)
            except Exception:  # noqa: BLE001 - not a URL after all: keep only its scheme
                value = value.split("://", 1)[0] + "://…"
        shown[key] = value if isinstance(value, (str, int, float, bool, list)) else str(value)
    return shown


def command_name(args) -> str:
    name = getattr(args, "command", None) or "?"
    if getattr(args, "report", None):
        name += f" {args.report}"
    return name


def record_command(db, actor, args) -> None:
    """One audit row for this command (action ``command``, entity
    ``database``): the command and its arguments without secrets. The
    row's user id is kept only when that user exists in ``db`` (after a
    restore the database is another one)."""
    from sqlalchemy import select

    from gridadmin.models import User
    from gridadmin.services.access import audit

    arguments = audited_arguments(args)
    name = command_name(args)
    line = " ".join([name, *(f"--{k.replace('_', '-')}" + ("" if v is True else f" {v}")
                             for k, v in arguments.items())])
    with db.session() as session:
        who = actor
        if actor.user_id is not None and session.scalar(
                select(User.username).where(User.id == actor.user_id)) != actor.username:
            who = type(actor)(None, actor.username, actor.display_name, actor.roles, actor.scope)
        audit.record(session, who, audit.ACTION_COMMAND, "database", None,
                     changes={"command": [None, name], "arguments": [None, json.loads(json.dumps(arguments))]},
                     summary=f"命令行：{line}")
