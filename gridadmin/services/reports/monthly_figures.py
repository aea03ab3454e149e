"""The figures of the monthly report (月报), computed from the history.

Everything is "as of" a date, so a past month gives the same numbers after
later changes:

- a household exists at D when ``registered_on <= D`` (unknown date: always)
  and it is not dissolved on or before D;
- a person counts at D when ``registered_on <= D`` and they had not moved
  out or died on or before D; they count in their household's area at D
  (the household they left by the first 户间迁移 event after D, else their
  current one) or, without a household, their house's at D (likewise by
  住所变更: ``placed_at``) — so a move next month does not move them between
  communities in this month's report;
  likewise their 人口类别 at D is the one their first 类别变更 after D
  replaced, else their current one;
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
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import distinct, func, select

from gridadmin.db import Database
from gridadmin.models import Area, StaffAssignment
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_TOWNSHIP
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.errors import NotFoundError, ValidationError
from gridadmin.services.training.compliance import compliance
from gridadmin.services.common.settings import KEY_TOWNSHIP_NAME, behind_threshold_in, get_setting
from gridadmin.services.access.permissions import SEE_SENSITIVE, PermissionDeniedError, acting, visible_areas
from gridadmin.services.reports import monthly_details as details
from gridadmin.services.reports import snapshot
from gridadmin.services.reports.late_changes import LateChange, late_changes
from gridadmin.services.reports.late_staff import late_staff_changes
from gridadmin.services.reports.snapshot import SubmissionInfo
from gridadmin.services.roster.on_post import ON_LEAVE, OnPostCount, on_post_assignment
from gridadmin.services.roster.staffing_rules import StaffingRule, staffing_rule_in
from gridadmin.services.reports.monthly_census import KEYS as CENSUS_KEYS, census_counts, census_flows
from gridadmin.services.reports.monthly_details import BehindRow, StaffChange, TagCount, TrendPoint
from gridadmin.services.reports.monthly_counts import (
    StockFlow, TrainingFigures, area_map, area_parts, attendance_in_scope, grid_map, grid_parts, household_counts,
    one_snapshot, person_present, resident_counts, side_queries, staff_counts, training_counts,
)

CENTRE_SUFFIX = "网格化服务管理中心"


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
    # The township's staffing rule (``roster.staffing_rules``) and the people in
    # its responsible post; None in a snapshot from before the rule: 专职, 300–500.
    responsible_workers: int | None = None
    rule: StaffingRule | None = None

    @property
    def staffing_rule(self) -> StaffingRule:
        return self.rule or StaffingRule()

    @property
    def workers(self) -> int:
        """People in the responsible post (专职网格员 unless the township says otherwise)."""
        return self.fulltime_workers if self.responsible_workers is None else self.responsible_workers

    @property
    def households_per_worker(self) -> float | None:
        return self.households / self.workers if self.workers else None

    @property
    def lacking(self) -> bool:
        """No responsible worker where the township's rule wants one."""
        return self.staffing_rule.lacks(self.households, self.workers, self.grid_type)

    @property
    def warning(self) -> str:
        """The rule's verdict: 无专职网格员 (or the township's responsible
        post), or households per worker outside the township's range (a
        rural grid only when too big; a 专属网格 without households is not
        flagged)."""
        return self.staffing_rule.note(self.households, self.workers, self.grid_type)


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
    census_flows: dict = field(default_factory=dict)  # as category_flows, for monthly_census.KEYS (房屋, 人户分离)
    staff_flows: dict = field(default_factory=dict)  # {community_id or None (合计): StockFlow}
    staff_role_flows: dict = field(default_factory=dict)  # {role: StockFlow} over the scope
    staff_changes: tuple[StaffChange, ...] = ()
    tags: tuple[TagCount, ...] = ()
    sensitive_shown: bool = False
    trend: tuple[TrendPoint, ...] = ()
    behind: tuple[BehindRow, ...] = ()
    staff_on_leave: int = 0  # 休假 at the month's end, shown beside 在岗 (``roster.on_post``)
    behind_by_community: tuple = ()  # ((community name, staff behind on hours to date), …), every shown community
    behind_total: int = 0  # distinct staff behind on hours to date (``behind`` lists only some of them)
    behind_threshold: float = 1.0  # months' shares beyond which ``behind`` names them
    behind_listed_all: bool = False  # December: ``behind`` lists everyone behind
    staffing_rule: StaffingRule | None = None  # the township's rule the grids were judged by (None: 专职, 300–500)
    # submitted months (snapshot.py, submission.py)
    previous_submission: SubmissionInfo | None = None  # the previous month as submitted: 上月末 is its 本月末
    submission: SubmissionInfo | None = None  # this month is submitted: these are the submitted figures
    now_totals: dict | None = None  # with ``submission``: the totals the register gives today
    late: tuple = ()  # with ``submission``: the late changes (``late_changes.LateChange``) behind the difference
    corrected_by: tuple = ()  # with ``previous_submission``: the late changes behind this month's 更正
    computed_on: date | None = None  # the day the figures were computed: before ``month_end`` they are provisional

    @property
    def provisional(self) -> bool:
        """Computed before the month ended: the numbers are as of that day
        and change until the month is over."""
        return self.computed_on is not None and self.computed_on < self.month_end

    @property
    def as_of_text(self) -> str:
        """统计时点 as the report prints it (the PDF, the preview, ``--json``)."""
        if self.provisional:
            return (f"统计时点：{self.computed_on:%Y年%m月%d日}（本月未结束，数字为截至当日的临时数，"
                    f"{self.month_end:%m月%d日}月末后请重新生成）")
        return f"统计时点：{self.month_end:%Y年%m月%d日}（本月末）"

    breakdown: str = "社区/村"  # what ``communities`` are: "网格" in one community's report (rows per grid)
    scope_kind: str = ""  # "社区" or "村" for one community's report (本社区/本村), else ""

    @property
    def by_grid(self) -> bool:
        """One community's report: its rows are the community's grids."""
        return self.breakdown == "网格"

    @property
    def scope_word(self) -> str:
        """全范围, or 本社区/本村 in one community's report."""
        return f"本{self.scope_kind or '社区'}" if self.by_grid else "全范围"

    @property
    def unit(self) -> str:
        """填报单位."""
        return f"{self.township}{CENTRE_SUFFIX}"

    @property
    def month_key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def staff_text(self) -> str:
        """在岗 416 人（另有休假 6 人） over the scope at the month's end."""
        return OnPostCount(self.total.staff_on_post, self.staff_on_leave).text

    @property
    def grids_lacking(self) -> tuple[GridFigures, ...]:
        """Grids without the township's responsible worker, where the rule wants one."""
        return tuple(g for g in self.grids if g.lacking)

    def to_dict(self) -> dict:
        """The CLI's ``--json`` object: exactly the numbers printed. Per
        total, ``flows`` gives 上月末 (``previous``: the submitted figure when
        the previous month was submitted, ``previous_submitted`` then that
        figure, else null), ``corrections`` (更正), the month's increase and
        decrease and 本月末."""
        previous = self.previous_submission is not None

        def flow(f: StockFlow) -> dict:
            return {"previous": f.previous, "previous_submitted": f.previous if previous else None,
                    "corrections": f.correction, "increase": f.increase, "decrease": f.decrease,
                    "current": f.current}

        out = {
            "month": self.month_key,
            "as_of": (self.computed_on if self.provisional else self.month_end).isoformat(),
            "provisional": self.provisional, "as_of_text": self.as_of_text,
            "scope": {"name": self.scope_name, "code": self.scope_code},
            "submitted": None if self.submission is None else {
                "by": self.submission.username, "at": self.submission.submitted_at.isoformat(sep=" ")},
            "totals": {"households": self.total.households.current, "residents": self.total.residents.current,
                       "staff_on_post": self.total.staff_on_post, "staff_on_leave": self.staff_on_leave,
                       "grids": len(self.grids),
                       "categories": {label: self.category_flows.get(None, {}).get(code, StockFlow()).current
                                      for code, label in self.categories},
                       "census": {key: self.census_flows.get(None, {}).get(key, StockFlow()).current
                                  for key in CENSUS_KEYS},
                       "flows": {"households": flow(self.total.households),
                                 "residents": flow(self.total.residents),
                                 "staff_on_post": flow(self.staff_flows.get(None, StockFlow()))}},
            "breakdown": self.breakdown,
            "communities": [{"name": c.name, "code": c.code, "households": c.households.current,
                             "residents": c.residents.current, "staff_on_post": c.staff_on_post}
                            for c in self.communities],
            "correction_changes": [c.to_dict() for c in self.corrected_by],
        }
        return out


