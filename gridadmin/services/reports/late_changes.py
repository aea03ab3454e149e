"""Late changes (迟报变动) of a submitted month: register changes whose
effective date is on or before the month's end but that were entered after
the month's report was submitted (已上报). They are what makes the register
today differ from the submitted figures, and what the next month prints as
更正.

Today the effective date of a change is its ``PersonEvent.event_date``
(登记, 出生, 迁入, 户间迁移, 迁出, 死亡) and the moment it was entered the
event row's ``created_at`` (written in the same transaction as the audit
row that names who entered it). This module is the one place that knows
that: when changes carry an effective date of their own, only
``late_changes`` needs to follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from gridadmin.models import Area, AuditLog, Household, Person, PersonEvent
from gridadmin.models.household import (
    EVENT_BORN, EVENT_DIED, EVENT_MOVED_IN, EVENT_MOVED_OUT, EVENT_REGISTERED, EVENT_TRANSFER,
)
from gridadmin.services.common.idcard import mask_id_number

ARRIVALS = (EVENT_REGISTERED, EVENT_BORN, EVENT_MOVED_IN)
DEPARTURES = (EVENT_MOVED_OUT, EVENT_DIED)


@dataclass(frozen=True)
class LateChange:
    """One late change and its effect on the month's figures in the scope
    (``residents``/``households``: +1, −1 or 0)."""

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

    def to_dict(self) -> dict:
        return {"person": self.name, "id_number": self.id_number, "change": self.change,
                "effective_date": self.effective_date.isoformat(), "entered_by": self.entered_by,
                "entered_on": self.entered_on.isoformat(sep=" "), "community": self.community,
                "effect": {"residents": self.residents, "households": self.households}}


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
    h_from, h_to = aliased(Household), aliased(Household)
    rows = session.execute(
        select(PersonEvent.id, PersonEvent.person_id, PersonEvent.kind, PersonEvent.event_date,
               PersonEvent.created_at, Person.name, Person.id_number,
               h_from.area_id, h_from.dissolved_on, h_to.area_id, h_to.registered_on, h_to.created_at)
        .join(Person, Person.id == PersonEvent.person_id)
        .outerjoin(h_from, h_from.id == PersonEvent.from_household_id)
        .outerjoin(h_to, h_to.id == PersonEvent.to_household_id)
        .where(PersonEvent.event_date <= month_end, entered_after(submitted_at, last_event_id))
        .order_by(PersonEvent.created_at, PersonEvent.id)).all()
    if not rows:
        return []
    who = _entered_by(session, {r.person_id for r in rows}, submitted_at)
    found = []
    for (_id, person_id, kind, on, created, name, id_number, from_area, from_dissolved, to_area, to_registered,
         to_created) in rows:
        c_from = parts.get(from_area, (None, None))[0] if from_area is not None else None
        c_to = parts.get(to_area, (None, None))[0] if to_area is not None else None
        in_from = c_from is not None and (scope is None or c_from in scope)
        in_to = c_to is not None and (scope is None or c_to in scope)
        residents = households = 0
        if kind in ARRIVALS:
            residents = int(in_to)
            households = int(in_to and to_registered is not None and to_registered <= month_end
                             and to_created is not None and to_created >= submitted_at.replace(microsecond=0)
                             and to_registered == on)
        elif kind in DEPARTURES:
            residents = -int(in_from)
            households = -int(in_from and from_dissolved is not None and from_dissolved == on)
        elif kind == EVENT_TRANSFER:
            residents = int(in_to) - int(in_from)
            households = -int(in_from and from_dissolved is not None and from_dissolved == on)
        if not (in_from or in_to):
            continue
        community = areas[c_to if in_to else c_from].name
        change = kind
        if households < 0:
            change += "（原户注销）"
        elif households > 0:
            change += "（新立户）"
        found.append(LateChange(person_id, name, mask_id_number(id_number or ""), change, on,
                                _nearest(who.get(person_id, []), created), created, community, residents,
                                households))
    return found


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


def _nearest(entries: list[tuple], when: datetime) -> str:
    """The username of the audit row written closest to ``when`` (the
    event's own transaction), or '' when there is none."""
    if not entries:
        return ""
    return min(entries, key=lambda e: abs((e[0] - when).total_seconds()))[1]
