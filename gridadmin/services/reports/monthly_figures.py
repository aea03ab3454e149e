"""The figures of the monthly report (月报), computed from the history.

Everything is "as of" a date, so a past month gives the same numbers after
later changes:

- a household exists at D when ``registered_on <= D`` (unknown date: always)
  and it is not dissolved on or before D;
- a person counts at D when ``registered_on <= D`` and they had not moved
  out or died on or before D; their household at D is the one they left by
  the first 户间迁移 event after D, else their current one — so a transfer
  next month does not move them between communities in this month's report;
- a staff member is on post in an area at D when one of their assignments
  there runs at D (``start_date <= D``, ``end_date`` empty or ``>= D``);
  counts are of distinct people.

Flows per community: 本月增加 counts who is there at the month's end but
was not there (in that community) at the end of the previous month,
本月减少 the reverse — so 上月末 + 增加 − 减少 = 本月末 always holds; a move
between two communities is a decrease in one and an increase in the
other. The 合计 row of households and residents is the sum of the
communities; staff on post in the 合计 row are distinct people (someone
serving two communities counts once).

Training: sessions that started in the month (and from 1 January up to the
month's end), not cancelled; attendances marked present and the hours
credited to them. With a community scope only attendances of people
assigned in that community on the session's date count, and only sessions
with at least one of them.

All counts are SQL aggregates grouped by area; only the (small) area table
is read row by row to order and name the communities and grids. The many
households, residents and special-group members who are there at every
date of a report come from the stored per-area counts (``services.tallies``,
kept by triggers); only those who arrived, left or moved within the dates
are read, so a county report costs what its recent changes cost.
"""

from __future__ import annotations

import calendar
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, distinct, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from gridadmin.db import Database
from gridadmin.models import Area, Attendance, Household, Person, PersonEvent, StaffAssignment, TrainingSession
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID, LEVEL_TOWNSHIP
from gridadmin.models.household import EVENT_TRANSFER, PERSON_ACTIVE
from gridadmin.models.staff import CORE_ROLES, ROLE_FULLTIME
from gridadmin.models.training import ATTEND_PRESENT
from gridadmin.services.areas.tree import GRID_MAX_HOUSEHOLDS, GRID_MIN_HOUSEHOLDS
from gridadmin.services.register import tallies
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.errors import NotFoundError, ValidationError
from gridadmin.services.training.compliance import compliance
from gridadmin.services.common.settings import KEY_TOWNSHIP_NAME, get_setting
from gridadmin.services.access.permissions import SEE_SENSITIVE, PermissionDeniedError, acting, visible_areas
from gridadmin.services.reports import monthly_details as details
from gridadmin.services.reports import presence
from gridadmin.services.reports.monthly_details import BehindRow, StaffChange, TagCount, TrendPoint

CENTRE_SUFFIX = "网格化服务管理中心"


@dataclass(frozen=True)
class StockFlow:
    """上月末 / 本月增加 / 本月减少 / 本月末."""

    previous: int = 0
    increase: int = 0
    decrease: int = 0
    current: int = 0

    def __add__(self, other: StockFlow) -> StockFlow:
        return StockFlow(self.previous + other.previous, self.increase + other.increase,
                         self.decrease + other.decrease, self.current + other.current)

    @property
    def balanced(self) -> bool:
        return self.previous + self.increase - self.decrease == self.current


@dataclass(frozen=True)
class CommunityFigures:
    area_id: int | None
    name: str
    code: str | None
    households: StockFlow
    residents: StockFlow
    staff_on_post: int
    staff_by_role: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GridFigures:
    area_id: int
    community: str
    name: str
    code: str | None
    grid_type: str | None
    households: int
    residents: int
    staff_on_post: int
    fulltime_workers: int

    @property
    def households_per_fulltime(self) -> float | None:
        return self.households / self.fulltime_workers if self.fulltime_workers else None

    @property
    def warning(self) -> str:
        """无专职网格员, or a households-per-worker ratio outside 300–500
        (a rural grid is only warned when too big)."""
        if not self.fulltime_workers:
            return "无专职网格员"
        ratio = self.households_per_fulltime or 0
        if ratio > GRID_MAX_HOUSEHOLDS:
            return f"每名专职网格员超过 {GRID_MAX_HOUSEHOLDS} 户"
        if self.households and ratio < GRID_MIN_HOUSEHOLDS and self.grid_type == "城市社区网格":
            return f"每名专职网格员少于 {GRID_MIN_HOUSEHOLDS} 户"
        return ""