snapshot.register_figure_classes(MonthlyFigures, CommunityFigures, GridFigures, StaffingRule, StockFlow,
                                 TrainingFigures, StaffChange, TagCount, TrendPoint, BehindRow, LateChange)


def changes_since(session, month_end: date, info: SubmissionInfo, community_ids: list[int] | None) -> list:
    """The late changes of a submitted month (residents' and staff), in the
    order they were entered."""
    late = late_changes(session, month_end, info.submitted_at, community_ids, last_event_id=info.last_event_id)
    late += late_staff_changes(session, month_end, info.submitted_at, community_ids)
    return sorted(late, key=lambda c: c.entered_on)


def month_bounds(year: int, month: int) -> tuple[date, date, date]:
    """(first day, last day, last day of the previous month); refuses a bad month."""
    if not isinstance(year, int) or not isinstance(month, int) or not 1 <= month <= 12 or not 1900 <= year <= 9999:
        raise ValidationError(f"报告月份“{year}-{month}”无效，应为 YYYY-MM，月份 1–12。", field="报告月份",
                              value=f"{year}-{month}")
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    return start, end, start - timedelta(days=1)


def monthly_figures(db: Database, year: int, month: int, scope_area_id: int | None = None, *,
                    as_submitted: bool = True) -> MonthlyFigures:
    """The report's figures for ``year``-``month``; ``scope_area_id`` a
    township or community (None: every community in the database). A user
    limited to some areas may only report on one of them.

    A submitted month (已上报) gives its submitted figures, with today's
    totals and the late changes beside them (``as_submitted=False``: what
    the register says today). When the previous month was submitted, the
    flows start from its submitted 本月末, the difference being 更正."""
    start, end, prev = month_bounds(year, month)
    key = f"{year:04d}-{month:02d}"
    with db.session() as session:
        one_snapshot(session)  # first: it sets the transaction's isolation level
        actor = acting(db)
        visible = visible_areas(session, actor)
        if visible is not None and (scope_area_id is None or scope_area_id not in visible):
            raise PermissionDeniedError(f"当前用户“{actor.display_name}”只负责部分区域，请选择其负责的社区生成报表。",
                                        field="范围", value=scope_area_id or "全镇")
        s_key = snapshot.scope_key(session, scope_area_id)
        submitted = snapshot.current_submission(session, key, s_key) if as_submitted else None
        if submitted is not None:
            info, stored = snapshot.info_of(submitted), snapshot.decode_figures(submitted.figures)
    if submitted is not None:
        now = monthly_figures(db, year, month, scope_area_id, as_submitted=False)
        with db.session() as session:
            late = changes_since(session, end, info,
                                 ([scope_area_id] if now.by_grid else [c.area_id for c in now.communities])
                                 if scope_area_id is not None else None)
        return replace(stored, submission=info, now_totals=now.to_dict()["totals"], late=tuple(late))
    with db.session() as session:
        one_snapshot(session)
        before = snapshot.covering_submission(session, snapshot.month_key_of(prev), s_key)
        if before is not None:
            previous_info, previous_figures = snapshot.info_of(before), snapshot.decode_figures(before.figures)
        areas = {r.id: r for r in session.execute(
            select(Area.id, Area.parent_id, Area.level, Area.name, Area.division_code, Area.grid_code,
                   Area.grid_type, Area.active, Area.sort_order, Area.community_kind))}
        township = get_setting(session, KEY_TOWNSHIP_NAME) or next(
            (a.name for a in areas.values() if a.level == LEVEL_TOWNSHIP), "")
        kids = children_index(areas)
        scope_name, scope_code, communities = _scope(areas, kids, scope_area_id, township)
        scoped = scope_area_id is not None and areas[scope_area_id].level == LEVEL_COMMUNITY
        # One community's report is broken down by its grids: they are the rows ("units")
        # where a township's report has its communities (the community itself last, for
        # what is recorded on it directly).
        units = [*kids.get((scope_area_id, LEVEL_GRID), []), areas[scope_area_id]] if scoped else communities
        mapper, parts = (grid_map, grid_parts(areas)) if scoped else (area_map, area_parts(areas))
        community_ids = [c.id for c in units]
        book = CodeBook.load(session)
        rule = staffing_rule_in(session, book)

        trend_months = details.months_back(year, month, 12)
        with_sensitive = acting(db).can(SEE_SENSITIVE)
        last_year_end = details.month_end(year - 1, month)
        # The two scans of the whole register (see side_queries).
        with side_queries(db) as side:
            residents_job = side(resident_counts, prev, end, community_ids, parts,
                                 [details.month_end(y, m) for y, m in trend_months])
            tags_job = side(details.tag_counts, (end, prev, last_year_end), community_ids, parts, person_present,
                            with_sensitive=with_sensitive)
            households = household_counts(session, prev, end, community_ids, parts)
            census = census_counts(session, prev, end, community_ids, parts)
            staff = staff_counts(session, end, community_ids, mapper=mapper, responsible=rule.responsible)
            training_month = training_counts(session, start, end, community_ids, scoped=scoped, mapper=mapper)
            training_year = training_counts(session, date(year, 1, 1), end, community_ids, scoped=scoped,
                                            mapper=mapper)
            staff_flow = details.staff_flows(session, prev, end, community_ids, mapper)
            changes = details.staff_changes(session, start, end, community_ids, mapper,
                                            lambda r: book.label("staff_role", r) or r)
            on_post = set(session.scalars(
                select(StaffAssignment.staff_id).join(m := mapper("bh"), m.c.area_id == StaffAssignment.area_id)
                .where(on_post_assignment(end), m.c.community_id.in_(community_ids))))
            bc = mapper("bc")
            staff_communities = session.execute(
                select(StaffAssignment.staff_id, bc.c.community_id).distinct()
                .join(bc, bc.c.area_id == StaffAssignment.area_id)
                .where(on_post_assignment(end), bc.c.community_id.in_(community_ids))).all()
            threshold = behind_threshold_in(session)
            on_leave = session.scalar(
                select(func.count(distinct(StaffAssignment.staff_id)))
                .join(m := mapper("lv"), m.c.area_id == StaffAssignment.area_id)
                .where(on_post_assignment(end, status=ON_LEAVE), m.c.community_id.in_(community_ids))) or 0
            compliance_rows = compliance(db, year, today=end)
            corrected_by = changes_since(session, prev, previous_info,
                                         ([scope_area_id] if scoped else community_ids)
                                         if scope_area_id is not None else None) if before is not None else []
            residents_end, residents_prev, trend_residents, recategorised = residents_job.result()
            tags = tags_job.result()
        trend = details.trends(session, trend_months, trend_residents,
                               scoped_training=attendance_in_scope(community_ids, mapper) if scoped else None)
    # Training: everyone 在岗 behind their hours to date is counted per community;
    # names are listed beyond the township's threshold (December: all of them).
    behind_all = [r for r in compliance_rows if r.shortfall > 0 and r.staff_id in on_post]
    listed_all = month == 12
    behind = tuple(BehindRow(r.name, r.grids, r.hours, r.required, round(r.months_behind, 2))
                   for r in behind_all if listed_all or r.months_behind > threshold)
    behind_ids = {r.staff_id for r in behind_all}
    behind_counts: dict[int, set[int]] = {}
    for staff_id, comm in staff_communities:
        if staff_id in behind_ids:
            behind_counts.setdefault(comm, set()).add(staff_id)

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
    # Those who stayed in their community but changed category: out of one, into the other.
    for (comm, cat), (came, went) in recategorised.items():
        flow = cat_rows.setdefault((comm, cat), [0, 0, 0, 0])
        flow[1] += came
        flow[2] += went

    # The core posts this township has, then any other role someone holds.
    extra_roles = sorted({role for (_c, role) in staff["by_comm_role"]} - set(rule.core_posts))
    roles = tuple((r, book.label("staff_role", r) or r) for r in (*rule.core_posts, *extra_roles))

    # A community's report by grid after a submission by community (the township's, which
    # covers it): the grids start from the register, the 合计 from the submitted community row.
    regrid = before is not None and scoped and previous_figures.breakdown != "网格"
    reported = _Reported(previous_figures if before is not None and not regrid else None)
    rows: list[CommunityFigures] = []
    for c in units:
        current, increase = res_end.get(c.id, (0, 0))
        previous, decrease = residents_prev.get(c.id, (0, 0))
        own = scoped and c.level == LEVEL_COMMUNITY  # the community's own row in its report by grid
        row = CommunityFigures(
            c.id, f"{c.name}（未划入网格）" if own else c.name, c.division_code or c.grid_code,
            reported.households(c.id, hh_by_comm.get(c.id, StockFlow())),
            reported.residents(c.id, StockFlow(previous, increase, decrease, current)), staff["by_comm"].get(c.id, 0),
            {r: staff["by_comm_role"].get((c.id, r), 0) for r, _label in roles})
        if (c.active and not own) or row.households.current or row.households.previous or row.residents.current \
                or row.residents.previous or row.staff_on_post or reported.had(c.id):
            rows.append(row)
    total = CommunityFigures(
        None, "合计", None, sum((r.households for r in rows), StockFlow()),
        sum((r.residents for r in rows), StockFlow()), staff["total"],
        {r: staff["total_role"].get(r, 0) for r, _label in roles})
    if regrid:
        prior = next((c for c in previous_figures.communities if c.area_id == scope_area_id), None)
        total = replace(total, households=total.households.from_submitted(prior.households.current if prior else 0),
                        residents=total.residents.from_submitted(prior.residents.current if prior else 0))

    grids: list[GridFigures] = []
    for c in communities:
        for g in kids.get((c.id, LEVEL_GRID), []):
            figures = GridFigures(g.id, c.name, g.name, g.grid_code or g.division_code, g.grid_type,
                                  hh_by_grid.get(g.id, 0), res_by_grid.get(g.id, 0), staff["by_grid"].get(g.id, 0),
                                  staff["fulltime_by_grid"].get(g.id, 0), staff["responsible_by_grid"].get(g.id, 0),
                                  rule)
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
    census = census_flows(census, shown, previous_figures.census_flows if before is not None else None,
                          regrid_scope=scope_area_id if regrid else None)
    total_by_cat: dict = {}
    for per in category_flows.values():
        for cat, flow in per.items():
            total_by_cat[cat] = total_by_cat.get(cat, StockFlow()) + flow
    category_flows[None] = total_by_cat
    staff_flows = {c: StockFlow(*f) for c, f in staff_flow["by_comm"].items()}
    staff_flows[None] = StockFlow(*staff_flow["total"])
    role_flows = {r: StockFlow(*f) for r, f in staff_flow["by_role"].items()}
    if regrid:
        prior_cats = previous_figures.category_flows.get(scope_area_id, {})
        category_flows[None] = {cat: flow.from_submitted(prior_cats[cat].current if cat in prior_cats else 0)
                                for cat, flow in category_flows[None].items()}
        prior_staff = previous_figures.staff_flows.get(scope_area_id)
        staff_flows[None] = staff_flows[None].from_submitted(prior_staff.current if prior_staff else 0)
    elif before is not None:
        category_flows = reported.categories(category_flows)
        staff_flows = reported.staff(staff_flows, single=scoped)
        role_flows = reported.roles(role_flows, exact=before.scope_key == s_key)
    return MonthlyFigures(year, month, start, end, prev, township, scope_name, scope_code,
                          scope_area_id is None or areas[scope_area_id].level == LEVEL_TOWNSHIP,
                          tuple(rows), total, tuple(grids), roles, training_month, training_year,
                          categories=categories, category_flows=category_flows, staff_flows=staff_flows,
                          census_flows=census,
                          staff_role_flows=role_flows,
                          staff_changes=tuple(changes), tags=tuple(tags), sensitive_shown=with_sensitive,
                          trend=tuple(trend), behind=tuple(sorted(behind, key=lambda b: -b.shortfall)),
                          previous_submission=previous_info if before is not None else None,
                          corrected_by=tuple(corrected_by),
                          staff_on_leave=int(on_leave),
                          behind_by_community=tuple((r.name, len(behind_counts.get(r.area_id, ()))) for r in rows),
                          behind_total=len(behind_ids), behind_threshold=threshold, behind_listed_all=listed_all,
                          computed_on=date.today(),
                          breakdown="网格" if scoped else "社区/村",
                          scope_kind=(areas[scope_area_id].community_kind or "社区") if scoped else "",
                          staffing_rule=rule)


