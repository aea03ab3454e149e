"""A user's areas: 全部 is explicit, no area means none; the upgrade keeps
existing users' reach; role, area and 停用 changes take effect at the
user's next action (not their next log-in); 停用/启用 in 系统设置 → 用户."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from gridadmin.models import AuditLog, User
from gridadmin.services.access.permissions import SYSTEM, AccountDisabledError, PermissionDeniedError, acting
from gridadmin.services.access.users import authenticate, create_user, list_users, set_active, set_roles
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register.household_list import HouseholdFilter, household_source
from gridadmin.services.register.households import HouseholdData, MemberData, save_household
from gridadmin.services.common.idcard import make_id_number
from tests import staffdata

PASSWORD = "wangge2026"


@pytest.fixture
def town(township_db):
    db = township_db
    places = staffdata.grids(db)
    create_user(db, "admin", "王管理", PASSWORD, ["admin"])
    admin = db.as_actor(authenticate(db, "admin", PASSWORD))
    for grid, number, seq in (("第一网格", "4113020010010001", 13), ("粮行网格", "4113020020010001", 15)):
        save_household(admin, None, HouseholdData(number, places[grid]),
                       [MemberData(None, f"户主{seq}", make_id_number("411302", date(1970, 5, 6), seq),
                                   relation="02")], today=date(2025, 1, 1))
    return db, admin, places


def _households(db) -> set[str]:
    source = household_source(db)
    query = PageQuery(HouseholdFilter())
    return {r.household_no for r in source.window(query, 0, source.count(query))}


def test_no_area_means_none_and_all_areas_is_explicit(town):
    db, admin, places = town
    create_user(admin, "nobody", "未选区域", PASSWORD, ["clerk"])
    create_user(admin, "everyone", "全部区域", PASSWORD, ["clerk"], all_areas=True)
    create_user(admin, "hejie", "河街", PASSWORD, ["clerk"], scope=[places["河街社区"]])
    assert _households(db.as_actor(authenticate(db, "nobody", PASSWORD))) == set()
    assert _households(db.as_actor(authenticate(db, "everyone", PASSWORD))) == {"4113020010010001",
                                                                                 "4113020020010001"}
    assert _households(db.as_actor(authenticate(db, "hejie", PASSWORD))) == {"4113020010010001"}
    assert _households(db) == {"4113020010010001", "4113020020010001"}  # the system (command line)
    assert acting(db) is SYSTEM and SYSTEM.scope is None
    rows = {u.username: u for u in list_users(admin)}
    assert rows["everyone"].all_areas and not rows["nobody"].all_areas and not rows["hejie"].all_areas


def test_role_and_area_changes_apply_at_the_next_action(town):
    db, admin, places = town
    create_user(admin, "clerk", "李文员", PASSWORD, ["clerk"], scope=[places["河街社区"]])
    clerk = db.as_actor(authenticate(db, "clerk", PASSWORD))
    assert _households(clerk) == {"4113020010010001"}
    set_roles(admin, acting(clerk).user_id, ["clerk"], [places["粮行社区"]])
    assert _households(clerk) == {"4113020020010001"}  # no new log-in
    set_roles(admin, acting(clerk).user_id, ["official"], [], all_areas=True)
    assert len(_households(clerk)) == 2
    assert acting(clerk).roles == frozenset({"official"}) and acting(clerk).scope is None
    with db.session() as s:
        change = s.scalars(select(AuditLog).where(AuditLog.entity == "user").order_by(AuditLog.id.desc())).first()
        assert "全部" in change.changes


def test_deactivation_refuses_the_next_action_and_the_login(town):
    db, admin, places = town
    create_user(admin, "clerk", "李文员", PASSWORD, ["clerk"], all_areas=True)
    clerk = db.as_actor(authenticate(db, "clerk", PASSWORD))
    user_id = acting(clerk).user_id
    assert _households(clerk)
    set_active(admin, user_id, False)
    with pytest.raises(AccountDisabledError, match="已被停用"):
        _households(clerk)
    with pytest.raises(PermissionDeniedError):
        authenticate(db, "clerk", PASSWORD)
    with db.session() as s:
        assert s.scalar(select(AuditLog.summary).where(AuditLog.entity == "user", AuditLog.entity_id == user_id)
                        .order_by(AuditLog.id.desc())) == "停用用户 clerk"
    set_active(admin, user_id, True)
    assert _households(db.as_actor(authenticate(db, "clerk", PASSWORD)))


def test_deactivation_is_refused_for_oneself_and_the_last_admin(town):
    db, admin, places = town
    me = acting(admin).user_id
    with pytest.raises(ValidationError, match="当前登录"):
        set_active(admin, me, False)
    create_user(admin, "clerk", "李文员", PASSWORD, ["clerk"], all_areas=True)
    clerk = db.as_actor(authenticate(db, "clerk", PASSWORD))
    with pytest.raises(PermissionDeniedError):
        set_active(clerk, me, False)
    with pytest.raises(ValidationError, match="唯一启用的管理员"):
        set_active(db, me, False)  # the system may, but not the last administrator
    with db.session() as s:
        assert s.get(User, me).active


def test_upgrade_gives_users_without_areas_all_areas(tmp_path):
    """A database of the previous schema (0008) whose users had no area
    (then: every area) and one with an area: after the upgrade the first
    keep every area, explicitly, the second keeps their area only."""
    import os

    from alembic import command
    from sqlalchemy import create_engine

    from gridadmin.db import open_database
    from gridadmin.migrations import alembic_config
    from tests.conftest import _empty_server_database

    url = os.environ.get("GRIDADMIN_TEST_DB") or f"sqlite:///{tmp_path / 'old.db'}"
    if url.startswith("postgresql"):
        _empty_server_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0008")
        conn.execute(text("INSERT INTO area (id, level, name, active, sort_order, version) VALUES "
                          "(1, 'township', '老镇', true, 0, 1), (2, 'community', '老社区', true, 0, 1)"))
        conn.execute(text("INSERT INTO app_user (id, username, display_name, active, failed_logins, version) VALUES "
                          "(1, 'old', '老用户', true, 0, 1), (2, 'scoped', '有区域', true, 0, 1)"))
        conn.execute(text("INSERT INTO user_role (user_id, role) VALUES (1, 'clerk'), (2, 'clerk')"))
        conn.execute(text("INSERT INTO user_scope (user_id, area_id) VALUES (2, 2)"))
    engine.dispose()
    db = open_database(url)
    try:
        rows = {u.username: u for u in list_users(db)}
        assert rows["old"].all_areas and rows["old"].scope == ()
        assert not rows["scoped"].all_areas and rows["scoped"].scope == (2,)
    finally:
        db.dispose()
