"""Life events of residents, never deletions: move out (迁出), death (死亡)
and moving to another household (户间迁移). Each writes a ``PersonEvent``
with its date and households, updates the person and is audited, in one
transaction.

Each returns the notice ``submission.submitted_month_notice`` gives when
the event's date falls in a month whose report was submitted (the event is
recorded all the same and counts as 更正 in the next month's report), else
None.

Head rule: the head cannot leave a household that keeps other members —
change the head on the household card first. A household whose last member
leaves is marked dissolved on that date (households are never deleted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from gridadmin.db import Database
from gridadmin.models import House, Household, Person, PersonEvent
from gridadmin.models.household import (
    EVENT_CATEGORY, EVENT_DIED, EVENT_HOUSE, EVENT_MOVED_IN, EVENT_MOVED_OUT, EVENT_REGISTERED, EVENT_TRANSFER, PERSON_ACTIVE, PERSON_DECEASED,
    PERSON_MOVED_OUT,
)
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EDIT_REGISTER, acting, require, require_read
from gridadmin.services.common.errors import NotFoundError, ValidationError
from gridadmin.services.register.effective import CATEGORY_PINNING, PLACING, date_problem, latest_change
from gridadmin.services.register.household_rules import is_head
from gridadmin.services.register.placement import area_of, check_placement, person_area
from gridadmin.services.reports.snapshot import SubmittedMonths
from gridadmin.services.common.text import clean_text


@dataclass(frozen=True)
class EventRow:
    """One line of a resident's timeline."""

    kind: str
    event_date: date
    from_household: str
    to_household: str
    place: str
    note: str
    from_house: str = ""
    to_house: str = ""


def move_out(db: Database, person_id: int, on: date, destination: str, *, note: str = "",
             expected_version: int | None = None, today: date | None = None) -> str | None:
    """迁出: the person leaves the register for ``destination`` on ``on``."""
    destination = clean_text(destination)
    if not destination:
        raise ValidationError("请填写迁出去向。", field="迁往", value="")
    with db.session() as session:
        person = _active_person(db, session, person_id, expected_version)
        _check_date(person, on, today or date.today(), "迁出日期")
        _leave(session, person, on)
        person.status, person.moved_out_on, person.moved_out_to = PERSON_MOVED_OUT, on, destination
        return _record(db, session, person, EVENT_MOVED_OUT, on, from_household_id=person.household_id,
                       from_house_id=person.house_id, place=destination, note=note)


def record_death(db: Database, person_id: int, on: date, *, note: str = "", expected_version: int | None = None,
                 today: date | None = None) -> str | None:
    """死亡: not before birth (or registration), not in the future."""
    with db.session() as session:
        person = _active_person(db, session, person_id, expected_version)
        _check_date(person, on, today or date.today(), "死亡日期")
        _leave(session, person, on)
        person.status, person.died_on = PERSON_DECEASED, on
        return _record(db, session, person, EVENT_DIED, on, from_household_id=person.household_id,
                       from_house_id=person.house_id, note=note)


def transfer(db: Database, person_id: int, to_household_id: int, on: date, relation: str, *, note: str = "",
             expected_version: int | None = None, today: date | None = None) -> str | None:
    """户间迁移: the person joins household ``to_household_id`` on ``on``
    with ``relation`` to its head (the new household keeps one head)."""
    if not relation:
        raise ValidationError("请填写在新户中与户主的关系。", field="与户主关系", value="")
    with db.session() as session:
        person = _active_person(db, session, person_id, expected_version)
        _check_date(person, on, today or date.today(), "迁移日期")
        target = session.get(Household, to_household_id)
        if target is None or target.dissolved_on is not None:
            raise ValidationError("迁入的户不存在或已注销。", field="迁入户", value=to_household_id)
        if target.id == person.household_id:
            raise ValidationError(f"“{person.name}”已在户 {target.household_no} 中。", field="迁入户",
                                  value=target.household_no)
        require(session, acting(db), EDIT_REGISTER, area_id=target.area_id)
        if is_head(relation) and _head_of(session, target.id) is not None:
            raise ValidationError(f"户 {target.household_no} 已有户主“{_head_of(session, target.id)}”。",
                                  field="与户主关系", value=relation)
        old = person.household_id
        _leave(session, person, on)
        person.household_id, person.relation = target.id, relation
        return _record(db, session, person, EVENT_TRANSFER, on, from_household_id=old, to_household_id=target.id,
                       note=note)


