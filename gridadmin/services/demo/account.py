"""The demo database's known account: a demo database made by the ``demo``
command opens straight away with ``demo`` / ``demo2026`` (an administrator),
and the login dialog shows it. Real databases never get it: the account
is created only in a database that has no user yet, and marked in the
settings so the login dialog can tell a demo database apart."""

from __future__ import annotations

from gridadmin.db import Database
from gridadmin.services.access.users import create_user, needs_first_admin
from gridadmin.services.common.settings import get_setting, set_setting

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo2026"
KEY_DEMO_ACCOUNT = "demo_account"


def create_demo_account(db: Database) -> bool:
    """Create the demo administrator when ``db`` has no user yet; True when
    it was created."""
    if not needs_first_admin(db):
        return False
    create_user(db, DEMO_USERNAME, "演示管理员", DEMO_PASSWORD, ["admin"])
    with db.session() as session:
        set_setting(session, KEY_DEMO_ACCOUNT, DEMO_USERNAME)
    return True


def demo_account(db: Database) -> tuple[str, str] | None:
    """``(user name, initial password)`` of a demo database's account, or
    None for a real database."""
    with db.session() as session:
        username = get_setting(session, KEY_DEMO_ACCOUNT)
    return (username, DEMO_PASSWORD) if username else None
