"""What 在岗 (on post) means — one definition for the dashboard, the grid
tree, the roster's default filter, the monthly report, the staffing view
and the exports:

    a staff member is 在岗 on a day when their status that day is 在岗 and
    one of their assignments runs that day (start ≤ day, no end or end ≥ day).

People on 休假 with a running assignment are not 在岗; they are shown beside
it: "在岗 416 人（另有休假 6 人）". The status on a past day comes from the
status history (``staff_status_event``: the latest event on or before the
day; the current status for people without history); on today or later it
is the current status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, distinct, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from gridadmin.models import Staff, StaffAssignment, StaffStatusEvent
from gridadmin.models.staff import STATUS_LEAVE, STATUS_ON_POST

ON_POST = STATUS_ON_POST
ON_LEAVE = STATUS_LEAVE


@dataclass(frozen=True)
class OnPostCount:
    """在岗 and, beside it, 休假 (both with an assignment running)."""

    on_post: int
    on_leave: int

    @property
    def text(self) -> str:
        """在岗 416 人（另有休假 6 人）."""
        return f"在岗 {self.on_post:,} 人" + (f"（另有休假 {self.on_leave:,} 人）" if self.on_leave else "")


def assignment_runs(on: date, sa=StaffAssignment):
    """SQL condition: the assignment ``sa`` runs on ``on``."""
    return and_(sa.start_date <= on, or_(sa.end_date.is_(None), sa.end_date >= on))


def status_at(on: date, today: date | None = None, staff_id=None):
    """SQL expression: the status of the staff member (``staff_id``, default
    ``Staff.id``, with ``Staff`` in the query) on ``on``."""
    today = today or date.today()
    if staff_id is None:
        current = Staff.status
    else:
        s = aliased(Staff)
        current = select(s.status).where(s.id == staff_id).scalar_subquery()
    if on >= today:
        return current
    e = aliased(StaffStatusEvent)
    who = Staff.id if staff_id is None else staff_id
    latest = (select(e.status).where(e.staff_id == who, e.event_date <= on)
              .order_by(e.event_date.desc(), e.id.desc()).limit(1).scalar_subquery())
    return func.coalesce(latest, current)


def on_post_assignment(on: date, today: date | None = None, sa=StaffAssignment, status: str = ON_POST):
    """SQL condition on an assignment row ``sa``: it runs on ``on`` and its
    staff member's status that day is ``status`` (在岗 by default)."""
    return and_(assignment_runs(on, sa), status_at(on, today, sa.staff_id) == status)


def is_on_post(on: date, today: date | None = None, status: str = ON_POST):
    """SQL condition on ``Staff``: 在岗 on ``on`` (``status`` 休假: on leave)."""
    sa = aliased(StaffAssignment)
    return and_(status_at(on, today) == status,
                exists(select(literal(1)).where(sa.staff_id == Staff.id, assignment_runs(on, sa))))


def on_post_count(session: Session, on: date, *, area_ids=None, today: date | None = None) -> OnPostCount:
    """Distinct staff 在岗 on ``on`` (and on 休假 beside them), in the areas
    ``area_ids`` (with an assignment running there) or everywhere."""
    if on >= (today or date.today()):
        # the status that day is the stored one: both figures in one pass, the
        # running assignments' staff as a set probed from the status index
        running = select(StaffAssignment.staff_id).where(assignment_runs(on))
        if area_ids is not None:
            running = running.where(StaffAssignment.area_id.in_(list(area_ids)))
        counts = dict(session.execute(
            select(Staff.status, func.count()).where(Staff.status.in_((ON_POST, ON_LEAVE)), Staff.id.in_(running))
            .group_by(Staff.status)).all())
        return OnPostCount(int(counts.get(ON_POST, 0)), int(counts.get(ON_LEAVE, 0)))

    def count(status: str) -> int:
        stmt = select(func.count(distinct(StaffAssignment.staff_id))).where(
            on_post_assignment(on, today, status=status))
        if area_ids is not None:
            stmt = stmt.where(StaffAssignment.area_id.in_(list(area_ids)))
        return int(session.scalar(stmt) or 0)

    return OnPostCount(count(ON_POST), count(ON_LEAVE))


def on_post_today(db, today: date | None = None) -> OnPostCount:
    """在岗 and 休假 today, everywhere (one session)."""
    today = today or date.today()
    with db.session() as session:
        return on_post_count(session, today, today=today)
