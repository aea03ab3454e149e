"""Who a training is for, and finding the people to invite.

The target group (培训对象) is stored as readable text on the session —
``网格长、专职网格员；河街社区、粮行社区；另含新入职人员`` — so it prints as
written; ``TargetGroup`` is its structured form: role codes, community ids
and any further words. ``parse_target_group`` reads text written by hand or
by an older version, keeping every word it does not recognise in ``extra``
(nothing typed is lost).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from gridadmin.db import Database
from gridadmin.models import Area, Staff, StaffAssignment
from gridadmin.models.area import LEVEL_COMMUNITY
from gridadmin.services.roster.listing import search_condition
from gridadmin.services.training.sessions import grid_names_on

_GROUP_SEP = "；"
_ITEM_SEP = "、"


@dataclass(frozen=True)
class TargetGroup:
    """Roles (codes) and communities (area ids) a session is for; empty
    means every role / the whole township. ``extra`` is free text."""

    roles: tuple[str, ...] = ()
    communities: tuple[int, ...] = ()
    extra: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.roles or self.communities or self.extra)


@dataclass(frozen=True)
class StaffPick:
    """One person offered in the attendee picker."""

    staff_id: int
    name: str
    grids: str
    phone: str


def community_choices(db: Database) -> list[tuple[int, str]]:
    """Active communities/villages ``(id, name)`` in tree order."""
    with db.session() as session:
        return list(session.execute(select(Area.id, Area.name).where(
            Area.level == LEVEL_COMMUNITY, Area.active.is_(True)).order_by(Area.sort_order, Area.id)).all())


def format_target_group(group: TargetGroup, roles: Sequence[tuple[str, str]],
                        communities: Sequence[tuple[int, str]]) -> str:
    """The text stored and printed for ``group`` ('' when empty)."""
    role_label = dict(roles)
    community_name = dict(communities)
    parts = [_ITEM_SEP.join(role_label.get(c, c) for c in group.roles),
             _ITEM_SEP.join(community_name.get(i, str(i)) for i in group.communities),
             group.extra.strip()]
    return _GROUP_SEP.join(p for p in parts if p)


def parse_target_group(text: str | None, roles: Sequence[tuple[str, str]],
                       communities: Sequence[tuple[int, str]]) -> TargetGroup:
    """Read stored text back: role labels and community names are
    recognised wherever they stand; the other words, in order, become
    ``extra``."""
    by_label = {label: code for code, label in roles}
    by_name = {name: area_id for area_id, name in communities}
    found_roles: list[str] = []
    found_areas: list[int] = []
    rest: list[str] = []
    normalized = (text or "").replace(";", _GROUP_SEP).replace("\n", _GROUP_SEP)
    for group in normalized.split(_GROUP_SEP):
        leftover = []
        for word in group.replace(",", _ITEM_SEP).replace("，", _ITEM_SEP).split(_ITEM_SEP):
            word = word.strip()
            if word in by_label and by_label[word] not in found_roles:
                found_roles.append(by_label[word])
            elif word in by_name and by_name[word] not in found_areas:
                found_areas.append(by_name[word])
            elif word:
                leftover.append(word)
        if leftover:
            rest.append(_ITEM_SEP.join(leftover))
    return TargetGroup(tuple(found_roles), tuple(found_areas), _GROUP_SEP.join(rest))


def target_group_staff(db: Database, group: TargetGroup, on: date) -> list[int]:
    """Ids of staff on post on ``on`` in one of the group's roles (any role
    when none) and communities (anywhere when none), by running
    assignments."""
    with db.session() as session:
        query = (select(StaffAssignment.staff_id).distinct()
                 .join(Staff, Staff.id == StaffAssignment.staff_id)
                 .where(StaffAssignment.start_date <= on,
                        or_(StaffAssignment.end_date.is_(None), StaffAssignment.end_date >= on),
                        or_(Staff.left_on.is_(None), Staff.left_on >= on)))
        if group.roles:
            query = query.where(StaffAssignment.role.in_(group.roles))
        if group.communities:
            tree = select(Area.id).where(Area.id.in_(group.communities)).cte("target_tree", recursive=True)
            tree = tree.union_all(select(Area.id).where(Area.parent_id == tree.c.id))
            query = query.where(StaffAssignment.area_id.in_(select(tree.c.id)))
        return sorted(session.scalars(query))


def find_staff(db: Database, typed: str, *, on: date, limit: int = 50,
               full_numbers: bool = False) -> list[StaffPick]:
    """Staff not yet left on ``on`` matching what was typed (name, pinyin
    initials or full pinyin, ID number or phone — as the roster search),
    at most ``limit``, in pinyin order. Empty text finds nobody. Only staff
    of the acting user's areas; whole phones only when asked
    (``full_numbers``) and the user may see them."""
    from gridadmin.services.access.permissions import acting, number_maskers
    from gridadmin.services.roster.listing import staff_scope

    condition = search_condition(typed)
    if condition is None:
        return []
    with db.session() as session:
        actor = acting(db)
        query = select(Staff.id, Staff.name, Staff.phone).where(condition,
                                                                 or_(Staff.left_on.is_(None), Staff.left_on >= on))
        scope = staff_scope(session, actor)
        if scope is not None:
            query = query.where(scope)
        rows = session.execute(query.order_by(Staff.name_pinyin, Staff.id).limit(limit)).all()
        grids = grid_names_on(session, [r.id for r in rows], on)
    _id_text, phone_text = number_maskers(actor, full_numbers)
    return [StaffPick(r.id, r.name, grids.get(r.id, ""), phone_text(r.phone)) for r in rows]
