"""The staff roster (花名册): filter, search, sort and window in SQL.

``roster_source(db)`` is a ``PageSource`` of ``RosterRow`` for a
``RosterFilter``; ``roster_columns(show_full)`` describes the displayed
columns (ID numbers and phones masked unless ``show_full``). Only staff
of the acting user's areas are listed (``staff_scope``), their numbers
already masked unless the user may see them whole.

The default filter is status 在岗 (休假 is one choice away, under 在职); the
page's summary line gives the count ``roster.on_post`` defines everywhere
(在岗 with an assignment running, 休假 beside it), and names the 在岗 staff
not yet assigned to a grid when there are any.

Which grid a person belongs to: staff who serve (在岗/休假) belong to the
grids of their running assignments; staff who left (离职/卸任) to the grids
they served, so HR can still find them under their old grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from gridadmin.db import Database
from gridadmin.models import Area, Staff, StaffAssignment
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID, LEVEL_TOWNSHIP
from gridadmin.models.staff import STATUS_LEAVE, STATUS_ON_POST
from gridadmin.services.access.permissions import EDIT_STAFF, SYSTEM, Actor, PermissionDeniedError, acting, \
    number_maskers, visible_areas
from gridadmin.services.areas.names import AreaNames, place_name
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.idcard import number_formatters
from gridadmin.services.common.paging import (
    ALIGN_CENTER, ALIGN_RIGHT, Column, PageQuery, Reversed, SqlPager, prefix_range,
)
from gridadmin.services.common.text import clean_name, search_text

SERVING = (STATUS_ON_POST, STATUS_LEAVE)
ON_POST_ONLY = (STATUS_ON_POST,)  # the default filter: status 在岗

# Age bands offered by the roster filter: (label, lowest age, highest age).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("30岁以下", 0, 29), ("30–39岁", 30, 39), ("40–49岁", 40, 49), ("50–59岁", 50, 59), ("60岁及以上", 60, 200),
)


@dataclass(frozen=True)
class RosterFilter:
    """What the roster shows. Empty values mean "any". ``statuses`` is a
    tuple of statuses (empty: all); ``age_band`` is ``(lowest, highest)``
    age in whole years; ``search`` matches name, pinyin initials or full
    pinyin (``zs``/``zhangsan`` → 张三), ID number or phone."""

    search: str = ""
    area_id: int | None = None
    role: str | None = None
    employment_type: str | None = None
    statuses: tuple[str, ...] = ON_POST_ONLY
    skill_level: str | None = None
    political_status: str | None = None
    age_band: tuple[int, int] | None = None
    today: date | None = None


@dataclass(frozen=True)
class RosterRow:
    """One roster line; code values already turned into labels."""

    id: int
    name: str
    gender: str
    birth_date: date | None
    age: int | None
    id_number: str
    phone: str
    grids: str
    grids_detail: str
    roles: str
    employment_type: str
    political_status: str
    education: str
    skill_level: str
    status: str
    hired_on: date | None
    left_on: date | None
    version: int


def age_on(birth: date | None, today: date) -> int | None:
    """Whole years from ``birth`` to ``today``."""
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def running_on(today: date):
    """SQL condition: an assignment runs on ``today``."""
    return and_(StaffAssignment.start_date <= today,
                or_(StaffAssignment.end_date.is_(None), StaffAssignment.end_date >= today))


def subtree_ids(session: Session, area_id: int) -> list[int]:
    """``area_id`` and every area below it."""
    pairs = session.execute(select(Area.id, Area.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for child, parent in pairs:
        children.setdefault(parent, []).append(child)
    found, stack = [], [area_id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, ()))
    return found


def staff_scope(session: Session, actor: Actor):
    """SQL condition "the staff member belongs to ``actor``'s areas" (has or
    had an assignment in one of them; for actors who manage staff also
    anyone with no assignment yet, so a new worker can be assigned), or
    None when the actor reads every area."""
    areas = visible_areas(session, actor)
    if areas is None:
        return None
    served = Staff.id.in_(select(StaffAssignment.staff_id).where(StaffAssignment.area_id.in_(sorted(areas))))
    if actor.can(EDIT_STAFF):
        return or_(served, ~select(StaffAssignment.id).where(StaffAssignment.staff_id == Staff.id).exists())
    return served


def require_staff_readable(session: Session, actor: Actor, staff_id: int, name: str | None = None) -> None:
    """Refuse reading staff member ``staff_id`` outside ``actor``'s areas."""
    condition = staff_scope(session, actor)
    if condition is None or session.scalar(select(Staff.id).where(Staff.id == staff_id, condition)) is not None:
        return
    if session.get(Staff, staff_id) is None:
        return  # nothing to show: the caller's own "not found" applies
    name = name or session.scalar(select(Staff.name).where(Staff.id == staff_id))
    raise PermissionDeniedError(f"网格员“{name}”不在当前用户“{actor.display_name}”负责的区域内，无权查看。",
                                field="区域", value=name)


