"""Training sessions and attendance: create, edit, cancel sessions; add
attendees, mark present/absent/excused, credit hours, exam results.

Rules: a session ends on or after its start; hours are positive; a score is
0–100; the same person appears once per session; someone who had left
before the session date cannot attend it. Every refusal names the field
and the value and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, extract, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from gridadmin.db import Database
from gridadmin.models import Area, Attendance, Staff, StaffAssignment, TrainingSession
from gridadmin.models.training import ATTEND_ABSENT, ATTEND_EXCUSED, ATTEND_PRESENT, ATTENDANCE_LABELS
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.errors import ConflictError, NotFoundError, ValidationError
from gridadmin.services.common.text import clean_text
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EDIT_TRAINING, acting, require

MAX_SESSION_HOURS = 200


@dataclass(frozen=True)
class SessionInput:
    """A training session as the user typed it."""

    name: str
    start_date: date | None
    end_date: date | None
    hours: float | None
    category: str | None = None
    form: str | None = None
    organizer: str | None = None
    trainer: str | None = None
    place: str | None = None
    target_group: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class SessionRow:
    """A session in lists: its fields plus attendance figures."""

    id: int
    name: str
    category: str | None
    form: str | None
    start_date: date
    end_date: date
    hours: float
    organizer: str | None
    trainer: str | None
    place: str | None
    target_group: str | None
    cancelled: bool
    version: int
    invited: int = 0
    present: int = 0
    note: str | None = None

    @property
    def attendance_rate(self) -> float | None:
        """Present / invited (None with nobody invited)."""
        return None if not self.invited else self.present / self.invited


@dataclass(frozen=True)
class AttendanceRow:
    staff_id: int
    name: str
    phone: str | None
    grids: str
    status: str
    hours_credited: float
    score: float | None
    passed: bool | None
    certificate_no: str | None
    version: int
    grid_ids: tuple[int, ...] = ()  # the areas of the grids on the session's first day

    @property
    def status_label(self) -> str:
        return ATTENDANCE_LABELS.get(self.status, self.status)


def validate_session(session: Session, data: SessionInput) -> dict:
    """The column values of a valid session (``ValidationError`` naming the
    field otherwise): the rules every way of creating a session shares."""
    return _validate_session(session, data)


def attendance_refusal(name: str, left_on: date | None, session_start: date) -> str | None:
    """Why ``name`` (who left on ``left_on``) cannot attend a session
    starting on ``session_start``, or None when they can."""
    if left_on is not None and left_on < session_start:
        return f"“{name}”已于 {left_on:%Y-%m-%d} 离职，不能参加 {session_start:%Y-%m-%d} 的培训。"
    return None


def _check_mark(status: str, hours: float | None, score: float | None) -> None:
    if status not in ATTENDANCE_LABELS:
        raise ValidationError(f"签到状态“{status}”无效。", field="状态", value=status)
    if score is not None and not 0 <= score <= 100:
        raise ValidationError(f"考试成绩“{score:g}”应在 0–100 之间。", field="成绩", value=score)
    if hours is not None and hours < 0:
        raise ValidationError(f"认定学时“{hours:g}”不能为负数。", field="认定学时", value=hours)


def attendance_values(session_hours: float, *, status: str, hours: float | None = None,
                      score: float | None = None, passed: bool | None = None,
                      certificate_no: str | None = None) -> dict:
    """The stored values of one attendance mark (``ValidationError`` naming
    the field otherwise): absent or excused people are credited 0 hours;
    present people default to the session's hours and never get more."""
    _check_mark(status, hours, score)
    if hours is not None and hours > session_hours:
        raise ValidationError(f"认定学时 {hours:g} 超过本次培训学时 {session_hours:g}。", field="认定学时",
                              value=hours)
    credited = 0.0 if status in (ATTEND_ABSENT, ATTEND_EXCUSED) else (
        float(session_hours) if hours is None else float(hours))
    return {"status": status, "hours_credited": credited, "score": score, "passed": passed,
            "certificate_no": clean_text(certificate_no) or None}


