"""Users: the first administrator, logging in (argon2 password hashes,
5 failed attempts lock the account for 15 minutes), passwords, roles and
the areas a user serves (ticked one by one, or 全部 explicitly: no area
ticked means none), 停用/启用. Every change to a user's roles, areas or
state bumps the user row's version, so the user's next action sees it
(``permissions.refresh_actor``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm.attributes import flag_modified

from gridadmin.db import Database
from gridadmin.models import User, UserRole, UserScope
from gridadmin.models.access import ROLE_ADMIN, ROLE_LABELS
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import MANAGE_USERS, Actor, PermissionDeniedError, acting, actor_of, \
    require
from gridadmin.services.common.errors import NotFoundError, ValidationError
from gridadmin.services.common.text import clean_text

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    roles: tuple[str, ...]
    scope: tuple[int, ...]
    active: bool
    locked_until: datetime | None
    all_areas: bool = False


def needs_first_admin(db: Database) -> bool:
    """True while the database has no user at all (first start)."""
    with db.session() as session:
        return not session.scalar(select(func.count()).select_from(User))


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"密码至少 {MIN_PASSWORD_LENGTH} 位。", field="密码", value="")
    if password.isdigit() or password.isalpha():
        raise ValidationError("密码须同时包含字母和数字。", field="密码", value="")


def create_user(db: Database, username: str, display_name: str, password: str, roles: list[str],
                scope: list[int] | None = None, *, all_areas: bool = False) -> int:
    """Create a user. The very first user may be created by anyone and must
    be an administrator; later users need the 管理用户 permission. The user
    serves the areas in ``scope`` (none when empty), or every area with
    ``all_areas`` (全部); administrators always serve every area."""
    username = clean_text(username).lower()
    if not username or not username.replace("_", "").replace(".", "").isalnum() or len(username) > 40:
        raise ValidationError(f"用户名“{username}”无效：请用字母、数字，最长 40 位。", field="用户名", value=username)
    if not roles or any(r not in ROLE_LABELS for r in roles):
        raise ValidationError("请至少选择一个有效的角色。", field="角色", value=",".join(roles or []))
    _check_password(password)
    with db.session() as session:
        first = not session.scalar(select(func.count()).select_from(User))
        if first and ROLE_ADMIN not in roles:
            raise ValidationError("第一个用户必须是管理员。", field="角色", value=",".join(roles))
        if not first:
            require(session, acting(db), MANAGE_USERS)
        if session.scalar(select(User.id).where(User.username == username)):
            raise ValidationError(f"用户名“{username}”已被使用。", field="用户名", value=username)
        user = User(username=username, display_name=clean_text(display_name) or username,
                    password_hash=_hasher.hash(password), all_areas=bool(all_areas))
        session.add(user)
        session.flush()
        session.add_all([UserRole(user_id=user.id, role=r) for r in sorted(set(roles))])
        session.add_all([UserScope(user_id=user.id, area_id=a) for a in sorted(set(scope or []))])
        audit.record(session, acting(db), audit.ACTION_CREATE, "user", user.id,
                     changes={"username": [None, username], "roles": [None, sorted(set(roles))],
                              "scope": [None, "全部" if all_areas else sorted(set(scope or []))]},
                     summary=f"新增用户 {username}")
        return user.id


def authenticate(db: Database, username: str, password: str, *, now: datetime | None = None) -> Actor:
    """Check a login; returns the ``Actor``. Wrong passwords count up to a
    15-minute lock after 5 failures; the message never tells whether the
    user name exists."""
    now = now or datetime.now()
    username = clean_text(username).lower()
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise PermissionDeniedError("用户名或密码不正确。", field="用户名", value=username)
        if user.locked_until is not None and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            raise PermissionDeniedError(f"密码连续输错 {MAX_FAILED_LOGINS} 次，账号已锁定，请 {minutes} 分钟后再试，"
                                        "或请管理员重置密码。", field="用户名", value=username)
        try:
            _hasher.verify(user.password_hash or "", password)
        except (VerificationError, InvalidHashError):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                user.failed_logins = 0
            session.commit()
            raise PermissionDeniedError("用户名或密码不正确。", field="密码", value="") from None
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        session.flush()  # the version the actor carries is the row's after this login
        return actor_of(session, user)


def change_own_password(db: Database, old_password: str, new_password: str) -> None:
    """The acting user changes their password (the old one is required)."""
    actor = acting(db)
    _check_password(new_password)
    with db.session() as session:
        user = session.get(User, actor.user_id) if actor.user_id else None
        if user is None:
            raise NotFoundError("当前用户不存在。")
        try:
            _hasher.verify(user.password_hash or "", old_password)
        except (VerificationError, InvalidHashError):
            raise ValidationError("原密码不正确。", field="原密码", value="") from None
        user.password_hash = _hasher.hash(new_password)
        audit.record(session, actor, audit.ACTION_UPDATE, "user", user.id, summary="修改本人密码")


def reset_password(db: Database, user_id: int, new_password: str) -> None:
    """An administrator sets a new password and unlocks the account."""
    _check_password(new_password)
    with db.session() as session:
        require(session, acting(db), MANAGE_USERS)
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError("该用户不存在。", field="用户", value=user_id)
        user.password_hash = _hasher.hash(new_password)
        user.failed_logins = 0
        user.locked_until = None
        audit.record(session, acting(db), audit.ACTION_UPDATE, "user", user.id, summary=f"重置 {user.username} 的密码")


def list_users(db: Database) -> list[UserRow]:
    with db.session() as session:
        rows = []
        for user in session.scalars(select(User).order_by(User.username)):
            roles = tuple(sorted(session.scalars(select(UserRole.role).where(UserRole.user_id == user.id))))
            scope = tuple(sorted(session.scalars(select(UserScope.area_id).where(UserScope.user_id == user.id))))
            rows.append(UserRow(user.id, user.username, user.display_name, roles, scope, user.active,
                                user.locked_until, user.all_areas))
        return rows


def set_roles(db: Database, user_id: int, roles: list[str], scope: list[int], *, all_areas: bool = False) -> None:
    """Replace a user's roles and areas (``scope``, or every area with
    ``all_areas``; administrators only); the last administrator cannot
    lose the role. Takes effect at the user's next action."""
    if not roles or any(r not in ROLE_LABELS for r in roles):
        raise ValidationError("请至少选择一个有效的角色。", field="角色", value=",".join(roles or []))
    with db.session() as session:
        require(session, acting(db), MANAGE_USERS)
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError("该用户不存在。", field="用户", value=user_id)
        admins = set(session.scalars(select(UserRole.user_id).where(UserRole.role == ROLE_ADMIN)))
        if ROLE_ADMIN not in roles and admins == {user_id}:
            raise ValidationError("这是唯一的管理员，不能取消其管理员角色。", field="角色", value=",".join(roles))
        old = sorted(session.scalars(select(UserRole.role).where(UserRole.user_id == user_id)))
        old_scope = "全部" if user.all_areas else sorted(
            session.scalars(select(UserScope.area_id).where(UserScope.user_id == user_id)))
        session.execute(delete(UserRole).where(UserRole.user_id == user_id))
        session.execute(delete(UserScope).where(UserScope.user_id == user_id))
        session.add_all([UserRole(user_id=user_id, role=r) for r in sorted(set(roles))])
        session.add_all([UserScope(user_id=user_id, area_id=a) for a in sorted(set(scope))])
        user.all_areas = bool(all_areas)
        flag_modified(user, "all_areas")  # bump the version even when only roles/areas changed
        audit.record(session, acting(db), audit.ACTION_UPDATE, "user", user_id,
                     changes={"roles": [old, sorted(set(roles))],
                              "scope": [old_scope, "全部" if all_areas else sorted(set(scope))]})


def set_active(db: Database, user_id: int, active: bool) -> None:
    """停用 / 启用 a user (administrators only). A deactivated user cannot
    log in, and their next action in a running app is refused and returns
    them to the login. Nobody deactivates themselves or the last active
    administrator."""
    with db.session() as session:
        actor = acting(db)
        require(session, actor, MANAGE_USERS)
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError("该用户不存在。", field="用户", value=user_id)
        if user.active == bool(active):
            return
        if not active:
            if user_id == actor.user_id:
                raise ValidationError("不能停用当前登录的账号。", field="用户", value=user.username)
            active_admins = set(session.scalars(
                select(UserRole.user_id).join(User, User.id == UserRole.user_id)
                .where(UserRole.role == ROLE_ADMIN, User.active.is_(True))))
            if active_admins == {user_id}:
                raise ValidationError(f"“{user.username}”是唯一启用的管理员，不能停用。", field="用户",
                                      value=user.username)
        user.active = bool(active)
        audit.record(session, actor, audit.ACTION_UPDATE, "user", user_id,
                     changes={"active": [not active, bool(active)]},
                     summary=f"{'启用' if active else '停用'}用户 {user.username}")
