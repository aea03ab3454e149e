"""One resident's full record (人员信息): read it for the form, save edits.

Rules on save (refusals name the field and value; nothing changes):
- the name is required; a valid ID number fills birth date and gender, and
  a typed birth date or gender that disagrees with it is refused;
- an ID number already held by another active (在册) person anywhere in the
  register is refused, naming that person and their household;
- the phone must be a mobile number or a landline with area code;
- 流动人口 fields (流入时间, 流入原因, 来源地, 居住证号/有效期, 居住处所) are kept
  for categories 流动人口 and 境外人员 (抵达时间 is their 流入时间) and cleared
  for any other category; 流入时间
  cannot be in the future, 居住证有效期 cannot precede 流入时间;
- optimistic locking: a record changed by someone else since it was read
  raises ``ConflictError``.

Relation to the head, household and status are not edited here: the
household card (one head per household) and the life events own them.
Saving needs ``EDIT_REGISTER`` for the person's area and is audited.

``add_resident`` registers a new person (新增居民) in an existing household
with the full record and their relation to the head, under the household
card's rules (``household_rules``: exactly one head; implausible relations
or ages raise ``PlausibilityError`` unless confirmed).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from gridadmin.db import Database
from gridadmin.services.areas.names import full_name_of
from gridadmin.models import Area, House, Household, Person, PersonEvent
from gridadmin.models.household import (
    ARRIVAL_EVENTS, EVENT_BORN, EVENT_CATEGORY, EVENT_MOVED_IN, EVENT_REGISTERED, PERSON_ACTIVE,
)
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EDIT_REGISTER, acting, number_maskers, require, require_read
from gridadmin.services.common.errors import NotFoundError, ValidationError
from gridadmin.services.common.id_types import ID_CARD, LABELS
from gridadmin.services.register.effective import (
    CATEGORY_PINNING, arrival_problem, date_problem, future_problem, latest_change,
)
from gridadmin.services.register.household_rules import check_identity, check_members
from gridadmin.services.register.placement import area_of, check_placement
from gridadmin.services.register.renames import record_rename
from gridadmin.services.register.households import MemberData, PlausibilityError, check_duplicate_ids
from gridadmin.services.common.pinyin import name_pinyin
from gridadmin.services.roster.staff import normalize_phone
from gridadmin.services.common.text import clean_name, clean_text

CATEGORY_FLOATING = "3"  # 流动人口
CATEGORY_OVERSEAS = "4"  # 境外人员: 流入时间 (抵达时间), 流入原因 … kept as for 流动人口
INFLOW_CATEGORIES = (CATEGORY_FLOATING, CATEGORY_OVERSEAS)
FLOATING_FIELDS = ("inflow_date", "inflow_reason", "origin_place", "residence_permit_no",
                   "residence_permit_expires", "dwelling_type")
_TEXT_FIELDS = ("hukou_place", "occupation", "employer", "inflow_reason", "origin_place", "residence_permit_no",
                "dwelling_type", "nationality", "note")


@dataclass(frozen=True)
class ResidentData:
    """The editable fields of a resident (codes, not labels; '' = empty)."""

    name: str
    id_number: str = ""
    id_type: str = ID_CARD  # 证件类型 (``id_types``): a 居民身份证 tells birth date and gender
    gender: str | None = None
    birth_date: date | None = None
    ethnicity: str | None = None
    hukou_place: str = ""
    category: str | None = None
    residence_status: str | None = None
    political_status: str | None = None
    education: str | None = None
    marital_status: str | None = None
    occupation: str = ""
    employer: str = ""
    phone: str = ""
    inflow_date: date | None = None
    inflow_reason: str = ""
    origin_place: str = ""
    residence_permit_no: str = ""
    residence_permit_expires: date | None = None
    dwelling_type: str = ""
    nationality: str = ""  # 国籍 (境外人员)
    document_valid_until: date | None = None  # 证件有效期至
    other_phone: str = ""  # 其他电话
    note: str = ""


@dataclass(frozen=True)
class ResidentRecord:
    """A resident as read for the form: the editable ``data`` plus what the
    household card and the life events own (shown read-only)."""

    id: int
    version: int
    data: ResidentData
    household_id: int | None
    household_no: str
    area_id: int | None
    area_label: str
    relation: str | None
    status: str
    registered_on: date | None
    moved_out_on: date | None
    moved_out_to: str
    died_on: date | None
    house_id: int | None = None
    house_address: str = ""


def load_resident(db: Database, person_id: int) -> ResidentRecord:
    """The record of ``person_id``; ``NotFoundError`` if there is none, and
    ``PermissionDeniedError`` when it lies outside the acting user's areas.
    The ID number, phone and residence permit number come masked unless
    the user may see them whole."""
    with db.session() as session:
        actor = acting(db)
        p = session.get(Person, person_id)
        if p is None:
            raise NotFoundError(f"人员（编号 {person_id}）不存在。", field="人员", value=person_id)
        values = {f.name: getattr(p, f.name) for f in fields(ResidentData)}
        values.update({k: values[k] or "" for k in ("id_number", "phone", "other_phone", *_TEXT_FIELDS)})
        values["id_type"] = values["id_type"] or ID_CARD
        household = session.get(Household, p.household_id) if p.household_id else None
        house = session.get(House, p.house_id) if p.house_id else None
        area_id = area_of(session, p.household_id, p.house_id)
        require_read(session, actor, area_id, f"居民“{p.name}”")
        id_text, phone_text = number_maskers(actor)
        values.update(id_number=id_text(values["id_number"]), phone=phone_text(values["phone"]),
                      other_phone=phone_text(values["other_phone"]),
                      residence_permit_no=id_text(values["residence_permit_no"]))
        area = session.get(Area, area_id) if area_id is not None else None
        label = full_name_of(session, area.id) if area else ""  # "建设东路社区·第一网格"
        return ResidentRecord(
            id=p.id, version=p.version, data=ResidentData(**values), household_id=p.household_id,
            household_no=household.household_no if household else "", area_id=area.id if area else None,
            area_label=label, relation=p.relation, status=p.status, registered_on=p.registered_on,
            moved_out_on=p.moved_out_on, moved_out_to=p.moved_out_to or "", died_on=p.died_on,
            house_id=p.house_id, house_address=house.address if house else "")


def normalise_resident(data: ResidentData, today: date) -> ResidentData:
    """``data`` cleaned and checked without the database (see the module
    doc); ``ValidationError`` naming the field on a bad value."""
    name = clean_name(data.name)
    if not name:
        raise ValidationError("姓名不能为空。", field="姓名", value=data.name)
    id_type = data.id_type or ID_CARD
    if id_type not in LABELS:
        raise ValidationError(f"证件类型“{id_type}”无效。", field="证件类型", value=id_type)
    number, birth, gender = check_identity(name, data.id_number, data.birth_date, data.gender, today, id_type)
    values = {k: clean_text(getattr(data, k)) for k in _TEXT_FIELDS}
    phone = normalize_phone(data.phone)
    try:
        other_phone = normalize_phone(data.other_phone)
    except ValidationError as exc:
        raise ValidationError(str(exc).replace("联系电话", "其他电话", 1), field="其他电话",
                              value=data.other_phone) from None
    if other_phone == phone:
        other_phone = ""
    if data.category not in INFLOW_CATEGORIES:
        values.update({k: "" for k in FLOATING_FIELDS if k in _TEXT_FIELDS})
        values.update(inflow_date=None, residence_permit_expires=None)
    else:
        if data.inflow_date is not None and data.inflow_date > today:
            raise ValidationError(f"流入时间 {data.inflow_date.isoformat()} 晚于今天。", field="流入时间",
                                  value=data.inflow_date)
        if data.inflow_date and data.residence_permit_expires and data.residence_permit_expires < data.inflow_date:
            raise ValidationError(f"居住证有效期 {data.residence_permit_expires.isoformat()} 早于流入时间 "
                                  f"{data.inflow_date.isoformat()}。", field="居住证有效期",
                                  value=data.residence_permit_expires)
    return replace(data, name=name, id_number=number, id_type=id_type, birth_date=birth, gender=gender, phone=phone,
                   other_phone=other_phone, **values)


def save_resident(db: Database, person_id: int, data: ResidentData, *, expected_version: int | None = None,
                  today: date | None = None, on: date | None = None) -> None:
    """Save the editable fields of an existing resident in one transaction
    (checked as in the module doc), audited as an update of ``person``.
    ``on`` (default today) is the effective date of the register changes
    among the edits: a new 人口类别 is a dated 类别变更 event (the date
    checked like every change: ``effective.date_problem``), a new name a
    dated 更名 (audited as a rename)."""
    today = today or date.today()
    on = on or today
    with db.session() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFoundError(f"“{clean_name(data.name)}”已不存在，请刷新。", field="人员", value=data.name)
        area_id = area_of(session, person.household_id, person.house_id)
        actor = acting(db)
        # the permission first: a reader's form holds masked numbers, which
        # would otherwise be refused as a bad ID instead of as not allowed
        require(session, actor, EDIT_REGISTER, area_id=area_id)
        data = normalise_resident(data, today)
        if expected_version is not None and person.version != expected_version:
            raise audit.stale_record(session, "person", person.id, f"“{person.name}”", field="人员",
                                     value=person.name)
        if data.id_number:
            check_duplicate_ids(session, [MemberData(id=person.id, name=data.name, id_number=data.id_number,
                                                     relation=person.relation)])
        old_name, old_category = person.name, person.category
        if (data.category or None) != old_category:
            check_placement(data.name, data.category or None, person.household_id, person.house_id)
            problem = date_problem(person, on, today, "变更日期",
                                   latest=latest_change(session, [person.id], CATEGORY_PINNING).get(person.id))
            if problem:
                raise ValidationError(problem + "。", field="变更日期", value=on)
        elif old_name != data.name:
            problem = future_problem(on, today, "更名日期")
            if problem:
                raise ValidationError(problem + "。", field="更名日期", value=on)
        for f in fields(ResidentData):
            value = getattr(data, f.name)
            setattr(person, f.name, None if value == "" else value)
        person.name_pinyin, person.name_initials = name_pinyin(data.name)
        changes = audit.changes_of(person)
        if not changes:
            return
        try:
            session.flush()
        except StaleDataError as exc:
            session.rollback()
            raise audit.stale_record(session, "person", person_id, f"“{data.name}”", field="人员",
                                     value=data.name) from exc
        if person.category != old_category:
            session.add(PersonEvent(person_id=person.id, kind=EVENT_CATEGORY, event_date=on, old_value=old_category,
                                    new_value=person.category, entered_by=actor.username))
        if old_name != data.name:
            record_rename(session, actor, person, old_name, on, changes)
        else:
            audit.record(session, actor, audit.ACTION_UPDATE, "person", person.id, changes=changes,
                         summary=f"人员信息：{data.name}")


def add_resident(db: Database, household_id: int, data: ResidentData, relation: str | None, *,
                 confirmed: bool = False, today: date | None = None, on: date | None = None,
                 arrival: str = EVENT_REGISTERED, place: str = "") -> int:
    """Register a new resident in the
    active household ``household_id`` with the full record ``data`` and
    ``relation`` to the head; returns the new person's id. One transaction,
    audited as a creation of ``person``.

    The person is 在册 from ``on`` (the effective date: default today, for
    ``arrival`` 出生 the birth date), recorded by an event ``arrival``
    (登记, 出生 or 迁入 with ``place``, where from) dated ``on``; the
    monthly report counts them from that day, whenever it was entered.

    Refused with ``ValidationError`` (nothing saved): the checks of
    ``normalise_resident``, a date in the future or before the birth (出生:
    any date but the birth date), no relation, a household that is gone or
    注销, an ID number held by another active person, a second head (or a
    household left without one). Relations or ages that look wrong for the
    household raise ``PlausibilityError`` with only the findings the new
    person brings, unless ``confirmed``. Needs ``EDIT_REGISTER`` for the
    household's area."""
    today = today or date.today()
    data = normalise_resident(data, today)
    if arrival not in ARRIVAL_EVENTS:
        raise ValidationError(f"登记方式“{arrival}”无效。", field="登记方式", value=arrival)
    if on is None:
        on = data.birth_date if arrival == EVENT_BORN and data.birth_date else today
    label = {EVENT_BORN: "出生日期", EVENT_MOVED_IN: "迁入日期"}.get(arrival, "登记日期")
    problem = arrival_problem(on, today, data.name, data.birth_date, label)
    if problem is None and arrival == EVENT_BORN and data.birth_date is not None and on != data.birth_date:
        problem = f"出生登记的日期须为出生日期 {data.birth_date.isoformat()}，填的是 {on.isoformat()}"
    if problem:
        raise ValidationError(problem + "。", field=label, value=on)
    relation = relation or None
    if relation is None:
        raise ValidationError(f"请填写“{data.name}”与户主的关系。", field="与户主关系", value="")
    with db.session() as session:
        household = session.get(Household, household_id)
        if household is None:
            raise NotFoundError(f"户（编号 {household_id}）已不存在，请刷新。", field="户号", value=household_id)
        actor = acting(db)
        require(session, actor, EDIT_REGISTER, area_id=household.area_id)
        if household.dissolved_on is not None:
            raise ValidationError(f"户 {household.household_no} 已于 {household.dissolved_on.isoformat()} 注销，"
                                  f"不能再添加成员。", field="户号", value=household.household_no)
        members = [MemberData(id=p.id, name=p.name, id_number=p.id_number or "", gender=p.gender,
                              birth_date=p.birth_date, relation=p.relation)
                   for p in session.scalars(select(Person).where(Person.household_id == household_id,
                                                                 Person.status == PERSON_ACTIVE))]
        new = MemberData(id=None, name=data.name, id_number=data.id_number, gender=data.gender,
                         birth_date=data.birth_date, relation=relation, ethnicity=data.ethnicity,
                         category=data.category, phone=data.phone)
        findings = check_members([*members, new])
        check_duplicate_ids(session, [new])
        if findings and not confirmed:
            try:
                before = set(check_members(members))
            except ValidationError:  # the household had no head before: all findings are new
                before = set()
            new_findings = [f for f in findings if f not in before]
            if new_findings:
                raise PlausibilityError(new_findings)
        person = Person(household_id=household.id, status=PERSON_ACTIVE, registered_on=on, relation=relation)
        for f in fields(ResidentData):
            value = getattr(data, f.name)
            setattr(person, f.name, None if value == "" else value)
        person.name_pinyin, person.name_initials = name_pinyin(data.name)
        session.add(person)
        changes = audit.changes_of(person)
        session.flush()
        session.add(PersonEvent(person_id=person.id, kind=arrival, event_date=on, to_household_id=household.id,
                                place=clean_text(place) or None, entered_by=actor.username))
        audit.record(session, actor, audit.ACTION_CREATE, "person", person.id, changes=changes,
                     summary=f"新增居民：{data.name}（户 {household.household_no}，{arrival} {on.isoformat()}）")
        return person.id
