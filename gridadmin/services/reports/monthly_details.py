"""The monthly report's further figures, beside ``monthly_figures``:

- residents by category (the 人口类别 code list) as stock and flow per
  community — the person's category and community are the ones they had
  at each date (dated 类别变更 and 户间迁移 events), as in
  ``monthly_figures``;
- staff on post as stock and flow per community and per role;
- staff changes in the month with names (入职, 离职, 调动/新任岗位);
- special groups per tag at the month's end, the previous month's end and
  the same month last year (环比 / 同比) — sensitive groups only for users
  who may see them;
- 12-month trends (residents at each month's end; training hours per month);
- staff behind on their annual training hours at the month's end.

All counts are SQL aggregates; only the month's staff changes (a handful of
rows) and the compliance list are read row by row.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from gridadmin.services.areas.names import AreaNames
from gridadmin.models import (
    Attendance, Person, PersonTag, Staff, StaffAssignment, TagKind, TrainingSession,
)
from gridadmin.models.groups import FAMILIES, family_rank
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.models.training import ATTEND_PRESENT
from gridadmin.services.roster.on_post import on_post_assignment
from gridadmin.services.register import tallies
from gridadmin.services.register.age_groups import age_condition, born_by, computed_kinds
from gridadmin.services.reports import placed_at as placed
from gridadmin.services.reports import presence


@dataclass(frozen=True)
class StaffChange:
    """One line of 人员变动: ``kind`` is 入职, 离职, 调动 (a post ended and
    another began), 新任岗位 (a further post) or 卸任岗位 (a post ended, still
    employed)."""

    kind: str
    on: date
    name: str
    before: str  # 原网格/岗位 ('' for 入职)
    after: str  # 现网格/岗位 ('' for 离职)


@dataclass(frozen=True)
class TagCount:
    """A group kind (特殊人群, 重点人员 or 关怀对象: ``family``) at three month ends."""

    name: str
    sensitive: bool
    current: int
    previous: int
    last_year: int
    family: str = ""  # the family's name (特殊人群 …); "" in reports saved before the families

    @property
    def month_change(self) -> int:
        return self.current - self.previous

    @property
    def year_change(self) -> int:
        return self.current - self.last_year


@dataclass(frozen=True)
class TrendPoint:
    """One month of the 12-month trends."""

    year: int
    month: int
    residents: int
    training_hours: float

    @property
    def label(self) -> str:
        """2026年1月 → "26/1"; other months "2月"."""
        return f"{self.year % 100:02d}/{self.month}" if self.month == 1 else f"{self.month}月"


@dataclass(frozen=True)
class BehindRow:
    """Someone behind on training hours at the month's end: ``required`` is
    the requirement to date (pro-rated by elapsed months), ``months`` the
    shortfall in months' shares."""

    name: str
    grids: str
    hours: float
    required: float
    months: float = 0.0

    @property
    def shortfall(self) -> float:
        return max(0.0, self.required - self.hours)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def months_back(year: int, month: int, count: int) -> list[tuple[int, int]]:
    """The ``count`` months ending with ``year``-``month``, oldest first."""
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _one(condition):
    return case((condition, 1), else_=0)


# --- staff -------------------------------------------------------------------------------

def _runs(on: date, sa=StaffAssignment):
    return and_(sa.start_date <= on, or_(sa.end_date.is_(None), sa.end_date >= on))


def staff_flows(session: Session, prev: date, end: date, community_ids: list[int], area_map) -> dict:
    """Distinct staff 在岗 (``roster.on_post``), as (previous, increase, decrease, current):
    ``by_comm`` {community: flow}, ``by_role`` {role: flow} over the scope,
    ``total`` flow over the scope (someone in two communities counts once)."""
    m = area_map("sf")
    base = (select(StaffAssignment.staff_id.label("staff_id"), StaffAssignment.role.label("role"),
                   m.c.community_id.label("comm"), _one(on_post_assignment(prev)).label("was"),
                   _one(on_post_assignment(end)).label("now"))
            .join(m, m.c.area_id == StaffAssignment.area_id)
            .where(or_(_runs(prev), _runs(end)), m.c.community_id.in_(community_ids)).subquery("sf_rows"))

    def flows(*keys):
        per = (select(*[base.c[k] for k in keys], base.c.staff_id, func.max(base.c.was).label("was"),
                      func.max(base.c.now).label("now"))
               .group_by(*[base.c[k] for k in keys], base.c.staff_id).subquery())
        rows = session.execute(select(*[per.c[k] for k in keys], func.sum(per.c.was),
                                      func.sum(_one(and_(per.c.now == 1, per.c.was == 0))),
                                      func.sum(_one(and_(per.c.was == 1, per.c.now == 0))), func.sum(per.c.now))
                               .group_by(*[per.c[k] for k in keys]))
        return {tuple(r[:len(keys)]): tuple(int(v or 0) for v in r[len(keys):]) for r in rows}

    total = flows()
    return {"by_comm": {k[0]: v for k, v in flows("comm").items()},
            "by_role": {k[0]: v for k, v in flows("role").items()},
            "total": total.get((), (0, 0, 0, 0))}