@dataclass(frozen=True)
class TrainingFigures:
    sessions: int = 0
    attendances: int = 0
    hours: float = 0.0


@dataclass(frozen=True)
class MonthlyFigures:
    year: int
    month: int
    month_start: date
    month_end: date
    previous_end: date
    township: str
    scope_name: str
    scope_code: str | None
    scope_is_township: bool
    communities: tuple[CommunityFigures, ...]
    total: CommunityFigures
    grids: tuple[GridFigures, ...]
    roles: tuple[tuple[str, str], ...]  # (code, label) shown as columns, in order
    training_month: TrainingFigures
    training_year: TrainingFigures
    # the further figures (monthly_details)
    categories: tuple[tuple[str, str], ...] = ()  # (code, label) of resident categories, in order
    category_flows: dict = field(default_factory=dict)  # {community_id or None (合计): {category: StockFlow}}
    staff_flows: dict = field(default_factory=dict)  # {community_id or None (合计): StockFlow}
    staff_role_flows: dict = field(default_factory=dict)  # {role: StockFlow} over the scope
    staff_changes: tuple[StaffChange, ...] = ()
    tags: tuple[TagCount, ...] = ()
    sensitive_shown: bool = False
    trend: tuple[TrendPoint, ...] = ()
    behind: tuple[BehindRow, ...] = ()

    @property
    def unit(self) -> str:
        """填报单位."""
        return f"{self.township}{CENTRE_SUFFIX}"

    @property
    def month_key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def grids_without_fulltime(self) -> tuple[GridFigures, ...]:
        return tuple(g for g in self.grids if not g.fulltime_workers)

    def to_dict(self) -> dict:
        """The CLI's ``--json`` object: exactly the numbers printed."""
        return {
            "month": self.month_key,
            "scope": {"name": self.scope_name, "code": self.scope_code},
            "totals": {"households": self.total.households.current, "residents": self.total.residents.current,
                       "staff_on_post": self.total.staff_on_post, "grids": len(self.grids)},
            "communities": [{"name": c.name, "code": c.code, "households": c.households.current,
                             "residents": c.residents.current, "staff_on_post": c.staff_on_post}
                            for c in self.communities],
        }


def month_bounds(year: int, month: int) -> tuple[date, date, date]:
    """(first day, last day, last day of the previous month); refuses a bad month."""
    if not isinstance(year, int) or not isinstance(month, int) or not 1 <= month <= 12 or not 1900 <= year <= 9999:
        raise ValidationError(f"报告月份“{year}-{month}”无效，应为 YYYY-MM，月份 1–12。", field="报告月份",
                              value=f"{year}-{month}")
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    return start, end, start - timedelta(days=1)


