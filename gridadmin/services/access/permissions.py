"""Who may do what: the acting user (``Actor``) and permission checks.

Every ``Database`` carries the actor its actions run as (``db.actor``);
the UI binds the logged-in user with ``db.as_actor(actor)``, the command
line and tests run as ``SYSTEM``. Write services call ``require`` before
changing anything, so a refusal happens in the service layer whatever the
UI shows.

Roles (a user may hold several):
- 管理员 admin: everything (users, settings, backups);
- 业务员 clerk: residents, households, grids and imports of the areas
  assigned to them (an area grants everything below it);
- 人事 hr: staff, assignments, training;
- 领导 official: reads and prints/exports what they are scoped to,
  changes nothing.
Full ID numbers and phones: admin, clerk (in scope), hr. Sensitive special
groups: admin and clerk only.

Reading is decided here too, never by the UI (``visible_areas``,
``full_numbers``, ``sees_sensitive``): every service that reads people
lists only those in the actor's areas (a user's areas are ticked one by
one, or 全部 explicitly; no area ticked means none), gives whole ID
numbers and phones only to actors with ``SEE_FULL_NUMBERS`` (a UI may ask
for them; it gets them only then) and leaves sensitive special groups out
for actors without ``SEE_SENSITIVE``.

A logged-in actor is re-read from the database when a session starts
(``Database.session`` calls ``refresh_actor``: one primary-key query, the
roles and areas again only when the user's version changed), so a change
of roles or areas, or 停用, takes effect at the user's next action.
"""

from __future__ import annotations

from dataclasses import dataclass

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Area, User, UserRole, UserScope
from gridadmin.models.access import ROLE_ADMIN, ROLE_CLERK, ROLE_HR, ROLE_LABELS, ROLE_OFFICIAL
from gridadmin.services.common.errors import ServiceError

EDIT_AREAS = "edit_areas"
EDIT_REGISTER = "edit_register"  # households, residents, tags, life events
IMPORT_REGISTER = "import_register"
EDIT_STAFF = "edit_staff"  # roster, assignments, certificates
EDIT_TRAINING = "edit_training"
EXPORT = "export"  # export and print
SEE_FULL_NUMBERS = "see_full_numbers"
SEE_SENSITIVE = "see_sensitive"
MANAGE_USERS = "manage_users"
MANAGE_SETTINGS = "manage_settings"  # settings, backups, restore
SUBMIT_REPORT = "submit_report"  # mark a month's report as sent up (已上报)
WITHDRAW_REPORT = "withdraw_report"  # withdraw a submitted report (管理员 only)

PERMISSION_LABELS = {
    EDIT_AREAS: "修改网格设置", EDIT_REGISTER: "修改户籍人口信息", IMPORT_REGISTER: "导入户籍人口数据",
    EDIT_STAFF: "修改网格员信息", EDIT_TRAINING: "修改培训记录", EXPORT: "导出和打印",
    SEE_FULL_NUMBERS: "查看完整证件号码和电话", SEE_SENSITIVE: "查看敏感人群信息",
    MANAGE_USERS: "管理用户", MANAGE_SETTINGS: "修改系统设置和备份",
    SUBMIT_REPORT: "上报月报", WITHDRAW_REPORT: "撤回已上报的月报",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    ROLE_ADMIN: frozenset(PERMISSION_LABELS),
    ROLE_CLERK: frozenset({EDIT_AREAS, EDIT_REGISTER, IMPORT_REGISTER, EXPORT, SEE_FULL_NUMBERS, SEE_SENSITIVE,
                        SUBMIT_REPORT}),
    ROLE_HR: frozenset({EDIT_STAFF, EDIT_TRAINING, EXPORT, SEE_FULL_NUMBERS}),
    ROLE_OFFICIAL: frozenset({EXPORT}),
}
# Permissions limited to the actor's areas (others apply everywhere).
SCOPED = frozenset({EDIT_AREAS, EDIT_REGISTER, IMPORT_REGISTER, SEE_FULL_NUMBERS, SEE_SENSITIVE})


class PermissionDeniedError(ServiceError):
    """The acting user's roles or areas do not allow the action."""


class AccountDisabledError(RuntimeError):
    """The logged-in user was deactivated (or deleted) since they logged in.

    Deliberately not a ``ServiceError``: pages catch those and show them in
    place; this one must reach the application, which returns to the login."""

    def __init__(self, username: str):
        super().__init__(f"账号“{username}”已被停用，请联系管理员。当前操作未执行，请重新登录。")
        self.username = username


@dataclass(frozen=True)
class Actor:
    """The user an action runs as. ``scope`` holds the area ids granted to
    the user (each with everything below it); None means every area (全部),
    an empty set no area. ``version`` is the user row's version when the
    actor was read (``refresh_actor`` compares it)."""

    user_id: int | None
    username: str
    display_name: str
    roles: frozenset[str]
    scope: frozenset[int] | None = None
    version: int | None = None

    @property
    def permissions(self) -> frozenset[str]:
        granted: set[str] = set()
        for role in self.roles:
            granted |= ROLE_PERMISSIONS.get(role, frozenset())
        return frozenset(granted)

    @property
    def is_admin(self) -> bool:
        return ROLE_ADMIN in self.roles

    def can(self, permission: str) -> bool:
        """Whether any role grants ``permission`` (ignoring areas)."""
        return permission in self.permissions

    @property
    def role_labels(self) -> str:
        return "、".join(ROLE_LABELS.get(r, r) for r in sorted(self.roles)) or "无角色"


SYSTEM = Actor(None, "system", "系统", frozenset({ROLE_ADMIN}))


