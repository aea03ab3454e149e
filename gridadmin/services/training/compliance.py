"""Annual hour requirements, who is behind, a person's training history and
monthly totals — computed in SQL.

Hours count when the person was present at a session that was not
cancelled and started within the year (up to the as-of date). The
requirement is the highest of the person's roles' requirements, else the
township default; someone hired during the year owes the share of the
year's months from the hire month on (rounded to half an hour).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import extract, func, or_, select

from gridadmin.db import Database
from gridadmin.models import Area, Attendance, Staff, StaffAssignment, TrainingRequirement, TrainingSession
from gridadmin.models.training import ATTEND_PRESENT
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EDIT_TRAINING, acting, require


@dataclass(frozen=True)
class ComplianceRow:
    staff_id: int
    name: str
    grids: str
    roles: tuple[str, ...]
    hours: float
    required: float

    @property
    def shortfall(self) -> float:
        return max(0.0, self.required - self.hours)


@dataclass(frozen=True)
class HistoryRow:
    session_id: int
    name: str
    start_date: date
    category: str | None
    status: str
    hours_credited: float
    score: float | None
    passed: bool | None


@dataclass(frozen=True)
class MonthTotals:
    month: int
    sessions: int
    attendances: int
    hours: float


def set_requirement(db: Database, year: int, hours: float, role: str | None = None) -> None:
    """Set the annual requirement for ``role`` (None: township default)."""
    set_requirements(db, year, {role: hours})


def clear_requirement(db: Database, year: int, role: str) -> None:
    """Drop the role's own requirement for the year: the township default
    applies to it again. Nothing happens when it had none."""
    set_requirements(db, year, {role: None})


def set_requirements(db: Database, year: int, hours_by_role: dict[str | None, float | None]) -> None:
    """Set several requirements of one year in one transaction: ``{role or
    None (township default): hours}``; hours None drops a role's own
    requirement. A value outside 0–1000 is refused and nothing changes."""
    for role, hours in hours_by_role.items():
        if hours is None and role is None:
            raise ValidationError("全乡镇（街道）默认学时要求不能为空。", field="学时要求", value="")
        if hours is not None and not 0 <= hours <= 1000:
            raise ValidationError(f"年度学时要求“{hours:g}”无效，应在 0–1000 之间。", field="学时要求", value=hours)
    with db.session() as session:
        require(session, acting(db), EDIT_TRAINING)
        for role, hours in hours_by_role.items():
            row = session.scalar(select(TrainingRequirement).where(
                TrainingRequirement.year == year,
                TrainingRequirement.role.is_(None) if role is None else TrainingRequirement.role == role))
            old = None if row is None else row.hours
            if hours is None:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(TrainingRequirement(year=year, role=role, hours=float(hours)))
            else:
                row.hours = float(hours)
            new = None if hours is None else float(hours)
            if old != new:
                audit.record(session, acting(db), audit.ACTION_UPDATE, "training_requirement", None,
                             changes={f"{year}:{role or '默认'}": [old, new]}, summary=f"{year} 年度学时要求")


def requirements(db: Database, year: int) -> dict[str | None, float]:
    """``{role or None: hours}`` for the year."""
    with db.session() as session:
        return dict(session.execute(select(TrainingRequirement.role, TrainingRequirement.hours)
                                    .where(TrainingRequirement.year == year)).all())


def compliance(db: Database, year: int, *, today: date | None = None) -> list[ComplianceRow]:
    """Staff employed at the as-of date (today, or 31 December for a past
    year) with hours so far, hours required and shortfall, largest
    shortfall first; only staff of the acting user's areas."""
    from gridadmin.services.roster.listing import staff_scope

    as_of = min(today or date.today(), date(year, 12, 31))
    start = date(year, 1, 1)
    with db.session() as session:
        rules = dict(session.execute(select(TrainingRequirement.role, TrainingRequirement.hours)
                                     .where(TrainingRequirement.year == year)).all())
        query = (select(Staff.id, Staff.name, Staff.hired_on)
                 .where(or_(Staff.hired_on.is_(None), Staff.hired_on <= as_of),
                        or_(Staff.left_on.is_(None), Staff.left_on > as_of)))
        scope = staff_scope(session, acting(db))
        if scope is not None:
            query = query.where(scope)
        staff = session.execute(query).all()
        hours = dict(session.execute(
            select(Attendance.staff_id, func.sum(Attendance.hours_credited))
            .join(TrainingSession, TrainingSession.id == Attendance.session_id)
            .where(Attendance.status == ATTEND_PRESENT, TrainingSession.cancelled.is_(False),
                   TrainingSession.start_date >= start, TrainingSession.start_date <= as_of)
            .group_by(Attendance.staff_id)).all())
        roles: dict[int, set[str]] = defaultdict(set)
        grid_lists: dict[int, list[str]] = defaultdict(list)
        for staff_id, role, grid in session.execute(
                select(StaffAssignment.staff_id, StaffAssignment.role, Area.name)
                .join(Area, Area.id == StaffAssignment.area_id)
                .where(StaffAssignment.start_date <= as_of,
                       or_(StaffAssignment.end_date.is_(None), StaffAssignment.end_date >= as_of))
                .order_by(StaffAssignment.staff_id, Area.name)):
            roles[staff_id].add(role)
            if grid not in grid_lists[staff_id]:
                grid_lists[staff_id].append(grid)
        grids = {staff_id: "、".join(names) for staff_id, names in grid_lists.items()}
    rows = []
    for staff_id, name, hired_on in staff:
        held = roles.get(staff_id, set())
        required = max([rules[r] for r in held if r in rules] or [rules.get(None, 0.0)])
        if hired_on is not None and hired_on.year == year and hired_on.month > 1:
            required = round(required * (13 - hired_on.month) / 12 * 2) / 2
        rows.append(ComplianceRow(staff_id, name, grids.get(staff_id, ""), tuple(sorted(held)),
                                  float(hours.get(staff_id) or 0.0), float(required)))
    rows.sort(key=lambda r: (-r.shortfall, r.name))
    return rows


