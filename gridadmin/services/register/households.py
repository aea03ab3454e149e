"""The household card (户卡): read a household with its members, save edits.

Rules checked on save (refusals name the field and value, nothing changes):
- exactly one head (与户主关系 本人/户主) among the members;
- every ID number valid; it fills birth date and gender, and a birth date or
  gender typed that disagrees with it is refused;
- an ID number already held by another active (在册) person anywhere in the
  register is refused, naming that person and their household;
- household numbers are unique;
- optimistic locking: a household or member changed by someone else since
  it was read raises ``ConflictError``.
Implausible relations and ages (a child older than the head's parent …) are
not refused outright: ``save_household`` raises ``PlausibilityError`` with
the findings unless ``confirmed`` is true.

Members leave a household only through life events (``life_events``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from gridadmin.db import Database
from gridadmin.services.areas.names import full_name_of
from gridadmin.models import Household, Person, PersonEvent
from gridadmin.models.household import EVENT_CATEGORY, EVENT_REGISTERED, PERSON_ACTIVE
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EDIT_REGISTER, acting, number_maskers, readable, require, \
    require_read
from gridadmin.services.common.id_types import ID_CARD, label_of
from gridadmin.services.common.errors import ConflictError, NotFoundError, ServiceError, ValidationError
from gridadmin.services.register.effective import (
    CATEGORY_PINNING, arrival_problem, date_problem, future_problem, latest_change,
)
from gridadmin.services.register.household_rules import MemberData, check_members, normalise_member
from gridadmin.services.register.renames import record_rename
from gridadmin.services.common.pinyin import name_pinyin
from gridadmin.services.common.text import clean_text

FLAGS = (("is_dibao", "低保户"), ("is_tekun", "特困户"), ("is_party", "党员户"), ("is_veteran", "退役军人户"),
         ("is_disabled", "残疾户"), ("is_poor", "困难户"))
_TEXT_FIELDS = ("household_type", "compound", "building", "unit", "room", "village_group", "door_no", "phone",
                "note")


class PlausibilityError(ServiceError):
    """Relations or ages look wrong; ``findings`` lists them. Save again
    with ``confirmed=True`` to keep the data as entered."""

    def __init__(self, findings: list[str]):
        super().__init__("请核对：\n" + "\n".join(findings), field="与户主关系", value=None)
        self.findings = findings


@dataclass(frozen=True)
class HouseholdData:
    """The card's household fields; ``flags`` holds the set flag names
    (``is_dibao`` …)."""

    household_no: str
    area_id: int
    household_type: str | None = "1"
    compound: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    village_group: str = ""
    door_no: str = ""
    phone: str = ""
    flags: frozenset[str] = frozenset()
    note: str = ""

    @property
    def address(self) -> str:
        urban = f"{self.compound}{self.building}{self.unit}{self.room + '室' if self.room else ''}"
        return urban or f"{self.village_group}{self.door_no}"


@dataclass(frozen=True)
class HouseholdCard:
    id: int
    version: int
    data: HouseholdData
    area_label: str
    members: tuple[MemberData, ...] = field(default_factory=tuple)
    dissolved_on: date | None = None


def load_household(db: Database, household_id: int) -> HouseholdCard:
    """The household with its active (在册) members, head first; refused
    outside the acting user's areas, numbers masked unless they may see
    them whole."""
    with db.session() as session:
        actor = acting(db)
        h = session.get(Household, household_id)
        if h is None:
            raise NotFoundError(f"户（编号 {household_id}）不存在。", field="户号", value=household_id)
        require_read(session, actor, h.area_id, f"户“{h.household_no}”")
        id_text, phone_text = number_maskers(actor)
        data = HouseholdData(household_no=h.household_no, area_id=h.area_id,
                             flags=frozenset(k for k, _ in FLAGS if getattr(h, k)),
                             **{k: getattr(h, k) or "" for k in _TEXT_FIELDS})
        data = replace(data, phone=phone_text(data.phone))
        label = full_name_of(session, h.area_id)  # "建设东路社区·第一网格"
        people = session.scalars(select(Person).where(Person.household_id == household_id,
                                                      Person.status == PERSON_ACTIVE)
                                 .order_by(Person.relation, Person.birth_date, Person.id)).all()
        members = tuple(MemberData(
            id=p.id, name=p.name, id_number=id_text(p.id_number), gender=p.gender, birth_date=p.birth_date,
            relation=p.relation, ethnicity=p.ethnicity, category=p.category, phone=phone_text(p.phone),
            version=p.version, id_type=p.id_type) for p in people)
        return HouseholdCard(h.id, h.version, data, label, members, h.dissolved_on)


def save_household(db: Database, household_id: int | None, data: HouseholdData, members: list[MemberData], *,
                   expected_version: int | None = None, confirmed: bool = False, today: date | None = None,
                   on: date | None = None) -> int:
    """Create (``household_id`` None) or update a household and its members
    in one transaction; returns the household id. ``members`` must list
    every active member (new ones with ``id`` None). ``on``: the effective
    date (登记日期, default today) of a new household and of the members
    added now — the day they came, not the day they are typed in; not in
    the future, not before a new member's birth. A member whose name is
    changed is recorded as a rename (更名), one whose 人口类别 is changed as a
    类别变更 dated ``on`` (checked like every change)."""
    today = today or date.today()
    on = on or today
    data = _clean(data)
    if not data.household_no:
        raise ValidationError("户号不能为空。", field="户号", value="")
    members = [normalise_member(m, today) for m in members]
    for m in members:
        if m.id is None:
            problem = arrival_problem(on, today, m.name, m.birth_date, "登记日期")
            if problem:
                raise ValidationError(problem + "。", field="登记日期", value=on)
    problem = future_problem(on, today, "登记日期")
    if problem:
        raise ValidationError(problem + "。", field="登记日期", value=on)
    with db.session() as session:
        actor = acting(db)
        require(session, actor, EDIT_REGISTER, area_id=data.area_id)
        household = _household(session, household_id, data, expected_version)
        if household_id is not None:
            require(session, actor, EDIT_REGISTER, area_id=household.area_id)
            _check_all_listed(session, household_id, members)
        _check_unique_no(session, data.household_no, household_id)
        findings = check_members(members)
        check_duplicate_ids(session, members)
        if findings and not confirmed:
            raise PlausibilityError(findings)
        for name in ("household_no", "area_id", *_TEXT_FIELDS):
            value = getattr(data, name)
            setattr(household, name, value if value != "" else None)
        for name, _label in FLAGS:
            setattr(household, name, name in data.flags)
        household.address = data.address or None
        if household_id is None:
            household.registered_on = on
            session.add(household)
        else:
            flag_modified(household, "household_no")  # a saved card always takes a new version
        action = audit.ACTION_CREATE if household_id is None else audit.ACTION_UPDATE
        changes = audit.changes_of(household)
        _flush(session, f"户 {data.household_no} ", "household", household.id)
        if changes:
            audit.record(session, actor, action, "household", household.id, changes=changes,
                         summary=f"户 {household.household_no}")
        for member in members:
            _save_member(session, actor, household, member, on, today)
        return household.id


def _clean(data: HouseholdData) -> HouseholdData:
    values = {name: clean_text(getattr(data, name)) for name in ("household_no", *_TEXT_FIELDS)}
    values["household_type"] = values["household_type"] or None
    return replace(data, **values)


def _household(session: Session, household_id: int | None, data: HouseholdData,
               expected_version: int | None) -> Household:
    if household_id is None:
        return Household()
    household = session.get(Household, household_id)
    if household is None:
        raise NotFoundError(f"户号 {data.household_no} 已不存在。", field="户号", value=data.household_no)
    if expected_version is not None and household.version != expected_version:
        raise audit.stale_record(session, "household", household.id, f"户 {household.household_no} ",
                                 field="户号", value=household.household_no)
    return household


def _check_all_listed(session: Session, household_id: int, members: list[MemberData]) -> None:
    current = set(session.scalars(select(Person.id).where(Person.household_id == household_id,
                                                          Person.status == PERSON_ACTIVE)))
    missing = current - {m.id for m in members if m.id is not None}
    if missing:
        name = session.scalar(select(Person.name).where(Person.id == min(missing)))
        raise ValidationError(f"成员“{name}”不能直接删除，请用迁出、户间迁移或死亡登记。", field="成员", value=name)


def _check_unique_no(session: Session, household_no: str, household_id: int | None) -> None:
    other = session.scalar(select(Household.id).where(Household.household_no == household_no))
    if other is not None and other != household_id:
        raise ValidationError(f"户号 {household_no} 已被另一户使用。", field="户号", value=household_no)


def check_duplicate_ids(session: Session, members: list[MemberData]) -> None:
    """Refuse an ID number typed twice among ``members`` or already held by
    another active (在册) person anywhere in the register (the message
    names that person and their household)."""
    seen: dict[str, str] = {}
    for m in members:
        if not m.id_number:
            continue
        if m.id_number in seen:
            raise ValidationError(f"身份证号 {m.id_number} 在本户填了两次（{seen[m.id_number]}、{m.name}）。",
                                  field="身份证号", value=m.id_number)
        seen[m.id_number] = m.name
    numbers = list(seen)
    if not numbers:
        return
    own = {m.id for m in members if m.id is not None}
    for other in session.execute(
            select(Person.id, Person.name, Person.id_number, Person.id_type, Person.status, Household.household_no)
            .outerjoin(Household, Household.id == Person.household_id)
            .where(Person.id_number.in_(numbers))
            .order_by(Person.status != PERSON_ACTIVE, Person.id)):
        if other.id in own:
            continue
        what = "身份证号" if other.id_type == ID_CARD else f"{label_of(other.id_type)}号码"
        if other.status == PERSON_ACTIVE:
            raise ValidationError(
                f"{what} {other.id_number} 已登记在册：{other.name}（户号 {other.household_no or '无'}），"
                f"同一人不能重复登记。", field=what, value=other.id_number)
        if other.name != seen[other.id_number]:
            # one ID number, one person: a different name is another person or a typo, never a new record
            raise ValidationError(
                f"{what} {other.id_number} 已登记给“{other.name}”（{other.status}，户号 "
                f"{other.household_no or '无'}），与填写的姓名“{seen[other.id_number]}”不符。",
                field=what, value=other.id_number)


def _save_member(session: Session, actor, household: Household, m: MemberData, on: date, today: date) -> None:
    old_name = None
    if m.id is None:
        person = Person(household_id=household.id, status=PERSON_ACTIVE, registered_on=on)
    else:
        person = session.get(Person, m.id)
        if person is None or person.household_id != household.id:
            raise ConflictError(f"成员“{m.name}”已不在本户，请重新打开户卡。", field="成员", value=m.name)
        if m.version is not None and person.version != m.version:
            raise audit.stale_record(session, "person", person.id, f"成员“{m.name}”", field="成员", value=m.name)
        old_name = person.name
        if (m.category or None) != (person.category or None):  # a 类别变更, dated like the card's other changes
            problem = date_problem(person, on, today, "登记日期",
                                   latest=latest_change(session, [person.id], CATEGORY_PINNING).get(person.id))
            if problem:
                raise ValidationError(f"成员“{person.name}”的人口类别变更：{problem}。", field="登记日期", value=on)
            session.add(PersonEvent(person_id=person.id, kind=EVENT_CATEGORY, event_date=on,
                                    old_value=person.category, new_value=m.category or None,
                                    entered_by=actor.username))
    for name in ("name", "gender", "birth_date", "relation", "ethnicity", "category"):
        setattr(person, name, getattr(m, name))
    person.id_number = m.id_number or None
    person.id_type = m.id_type or ID_CARD
    person.phone = m.phone or None
    person.name_pinyin, person.name_initials = name_pinyin(m.name)
    changes = audit.changes_of(person)
    if m.id is None:
        session.add(person)
    _flush(session, f"成员“{m.name}”", "person", m.id)
    if m.id is None:
        session.add(PersonEvent(person_id=person.id, kind=EVENT_REGISTERED, event_date=on,
                                to_household_id=household.id, entered_by=actor.username))
    if changes and old_name is not None and old_name != m.name:
        record_rename(session, actor, person, old_name, today, changes)
    elif changes:
        audit.record(session, actor, audit.ACTION_CREATE if m.id is None else audit.ACTION_UPDATE, "person",
                     person.id, changes=changes, summary=f"{m.name}（户 {household.household_no}）")


def _flush(session: Session, what: str, entity: str, entity_id: int | None) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise audit.stale_record(session, entity, entity_id, what, field="版本", value=what) from exc


def find_household(db: Database, household_no: str) -> tuple[int, str] | None:
    """``(id, address)`` of the existing household ``household_no``, or None
    (also for one outside the acting user's areas)."""
    with db.session() as session:
        row = session.execute(select(Household.id, Household.address, Household.area_id).where(
            Household.household_no == clean_text(household_no), Household.dissolved_on.is_(None))).first()
        if row is None or not readable(session, acting(db), row.area_id):
            return None
        return row.id, row.address or ""
