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
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Area
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


@dataclass(frozen=True)
class Actor:
    """The user an action runs as. ``scope`` holds the area ids granted to
    the user (each with everything below it); None means every area."""

    user_id: int | None
    username: str
    display_name: str
    roles: frozenset[str]
    scope: frozenset[int] | None = None

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
