"""Exporting a whole kind in its import columns, so an exported file can be
corrected and imported again (``python -m gridadmin export``).

Contract of ``export_kind``:
- kinds: ``grids``, ``staff``, ``residents`` (one row per person in the
  register, active people only), ``households`` (one row per household in
  the "wide" layout: 户主 then 成员N 姓名/公民身份号码/与户主关系) and
  ``houses`` (one row per house, 房屋编号 first) and
  ``attendance`` (every session, or the one named by ``session``: its id,
  or its name when only one session has it). The import takes one session
  per file, so the export of one session is the importable form (a session
  with no attendees gets its title row above the header, which imports as
  0 rows); the export of every session is a listing to read or filter;
- ``staff``: each row names the person's earliest running post, or for
  someone who left the post that ended last, so the rows import back
  unchanged and without warnings;
- headers are the import fields' labels; code-list values are written as
  their labels (男, 汉族 …), dates as 1990-01-02 text; IDs and phones are
  text, masked unless ``full_numbers`` (which needs the 查看完整证件号码
  permission); cells that could run as a formula are neutralised;
- the writing, the permission check (导出) and the audit row are those of
  ``services.table_export.export_table_xlsx``; a scoped user exports only
  the grids, households, residents, staff and attendance of their areas;
- returns the number of data rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from itertools import islice
from operator import itemgetter
from pathlib import Path

import openpyxl
from sqlalchemy import case, func, or_, select

from gridadmin.db import Database
from gridadmin.models import Area, Attendance, House, Household, Person, Staff, StaffAssignment, TrainingSession
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.models.training import ATTENDANCE_LABELS
from gridadmin.services.access.permissions import acting, number_maskers, visible_areas
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.errors import NotFoundError, ValidationError
from gridadmin.services.register.household_rules import is_head
from gridadmin.services.importing.areaindex import AreaIndex
from gridadmin.services.importing.attendance_sheet import ATTENDANCE, SessionFacts, title_line
from gridadmin.services.importing.grids import GRIDS
from gridadmin.services.importing.groups import export_rows as group_export_rows
from gridadmin.services.importing.houses import HOUSES
from gridadmin.services.importing.plan import shown
from gridadmin.services.common.id_types import label_of as id_type_label
from gridadmin.services.importing.residents import CODE_FIELDS, IMPORT_ONLY, RESIDENTS
from gridadmin.services.importing.staff import CODE_COLUMNS as STAFF_CODES
from gridadmin.services.importing.staff import STAFF
from gridadmin.services.common.paging import Column, PageQuery
from gridadmin.services.roster.listing import roster_keys, staff_scope
from gridadmin.services.common.table_export import export_table_xlsx

EXPORT_KINDS = ("grids", "staff", "residents", "households", "attendance", "groups", "houses")
EXPORT_LABELS = {"grids": "网格", "staff": "网格员", "residents": "户籍人口", "households": "住户",
                 "attendance": "培训签到", "groups": "人群类别", "houses": "房屋"}
# What a masked export of a kind masks (grids have neither IDs nor phones).
MASKED_NUMBERS = {"staff": "身份证号和电话", "residents": "身份证号和电话", "households": "身份证号",
                  "attendance": "身份证号和电话", "groups": "身份证号", "houses": "房主电话"}
CHUNK = 5000
HOUSEHOLD_FIELDS = ("household_no", "community", "grid", "grid_code", "address", "compound", "building", "unit",
                    "room", "village_group", "door_no")
MEMBER_FIELDS = (("name", "姓名"), ("id_number", "公民身份号码"), ("relation", "与户主关系"))


class RowSource:
    """A ``PageSource`` over a row iterator read once, front to back (what
    ``export_table_xlsx`` does): windows must be asked for in order."""

    def __init__(self, rows: Iterator[tuple]):
        self.rows = rows
        self.position = 0

    def count(self, query: PageQuery) -> int:  # pragma: no cover - not used by the export
        raise NotImplementedError

    def window(self, query: PageQuery, offset: int, limit: int) -> list[tuple]:
        if offset != self.position:
            raise ValueError("RowSource windows must be read in order")
        block = list(islice(self.rows, limit))
        self.position += len(block)
        return block


class _Context:
    """What the acting user may export: their areas (``scope``; staff through
    ``staff_scope``) and whole numbers only when asked and allowed."""

    def __init__(self, db: Database, session, full_numbers: bool):
        self.book = CodeBook.load(session)
        self.areas = AreaIndex.load(session)
        self.actor = acting(db)
        self.scope = visible_areas(session, self.actor)
        self.staff_scope = staff_scope(session, self.actor)
        self.id_number, self.phone = number_maskers(self.actor, full_numbers)

    def in_scope(self, area_id) -> bool:
        return self.scope is None or area_id in self.scope

    def place(self, area_id) -> tuple[str, str, str]:
        """(community, grid, grid code) of an area."""
        area = self.areas.areas.get(area_id)
        if area is None:
            return "", "", ""
        community = self.areas.community_of(area_id)
        return (community.name if community else "", area.name if area.level != LEVEL_COMMUNITY else "",
                area.grid_code or "")


def _grids(session, ctx: _Context) -> tuple[list[str], Iterator[tuple]]:
    keys = [f.key for f in GRIDS.fields if f.key != "seq"]

    def rows():
        """Each grid followed by its micro-grids (所属网格 names their grid),
        so the file imports back in one go."""
        query = (select(Area.id, Area.parent_id, Area.level, Area.name, Area.grid_code, Area.grid_type, Area.note)
                 .where(Area.level.in_((LEVEL_GRID, LEVEL_MICROGRID))).order_by(Area.sort_order, Area.id))
        found = [a for a in session.execute(query) if ctx.in_scope(a.id)]
        micro: dict[int, list] = {}
        for area in found:
            if area.level == LEVEL_MICROGRID:
                micro.setdefault(area.parent_id, []).append(area)
        grids = sorted((a for a in found if a.level == LEVEL_GRID), key=lambda a: a.parent_id)
        order = [x for grid in grids for x in (grid, *micro.pop(grid.id, ()))]
        order += [a for group in micro.values() for a in group]  # micro-grids of a grid out of scope
        for area in order:
            community = ctx.areas.community_of(area.id)
            parent = ctx.areas.areas.get(area.parent_id) if area.level == LEVEL_MICROGRID else None
            values = {"community": community.name if community else "", "name": area.name,
                      "grid_code": area.grid_code or "", "grid_type": area.grid_type or "",
                      "parent_grid": parent.name if parent else "", "note": area.note or ""}
            yield tuple(values[k] for k in keys)
    return [GRIDS.field(k).label for k in keys], rows()


def _staff(session, ctx: _Context, roster_filter=None) -> tuple[list[str], Iterator[tuple]]:
    keys = [f.key for f in STAFF.fields if f.key != "seq"]
    book = ctx.book
    # The post a row names: the earliest running one; for someone with none
    # (离职/卸任) the one that ended last, as the staff import compares it
    # (``staff.last_post``), so each row names its own grid and a
    # re-import neither fills the grid down from the row above nor warns.
    running: dict[int, tuple[int, str]] = {}
    ended: dict[int, tuple] = {}
    for staff_id, area_id, role, start, end, assignment_id in session.execute(
            select(StaffAssignment.staff_id, StaffAssignment.area_id, StaffAssignment.role,
                   StaffAssignment.start_date, StaffAssignment.end_date, StaffAssignment.id)
            .order_by(StaffAssignment.start_date, StaffAssignment.id)):
        if end is None:
            running.setdefault(staff_id, (area_id, role))
        elif staff_id not in ended or (end, start, assignment_id) > ended[staff_id][0]:
            ended[staff_id] = ((end, start, assignment_id), (area_id, role))
    for staff_id, (_key, post) in ended.items():
        running.setdefault(staff_id, post)

    def rows():
        query = select(Staff).order_by(Staff.id)
        if ctx.staff_scope is not None:
            query = query.where(ctx.staff_scope)
        if roster_filter is not None:  # what the roster page shows, in its pinyin order
            query = (select(Staff).where(Staff.id.in_(roster_keys(session, roster_filter, ctx.actor)))
                     .order_by(Staff.name_pinyin, Staff.id))
        for staff in session.scalars(query).yield_per(CHUNK):
            area_id, role = running.get(staff.id, (None, None))
            community, grid, code = ctx.place(area_id)
            values = {"community": community, "grid": grid, "grid_code": code, "role": book.label("staff_role", role),
                      "id_number": ctx.id_number(staff.id_number), "phone": ctx.phone(staff.phone)}
            for key in keys:
                if key in values:
                    continue
                value = getattr(staff, key)
                values[key] = book.label(STAFF_CODES[key][0], value) if key in STAFF_CODES else shown(value)
            yield tuple(values[k] for k in keys)
    return [STAFF.field(k).label for k in keys], rows()


def _residents(session, ctx: _Context) -> tuple[list[str], Iterator[tuple]]:
    """Every 在册 person: those in a 户 with its number and address, those
    without one (流动人口 …) with their house's address; 房屋编号 for all who
    have a house, so the file imports back onto the same houses."""
    keys = [f.key for f in RESIDENTS.fields if f.key not in ("seq", *IMPORT_ONLY)]
    household_keys = ("household_no", "address", "compound", "building", "unit", "room", "village_group", "door_no")
    person_keys = [k for k in keys if k not in household_keys and k not in ("community", "grid", "grid_code",
                                                                             "house_no")]
    label = ctx.book.label
    codes = {k: v[0] for k, v in CODE_FIELDS.items()}
    places: dict[int, tuple[str, str, str]] = {}
    no_household = Person.household_id.is_(None)
    where = [case((no_household, getattr(House, k)), else_=getattr(Household, k)) if k != "household_no"
             else Household.household_no for k in household_keys]
    query = (select(func.coalesce(Household.area_id, House.area_id), *where, House.house_no,
                    *(getattr(Person, k) for k in person_keys))
             .outerjoin(Household, Household.id == Person.household_id)
             .outerjoin(House, House.id == Person.house_id)
             .where(Person.status == PERSON_ACTIVE, or_(Household.id.is_not(None), House.id.is_not(None)))
             .order_by(no_household, Household.household_no, House.house_no, Person.relation, Person.id))
    n_house = len(household_keys) + 1
    # One converter per selected column (household text, then the person's
    # fields), and the export's column order as positions in [*converted, *place].
    converters = [_text_or_blank] * n_house + [
        ctx.id_number if key == "id_number" else ctx.phone if key in ("phone", "other_phone")
        else id_type_label if key == "id_type" else partial(label, codes[key]) if key in codes else shown
        for key in person_keys]
    order = itemgetter(*[[*household_keys, "house_no", *person_keys, "community", "grid", "grid_code"].index(k)
                         for k in keys])

    def rows():
        for row in session.execute(query).yield_per(CHUNK):
            area_id = row[0]
            if not ctx.in_scope(area_id):
                continue
            place = places.get(area_id)
            if place is None:
                place = places[area_id] = ctx.place(area_id)
            yield order([*map(_call, converters, row[1:]), *place])
    return [RESIDENTS.field(k).label for k in keys], rows()


def _call(convert, value):
    return convert(value)


def _text_or_blank(value) -> str:
    return value or ""


def _households(session, ctx: _Context) -> tuple[list[str], Iterator[tuple]]:
    """The wide layout: household fields, 户主 name and ID, then members."""
    members: dict[int, list[tuple]] = {}
    for household_id, name, id_number, relation in session.execute(
            select(Person.household_id, Person.name, Person.id_number, Person.relation)
            .where(Person.status == PERSON_ACTIVE, Person.household_id.is_not(None))
            .order_by(Person.household_id, Person.relation, Person.id)):
        members.setdefault(household_id, []).append((name, id_number, relation))
    households = [h for h in session.execute(
        select(Household.id, Household.area_id, *(getattr(Household, k) for k in HOUSEHOLD_FIELDS
                                                   if k not in ("community", "grid", "grid_code")))
        .where(Household.dissolved_on.is_(None)).order_by(Household.household_no)) if ctx.in_scope(h.area_id)]
    most = max((len([m for m in members.get(h.id, []) if not is_head(m[2])]) for h in households), default=0)
    headers = [RESIDENTS.field(k).label for k in HOUSEHOLD_FIELDS] + ["户主姓名", "户主公民身份号码"]
    headers += [f"成员{n}{label}" for n in range(1, most + 1) for _k, label in MEMBER_FIELDS]

    def rows():
        for h in households:
            community, grid, code = ctx.place(h.area_id)
            values = {"community": community, "grid": grid, "grid_code": code}
            values.update({k: h._mapping[k] or "" for k in HOUSEHOLD_FIELDS if k not in values})
            people = members.get(h.id, [])
            head = next((m for m in people if is_head(m[2])), None)
            row = [values[k] for k in HOUSEHOLD_FIELDS]
            row += [head[0], ctx.id_number(head[1])] if head else ["", ""]
            for name, id_number, relation in (m for m in people if m is not head):
                row += [name, ctx.id_number(id_number), ctx.book.label("relation", relation)]
            yield tuple(row + [""] * (len(headers) - len(row)))
    return headers, rows()


def _houses(session, ctx: _Context) -> tuple[list[str], Iterator[tuple]]:
    """One row per house in the ``houses`` import columns (房屋编号 first,
    so a re-import matches each row to its house)."""
    keys = [f.key for f in HOUSES.fields if f.key != "seq" and f.own_template]

    def rows():
        for h in session.scalars(select(House).order_by(House.house_no)).yield_per(CHUNK):
            if not ctx.in_scope(h.area_id):
                continue
            community, grid, code = ctx.place(h.area_id)
            values = {"community": community, "grid": grid, "grid_code": code,
                      "landlord_phone": ctx.phone(h.landlord_phone)}
            yield tuple(values[k] if k in values else shown(getattr(h, k)) for k in keys)
    return [HOUSES.field(k).label for k in keys], rows()


def _attendance(session, ctx: _Context, which: str | None) -> tuple[list[str], Iterator[tuple], str]:
    """(headers, rows, the session's title line when ``which`` names one)."""
    keys = [f.key for f in ATTENDANCE.fields if f.key != "seq"]
    query = (select(TrainingSession.name.label("session_name"), TrainingSession.start_date.label("session_date"),
                    TrainingSession.hours, Staff.name, Staff.id_number, Staff.phone,
                    Attendance.status.label("attendance_status"), Attendance.hours_credited, Attendance.score,
                    Attendance.passed, Attendance.certificate_no)
             .join(Attendance, Attendance.session_id == TrainingSession.id)
             .join(Staff, Staff.id == Attendance.staff_id)
             .order_by(TrainingSession.start_date, TrainingSession.id, Staff.name_pinyin, Staff.id))
    if ctx.staff_scope is not None:
        query = query.where(ctx.staff_scope)
    if which:
        ids = [int(which)] if which.isdigit() else list(session.scalars(
            select(TrainingSession.id).where(TrainingSession.name == which.strip())))
        if not ids or (which.isdigit() and session.get(TrainingSession, ids[0]) is None):
            raise NotFoundError(f"没有培训“{which}”。", field="培训", value=which)
        if len(ids) > 1:
            raise ValidationError(f"有 {len(ids)} 次培训都叫“{which}”，请改用培训编号。", field="培训", value=which)
        query = query.where(TrainingSession.id == ids[0])
        chosen = session.get(TrainingSession, ids[0])
        facts = SessionFacts({"session_name": chosen.name, "session_date": chosen.start_date,
                              "hours": float(chosen.hours)})
        title = title_line(facts)
    else:
        title = ""

    def rows():
        for r in session.execute(query):
            values = {"id_number": ctx.id_number(r.id_number), "phone": ctx.phone(r.phone),
                      "attendance_status": ATTENDANCE_LABELS.get(r.attendance_status, r.attendance_status),
                      "passed": "" if r.passed is None else ("合格" if r.passed else "不合格")}
            yield tuple(values[k] if k in values else shown(r._mapping[k]) for k in keys)
    return [ATTENDANCE.field(k).label for k in keys], rows(), title


def _put_title_row(path: Path, title: str) -> None:
    """A title row above the header of an exported sheet (the session of an
    attendance export with no attendees, which the rows cannot name)."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    sheet.insert_rows(1)
    sheet.cell(1, 1, title)
    sheet.freeze_panes = "A3"
    workbook.save(path)


def export_kind(db: Database, kind: str, path: str | os.PathLike, *, full_numbers: bool = False,
                session: str | None = None, roster_filter=None) -> int:
    """Write ``kind`` to ``path`` in its import columns (see the module
    docstring); returns the number of data rows. ``roster_filter`` (a
    ``RosterFilter``) limits ``staff`` to what the roster page shows."""
    if kind not in EXPORT_KINDS:
        raise ValidationError(f"导出类型“{kind}”无效，可选：{'、'.join(EXPORT_KINDS)}。", field="kind", value=kind)
    with db.session() as s:
        ctx = _Context(db, s, full_numbers)
        title = ""
        if kind == "attendance":
            headers, rows, title = _attendance(s, ctx, session)
        elif kind == "staff":
            headers, rows = _staff(s, ctx, roster_filter)
        elif kind == "groups":  # only the kinds the user may see (group_export_rows)
            headers, rows = group_export_rows(s, ctx.actor, ctx.in_scope, ctx.id_number)
        else:
            headers, rows = {"grids": _grids, "staff": _staff, "residents": _residents,
                             "households": _households, "houses": _houses}[kind](s, ctx)
        columns = [Column(f"c{i}", title, itemgetter(i)) for i, title in enumerate(headers)]
        count = export_table_xlsx(db, RowSource(rows), PageQuery(), columns, Path(path), what=EXPORT_LABELS[kind],
                                  full_numbers=full_numbers)
    if title and count == 0:
        _put_title_row(Path(path), title)
    return count
