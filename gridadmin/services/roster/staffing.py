"""Per-grid staffing (网格配备情况) against the township's own rule
(``staffing_rules``: which posts exist, which one is a grid's responsible
worker, whether a grid must have one, the households per worker).

For every active grid: how many people serve today in each of the core
posts that exist here (of 网格长, 专职网格员, 兼职网格员, 网格指导员) and in
the other roles (the "N"), which of those posts are vacant, the households
of the grid and the households per responsible worker against the rule's
range; plus the township-wide lists of grids lacking their responsible
worker and of grids where each one serves more than the maximum.

Counting rules:
- a person counts when they are 在岗 today as ``roster.on_post`` defines it
  everywhere (status 在岗 and the assignment runs today); people on 休假
  are not counted; one person counts once per grid and role;
- micro-grids belong to their grid: their households and staff count for
  the grid above them;
- households: those not dissolved;
- a 专属网格 without households is not flagged for lacking a worker.

All counts are GROUP BY queries (a handful of queries whatever the size).

Only the acting user's grids are listed (``access.permissions.visible_areas``):
a user of some communities sees their grids' staffing and households, not the
township's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import aliased

from gridadmin.db import Database
from gridadmin.models import Area, Household, Staff, StaffAssignment
from gridadmin.models.area import LEVEL_GRID, LEVEL_MICROGRID
from gridadmin.models.staff import CORE_ROLES, ROLE_FULLTIME
from gridadmin.services.access.permissions import acting, visible_areas
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.paging import ALIGN_CENTER, ALIGN_RIGHT, Column
from gridadmin.services.roster.on_post import on_post_assignment
from gridadmin.services.roster.staffing_rules import RURAL_GRID, SPECIAL_GRID, StaffingRule, staffing_rule_in

__all__ = ["CORE_ROLES", "RURAL_GRID", "SPECIAL_GRID", "GridStaffing", "StaffingReport", "grid_staffing", "staffing_columns"]


@dataclass(frozen=True)
class GridStaffing:
    """One grid's staffing today. ``core`` holds the number of people in
    each of ``CORE_ROLES`` (same order); ``others`` the people in other
    roles; ``vacant`` the labels of the unfilled core posts that exist here;
    ``responsible`` the people in the rule's responsible post."""

    area_id: int
    community: str
    name: str
    grid_code: str
    grid_type: str
    households: int
    core: tuple[int, ...]
    others: int
    vacant: tuple[str, ...]
    responsible: int
    rule: StaffingRule

    @property
    def fulltime(self) -> int:
        return self.core[CORE_ROLES.index(ROLE_FULLTIME)]

    @property
    def households_per_worker(self) -> float | None:
        """Households per responsible worker; None without one."""
        return self.households / self.responsible if self.responsible else None

    @property
    def lacking(self) -> bool:
        """No responsible worker where the rule wants one."""
        return self.rule.lacks(self.households, self.responsible, self.grid_type)

    @property
    def over_limit(self) -> bool:
        """Each responsible worker serves more than the rule's maximum."""
        return self.rule.over(self.households, self.responsible)

    @property
    def note(self) -> str:
        """The rule's short Chinese verdict ('' when fine or not judged)."""
        return self.rule.note(self.households, self.responsible, self.grid_type)


@dataclass(frozen=True)
class StaffingReport:
    """Every active grid (community order, then grid order), the rule and
    the two township-wide lists taken from them."""

    today: date
    role_labels: tuple[str, ...]  # labels of CORE_ROLES
    grids: tuple[GridStaffing, ...]
    rule: StaffingRule

    @property
    def lacking(self) -> tuple[GridStaffing, ...]:
        return tuple(g for g in self.grids if g.lacking)

    @property
    def over_limit(self) -> tuple[GridStaffing, ...]:
        return tuple(g for g in self.grids if g.over_limit)


