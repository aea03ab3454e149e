"""The SQL building blocks of the monthly report: which households and
people are there on a day (as-of conditions), the area → community/grid
map, and the grouped counts of households, residents, staff on post and
training that ``monthly_figures`` assembles. The rules are stated in
``monthly_figures``'s docstring; the register lists reuse the as-of
conditions so a list "as of D" agrees with the report."""

from __future__ import annotations

from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, distinct, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from gridadmin.db import Database
from gridadmin.models import Area, Attendance, Household, Person, PersonEvent, StaffAssignment, TrainingSession
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID
from gridadmin.models.household import EVENT_CATEGORY, EVENT_TRANSFER, PERSON_ACTIVE
from gridadmin.models.staff import ROLE_FULLTIME
from gridadmin.models.training import ATTEND_PRESENT
from gridadmin.services.register import tallies
from gridadmin.services.reports import placed_at as placed
from gridadmin.services.reports import presence
from gridadmin.services.roster.on_post import on_post_assignment


@dataclass(frozen=True)
class StockFlow:
    """上月末 / 本月增加 / 本月减少 / 本月末, and 更正 (``correction``): when
    the previous month was submitted (已上报), ``previous`` is the submitted
    本月末 and ``correction`` what the register now says about that date
    less it (late changes), so 上月末已报 + 更正 + 增加 − 减少 = 本月末."""

    previous: int = 0
    increase: int = 0
    decrease: int = 0
    current: int = 0
    correction: int = 0

    def __add__(self, other: StockFlow) -> StockFlow:
        return StockFlow(self.previous + other.previous, self.increase + other.increase,
                         self.decrease + other.decrease, self.current + other.current,
                         self.correction + other.correction)

    @property
    def balanced(self) -> bool:
        return self.previous + self.correction + self.increase - self.decrease == self.current

    def from_submitted(self, submitted_previous: int) -> StockFlow:
        """This flow starting from the submitted 上月末 (the difference to
        what the register says about that date becomes the 更正)."""
        computed = self.previous + self.correction
        return StockFlow(submitted_previous, self.increase, self.decrease, self.current,
                         computed - submitted_previous)


@dataclass(frozen=True)
class TrainingFigures:
    sessions: int = 0
    attendances: int = 0
    hours: float = 0.0


def area_map(name: str):
    """area_id → community_id, grid_id (a micro-grid belongs to its parent
    grid, a grid to its parent community)."""
    a, parent, grand = aliased(Area), aliased(Area), aliased(Area)
    community = case((a.level == LEVEL_COMMUNITY, a.id), (a.level == LEVEL_GRID, parent.id),
                     (a.level == LEVEL_MICROGRID, grand.id), else_=None)
    grid = case((a.level == LEVEL_GRID, a.id), (a.level == LEVEL_MICROGRID, parent.id), else_=None)
    return (select(a.id.label("area_id"), community.label("community_id"), grid.label("grid_id"))
            .outerjoin(parent, parent.id == a.parent_id).outerjoin(grand, grand.id == parent.parent_id)
            .subquery(name))


def grid_map(name: str):
    """As ``area_map``, for a report broken down by grid (one community's
    report): ``community_id`` is the grid (a micro-grid's parent grid; the
    community's own id for an area of the community itself)."""
    a, parent = aliased(Area), aliased(Area)
    grid = case((a.level == LEVEL_GRID, a.id), (a.level == LEVEL_MICROGRID, parent.id), else_=None)
    unit = case((a.level == LEVEL_COMMUNITY, a.id), else_=grid)
    return (select(a.id.label("area_id"), unit.label("community_id"), grid.label("grid_id"))
            .outerjoin(parent, parent.id == a.parent_id).subquery(name))


def grid_parts(areas: dict) -> dict[int, tuple[int | None, int | None]]:
    """As ``area_parts`` for a report broken down by grid: area id → (grid
    id, grid id); a community → (its own id, None)."""
    parts: dict[int, tuple[int | None, int | None]] = {}
    for a in areas.values():
        if a.level == LEVEL_COMMUNITY:
            parts[a.id] = (a.id, None)
        elif a.level == LEVEL_GRID:
            parts[a.id] = (a.id, a.id)
        elif a.level == LEVEL_MICROGRID:
            parts[a.id] = (a.parent_id, a.parent_id)
    return parts