def monthly_figures(db: Database, year: int, month: int, scope_area_id: int | None = None) -> MonthlyFigures:
    """The report's figures for ``year``-``month``; ``scope_area_id`` a
    township or community (None: every community in the database). A user
    limited to some areas may only report on one of them."""
    start, end, prev = month_bounds(year, month)
    with db.session() as session:
        one_snapshot(session)  # first: it sets the transaction's isolation level
        actor = acting(db)
        visible = visible_areas(session, actor)
        if visible is not None and (scope_area_id is None or scope_area_id not in visible):
            raise PermissionDeniedError(f"当前用户“{actor.display_name}”只负责部分区域，请选择其负责的社区生成报表。",
                                        field="范围", value=scope_area_id or "全镇")
        areas = {r.id: r for r in session.execute(
            select(Area.id, Area.parent_id, Area.level, Area.name, Area.division_code, Area.grid_code,
                   Area.grid_type, Area.active, Area.sort_order))}
        township = get_setting(session, KEY_TOWNSHIP_NAME) or next(
            (a.name for a in areas.values() if a.level == LEVEL_TOWNSHIP), "")
        kids = children_index(areas)
        scope_name, scope_code, communities = _scope(areas, kids, scope_area_id, township)
        community_ids = [c.id for c in communities]
        book = CodeBook.load(session)

        parts = area_parts(areas)
        trend_months = details.months_back(year, month, 12)
        with_sensitive = acting(db).can(SEE_SENSITIVE)
        last_year_end = details.month_end(year - 1, month)
        # The two scans of the whole register (see _side_queries).
        with _side_queries(db) as side:
            residents_job = side(_resident_counts, prev, end, community_ids, parts,
                                 [details.month_end(y, m) for y, m in trend_months])
            tags_job = side(details.tag_counts, (end, prev, last_year_end), community_ids, parts, person_present,
                            transfers_after, moved_after, with_sensitive=with_sensitive)
            households = _household_counts(session, prev, end, community_ids, parts)
            staff = _staff_counts(session, end, community_ids)
            scoped = scope_area_id is not None and areas[scope_area_id].level == LEVEL_COMMUNITY
            training_month = _training(session, start, end, community_ids, scoped=scoped)
            training_year = _training(session, date(year, 1, 1), end, community_ids, scoped=scoped)
            staff_flow = details.staff_flows(session, prev, end, community_ids, _area_map)
            changes = details.staff_changes(session, start, end, community_ids, _area_map,
                                            lambda r: book.label("staff_role", r) or r)
            on_post = set(session.scalars(
                select(StaffAssignment.staff_id).join(m := _area_map("bh"), m.c.area_id == StaffAssignment.area_id)
                .where(assignment_runs(end), m.c.community_id.in_(community_ids))))
            compliance_rows = compliance(db, year, today=end)
            residents_end, residents_prev, trend_residents = residents_job.result()
            tags = tags_job.result()
        trend = details.trends(session, trend_months, trend_residents,
                               scoped_training=_attendance_in_scope(community_ids) if scoped else None)
    behind = tuple(BehindRow(r.name, r.grids, r.hours, r.required)
                   for r in compliance_rows if r.shortfall > 0 and r.staff_id in on_post)

    # Per community: sum the (community, grid) groups.
    hh_by_comm: dict[int, StockFlow] = {}
    hh_by_grid: dict[int, int] = {}
    for (comm, grid), flow in households.items():
        hh_by_comm[comm] = hh_by_comm.get(comm, StockFlow()) + flow
        if grid is not None:
            hh_by_grid[grid] = hh_by_grid.get(grid, 0) + flow.current
    res_end: dict[int, tuple[int, int]] = {}
    res_by_grid: dict[int, int] = {}
    cat_rows: dict[tuple, list[int]] = {}
    for (comm, grid, cat), (count, new) in residents_end.items():
        c, n = res_end.get(comm, (0, 0))
        res_end[comm] = (c + count, n + new)
        if grid is not None:
            res_by_grid[grid] = res_by_grid.get(grid, 0) + count
        flow = cat_rows.setdefault((comm, cat), [0, 0, 0, 0])
        flow[1] += new
        flow[3] += count
    res_prev: dict[int, tuple[int, int]] = {}
    for (comm, cat), (count, gone) in residents_prev.items():
        c, g = res_prev.get(comm, (0, 0))
        res_prev[comm] = (c + count, g + gone)
        flow = cat_rows.setdefault((comm, cat), [0, 0, 0, 0])
        flow[0] += count
        flow[2] += gone
    residents_prev = res_prev

    extra_roles = sorted({role for (_c, role) in staff["by_comm_role"]} - set(CORE_ROLES))
    roles = tuple((r, book.label("staff_role", r) or r) for r in (*CORE_ROLES, *extra_roles))

    rows: list[CommunityFigures] = []
    for c in communities:
        current, increase = res_end.get(c.id, (0, 0))
        previous, decrease = residents_prev.get(c.id, (0, 0))
        row = CommunityFigures(
            c.id, c.name, c.division_code or c.grid_code, hh_by_comm.get(c.id, StockFlow()),
            StockFlow(previous, increase, decrease, current), staff["by_comm"].get(c.id, 0),
            {r: staff["by_comm_role"].get((c.id, r), 0) for r, _label in roles})
        if c.active or row.households.current or row.households.previous or row.residents.current \
                or row.residents.previous or row.staff_on_post:
            rows.append(row)
    total = CommunityFigures(
        None, "合计", None, sum((r.households for r in rows), StockFlow()),
        sum((r.residents for r in rows), StockFlow()), staff["total"],
        {r: staff["total_role"].get(r, 0) for r, _label in roles})

    grids: list[GridFigures] = []
    for c in communities:
        for g in kids.get((c.id, LEVEL_GRID), []):
            figures = GridFigures(g.id, c.name, g.name, g.grid_code or g.division_code, g.grid_type,
                                  hh_by_grid.get(g.id, 0), res_by_grid.get(g.id, 0), staff["by_grid"].get(g.id, 0),
                                  staff["fulltime_by_grid"].get(g.id, 0))
            if g.active or figures.households or figures.residents or figures.staff_on_post:
                grids.append(figures)
    categories = tuple(book.items("resident_category"))
    known = {code for code, _label in categories}
    if any(cat not in known for (_c, cat) in cat_rows):
        categories += (("", "未填类别"),)
    category_flows: dict = {}
    for (comm, cat), flow in cat_rows.items():
        key = cat if cat in known else ""
        per = category_flows.setdefault(comm, {})
        per[key] = per.get(key, StockFlow()) + StockFlow(*flow)
    shown = {r.area_id for r in rows}
    category_flows = {c: v for c, v in category_flows.items() if c in shown}
    total_by_cat: dict = {}
    for per in category_flows.values():
        for cat, flow in per.items():
            total_by_cat[cat] = total_by_cat.get(cat, StockFlow()) + flow
    category_flows[None] = total_by_cat
    staff_flows = {c: StockFlow(*f) for c, f in staff_flow["by_comm"].items()}
    staff_flows[None] = StockFlow(*staff_flow["total"])
    return MonthlyFigures(year, month, start, end, prev, township, scope_name, scope_code,
                          scope_area_id is None or areas[scope_area_id].level == LEVEL_TOWNSHIP,
                          tuple(rows), total, tuple(grids), roles, training_month, training_year,
                          categories=categories, category_flows=category_flows, staff_flows=staff_flows,
                          staff_role_flows={r: StockFlow(*f) for r, f in staff_flow["by_role"].items()},
                          staff_changes=tuple(changes), tags=tuple(tags), sensitive_shown=with_sensitive,
                          trend=tuple(trend), behind=tuple(sorted(behind, key=lambda b: -b.shortfall)))


