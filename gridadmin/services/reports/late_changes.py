"""Late changes (迟报变动) of a submitted month: register changes whose
effective date is on or before the month's end but that were entered after
the month's report was submitted (已上报). They are what makes the register
today differ from the submitted figures, and what the next month prints as
更正.

The effective date of a change is its ``PersonEvent.event_date`` (登记,
出生, 迁入, 户间迁移, 住所变更, 迁出, 死亡, 类别变更; a 登记日期更正 counts from the
earlier of its two dates) and the moment it was entered the event row's
``created_at`` (written in the same transaction as the audit row that
names who entered it). Each change's effect on the month's figures in the
scope: residents and households (+1, −1, 0; a person counts in their
household's area, or without a household in their house's, so a 住所变更
moves only someone without a 户), and per 人口类别 label
(``categories``: the category the person had on the change's date; a
类别变更 moves one person from the old category to the new one). Staff
changes entered late are listed by ``late_staff``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from gridadmin.models import Area, AuditLog, House, Household, Person, PersonEvent
from gridadmin.models.household import (
    EVENT_BORN, EVENT_CATEGORY, EVENT_DIED, EVENT_MOVED_IN, EVENT_MOVED_OUT, EVENT_REGISTERED,
    EVENT_HOUSE, EVENT_REGISTRATION_CORRECTED, EVENT_TRANSFER,
)
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.idcard import mask_id_number

ARRIVALS = (EVENT_REGISTERED, EVENT_BORN, EVENT_MOVED_IN)
DEPARTURES = (EVENT_MOVED_OUT, EVENT_DIED)


@dataclass(frozen=True)
class LateChange:
    """One late change and its effect on the month's figures in the scope
    (``residents``/``households``/``staff``: +1, −1 or 0; ``categories``:
    {人口类别 label: +1/−1}). ``subject`` is 居民 or 网格力量."""

    person_id: int
    name: str
    id_number: str  # masked
    change: str
    effective_date: date
    entered_by: str
    entered_on: datetime
    community: str
    residents: int
    households: int
    staff: int = 0
    categories: dict = field(default_factory=dict)
    subject: str = "居民"

    def to_dict(self) -> dict:
        return {"person": self.name, "subject": self.subject, "id_number": self.id_number, "change": self.change,
                "effective_date": self.effective_date.isoformat(), "entered_by": self.entered_by,
                "entered_on": self.entered_on.isoformat(sep=" "), "community": self.community,
                "effect": {"residents": self.residents, "households": self.households,
                           "staff_on_post": self.staff, "categories": dict(self.categories)}}


def late_changes(session: Session, month_end: date, submitted_at: datetime,
                 community_ids: list[int] | None, *, last_event_id: int | None = None) -> list[LateChange]:
    """The register changes effective on or before ``month_end`` and entered
    after ``submitted_at`` that touch one of ``community_ids`` (None: any),
    in the order they were entered. Timestamps are kept to the second:
    within the submission's own second, ``last_event_id`` (the newest event
    when the figures were taken) tells the later ones."""
    from gridadmin.services.reports.monthly_counts import area_parts

    areas = {a.id: a for a in session.execute(select(Area.id, Area.parent_id, Area.level, Area.name))}
    parts = area_parts(areas)
    scope = None if community_ids is None else set(community_ids)
    h_from, h_to, h_now = aliased(Household), aliased(Household), aliased(Household)
    s_from, s_to, s_now = aliased(House), aliased(House), aliased(House)
    later = aliased(PersonEvent)
    # the person's category on the change's date: the one their next 类别变更 replaced, else the current one
    next_category = (select(later.old_value).where(later.person_id == PersonEvent.person_id,
                                                   later.kind == EVENT_CATEGORY,
                                                   later.event_date > PersonEvent.event_date)
                     .order_by(later.event_date, later.id).limit(1).correlate(PersonEvent).scalar_subquery())
    has_next = (select(literal(1)).where(later.person_id == PersonEvent.person_id, later.kind == EVENT_CATEGORY,
                                         later.event_date > PersonEvent.event_date).exists())
    category_then = case((has_next, next_category), else_=Person.category)
    month_start = month_end.replace(day=1)
    redated = and_(PersonEvent.kind == EVENT_REGISTRATION_CORRECTED,
                   or_(PersonEvent.old_value.is_(None), PersonEvent.old_value <= month_end.isoformat()))
    rows = session.execute(
        select(PersonEvent.id, PersonEvent.person_id, PersonEvent.kind, PersonEvent.event_date,
               PersonEvent.created_at, Person.name, Person.id_number,
               func.coalesce(h_from.area_id, s_from.area_id), h_from.dissolved_on,
               func.coalesce(h_to.area_id, s_to.area_id), h_to.registered_on, h_to.created_at,
               func.coalesce(h_now.area_id, s_now.area_id), PersonEvent.old_value, PersonEvent.new_value,
               category_then, Person.household_id, s_now.area_id)
        .join(Person, Person.id == PersonEvent.person_id)
        .outerjoin(h_from, h_from.id == PersonEvent.from_household_id)
        .outerjoin(h_to, h_to.id == PersonEvent.to_household_id)
        .outerjoin(h_now, h_now.id == Person.household_id)
        .outerjoin(s_from, s_from.id == PersonEvent.from_house_id)
        .outerjoin(s_to, s_to.id == PersonEvent.to_house_id)
        .outerjoin(s_now, s_now.id == Person.house_id)
        .where(or_(PersonEvent.event_date <= month_end, redated), entered_after(submitted_at, last_event_id))
        .order_by(PersonEvent.created_at, PersonEvent.id)).all()
    if not rows:
        return []
    book = CodeBook.load(session)

    def category(code: str | None) -> str:
        return book.label("resident_category", code) or "未填类别"

    who = _entered_by(session, {r.person_id for r in rows}, submitted_at)
    found = []
    for (_id, person_id, kind, on, created, name, id_number, from_area, from_dissolved, to_area, to_registered,
         to_created, now_area, old_value, new_value, category_code, household_id, house_area) in rows:
        if kind == EVENT_TRANSFER and from_area is None:
            from_area = house_area  # someone without a 户 joining one: they counted at their house
        if kind in (EVENT_CATEGORY, EVENT_REGISTRATION_CORRECTED) or (kind == EVENT_HOUSE and household_id):
            from_area = to_area = now_area  # the person's household: changes that move no one between households
        c_from = parts.get(from_area, (None, None))[0] if from_area is not None else None
        c_to = parts.get(to_area, (None, None))[0] if to_area is not None else None
        in_from = c_from is not None and (scope is None or c_from in scope)
        in_to = c_to is not None and (scope is None or c_to in scope)
        residents = households = 0
        categories: dict[str, int] = {}
        change = kind
        if kind == EVENT_CATEGORY:
            if in_to:
                categories = {category(old_value): -1, category(new_value): +1}
            change = f"{kind}（{category(old_value)}→{category(new_value)}）"
        elif kind == EVENT_REGISTRATION_CORRECTED:
            old_day = date.fromisoformat(old_value) if old_value else None
            new_day = date.fromisoformat(new_value)
            before_start = month_start - _ONE_DAY

            def there(day: date | None, on_day: date) -> int:
                return int(day is None or day <= on_day)

            if there(old_day, month_end) == there(new_day, month_end) and \
                    there(old_day, before_start) == there(new_day, before_start):
                continue  # moved within the month, or both dates before it: the month's figures are the same
            residents = (there(new_day, month_end) - there(old_day, month_end)) * int(in_to)
            change = f"{kind}（{old_value or '无'}→{new_value}）"
            on = min(d for d in (old_day, new_day) if d is not None)
        elif kind in ARRIVALS:
            residents = int(in_to)
            households = int(in_to and to_registered is not None and to_registered <= month_end
                             and to_created is not None and to_created >= submitted_at.replace(microsecond=0)
                             and to_registered == on)
        elif kind in DEPARTURES:
            residents = -int(in_from)
            households = -int(in_from and from_dissolved is not None and from_dissolved == on)
        elif kind == EVENT_HOUSE:
            residents = int(in_to) - int(in_from)
        elif kind == EVENT_TRANSFER:
            residents = int(in_to) - int(in_from)
            households = -int(in_from and from_dissolved is not None and from_dissolved == on)
        if not (in_from or in_to):
            continue
        if kind not in (EVENT_CATEGORY, EVENT_REGISTRATION_CORRECTED) and residents:
            categories = {category(category_code): residents}
        community = areas[c_to if in_to else c_from].name
        if households < 0:
            change += "（原户注销）"
        elif households > 0:
            change += "（新立户）"
        found.append(LateChange(person_id, name, mask_id_number(id_number or ""), change, on,
                                nearest_username(who.get(person_id, []), created), created, community, residents,
                                households, categories=categories))
    return found


_ONE_DAY = timedelta(days=1)


def entered_after(submitted_at: datetime, last_event_id: int | None):
    """SQL condition: the event was entered after the submission."""
    later = PersonEvent.created_at > submitted_at.replace(microsecond=0)
    if last_event_id is None:
        return later
    return or_(later, and_(PersonEvent.created_at == submitted_at.replace(microsecond=0),
                           PersonEvent.id > last_event_id))


def newest_event_id(session: Session) -> int:
    return int(session.scalar(select(func.max(PersonEvent.id))) or 0)


def _entered_by(session: Session, person_ids: set[int], since: datetime) -> dict[int, list[tuple]]:
    """{person id: [(audit time, username)]} of the audit rows written on
    those persons since ``since`` (few: late changes are few)."""
    out: dict[int, list[tuple]] = {}
    ids = sorted(person_ids)
    for i in range(0, len(ids), 500):
        for entity_id, at, username in session.execute(
                select(AuditLog.entity_id, AuditLog.at, AuditLog.username)
                .where(AuditLog.entity == "person", AuditLog.entity_id.in_(ids[i:i + 500]), AuditLog.at >= since.replace(microsecond=0))):
            out.setdefault(entity_id, []).append((at, username or ""))
    return out


def nearest_username(entries: list[tuple], when: datetime) -> str:
    """The username of the audit row written closest to ``when`` (the
    event's own transaction), or '' when there is none."""
    if not entries:
        return ""
    return min(entries, key=lambda e: abs((e[0] - when).total_seconds()))[1]
