"""People at houses (以房管人): register a resident who has no 户, and
dated moves into and out of houses.

``add_resident_at_house`` registers a 流动人口, 境外人员 or 未落户人口 at a
house without any 户 or 户主 (a 户籍人口 is refused: they are added on the
household card). ``move_house`` records a dated 住所变更 (the effective-date
events of migration 0013: the day it happened, who entered it when);
leaving a house with no other means a person without a 户 keeps none is
refused. A renter moving in or out changes the 出租房's 承租人数 at once,
since that count is derived from where people live.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from sqlalchemy.orm.exc import StaleDataError

from gridadmin.db import Database
from gridadmin.models import House, Person, PersonEvent
from gridadmin.models.household import ARRIVAL_EVENTS, EVENT_BORN, EVENT_HOUSE, EVENT_MOVED_IN, EVENT_REGISTERED, \
    PERSON_ACTIVE
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EDIT_REGISTER, acting, require
from gridadmin.services.common.errors import NotFoundError, ValidationError
from gridadmin.services.common.pinyin import name_pinyin
from gridadmin.services.common.text import clean_text
from gridadmin.services.register.effective import arrival_problem, date_problem, latest_change
from gridadmin.services.register.households import MemberData, check_duplicate_ids
from gridadmin.services.register.houses import HouseData, house_at, normalise_house, save_house
from gridadmin.services.register.placement import area_of, check_placement
from gridadmin.services.register.resident_record import ResidentData, normalise_resident


def house_for_address(db: Database, data: HouseData, *, today: date | None = None) -> tuple[int, bool]:
    """``(house id, created)``: the house at ``data``'s address in its
    area, or a new one recorded from ``data`` (a 现住地址 typed on the
    resident form becomes a house)."""
    clean = normalise_house(data)
    with db.session() as session:
        found = house_at(session, clean.area_id, clean) if clean.area_id is not None else None
        if found is not None:
            return found.id, False
    return save_house(db, None, clean, today=today), True


def add_resident_at_house(db: Database, data: ResidentData, house_id: int | None, *, today: date | None = None,
                          on: date | None = None, arrival: str = EVENT_REGISTERED, place: str = "") -> int:
    """Register a new resident without a 户 living at ``house_id``; returns
    the new person's id. One transaction, audited. The person is 在册 from
    ``on`` (default today; 出生: the birth date), recorded by an event
    ``arrival`` (登记/出生/迁入) that also says which house they came to.

    Refused (``ValidationError``, nothing saved): the checks of
    ``normalise_resident``; no 人口类别; 户籍人口 (they belong in a 户); no
    house; a date in the future or before birth; an ID number held by
    another active person. Needs ``EDIT_REGISTER`` for the house's area."""
    today = today or date.today()
    data = normalise_resident(data, today)
    if not data.category:
        raise ValidationError(f"请选择“{data.name}”的人口类别。", field="人口类别", value="")
    check_placement(data.name, data.category, None, house_id)
    if arrival not in ARRIVAL_EVENTS:
        raise ValidationError(f"登记方式“{arrival}”无效。", field="登记方式", value=arrival)
    if on is None:
        on = data.birth_date if arrival == EVENT_BORN and data.birth_date else today
    label = {EVENT_BORN: "出生日期", EVENT_MOVED_IN: "迁入日期"}.get(arrival, "登记日期")
    problem = arrival_problem(on, today, data.name, data.birth_date, label)
    if problem:
        raise ValidationError(problem + "。", field=label, value=on)
    with db.session() as session:
        house = session.get(House, house_id)
        if house is None:
            raise NotFoundError(f"房屋（编号 {house_id}）已不存在，请刷新。", field="现住房屋", value=house_id)
        actor = acting(db)
        require(session, actor, EDIT_REGISTER, area_id=house.area_id)
        check_duplicate_ids(session, [MemberData(id=None, name=data.name, id_number=data.id_number)])
        person = Person(household_id=None, house_id=house.id, status=PERSON_ACTIVE, registered_on=on)
        for f in fields(ResidentData):
            value = getattr(data, f.name)
            setattr(person, f.name, None if value == "" else value)
        person.name_pinyin, person.name_initials = name_pinyin(data.name)
        session.add(person)
        changes = audit.changes_of(person)
        session.flush()
        session.add(PersonEvent(person_id=person.id, kind=arrival, event_date=on, to_house_id=house.id,
                                place=clean_text(place) or None, entered_by=actor.username))
        audit.record(session, actor, audit.ACTION_CREATE, "person", person.id, changes=changes,
                     summary=f"新增居民：{data.name}（无户，住 {house.address}，{arrival} {on.isoformat()}）")
        return person.id


def move_house(db: Database, person_id: int, house_id: int | None, on: date, *, note: str = "",
               expected_version: int | None = None, today: date | None = None) -> None:
    """住所变更: the person lives at ``house_id`` from ``on`` (None: no
    recorded house any more — only for someone in a 户). The date is checked
    like every register change (``effective.date_problem``). Needs
    ``EDIT_REGISTER`` for the person's area and the new house's."""
    today = today or date.today()
    with db.session() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFoundError(f"人员（编号 {person_id}）不存在。", field="人员", value=person_id)
        actor = acting(db)
        require(session, actor, EDIT_REGISTER, area_id=area_of(session, person.household_id, person.house_id))
        if expected_version is not None and person.version != expected_version:
            raise audit.stale_record(session, "person", person.id, f"“{person.name}”", field="人员",
                                     value=person.name)
        if person.status != PERSON_ACTIVE:
            raise ValidationError(f"“{person.name}”的状态是“{person.status}”，不在册。", field="状态",
                                  value=person.status)
        target = session.get(House, house_id) if house_id is not None else None
        if house_id is not None and target is None:
            raise NotFoundError(f"房屋（编号 {house_id}）已不存在，请刷新。", field="现住房屋", value=house_id)
        if target is not None:
            require(session, actor, EDIT_REGISTER, area_id=target.area_id)
        if person.house_id == house_id:
            where = f"房屋“{target.address}”" if target is not None else "无登记房屋"
            raise ValidationError(f"“{person.name}”已住在{where}。", field="现住房屋", value=house_id or "")
        check_placement(person.name, person.category, person.household_id, house_id)
        problem = date_problem(person, on, today, "变动日期", latest=latest_change(session, [person.id]).get(person.id))
        if problem:
            raise ValidationError(problem + "。", field="变动日期", value=on)
        old = person.house_id
        person_id, name = person.id, person.name
        person.house_id = house_id
        changes = audit.changes_of(person)
        session.add(PersonEvent(person_id=person_id, kind=EVENT_HOUSE, event_date=on, from_house_id=old,
                                to_house_id=house_id, note=clean_text(note) or None, entered_by=actor.username))
        try:
            session.flush()
        except StaleDataError as exc:
            raise audit.stale_record(session, "person", person_id, f"“{name}”", field="人员", value=name) from exc
        where = target.address if target is not None else "（无登记房屋）"
        audit.record(session, actor, audit.ACTION_UPDATE, "person", person_id, changes=changes,
                     summary=f"{EVENT_HOUSE}：{name} → {where}（{on.isoformat()}）")