# --- scope and area tree -------------------------------------------------------------------

def _order(area) -> tuple:
    return (area.sort_order, area.grid_code or area.division_code or "", area.name)


def children_index(areas: dict) -> dict[tuple, list]:
    """``{(parent id, level): [child areas in display order]}``."""
    index: dict[tuple, list] = {}
    for a in areas.values():
        index.setdefault((a.parent_id, a.level), []).append(a)
    for children in index.values():
        children.sort(key=_order)
    return index


def _scope(areas: dict, kids: dict, scope_area_id: int | None, township: str) -> tuple[str, str | None, list]:
    if scope_area_id is None:
        towns = sorted((a for a in areas.values() if a.level == LEVEL_TOWNSHIP), key=_order)
        communities = [c for t in towns for c in kids.get((t.id, LEVEL_COMMUNITY), [])]
        orphans = sorted((a for a in areas.values() if a.level == LEVEL_COMMUNITY
                          and (a.parent_id not in areas or areas[a.parent_id].level != LEVEL_TOWNSHIP)), key=_order)
        return township, None, communities + orphans
    area = areas.get(scope_area_id)
    if area is None:
        raise NotFoundError("所选范围已不存在，请刷新。", field="范围", value=scope_area_id)
    if area.level == LEVEL_TOWNSHIP:
        return area.name, area.division_code, kids.get((area.id, LEVEL_COMMUNITY), [])
    if area.level == LEVEL_COMMUNITY:
        return area.name, area.division_code or area.grid_code, [area]
    raise ValidationError(f"“{area.name}”是网格，月报的范围应为乡镇/街道或社区/村。", field="范围", value=area.name)


