"""Staff assignments (任职): who serves which grid in which role, from when
to when. History is kept: assignments are ended, never deleted.

- ``assign``: a new running assignment. Refused for an inactive or unknown
  grid, an area that is not a grid or micro-grid, someone who has left
  (离职/卸任), a start before the hire date, an unknown role, or the same
  grid and role already held on that day.
- ``end_assignment``: sets the end date; refused before the start date or
  on an assignment already ended.
- ``transfer``: ends one assignment the day before ``on`` and starts the
  same role (or ``role``) in another grid on ``on``, in one transaction.
- ``list_assignments``: the history, newest first.
- ``staff_timeline``: the history as dated events (hired, started, moved,
  ended, left …), oldest first, for a readable timeline.

Stale ``expected_version`` → ``ConflictError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from gridadmin.db import Database
from gridadmin.models import Area, Staff, StaffAssignment, StaffStatusEvent
from gridadmin.models.area import LEVEL_GRID, LEVEL_MICROGRID
from gridadmin.services.areas.names import full_name_of, place_name
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.errors import ConflictError, NotFoundError, ValidationError
from gridadmin.services.roster.listing import SERVING
from gridadmin.services.common.text import clean_text
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EDIT_STAFF, acting, require


@dataclass(frozen=True)
class AssignmentRow:
    """One line of a person's assignment history."""

    id: int
    staff_id: int
    area_id: int
    area_name: str
    community: str
    role: str
    role_label: str
    start_date: date
    end_date: date | None
    note: str
    version: int

    def running_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


def list_assignments(db: Database, staff_id: int) -> list[AssignmentRow]:
    """All assignments of ``staff_id``, running ones first, then newest
    (refused for staff outside the acting user's areas)."""
    from gridadmin.services.roster.listing import require_staff_readable

    with db.session() as session:
        require_staff_readable(session, acting(db), staff_id)
        book = CodeBook.load(session)
        parent = aliased(Area)
        rows = session.execute(
            select(StaffAssignment, Area.name, parent.name)
            .join(Area, Area.id == StaffAssignment.area_id)
            .outerjoin(parent, parent.id == Area.parent_id)
            .where(StaffAssignment.staff_id == staff_id)).all()
        out = [AssignmentRow(a.id, a.staff_id, a.area_id, area_name, community or "", a.role,
                             book.label("staff_role", a.role), a.start_date, a.end_date, a.note or "", a.version)
               for a, area_name, community in rows]
    return sorted(out, key=lambda r: (r.end_date is not None, -r.start_date.toordinal(), -r.id))


EVENT_STATUS, EVENT_START, EVENT_END, EVENT_TRANSFER = "status", "start", "end", "transfer"


@dataclass(frozen=True)
class TimelineEvent:
    """One dated line of a person's history. ``kind`` is one of
    ``EVENT_STATUS`` (入职/离职/休假 …, ``title`` says which),
    ``EVENT_START``, ``EVENT_END`` or ``EVENT_TRANSFER`` (an assignment
    ended the day before another in the same role started elsewhere);
    ``place`` is "社区·网格" (``names.place_name``), ``detail`` the span and length of service."""

    day: date
    kind: str
    title: str
    place: str = ""
    role_label: str = ""
    detail: str = ""


