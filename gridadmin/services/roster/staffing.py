"""Per-grid "1+3+N" staffing (网格配备情况).

For every active grid: how many people serve today in each core role
(网格长, 专职网格员, 兼职网格员, 网格指导员) and in the other roles (the
"N"), which core roles are vacant, the households of the grid and the
households per full-time grid worker against the 300–500 rule; plus the
township-wide lists of grids without a full-time grid worker and of grids
where each full-time worker serves more than 500 households.

Counting rules:
- a person counts when they are 在岗 today as ``roster.on_post`` defines it
  everywhere (status 在岗 and the assignment runs today); people on 休假
  are not counted; one person counts once per grid and role;
- micro-grids belong to their grid: their households and staff count for
  the grid above them;
- households: those not dissolved.

All counts are GROUP BY queries (three queries whatever the size).

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
from gridadmin.services.areas.tree import GRID_MAX_HOUSEHOLDS, GRID_MIN_HOUSEHOLDS
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.paging import ALIGN_CENTER, ALIGN_RIGHT, Column
from gridadmin.services.roster.on_post import on_post_assignment

RURAL_GRID = "农村网格"
SPECIAL_GRID = "专属网格"


@dataclass(frozen=True)
class GridStaffing:
    """One grid's staffing today. ``core`` holds the number of people in
    each of ``CORE_ROLES`` (same order); ``others`` the people in other
    roles; ``vacant`` the labels of the unfilled core roles."""

    area_id: int
    community: str
    name: str
    grid_code: str
    grid_type: str
    households: int
    core: tuple[int, ...]
    others: int
    vacant: tuple[str, ...]

    @property
    def fulltime(self) -> int:
        return self.core[CORE_ROLES.index(ROLE_FULLTIME)]

    @property
    def households_per_fulltime(self) -> float | None:
        """Households per full-time grid worker; None without one."""
        return self.households / self.fulltime if self.fulltime else None

    @property
    def without_fulltime(self) -> bool:
        return self.fulltime == 0

    @property
    def over_limit(self) -> bool:
        """Each full-time worker serves more than 500 households."""
        per = self.households_per_fulltime
        return per is not None and per > GRID_MAX_HOUSEHOLDS

    @property
    def note(self) -> str:
        """A short Chinese verdict against the 300–500 rule ('' when fine
        or not judged: special grids, grids without households yet, rural
        grids below 300)."""
        if self.without_fulltime:
            return "无专职网格员"
        per = self.households_per_fulltime
        if self.over_limit:
            return f"每名专职网格员 {per:.0f} 户，超过 {GRID_MAX_HOUSEHOLDS} 户"
        if (self.households and per is not None and per < GRID_MIN_HOUSEHOLDS
                and self.grid_type not in (RURAL_GRID, SPECIAL_GRID)):
            return f"每名专职网格员 {per:.0f} 户，少于 {GRID_MIN_HOUSEHOLDS} 户"
        return ""


@dataclass(frozen=True)
class StaffingReport:
    """Every active grid (community order, then grid order) and the two
    township-wide lists taken from it."""

    today: date
    role_labels: tuple[str, ...]  # labels of CORE_ROLES
    grids: tuple[GridStaffing, ...]

    @property
    def without_fulltime(self) -> tuple[GridStaffing, ...]:
        return tuple(g for g in self.grids if g.without_fulltime)

    @property
    def over_limit(self) -> tuple[GridStaffing, ...]:
        return tuple(g for g in self.grids if g.over_limit)


def grid_staffing(db: Database, *, today: date | None = None) -> StaffingReport:
    """The staffing of every active grid on ``today`` (see module rules)."""
    today = today or date.today()
    with db.session() as session:
        book = CodeBook.load(session)
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
            if role not in CORE_ROLES:
                others[grid_id] = others.get(grid_id, 0) + people
    labels = tuple(book.label("staff_role", role) for role in CORE_ROLES)
    rows = []
    for area_id, community_name, name, grid_code, grid_type in grids:
        core = tuple(counts.get((area_id, role), 0) for role in CORE_ROLES)
        rows.append(GridStaffing(
            area_id, community_name or "", name, grid_code or "", grid_type or "", int(households.get(area_id, 0)),
            core, others.get(area_id, 0), tuple(label for label, n in zip(labels, core) if n == 0)))
    return StaffingReport(today, labels, tuple(rows))


def staffing_columns(role_labels: tuple[str, ...]) -> tuple[Column, ...]:
    """Columns of the staffing table (screen and xlsx export);
    ``role_labels`` are the labels of ``CORE_ROLES``."""
    def per(g: GridStaffing) -> str:
        value = g.households_per_fulltime
        return "" if value is None else f"{value:.0f}"

    core = tuple(
        Column(role, label, (lambda g, i=i: str(g.core[i])), align=ALIGN_CENTER, width=70)
        for i, (role, label) in enumerate(zip(CORE_ROLES, role_labels)))
    return (
        Column("community", "社区/村", lambda g: g.community, width=100),
        Column("name", "网格", lambda g: g.name, width=170),
        Column("grid_type", "网格类型", lambda g: g.grid_type, width=86),
        Column("households", "户数", lambda g: str(g.households), align=ALIGN_RIGHT, width=56),
        *core,
        Column("others", "其他力量(N)", lambda g: str(g.others), align=ALIGN_CENTER, width=80),
        Column("vacant", "缺岗", lambda g: "、".join(g.vacant) if g.vacant else "齐全", width=130),
        Column("per_fulltime", "户/专职网格员", per, align=ALIGN_RIGHT, width=90),
        Column("note", "提示", lambda g: g.note, width=180),
    )