def roster_keys(session: Session, f: RosterFilter | None, actor: Actor = SYSTEM):
    """``SELECT staff.id`` for the filter (all conditions in SQL), among the
    staff of ``actor``'s areas."""
    f = f or RosterFilter()
    today = f.today or date.today()
    stmt = select(Staff.id)
    scope = staff_scope(session, actor)
    if scope is not None:
        stmt = stmt.where(scope)
    if f.statuses:
        # Through coalesce() so the planner walks the roster index in display
        # order (status is in it) instead of fetching every row by status and
        # sorting them all (which costs seconds at 100,000 staff).
        stmt = stmt.where(func.coalesce(Staff.status, "").in_(f.statuses))
    for column, value in ((Staff.employment_type, f.employment_type), (Staff.skill_level, f.skill_level),
                          (Staff.political_status, f.political_status)):
        if value:
            stmt = stmt.where(column == value)
    if f.age_band:
        low, high = f.age_band
        stmt = stmt.where(Staff.birth_date <= _years_before(today, low),
                          Staff.birth_date > _years_before(today, high + 1))
    if f.area_id is not None or f.role:
        served = select(StaffAssignment.staff_id)
        if f.area_id is not None:
            served = served.where(StaffAssignment.area_id.in_(subtree_ids(session, f.area_id)))
        if f.role:
            served = served.where(StaffAssignment.role == f.role)
        stmt = stmt.where(or_(
            and_(Staff.status.in_(SERVING), Staff.id.in_(served.where(running_on(today)))),
            and_(Staff.status.not_in(SERVING), Staff.id.in_(served)),
        ))
    condition = search_condition(f.search)
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt


def search_condition(text: str):
    """SQL condition for what was typed in the search box, or None.

    Letters: pinyin initials or full pinyin starting with them; digits (and
    X): ID number or phone containing them; anything else: the name
    containing it."""
    typed = search_text(text).replace(" ", "")
    if not typed:
        return None
    if typed.isascii() and typed.isalpha():
        low = typed.lower()
        # Both forms start with the first letter: that range lets the roster
        # index (pinyin first) serve the search in display order.
        return and_(prefix_range(Staff.name_pinyin, low[0]),
                    or_(prefix_range(Staff.name_initials, low), prefix_range(Staff.name_pinyin, low)))
    if typed.isascii() and typed.upper().rstrip("X").isdigit():
        digits = typed.upper()
        return or_(Staff.id_number.contains(digits, autoescape=True), Staff.phone.contains(digits, autoescape=True))
    return Staff.name.contains(clean_name(typed), autoescape=True)