def _area_map(name: str):
    """area_id → community_id, grid_id (a micro-grid belongs to its parent
    grid, a grid to its parent community)."""
    a, parent, grand = aliased(Area), aliased(Area), aliased(Area)
    community = case((a.level == LEVEL_COMMUNITY, a.id), (a.level == LEVEL_GRID, parent.id),
                     (a.level == LEVEL_MICROGRID, grand.id), else_=None)
    grid = case((a.level == LEVEL_GRID, a.id), (a.level == LEVEL_MICROGRID, parent.id), else_=None)
    return (select(a.id.label("area_id"), community.label("community_id"), grid.label("grid_id"))
            .outerjoin(parent, parent.id == a.parent_id).outerjoin(grand, grand.id == parent.parent_id)
            .subquery(name))


def _one(condition) -> object:
    return case((condition, 1), else_=0)


# --- households ----------------------------------------------------------------------------

def household_exists(on: date):
    return and_(or_(Household.registered_on.is_(None), Household.registered_on <= on),
                or_(Household.dissolved_on.is_(None), Household.dissolved_on > on))


def _household_counts(session: Session, prev: date, end: date, community_ids: list[int], parts: dict) -> dict:
    """{(community_id, grid_id): StockFlow}. A household's area is its
    current one; grouped by area in SQL, areas mapped to (community, grid)
    with ``parts`` (no join per household)."""
    in_scope = set(community_ids)
    was, now = household_exists(prev), household_exists(end)
    flows: dict[tuple, StockFlow] = {}

    def add(area_id: int, flow: StockFlow) -> None:
        key = parts.get(area_id, (None, None))
        if key[0] in in_scope:
            flows[key] = flows.get(key, StockFlow()) + flow

    # Households not dissolved and registered by prev exist at both dates:
    # the stored per-area counts less the few registered since; only those
    # and the ones dissolved after prev are read.
    # The few rows are read one by one (no GROUP BY, which would make the
    # planner walk every household in area order): those registered since
    # (ix_household_registered) and those dissolved since (ix_household_dissolved).
    steady = tallies.households_per_area(session)
    lately = (and_(Household.dissolved_on.is_(None), Household.registered_on > prev), Household.dissolved_on > prev)
    for part, where in enumerate(lately):
        for area_id, is_was, is_now in session.execute(
                select(Household.area_id, _one(was), _one(now)).where(where)):
            if part == 0:
                steady[area_id] = steady.get(area_id, 0) - 1
            if is_was or is_now:
                add(area_id, StockFlow(int(is_was), int(is_now and not is_was), int(is_was and not is_now),
                                       int(is_now)))
    for area_id, n in steady.items():
        if n:
            add(area_id, StockFlow(n, 0, 0, n))
    return flows


# --- residents -----------------------------------------------------------------------------

def person_present(on: date):
    """Registered by ``on`` and neither moved out nor died on or before it
    (someone marked 迁出/死亡 with no date never counts)."""
    return and_(or_(Person.registered_on.is_(None), Person.registered_on <= on),
                or_(Person.moved_out_on.is_(None), Person.moved_out_on > on),
                or_(Person.died_on.is_(None), Person.died_on > on),
                or_(Person.status == PERSON_ACTIVE, Person.moved_out_on.is_not(None), Person.died_on.is_not(None)))