def staff_changes(session: Session, start: date, end: date, community_ids: list[int], area_map,
                  role_label) -> list[StaffChange]:
    """入职 (hired in the month), 离职 (left in the month), 调动/新任岗位
    (an assignment starting in the month for someone not newly hired) and
    卸任岗位 (an assignment ending without leaving), for staff with an
    assignment in the scope around the change; by date."""
    m = area_map("sc")
    in_scope = m.c.community_id.in_(community_ids)
    names = AreaNames.load(session)  # grids by full name: "建设东路社区·第一网格"
    rows = session.execute(
        select(StaffAssignment.staff_id, StaffAssignment.start_date, StaffAssignment.end_date, StaffAssignment.role,
               StaffAssignment.area_id, Staff.name, Staff.hired_on, Staff.left_on)
        .join(m, m.c.area_id == StaffAssignment.area_id)
        .join(Staff, Staff.id == StaffAssignment.staff_id)
        .where(in_scope, or_(and_(StaffAssignment.start_date >= start - timedelta(days=1),
                                  StaffAssignment.start_date <= end),
                             and_(StaffAssignment.end_date >= start - timedelta(days=1),
                                  StaffAssignment.end_date <= end),
                             and_(Staff.hired_on >= start, Staff.hired_on <= end),
                             and_(Staff.left_on >= start, Staff.left_on <= end)))
        .order_by(StaffAssignment.start_date, StaffAssignment.id)).all()
    by_staff: dict[int, list] = defaultdict(list)
    for r in rows:
        by_staff[r[0]].append(r)
    changes: list[StaffChange] = []
    for posts in by_staff.values():
        name, hired, left = posts[0][5], posts[0][6], posts[0][7]

        def post(r) -> str:
            return f"{names.full(r[4])}（{role_label(r[3])}）"

        started = [r for r in posts if start <= r[1] <= end]
        ended = [r for r in posts if r[2] is not None and start - timedelta(days=1) <= r[2] <= end]
        if hired is not None and start <= hired <= end:
            changes.append(StaffChange("入职", hired, name, "", "、".join(post(r) for r in started) or "—"))
        elif started:
            before = [r for r in ended if r not in started]
            changes.append(StaffChange("调动" if before else "新任岗位", started[0][1], name,
                                       "、".join(post(r) for r in before), "、".join(post(r) for r in started)))
        if left is not None and start <= left <= end:
            changes.append(StaffChange("离职", left, name, "、".join(post(r) for r in ended) or "—", ""))
        elif ended and not started:
            changes.append(StaffChange("卸任岗位", ended[-1][2], name, "、".join(post(r) for r in ended), ""))
    return sorted(changes, key=lambda c: (c.on, c.kind, c.name))


# --- special groups ------------------------------------------------------------------------

