"""Annual hour requirements, who is behind, a person's training history and
monthly totals — computed in SQL.

Hours count when the person was present at a session that was not
cancelled and started within the year (up to the as-of date). The annual
requirement is the highest of the person's roles' requirements, else the
township default; someone hired during the year owes the share of the
year's months from the hire month on (rounded to half an hour).

Hours to date are compared with the requirement to date: the annual
requirement's share of the months elapsed by the as-of date (a month
counts once it has ended; the as-of date's month counts when the as-of
date is its last day), and for a mid-year hire of the months on post since
the hire month. On 31 December the requirement to date is the year's.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import extract, func, or_, select

from gridadmin.db import Database
from gridadmin.services.areas.names import AreaNames
from gridadmin.models import Attendance, Staff, StaffAssignment, TrainingRequirement, TrainingSession
from gridadmin.models.training import ATTEND_PRESENT
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EDIT_TRAINING, acting, require


@dataclass(frozen=True)
class ComplianceRow:
    """``required``: the requirement to date (pro-rated); ``annual``: the
    person's requirement for the whole year; ``month_share``: one month's
    share of the role's annual requirement (the unit of "behind by")."""

    staff_id: int
    name: str
    grids: str
    roles: tuple[str, ...]
    hours: float
    required: float
    annual: float = 0.0
    month_share: float = 0.0

    @property
    def shortfall(self) -> float:
        return max(0.0, self.required - self.hours)

    @property
    def months_behind(self) -> float:
        """The shortfall in months' shares (0 when on track)."""
        return self.shortfall / self.month_share if self.month_share else (1e9 if self.shortfall else 0.0)


def months_elapsed(as_of: date) -> int:
    """Whole months of ``as_of``'s year that have ended by ``as_of``."""
    last = calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.month if as_of.day == last else as_of.month - 1


def _half_hours(value: float) -> float:
    return round(value * 2) / 2


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
        grid_lists: dict[int, list[int]] = defaultdict(list)
        names = AreaNames.load(session)
        for staff_id, role, area_id in session.execute(
                select(StaffAssignment.staff_id, StaffAssignment.role, StaffAssignment.area_id)
                .where(StaffAssignment.start_date <= as_of,
                       or_(StaffAssignment.end_date.is_(None), StaffAssignment.end_date >= as_of))
                .order_by(StaffAssignment.staff_id)):
            roles[staff_id].add(role)
            grid_lists[staff_id].append(area_id)
        grids = {staff_id: names.joined(held) for staff_id, held in grid_lists.items()}  # "建设东路社区·第一网格、…"
    rows = []
    elapsed = months_elapsed(as_of)
    for staff_id, name, hired_on in staff:
        held = roles.get(staff_id, set())
        full = float(max([rules[r] for r in held if r in rules] or [rules.get(None, 0.0)]))
        first_month = hired_on.month if hired_on is not None and hired_on.year == year else 1
        annual = _half_hours(full * (13 - first_month) / 12) if first_month > 1 else full
        on_post = max(0, elapsed - (first_month - 1))
        required = annual if elapsed == 12 else _half_hours(full * on_post / 12)
        rows.append(ComplianceRow(staff_id, name, grids.get(staff_id, ""), tuple(sorted(held)),
                                  float(hours.get(staff_id) or 0.0), float(required), float(annual), full / 12))
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


REQUIRED_TO_DATE = "截至当前应完成学时（按已过月份折算）"


def compliance_columns(role_label) -> list:
    """Columns of the compliance list for exports (``role_label(code)``
    turns a role code into its label)."""
    from gridadmin.services.common.paging import ALIGN_RIGHT, Column

    return [
        Column("name", "姓名", lambda r: r.name, width=70),
        Column("grids", "所属网格", lambda r: r.grids, width=240, tooltip=lambda r: r.grids),
        Column("roles", "岗位", lambda r: "、".join(role_label(x) for x in r.roles), width=120),
        Column("hours", "已完成学时", lambda r: f"{r.hours:g}", align=ALIGN_RIGHT, width=70),
        Column("required", REQUIRED_TO_DATE, lambda r: f"{r.required:g}", align=ALIGN_RIGHT, width=110),
        Column("annual", "全年要求", lambda r: f"{r.annual:g}", align=ALIGN_RIGHT, width=60),
        Column("shortfall", "差额", lambda r: f"{r.shortfall:g}" if r.shortfall else "", align=ALIGN_RIGHT, width=60),
    ]
