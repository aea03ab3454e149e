"""人口信息: the residents list — filter, search, sort and window in SQL.

``resident_source(db)`` is a ``PageSource`` of ``ResidentRow`` for a
``ResidentFilter``; ``resident_columns(show_full)`` describes the columns
(ID numbers and phones masked unless ``show_full``). Special-group tags
shown and offered as filters are those the acting user may see
(``services.tags``). The service decides what leaves it: only people of
the acting user's areas (an SQL condition on the household's area), ID
numbers and phones already masked for users who may not see them, and a
filter by a special group the user may not see lists nobody.

Search as you type, every form served by an index (county scale):
letters → pinyin initials or full pinyin from the start (``zs``, ``zhangs``);
digits → ID number, phone or household number from the start; other text →
the name from the start, or (two characters or more) the household address
containing it.

As of a past date (``ResidentFilter.as_of``) the list is the register on
that day, derived from the history exactly as the monthly report counts it
(``reports.monthly_counts.person_present``): each person placed in the
household they had that day (``transfers_after`` — only the few who moved
between households since are placed by their events, everyone else by
their current household), the category filter by the 人口类别 they had that
day (``in_category``), age, tags and the tag filter as of that day; the
status filter does not apply (everyone listed was 在册 that day).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import and_, any_, case, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from gridadmin.db import Database
from gridadmin.models import House, Household, Person, PersonTag
from gridadmin.models.household import EVENT_HOUSE, PERSON_ACTIVE
from gridadmin.services.reports import placed_at as placed
from gridadmin.services.access.permissions import SYSTEM, Actor, acting, area_condition, full_numbers, \
    number_maskers
from gridadmin.services.areas.names import AreaNames
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.idcard import number_formatters
from gridadmin.services.reports.monthly_counts import (
    categories_after, moved_after, person_present, recategorised_after, transfers_after,
)
from gridadmin.services.common.paging import ALIGN_CENTER, ALIGN_RIGHT, Column, PageQuery, QuickCount, Reversed, \
    SqlPager, prefix_range, row_by_row as _row_by_row
from gridadmin.services.roster.listing import _years_before, age_on, subtree_ids
from gridadmin.models.groups import FAMILIES, FAMILY_CARE, FAMILY_KEY, FAMILY_SPECIAL
from gridadmin.services.register.age_groups import born_by, computed_kinds
from gridadmin.services.register.resident_counts import large_group, stored_count
from gridadmin.services.register.tags import holds_on, tag_kind_visible, tag_names_by_family, visible_tag_kinds
from gridadmin.services.common.text import clean_name, search_text

# Age bands of the residents filter: (label, lowest age, highest age).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0–6岁", 0, 6), ("7–17岁", 7, 17), ("18–34岁", 18, 34), ("35–59岁", 35, 59), ("60–79岁", 60, 79),
    ("80岁及以上", 80, 200),
)


@dataclass(frozen=True)
class ResidentFilter:
    """What the residents list shows; empty values mean "any". ``status``
    is 在册/迁出/死亡 or None for all; ``age_band`` is ``(lowest, highest)``."""

    search: str = ""
    area_id: int | None = None
    category: str | None = None
    status: str | None = PERSON_ACTIVE
    age_band: tuple[int, int] | None = None
    gender: str | None = None
    tag_kind_id: int | None = None
    today: date | None = None
    as_of: date | None = None  # the register on that day instead of today's (status then ignored)

    @property
    def day(self) -> date:
        """The day ages and tags are taken on."""
        return self.as_of or self.today or date.today()


@dataclass(frozen=True)
class ResidentRow:
    id: int
    household_id: int | None
    name: str
    gender: str
    age: int | None
    id_number: str
    relation: str
    category: str
    status: str
    household_no: str
    grid: str
    grid_detail: str
    phone: str
    tags: str
    version: int
    # the groups by family (特殊人群, 重点人员, 关怀对象), each "、"-joined
    special: str = ""
    key_people: str = ""
    care: str = ""
    house: str = ""  # 现住房屋 (its address), '' when none is recorded


def search_kind(text: str) -> tuple[str, str]:
    """(kind, cleaned) of what was typed: 'letters', 'digits', 'text' or ''."""
    typed = search_text(text).replace(" ", "")
    if not typed:
        return "", ""
    if typed.isascii() and typed.isalpha():
        return "letters", typed.lower()
    if typed.isascii() and typed.upper().rstrip("X").isdigit():
        return "digits", typed.upper()
    return "text", clean_name(typed)


def in_households(households, as_of: date | None = None):
    """SQL: the person's household is one of ``households`` (a SELECT of
    household ids) — today, or on ``as_of``: the current one unless they
    moved between households since (few), then the one their first later
    transfer left."""
    if as_of is None:
        return Person.household_id.in_(households)
    moved = transfers_after(as_of, "moved_since")
    return or_(and_(Person.household_id.in_(households), Person.id.not_in(moved_after(as_of))),
               Person.id.in_(select(moved.c.person_id).where(moved.c.from_household_id.in_(households))))


def in_category(category: str, as_of: date | None = None):
    """SQL: the person's 人口类别 is ``category`` — today, or on ``as_of``:
    the current one unless they changed category since (few), then the one
    their first later 类别变更 replaced (as the monthly report counts)."""
    if as_of is None:
        return Person.category == category
    later = categories_after(as_of, "recategorised_since")
    return or_(and_(Person.category == category, Person.id.not_in(recategorised_after(as_of))),
               Person.id.in_(select(later.c.person_id).where(later.c.old_category == category)))
def placed_in(area_filter, as_of: date | None = None):
    """SQL: the person counts in an area for which ``area_filter(column)``
    holds — their household's (on ``as_of``: see ``in_households``), or
    without a household their house's (流动人口 and others need no 户; on
    ``as_of`` the house their first later 住所变更 left, as the monthly
    report places them: ``reports.placed_at``). Today: the stored
    ``person.area_id`` (trigger-kept, migration 0025), one indexed column."""
    if as_of is None:
        return area_filter(Person.area_id)
    houses = select(House.id).where(area_filter(House.area_id))
    left = placed.first_after(EVENT_HOUSE, as_of, "from_house_id", "house_left_since")
    at_house = or_(and_(Person.house_id.in_(houses), Person.id.not_in(select(left.c.person_id))),
                   Person.id.in_(select(left.c.person_id).where(left.c.left.in_(houses))))
    return or_(in_households(select(Household.id).where(area_filter(Household.area_id)), as_of),
               and_(Person.household_id.is_(None), at_house))


def _at_houses(condition):
    """SQL: a person without a household living at a house matching ``condition``."""
    return and_(Person.household_id.is_(None), Person.house_id.in_(select(House.id).where(condition)))


def search_condition(text: str, as_of: date | None = None, *, row_by_row: bool = False, arrays: bool = False):
    """SQL condition for the search box, or None (see the module doc); a
    household number or address matches the household a person had on
    ``as_of`` when given. ``row_by_row``: for a query testing the people
    of an index one by one (a page walking its order, a count of the whole
    list), digits test each person's household and house by their id
    instead of listing every household with that prefix first (the
    county's region code, ``4113…``, is a prefix of all 180,000).
    ``arrays`` (PostgreSQL): the households and houses with the prefix as
    ``= ANY(ARRAY(…))``, which an index of person can serve, so the four
    parts of digits typed are one BitmapOr of four index scans (with IN the
    planner guesses half the register and scans it)."""
    kind, typed = search_kind(text)
    if kind == "letters":
        return and_(prefix_range(Person.name_pinyin, typed[0]),
                    or_(prefix_range(Person.name_initials, typed), prefix_range(Person.name_pinyin, typed)))
    if kind == "digits" and row_by_row and as_of is None:
        household = select(Household.id).where(Household.id == Person.household_id,
                                               prefix_range(Household.household_no, typed)).exists()
        house = select(House.id).where(House.id == Person.house_id, prefix_range(House.house_no, typed)).exists()
        return or_(prefix_range(Person.id_number, typed), prefix_range(Person.phone, typed), household,
                   and_(Person.household_id.is_(None), house))
    if kind == "digits" and arrays and as_of is None:
        households = func.array(select(Household.id).where(prefix_range(Household.household_no, typed))
                                .scalar_subquery())
        houses = func.array(select(House.id).where(prefix_range(House.house_no, typed)).scalar_subquery())
        return or_(prefix_range(Person.id_number, typed), prefix_range(Person.phone, typed),
                   Person.household_id == any_(households),
                   and_(Person.household_id.is_(None), Person.house_id == any_(houses)))
    if kind == "digits":
        households = select(Household.id).where(prefix_range(Household.household_no, typed))
        return or_(prefix_range(Person.id_number, typed), prefix_range(Person.phone, typed),
                   in_households(households, as_of), _at_houses(prefix_range(House.house_no, typed)))
    if kind == "text":
        condition = prefix_range(Person.name, typed)
        if len(typed) >= 2:
            at = select(Household.id).where(Household.address.contains(typed, autoescape=True))
            condition = or_(condition, in_households(at, as_of),
                            _at_houses(House.address.contains(typed, autoescape=True)))
        if typed.isascii() and typed.isalnum():  # letters and digits: a passport or 通行证 number too
            condition = or_(prefix_range(Person.id_number, typed.upper()), condition)
        return condition
    return None


def resident_keys(session: Session, f: ResidentFilter | None, *, walk_in_order: bool = False,
                  band_drives: bool = True, status_drives: bool = True, area_drives: bool = False,
                  actor: Actor = SYSTEM):
    """``SELECT person.id`` for the filter (every condition in SQL), among
    the people ``actor`` may read: those whose household lies in their
    areas, and with a special-group filter only a group they may see.

    ``walk_in_order``: the special-group condition is a per-person test
    (EXISTS) instead of a join, so a page in name order can walk the
    register index and stop after a page of holders rather than sort every
    holder — cheaper when the group is a large part of the register (see
    ``ResidentSource.window``).

    ``band_drives=False`` (SQLite): the age band is tested row by row
    (``+birth_date``), so a page in another order walks that order's index
    instead of sorting the whole band — SQLite, without statistics,
    prefers any range of ``ix_person_status_birth`` to an index giving the
    order (a band is a fifth to a third of the register).
    ``status_drives=False``: the search's own indexes find its matches
    (digits: ID number, phone, household and house numbers, one index each;
    ``search_condition(arrays=True)`` on PostgreSQL); on SQLite the status
    is then tested row by row — SQLite takes ``status = ?`` for a handful
    of rows and would test every person of the status instead. Otherwise
    digits test each person's household and house by id
    (``search_condition(row_by_row=True)``).
    ``area_drives`` (SQLite; a list of a few areas — a chosen community, a
    clerk's areas): their people are found through ``ix_person_area_name``
    and sorted (the status and age band tested row by row); otherwise
    SQLite walks the whole register in the list's order and tests each
    person's area."""
    f = f or ResidentFilter()
    today = f.day
    stmt = select(Person.id)
    sqlite = session.get_bind().dialect.name == "sqlite"
    scope = area_condition(session, actor, Household.area_id)
    if area_drives and sqlite and f.as_of is None and (scope is not None or f.area_id is not None):
        status_drives = band_drives = False
    if f.as_of is not None:
        stmt = stmt.where(person_present(f.as_of))
    elif f.status:
        stmt = stmt.where((Person.status if status_drives or not sqlite else _row_by_row(Person.status)) == f.status)
    if f.category:
        stmt = stmt.where(in_category(f.category, f.as_of))
    if f.gender:
        stmt = stmt.where(Person.gender == f.gender)
    if f.age_band:
        low, high = f.age_band
        birth = Person.birth_date if band_drives else _row_by_row(Person.birth_date)
        stmt = stmt.where(birth <= _years_before(today, low), birth > _years_before(today, high + 1))
    if f.area_id is not None:
        subtree = subtree_ids(session, f.area_id)
        stmt = stmt.where(placed_in(lambda column: column.in_(subtree), f.as_of))
    engine = session.get_bind().dialect.name
    condition = search_condition(f.search, f.as_of, row_by_row=status_drives,
                                 arrays=not status_drives and engine == "postgresql")
    if scope is not None:
        stmt = stmt.where(placed_in(lambda column: area_condition(session, actor, column), f.as_of))
    ages = computed_kinds(session) if f.tag_kind_id is not None else {}
    if f.tag_kind_id is not None and not tag_kind_visible(session, actor, f.tag_kind_id):
        stmt = stmt.where(false())
    elif f.tag_kind_id in ages:  # 老年人, 高龄老人: from the birth date on the day (age_condition)
        birth = Person.birth_date if band_drives else _row_by_row(Person.birth_date)
        stmt = stmt.where(birth <= born_by(today, ages[f.tag_kind_id][1]))
    elif f.tag_kind_id is not None and walk_in_order:
        stmt = stmt.where(select(PersonTag.id).where(PersonTag.person_id == Person.id,
                                                     PersonTag.tag_kind_id == f.tag_kind_id,
                                                     holds_on(today)).exists())
    elif f.tag_kind_id is not None:
        # Joined, not "id IN (…)": a special group is a small part of the
        # register, so its holders (ix_person_tag_holders) drive the query and
        # each is looked up by id; with IN the planner walks every person of
        # the status and probes the list, which grows with the county.
        holders = (select(PersonTag.person_id)
                   .where(PersonTag.tag_kind_id == f.tag_kind_id, holds_on(today)).distinct().subquery("holders"))
        stmt = stmt.join(holders, holders.c.person_id == Person.id)
    if condition is not None:
        stmt = stmt.where(condition)
        if scope is not None and engine == "sqlite":
            # A search by a user of some areas: their households' matches are
            # found first (ix_person_household_name: one seek per household,
            # inside the index), then put in order by id. Left to itself,
            # SQLite (no statistics) walks every match of the township in name
            # order and looks each one up for its household (a letter: 7,000
            # rows). (PostgreSQL: the ARRAY above.)
            stmt = select(Person.id).where(Person.id.in_(stmt.correlate(None)))
    return stmt


# first_count: an exact SQL count up to this many matches, else an estimate from a
# sample of this many people of the list without its row-by-row filters
EXACT_UP_TO = 2_000
# digits typed matching at most this many (counted or estimated): found through their indexes
DRIVE_UP_TO = 10_000
SAMPLE = 1_000  # person ids drawn at random
# a list of some areas of at most this many people: found through the area index and sorted
AREA_DRIVES_UP_TO = 30_000
SAMPLE_LEAST = 50  # of them in the list without its row-by-row filters, else no estimate

SORTS = {
    # the register index's columns, so it gives the order for one status
    "name": (Person.name_pinyin, Person.name_initials),
    "gender": (Person.gender,),
    "age": (Reversed(Person.birth_date),),
    "id_number": (Person.id_number,),
    "relation": (Person.relation,),
    "category": (Person.category,),
    "status": (Person.status,),
    "household": (Person.household_id, Person.relation),  # household numbers run in id order per grid
    "phone": (Person.phone,),
}


class ResidentSource(SqlPager[ResidentRow]):
    """``PageSource`` of residents; code labels and the visible tag kinds
    are read once per count (once per filter change or refresh)."""

    def __init__(self, db: Database):
        super().__init__(db=db, keys=self._keys, sorts=SORTS, tiebreak=Person.id, load=self._load,
                         default_sort="name")
        self._book: CodeBook | None = None
        self._kinds: list[int] | None = None
        self._walk_in_order = False
        self._band_drives = True
        self._status_drives = True
        self._area_drives = False
        self._estimated: dict = {}  # filter → the estimate first_count gave (window chooses plans by it)

    def _keys(self, session: Session, f: ResidentFilter | None):
        return resident_keys(session, f, walk_in_order=self._walk_in_order, band_drives=self._band_drives,
                             status_drives=self._status_drives, area_drives=self._area_drives,
                             actor=acting(self.db))

    def _search_drives(self, f: ResidentFilter, matches: int | None) -> bool:
        """Whether digits typed should find their matches through the
        search's indexes (then sorted) rather than by walking the order's
        index — when there are at most ``DRIVE_UP_TO`` of them, counted or
        estimated (``matches`` None: while counting them)."""
        return search_kind(f.search)[0] == "digits" and (matches is None or matches <= DRIVE_UP_TO)

    def window(self, query: PageQuery, offset: int, limit: int) -> list[ResidentRow]:
        """A page of a special group in name order walks the register index
        (``resident_keys(walk_in_order=True)``) when that pays: about
        ``rows needed × register / holders`` index steps against sorting
        every holder — a large group in a county (the walk then costs the
        same for any register size), not a small one."""
        f = query.filter if isinstance(query.filter, ResidentFilter) else ResidentFilter()
        holders = self._counts.get(query.filter) or self._estimated.get(query.filter)
        walk = False
        if f.tag_kind_id is not None and holders and query.sort in (None, "name") and not f.search.strip():
            register = stored_count(self.db, replace(f, tag_kind_id=None, area_id=None, category=None,
                                                     age_band=None, gender=None))
            needed = min(offset, holders - offset) + limit
            walk = register is not None and holders * holders > needed * register
        self._walk_in_order = walk
        # SQLite: a page in any order but age walks that order's index (see resident_keys)
        self._band_drives = query.sort == "age" or self.db.engine.dialect.name != "sqlite"
        # a few matches of digits typed: found through their indexes (a broad prefix: walking the order)
        self._status_drives = not (holders is not None and self._search_drives(f, holders))
        # a list of a few areas: their people through the area index, then sorted
        self._area_drives = holders is not None and holders <= AREA_DRIVES_UP_TO
        try:
            return super().window(query, offset, limit)
        finally:
            self._walk_in_order = self._area_drives = False
            self._band_drives = self._status_drives = True

    def count(self, query: PageQuery) -> int:
        self._book = None
        self._kinds = None
        f = query.filter if isinstance(query.filter, ResidentFilter) else ResidentFilter()
        stored = stored_count(self.db, f)
        if stored is None:
            return super().count(query)
        self._counts[query.filter] = stored
        return stored

    def first_count(self, query: PageQuery) -> QuickCount:
        """The count to show at once, in time that does not grow with the
        register: the stored counts (``stored_count``), or an SQL count that
        stops after ``EXACT_UP_TO`` matches; past that, an estimate (the
        stored count of the list without its age, gender, search and group
        filters times the share of a sample of it that matches them all, or
        only "more than ``EXACT_UP_TO``" when there is no stored count). The
        exact figure is ``count`` (run it off the UI thread)."""
        self._book = None
        self._kinds = None
        f = query.filter if isinstance(query.filter, ResidentFilter) else ResidentFilter()
        stored = stored_count(self.db, f)
        if stored is not None:
            self._counts[query.filter] = stored
            return QuickCount(stored)
        try:
            return self._first_count(query, f)
        finally:
            self._walk_in_order = False

    def _first_count(self, query: PageQuery, f: ResidentFilter) -> QuickCount:
        with self.db.session() as session:
            self._status_drives = not self._search_drives(f, None)
            # a large group: each person tested for it (EXISTS), so the count stops after
            # EXACT_UP_TO + 1 of them and the sample looks each one up, instead of listing
            # every holder first (the stored counts of the group tell how large it is)
            self._walk_in_order = large_group(session, f, acting(self.db), EXACT_UP_TO)
            try:
                keys = self._keys(session, query.filter)
                n = session.scalar(select(func.count()).select_from(keys.limit(EXACT_UP_TO + 1).subquery())) or 0
            finally:
                self._status_drives = True
            if n <= EXACT_UP_TO:
                self._counts[query.filter] = n
                return QuickCount(n)
            base = replace(f, search="", age_band=None, gender=None, tag_kind_id=None)
            total = stored_count(self.db, base)
            # (two queries: SQLite finds a min() or a max() in the index, not both at once)
            low = session.scalar(select(func.min(Person.id)))
            high = session.scalar(select(func.max(Person.id)))
            if total is None or low is None:
                return QuickCount(EXACT_UP_TO + 1, exact=False, at_least=True)
            # the same people every time (the estimate does not jump on a refresh)
            sample = random.Random(high).sample(range(low, high + 1), min(SAMPLE, high - low + 1))
            in_base, matching = _sampled(session, sample, resident_keys(session, base, actor=acting(self.db)),
                                         self._keys(session, query.filter))
        if in_base < SAMPLE_LEAST and len(sample) < high - low + 1:  # too few to scale (a small area)
            return QuickCount(EXACT_UP_TO + 1, exact=False, at_least=True)
        estimate = max(EXACT_UP_TO + 1, round(total * matching / in_base))
        self._estimated[query.filter] = estimate
        return QuickCount(estimate, exact=False)

    def exact_count(self, query: PageQuery) -> int:
        """The exact count ``first_count`` estimated (safe in a worker
        thread while the UI thread reads pages: it shares no state with them
        but the counts it records)."""
        with self.db.session() as session:
            keys = resident_keys(session, query.filter, actor=acting(self.db))
            total = session.scalar(select(func.count()).select_from(keys.subquery())) or 0
        self._counts[query.filter] = total
        return total

    def order_by(self, query: PageQuery, *, reverse: bool = False):
        f = query.filter if isinstance(query.filter, ResidentFilter) else ResidentFilter()
        if search_kind(f.search)[0] == "text" and query.sort in (None, "name"):
            # a name typed in characters: the (status, name) index gives the order
            descending = bool(query.descending) != reverse
            column = Person.name.desc() if descending else Person.name.asc()
            return [column, Person.id.desc() if descending else Person.id.asc()]
        return super().order_by(query, reverse=reverse)

    def _load(self, session: Session, ids: list[int], query: PageQuery) -> list[ResidentRow]:
        if self._book is None:
            self._book = CodeBook.load(session)
        if self._kinds is None:
            self._kinds = [k.id for k in visible_tag_kinds(session, acting(self.db))]
        f = query.filter if isinstance(query.filter, ResidentFilter) else ResidentFilter()
        return load_rows(session, ids, self._book, self._kinds, f.day, as_of=f.as_of, actor=acting(self.db))


def _sampled(session: Session, sample: list[int], *keys) -> tuple[int, ...]:
    """For each ``SELECT person.id`` of ``keys``, how many of the person ids
    ``sample`` it lists: each sampled person looked up by id and tested (an
    EXISTS per person, so no index of a filter walks the register)."""
    drawn = aliased(Person, name="sampled")
    counts = [func.coalesce(func.sum(case((stmt.where(Person.id == drawn.id).exists(), 1), else_=0)), 0)
              for stmt in keys]
    return tuple(session.execute(select(*counts).where(drawn.id.in_(sample))).one())


def resident_source(db: Database) -> ResidentSource:
    return ResidentSource(db)


def load_rows(session: Session, ids: Sequence[int], book: CodeBook, kind_ids: Sequence[int], today: date,
              *, as_of: date | None = None, actor: Actor = SYSTEM) -> list[ResidentRow]:
    """Rows for ``ids`` (in that order): one query for people, households
    and grids, one for the visible tags. With ``as_of`` each person shows
    the household they had that day, and the status that day (在册, with
    the current one when it has changed since: “在册（现死亡）”). ID
    numbers and phones are masked unless ``actor`` may see them whole."""
    id_text, phone_text = number_maskers(actor)
    household = Person.household_id
    stmt = select(Person.id)
    if as_of is not None:
        moved = transfers_after(as_of, "moved_since")
        household = func.coalesce(moved.c.from_household_id, Person.household_id)
        stmt = stmt.outerjoin(moved, moved.c.person_id == Person.id)
    found = {r.id: r for r in session.execute(
        stmt.add_columns(household.label("household_id"), Person.name, Person.gender, Person.birth_date,
                         Person.id_number, Person.relation, Person.category, Person.status, Person.phone,
                         Person.version, Household.household_no,
                         func.coalesce(Household.area_id, House.area_id).label("area_id"),
                         House.address.label("house"))
        .outerjoin(Household, Household.id == household)
        .outerjoin(House, House.id == Person.house_id)
        .where(Person.id.in_(list(ids))))}
    names = AreaNames.load_for(session, {p.area_id for p in found.values()})
    tags = tag_names_by_family(session, ids, kind_ids, today)
    rows = []
    for person_id in ids:
        p = found.get(person_id)
        if p is None:
            continue
        rows.append(ResidentRow(
            id=p.id, household_id=p.household_id, name=p.name, gender=book.label("gender", p.gender),
            age=age_on(p.birth_date, today), id_number=id_text(p.id_number),
            relation=book.label("relation", p.relation), category=book.label("resident_category", p.category),
            status=_status_on(p.status, as_of), household_no=p.household_no or "", grid=names.full(p.area_id),
            grid_detail=names.full(p.area_id), phone=phone_text(p.phone), version=p.version,
            house=p.house or "", **_group_texts(tags.get(p.id, {}))))
    return rows


def _group_texts(held: dict[str, list[str]]) -> dict[str, str]:
    """The row's group fields from ``{family: [kind name, ...]}``."""
    return {"tags": "、".join(name for family in FAMILIES for name in held.get(family, ())),
            "special": "、".join(held.get(FAMILY_SPECIAL, ())), "key_people": "、".join(held.get(FAMILY_KEY, ())),
            "care": "、".join(held.get(FAMILY_CARE, ()))}


def _status_on(status: str, as_of: date | None) -> str:
    if as_of is None or status == PERSON_ACTIVE:
        return status
    return f"{PERSON_ACTIVE}（现{status}）"


def may_see_full_numbers(db: Database) -> bool:
    """Whether the acting user gets whole numbers when asking (the UI shows
    its 显示完整号码 box then); the services decide it again on each read."""
    return full_numbers(acting(db))


def resident_columns(show_full: bool = False) -> tuple[Column, ...]:
    """The residents list's columns; ID and phone masked unless ``show_full``."""
    id_text, phone_text = number_formatters(show_full)
    return (
        Column("name", "姓名", lambda r: r.name, sort="name", width=72),
        Column("gender", "性别", lambda r: r.gender, sort="gender", align=ALIGN_CENTER, width=44),
        Column("age", "年龄", lambda r: "" if r.age is None else str(r.age), sort="age", align=ALIGN_RIGHT,
               width=44),
        Column("id_number", "证件号码", id_text, sort="id_number", width=150),  # 身份证, 护照, 通行证 …
        Column("relation", "与户主关系", lambda r: r.relation, sort="relation", width=80),
        Column("category", "人口类别", lambda r: r.category, sort="category", width=72),
        Column("status", "状态", lambda r: r.status, sort="status", align=ALIGN_CENTER, width=48),
        Column("household_no", "户号", lambda r: r.household_no, sort="household", width=150),
        Column("house", "现住房屋", lambda r: r.house, width=160, tooltip=lambda r: r.house),
        Column("grid", "所属网格", lambda r: r.grid, width=200, tooltip=lambda r: r.grid_detail),
        Column("phone", "联系电话", phone_text, sort="phone", width=100),
        Column("special", "特殊人群", lambda r: r.special, width=120, tooltip=lambda r: r.special),
        Column("key_people", "重点人员", lambda r: r.key_people, width=90, tooltip=lambda r: r.key_people),
        Column("care", "关怀对象", lambda r: r.care, width=140, tooltip=lambda r: r.care),
    )

