"""Users, login, lock-out and the permission checks of services."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from gridadmin.models import AuditLog
from gridadmin.services.areas import tree as areas
from gridadmin.services.access.permissions import PermissionDeniedError, SYSTEM
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.access.users import (
    authenticate, change_own_password, create_user, list_users, needs_first_admin, reset_password, set_roles,
)

PASSWORD = "wangge2026"


@pytest.fixture
def admin(township_db):
    assert needs_first_admin(township_db)
    create_user(township_db, "admin", "王管理", PASSWORD, ["admin"])
    return authenticate(township_db, "admin", PASSWORD)


def test_first_user_must_be_admin_and_passwords_are_checked(township_db):
    with pytest.raises(ValidationError, match="第一个用户必须是管理员"):
        create_user(township_db, "clerk", "李文员", PASSWORD, ["clerk"])
    with pytest.raises(ValidationError, match="至少 8 位"):
        create_user(township_db, "admin", "王管理", "abc12", ["admin"])
    with pytest.raises(ValidationError, match="字母和数字"):
        create_user(township_db, "admin", "王管理", "12345678", ["admin"])


def test_login_lockout_after_five_failures(township_db, admin):
    start = datetime(2026, 11, 27, 9, 0)
    for _ in range(5):
        with pytest.raises(PermissionDeniedError, match="用户名或密码不正确"):
            authenticate(township_db, "admin", "wrong-pass1", now=start)
    with pytest.raises(PermissionDeniedError, match="账号已锁定"):
        authenticate(township_db, "admin", PASSWORD, now=start + timedelta(minutes=5))
    actor = authenticate(township_db, "ADMIN", PASSWORD, now=start + timedelta(minutes=16))
    assert actor.is_admin and actor.scope is None
    with pytest.raises(PermissionDeniedError, match="用户名或密码不正确"):
        authenticate(township_db, "nobody", PASSWORD)


def test_clerk_is_limited_to_their_community(township_db, admin):
    db = township_db.as_actor(admin)
    nodes = areas.load_tree(db)
    mine = next(n for n in nodes if n.name == "河街社区")
    other = next(n for n in nodes if n.name == "外号社区")
    create_user(db, "clerk", "李文员", PASSWORD, ["clerk"], scope=[mine.id])
    clerk = authenticate(db, "clerk", PASSWORD)
    as_clerk = township_db.as_actor(clerk)
    areas.add_area(as_clerk, mine.id, areas.AreaInput(name="第一网格"))
    with pytest.raises(PermissionDeniedError, match="“外号社区”不在当前用户“李文员”负责的区域内"):
        areas.add_area(as_clerk, other.id, areas.AreaInput(name="第一网格"))
    with pytest.raises(PermissionDeniedError, match="无权管理用户"):
        create_user(as_clerk, "x2", "某人", PASSWORD, ["official"])


def test_official_changes_nothing(township_db, admin):
    db = township_db.as_actor(admin)
    create_user(db, "leader", "赵领导", PASSWORD, ["official"])
    official = township_db.as_actor(authenticate(db, "leader", PASSWORD))
    community = next(n for n in areas.load_tree(official) if n.name == "河街社区")
    with pytest.raises(PermissionDeniedError, match="（领导）无权修改网格设置"):
        areas.add_area(official, community.id, areas.AreaInput(name="第一网格"))
    with pytest.raises(PermissionDeniedError):
        areas.set_area_active(official, community.id, False)
    assert next(n for n in areas.load_tree(official) if n.id == community.id).active


def test_area_changes_are_audited_with_old_and_new_values(township_db, admin):
    db = township_db.as_actor(admin)
    community = next(n for n in areas.load_tree(db) if n.name == "河街社区")
    grid = areas.add_area(db, community.id, areas.AreaInput(name="第一网格"))
    areas.update_area(db, grid, areas.AreaInput(name="第一网格（新）"))
    with township_db.session() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.entity == "area").order_by(AuditLog.id)).all()
        assert [r.action for r in rows] == ["create", "update"]
        assert rows[1].username == "admin" and '"name": ["第一网格", "第一网格（新）"]' in rows[1].changes


def test_passwords_and_roles(township_db, admin):
    db = township_db.as_actor(admin)
    user_id = create_user(db, "hr", "孙人事", PASSWORD, ["hr"])
    hr = township_db.as_actor(authenticate(db, "hr", PASSWORD))
    with pytest.raises(ValidationError, match="原密码不正确"):
        change_own_password(hr, "bad-old-1", "newpass2026")
    change_own_password(hr, PASSWORD, "newpass2026")
    authenticate(db, "hr", "newpass2026")
    reset_password(db, user_id, "reset2026a")
    authenticate(db, "hr", "reset2026a")
    with pytest.raises(ValidationError, match="唯一的管理员"):
        set_roles(db, admin.user_id, ["clerk"], [])
    set_roles(db, user_id, ["hr", "official"], [])
    assert {u.username: u.roles for u in list_users(db)}["hr"] == ("hr", "official")
    assert SYSTEM.is_admin