def household_at(on: date):
    """The person's household at ``on``: the one they left by their first
    transfer after ``on``, else the current one."""
    e = aliased(PersonEvent)
    later = (select(e.from_household_id)
             .where(e.person_id == Person.id, e.kind == EVENT_TRANSFER, e.event_date > on,
                    e.from_household_id.is_not(None))
             .order_by(e.event_date, e.id).limit(1).correlate(Person).scalar_subquery())
    return func.coalesce(later, Person.household_id)


def transfers_after(on: date, name: str):
    """A small derived table ``(person_id, from_household_id)``: each
    person's first 户间迁移 after ``on`` — outer-join it to ``Person`` and
    ``coalesce(from_household_id, Person.household_id)`` is their household
    at ``on`` (the join form of ``household_at``, much faster over a whole
    register because transfers are few)."""
    e, e2 = aliased(PersonEvent), aliased(PersonEvent)
    earlier = (select(literal(1)).where(
        e2.person_id == e.person_id, e2.kind == EVENT_TRANSFER, e2.event_date > on,
        e2.from_household_id.is_not(None),
        or_(e2.event_date < e.event_date, and_(e2.event_date == e.event_date, e2.id < e.id))).exists())
    return (select(e.person_id.label("person_id"), e.from_household_id.label("from_household_id"))
            .where(e.kind == EVENT_TRANSFER, e.event_date > on, e.from_household_id.is_not(None), ~earlier)
            .subquery(name))


def moved_after(on: date):
    """Ids of people with a 户间迁移 after ``on``: only for them does the
    household at ``on`` differ from the current one."""
    return select(PersonEvent.person_id).where(PersonEvent.kind == EVENT_TRANSFER, PersonEvent.event_date > on,
                                               PersonEvent.from_household_id.is_not(None))


def area_parts(areas: dict) -> dict[int, tuple[int | None, int | None]]:
    """area id → (community id, grid id), as ``_area_map`` computes in SQL,
    from the loaded area rows."""
    parts: dict[int, tuple[int | None, int | None]] = {}
    for a in areas.values():
        parent = areas.get(a.parent_id)
        if a.level == LEVEL_COMMUNITY:
            parts[a.id] = (a.id, None)
        elif a.level == LEVEL_GRID:
            parts[a.id] = (a.parent_id, a.id)
        elif a.level == LEVEL_MICROGRID:
            parts[a.id] = (parent.parent_id if parent else None, a.parent_id)
    return parts