def _validate_session(session: Session, data: SessionInput) -> dict:
    name = clean_text(data.name)
    if not name:
        raise ValidationError("培训名称不能为空。", field="培训名称", value=data.name)
    if data.start_date is None:
        raise ValidationError("请填写培训开始日期。", field="开始日期", value=None)
    end = data.end_date or data.start_date
    if end < data.start_date:
        raise ValidationError(f"结束日期 {end:%Y-%m-%d} 早于开始日期 {data.start_date:%Y-%m-%d}。",
                              field="结束日期", value=end)
    if data.hours is None or data.hours <= 0:
        raise ValidationError(f"学时应大于 0，实为“{data.hours}”。", field="学时", value=data.hours)
    if data.hours > MAX_SESSION_HOURS:
        raise ValidationError(f"学时“{data.hours}”过大（最多 {MAX_SESSION_HOURS}）。", field="学时", value=data.hours)
    book = CodeBook.load(session)
    for field, list_key, label in (("category", "training_category", "培训类别"), ("form", "training_form", "培训形式")):
        value = getattr(data, field)
        if value and value not in book.labels.get(list_key, {}):
            raise ValidationError(f"{label}“{value}”不在代码表中。", field=label, value=value)
    return dict(name=name, start_date=data.start_date, end_date=end, hours=float(data.hours),
                category=data.category or None, form=data.form or None,
                organizer=clean_text(data.organizer) or None, trainer=clean_text(data.trainer) or None,
                place=clean_text(data.place) or None, target_group=clean_text(data.target_group) or None,
                note=(data.note or "").strip() or None)


def create_session(db: Database, data: SessionInput) -> int:
    """Create a session; returns its id."""
    with db.session() as session:
        require(session, acting(db), EDIT_TRAINING)
        row = TrainingSession(**_validate_session(session, data))
        session.add(row)
        changes = audit.changes_of(row)
        session.flush()
        audit.record(session, acting(db), audit.ACTION_CREATE, "training_session", row.id, changes=changes,
                     summary=f"新建培训“{row.name}”")
        return row.id


def update_session(db: Database, session_id: int, data: SessionInput, *, expected_version: int | None = None) -> None:
    """Change a session. Attendance already credited with the old hours is
    left as recorded. Stale edits raise ``ConflictError``."""
    with db.session() as session:
        require(session, acting(db), EDIT_TRAINING)
        row = _get_session(session, session_id)
        if expected_version is not None and row.version != expected_version:
            raise ConflictError(f"培训“{row.name}”已被其他用户修改，请刷新后再改。")
        for key, value in _validate_session(session, data).items():
            setattr(row, key, value)
        changes = audit.changes_of(row)
        _flush(session, row.name)
        if changes:
            audit.record(session, acting(db), audit.ACTION_UPDATE, "training_session", row.id, changes=changes,
                         summary=f"修改培训“{row.name}”")


def set_session_cancelled(db: Database, session_id: int, cancelled: bool = True) -> None:
    """Cancel (or restore) a session; its record and attendance are kept,
    but a cancelled session credits no hours."""
    with db.session() as session:
        require(session, acting(db), EDIT_TRAINING)
        row = _get_session(session, session_id)
        if row.cancelled != cancelled:
            row.cancelled = cancelled
            audit.record(session, acting(db), audit.ACTION_UPDATE, "training_session", row.id,
                         changes={"cancelled": [not cancelled, cancelled]},
                         summary=f"{'取消' if cancelled else '恢复'}培训“{row.name}”")


def list_sessions(db: Database, *, year: int | None = None, include_cancelled: bool = True) -> list[SessionRow]:
    """Sessions (newest first) with invited and present counts."""
    with db.session() as session:
        invited = func.count(Attendance.id)
        present = func.coalesce(func.sum(case((Attendance.status == ATTEND_PRESENT, 1), else_=0)), 0)
        query = (select(TrainingSession.id, TrainingSession.name, TrainingSession.category, TrainingSession.form,
                        TrainingSession.start_date, TrainingSession.end_date, TrainingSession.hours,
                        TrainingSession.organizer, TrainingSession.trainer, TrainingSession.place,
                        TrainingSession.target_group, TrainingSession.cancelled, TrainingSession.version,
                        invited, present, TrainingSession.note)
                 .outerjoin(Attendance, Attendance.session_id == TrainingSession.id)
                 .group_by(TrainingSession.id)
                 .order_by(TrainingSession.start_date.desc(), TrainingSession.id.desc()))
        if year is not None:
            query = query.where(TrainingSession.start_date >= date(year, 1, 1),
                                TrainingSession.start_date <= date(year, 12, 31))
        if not include_cancelled:
            query = query.where(TrainingSession.cancelled.is_(False))
        return [SessionRow(*row) for row in session.execute(query)]