def _one(condition) -> object:
    return case((condition, 1), else_=0)


# --- households ----------------------------------------------------------------------------

def household_exists(on: date):
    return and_(or_(Household.registered_on.is_(None), Household.registered_on <= on),
                or_(Household.dissolved_on.is_(None), Household.dissolved_on > on))


def household_counts(session: Session, prev: date, end: date, community_ids: list[int], parts: dict) -> dict:
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
    return placed.first_after(EVENT_TRANSFER, on, "from_household_id", name, label="from_household_id",
                              only=lambda e: e.c.from_household_id.is_not(None))


def moved_after(on: date):
    """Ids of people with a 户间迁移 after ``on``: only for them does the
    household at ``on`` differ from the current one."""
    return select(PersonEvent.person_id).where(PersonEvent.kind == EVENT_TRANSFER, PersonEvent.event_date > on,
                                               PersonEvent.from_household_id.is_not(None))


def categories_after(on: date, name: str):
    """A small derived table ``(person_id, old_category)``: each person's
    first 类别变更 after ``on`` and the category it replaced — outer-join it
    to ``Person`` and ``category_at`` gives their 人口类别 at ``on`` (category
    changes are few, like transfers)."""
    return placed.first_after(EVENT_CATEGORY, on, "old_value", name, label="old_category")


def category_at(later):
    """SQL: the person's 人口类别 at the date of ``later`` (``categories_after``):
    the one their first later 类别变更 replaced, else their current one."""
    return case((later.c.person_id.is_not(None), later.c.old_category), else_=Person.category)


def recategorised_after(on: date):
    """Ids of people with a 类别变更 after ``on``: only for them does the
    category at ``on`` differ from the current one."""
    return select(PersonEvent.person_id).where(PersonEvent.kind == EVENT_CATEGORY, PersonEvent.event_date > on)