def change_category(db: Database, person_id: int, category: str, on: date, *, note: str = "",
                    expected_version: int | None = None, today: date | None = None) -> str | None:
    """类别变更: the person's 人口类别 becomes ``category`` (a code of the
    resident_category list) from ``on``; a dated event keeps the old and
    new codes. Returns the notice when ``on`` falls in a submitted month."""
    from gridadmin.services.common.codes import CodeBook

    with db.session() as session:
        book = CodeBook.load(session)
        if category not in book.labels.get("resident_category", {}):
            raise ValidationError(f"人口类别“{category}”无效。", field="人口类别", value=category)
        person = _active_person(db, session, person_id, expected_version)
        _check_date(person, on, today or date.today(), "变更日期", CATEGORY_PINNING)
        if person.category == category:
            raise ValidationError(f"“{person.name}”的人口类别已是“{book.label('resident_category', category)}”。",
                                  field="人口类别", value=category)
        check_placement(person.name, category, person.household_id, person.house_id)
        old = person.category
        person.category = category
        return _record(db, session, person, EVENT_CATEGORY, on, old_value=old, new_value=category, note=note)


def timeline(db: Database, person_id: int) -> list[EventRow]:
    """The person's events, oldest first (refused for a person outside the
    acting user's areas)."""
    with db.session() as session:
        _require_person_readable(session, acting(db), person_id)
        numbers = dict(session.execute(select(Household.id, Household.household_no).where(Household.id.in_(
            select(PersonEvent.from_household_id).where(PersonEvent.person_id == person_id).union(
                select(PersonEvent.to_household_id).where(PersonEvent.person_id == person_id))))).all())
        events = session.scalars(select(PersonEvent).where(PersonEvent.person_id == person_id)
                                 .order_by(PersonEvent.event_date, PersonEvent.id)).all()
        house_ids = {i for e in events for i in (e.from_house_id, e.to_house_id) if i is not None}
        houses = dict(session.execute(select(House.id, House.address).where(House.id.in_(house_ids))).all()) \
            if house_ids else {}
        return [EventRow(e.kind, e.event_date, numbers.get(e.from_household_id, ""),
                         numbers.get(e.to_household_id, ""), e.place or "", e.note or "",
                         houses.get(e.from_house_id, ""), houses.get(e.to_house_id, ""))
                for e in events]


def _require_person_readable(session: Session, actor, person_id: int) -> None:
    found = person_area(session, person_id)
    if found is not None:
        require_read(session, actor, found[1], f"居民“{found[0]}”")


def _active_person(db: Database, session: Session, person_id: int, expected_version: int | None) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"人员（编号 {person_id}）不存在。", field="人员", value=person_id)
    require(session, acting(db), EDIT_REGISTER, area_id=area_of(session, person.household_id, person.house_id))
    if expected_version is not None and person.version != expected_version:
        raise audit.stale_record(session, "person", person.id, f"“{person.name}”", field="人员", value=person.name)
    if person.status != PERSON_ACTIVE:
        raise ValidationError(f"“{person.name}”的状态是“{person.status}”，不在册。", field="状态", value=person.status)
    return person


def _check_date(person: Person, on: date, today: date, label: str, kinds=PLACING) -> None:
    """The effective date checked as every register change is
    (``effective.date_problem``; ``kinds``: the events it cannot precede);
    ``ValidationError`` naming the field."""
    session = object_session(person)
    latest = latest_change(session, [person.id], kinds).get(person.id) if session is not None else None
    problem = date_problem(person, on, today, label, latest=latest)
    if problem:
        raise ValidationError(problem + "。", field=label, value=on)