def one_snapshot(session: Session) -> None:
    """On PostgreSQL, let every query of ``session`` see the same committed
    data (REPEATABLE READ; SQLite's read transaction already does): the
    stored counts and the few rows read beside them must agree even while
    other clerks commit. Call before the session's first query."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


@contextmanager
def _side_queries(db: Database):
    """``side(fn, *args, **kw)`` runs ``fn(session, *args, **kw)`` with a
    session of its own and returns a finished future.

    Running these in worker threads halved the county report's query time
    on two cores, but crashed the process (segmentation fault inside
    SQLAlchemy's compiled extensions while another thread used psycopg) in
    a CI run on PostgreSQL, so they run one after another; the shape is
    kept so the queries stay independent of each other."""
    def inline(fn, *args, **kw):
        future: Future = Future()
        with db.session() as session:
            one_snapshot(session)
            future.set_result(fn(session, *args, **kw))
        return future
    yield inline


def _resident_counts(session: Session, prev: date, end: date, community_ids: list[int], parts: dict,
                     trend_ends: list[date]) -> tuple[dict, dict, list[int]]:
    """({(community, grid, category) at the end: (count, not there at prev)},
    {(community at prev, category): (count, not there at the end)},
    [residents in the scope at each of ``trend_ends``]); the category is
    the person's current one.

    Everyone is first placed by their current household: the stored
    per-area counts give those present at every date, and only the others
    (arrived or left within the dates) are read, with their date buckets
    (``everyone``). The few who moved between households after ``prev`` are
    then taken out and counted exactly, each in the household they had at
    each date. The trend counts place everyone in their current household."""
    in_scope = set(community_ids)
    dates = sorted(set(trend_ends) | {prev, end})
    i_prev, i_end = dates.index(prev), dates.index(end)
    trend_index = [dates.index(d) for d in trend_ends]
    buckets = presence.person_columns(dates)

    def grouped(*where):
        return session.execute(
            select(Household.area_id, Person.category, *buckets, func.count())
            .select_from(Person).join(Household, Household.id == Person.household_id).where(*where)
            .group_by(Household.area_id, Person.category, *buckets))

    def everyone() -> list[tuple]:
        """The rows ``grouped()`` gives for the whole register, without
        reading it: the stored per-area counts (``services.tallies``) less
        the few 在册 who are not present at every date are the steady ones,
        present at every date; only the few (and those who left after the
        earliest date) are read, with their buckets."""
        steady = tallies.residents_per_area_category(session)
        rows = []
        for active, condition in presence.unsteady_parts(dates[0]):
            for row in grouped(condition):
                area_id, cat, *_buckets, count = row
                rows.append((area_id, cat or None, *_buckets, count))
                if active:
                    steady[(area_id, cat or None)] = steady.get((area_id, cat or None), 0) - count
        n = len(dates)
        rows.extend((area_id, cat, 0, n, n, 1, count) for (area_id, cat), count in steady.items() if count)
        return rows

    at_end: dict[tuple, tuple[int, int]] = {}
    at_prev: dict[tuple, tuple[int, int]] = {}
    trend = [0] * len(trend_ends)

    def add(table: dict, key: tuple, count: int, changed: int) -> None:
        c, n = table.get(key, (0, 0))
        table[key] = (c + count, n + changed)

    presence_at: dict[tuple, tuple] = {}  # buckets -> (at each trend date, was there, is there)

    def count_flows(rows, sign: int) -> None:
        for area_id, cat, reg, out, died, valid, n in rows:
            comm, grid = parts.get(area_id, (None, None))
            if comm not in in_scope:
                continue
            key = (reg, out, died, valid)
            seen = presence_at.get(key)
            if seen is None:
                seen = presence_at[key] = (
                    [k for k, i in enumerate(trend_index) if presence.present(i, reg, out, died, valid)],
                    presence.present(i_prev, reg, out, died, valid), presence.present(i_end, reg, out, died, valid))
            trend_at, was_there, is_there = seen
            if sign > 0:
                for k in trend_at:
                    trend[k] += n
            n *= sign
            if is_there:
                add(at_end, (comm, grid, cat), n, 0 if was_there else n)
            if was_there:
                add(at_prev, (comm, cat), n, 0 if is_there else n)

    # Everyone by current household, then the few who moved
    # between households after prev are taken out again and placed exactly.
    count_flows(everyone(), +1)
    count_flows([(a, cat or None, *rest) for a, cat, *rest in grouped(Person.id.in_(moved_after(prev)))], -1)
    for table in (at_end, at_prev):
        for key in [k for k, (c, _n) in table.items() if c == 0]:
            del table[key]

    was, now = person_present(prev), person_present(end)
    # people who moved between households after prev: their household at each date
    t_prev, t_end = transfers_after(prev, "t_prev"), transfers_after(end, "t_end")
    people = (select(func.coalesce(t_prev.c.from_household_id, Person.household_id).label("hh_prev"),
                     func.coalesce(t_end.c.from_household_id, Person.household_id).label("hh_end"),
                     Person.category.label("cat"), _one(was).label("was"), _one(now).label("now"))
              .select_from(Person)
              .outerjoin(t_prev, t_prev.c.person_id == Person.id).outerjoin(t_end, t_end.c.person_id == Person.id)
              .where(or_(was, now), Person.id.in_(moved_after(prev))).subquery("people"))
    h_prev, h_end = aliased(Household), aliased(Household)
    for area_prev, area_end, cat, p_was, p_now in session.execute(
            select(h_prev.area_id, h_end.area_id, people.c.cat, people.c.was, people.c.now).select_from(people)
            .outerjoin(h_prev, h_prev.id == people.c.hh_prev).outerjoin(h_end, h_end.id == people.c.hh_end)):
        cat = cat or None
        c_prev, _g = parts.get(area_prev, (None, None))
        c_end, g_end = parts.get(area_end, (None, None))
        stayed = p_was and p_now and c_prev == c_end
        if p_now and c_end in in_scope:
            add(at_end, (c_end, g_end, cat), 1, 0 if stayed else 1)
        if p_was and c_prev in in_scope:
            add(at_prev, (c_prev, cat), 1, 0 if stayed else 1)
    return at_end, at_prev, trend


# --- staff ---------------------------------------------------------------------------------

def assignment_runs(on: date):
    return and_(StaffAssignment.start_date <= on,
                or_(StaffAssignment.end_date.is_(None), StaffAssignment.end_date >= on))


def _staff_counts(session: Session, on: date, community_ids: list[int]) -> dict:
    m = _area_map("sm")
    base = (select().select_from(StaffAssignment).join(m, m.c.area_id == StaffAssignment.area_id)
            .where(assignment_runs(on), m.c.community_id.in_(community_ids)))
    people = func.count(distinct(StaffAssignment.staff_id))
    return {
        "by_comm": dict(session.execute(base.add_columns(m.c.community_id, people).group_by(m.c.community_id)).all()),
        "by_comm_role": {(c, r): n for c, r, n in session.execute(
            base.add_columns(m.c.community_id, StaffAssignment.role, people)
            .group_by(m.c.community_id, StaffAssignment.role))},
        "by_grid": dict(session.execute(base.add_columns(m.c.grid_id, people)
                                        .where(m.c.grid_id.is_not(None)).group_by(m.c.grid_id)).all()),
        "fulltime_by_grid": dict(session.execute(
            base.add_columns(m.c.grid_id, people)
            .where(m.c.grid_id.is_not(None), StaffAssignment.role == ROLE_FULLTIME).group_by(m.c.grid_id)).all()),
        "total": int(session.scalar(base.add_columns(people)) or 0),
        "total_role": dict(session.execute(base.add_columns(StaffAssignment.role, people)
                                           .group_by(StaffAssignment.role)).all()),
    }


# --- training ------------------------------------------------------------------------------

def _attendance_in_scope(community_ids: list[int]):
    """The attendee was assigned in one of the communities on the session's date."""
    m = _area_map("tm")
    sa = aliased(StaffAssignment)
    return exists(select(literal(1)).select_from(sa).join(m, m.c.area_id == sa.area_id).where(
        sa.staff_id == Attendance.staff_id, m.c.community_id.in_(community_ids),
        sa.start_date <= TrainingSession.start_date,
        or_(sa.end_date.is_(None), sa.end_date >= TrainingSession.start_date)))


def _training(session: Session, first: date, last: date, community_ids: list[int], *,
              scoped: bool) -> TrainingFigures:
    held = and_(TrainingSession.cancelled.is_(False), TrainingSession.start_date >= first,
                TrainingSession.start_date <= last)
    present = and_(Attendance.status == ATTEND_PRESENT, held)
    if scoped:
        present = and_(present, _attendance_in_scope(community_ids))
    count, hours, sessions = session.execute(
        select(func.count(), func.coalesce(func.sum(Attendance.hours_credited), 0.0),
               func.count(distinct(TrainingSession.id)))
        .select_from(Attendance).join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(present)).one()
    if not scoped:
        sessions = session.scalar(select(func.count()).select_from(TrainingSession).where(held))
    return TrainingFigures(int(sessions or 0), int(count or 0), float(hours or 0.0))
