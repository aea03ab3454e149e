"""待办提醒: what is due, for the acting user's areas and the group kinds
they may see — nothing changes until a person confirms it.

- 人群类别到期: an open membership whose due end (矫正期满, 安置帮教期满,
  重点青少年 35 岁, ``PersonTag.due_end``) has come; confirming ends it on
  that day (dated, audited), exactly as unticking it in the resident form;
- 年龄提醒: people 在册 who turned 60 or 80 (the township's thresholds for
  老年人 / 高龄老人) this month, up to today; confirming records that the
  clerk has seen it (the groups themselves are computed);
- 证书到期: staff certificates (花名册) expiring within 90 days (needs the
  right to edit staff); confirming records it is handled;
- 居住证到期: 居住证有效期 within 30 days for people 在册.

Each confirmation or dismissal (with a reason) is a ``ReminderDecision``
for that reminder and due date plus an audit row, so the reminder is no
longer listed; a later due date (a new 矫正期满 …) is a new reminder. The
count for the dashboard is ``due_count``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridadmin.db import Database
from gridadmin.models import Area, Certificate, Household, Person, PersonTag, ReminderDecision, Staff, TagKind
from gridadmin.models.base import local_now
from gridadmin.models.groups import (
    DECISION_CONFIRM, DECISION_DISMISS, REMINDER_AGE, REMINDER_CERTIFICATE, REMINDER_GROUP_END, REMINDER_PERMIT,
)
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.models.staff import STATUS_LEFT
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import (
    EDIT_REGISTER, EDIT_STAFF, Actor, acting, area_condition, require,
)
from gridadmin.services.common.errors import ConflictError, NotFoundError, ValidationError
from gridadmin.services.common.text import clean_text
from gridadmin.services.register.age_groups import AGE_KINDS, age_thresholds, born_by, turned_on
from gridadmin.services.register.tags import visible_tag_kinds
from gridadmin.services.roster.listing import staff_scope

CERTIFICATE_DAYS = 90
PERMIT_DAYS = 30
KIND_LABELS = {REMINDER_GROUP_END: "人群类别到期", REMINDER_AGE: "年龄提醒", REMINDER_CERTIFICATE: "证书到期",
               REMINDER_PERMIT: "居住证到期"}
CONFIRM_LABELS = {REMINDER_GROUP_END: "确认退出", REMINDER_AGE: "已知悉", REMINDER_CERTIFICATE: "已处理",
                  REMINDER_PERMIT: "已提醒"}


@dataclass(frozen=True)
class Reminder:
    kind: str  # REMINDER_*
    ref_id: int  # person_tag, person or certificate id
    due_date: date
    subject: str  # the person's or staff member's name
    place: str  # their grid (community · grid)
    detail: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def confirm_label(self) -> str:
        return CONFIRM_LABELS[self.kind]


def _decided(session: Session, kind: str) -> set[tuple[int, date]]:
    return set(session.execute(select(ReminderDecision.ref_id, ReminderDecision.due_date)
                               .where(ReminderDecision.kind == kind)).all())


def _places(session: Session) -> dict[int, str]:
    areas = {a.id: a for a in session.execute(select(Area.id, Area.name, Area.parent_id, Area.level))}

    def name(area_id: int) -> str:
        area = areas.get(area_id)
        if area is None:
            return ""
        parent = areas.get(area.parent_id)
        return f"{parent.name}·{area.name}" if parent is not None and area.level != "community" else area.name
    return {area_id: name(area_id) for area_id in areas}


def _in_scope(session: Session, actor: Actor, stmt):
    scope = area_condition(session, actor, Household.area_id)
    return stmt if scope is None else stmt.where(scope)


def due_reminders(db: Database, today: date | None = None) -> list[Reminder]:
    """What is due for the acting user, by due date (see the module doc)."""
    today = today or date.today()
    with db.session() as session:
        actor = acting(db)
        places = _places(session)
        out: list[Reminder] = []
        if actor.can(EDIT_REGISTER):
            out += _group_ends(session, actor, today, places)
            out += _ages(session, actor, today, places)
            out += _permits(session, actor, today, places)
        if actor.can(EDIT_STAFF):
            out += _certificates(session, actor, today)
    return sorted(out, key=lambda r: (r.due_date, r.kind, r.subject))


def due_count(db: Database, today: date | None = None) -> int:
    """How many reminders are due (the dashboard's tile)."""
    return len(due_reminders(db, today))


def _group_ends(session: Session, actor: Actor, today: date, places: dict) -> list[Reminder]:
    kinds = {k.id: k for k in visible_tag_kinds(session, actor) if k.age is None}
    if not kinds:
        return []
    decided = _decided(session, REMINDER_GROUP_END)
    stmt = (select(PersonTag.id, PersonTag.due_end, PersonTag.tag_kind_id, Person.name, Household.area_id)
            .join(Person, Person.id == PersonTag.person_id).join(Household, Household.id == Person.household_id)
            .where(PersonTag.end_date.is_(None), PersonTag.due_end.is_not(None), PersonTag.due_end <= today,
                   PersonTag.tag_kind_id.in_(list(kinds)), Person.status == PERSON_ACTIVE))
    out = []
    for tag_id, due, kind_id, name, area_id in session.execute(_in_scope(session, actor, stmt)):
        if (tag_id, due) in decided:
            continue
        kind = kinds[kind_id]
        why = {"corrections": "矫正期满", "released": "安置帮教期满", "youth": "年满 35 周岁"}.get(kind.code, "到期")
        out.append(Reminder(REMINDER_GROUP_END, tag_id, due, name, places.get(area_id, ""),
                            f"{why}（{due.isoformat()}），建议自该日起退出“{kind.name}”"))
    return out


def _ages(session: Session, actor: Actor, today: date, places: dict) -> list[Reminder]:
    first = today.replace(day=1)
    decided = _decided(session, REMINDER_AGE)
    names = dict(session.execute(select(TagKind.code, TagKind.name).where(TagKind.code.in_(list(AGE_KINDS)))).all())
    out = []
    for code, years in sorted(age_thresholds(session).items(), key=lambda kv: kv[1]):
        stmt = (select(Person.id, Person.name, Person.birth_date, Household.area_id)
                .join(Household, Household.id == Person.household_id)
                .where(Person.status == PERSON_ACTIVE, Person.birth_date <= born_by(today, years),
                       Person.birth_date > born_by(first - timedelta(days=1), years)))
        for person_id, name, birth, area_id in session.execute(_in_scope(session, actor, stmt)):
            day = turned_on(birth, years)
            if (person_id, day) in decided:
                continue
            out.append(Reminder(REMINDER_AGE, person_id, day, name, places.get(area_id, ""),
                                f"{day.isoformat()} 年满 {years} 周岁，自该日起计入“{names.get(code, code)}”"))
    return out


def _permits(session: Session, actor: Actor, today: date, places: dict) -> list[Reminder]:
    decided = _decided(session, REMINDER_PERMIT)
    stmt = (select(Person.id, Person.name, Person.residence_permit_expires, Household.area_id)
            .join(Household, Household.id == Person.household_id)
            .where(Person.status == PERSON_ACTIVE, Person.residence_permit_expires.is_not(None),
                   Person.residence_permit_expires <= today + timedelta(days=PERMIT_DAYS),
                   Person.residence_permit_expires >= today))
    out = []
    for person_id, name, expires, area_id in session.execute(_in_scope(session, actor, stmt)):
        if (person_id, expires) not in decided:
            out.append(Reminder(REMINDER_PERMIT, person_id, expires, name, places.get(area_id, ""),
                                f"居住证 {expires.isoformat()} 到期（{(expires - today).days} 天后），请提醒续签"))
    return out


def _certificates(session: Session, actor: Actor, today: date) -> list[Reminder]:
    decided = _decided(session, REMINDER_CERTIFICATE)
    stmt = (select(Certificate.id, Certificate.name, Certificate.expires_on, Staff.name)
            .join(Staff, Staff.id == Certificate.staff_id)
            .where(Staff.status != STATUS_LEFT, Certificate.expires_on.is_not(None),
                   Certificate.expires_on >= today,
                   Certificate.expires_on <= today + timedelta(days=CERTIFICATE_DAYS)))
    scope = staff_scope(session, actor)
    if scope is not None:
        stmt = stmt.where(scope)
    out = []
    for cert_id, title, expires, staff in session.execute(stmt):
        if (cert_id, expires) not in decided:
            out.append(Reminder(REMINDER_CERTIFICATE, cert_id, expires, staff, "",
                                f"“{title}”{expires.isoformat()} 到期（{(expires - today).days} 天后）"))
    return out


def _find(db: Database, kind: str, ref_id: int, due_date: date, today: date) -> Reminder:
    """The reminder as it is due now for the acting user, or a
    ``ConflictError`` when it has changed or was decided meanwhile."""
    if kind not in KIND_LABELS:
        raise ValidationError(f"提醒类型“{kind}”无效。", field="类型", value=kind)
    for r in due_reminders(db, today):
        if (r.kind, r.ref_id, r.due_date) == (kind, ref_id, due_date):
            return r
    raise ConflictError("该提醒已由他人处理或已有变化，请刷新后再看。")


def confirm_reminder(db: Database, kind: str, ref_id: int, due_date: date, *, today: date | None = None) -> str:
    """Do what the reminder proposes (see the module doc) and record it;
    returns a sentence saying what was done."""
    today = today or date.today()
    found = _find(db, kind, ref_id, due_date, today)
    with db.session() as session:
        actor = acting(db)
        if kind == REMINDER_GROUP_END:
            tag = session.get(PersonTag, ref_id)
            person = session.get(Person, tag.person_id) if tag is not None else None
            if tag is None or person is None or tag.end_date is not None or tag.due_end != due_date:
                raise ConflictError("该成员资格已结束或期满日期已修改，请刷新后再看。")
            area_id = session.scalar(select(Household.area_id).where(Household.id == person.household_id))
            require(session, actor, EDIT_REGISTER, area_id=area_id)
            kind_name = session.scalar(select(TagKind.name).where(TagKind.id == tag.tag_kind_id))
            tag.end_date, tag.ended_at, tag.ended_by = due_date, local_now(), actor.username
            done = f"{person.name} 自 {due_date.isoformat()} 起退出“{kind_name}”"
            audit.record(session, actor, audit.ACTION_UPDATE, "person_tag", person.id,
                         changes={"end_date": [None, due_date.isoformat()]}, summary=f"待办提醒：{done}")
        else:
            _require_for(session, actor, kind, ref_id)
            done = f"{found.kind_label}：{found.subject} {found.confirm_label}"
            audit.record(session, actor, audit.ACTION_UPDATE, "reminder", ref_id,
                         changes={"decision": [None, DECISION_CONFIRM]}, summary=f"待办提醒：{done}")
        _decide(session, ReminderDecision(kind=kind, ref_id=ref_id, due_date=due_date, decision=DECISION_CONFIRM,
                                          decided_by=actor.username))
        return done


def dismiss_reminder(db: Database, kind: str, ref_id: int, due_date: date, reason: str, *,
                     today: date | None = None) -> None:
    """Set the reminder aside with ``reason`` (required); nothing else changes."""
    today = today or date.today()
    reason = clean_text(reason or "")
    if not reason:
        raise ValidationError("请填写忽略的原因。", field="原因", value="")
    if len(reason) > 200:
        raise ValidationError(f"原因“{reason[:20]}…”太长（最多 200 字）。", field="原因", value=reason)
    found = _find(db, kind, ref_id, due_date, today)
    with db.session() as session:
        actor = acting(db)
        _require_for(session, actor, kind, ref_id)
        _decide(session, ReminderDecision(kind=kind, ref_id=ref_id, due_date=due_date, decision=DECISION_DISMISS,
                                          reason=reason, decided_by=actor.username))
        audit.record(session, actor, audit.ACTION_UPDATE, "reminder", ref_id,
                     changes={"decision": [None, DECISION_DISMISS], "reason": [None, reason]},
                     summary=f"待办提醒：忽略 {found.kind_label}（{found.subject}），原因：{reason}")


def _require_for(session: Session, actor: Actor, kind: str, ref_id: int) -> None:
    if kind == REMINDER_CERTIFICATE:
        require(session, actor, EDIT_STAFF)
        return
    person_id = ref_id
    if kind == REMINDER_GROUP_END:
        person_id = session.scalar(select(PersonTag.person_id).where(PersonTag.id == ref_id))
    found = session.execute(select(Household.area_id).join(Person, Person.household_id == Household.id)
                            .where(Person.id == person_id)).first()
    if found is None:
        raise NotFoundError("该提醒涉及的人员已不存在，请刷新。")
    require(session, actor, EDIT_REGISTER, area_id=found.area_id)


def _decide(session: Session, decision: ReminderDecision) -> None:
    """Add the decision; one per reminder and due date (a unique index): a
    second person deciding at the same moment gets a ``ConflictError``."""
    session.add(decision)
    try:
        session.flush()
    except IntegrityError:
        raise ConflictError("该提醒刚由其他用户处理，请刷新后再看。") from None
