"""The grid tree: browse with counts, add, rename, recode, move,
deactivate and delete areas.

Rules: a child is exactly one level below its parent; codes are unique;
sibling names are unique; an area that holds households, people, staff
assignments or sub-areas is never deleted, only deactivated (which also
deactivates everything below it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from gridadmin.db import Database
from gridadmin.models import Area, Household, Staff, StaffAssignment
from gridadmin.models.area import (
    COMMUNITY_KINDS, GRID_TYPES, LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_LABELS, LEVEL_MICROGRID,
    LEVEL_TOWNSHIP, LEVELS,
)
from gridadmin.services.roster.on_post import on_post_assignment
from gridadmin.services.areas.names import place_name
from gridadmin.services.access import audit
from gridadmin.services.register import tallies
from gridadmin.services.access.permissions import EDIT_AREAS, acting, require, visible_areas
from gridadmin.services.common.errors import NotFoundError, ValidationError
from gridadmin.services.common.text import clean_text

GRID_MIN_HOUSEHOLDS = 300
GRID_MAX_HOUSEHOLDS = 500
_DIVISION_CODE = re.compile(r"^\d{12}$")
_GRID_CODE = re.compile(r"^[0-9A-Za-z-]{1,24}$")


@dataclass(frozen=True)
class AreaNode:
    """One area with its counts (households, residents and staff on post in
    its whole subtree). ``warning`` is a Chinese note such as a grid outside
    the 300–500 household rule."""

    id: int
    parent_id: int | None
    level: str
    name: str
    division_code: str | None
    grid_code: str | None
    community_kind: str | None
    grid_type: str | None
    active: bool
    sort_order: int
    version: int
    depth: int = 0
    sub_areas: int = 0
    households: int = 0
    residents: int = 0
    staff_on_post: int = 0
    warning: str | None = None
    # False: the area lies outside the acting user's areas (or only partly
    # inside, like the township above a clerk's communities); its counts
    # are left at 0 and must not be shown
    figures: bool = True
    full_name: str = ""  # "建设东路社区·第二网格" below a community (names.place_name), else the name
    dwellings: int = 0  # 实有房屋 with someone living there (0 where no house is recorded)

    @property
    def code(self) -> str | None:
        return self.grid_code or self.division_code

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def kind_label(self) -> str:
        return self.grid_type or self.community_kind or ""


def child_level(level: str) -> str | None:
    """The level just below ``level`` (None below micro-grid)."""
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def load_tree(db: Database, *, include_inactive: bool = True, today: date | None = None,
              counts: bool = True) -> list[AreaNode]:
    """All areas in tree order (depth-first, by sort order then name), each
    with subtree counts computed in SQL and summed up the tree. With
    ``counts`` False the counts are left at 0 (and no grid-size warning is
    given): for pickers that show names only, which then skip the scan of
    the whole register.

    Counts are the acting user's: every area is listed (the township's
    structure is no secret: names and codes, and moving or adding areas
    needs it), but only areas wholly inside the user's areas carry figures
    (``figures`` True); the others — other communities, and the township
    above a clerk's communities, whose total would be township-wide or a
    partial sum passing for one — have ``figures`` False and counts 0."""
    today = today or date.today()
    with db.session() as session:
        query = select(Area.id, Area.parent_id, Area.level, Area.name, Area.division_code, Area.grid_code,
                       Area.community_kind, Area.grid_type, Area.active, Area.sort_order, Area.version)
        if not include_inactive:
            query = query.where(Area.active.is_(True))
        rows = session.execute(query).all()
        if not counts:
            return _assemble(rows, {}, {}, [])
        dwellings = tallies.occupied_dwellings_per_area(session)
        households = tallies.households_per_area(session)
        residents = tallies.residents_per_area(session)
        staff_pairs = session.execute(
            select(StaffAssignment.area_id, StaffAssignment.staff_id)
            .join(Staff, Staff.id == StaffAssignment.staff_id)
            .where(on_post_assignment(today, today))
            .distinct()).all()
        visible = visible_areas(session, acting(db))
    if visible is not None:
        households = {a: n for a, n in households.items() if a in visible}
        residents = {a: n for a, n in residents.items() if a in visible}
        dwellings = {a: n for a, n in dwellings.items() if a in visible}
        staff_pairs = [p for p in staff_pairs if p[0] in visible]
    return _assemble(rows, households, residents, staff_pairs, visible, dwellings)


def _assemble(rows, households, residents, staff_pairs, visible=None, dwellings=None) -> list[AreaNode]:
    """Depth-first order with subtree totals; each node is built once.
    Nodes outside ``visible`` (area ids; None: all) get no figures."""
    by_id = {r.id: r for r in rows}
    children: dict[int | None, list[int]] = {}
    for r in sorted(rows, key=lambda r: (r.sort_order, r.grid_code or r.division_code or "", r.name)):
        children.setdefault(r.parent_id if r.parent_id in by_id else None, []).append(r.id)
    staff_by_area: dict[int, set[int]] = {}
    for area_id, staff_id in staff_pairs:
        staff_by_area.setdefault(area_id, set()).add(staff_id)
    ordered: list[AreaNode] = []

    dwellings = dwellings or {}

    def visit(area_id: int, depth: int, prefix: str) -> tuple[int, int, set[int], int]:
        position = len(ordered)
        row = by_id[area_id]
        full = place_name(prefix, row.name)
        below = full if row.level != LEVEL_TOWNSHIP else ""
        ordered.append(None)  # placeholder: the node is built after its children
        hh = households.get(area_id, 0)
        res = residents.get(area_id, 0)
        homes = dwellings.get(area_id, 0)
        staff = set(staff_by_area.get(area_id, ()))
        kids = children.get(area_id, [])
        for child_id in kids:
            c_hh, c_res, c_staff, c_homes = visit(child_id, depth + 1, below)
            hh, res, homes = hh + c_hh, res + c_res, homes + c_homes
            staff |= c_staff
        if visible is None or area_id in visible:
            node = AreaNode(*by_id[area_id], depth=depth, sub_areas=len(kids), households=hh, residents=res,
                            staff_on_post=len(staff), full_name=full, dwellings=homes)
        else:
            node = AreaNode(*by_id[area_id], depth=depth, sub_areas=len(kids), figures=False, full_name=full)
        warning = grid_size_warning(node)
        ordered[position] = replace(node, warning=warning) if warning else node
        return hh, res, staff, homes

    for root_id in children.get(None, []):
        visit(root_id, 0, "")
    return ordered


def grid_size_warning(node: AreaNode) -> str | None:
    """A warning (not an error) for a grid far from 300–500 households.

    The 300–500 rule is for city grids; a village is split by natural
    village or villager group, so a rural grid is only warned when it is too
    big. Special grids have no households; a grid with no households yet
    (register not imported) is not judged.

    Where houses are recorded (以房管人) the rule counts the dwellings people
    live in (有人居住的实有房屋, renters included); elsewhere the 户籍户. The
    warning says which it counted."""
    if node.level != LEVEL_GRID or not node.active or node.grid_type == "专属网格" or not node.figures:
        return None
    if node.dwellings:
        size, what = node.dwellings, f"有人居住的房屋 {node.dwellings} 处（按实有房屋计）"
    else:
        size, what = node.households, f"户数 {node.households}（按户籍户计）"
    if size == 0:
        return None  # no register data yet: nothing to judge
    if size > GRID_MAX_HOUSEHOLDS:
        return f"{what}，多于 {GRID_MAX_HOUSEHOLDS} 户，建议拆分网格"
    if size < GRID_MIN_HOUSEHOLDS and node.grid_type != "农村网格":
        return f"{what}，少于 {GRID_MIN_HOUSEHOLDS} 户，建议合并网格"
    return None


@dataclass(frozen=True)
class AreaInput:
    """What the user typed for an area (add or edit)."""

    name: str
    division_code: str | None = None
    grid_code: str | None = None
    community_kind: str | None = None
    grid_type: str | None = None
    sort_order: int | None = None


def add_area(db: Database, parent_id: int, data: AreaInput) -> int:
    """Create an area one level below ``parent_id``; returns its id.

    Raises ``ValidationError`` (field and value named) on an empty or
    duplicate name, a malformed or used code, an inactive parent, or a
    parent that cannot have children."""
    with db.session() as session:
        require(session, acting(db), EDIT_AREAS, area_id=parent_id)
        parent = _get(session, parent_id)
        level = child_level(parent.level)
        if level is None:
            raise ValidationError(f"“{parent.name}”是微网格，不能再划分下级。", field="parent", value=parent.name)
        if not parent.active:
            raise ValidationError(f"“{parent.name}”已停用，不能在其下新增区域。", field="parent", value=parent.name)
        clean = _validate(session, data, level=level, parent_id=parent_id, area_id=None)
        if clean.sort_order is None:
            count = session.scalar(select(func.count()).select_from(Area).where(Area.parent_id == parent_id))
            clean = replace(clean, sort_order=count or 0)
        area = Area(parent_id=parent_id, level=level, name=clean.name, division_code=clean.division_code,
                    grid_code=clean.grid_code, community_kind=clean.community_kind, grid_type=clean.grid_type,
                    sort_order=clean.sort_order, active=True)
        session.add(area)
        changes = audit.changes_of(area)
        session.flush()
        audit.record(session, acting(db), audit.ACTION_CREATE, "area", area.id, changes=changes,
                     summary=f"新增{area_label(area)}“{area.name}”")
        return area.id


def update_area(db: Database, area_id: int, data: AreaInput, *, expected_version: int | None = None) -> None:
    """Rename an area or change its codes and type. ``expected_version``
    (from the ``AreaNode`` the user edited) guards against lost updates."""
    with db.session() as session:
        require(session, acting(db), EDIT_AREAS, area_id=area_id)
        area = _get(session, area_id)
        _check_version(session, area, expected_version)
        clean = _validate(session, data, level=area.level, parent_id=area.parent_id, area_id=area_id)
        area.name = clean.name
        area.division_code = clean.division_code
        area.grid_code = clean.grid_code
        area.community_kind = clean.community_kind
        area.grid_type = clean.grid_type
        if clean.sort_order is not None:
            area.sort_order = clean.sort_order
        changes = audit.changes_of(area)
        _flush(session, area)
        if changes:
            audit.record(session, acting(db), audit.ACTION_UPDATE, "area", area.id, changes=changes,
                         summary=f"修改{area_label(area)}“{area.name}”")


def move_area(db: Database, area_id: int, new_parent_id: int) -> None:
    """Move an area under another parent of the parent's level (a grid to
    another community, a micro-grid to another grid). Refuses cycles."""
    with db.session() as session:
        require(session, acting(db), EDIT_AREAS, area_id=area_id)
        require(session, acting(db), EDIT_AREAS, area_id=new_parent_id)
        area = _get(session, area_id)
        new_parent = _get(session, new_parent_id)
        if area.parent_id is None:
            raise ValidationError("乡镇/街道是最高一级，不能移动。", field="area", value=area.name)
        cursor: Area | None = new_parent
        while cursor is not None:
            if cursor.id == area.id:
                raise ValidationError(f"不能把“{area.name}”移到它自己的下级“{new_parent.name}”中。",
                                      field="parent", value=new_parent.name)
            cursor = cursor.parent
        if child_level(new_parent.level) != area.level:
            raise ValidationError(
                f"{area_label(area)}只能移到{LEVEL_LABELS[LEVELS[LEVELS.index(area.level) - 1]]}下，"
                f"“{new_parent.name}”是{LEVEL_LABELS[new_parent.level]}。", field="parent", value=new_parent.name)
        if not new_parent.active:
            raise ValidationError(f"“{new_parent.name}”已停用，不能移入。", field="parent", value=new_parent.name)
        _check_sibling_name(session, new_parent.id, area.name, area.id)
        area.parent_id = new_parent.id
        changes = audit.changes_of(area)
        _flush(session, area)
        audit.record(session, acting(db), audit.ACTION_UPDATE, "area", area.id, changes=changes,
                     summary=f"将“{area.name}”移到“{new_parent.name}”")


def set_area_active(db: Database, area_id: int, active: bool) -> int:
    """Deactivate an area and its whole subtree, or reactivate it (the
    parent must be active). Returns how many areas changed."""
    with db.session() as session:
        require(session, acting(db), EDIT_AREAS, area_id=area_id)
        area = _get(session, area_id)
        if active:
            if area.parent is not None and not area.parent.active:
                raise ValidationError(f"上级“{area.parent.name}”已停用，请先启用上级。", field="active", value=area.name)
            area.active = True
            _flush(session, area)
            audit.record(session, acting(db), audit.ACTION_UPDATE, "area", area.id,
                         changes={"active": [False, True]}, summary=f"启用“{area.name}”")
            return 1
        changed = 0
        stack = [area]
        while stack:
            current = stack.pop()
            if current.active:
                current.active = False
                changed += 1
                audit.record(session, acting(db), audit.ACTION_DEACTIVATE, "area", current.id,
                             changes={"active": [True, False]}, summary=f"停用“{current.name}”")
            stack.extend(current.children)
        _flush(session, area)
        return changed


def delete_area(db: Database, area_id: int) -> None:
    """Delete an area that holds nothing (no sub-areas, households,
    residents or staff history). Anything else must be deactivated."""
    with db.session() as session:
        require(session, acting(db), EDIT_AREAS, area_id=area_id)
        area = _get(session, area_id)
        holds = area_holdings(session, area_id)
        if any(holds.values()):
            parts = "、".join(f"{label} {n}" for label, n in holds.items() if n)
            raise ValidationError(f"“{area.name}”下还有{parts}，不能删除，只能停用。", field="area", value=area.name)
        audit.record(session, acting(db), audit.ACTION_DELETE, "area", area.id,
                     changes={"name": [area.name, None], "code": [area.code, None]}, summary=f"删除“{area.name}”")
        session.delete(area)


def area_holdings(session: Session, area_id: int) -> dict[str, int]:
    """What references an area: sub-areas, households, staff assignments."""
    return {
        "下级区域": session.scalar(select(func.count()).select_from(Area).where(Area.parent_id == area_id)) or 0,
        "住户": session.scalar(select(func.count()).select_from(Household).where(Household.area_id == area_id)) or 0,
        "网格员任职记录": session.scalar(
            select(func.count()).select_from(StaffAssignment).where(StaffAssignment.area_id == area_id)) or 0,
    }


def area_label(area: Area | AreaNode) -> str:
    return LEVEL_LABELS.get(area.level, area.level)


def _get(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise NotFoundError("该区域已不存在，可能已被其他用户删除，请刷新。", field="area", value=area_id)
    return area


def _check_version(session: Session, area: Area, expected_version: int | None) -> None:
    if expected_version is not None and area.version != expected_version:
        raise audit.stale_record(session, "area", area.id, f"“{area.name}”", field="area", value=area.name)


def _flush(session: Session, area: Area) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise audit.stale_record(session, "area", area.id, f"“{area.name}”", field="area", value=area.name) from exc


def _validate(session: Session, data: AreaInput, *, level: str, parent_id: int | None,
              area_id: int | None) -> AreaInput:
    name = clean_text(data.name)
    label = LEVEL_LABELS[level]
    if not name:
        raise ValidationError(f"{label}名称不能为空。", field="name", value=data.name)
    if len(name) > 100:
        raise ValidationError(f"{label}名称过长（{len(name)} 字），最多 100 字。", field="name", value=name)
    if parent_id is not None:
        _check_sibling_name(session, parent_id, name, area_id)
    division_code = clean_text(data.division_code).replace(" ", "") or None
    grid_code = clean_text(data.grid_code).replace(" ", "") or None
    if division_code is not None:
        if level not in (LEVEL_TOWNSHIP, LEVEL_COMMUNITY):
            raise ValidationError(f"{label}没有官方区划代码，请填写网格编码。", field="division_code", value=division_code)
        if not _DIVISION_CODE.match(division_code):
            raise ValidationError(f"区划代码“{division_code}”应为 12 位数字。", field="division_code", value=division_code)
        _check_unique(session, Area.division_code, division_code, area_id, "区划代码")
    if grid_code is not None:
        if not _GRID_CODE.match(grid_code):
            raise ValidationError(f"网格编码“{grid_code}”只能由数字、字母和“-”组成，最长 24 位。",
                                  field="grid_code", value=grid_code)
        _check_unique(session, Area.grid_code, grid_code, area_id, "网格编码")
    community_kind = clean_text(data.community_kind) or None
    grid_type = clean_text(data.grid_type) or None
    if level == LEVEL_COMMUNITY:
        if community_kind not in (None, *COMMUNITY_KINDS):
            raise ValidationError(f"社区/村类别“{community_kind}”无效，应为：社区、村。", field="community_kind",
                                  value=community_kind)
        grid_type = None
    elif level in (LEVEL_GRID, LEVEL_MICROGRID):
        if grid_type not in (None, *GRID_TYPES):
            raise ValidationError(f"网格类型“{grid_type}”无效，应为：{'、'.join(GRID_TYPES)}。", field="grid_type",
                                  value=grid_type)
        community_kind = None
    else:
        community_kind = grid_type = None
    return AreaInput(name, division_code, grid_code, community_kind, grid_type, data.sort_order)


def _check_sibling_name(session: Session, parent_id: int, name: str, area_id: int | None) -> None:
    query = select(Area.id).where(Area.parent_id == parent_id, Area.name == name)
    if area_id is not None:
        query = query.where(Area.id != area_id)
    if session.scalar(query.limit(1)) is not None:
        parent = session.get(Area, parent_id)
        raise ValidationError(f"“{parent.name}”下已有名为“{name}”的区域，同一上级下名称不能重复。",
                              field="name", value=name)


def _check_unique(session: Session, column, value: str, area_id: int | None, label: str) -> None:
    query = select(Area.name).where(column == value)
    if area_id is not None:
        query = query.where(Area.id != area_id)
    other = session.scalar(query.limit(1))
    if other is not None:
        raise ValidationError(f"{label}“{value}”已被“{other}”使用。", field=label, value=value)


def move_targets(nodes: list[AreaNode], area_id: int) -> list[AreaNode]:
    """Where an area may be moved: active areas one level above it, other
    than its current parent."""
    area = next((n for n in nodes if n.id == area_id), None)
    if area is None or area.parent_id is None:
        return []
    return [n for n in nodes if n.active and child_level(n.level) == area.level and n.id != area.parent_id]


def suggest_grid_code(db: Database, parent_id: int) -> str | None:
    """The next free local code under a community (its 12-digit code + 3
    digits) or a grid (its code + 2 digits); None when the parent has no
    code to build on."""
    with db.session() as session:
        parent = _get(session, parent_id)
        base = parent.grid_code or parent.division_code
        if not base or parent.level not in (LEVEL_COMMUNITY, LEVEL_GRID):
            return None
        width = 3 if parent.level == LEVEL_COMMUNITY else 2
        used = set(session.scalars(select(Area.grid_code).where(Area.grid_code.like(base + "%"))))
        for number in range(1, 10 ** width):
            code = f"{base}{number:0{width}d}"
            if code not in used:
                return code
        return None