def tag_counts(session: Session, ends: tuple[date, date, date], community_ids: list[int], parts: dict,
               person_present, *, with_sensitive: bool) -> list[TagCount]:
    """Per active tag: holders present in the scope at each of ``ends``
    (this month's end, last month's end, same month last year), each in the
    community they counted in at that date (``placed_at``: their
    household's, or without one their house's).

    Most memberships are open, began before the earliest date, and belong
    to someone 在册 there at every date who kept their household: those
    come from the stored per-area counts (``services.tallies``). Only the
    rest are read, with their date buckets — memberships begun or ended
    after the earliest date, and those of people who arrived, left or
    moved household since — and the movers are placed exactly, in the
    household they had at each date."""
    in_scope = set(community_ids)
    earliest = min(ends)
    dates = sorted(set(ends))
    index = [dates.index(d) for d in ends]
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    steady = tallies.holders_per_area_kind(session)
    unsteady_people = union(*(select(Person.id).where(condition)
                              for _active, condition in presence.unsteady_parts(earliest)),
                            placed.replaced_after(earliest)).subquery("unsteady")
    moved = _one(Person.id.in_(placed.replaced_after(earliest))).label("moved")
    begun_before = or_(PersonTag.start_date.is_(None), PersonTag.start_date <= earliest)
    # Open and begun before, of the few people who are not steady: found from
    # those people (coalesce keeps SQLite from walking every open membership
    # by the end-date index instead).
    far = date(9999, 12, 31)
    of_unsteady = (select(PersonTag).join(unsteady_people, unsteady_people.c.id == PersonTag.person_id)
                   .where(func.coalesce(PersonTag.end_date, far) == far, begun_before).subquery("of_unsteady"))
    memberships = aliased(PersonTag)
    # open, begun before, of steady people, due to end by the latest date
    due_steady = (select(memberships).where(
        memberships.end_date.is_(None), memberships.due_end.is_not(None), memberships.due_end <= max(dates),
        or_(memberships.start_date.is_(None), memberships.start_date <= earliest),
        memberships.person_id.not_in(select(unsteady_people.c.id))).subquery("due_steady"))
    for source in (select(memberships).where(memberships.end_date.is_(None), memberships.start_date > earliest)
                   .subquery("begun_later"), of_unsteady,
                   select(memberships).where(memberships.end_date > earliest).subquery("ended_later"), due_steady):
        tag = aliased(PersonTag, source)
        # the end that counts: the due end when it comes first
        end_at = case((and_(tag.due_end.is_not(None), or_(tag.end_date.is_(None), tag.due_end < tag.end_date)),
                       tag.due_end), else_=tag.end_date)
        buckets = [*presence.person_columns(dates), presence.bucket(tag.start_date, dates, empty=0),
                   presence.bucket(end_at, dates, empty=len(dates))]
        counted = _one(and_(Person.status == PERSON_ACTIVE, tag.end_date.is_(None))).label("counted")
        query, area = placed.place_now(select().select_from(tag).join(Person, Person.id == tag.person_id))
        for kind_id, area_id, is_moved, is_counted, reg, out, died, valid, start, end, n in session.execute(
                query.add_columns(tag.tag_kind_id, area, moved, counted, *buckets, func.count())
                .group_by(tag.tag_kind_id, area, moved, counted, *buckets)):
            if is_counted:
                steady[(area_id, kind_id)] = steady.get((area_id, kind_id), 0) - n
            if is_moved or parts.get(area_id, (None, None))[0] not in in_scope:
                continue
            for k, i in enumerate(index):
                # end is exclusive for tags: held at D when end_date > D, i.e. not (end <= D)
                if presence.present(i, reg, out, died, valid) and presence.held(i, start, end):
                    counts[kind_id][k] += n
    for (area_id, kind_id), n in steady.items():
        if n and parts.get(area_id, (None, None))[0] in in_scope:
            for k in range(len(ends)):
                counts[kind_id][k] += n

    def held(on: date):
        return and_(or_(PersonTag.start_date.is_(None), PersonTag.start_date <= on),
                    or_(PersonTag.end_date.is_(None), PersonTag.end_date > on),
                    or_(PersonTag.due_end.is_(None), PersonTag.due_end > on), person_present(on))

    # those who moved: their area at each date
    columns = []
    query = (select(PersonTag.tag_kind_id).select_from(PersonTag).join(Person, Person.id == PersonTag.person_id)
             .where(Person.id.in_(placed.replaced_after(earliest))))
    for i, on in enumerate(ends):
        query, area, _house = placed.place_at(query, on, f"tt{i}")
        columns += [_one(held(on)), area]
    for kind_id, *cells in session.execute(query.add_columns(*columns)):
        for i in range(len(ends)):
            if cells[2 * i] and parts.get(cells[2 * i + 1], (None, None))[0] in in_scope:
                counts[kind_id][i] += 1
    kinds = _tag_kinds(session, with_sensitive)
    ages = computed_kinds(session)
    shown = {kind_id: ages[kind_id][1] for kind_id, *_rest in kinds if kind_id in ages}
    if shown:
        counts.update(_age_counts(session, ends, shown, in_scope, parts, person_present))
    return [TagCount(name, bool(sensitive), *counts.get(kind_id, [0, 0, 0]), family=FAMILIES.get(family, ""))
            for kind_id, name, sensitive, family in kinds]