def add_attendees(db: Database, session_id: int, staff_ids: list[int]) -> int:
    """Invite staff to a session (status present, credited the session's
    hours). Refuses, naming the person, someone already on the list, named
    twice, unknown, or who had left before the session date. Returns how
    many were added; all or none."""
    with db.session() as session:
        require(session, acting(db), EDIT_TRAINING)
        training = _get_session(session, session_id)
        seen: set[int] = set()
        existing = set(session.scalars(select(Attendance.staff_id).where(Attendance.session_id == session_id)))
        people = {s.id: s for s in session.scalars(select(Staff).where(Staff.id.in_(staff_ids)))}
        for staff_id in staff_ids:
            person = people.get(staff_id)
            if person is None:
                raise NotFoundError(f"编号为 {staff_id} 的人员不存在。", field="人员", value=staff_id)
            if staff_id in seen or staff_id in existing:
                raise ValidationError(f"“{person.name}”已在本次培训名单中，同一人不能重复签到。", field="姓名",
                                      value=person.name)
            refusal = attendance_refusal(person.name, person.left_on, training.start_date)
            if refusal:
                raise ValidationError(refusal, field="姓名", value=person.name)
            seen.add(staff_id)
            session.add(Attendance(session_id=session_id, staff_id=staff_id, status=ATTEND_PRESENT,
                                   hours_credited=training.hours))
        if seen:
            audit.record(session, acting(db), audit.ACTION_UPDATE, "training_session", session_id,
                         changes={"attendees_added": [None, sorted(seen)]},
                         summary=f"“{training.name}”添加签到 {len(seen)} 人")
        return len(seen)


def staff_on_post_in(db: Database, area_id: int, role: str | None = None, on: date | None = None) -> list[int]:
    """Ids of staff on post at ``on`` with an assignment in the subtree of
    ``area_id`` (and ``role`` when given) — "all full-time grid workers of
    community X" in one step."""
    on = on or date.today()
    with db.session() as session:
        subtree = select(Area.id).where(Area.id == area_id).cte("subtree", recursive=True)
        subtree = subtree.union_all(select(Area.id).where(Area.parent_id == subtree.c.id))
        query = (select(StaffAssignment.staff_id).distinct()
                 .join(Staff, Staff.id == StaffAssignment.staff_id)
                 .where(StaffAssignment.area_id.in_(select(subtree.c.id)), StaffAssignment.start_date <= on,
                        or_(StaffAssignment.end_date.is_(None), StaffAssignment.end_date >= on),
                        or_(Staff.left_on.is_(None), Staff.left_on >= on)))
        if role:
            query = query.where(StaffAssignment.role == role)
        return sorted(session.scalars(query))


def set_attendance(db: Database, session_id: int, staff_id: int, *, status: str, hours: float | None = None,
                   score: float | None = None, passed: bool | None = None, certificate_no: str | None = None,
                   expected_version: int | None = None) -> None:
    """Mark one attendee. Absent or excused people are credited 0 hours;
    present people default to the session's hours."""
    _check_mark(status, hours, score)
    with db.session() as session:
        require(session, acting(db), EDIT_TRAINING)
        training = _get_session(session, session_id)
        row = session.scalar(select(Attendance).where(Attendance.session_id == session_id,
                                                      Attendance.staff_id == staff_id))
        if row is None:
            raise NotFoundError("此人不在本次培训名单中。", field="人员", value=staff_id)
        if expected_version is not None and row.version != expected_version:
            raise ConflictError("该签到记录已被其他用户修改，请刷新后再改。")
        values = attendance_values(training.hours, status=status, hours=hours, score=score, passed=passed,
                                   certificate_no=certificate_no)
        for key, value in values.items():
            setattr(row, key, value)
        changes = audit.changes_of(row)
        _flush(session, "签到记录")
        if changes:
            audit.record(session, acting(db), audit.ACTION_UPDATE, "attendance", row.id, changes=changes,
                         summary=f"修改“{training.name}”的签到")


def remove_attendee(db: Database, session_id: int, staff_id: int) -> None:
    with db.session() as session:
        require(session, acting(db), EDIT_TRAINING)
        row = session.scalar(select(Attendance).where(Attendance.session_id == session_id,
                                                      Attendance.staff_id == staff_id))
        if row is not None:
            audit.record(session, acting(db), audit.ACTION_DELETE, "attendance", row.id,
                         changes={"staff_id": [staff_id, None]}, summary="移出签到名单")
            session.delete(row)


