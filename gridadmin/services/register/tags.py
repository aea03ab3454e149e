"""Group memberships (tags) of the three families — 特殊人群 (刑满释放人员,
社区矫正人员 …), 重点人员 (重点上访人员 …), 关怀对象 (独居老人, 残疾人 …):
which kinds an actor may see, the SQL condition "holds on a day", and
reading/setting a person's memberships.

Sensitive kinds (every 特殊人群 and 重点人员 kind by default) are visible
only to actors with ``SEE_SENSITIVE``: every list, filter and card goes
through ``visible_tag_kinds`` / ``tag_kind_visible`` so there is one
filtering point. Age-defined kinds (老年人, 高龄老人) are computed from the
birth date (``age_groups``), never stored. A membership is not counted from
its ``due_end`` on (矫正期满 …) even before a person confirms the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from gridadmin.models import Person, PersonTag, TagKind
from gridadmin.models.groups import FAMILIES, FAMILY_CARE, family_rank
from gridadmin.services.access.permissions import SEE_SENSITIVE, Actor
from gridadmin.services.register import group_fields
from gridadmin.services.register.age_groups import computed_kinds, reaches, turned_on


@dataclass(frozen=True)
class TagKindInfo:
    id: int
    code: str
    name: str
    sensitive: bool
    family: str = FAMILY_CARE
    age: int | None = None  # age-defined (computed) kinds: the threshold in years

    @property
    def family_name(self) -> str:
        return FAMILIES.get(self.family, self.family)


def may_see_sensitive(actor: Actor) -> bool:
    return actor.can(SEE_SENSITIVE)


def visible_tag_kinds(session: Session, actor: Actor) -> list[TagKindInfo]:
    """Active tag kinds in display order, sensitive ones only for actors
    allowed to see them."""
    stmt = (select(TagKind.id, TagKind.code, TagKind.name, TagKind.sensitive, TagKind.family)
            .where(TagKind.active.is_(True)))
    if not may_see_sensitive(actor):
        stmt = stmt.where(TagKind.sensitive.is_(False))
    ages = computed_kinds(session)
    return [TagKindInfo(*r, age=ages[r.id][1] if r.id in ages else None)
            for r in session.execute(stmt.order_by(family_rank(), TagKind.sort_order, TagKind.id))]


def tag_kind_visible(session: Session, actor: Actor, kind_id: int) -> bool:
    """Whether ``actor`` may see the tag kind ``kind_id`` (and its members)."""
    if may_see_sensitive(actor):
        return True
    return session.scalar(select(TagKind.sensitive).where(TagKind.id == kind_id)) is False


def recorded_on(day: date):
    """SQL condition: a ``person_tag`` row holds on ``day`` as recorded (the
    end date is the first day it no longer holds), due end or not."""
    return and_(or_(PersonTag.start_date.is_(None), PersonTag.start_date <= day),
                or_(PersonTag.end_date.is_(None), PersonTag.end_date > day))


def holds_on(day: date):
    """SQL condition: a ``person_tag`` row counts on ``day``: recorded as
    holding, and its due end (矫正期满 …), confirmed or not, not reached."""
    return and_(recorded_on(day), or_(PersonTag.due_end.is_(None), PersonTag.due_end > day))


def tag_names_of(session: Session, person_ids: Sequence[int], kind_ids: Iterable[int], day: date
                 ) -> dict[int, list[str]]:
    """``{person_id: [tag name, ...]}`` of the tags holding on ``day`` among
    ``kind_ids`` (the kinds the actor may see)."""
    return {pid: [name for _family, name in held]
            for pid, held in _held_names(session, person_ids, kind_ids, day).items()}


def tag_names_by_family(session: Session, person_ids: Sequence[int], kind_ids: Iterable[int], day: date
                        ) -> dict[int, dict[str, list[str]]]:
    """``{person_id: {family: [kind name, ...]}}`` like ``tag_names_of``."""
    found: dict[int, dict[str, list[str]]] = {}
    for pid, held in _held_names(session, person_ids, kind_ids, day).items():
        for family, name in held:
            found.setdefault(pid, {}).setdefault(family, []).append(name)
    return found


def _held_names(session: Session, person_ids: Sequence[int], kind_ids: Iterable[int], day: date
                ) -> dict[int, list[tuple[str, str]]]:
    """``{person_id: [(family, kind name), ...]}`` in display order: the
    stored memberships counting on ``day`` and the age-defined kinds the
    person has reached by then."""
    kinds = list(kind_ids)
    if not person_ids or not kinds:
        return {}
    order = {r.id: (i, r.family, r.name) for i, r in enumerate(session.execute(
        select(TagKind.id, TagKind.family, TagKind.name).where(TagKind.id.in_(kinds))
        .order_by(family_rank(), TagKind.sort_order, TagKind.id)))}
    ages = {k: v for k, v in computed_kinds(session).items() if k in order}
    held: dict[int, set[int]] = {}
    for person_id, kind_id in session.execute(
            select(PersonTag.person_id, PersonTag.tag_kind_id)
            .where(PersonTag.person_id.in_(list(person_ids)), PersonTag.tag_kind_id.in_(kinds), holds_on(day))):
        if kind_id not in ages:
            held.setdefault(person_id, set()).add(kind_id)
    if ages:
        for person_id, birth in session.execute(select(Person.id, Person.birth_date)
                                                .where(Person.id.in_(list(person_ids)))):
            for kind_id, (_name, years) in ages.items():
                if reaches(birth, day, years):
                    held.setdefault(person_id, set()).add(kind_id)
    return {pid: [order[k][1:] for k in sorted(ks, key=lambda k: order[k][0])] for pid, ks in held.items()}


def group_kinds(db) -> list[TagKindInfo]:
    """The kinds the acting user may see, by family, for forms."""
    from gridadmin.services.access.permissions import acting

    with db.session() as session:
        return visible_tag_kinds(session, acting(db))


def tag_choices(db) -> list[tuple[int, str]]:
    """``[(tag kind id, name)]`` the acting user may see and filter by."""
    from gridadmin.services.access.permissions import acting

    with db.session() as session:
        return [(k.id, f"{k.family_name} · {k.name}" + ("（敏感）" if k.sensitive else ""))
                for k in visible_tag_kinds(session, acting(db))]


@dataclass(frozen=True)
class HeldTag:
    """A visible tag a person holds on a day."""

    kind_id: int
    name: str
    sensitive: bool
    start_date: date | None
    family: str = FAMILY_CARE
    computed: bool = False  # age-defined: from the birth date, not editable
    code: str = ""
    details: tuple[tuple[str, str], ...] = ()  # the kind's fields (``group_fields``): (key, value)
    due_end: date | None = None  # the day it is due to end (矫正期满 …), None if none

    def detail(self, key: str) -> str:
        return dict(self.details).get(key, "")


def person_tags(db, person_id: int, day: date | None = None) -> list[HeldTag]:
    """The tags ``person_id`` holds on ``day`` (today) among the kinds the
    acting user may see, in display order; a person outside the user's
    areas is refused."""
    from gridadmin.models import Household
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
        rows = session.execute(select(PersonTag.tag_kind_id, PersonTag.start_date, PersonTag.details,
                                      PersonTag.due_end).where(
            PersonTag.person_id == person_id, PersonTag.tag_kind_id.in_(list(kinds)), recorded_on(day)))
        held = {kind_id: (start, tuple(sorted(group_fields.loads(details).items())), due)
                for kind_id, start, details, due in rows}
        birth = session.scalar(select(Person.birth_date).where(Person.id == person_id))
        for k in kinds.values():
            if k.age is not None and reaches(birth, day, k.age):
                held[k.id] = (turned_on(birth, k.age), (), None)
        return [HeldTag(k.id, k.name, k.sensitive, held[k.id][0], k.family, k.age is not None, k.code,
                        held[k.id][1], held[k.id][2]) for k in kinds.values() if k.id in held]


def set_person_tags(db, person_id: int, kind_ids: Iterable[int], on: date | None = None, *,
                    today: date | None = None, details: dict[int, dict] | None = None
                    ) -> tuple[list[str], list[str]]:
    """Make the person hold exactly ``kind_ids`` among the kinds the acting
    user may see, from ``on`` (today): a new tag starts on ``on``, a dropped
    one ends on ``on`` (rows are closed, never deleted, so past counts stay
    reproducible). Kinds the user may not see are neither shown nor touched;
    asking for one is refused. ``details`` sets the fields of held kinds
    (``{kind id: {field key or label: value}}``, ``group_fields``; all of a
    kind's fields, empty ones cleared), which also set the day the
    membership is due to end. Needs ``EDIT_REGISTER`` for the person's
    area; each change is audited (the fields by name, never their values).
    Returns ``(added names, ended names)``."""
    from gridadmin.models import Household
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
            raise ValidationError(f"人群类别（编号 {min(unknown)}）不存在或无权设置。", field="人群类别",
                                  value=min(unknown))
        computed = [kinds[k].name for k in wanted if kinds[k].age is not None]
        if computed:
            raise ValidationError(f"“{computed[0]}”按出生日期计算，不能手工设置。", field="人群类别",
                                  value=computed[0])
        kinds = {k.id: k for k in kinds.values() if k.age is None}
        current = {t.tag_kind_id: t for t in session.scalars(select(PersonTag).where(
            PersonTag.person_id == person_id, PersonTag.tag_kind_id.in_(list(kinds)), recorded_on(on)))}
        added = [kinds[k].name for k in sorted(wanted - set(current), key=lambda k: list(kinds).index(k))]
        ended = [kinds[k].name for k in sorted(set(current) - wanted, key=lambda k: list(kinds).index(k))]
        if problem and (added or ended):
            raise ValidationError(problem + "。", field="日期", value=on)
        cleaned = {}
        for kind_id, values in (details or {}).items():
            if kind_id not in wanted or kind_id not in kinds:
                raise ValidationError(f"“{kinds[kind_id].name if kind_id in kinds else kind_id}”未勾选，不能填写其信息。",
                                      field="人群类别", value=kind_id)
            k = kinds[kind_id]
            cleaned[kind_id] = group_fields.clean_details(k.code, k.family, values, person_name=person.name,
                                                          person_id_number=person.id_number)
        added_ids = wanted - set(current)
        for kind_id in added_ids:
            current[kind_id] = PersonTag(person_id=person_id, tag_kind_id=kind_id, start_date=on,
                                         entered_by=actor.username)
            session.add(current[kind_id])
        filled = []
        for kind_id in wanted:
            row, code = current[kind_id], kinds[kind_id].code
            new = cleaned.get(kind_id, group_fields.loads(row.details))
            if group_fields.dumps(new) != row.details:
                row.details = group_fields.dumps(new)
                filled.append(kinds[kind_id].name)
            due = group_fields.due_end(code, new, person.birth_date)
            if due != row.due_end:
                row.due_end = due
        for kind_id in set(current) - wanted:
            current[kind_id].end_date = on
            current[kind_id].ended_at, current[kind_id].ended_by = local_now(), actor.username
        filled = [name for name in filled if name not in added]
        if filled:
            audit.record(session, actor, audit.ACTION_UPDATE, "person_tag", person_id,
                         changes={"fields": [None, sorted(filled)]},
                         summary=f"人群类别：{person.name} 修改 {'、'.join(filled)} 的信息")
        if added or ended:
            session.flush()
            parts = ([f"加入 {'、'.join(added)}"] if added else []) + ([f"退出 {'、'.join(ended)}"] if ended else [])
            audit.record(session, actor, audit.ACTION_UPDATE, "person_tag", person_id,
                         changes={"tags": [sorted(kinds[k].name for k in current if k not in added_ids),
                                           sorted(kinds[k].name for k in wanted)]},
                         summary=f"人群类别：{person.name} {'，'.join(parts)}（{on.isoformat()} 起）")
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