def grid_staffing(db: Database, *, today: date | None = None) -> StaffingReport:
    """The staffing of every active grid on ``today`` (see module rules)."""
    today = today or date.today()
    with db.session() as session:
        book = CodeBook.load(session)
        rule = staffing_rule_in(session, book)
        community = aliased(Area)
        visible = visible_areas(session, acting(db))
        grids = [g for g in session.execute(
            select(Area.id, community.name, Area.name, Area.grid_code, Area.grid_type)
            .outerjoin(community, community.id == Area.parent_id)
            .where(Area.level == LEVEL_GRID, Area.active.is_(True))
            .order_by(community.sort_order, community.name, Area.sort_order, Area.name, Area.id))
            if visible is None or g.id in visible]
        # The grid an area counts for: itself, or the grid above a micro-grid.
        grid_of = case((Area.level == LEVEL_MICROGRID, Area.parent_id), else_=Area.id)
        households = dict(session.execute(
            select(grid_of, func.count(Household.id))
            .select_from(Household).join(Area, Area.id == Household.area_id)
            .where(Household.dissolved_on.is_(None), Area.level.in_((LEVEL_GRID, LEVEL_MICROGRID)))
            .group_by(grid_of)).all())
        counts: dict[tuple[int, str], int] = {}
        for grid_id, role, people in session.execute(
                select(grid_of, StaffAssignment.role, func.count(distinct(StaffAssignment.staff_id)))
                .select_from(StaffAssignment)
                .join(Area, Area.id == StaffAssignment.area_id)
                .join(Staff, Staff.id == StaffAssignment.staff_id)
                .where(on_post_assignment(today, today), Area.level.in_((LEVEL_GRID, LEVEL_MICROGRID)))
                .group_by(grid_of, StaffAssignment.role)):
            counts[(grid_id, role)] = int(people)
        # "others" counts assignments per role, so one person in two
        # non-core roles counts twice; that is rare and the figure is "N".
        others: dict[int, int] = {}
        for (grid_id, role), people in counts.items():
            if role not in rule.core_posts:  # a core post this township does not have counts as "N"
                others[grid_id] = others.get(grid_id, 0) + people
    labels = tuple(book.label("staff_role", role) for role in CORE_ROLES)
    rows = []
    for area_id, community_name, name, grid_code, grid_type in grids:
        core = tuple(counts.get((area_id, role), 0) for role in CORE_ROLES)
        vacant = tuple(label for role, label, n in zip(CORE_ROLES, labels, core) if n == 0 and role in rule.posts)
        rows.append(GridStaffing(
            area_id, community_name or "", name, grid_code or "", grid_type or "", int(households.get(area_id, 0)),
            core, others.get(area_id, 0), vacant, counts.get((area_id, rule.responsible), 0), rule))
    return StaffingReport(today, labels, tuple(rows), rule)


def staffing_columns(report: StaffingReport) -> tuple[Column, ...]:
    """Columns of the staffing table (screen and xlsx export): the core
    posts that exist here, the households per responsible worker."""
    rule = report.rule

    def per(g: GridStaffing) -> str:
        value = g.households_per_worker
        return "" if value is None else f"{value:.0f}"

    core = tuple(
        Column(role, label, (lambda g, i=i: str(g.core[i])), align=ALIGN_CENTER, width=70)
        for i, (role, label) in enumerate(zip(CORE_ROLES, report.role_labels)) if role in rule.core_posts)
    return (
        Column("community", "社区/村", lambda g: g.community, width=100),
        Column("name", "网格", lambda g: g.name, width=170),
        Column("grid_type", "网格类型", lambda g: g.grid_type, width=86),
        Column("households", "户数", lambda g: str(g.households), align=ALIGN_RIGHT, width=56),
        *core,
        Column("others", "其他力量(N)", lambda g: str(g.others), align=ALIGN_CENTER, width=80),
        Column("vacant", "缺岗", lambda g: "、".join(g.vacant) if g.vacant else "齐全", width=130),
        Column("per_worker", f"户/{rule.responsible_label}", per, align=ALIGN_RIGHT, width=90),
        Column("note", "提示", lambda g: g.note, width=180),
    )