class _Reported:
    """The previous month's submitted figures (or none): each flow of this
    month starts from the submitted 本月末 of the same row (``StockFlow.
    from_submitted``); a row the submitted report did not show was 0."""

    def __init__(self, figures: MonthlyFigures | None):
        self.figures = figures
        self.rows = {c.area_id: c for c in figures.communities} if figures is not None else {}

    def had(self, area_id: int) -> bool:
        return area_id in self.rows

    def _start(self, flow: StockFlow, submitted: StockFlow | None) -> StockFlow:
        if self.figures is None:
            return flow
        return flow.from_submitted(submitted.current if submitted is not None else 0)

    def households(self, area_id: int, flow: StockFlow) -> StockFlow:
        row = self.rows.get(area_id)
        return self._start(flow, row.households if row is not None else None)

    def residents(self, area_id: int, flow: StockFlow) -> StockFlow:
        row = self.rows.get(area_id)
        return self._start(flow, row.residents if row is not None else None)

    def categories(self, flows: dict) -> dict:
        """Per community (and 合计) per category; 合计 is again the sum."""
        out: dict = {}
        before = self.figures.category_flows
        shown = set(flows) - {None}
        for comm in shown | (set(before) - {None}):
            if comm not in shown and comm not in self.rows:
                continue
            mine, theirs = flows.get(comm, {}), before.get(comm, {})
            out[comm] = {cat: self._start(mine.get(cat, StockFlow()), theirs.get(cat))
                         for cat in set(mine) | set(theirs)}
        total: dict = {}
        for per in out.values():
            for cat, flow in per.items():
                total[cat] = total.get(cat, StockFlow()) + flow
        out[None] = total
        return out

    def staff(self, flows: dict, *, single: bool) -> dict:
        """Staff on post per community and in the scope (distinct people:
        the submitted scope total, or a community report's one row)."""
        before = self.figures.staff_flows
        out = {comm: self._start(flow, before.get(comm)) for comm, flow in flows.items() if comm is not None}
        if single and len(out) == 1:
            out[None] = self._start(flows[None], before.get(next(iter(out))))
        else:
            out[None] = self._start(flows[None], before.get(None))
        return out

    def roles(self, flows: dict, *, exact: bool) -> dict:
        if not exact:
            return flows
        before = self.figures.staff_role_flows
        return {role: self._start(flow, before.get(role)) for role, flow in flows.items()}


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