def area_parts(areas: dict) -> dict[int, tuple[int | None, int | None]]:
    """area id → (community id, grid id), as ``area_map`` computes in SQL,
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
def side_queries(db: Database):
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


def resident_counts(session: Session, prev: date, end: date, community_ids: list[int], parts: dict,
                     trend_ends: list[date]) -> tuple[dict, dict, list[int], dict]:
    """({(community, grid, category) at the end: (count, not there at prev)},
    {(community at prev, category): (count, not there at the end)},
    [residents in the scope at each of ``trend_ends``],
    {(community, category): (came into the category, left it)} of those who
    stayed in the community but changed category within the month); the
    category is the one the person had at each date (dated 类别变更 events).

    Everyone is first placed by their current area (household's, or
    without one house's) and category: the stored per-area counts give
    those present at every date, and only the others (arrived or left
    within the dates) are read, with their date buckets (``everyone``). The
    few who moved (户间迁移, 住所变更) or changed category after ``prev``
    are then taken out and counted exactly, each in the area (``placed_at``)
    and category they had at each date. The trend counts place everyone in
    their current area."""
    in_scope = set(community_ids)
    dates = sorted(set(trend_ends) | {prev, end})
    i_prev, i_end = dates.index(prev), dates.index(end)
    trend_index = [dates.index(d) for d in trend_ends]
    buckets = presence.person_columns(dates)

    def grouped(*where):
        query, area = placed.place_now(select().select_from(Person))
        return session.execute(query.add_columns(area, Person.category, *buckets, func.count()).where(*where)
                               .group_by(area, Person.category, *buckets))

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

    # Everyone by current area, then the few who moved (household or
    # house) after prev are taken out again and placed exactly.
    changed = placed.changed_after(prev, recategorised_after(prev))
    count_flows(everyone(), +1)
    count_flows([(a, cat or None, *rest) for a, cat, *rest in grouped(changed)], -1)
    for table in (at_end, at_prev):
        for key in [k for k, (c, _n) in table.items() if c == 0]:
            del table[key]

    was, now = person_present(prev), person_present(end)
    # people who moved (household or, without one, house) after prev: their area at each date
    k_prev, k_end = categories_after(prev, "k_prev"), categories_after(end, "k_end")
    query = (select().select_from(Person)
             .outerjoin(k_prev, k_prev.c.person_id == Person.id).outerjoin(k_end, k_end.c.person_id == Person.id))
    query, area_prev, _house = placed.place_at(query, prev, "p_prev")
    query, area_end, _house = placed.place_at(query, end, "p_end")
    query = query.add_columns(area_prev, area_end, category_at(k_prev), category_at(k_end), _one(was), _one(now))
    recategorised: dict[tuple, tuple[int, int]] = {}
    for area_prev, area_end, cat_prev, cat_end, p_was, p_now in session.execute(
            query.where(or_(was, now), changed)):
        cat_prev, cat_end = cat_prev or None, cat_end or None
        c_prev, _g = parts.get(area_prev, (None, None))
        c_end, g_end = parts.get(area_end, (None, None))
        stayed = p_was and p_now and c_prev == c_end
        if p_now and c_end in in_scope:
            add(at_end, (c_end, g_end, cat_end), 1, 0 if stayed else 1)
        if p_was and c_prev in in_scope:
            add(at_prev, (c_prev, cat_prev), 1, 0 if stayed else 1)
        if stayed and cat_prev != cat_end and c_end in in_scope:
            add(recategorised, (c_end, cat_end), 1, 0)
            add(recategorised, (c_end, cat_prev), 0, 1)
    return at_end, at_prev, trend, recategorised


# --- staff ---------------------------------------------------------------------------------

def assignment_runs(on: date):
    return and_(StaffAssignment.start_date <= on,
                or_(StaffAssignment.end_date.is_(None), StaffAssignment.end_date >= on))


def staff_counts(session: Session, on: date, community_ids: list[int], *, mapper=area_map,
                 responsible: str = ROLE_FULLTIME) -> dict:
    """Distinct staff 在岗 on ``on`` (``roster.on_post``) per community,
    community and role, grid, and over the scope (``mapper``: ``area_map``,
    or ``grid_map`` for a breakdown by grid); per grid also those in the
    专职网格员 post and in the township's ``responsible`` post."""
    m = mapper("sm")
    base = (select().select_from(StaffAssignment).join(m, m.c.area_id == StaffAssignment.area_id)
            .where(on_post_assignment(on), m.c.community_id.in_(community_ids)))
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
        "responsible_by_grid": dict(session.execute(
            base.add_columns(m.c.grid_id, people)
            .where(m.c.grid_id.is_not(None), StaffAssignment.role == responsible).group_by(m.c.grid_id)).all()),
        "total": int(session.scalar(base.add_columns(people)) or 0),
        "total_role": dict(session.execute(base.add_columns(StaffAssignment.role, people)
                                           .group_by(StaffAssignment.role)).all()),
    }


# --- training ------------------------------------------------------------------------------

def attendance_in_scope(community_ids: list[int], mapper=area_map):
    """The attendee was assigned in one of the communities on the session's date."""
    m = mapper("tm")
    sa = aliased(StaffAssignment)
    return exists(select(literal(1)).select_from(sa).join(m, m.c.area_id == sa.area_id).where(
        sa.staff_id == Attendance.staff_id, m.c.community_id.in_(community_ids),
        sa.start_date <= TrainingSession.start_date,
        or_(sa.end_date.is_(None), sa.end_date >= TrainingSession.start_date)))


def training_counts(session: Session, first: date, last: date, community_ids: list[int], *,
              scoped: bool, mapper=area_map) -> TrainingFigures:
    held = and_(TrainingSession.cancelled.is_(False), TrainingSession.start_date >= first,
                TrainingSession.start_date <= last)
    present = and_(Attendance.status == ATTEND_PRESENT, held)
    if scoped:
        present = and_(present, attendance_in_scope(community_ids, mapper))
    count, hours, sessions = session.execute(
        select(func.count(), func.coalesce(func.sum(Attendance.hours_credited), 0.0),
               func.count(distinct(TrainingSession.id)))
        .select_from(Attendance).join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(present)).one()
    if not scoped:
        sessions = session.scalar(select(func.count()).select_from(TrainingSession).where(held))
    return TrainingFigures(int(sessions or 0), int(count or 0), float(hours or 0.0))