def service_length(start: date, end: date) -> str:
    """"3年4个月" / "5个月" / "12天" from ``start`` to ``end`` inclusive."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    if months <= 0:
        return f"{(end - start).days + 1}天"
    years, months = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{months}个月" if months else "")


def staff_timeline(db: Database, staff_id: int, *, today: date | None = None) -> list[TimelineEvent]:
    """The person's status changes and assignment starts/ends as events,
    oldest first (on one day: status first, then ends, then starts)."""
    today = today or date.today()
    rows = list_assignments(db, staff_id)
    with db.session() as session:
        statuses = session.execute(
            select(StaffStatusEvent.event_date, StaffStatusEvent.status, StaffStatusEvent.note)
            .where(StaffStatusEvent.staff_id == staff_id)
            .order_by(StaffStatusEvent.event_date, StaffStatusEvent.id)).all()
    events: list[tuple[tuple, TimelineEvent]] = []
    for number, (day, status, note) in enumerate(statuses):
        title = status if not note or note == status else f"{note}（{status}）"
        order = 0 if status in SERVING else 3  # hired before the first start, left after the last end
        events.append(((day, order, number), TimelineEvent(day, EVENT_STATUS, title)))

    def place(row: AssignmentRow) -> str:
        return place_name(row.community, row.area_name)

    def span(row: AssignmentRow) -> str:
        end = row.end_date.isoformat() if row.end_date else "至今"
        length = service_length(row.start_date, min(row.end_date or today, today)) if row.start_date <= today \
            else "尚未开始"
        return f"{row.start_date.isoformat()} — {end}（{length}）"

    moved_in: dict[int, AssignmentRow] = {}  # new assignment id → the one it continues
    for row in rows:
        if row.end_date is None:
            continue
        follower = next((r for r in rows if r.start_date == row.end_date + timedelta(days=1)
                         and r.role == row.role and r.area_id != row.area_id and r.id not in moved_in), None)
        if follower is not None:
            moved_in[follower.id] = row
    continued = {r.id for r in moved_in.values()}
    for row in rows:
        before = moved_in.get(row.id)
        if before is not None:
            events.append(((row.start_date, 2, row.id), TimelineEvent(
                row.start_date, EVENT_TRANSFER, "调动", f"{place(before)} → {place(row)}", row.role_label,
                span(row))))
        else:
            events.append(((row.start_date, 2, row.id), TimelineEvent(
                row.start_date, EVENT_START, "开始任职", place(row), row.role_label, span(row))))
        if row.end_date is not None and row.id not in continued:
            events.append(((row.end_date, 1, row.id), TimelineEvent(
                row.end_date, EVENT_END, "结束任职", place(row), row.role_label,
                f"任职 {service_length(row.start_date, row.end_date)}")))
    return [event for _key, event in sorted(events, key=lambda pair: pair[0])]


def assign(db: Database, staff_id: int, area_id: int, role: str, start_date: date, *, note: str = "") -> int:
    """Start an assignment; returns its id (see module rules)."""
    with db.session() as session:
        require(session, acting(db), EDIT_STAFF)
        new_id = assign_in_session(session, staff_id, area_id, role, start_date, note)
        audit.record(session, acting(db), audit.ACTION_CREATE, "staff_assignment", new_id,
                     changes={"staff_id": [None, staff_id], "area_id": [None, area_id], "role": [None, role],
                              "start_date": [None, start_date.isoformat()]}, summary="新增任职")
        return new_id


def end_assignment(db: Database, assignment_id: int, end_date: date, *, expected_version: int | None = None,
                   note: str | None = None) -> None:
    """End a running assignment on ``end_date`` (the last day served)."""
    with db.session() as session:
        require(session, acting(db), EDIT_STAFF)
        assignment = _get(session, assignment_id, expected_version)
        _end(assignment, end_date)
        audit.record(session, acting(db), audit.ACTION_UPDATE, "staff_assignment", assignment.id,
                     changes={"end_date": [None, end_date.isoformat()]}, summary="结束任职")
        if note:
            assignment.note = clean_text(note)
        _flush(session)


def transfer(db: Database, assignment_id: int, to_area_id: int, on: date, *, role: str | None = None,
             expected_version: int | None = None, note: str = "") -> int:
    """Move a running assignment to another grid from ``on``: the old one
    ends the day before, the new one starts on ``on``. Returns the new id."""
    with db.session() as session:
        require(session, acting(db), EDIT_STAFF)
        old = _get(session, assignment_id, expected_version)
        if on is None:
            raise ValidationError("调入日期不能为空。", field="start_date", value=None)
        if old.area_id == to_area_id and (role is None or role == old.role):
            raise ValidationError("调入网格与原网格相同，无需调动。", field="area", value=to_area_id)
        if on <= old.start_date:
            raise ValidationError(
                f"调动日期 {on.isoformat()} 应晚于原任职开始日期 {old.start_date.isoformat()}。",
                field="start_date", value=on)
        _end(old, on - timedelta(days=1))
        session.flush()
        new_id = assign_in_session(session, old.staff_id, to_area_id, role or old.role, on, note or "调动")
        _flush(session)
        audit.record(session, acting(db), audit.ACTION_UPDATE, "staff_assignment", old.id,
                     changes={"area_id": [old.area_id, to_area_id], "new_assignment": [None, new_id]},
                     summary="调动网格")
        return new_id


def assign_in_session(session: Session, staff_id: int, area_id: int, role: str, start_date: date, note: str) -> int:
    """Add an assignment inside the caller's transaction (the roster and
    the staff import share it), after the rules every assignment obeys:
    serving person, active grid or micro-grid, known role, not before the
    hire date, not the same post twice. The caller checks permission and
    records the audit row. Returns the new assignment's id."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFoundError("该人员已不存在，请刷新。", field="staff", value=staff_id)
    if staff.status not in SERVING:
        raise ValidationError(f"{staff.name}已{staff.status}，不能新增任职；再次入职请先修改状态。",
                              field="status", value=staff.status)
    area = session.get(Area, area_id)
    if area is None:
        raise NotFoundError("该网格已不存在，请刷新。", field="area", value=area_id)
    place = full_name_of(session, area.id)  # "建设东路社区·第一网格": grid names repeat across communities
    if area.level not in (LEVEL_GRID, LEVEL_MICROGRID):
        raise ValidationError(f"“{place}”不是网格，只能任职到网格或微网格。", field="area", value=area.name)
    if not area.active:
        raise ValidationError(f"网格“{place}”已停用，不能任职到该网格。", field="area", value=place)
    book = CodeBook.load(session)
    if role not in book.labels.get("staff_role", {}):
        raise ValidationError(f"岗位“{role}”无效。", field="role", value=role)
    if start_date is None:
        raise ValidationError("任职开始日期不能为空。", field="start_date", value=None)
    if staff.hired_on is not None and start_date < staff.hired_on:
        raise ValidationError(
            f"任职开始日期 {start_date.isoformat()} 早于入职时间 {staff.hired_on.isoformat()}。",
            field="start_date", value=start_date)
    clash = session.scalar(select(StaffAssignment.id).where(
        StaffAssignment.staff_id == staff_id, StaffAssignment.area_id == area_id, StaffAssignment.role == role,
        or_(StaffAssignment.end_date.is_(None), StaffAssignment.end_date >= start_date)))
    if clash is not None:
        raise ValidationError(
            f"{staff.name}在 {start_date.isoformat()} 已在“{place}”担任{book.label('staff_role', role)}。",
            field="area", value=place)
    assignment = StaffAssignment(staff_id=staff_id, area_id=area_id, role=role, start_date=start_date,
                                 note=clean_text(note) or None)
    session.add(assignment)
    session.flush()
    return assignment.id


def _end(assignment: StaffAssignment, end_date: date | None) -> None:
    if end_date is None:
        raise ValidationError("结束日期不能为空。", field="end_date", value=None)
    if assignment.end_date is not None:
        raise ValidationError(f"该任职已于 {assignment.end_date.isoformat()} 结束。", field="end_date",
                              value=assignment.end_date)
    if end_date < assignment.start_date:
        raise ValidationError(
            f"结束日期 {end_date.isoformat()} 早于开始日期 {assignment.start_date.isoformat()}。",
            field="end_date", value=end_date)
    assignment.end_date = end_date


def _get(session: Session, assignment_id: int, expected_version: int | None) -> StaffAssignment:
    assignment = session.get(StaffAssignment, assignment_id)
    if assignment is None:
        raise NotFoundError("该任职记录已不存在，请刷新。", field="assignment", value=assignment_id)
    if expected_version is not None and assignment.version != expected_version:
        raise ConflictError("该任职记录已被其他用户修改，请刷新后再改。", field="assignment", value=assignment_id)
    return assignment


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError("该任职记录已被其他用户修改，请刷新后再改。", field="assignment", value=None) from exc
