"""Matching resident rows against the register: persons by ID number,
households by household number; household rules (one head) checked over
the file and the members already registered."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridadmin.models import Household, Person
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.codes import CodeBook
from gridadmin.services.importing.areaindex import AreaIndex
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.plan import (
    ERROR, MODE_UPDATE, NEW, SKIP, UPDATE, RowIssue, RowPlan, label_existing, mark_duplicates, shown,
)
from gridadmin.services.importing.resident_parse import ResidentParser
from gridadmin.services.importing.residents import (
    CODE_FIELDS, HOUSEHOLD_FIELDS, PERSON_FIELDS, RELATION_HEAD, RESIDENTS, month_only_column,
)

CHUNK = 500


def plan_residents(session: Session, table: Table, mode: str, today: date) -> tuple[list[RowPlan], dict]:
    book = CodeBook.load(session)
    areas = AreaIndex.load(session)
    allow_month = month_only_column(table.mapping.header_of("birth_date"))
    rows = [RowPlan(excel_row, cells) for excel_row, cells in table.rows]
    ResidentParser(table, book, areas, allow_month=allow_month, today=today).parse(rows)
    id_header = table.mapping.header_of("id_number")
    mark_duplicates(rows, lambda r: r.record.get("id_number"), id_header, "公民身份号码")

    person_columns = [Person.id, Person.version, Person.household_id, Person.status,
                      *(getattr(Person, k) for k in PERSON_FIELDS)]
    persons = _load(session, person_columns, Person.id_number, {r.record.get("id_number") for r in rows})
    households = _load(session, [Household.id, Household.household_no, Household.area_id],
                       Household.household_no, {r.record.get("household_no") for r in rows})
    household_no_of = {h.id: h.household_no for h in households.values()}
    missing = {p.household_id for p in persons.values()} - set(household_no_of) - {None}
    if missing:
        for hh in _chunked_in(session, select(Household.id, Household.household_no), Household.id, missing):
            household_no_of[hh.id] = hh.household_no
    _household_rules(session, table, rows, households, areas)

    for row in rows:
        if row.errors:
            row.status = ERROR
            continue
        existing = persons.get(row.record["id_number"])
        if existing is None:
            row.status = SKIP if mode == MODE_UPDATE else NEW
            if row.status == SKIP:
                row.warnings.append(RowIssue(row.row, "", "", "数据库中没有此人，“仅更新”模式不新增"))
            continue
        row.target_id = existing.id
        row.changes = _changes(row.record, existing, household_no_of.get(existing.household_id), book)
        row.previous = {k: getattr(existing, k) for k in row.changes if k in PERSON_FIELDS}
        if "household_no" in row.changes:
            row.previous["household_id"] = existing.household_id
        if existing.status != PERSON_ACTIVE:
            row.warnings.append(RowIssue(row.row, "", "", f"此人在数据库中的状态为“{existing.status}”"))
        label_existing(row, mode, "此人已登记")
    members_of: dict[str, list[RowPlan]] = {}
    for row in rows:
        members_of.setdefault(row.record.get("household_no"), []).append(row)
    new_households = {}
    for row in rows:
        no = row.record.get("household_no")
        if row.status in (NEW, UPDATE) and no not in households and no not in new_households:
            new_households[no] = _household_values(members_of[no])
    extra = {"new_households": new_households, "household_ids": {no: h.id for no, h in households.items()},
             "persons": {k: (p.id, p.version, p.household_id) for k, p in persons.items()}}
    return rows, extra


def _load(session: Session, columns: list, column, keys: set) -> dict:
    """Plain rows (not ORM objects) whose ``column`` is one of ``keys``;
    when the table is not much larger than ``keys``, one pass over the
    table beats thousands of ``IN`` lookups."""
    keys.discard(None)
    found = {}
    if not keys:
        return found
    table = column.table
    if session.scalar(select(func.count()).select_from(table)) <= 2 * len(keys):
        rows = (row for row in session.execute(select(*columns)) if getattr(row, column.key) in keys)
    else:
        rows = _chunked_in(session, select(*columns), column, keys)
    for row in rows:
        found.setdefault(getattr(row, column.key), row)
    return found


def _chunked_in(session, query, column, keys, *, scalars: bool = False):
    keys = sorted(keys)
    for start in range(0, len(keys), CHUNK):
        part = query.where(column.in_(keys[start:start + CHUNK]))
        yield from (session.scalars(part) if scalars else session.execute(part))


def _household_rules(session: Session, table: Table, rows: list[RowPlan], households: dict,
                     areas: AreaIndex) -> None:
    """Exactly one head per household (file rows plus registered heads the
    file does not move); one grid per household; a new household needs a
    grid; a household with an error row is not imported at all."""
    by_no: dict[str, list[RowPlan]] = {}
    for row in rows:
        no = row.record.get("household_no")
        if no is not None:
            by_no.setdefault(no, []).append(row)
    file_ids = {r.record.get("id_number") for r in rows} - {None}
    registered_heads: dict[int, list[tuple[str, str]]] = {}
    ids = [h.id for h in households.values()]
    for start in range(0, len(ids), CHUNK):
        for name, id_number, hh_id in session.execute(
                select(Person.name, Person.id_number, Person.household_id)
                .where(Person.household_id.in_(ids[start:start + CHUNK]), Person.relation == RELATION_HEAD,
                       Person.status == PERSON_ACTIVE)):
            if id_number not in file_ids:
                registered_heads.setdefault(hh_id, []).append(name)
    relation_header = table.mapping.header_of("relation")
    grid_header = table.mapping.header_of("grid" if "grid" in table.mapping.columns else "grid_code")
    for no, members in by_no.items():
        existing = households.get(no)
        heads = [r for r in members if r.record.get("relation") == RELATION_HEAD]
        others = registered_heads.get(existing.id, []) if existing else []
        message = None
        if len(heads) + len(others) == 0:
            message = f"户号 {no} 没有户主：本户（第 {_rows(members)} 行）中须有且只有一人的与户主关系为“户主”"
        elif len(heads) + len(others) > 1:
            parts = [f"第 {_rows(heads)} 行"] if heads else []
            parts += [f"已登记的户主{'、'.join(others)}"] if others else []
            message = f"户号 {no} 有 {len(heads) + len(others)} 个户主（{'，'.join(parts)}），一户只能有一个户主"
        if message:
            for row in members:
                row.errors.append(RowIssue(row.row, relation_header, shown(row.cells[table.mapping.columns[
                    "relation"]]), message))
        grids = {r.record.get("area_id") for r in members} - {None}
        if len(grids) > 1:
            names = "、".join(sorted(areas.areas[a].name for a in grids))
            for row in members:
                row.errors.append(RowIssue(row.row, grid_header, "", f"户号 {no} 的成员填了不同的网格（{names}）"))
        elif not grids and existing is None:
            for row in members:
                row.errors.append(RowIssue(row.row, grid_header, "", f"户号 {no} 是新户，须填写所属网格"))
        elif existing is not None and grids and existing.area_id not in grids:
            for row in members:
                row.warnings.append(RowIssue(row.row, grid_header, "",
                                             f"户号 {no} 已登记在“{areas.areas[existing.area_id].name}”，"
                                             "本次导入不改变住户所在网格"))
        bad = [r for r in members if r.errors]
        if bad and len(bad) < len(members):
            for row in members:
                if not row.errors:
                    row.errors.append(RowIssue(row.row, "", "", f"同户（户号 {no}）第 {_rows(bad)} 行有错误，整户暂不导入"))


def _rows(rows: list[RowPlan]) -> str:
    return "、".join(str(r.row) for r in rows)


def _household_values(members: list[RowPlan]) -> dict:
    """A new household's grid and address: the first value found, the
    head's row first."""
    members = sorted(members, key=lambda r: r.record.get("relation") != RELATION_HEAD)
    values = {"area_id": next(r.record["area_id"] for r in members if r.record.get("area_id"))}
    for key in HOUSEHOLD_FIELDS:
        values[key] = None
        for r in members:
            if key not in r.record:  # an unmapped column: no row has it
                break
            if r.record[key]:
                values[key] = r.record[key]
                break
    return values


def _changes(record: dict, person: Person, household_no: str | None, book: CodeBook) -> dict:
    changes = {}
    for key in PERSON_FIELDS:
        new = record.get(key)
        old = getattr(person, key)
        if new is None or new == old:
            continue
        label = RESIDENTS.field(key).label
        if key in CODE_FIELDS:
            list_key = CODE_FIELDS[key][0]
            changes[key] = (label, book.label(list_key, old), book.label(list_key, new))
        else:
            changes[key] = (label, shown(old), shown(new))
    if record.get("household_no") != household_no:
        changes["household_no"] = ("户号", household_no or "", record["household_no"])
    return changes