def acting(db) -> Actor:
    """The actor a ``Database`` runs as (``SYSTEM`` when none is bound)."""
    return db.actor or SYSTEM


def actor_of(session: Session, user: User) -> Actor:
    """The ``Actor`` of ``user`` as stored now (roles, areas or 全部)."""
    roles = frozenset(session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))
    scope = frozenset(session.scalars(select(UserScope.area_id).where(UserScope.user_id == user.id)))
    return Actor(user.id, user.username, user.display_name, roles,
                 None if ROLE_ADMIN in roles or user.all_areas else scope, user.version)


def refresh_actor(session: Session, actor: Actor) -> Actor:
    """``actor`` as the database holds it now: one primary-key query, and
    the roles and areas again when the user row's version changed (every
    change of roles, areas or 停用 bumps it). Raises ``AccountDisabledError``
    for a deactivated or deleted user. Actors not read from the database
    (the system, actors built in code: no ``version``) are returned as is."""
    if actor.user_id is None or actor.version is None:
        return actor
    row = session.execute(select(User.version, User.active).where(User.id == actor.user_id)).one_or_none()
    if row is None or not row.active:
        raise AccountDisabledError(actor.username)
    if row.version == actor.version:
        return actor
    user = session.get(User, actor.user_id)
    return actor_of(session, user)


def visible_areas(session: Session, actor: Actor) -> frozenset[int] | None:
    """Every area id the actor may read (their areas and everything below
    them), or None for every area (administrators, 全部, the system).
    Computed once per session from the area tree (small)."""
    if actor.scope is None or actor.is_admin:
        return None
    key = ("visible_areas", actor.scope)
    cached = session.info.get(key)
    if cached is not None:
        return cached
    children: dict[int | None, list[int]] = {}
    for child, parent in session.execute(select(Area.id, Area.parent_id)):
        children.setdefault(parent, []).append(child)
    found: set[int] = set()
    stack = list(actor.scope)
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, ()))
    result = frozenset(found)
    session.info[key] = result
    return result


def readable_areas(db) -> frozenset[int] | None:
    """``visible_areas`` of the acting user, for pickers (None: every area)."""
    with db.session() as session:
        return visible_areas(session, acting(db))


def area_condition(session: Session, actor: Actor, column):
    """SQL condition "``column`` (an area id column) lies in the actor's
    areas", or None when the actor reads every area. An ``IN`` list of area
    ids, so the column's index serves it."""
    areas = visible_areas(session, actor)
    if areas is None:
        return None
    return column.in_(sorted(areas))


def readable(session: Session, actor: Actor, area_id: int | None) -> bool:
    """Whether a record of ``area_id`` lies in the areas the actor reads (a
    record with no area only for actors of every area)."""
    areas = visible_areas(session, actor)
    return areas is None or (area_id is not None and area_id in areas)


def require_read(session: Session, actor: Actor, area_id: int | None, what: str) -> None:
    """Refuse reading ``what`` (e.g. 居民“张三”) of ``area_id`` outside the
    actor's areas with a ``PermissionDeniedError`` naming the area."""
    if readable(session, actor, area_id):
        return
    name = session.scalar(select(Area.name).where(Area.id == area_id)) if area_id is not None else None
    where = f"“{name}”" if name else "未分配区域的记录"
    raise PermissionDeniedError(f"{what}属于{where}，不在当前用户“{actor.display_name}”负责的区域内，无权查看。",
                                field="区域", value=name or "")


def full_numbers(actor: Actor, asked: bool = True) -> bool:
    """Whether whole ID numbers and phones go out: the UI (or command line)
    asked for them and the actor may see them. Rows outside the actor's
    areas never go out at all, so the area part of the permission holds."""
    return bool(asked) and actor.can(SEE_FULL_NUMBERS)


def sees_sensitive(actor: Actor) -> bool:
    """Whether sensitive special groups (and membership in them) go out."""
    return actor.can(SEE_SENSITIVE)


def number_maskers(actor: Actor, asked: bool = True) -> tuple[Callable[[str | None], str], Callable[[str | None], str]]:
    """``(id_text, phone_text)`` for values leaving a service: whole when
    ``full_numbers(actor, asked)``, masked otherwise ('' for None)."""
    from gridadmin.services.common.idcard import mask_id_number, mask_phone

    if full_numbers(actor, asked):
        return (lambda v: v or ""), (lambda v: v or "")
    return (lambda v: mask_id_number(v) if v else ""), (lambda v: mask_phone(v) if v else "")


def area_in_scope(session: Session, actor: Actor, area_id: int | None) -> bool:
    """Whether ``area_id`` lies in (or under) one of the actor's areas."""
    if actor.scope is None or actor.is_admin:
        return True
    current = area_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current in actor.scope:
            return True
        seen.add(current)
        current = session.scalar(select(Area.parent_id).where(Area.id == current))
    return False


def require(session: Session, actor: Actor, permission: str, *, area_id: int | None = None) -> None:
    """Raise ``PermissionDeniedError`` unless the actor may do ``permission``
    (for ``area_id`` when the permission is limited to areas)."""
    label = PERMISSION_LABELS.get(permission, permission)
    if not actor.can(permission):
        raise PermissionDeniedError(f"当前用户“{actor.display_name}”（{actor.role_labels}）无权{label}。",
                                    field="权限", value=permission)
    if permission in SCOPED and area_id is not None and not area_in_scope(session, actor, area_id):
        name = session.scalar(select(Area.name).where(Area.id == area_id)) or str(area_id)
        raise PermissionDeniedError(f"“{name}”不在当前用户“{actor.display_name}”负责的区域内，无权{label}。",
                                    field="区域", value=name)
