"""Matching resident rows against the register: persons by ID number,
households by household number; household rules (one head) checked over
the state the import leaves behind: every household the file names or
moves a member out of keeps exactly one head (本人 or 户主,
``household_rules.HEAD_RELATIONS``) while it has members. A household the
import empties is dissolved by the commit, like the last member leaving
through a life event."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridadmin.models import Household, Person
from gridadmin.models.household import EVENT_BORN, EVENT_MOVED_IN, EVENT_REGISTERED, PERSON_ACTIVE
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.id_types import label_of
from gridadmin.services.register.effective import (
    CATEGORY_PINNING, arrival_problem, date_problem, earliest_change, latest_change, registration_problem,
)
from gridadmin.services.register.household_rules import HEAD_RELATIONS, is_head
from gridadmin.services.importing.areaindex import AreaIndex
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.plan import (
    ERROR, MODE_INSERT, MODE_UPDATE, NEW, SKIP, UPDATE, RowIssue, RowPlan, label_existing, mark_duplicates, shown,
)
from gridadmin.services.importing.resident_houses import house_change, plan_dwellings, stored_houses
from gridadmin.services.importing.resident_parse import ResidentParser
from gridadmin.services.importing.residents import (
    CODE_FIELDS, HOUSEHOLD_FIELDS, PERSON_FIELDS, RESIDENTS, month_only_column,
)
from gridadmin.services.importing.values import date_value, name_value

CHUNK = 500


def plan_residents(session: Session, table: Table, mode: str, today: date, *,
                   effective: date | None = None) -> tuple[list[RowPlan], dict]:
    """``effective``: the date of rows without a 登记日期/迁入日期 of their
    own (default today); see ``_dates``."""
    book = CodeBook.load(session)
    areas = AreaIndex.load(session)
    allow_month = month_only_column(table.mapping.header_of("birth_date"))
    rows = [RowPlan(excel_row, cells) for excel_row, cells in table.rows]
    parser = ResidentParser(table, book, areas, allow_month=allow_month, today=today)
    parser.parse(rows)
    _parse_dated_columns(parser, rows)
    dwellings = plan_dwellings(session, table, rows, areas)
    id_header = table.mapping.header_of("id_number")
    mark_duplicates(rows, lambda r: r.record.get("id_number"), id_header, "公民身份号码")

    person_columns = [Person.id, Person.version, Person.household_id, Person.house_id, Person.status,
                      Person.registered_on,
                      Person.moved_out_on, Person.died_on, *(getattr(Person, k) for k in PERSON_FIELDS)]
    persons = _load(session, person_columns, Person.id_number, {r.record.get("id_number") for r in rows})
    households = _load(session, [Household.id, Household.household_no, Household.area_id, Household.dissolved_on],
                       Household.household_no, {r.record.get("household_no") for r in rows})
    household_no_of = {h.id: h.household_no for h in households.values()}
    missing = {p.household_id for p in persons.values()} - set(household_no_of) - {None}
    if missing:
        for hh in _chunked_in(session, select(Household.id, Household.household_no), Household.id, missing):
            household_no_of[hh.id] = hh.household_no
    _identities_and_dates(session, table, rows, persons, household_no_of, mode, today, effective or today)
    _household_rules(session, table, rows, households, persons, household_no_of, areas, mode)
    houses_now = stored_houses(session, [p.id for p in persons.values() if p.house_id is not None])

    for row in rows:
        if row.errors or row.status == ERROR:  # ERROR without a message: see ``_hold_households``
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
        if "household_no" in row.changes:  # a dated 户间迁移, not a field change
            _label, old_no, new_no = row.changes["household_no"]
            row.changes["household_no"] = ("户间迁移", f"户号 {old_no or '（无）'}",
                                           f"户号 {new_no}（{row.record['effective_date'].isoformat()}）")
        if "name" in row.changes:
            row.changes["name"] = ("更名", *row.changes["name"][1:])
        if "category" in row.changes:  # a dated 类别变更
            _label, old_cat, new_cat = row.changes["category"]
            row.changes["category"] = ("类别变更", old_cat, f"{new_cat}（{row.record['effective_date'].isoformat()}）")
        corrected = row.record.get("registration_corrected")
        if corrected:  # a dated, audited correction of the 登记日期
            row.changes["registered_on"] = ("登记日期更正", shown(corrected[0]), corrected[1].isoformat())
        moved = house_change(row.record, houses_now.get(existing.id, (None, "")), dwellings["new_houses"])
        if moved is not None:
            row.changes["house_id"] = moved
        row.previous = {k: getattr(existing, k) for k in row.changes if k in PERSON_FIELDS}
        if corrected:
            row.previous["registered_on"] = corrected[0]
        if moved is not None:
            row.previous["house_id"] = existing.house_id
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
        if row.status in (NEW, UPDATE) and no is not None and no not in households and no not in new_households:
            new_households[no] = _household_values(members_of[no])
            new_households[no]["registered_on"] = min(
                (r.record["effective_date"] for r in members_of[no] if r.record.get("effective_date")), default=today)
    extra = {"new_households": new_households, "household_ids": {no: h.id for no, h in households.items()},
             "persons": {k: (p.id, p.version, p.household_id) for k, p in persons.items()},
             "person_houses": {k: p.house_id for k, p in persons.items()}, **dwellings}
    return rows, extra


def _parse_dated_columns(parser: ResidentParser, rows: list[RowPlan]) -> None:
    """The optional 登记日期/迁入日期 and 曾用名 cells into ``record``
    (``own_date``, ``former_name``)."""
    cells = [r.cells for r in rows]
    columns = parser.columns
    dates = parser.column(rows, cells, "effective_date", date_value) if "effective_date" in columns \
        else [None] * len(rows)
    former = parser.column(rows, cells, "former_name", name_value) if "former_name" in columns \
        else [None] * len(rows)
    for row, day, name in zip(rows, dates, former):
        row.record["own_date"] = day[0] if day else None
        row.record["former_name"] = name


def _identities_and_dates(session: Session, table: Table, rows: list[RowPlan], persons: dict,
                          household_no_of: dict, mode: str, today: date, effective: date) -> None:
    """One ID number, one person; every change dated.

    - A row whose ID number is registered to a person of another name is an
      error naming that person, the row, the column and both names — unless
      the 曾用名 column holds the registered name (a rename, audited as 更名).
    - Each row's effective date (``record['effective_date']``): its own
      登记日期/迁入日期, else ``effective``; a newborn (born after
      ``effective``) is dated by the birth. New persons come in by it
      (``record['arrival']``: 登记, 出生, or 迁入 when the column says 迁入),
      a stored person's move to another household is a 户间迁移 dated by it.
    - A stored person's different 人口类别 is a 类别变更 dated by it.
    - A stored person who stays in their household but whose row has a
      登记日期/迁入日期 of its own other than the stored one: the 登记日期 is
      corrected (``record['registration_corrected']``: (old, new)), shown
      in the preview, written as a dated 登记日期更正 event and audited —
      the clerk's file is the better record of when the person came, and
      silently keeping the old date would leave the monthly figures wrong.
    - Refused with the row, column and value: a date in the future, before
      the birth, or (for a move or a category change) after the death, for
      someone moved out, or before their registration or latest change; a
      corrected 登记日期 after the person's first later change.
    """
    date_header = table.mapping.header_of("effective_date") if "effective_date" in table.mapping.columns else ""
    date_key = "effective_date" if date_header else ""
    moved_in = "迁入" in date_header
    name_header = table.mapping.header_of("name")
    no_header = table.mapping.header_of("household_no")
    latest = latest_change(session, [p.id for p in persons.values()])
    latest_category = latest_change(session, [p.id for p in persons.values()], CATEGORY_PINNING)
    first_change = earliest_change(session, [p.id for p in persons.values()]) if date_header else {}
    category_header = table.mapping.header_of("category") if "category" in table.mapping.columns else ""

    def refuse(row: RowPlan, column: str, value, message: str) -> None:
        row.errors.append(RowIssue(row.row, column, shown(value), message))

    for row in rows:
        rec = row.record
        own = rec.get("own_date")
        day = own or effective
        birth = rec.get("birth_date")
        if own is None and birth is not None and birth > effective:
            day = birth
        rec["effective_date"] = day
        where = (date_header, own) if own is not None else ("", "")
        what = (f"第 {row.row} 行的{date_header or '生效日期'}") if own is not None else "本次导入的生效日期"
        person = persons.get(rec.get("id_number"))
        if person is None:
            if not _applies(row, person, mode) or rec.get("id_number") is None:
                continue
            rec["arrival"] = EVENT_BORN if birth is not None and day == birth and own is None and birth > effective \
                else (EVENT_MOVED_IN if moved_in and own is not None else EVENT_REGISTERED)
            problem = arrival_problem(day, today, rec.get("name") or "", birth, date_header or "生效日期")
            if problem:
                refuse(row, *where, problem if own is not None else f"{what}：{problem}")
            continue
        name = rec.get("name")
        if name is not None and name != person.name:
            former = rec.get("former_name")
            if former != person.name:
                hint = (f"“曾用名”列填的是“{former}”，与登记的姓名不符" if former else
                        f"如确为更名，请在“曾用名”列填写原姓名“{person.name}”")
                refuse(row, name_header, name,
                       f"公民身份号码 {person.id_number} 已登记给“{person.name}”（户号 "
                       f"{household_no_of.get(person.household_id) or '无'}），本行姓名为“{name}”："
                       f"一个身份证号只属于一个人，不能据此改名或更新；{hint}")
        no = rec.get("household_no")
        if no is not None and no != household_no_of.get(person.household_id) and _applies(row, person, mode):
            problem = date_problem(person, day, today, date_header or "迁移日期", latest=latest.get(person.id))
            if problem:
                prefix = f"户间迁移（户号 {household_no_of.get(person.household_id) or '无'} → {no}）"
                if own is not None:
                    refuse(row, date_header, own, f"{prefix}：{problem}")
                else:
                    refuse(row, no_header, no, f"{prefix}：{problem}"
                           + ("" if "不能再登记" in problem else "（日期为本次导入的生效日期）"))
        elif own is not None and own != person.registered_on and _applies(row, person, mode):
            problem = registration_problem(person, own, today, date_header, first_change=first_change.get(person.id))
            if problem:
                refuse(row, date_header, own, f"更正登记日期（原 {shown(person.registered_on) or '无'}）：{problem}")
            else:
                rec["registration_corrected"] = (person.registered_on, own)
        category = rec.get("category")
        if category is not None and category != person.category and _applies(row, person, mode):
            problem = date_problem(person, day, today, date_header or "变更日期",
                                   latest=latest_category.get(person.id))
            if problem:
                prefix = "类别变更"
                if own is not None:
                    refuse(row, date_header, own, f"{prefix}：{problem}")
                else:
                    refuse(row, category_header, category, f"{prefix}：{problem}"
                           + ("" if "不能再登记" in problem else "（日期为本次导入的生效日期）"))


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


def _household_rules(session: Session, table: Table, rows: list[RowPlan], households: dict, persons: dict,
                     household_no_of: dict, areas: AreaIndex, mode: str) -> None:
    """One grid per household; a new household needs a grid; no member
    joins a dissolved household; exactly one head in every household the
    import touches (see ``_head_rules``); a household with an error row is
    not imported at all."""
    by_no: dict[str, list[RowPlan]] = {}
    for row in rows:
        no = row.record.get("household_no")
        if no is not None:
            by_no.setdefault(no, []).append(row)
    grid_key = "grid" if "grid" in table.mapping.columns else "grid_code"
    grid_header = table.mapping.header_of(grid_key)
    grid_columns = [table.mapping.columns[k] for k in ("grid", "grid_code") if k in table.mapping.columns]
    no_header = table.mapping.header_of("household_no")
    for no, members in by_no.items():
        existing = households.get(no)
        grids = {r.record.get("area_id") for r in members} - {None}
        if len(grids) > 1:
            names = "、".join(sorted(areas.full_name(a) for a in grids))
            for row in members:
                row.errors.append(RowIssue(row.row, grid_header, "", f"户号 {no} 的成员填了不同的网格（{names}）"))
        elif not grids and existing is None and not any(_filled(r, grid_columns) for r in members):
            # a grid named but not found has its own message on that row
            for row in members:
                row.errors.append(RowIssue(row.row, grid_header, "", f"户号 {no} 是新户，须填写所属网格"))
        elif existing is not None and grids and existing.area_id not in grids:
            for row in members:
                row.warnings.append(RowIssue(row.row, grid_header, "",
                                             f"户号 {no} 已登记在“{areas.full_name(existing.area_id)}”，"
                                             "本次导入不改变住户所在网格"))
        if existing is not None and existing.dissolved_on is not None:
            for row in members:
                person = persons.get(row.record.get("id_number"))
                if _applies(row, person, mode) and (person is None or person.household_id != existing.id):
                    row.errors.append(RowIssue(row.row, no_header, no,
                                               f"户号 {no} 已于 {existing.dissolved_on.isoformat()} 注销，"
                                               "不能再迁入或新增成员，请为其另立新户号"))
    registered = _Registered.load(session, households, persons)
    _head_rules(table, rows, by_no, households, persons, household_no_of, registered, mode, later=False)
    _hold_households(by_no)
    # With "import the valid rows, skip the rest", rows with errors are left
    # out; what the others leave behind must hold the rule as well.
    while any(r.errors for r in rows) and _head_rules(table, rows, by_no, households, persons, household_no_of,
                                                       registered, mode, later=True):
        _hold_households(by_no)


def _filled(row: RowPlan, columns: list[int]) -> bool:
    for c in columns:
        value = row.cells[c] if c < len(row.cells) else None
        if value is not None and str(value).strip():
            return True
    return False


def _applies(row: RowPlan, person, mode: str) -> bool:
    """Whether the row changes the register under ``mode``: a stored person
    is updated unless insert-only, a new one inserted unless update-only."""
    return mode != MODE_INSERT if person is not None else mode != MODE_UPDATE


class _Registered:
    """The active members of the households the file touches, as stored:
    how many each has, and its heads ``(person id, name)``."""

    def __init__(self, counts: dict[int, int], heads: dict[int, list[tuple[int, str]]]):
        self.counts = counts
        self.heads = heads

    @classmethod
    def load(cls, session: Session, households: dict, persons: dict) -> _Registered:
        ids = {h.id for h in households.values()}
        ids |= {p.household_id for p in persons.values() if p.status == PERSON_ACTIVE and p.household_id}
        ids = sorted(ids)
        counts: dict[int, int] = {}
        heads: dict[int, list[tuple[int, str]]] = {}
        for start in range(0, len(ids), CHUNK):
            part = ids[start:start + CHUNK]
            active = (Person.household_id.in_(part), Person.status == PERSON_ACTIVE)
            counts.update(session.execute(select(Person.household_id, func.count()).where(*active)
                                          .group_by(Person.household_id)).all())
            for pid, name, hh_id in session.execute(select(Person.id, Person.name, Person.household_id)
                                                    .where(*active, Person.relation.in_(HEAD_RELATIONS))
                                                    .order_by(Person.id)):
                heads.setdefault(hh_id, []).append((pid, name))
        return cls(counts, heads)


def _head_rules(table: Table, rows: list[RowPlan], by_no: dict, households: dict, persons: dict,
                household_no_of: dict, registered: _Registered, mode: str, *, later: bool) -> bool:
    """Exactly one head in every household the import touches, as the
    import leaves it: its stored active members, less those the file moves
    out or lists again, plus the file's rows for it. A household left with
    no member at all is fine (the commit dissolves it). Refusals go on the
    household's rows, or on the rows that move its head out when that is
    what leaves it without one. First the rows as the file means them
    (``later`` False: rows with other errors count); then (``later``) only
    the rows free of errors, as "skip the rest" would write them. Returns
    whether it added an error."""
    id_of_no = {no: h.id for no, h in households.items()}
    arriving: dict[str, list[RowPlan]] = {}
    listed: dict[int, set[int]] = {}  # stored household id → ids of its members the file lists again
    movers: dict[int, list[tuple[RowPlan, object]]] = {}  # stored household id → (row, person) moving out
    for row in rows:
        no = row.record.get("household_no")
        if no is None or (later and (row.errors or row.status == ERROR)):
            continue
        person = persons.get(row.record.get("id_number"))
        if not _applies(row, person, mode):
            continue
        if person is not None:
            if person.status != PERSON_ACTIVE:
                continue  # updated, but no member of any household
            if person.household_id is not None:
                listed.setdefault(person.household_id, set()).add(person.id)
                if household_no_of.get(person.household_id) != no:
                    movers.setdefault(person.household_id, []).append((row, person))
        arriving.setdefault(no, []).append(row)
    relation_header = table.mapping.header_of("relation")
    relation_index = table.mapping.columns.get("relation")
    no_header = table.mapping.header_of("household_no")
    note = "（本文件中与此相关的行有错误，不能一并导入）" if later else ""
    added = False

    def refuse(row: RowPlan, issue: RowIssue) -> None:
        nonlocal added
        if later and (row.errors or row.status == ERROR):
            return
        row.errors.append(issue)
        added = True

    touched = [(no, id_of_no.get(no)) for no in arriving]
    touched += [(household_no_of.get(hh_id), hh_id) for hh_id in movers if household_no_of.get(hh_id) not in arriving]
    for no, hh_id in touched:
        own = listed.get(hh_id, set())
        stored_heads = [name for pid, name in registered.heads.get(hh_id, ()) if pid not in own]
        file_rows = arriving.get(no, [])
        head_rows = [r for r in file_rows if is_head(r.record.get("relation"))]
        members = registered.counts.get(hh_id, 0) - len(own) + len(file_rows)
        heads = len(stored_heads) + len(head_rows)
        if members <= 0 or heads == 1:
            continue
        head_movers = [(r, p) for r, p in movers.get(hh_id, ()) if is_head(p.relation)]
        if heads == 0 and head_movers:
            for row, person in head_movers:
                refuse(row, RowIssue(row.row, no_header, shown(row.cells[table.mapping.columns["household_no"]]),
                                     f"“{person.name}”是户号 {no} 的户主，改到户号 {row.record['household_no']} 后，"
                                     f"户号 {no} 还有 {members} 人却没有户主：请在同一文件中为户号 {no} 指定新户主"
                                     f"（与户主关系填“户主”或“本人”），或不改此人的户号{note}"))
            continue
        if not file_rows:
            continue  # the household was like this before the import
        if heads == 0:
            message = f"户号 {no} 没有户主：本户（第 {_rows(by_no.get(no, file_rows))} 行）中须有且只有一人的" \
                      f"与户主关系为“户主”或“本人”{note}"
        else:
            parts = [f"第 {_rows(head_rows)} 行"] if head_rows else []
            parts += [f"已登记的户主{'、'.join(stored_heads)}"] if stored_heads else []
            message = f"户号 {no} 有 {heads} 个户主（{'，'.join(parts)}），一户只能有一个户主{note}"
        for row in by_no.get(no, file_rows):
            value = shown(row.cells[relation_index]) if relation_index is not None else ""
            refuse(row, RowIssue(row.row, relation_header, value, message))
    return added


def _hold_households(by_no: dict[str, list[RowPlan]]) -> None:
    """A household with an error row is not imported at all: its other rows
    say which rows of the household are wrong, once per Excel row. Rows
    that share the Excel row of an error (the members of one row of the
    wide layout) are refused without a message of their own."""
    for no, members in by_no.items():
        bad = [r for r in members if r.errors]
        if not bad or len(bad) == len(members):
            continue
        said = {r.row for r in members if r.errors or r.status == ERROR}
        message = f"同户（户号 {no}）第 {_rows(bad)} 行有错误，整户暂不导入"
        for row in members:
            if row.errors or row.status == ERROR:
                continue
            row.status = ERROR
            if row.row in said:
                continue
            said.add(row.row)
            row.errors.append(RowIssue(row.row, "", "", message))


def _rows(rows: list[RowPlan]) -> str:
    return "、".join(str(n) for n in sorted({r.row for r in rows}))


def _household_values(members: list[RowPlan]) -> dict:
    """A new household's grid and address: the first value found, the
    head's row first."""
    values = {"area_id": next(r.record["area_id"] for r in members if r.record.get("area_id"))}
    values.update(dict.fromkeys(HOUSEHOLD_FIELDS))
    mapped = [key for key in HOUSEHOLD_FIELDS if key in members[0].record]  # every row has the mapped columns
    if not mapped:
        return values
    members = sorted(members, key=lambda r: not is_head(r.record.get("relation")))
    for key in mapped:
        for r in members:
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
        elif key == "id_type":
            changes[key] = (label, label_of(old), label_of(new))
        else:
            changes[key] = (label, shown(old), shown(new))
    if record.get("household_no") is not None and record.get("household_no") != household_no:
        changes["household_no"] = ("户号", household_no or "", record["household_no"])
    return changes