SORTS = {
    # exactly the roster index's columns, so the index gives the order
    "name": (Staff.name_pinyin, Staff.name_initials, Staff.status, Staff.employment_type),
    "gender": (Staff.gender,),
    "age": (Reversed(Staff.birth_date),),  # older first = earlier birth date last
    "id_number": (Staff.id_number,),
    "phone": (Staff.phone,),
    # the smallest code of the grids a person serves (grid codes start with
    # the community code, so this groups by community), stored (migration
    # 0020); then exactly ix_staff_grid_sort's columns, so the index gives the order
    "grids": (Staff.grid_sort, Staff.status, Staff.employment_type),
    "employment_type": (Staff.employment_type,),
    "political_status": (Staff.political_status,),
    "education": (Staff.education,),
    "skill_level": (Staff.skill_level,),
    "status": (Staff.status,),
    "hired_on": (Staff.hired_on,),
}


class RosterSource(SqlPager[RosterRow]):
    """``PageSource`` of roster rows; code labels are read once per count
    (that is, once per filter change or refresh)."""

    def __init__(self, db: Database):
        super().__init__(db=db, keys=lambda session, f: roster_keys(session, f, acting(db)), sorts=SORTS,
                         tiebreak=Staff.id, load=self._load, default_sort="name")
        self._book: CodeBook | None = None

    def count(self, query: PageQuery) -> int:
        self._book = None
        return super().count(query)

    def _load(self, session: Session, ids: list[int], query: PageQuery) -> list[RosterRow]:
        if self._book is None:
            self._book = CodeBook.load(session)
        f = query.filter if isinstance(query.filter, RosterFilter) else RosterFilter()
        return load_rows(session, ids, self._book, f.today or date.today(), actor=acting(self.db))


def roster_source(db: Database) -> RosterSource:
    return RosterSource(db)


def load_rows(session: Session, ids: Sequence[int], book: CodeBook, today: date, *,
              actor: Actor = SYSTEM) -> list[RosterRow]:
    """Roster rows for ``ids`` (in that order): one query for the people,
    one for their assignments; numbers masked unless ``actor`` may see them."""
    id_text, phone_text = number_maskers(actor)
    people = {r.id: r for r in session.execute(
        select(Staff.id, Staff.name, Staff.gender, Staff.birth_date, Staff.id_number, Staff.phone,
               Staff.employment_type, Staff.political_status, Staff.education, Staff.skill_level, Staff.status,
               Staff.hired_on, Staff.left_on, Staff.version).where(Staff.id.in_(ids)))}
    names = AreaNames.load(session)
    posts: dict[int, list] = {}
    for row in session.execute(
            select(StaffAssignment.staff_id, StaffAssignment.role, StaffAssignment.start_date,
                   StaffAssignment.end_date, StaffAssignment.area_id)
            .where(StaffAssignment.staff_id.in_(ids))
            .order_by(StaffAssignment.staff_id, StaffAssignment.start_date)):
        posts.setdefault(row.staff_id, []).append(_Post(row.role, row.start_date, row.end_date,
                                                        names.full(row.area_id)))
    rows = []
    for staff_id in ids:
        p = people.get(staff_id)
        if p is None:
            continue
        grids, detail, roles = _describe_posts(posts.get(staff_id, []), book, today, p.status in SERVING)
        rows.append(RosterRow(
            id=p.id, name=p.name, gender=book.label("gender", p.gender), birth_date=p.birth_date,
            age=age_on(p.birth_date, today), id_number=id_text(p.id_number), phone=phone_text(p.phone),
            grids=grids, grids_detail=detail, roles=roles, employment_type=p.employment_type or "",
            political_status=book.label("political", p.political_status),
            education=book.label("education", p.education), skill_level=book.label("skill_level", p.skill_level),
            status=p.status, hired_on=p.hired_on, left_on=p.left_on, version=p.version))
    return rows


@dataclass(frozen=True)
class _Post:
    role: str
    start_date: date
    end_date: date | None
    name: str  # the grid's full name


