"""Late staff changes (迟报的网格力量变动) of a submitted month: hires,
departures, leave and post changes whose effective date is on or before the
month's end but that were entered after the month's report was submitted.
They are listed beside the residents' late changes (``late_changes``): in
the regenerated month's 更正说明, ``report diff --json`` "changes" and the
next month's 更正 explanation.

What was entered late: an assignment created after the submission (its
start date is the effective date), an assignment whose end date was set
after it (``updated_at``; the end date is the effective date), and a status
event (入职/休假/离职/在岗 …, ``StaffStatusEvent``) entered after it. Per
staff member one line; its ``staff`` effect is whether they are 在岗 in the
scope at the month's end now (``roster.on_post``'s rule) less whether they
were by what had been entered at the submission (assignments not yet
created did not run, an end date set later was not there, the status was
the latest one entered by then). Lines with no effect are listed only when
the change falls in the month itself.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridadmin.models import Area, AuditLog, Staff, StaffAssignment, StaffStatusEvent
from gridadmin.services.common.idcard import mask_id_number
from gridadmin.services.reports.late_changes import LateChange, nearest_username
from gridadmin.services.roster.on_post import ON_POST

SUBJECT = "网格力量"


def late_staff_changes(session: Session, month_end: date, submitted_at: datetime,
                       community_ids: list[int] | None) -> list[LateChange]:
    """The staff changes effective on or before ``month_end`` entered after
    ``submitted_at`` by staff with an assignment in one of ``community_ids``
    (None: any), in the order they were entered."""
    from gridadmin.services.reports.monthly_counts import area_parts

    since = submitted_at.replace(microsecond=0)
    late_posts = select(StaffAssignment.staff_id).where(or_(
        (StaffAssignment.created_at > since) & (StaffAssignment.start_date <= month_end),
        (StaffAssignment.updated_at > since) & (StaffAssignment.end_date <= month_end)))
    late_status = select(StaffStatusEvent.staff_id).where(StaffStatusEvent.created_at > since,
                                                          StaffStatusEvent.event_date <= month_end)
    staff_ids = set(session.scalars(late_posts)) | set(session.scalars(late_status))
    if not staff_ids:
        return []
    areas = {a.id: a for a in session.execute(select(Area.id, Area.parent_id, Area.level, Area.name))}
    parts = area_parts(areas)
    scope = None if community_ids is None else set(community_ids)
    ids = sorted(staff_ids)
    staff = {s.id: s for s in session.execute(select(Staff.id, Staff.name, Staff.id_number, Staff.status,
                                                     Staff.hired_on).where(Staff.id.in_(ids)))}
    posts: dict[int, list] = {}
    for a in session.execute(select(StaffAssignment.staff_id, StaffAssignment.area_id, StaffAssignment.start_date,
                                    StaffAssignment.end_date, StaffAssignment.created_at,
                                    StaffAssignment.updated_at).where(StaffAssignment.staff_id.in_(ids))):
        community = parts.get(a.area_id, (None, None))[0]
        if community is not None and (scope is None or community in scope):
            posts.setdefault(a.staff_id, []).append((a, community))
    events: dict[int, list] = {}
    for e in session.execute(select(StaffStatusEvent.staff_id, StaffStatusEvent.status, StaffStatusEvent.event_date,
                                    StaffStatusEvent.created_at, StaffStatusEvent.id, StaffStatusEvent.note)
                             .where(StaffStatusEvent.staff_id.in_(ids), StaffStatusEvent.event_date <= month_end)
                             .order_by(StaffStatusEvent.event_date, StaffStatusEvent.id)):
        events.setdefault(e.staff_id, []).append(e)
    who = _entered_by(session, ids, since)
    found = []
    for staff_id in ids:
        mine = posts.get(staff_id)
        if not mine:
            continue  # no post in the scope
        person = staff[staff_id]
        history = events.get(staff_id, [])
        status_now = history[-1].status if history else person.status
        entered = [e for e in history if e.created_at <= since]
        status_then = entered[-1].status if entered else (ON_POST if history else person.status)
        runs_now = any(a.start_date <= month_end and (a.end_date is None or a.end_date >= month_end)
                       for a, _c in mine)
        runs_then = any(a.created_at <= since and a.start_date <= month_end
                        and (a.end_date is None or a.end_date >= month_end or a.updated_at > since)
                        for a, _c in mine)
        effect = int(runs_now and status_now == ON_POST) - int(runs_then and status_then == ON_POST)
        what: list[tuple[date, str, datetime]] = []
        for e in history:
            if e.created_at > since:
                what.append((e.event_date, e.note or e.status, e.created_at))  # 入职/休假/恢复在岗/离职 …
        for a, _c in mine:
            if a.created_at > since and a.start_date <= month_end:
                kind = "入职" if person.hired_on == a.start_date else "新任岗位"
                what.append((a.start_date, kind, a.created_at))
            if a.updated_at > since and a.end_date is not None and a.end_date <= month_end \
                    and a.created_at <= since:
                what.append((a.end_date, "卸任岗位", a.updated_at))
        if not what:
            continue
        what.sort()
        kinds = []
        for _d, kind, _at in what:
            if kind not in kinds:
                kinds.append(kind)
        if "离职" in kinds and "卸任岗位" in kinds:
            kinds.remove("卸任岗位")  # leaving ends the posts
        on = what[0][0]
        entered_on = max(at for _d, _k, at in what)
        if effect == 0 and on < month_end.replace(day=1):
            continue
        community = areas[mine[0][1]].name
        found.append(LateChange(-staff_id, person.name, mask_id_number(person.id_number or ""), "、".join(kinds), on,
                                nearest_username(who.get(staff_id, []), entered_on), entered_on, community, 0, 0,
                                staff=effect, subject=SUBJECT))
    return sorted(found, key=lambda c: c.entered_on)


def _entered_by(session: Session, staff_ids: list[int], since: datetime) -> dict[int, list[tuple]]:
    """{staff id: [(audit time, username)]} of the audit rows on those staff
    members and their assignments since ``since``."""
    out: dict[int, list[tuple]] = {}
    for entity_id, at, username in session.execute(
            select(AuditLog.entity_id, AuditLog.at, AuditLog.username)
            .where(AuditLog.entity == "staff", AuditLog.entity_id.in_(staff_ids), AuditLog.at >= since)):
        out.setdefault(entity_id, []).append((at, username or ""))
    for staff_id, at, username in session.execute(
            select(StaffAssignment.staff_id, AuditLog.at, AuditLog.username)
            .join(StaffAssignment, StaffAssignment.id == AuditLog.entity_id)
            .where(AuditLog.entity == "staff_assignment", StaffAssignment.staff_id.in_(staff_ids),
                   AuditLog.at >= since)):
        out.setdefault(staff_id, []).append((at, username or ""))
    return out