def staff_history(db: Database, staff_id: int) -> tuple[list[HistoryRow], dict[int, float]]:
    """A person's sessions (newest first) and credited hours per year
    (refused for staff outside the acting user's areas)."""
    from gridadmin.services.roster.listing import require_staff_readable

    with db.session() as session:
        require_staff_readable(session, acting(db), staff_id)
        rows = [HistoryRow(*r) for r in session.execute(
            select(TrainingSession.id, TrainingSession.name, TrainingSession.start_date, TrainingSession.category,
                   Attendance.status, Attendance.hours_credited, Attendance.score, Attendance.passed)
            .join(Attendance, Attendance.session_id == TrainingSession.id)
            .where(Attendance.staff_id == staff_id)
            .order_by(TrainingSession.start_date.desc()))]
        cancelled = set(session.scalars(select(TrainingSession.id).where(TrainingSession.cancelled.is_(True))))
    totals: dict[int, float] = defaultdict(float)
    for row in rows:
        if row.status == ATTEND_PRESENT and row.session_id not in cancelled:
            totals[row.start_date.year] += row.hours_credited
    return rows, dict(sorted(totals.items()))


def monthly_totals(db: Database, year: int) -> list[MonthTotals]:
    """Twelve months of the year: sessions held, people present, hours credited."""
    month = extract("month", TrainingSession.start_date)
    in_year = (TrainingSession.start_date >= date(year, 1, 1), TrainingSession.start_date <= date(year, 12, 31),
               TrainingSession.cancelled.is_(False))
    with db.session() as session:
        sessions = {int(m): n for m, n in session.execute(
            select(month, func.count()).where(*in_year).group_by(month))}
        present = {int(m): (n, h) for m, n, h in session.execute(
            select(month, func.count(), func.coalesce(func.sum(Attendance.hours_credited), 0))
            .join(Attendance, Attendance.session_id == TrainingSession.id)
            .where(*in_year, Attendance.status == ATTEND_PRESENT).group_by(month))}
    return [MonthTotals(m, sessions.get(m, 0), present.get(m, (0, 0))[0], float(present.get(m, (0, 0))[1]))
            for m in range(1, 13)]


def compliance_columns(role_label) -> list:
    """Columns of the compliance list for exports (``role_label(code)``
    turns a role code into its label)."""
    from gridadmin.services.common.paging import ALIGN_RIGHT, Column

    return [
        Column("name", "姓名", lambda r: r.name, width=70),
        Column("grids", "所属网格", lambda r: r.grids, width=200),
        Column("roles", "岗位", lambda r: "、".join(role_label(x) for x in r.roles), width=120),
        Column("hours", "已完成学时", lambda r: f"{r.hours:g}", align=ALIGN_RIGHT, width=70),
        Column("required", "要求学时", lambda r: f"{r.required:g}", align=ALIGN_RIGHT, width=70),
        Column("shortfall", "差额", lambda r: f"{r.shortfall:g}" if r.shortfall else "", align=ALIGN_RIGHT, width=60),
    ]