def _describe_posts(posts: list, book: CodeBook, today: date, serving: bool) -> tuple[str, str, str]:
    """(grids, grids with community, roles): the running assignments, or for
    someone without any the last ones held, marked 原."""
    running = [p for p in posts if p.start_date <= today and (p.end_date is None or p.end_date >= today)]
    shown, former = running, False
    if not running and posts:
        last_end = max((p.end_date for p in posts if p.end_date is not None), default=None)
        shown = [p for p in posts if p.end_date == last_end] if last_end else []
        former = bool(shown)
    names = list(dict.fromkeys(p.name for p in shown))  # full names: "建设东路社区·第一网格"
    roles = list(dict.fromkeys(book.label("staff_role", p.role) for p in shown))
    grids = "、".join(names[:3]) + (f" 等{len(names)}个" if len(names) > 3 else "")
    if former:
        grids = "原：" + grids
        roles = ["原" + r for r in roles]
    return grids, "\n".join(names), "、".join(roles)


def _date_text(value: date | None) -> str:
    return value.isoformat() if value else ""


def roster_columns(show_full: bool = False) -> tuple[Column, ...]:
    """The roster's columns; ID number and phone masked unless ``show_full``."""
    id_text, phone_text = number_formatters(show_full)
    return (
        Column("name", "姓名", lambda r: r.name, sort="name", width=72),
        Column("gender", "性别", lambda r: r.gender, sort="gender", align=ALIGN_CENTER, width=44),
        Column("age", "年龄", lambda r: "" if r.age is None else str(r.age), sort="age", align=ALIGN_RIGHT,
               width=44),
        Column("id_number", "身份证号", id_text, sort="id_number", width=150),
        Column("phone", "联系电话", phone_text, sort="phone", width=100),
        Column("grids", "所属网格", lambda r: r.grids, sort="grids", width=220, tooltip=lambda r: r.grids_detail),
        Column("roles", "岗位", lambda r: r.roles, width=110, tooltip=lambda r: r.roles),
        Column("employment_type", "专兼职", lambda r: r.employment_type, sort="employment_type",
               align=ALIGN_CENTER, width=52),
        Column("political_status", "政治面貌", lambda r: r.political_status, sort="political_status", width=80),
        Column("education", "文化程度", lambda r: r.education, sort="education", width=96),
        Column("skill_level", "技能等级", lambda r: r.skill_level, sort="skill_level", width=96),
        Column("status", "状态", lambda r: r.status, sort="status", align=ALIGN_CENTER, width=48),
        Column("hired_on", "入职时间", lambda r: _date_text(r.hired_on), sort="hired_on", width=86),
    )


@dataclass(frozen=True)
class AreaOption:
    """An area offered in a filter or assignment picker."""

    id: int
    name: str
    level: str
    depth: int
    active: bool
    label: str  # indented for a flat list, a grid with its community: "　　建设东路社区·第一网格"
    full_name: str = ""  # "建设东路社区·第一网格" (names.place_name); the name for a community or township


def area_options(db: Database, *, levels: Sequence[str] = (LEVEL_TOWNSHIP, LEVEL_COMMUNITY, LEVEL_GRID,
                                                            LEVEL_MICROGRID),
                 active_only: bool = True) -> list[AreaOption]:
    """Areas in tree order (sort order, code, name) as a flat, indented list."""
    with db.session() as session:
        stmt = select(Area.id, Area.parent_id, Area.level, Area.name, Area.active, Area.sort_order,
                      Area.grid_code, Area.division_code)
        if active_only:
            stmt = stmt.where(Area.active.is_(True))
        rows = session.execute(stmt).all()
    ids = {r.id for r in rows}
    children: dict[int | None, list] = {}
    for r in sorted(rows, key=lambda r: (r.sort_order, r.grid_code or r.division_code or "", r.name)):
        children.setdefault(r.parent_id if r.parent_id in ids else None, []).append(r)
    out: list[AreaOption] = []
    stack = [(r, 0, "") for r in reversed(children.get(None, []))]
    while stack:
        r, depth, prefix = stack.pop()
        full = place_name(prefix, r.name)
        if r.level in levels:
            out.append(AreaOption(r.id, r.name, r.level, depth, r.active, "　" * depth + full, full))
        below = "" if r.level == LEVEL_TOWNSHIP else full
        stack.extend((c, depth + 1, below) for c in reversed(children.get(r.id, [])))
    return out