def _age_counts(session: Session, ends: tuple[date, ...], ages: dict[int, int], in_scope: set[int], parts: dict,
                person_present) -> dict[int, list[int]]:
    """``{kind: [count at each of ends]}`` for the age groups ``ages``
    (``{kind: years}``): people present at each of ``ends``, in the scope's
    communities by where they counted then (``placed_at``), who are that
    many years old or more then. Every age group is counted in the same
    few queries (one birth-date bucket per group).

    Everyone 在册 of an age at the latest date is first taken as present at
    every date in their current area: counted per household and house
    inside ``ix_person_status_birth_place`` by birth-date bucket, each
    household and house looked up once (``placed_at.place_groups``). The few
    who are not simply there at every date (``presence.unsteady_parts``)
    are then counted with their presence buckets (those 在册 replacing their
    first count), and the few who moved since the earliest date are taken
    out of their current area and counted exactly, date by date."""
    dates = sorted(set(ends))
    n = len(dates)
    kinds = list(ages)
    borns = [presence.bucket(Person.birth_date, [born_by(d, ages[k]) for d in dates], empty=n).label(f"b_born{j}")
             for j, k in enumerate(kinds)]
    by_date = {k: dict.fromkeys(dates, 0) for k in kinds}

    def add(kind: int, rows, sign: int, *, steady: bool = False) -> None:
        for area_id, old, *buckets, count in rows:
            if old >= n or parts.get(area_id, (None, None))[0] not in in_scope:
                continue
            reg, out, died, valid = (0, n, n, 1) if steady else buckets
            for i, on in enumerate(dates):
                if old <= i and presence.present(i, reg, out, died, valid):
                    by_date[kind][on] += sign * int(count)  # a sum: Decimal on PostgreSQL

    for kind, born in zip(kinds, borns):
        groups = (select(Person.household_id, Person.house_id, born, func.count().label("n"))
                  .where(Person.status == PERSON_ACTIVE, age_condition(dates[-1], ages[kind]))
                  .group_by(Person.household_id, Person.house_id, born).subquery("age_groups"))
        query, area = placed.place_groups(groups)
        add(kind, session.execute(query.add_columns(area, groups.c[born.name], func.sum(groups.c.n))
                                  .group_by(area, groups.c[born.name])), +1, steady=True)
    columns = presence.person_columns(dates)

    def grouped(where, sign: int, active: bool = False) -> None:
        # no age condition here: it would lead the planner away from the presence index;
        # the birth buckets leave out those too young at every date
        query, area = placed.place_now(select().select_from(Person).where(where))
        rows = session.execute(query.add_columns(area, *borns, *columns, func.count())
                               .group_by(area, *borns, *columns)).all()
        for j, kind in enumerate(kinds):
            mine = [(r[0], r[1 + j], *r[1 + len(kinds):]) for r in rows]
            if active:
                add(kind, mine, -1, steady=True)
            add(kind, mine, sign)

    for active, condition in presence.unsteady_parts(dates[0]):
        grouped(condition, +1, active)
    moved = placed.changed_after(dates[0])
    grouped(moved, -1)
    for i, on in enumerate(dates):
        query, area, _house = placed.place_at(select().select_from(Person).where(moved, person_present(on)),
                                              on, f"at{i}")
        flags = [_one(age_condition(on, ages[k])).label(f"old{j}") for j, k in enumerate(kinds)]
        rows = session.execute(query.add_columns(area, *flags, func.count()).group_by(area, *flags)).all()
        for area_id, *flags, count in rows:
            if parts.get(area_id, (None, None))[0] in in_scope:
                for kind, flag in zip(kinds, flags):
                    by_date[kind][on] += count * flag
    return {k: [by_date[k][on] for on in ends] for k in kinds}


def _tag_kinds(session: Session, with_sensitive: bool) -> list[tuple]:
    kinds = select(TagKind.id, TagKind.name, TagKind.sensitive, TagKind.family).where(TagKind.active.is_(True))
    if not with_sensitive:
        kinds = kinds.where(TagKind.sensitive.is_(False))
    return list(session.execute(kinds.order_by(family_rank(), TagKind.sort_order, TagKind.id)))


# --- trends --------------------------------------------------------------------------------

def trends(session: Session, months: list[tuple[int, int]], residents: list[int], *,
           scoped_training) -> list[TrendPoint]:
    """The 12-month trends: ``residents`` at each month's end (counted by
    the caller) and training hours credited per month (sessions starting
    in it; ``scoped_training`` limits the attendances to the scope)."""
    first = date(*months[0], 1)
    last = month_end(*months[-1])
    ym = func.extract("year", TrainingSession.start_date) * 100 + func.extract("month", TrainingSession.start_date)
    query = (select(ym, func.coalesce(func.sum(Attendance.hours_credited), 0.0))
             .select_from(Attendance).join(TrainingSession, TrainingSession.id == Attendance.session_id)
             .where(Attendance.status == ATTEND_PRESENT, TrainingSession.cancelled.is_(False),
                    TrainingSession.start_date >= first, TrainingSession.start_date <= last)
             .group_by(ym))
    if scoped_training is not None:
        query = query.where(scoped_training)
    hours = {int(k): float(v) for k, v in session.execute(query)}
    return [TrendPoint(y, mo, residents[i], hours.get(y * 100 + mo, 0.0)) for i, (y, mo) in enumerate(months)]