def _head_of(session: Session, household_id: int) -> str | None:
    return session.scalar(select(Person.name).where(Person.household_id == household_id,
                                                    Person.status == PERSON_ACTIVE,
                                                    Person.relation.in_(("01", "02"))).limit(1))


def _leave(session: Session, person: Person, on: date) -> None:
    """Checks the head rule for leaving the current household; dissolves it
    when the person is its last active member."""
    if person.household_id is None:
        return
    others = session.scalar(select(func.count()).select_from(Person).where(
        Person.household_id == person.household_id, Person.status == PERSON_ACTIVE, Person.id != person.id)) or 0
    if others and is_head(person.relation):
        raise ValidationError(f"“{person.name}”是户主，本户还有 {others} 位成员：请先在户卡中指定新户主。",
                              field="与户主关系", value=person.name)
    if not others:
        household = session.get(Household, person.household_id)
        if household is not None and household.dissolved_on is None:
            household.dissolved_on = on


def _record(db: Database, session: Session, person: Person, kind: str, on: date, **event) -> str | None:
    changes = audit.changes_of(person)
    person_id, name = person.id, person.name  # a failed flush expires them
    session.add(PersonEvent(person_id=person_id, kind=kind, event_date=on, entered_by=acting(db).username, **event))
    try:
        session.flush()
    except StaleDataError as exc:
        # the person, or the household the last member leaves, was saved by someone else meanwhile
        raise audit.stale_record(session, "person", person_id, f"“{name}”", field="人员", value=name) from exc
    audit.record(session, acting(db), audit.ACTION_UPDATE, "person", person.id, changes=changes,
                 summary=f"{kind}：{person.name}（{on.isoformat()}）")
    household = event.get("from_household_id") or event.get("to_household_id") or person.household_id
    house = None if household else (event.get("from_house_id") or event.get("to_house_id") or person.house_id)
    area_id = area_of(session, household, house)
    return SubmittedMonths.load(session).notice(on, area_id)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the resident form's timeline: when, what, details."""

    day: date | None
    kind: str
    detail: str


def resident_history(db: Database, person_id: int) -> list[TimelineEntry]:
    """The person's life events (登记, 迁入, 户间迁移, 迁出, 死亡 …) and the
    start and end of their group memberships (only kinds the acting user
    may see), oldest first; undated entries last."""
    from gridadmin.services.register.tags import tag_history, visible_tag_kinds

    entries = []
    for e in timeline(db, person_id):
        parts = []
        if e.from_household:
            parts.append(f"从户 {e.from_household}")
        if e.to_household:
            parts.append(f"{'到' if e.from_household else '入'}户 {e.to_household}")
        if e.from_house and e.kind == EVENT_HOUSE:
            parts.append(f"离开房屋 {e.from_house}")
        if e.to_house:
            parts.append(f"住 {e.to_house}")
        if e.place:
            label = {EVENT_MOVED_OUT: "迁往", EVENT_REGISTERED: "来自", EVENT_MOVED_IN: "来自"}.get(e.kind, "地点")
            parts.append(f"{label}：{e.place}")
        if e.note:
            parts.append(f"备注：{e.note}")
        entries.append(TimelineEntry(e.event_date, e.kind, "，".join(parts)))
    with db.session() as session:
        kinds = [k.id for k in visible_tag_kinds(session, acting(db))]
        for day, what, name in tag_history(session, person_id, kinds):
            entries.append(TimelineEntry(day, "人群类别", f"{'加入' if what == 'start' else '退出'}：{name}"))
    order = {"登记": 0, "出生": 0, "迁入": 0}
    return sorted(entries, key=lambda t: (t.day is None, t.day or date.min, order.get(t.kind, 1)))
