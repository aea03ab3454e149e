"""Special-group tags (特殊人群): which kinds an actor may see, the SQL
condition "holds on a day", and reading/setting a person's tags.

Sensitive kinds (社区矫正, 刑满释放 …) are visible only to actors with
``SEE_SENSITIVE``: every list, filter and card goes through
``visible_tag_kinds`` / ``visible_kind_ids`` so there is one filtering point.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from gridadmin.models import PersonTag, TagKind
from gridadmin.services.access import SEE_SENSITIVE, Actor


@dataclass(frozen=True)
class TagKindInfo:
    id: int
    code: str
    name: str
    sensitive: bool


def may_see_sensitive(actor: Actor) -> bool:
    return actor.can(SEE_SENSITIVE)


def visible_tag_kinds(session: Session, actor: Actor) -> list[TagKindInfo]:
    """Active tag kinds in display order, sensitive ones only for actors
    allowed to see them."""
    stmt = select(TagKind.id, TagKind.code, TagKind.name, TagKind.sensitive).where(TagKind.active.is_(True))
    if not may_see_sensitive(actor):
        stmt = stmt.where(TagKind.sensitive.is_(False))
    return [TagKindInfo(*r) for r in session.execute(stmt.order_by(TagKind.sort_order, TagKind.id))]


def holds_on(day: date):
    """SQL condition: a ``person_tag`` row holds on ``day`` (the end date is
    the first day it no longer holds)."""
    return and_(or_(PersonTag.start_date.is_(None), PersonTag.start_date <= day),
                or_(PersonTag.end_date.is_(None), PersonTag.end_date > day))


def tag_names_of(session: Session, person_ids: Sequence[int], kind_ids: Iterable[int], day: date
                 ) -> dict[int, list[str]]:
    """``{person_id: [tag name, ...]}`` of the tags holding on ``day`` among
    ``kind_ids`` (the kinds the actor may see)."""
    kinds = list(kind_ids)
    if not person_ids or not kinds:
        return {}
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(PersonTag.person_id, TagKind.name).join(TagKind, TagKind.id == PersonTag.tag_kind_id)
        .where(PersonTag.person_id.in_(list(person_ids)), PersonTag.tag_kind_id.in_(kinds), holds_on(day))
        .order_by(PersonTag.person_id, TagKind.sort_order))
    for person_id, name in rows:
        found.setdefault(person_id, []).append(name)
    return found


def tag_choices(db) -> list[tuple[int, str]]:
    """``[(tag kind id, name)]`` the acting user may see and filter by."""
    from gridadmin.services.access import acting

    with db.session() as session:
        return [(k.id, k.name + ("（敏感）" if k.sensitive else "")) for k in visible_tag_kinds(session, acting(db))]
