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
from gridadmin.services.access.permissions import SEE_SENSITIVE, Actor


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


def tag_kind_visible(session: Session, actor: Actor, kind_id: int) -> bool:
    """Whether ``actor`` may see the tag kind ``kind_id`` (and its members)."""
    if may_see_sensitive(actor):
        return True
    return session.scalar(select(TagKind.sensitive).where(TagKind.id == kind_id)) is False


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
    from gridadmin.services.access.permissions import acting

    with db.session() as session:
        return [(k.id, k.name + ("（敏感）" if k.sensitive else "")) for k in visible_tag_kinds(session, acting(db))]


@dataclass(frozen=True)
class HeldTag:
    """A visible tag a person holds on a day."""

    kind_id: int
    name: str
    sensitive: bool
    start_date: date | None


def person_tags(db, person_id: int, day: date | None = None) -> list[HeldTag]:
    """The tags ``person_id`` holds on ``day`` (today) among the kinds the
    acting user may see, in display order; a person outside the user's
    areas is refused."""
    from gridadmin.models import Household, Person
    from gridadmin.services.access.permissions import acting, require_read

    day = day or date.today()
    with db.session() as session:
        actor = acting(db)
        found = session.execute(select(Person.name, Household.area_id).outerjoin(
            Household, Household.id == Person.household_id).where(Person.id == person_id)).one_or_none()
        if found is not None:
            require_read(session, actor, found.area_id, f"居民“{found.name}”")
        kinds = {k.id: k for k in visible_tag_kinds(session, actor)}
        if not kinds:
            return []
        rows = session.execute(select(PersonTag.tag_kind_id, PersonTag.start_date).where(
            PersonTag.person_id == person_id, PersonTag.tag_kind_id.in_(list(kinds)), holds_on(day)))
        held = {kind_id: start for kind_id, start in rows}
        return [HeldTag(k.id, k.name, k.sensitive, held[k.id]) for k in kinds.values() if k.id in held]


def set_person_tags(db, person_id: int, kind_ids: Iterable[int], on: date | None = None, *,
                    today: date | None = None) -> tuple[list[str], list[str]]:
    """Make the person hold exactly ``kind_ids`` among the kinds the acting
    user may see, from ``on`` (today): a new tag starts on ``on``, a dropped
    one ends on ``on`` (rows are closed, never deleted, so past counts stay
    reproducible). Kinds the user may not see are neither shown nor touched;
    asking for one is refused. Needs ``EDIT_REGISTER`` for the person's
    area; each change is audited. Returns ``(added names, ended names)``."""
    from gridadmin.models import Household, Person
    from gridadmin.services.access import audit
    from gridadmin.services.access.permissions import EDIT_REGISTER, acting, require
    from gridadmin.services.common.errors import NotFoundError, ValidationError

    from gridadmin.models.base import local_now
    from gridadmin.services.register.effective import date_problem

    today = today or date.today()
    on = on or today
    if on > today:
        raise ValidationError(f"标签日期 {on.isoformat()} 晚于今天。", field="日期", value=on)
    wanted = set(kind_ids)
    with db.session() as session:
        actor = acting(db)
        person = session.get(Person, person_id)
        if person is None:
            raise NotFoundError(f"人员（编号 {person_id}）不存在。", field="人员", value=person_id)
        area_id = session.scalar(select(Household.area_id).where(Household.id == person.household_id))
        require(session, actor, EDIT_REGISTER, area_id=area_id)
        problem = date_problem(person, on, today, "日期")
        kinds = {k.id: k for k in visible_tag_kinds(session, actor)}
        unknown = wanted - set(kinds)
        if unknown:
            raise ValidationError(f"特殊人群类别（编号 {min(unknown)}）不存在或无权设置。", field="特殊人群",
                                  value=min(unknown))
        current = {t.tag_kind_id: t for t in session.scalars(select(PersonTag).where(
            PersonTag.person_id == person_id, PersonTag.tag_kind_id.in_(list(kinds)), holds_on(on)))}
        added = [kinds[k].name for k in sorted(wanted - set(current), key=lambda k: list(kinds).index(k))]
        ended = [kinds[k].name for k in sorted(set(current) - wanted, key=lambda k: list(kinds).index(k))]
        if problem and (added or ended):
            raise ValidationError(problem + "。", field="日期", value=on)
        for kind_id in wanted - set(current):
            session.add(PersonTag(person_id=person_id, tag_kind_id=kind_id, start_date=on,
                                  entered_by=actor.username))
        for kind_id in set(current) - wanted:
            current[kind_id].end_date = on
            current[kind_id].ended_at, current[kind_id].ended_by = local_now(), actor.username
        if added or ended:
            session.flush()
            parts = ([f"加入 {'、'.join(added)}"] if added else []) + ([f"退出 {'、'.join(ended)}"] if ended else [])
            audit.record(session, actor, audit.ACTION_UPDATE, "person_tag", person_id,
                         changes={"tags": [sorted(kinds[k].name for k in current), sorted(kinds[k].name
                                                                                          for k in wanted)]},
                         summary=f"特殊人群：{person.name} {'，'.join(parts)}（{on.isoformat()} 起）")
        return added, ended


def tag_history(session: Session, person_id: int, kind_ids: Iterable[int]) -> list[tuple[date | None, str, str]]:
    """``[(day, 'start'|'end', tag name)]`` of the person's tag rows among
    ``kind_ids`` (the visible kinds), for the timeline."""
    kinds = list(kind_ids)
    if not kinds:
        return []
    out: list[tuple[date | None, str, str]] = []
    for start, end, created, name in session.execute(
            select(PersonTag.start_date, PersonTag.end_date, PersonTag.created_at, TagKind.name)
            .join(TagKind, TagKind.id == PersonTag.tag_kind_id)
            .where(PersonTag.person_id == person_id, PersonTag.tag_kind_id.in_(kinds))):
        out.append((start or (created.date() if created else None), "start", name))
        if end is not None:
            out.append((end, "end", name))
    return out