def session_attendance(db: Database, session_id: int) -> list[AttendanceRow]:
    """The session's attendees with their current grids, by name: those of
    the acting user's areas, phones masked unless they may see them whole."""
    from gridadmin.services.access.permissions import number_maskers
    from gridadmin.services.roster.listing import staff_scope

    with db.session() as session:
        actor = acting(db)
        training = _get_session(session, session_id)
        on = training.start_date
        query = (select(Attendance.staff_id, Staff.name, Staff.phone, Attendance.status, Attendance.hours_credited,
                        Attendance.score, Attendance.passed, Attendance.certificate_no, Attendance.version)
                 .join(Staff, Staff.id == Attendance.staff_id)
                 .where(Attendance.session_id == session_id).order_by(Staff.name_pinyin, Staff.id))
        scope = staff_scope(session, actor)
        if scope is not None:
            query = query.where(scope)
        rows = session.execute(query).all()
        held = grid_areas_on(session, [r.staff_id for r in rows], on)
        names = grid_names_on(session, [r.staff_id for r in rows], on, areas=held)
        _id_text, phone_text = number_maskers(actor)
        return [AttendanceRow(r.staff_id, r.name, phone_text(r.phone), names.get(r.staff_id, ""), r.status,
                              r.hours_credited, r.score, r.passed, r.certificate_no, r.version,
                              tuple(held.get(r.staff_id, ()))) for r in rows]


def grid_areas_on(session: Session, staff_ids: list[int], on: date) -> dict[int, list[int]]:
    """Staff id → ids of the areas of their assignments running on ``on``."""
    found: dict[int, list[int]] = {}
    for start in range(0, len(staff_ids), 900):
        chunk = staff_ids[start:start + 900]
        for staff_id, area_id in session.execute(
                select(StaffAssignment.staff_id, StaffAssignment.area_id)
                .where(StaffAssignment.staff_id.in_(chunk), StaffAssignment.start_date <= on,
                       or_(StaffAssignment.end_date.is_(None), StaffAssignment.end_date >= on))
                .order_by(StaffAssignment.staff_id, StaffAssignment.area_id)):
            held = found.setdefault(staff_id, [])
            if area_id not in held:
                held.append(area_id)
    return found


def grid_names_on(session: Session, staff_ids: list[int], on: date, *,
                  areas: dict[int, list[int]] | None = None) -> dict[int, str]:
    """Staff id → "建设东路社区·第一网格、建设东路社区·第二网格": the full names
    (``AreaNames``) of the grids of the assignments running on ``on``
    (``areas``: what ``grid_areas_on`` gave, when the caller has it)."""
    from gridadmin.services.areas.names import AreaNames

    names = AreaNames.load(session)
    areas = grid_areas_on(session, staff_ids, on) if areas is None else areas
    return {staff_id: names.joined(held) for staff_id, held in areas.items()}


@dataclass(frozen=True)
class TrainingCodeLists:
    """The code lists the training screens offer: ``(code, label)`` pairs in
    display order (category, form, staff role)."""

    categories: tuple[tuple[str, str], ...]
    forms: tuple[tuple[str, str], ...]
    roles: tuple[tuple[str, str], ...]

    def label(self, kind: str, code: str | None) -> str:
        """Label of ``code`` in ``kind`` ('categories', 'forms', 'roles');
        '' for None, the code itself when unknown."""
        if not code:
            return ""
        return dict(getattr(self, kind)).get(code, code)


def training_code_lists(db: Database) -> TrainingCodeLists:
    """Active items of the training category, training form and staff role lists."""
    with db.session() as session:
        book = CodeBook.load(session)
    return TrainingCodeLists(tuple(book.items("training_category")), tuple(book.items("training_form")),
                             tuple(book.items("staff_role")))


def training_years(db: Database) -> list[int]:
    """Years in which some session starts, newest first."""
    year = extract("year", TrainingSession.start_date)
    with db.session() as session:
        return sorted({int(y) for y in session.scalars(select(year).distinct()) if y is not None}, reverse=True)


def _get_session(session: Session, session_id: int) -> TrainingSession:
    row = session.get(TrainingSession, session_id)
    if row is None:
        raise NotFoundError("该培训已不存在，请刷新。", field="培训", value=session_id)
    return row


def _flush(session: Session, what: str) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(f"“{what}”已被其他用户修改，请刷新后再改。") from exc
