"""The home page's figures (首页概览), Qt-free and computed in a handful of
SQL aggregates.

Definitions (so the dashboard agrees with the pages behind it):

- 实有人口 by category, 户籍户, houses, 出租房 with 承租人数 and 人户分离:
  ``register.census`` (the acting user's areas);
- households (户籍户), residents, staff on post: as in the grid tree
  (``areas.load_tree``): households not dissolved, persons 在册, distinct
  staff 在岗 today (``roster.on_post``: status 在岗 and an assignment
  running), with those on 休假 beside them (``staff_on_leave``);
- grids lacking their responsible worker: active grids with no assignment
  of the township's responsible post (``roster.staffing_rules``: 专职网格员
  by default, or 兼职网格员 / 网格长) running today in the grid or its
  micro-grids, where the rule wants one (never a 专属网格 without
  households; none at all when the rule does not require one) — the
  monthly report's and the staffing view's rule;
- training hours: hours credited to attendances marked present at sessions
  not cancelled, by the session's start month;
- imports this month: import batches created this month and not undone;
- the residents trend: residents at each of the last twelve month-ends
  (today for the current month) from the history, with the monthly report's
  ``person_present`` rule.

Every figure is the acting user's (``access.permissions.visible_areas``):
for a user serving some communities or grids, the households, residents,
staff, grids, the bars and the trend are those of their areas (the grid
tree's areas with ``figures``); training hours are those credited to staff
serving there; imports are the user's own batches (a batch has no area).
``scoped`` tells the page so it can say "负责区域".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from gridadmin.db import Database
from gridadmin.models import Attendance, House, Household, ImportBatch, Person, StaffAssignment, TrainingSession
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID, LEVEL_TOWNSHIP
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.models.training import ATTEND_PRESENT
from gridadmin.services.access.permissions import acting, visible_areas
from gridadmin.services.areas.tree import load_tree
from gridadmin.services.register import tallies
from gridadmin.services.register.census import Census, census
from gridadmin.services.reports import presence
from gridadmin.services.reports.monthly_figures import month_bounds
from gridadmin.services.roster.on_post import OnPostCount, on_post_count
from gridadmin.services.roster.staffing_rules import staffing_rule_in


@dataclass(frozen=True)
class CommunityBar:
    area_id: int
    name: str
    households: int
    residents: int
    staff_on_post: int


@dataclass(frozen=True)
class MonthValue:
    year: int
    month: int
    value: float

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class DashboardFigures:
    today: date
    township_id: int | None
    households: int
    residents: int
    staff_on_post: int
    grids: int
    grids_lacking_responsible: int  # grids without the township's responsible worker (where required)
    training_hours_month: float
    imports_month: int
    communities: tuple[CommunityBar, ...]
    residents_trend: tuple[MonthValue, ...]  # 12 months, oldest first
    training_by_month: tuple[MonthValue, ...]  # 12 months, oldest first
    staff_on_leave: int = 0  # 休假, shown beside 在岗
    scoped: bool = False  # the figures are the user's areas', not the township's
    responsible_label: str = "专职网格员"  # the township's responsible post (``staffing_rules``)
    census: Census | None = None  # 实有人口 by category, 户籍户, houses, 出租房, 人户分离

    @property
    def staff_text(self) -> str:
        """在岗 416 人（另有休假 6 人）."""
        return OnPostCount(self.staff_on_post, self.staff_on_leave).text


def last_months(today: date, count: int = 12) -> list[tuple[int, int]]:
    """The ``count`` months ending with today's month, oldest first."""
    index = today.year * 12 + today.month - 1
    return [(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def dashboard_figures(db: Database, *, today: date | None = None) -> DashboardFigures:
    today = today or date.today()
    months = last_months(today)
    first_day = date(*months[0], 1)
    month_start = date(today.year, today.month, 1)
    actor = acting(db)
    nodes = load_tree(db, today=today)  # 4 grouped queries; figures only in the actor's areas
    by_id = {n.id: n for n in nodes}
    roots = [n for n in nodes if n.parent_id not in by_id]
    township_id = roots[0].id if len(roots) == 1 else None
    # the highest areas with figures: the township, or a clerk's communities/grids
    tops = [n for n in nodes if n.figures and not (n.parent_id in by_id and by_id[n.parent_id].figures)]
    communities = tuple(CommunityBar(n.id, n.name, n.households, n.residents, n.staff_on_post)
                        for n in nodes if n.figures
                        and (n.level == LEVEL_COMMUNITY or (n in tops and n.level != LEVEL_TOWNSHIP))
                        and (n.active or n.households or n.residents or n.staff_on_post))
    grids = [n for n in nodes if n.level == LEVEL_GRID and n.active and n.figures]

    with db.session() as session:
        visible = visible_areas(session, actor)
        staff = on_post_count(session, today, area_ids=None if visible is None else sorted(visible), today=today)
        rule = staffing_rule_in(session)
        responsible_areas = set(session.scalars(
            select(StaffAssignment.area_id).distinct()
            .where(StaffAssignment.role == rule.responsible, StaffAssignment.start_date <= today,
                   or_(StaffAssignment.end_date.is_(None), StaffAssignment.end_date >= today))))
        ends = [min(month_bounds(y, m)[1], today) for y, m in months]
        trend_row = residents_at(session, ends, visible)
        # grouped by day (sessions walked in date order, no sort), then by month here
        hours: dict[tuple[int, int], float] = {}
        hours_query = (
            select(TrainingSession.start_date, func.coalesce(func.sum(Attendance.hours_credited), 0))
            .select_from(TrainingSession).join(Attendance, TrainingSession.id == Attendance.session_id)
            .where(Attendance.status == ATTEND_PRESENT, TrainingSession.cancelled.is_(False),
                   TrainingSession.start_date >= first_day, TrainingSession.start_date < _next_month(today))
            .group_by(TrainingSession.start_date))
        if visible is not None:  # hours of the staff serving in the actor's areas
            hours_query = hours_query.where(Attendance.staff_id.in_(
                select(StaffAssignment.staff_id).where(StaffAssignment.area_id.in_(sorted(visible)))))
        for day, h in session.execute(hours_query):
            hours[(day.year, day.month)] = hours.get((day.year, day.month), 0.0) + float(h or 0)
        imports_query = (
            select(func.count()).select_from(ImportBatch)
            .where(ImportBatch.undone_at.is_(None),
                   and_(ImportBatch.created_at >= datetime(month_start.year, month_start.month, 1),
                        ImportBatch.created_at < datetime.combine(_next_month(today), datetime.min.time()))))
        if visible is not None:  # a batch has no area: the user's own
            imports_query = imports_query.where(ImportBatch.user_id == actor.user_id)
        imports = session.scalar(imports_query)

    covered = set()
    for area_id in responsible_areas:
        node = by_id.get(area_id)
        if node is None:
            continue
        if node.level == LEVEL_GRID:
            covered.add(node.id)
        elif node.level == LEVEL_MICROGRID and node.parent_id is not None:
            covered.add(node.parent_id)
    without = sum(1 for g in grids if rule.lacks(g.households, int(g.id in covered), g.grid_type))

    trend = tuple(MonthValue(y, m, int(v)) for (y, m), v in zip(months, trend_row))
    training = tuple(MonthValue(y, m, hours.get((y, m), 0.0)) for y, m in months)
    return DashboardFigures(
        today=today, township_id=township_id,
        households=sum(n.households for n in tops), residents=sum(n.residents for n in tops),
        staff_on_post=staff.on_post, grids=len(grids), grids_lacking_responsible=without,
        training_hours_month=training[-1].value, imports_month=int(imports or 0),
        communities=communities, residents_trend=trend, training_by_month=training, staff_on_leave=staff.on_leave,
        scoped=visible is not None, responsible_label=rule.responsible_label, census=census(db))


def residents_at(session: Session, ends: list[date], areas: frozenset[int] | None = None) -> list[int]:
    """Residents in the register at each of ``ends`` (sorted ascending),
    by the monthly report's presence rule (``reports/presence.py``: 在册, or
    迁出/死亡 with a date; registered by then; not yet moved out or dead),
    wherever they live — or, with ``areas``, those who count in one of
    those area ids (their current household's area, or without a household
    their house's, as the monthly report's trend does).

    Everyone 在册 is counted once (an index count); only the people who are
    not simply there at every date (``presence.unsteady_parts``: arrived
    late, carry a leaving date, or left after ``ends[0]``) are grouped by
    presence buckets and corrected date by date."""
    n = len(ends)
    if areas is None:
        base = session.scalar(select(func.count()).select_from(Person).where(Person.status == PERSON_ACTIVE))
    else:
        base = sum(c for a, c in tallies.residents_per_area(session).items() if a in areas)
    trend = [base or 0] * n
    buckets = presence.person_columns(ends)
    for active, where in presence.unsteady_parts(ends[0]):
        query = select(*buckets, func.count()).where(where).group_by(*buckets)
        if areas is not None:
            query = query.where(or_(
                Person.household_id.in_(select(Household.id).where(Household.area_id.in_(sorted(areas)))),
                and_(Person.household_id.is_(None),
                     Person.house_id.in_(select(House.id).where(House.area_id.in_(sorted(areas)))))))
        for reg, out, died, valid, count in session.execute(query):
            for i in range(n):
                trend[i] += count * (presence.present(i, reg, out, died, valid) - active)
    return trend


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)
