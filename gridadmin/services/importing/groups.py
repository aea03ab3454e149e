"""The ``groups`` kind (人群类别): one row per membership — 公民身份号码, 姓名,
人群类别 (a kind of 特殊人群, 重点人员 or 关怀对象, by its name), 开始日期,
结束日期 and the kind's fields (矫正期满日期, 监护人, 残疾等级 …, see
``services.register.group_fields``), 备注; exported in the same columns.

- The person must be 在册 under that ID number and name; the kind one the
  importing user may see (a sensitive kind they may not see is refused as
  unknown, its cells are never echoed into a message of another row);
  age-defined kinds (老年人, 高龄老人) are computed, not imported.
- A person who holds the kind gets the row's filled fields (the others
  kept), and the membership ends on 结束日期 when one is given; otherwise
  a membership starts on 开始日期 (else the import's effective date).
- Refused with the row, column and value: an unknown kind, a field that is
  not the kind's, a bad field value (残疾等级 5, 矫正期满 before its start,
  a 监护人 who is the person themself), a 开始日期 in the future or before
  the person's registration, a 结束日期 not after the start. One person
  and kind once per file.
- Audited per membership and linked to the batch (undo deletes what it
  added and restores what it changed).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from gridadmin.models import AuditLog, Household, Person, PersonTag
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.access.permissions import Actor
from gridadmin.services.common.bulk import insert_tuples
from gridadmin.services.common.idcard import check_id_number
from gridadmin.services.common.code_seed import OLD_TAG_NAMES
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.mapping import FieldSpec, KindSpec
from gridadmin.services.importing.plan import (
    ERROR, MODE_INSERT, MODE_UPDATE, NEW, SKIP, UNCHANGED, UPDATE, ImportPlan, RowPlan, RowReader, mark_duplicates,
)
from gridadmin.services.importing.resident_write import _AUDIT_KEYS, _audit_row
from gridadmin.services.importing.values import CellError, date_value, name_value, phone_value, text_value
from gridadmin.services.register import group_fields
from gridadmin.services.register.effective import date_problem
from gridadmin.services.register.group_fields import DATE, PHONE, FieldProblem
from gridadmin.services.register.tags import recorded_on, visible_tag_kinds

F = FieldSpec
FIELD_PREFIX = "f_"
GROUPS = KindSpec("groups", "人群类别", (
    F("seq", "序号", ("编号", "no")),
    F("id_number", "公民身份号码", ("身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号码"), required=True,
      max_length=40),
    F("name", "姓名", ("名字", "人员姓名"), required=True, max_length=50),
    F("kind", "人群类别", ("类别", "人员类别", "特殊人群类别", "重点人员类别", "关怀对象类别", "人群"), required=True,
      max_length=40),
    F("start_date", "开始日期", ("列入日期", "纳入日期", "起始日期")),
    F("end_date", "结束日期", ("退出日期", "解除日期")),
    *(F(FIELD_PREFIX + f.key, f.label, f.aliases, max_length=f.max_length) for f in group_fields.all_fields()),
    F("note", "备注", ("说明",), max_length=500),
))
CHUNK = 500


def _spellings(kinds) -> dict[str, object]:
    """name (and its short and old forms) → kind."""
    out: dict[str, object] = {}
    for k in kinds:
        out[k.name] = k
        for suffix in ("人员", "患者", "对象"):
            if k.name.endswith(suffix) and len(k.name) > len(suffix) + 1:
                out.setdefault(k.name[: -len(suffix)], k)
        if k.code in OLD_TAG_NAMES:
            out.setdefault(OLD_TAG_NAMES[k.code], k)
    return out


def plan_groups(session: Session, table: Table, mode: str, today: date, *, effective: date | None = None,
                actor: Actor) -> tuple[list[RowPlan], dict]:
    effective = effective or today
    kinds = [k for k in visible_tag_kinds(session, actor)]
    by_name = _spellings(kinds)
    _keep_the_titles_fields(table, by_name)
    rows = [RowPlan(excel_row, cells) for excel_row, cells in table.rows]
    for row in rows:
        _parse(RowReader(table, row), by_name, today)
    header = table.mapping.header_of
    mark_duplicates(rows, lambda r: (r.record["id_number"], r.record["kind"].id)
                    if r.record.get("id_number") and r.record.get("kind") else None, header("kind"),
                    "公民身份号码和人群类别", shown_value=lambda r: r.record["kind"].name)
    numbers = sorted({r.record["id_number"] for r in rows if r.record.get("id_number")})
    persons: dict[str, Person] = {}
    for start in range(0, len(numbers), CHUNK):
        for p in session.scalars(select(Person).where(Person.id_number.in_(numbers[start:start + CHUNK]),
                                                      Person.status == PERSON_ACTIVE)):
            persons[p.id_number] = p
    ids = sorted(p.id for p in persons.values())
    held: dict[tuple[int, int], PersonTag] = {}
    area_of: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        for t in session.scalars(select(PersonTag).where(PersonTag.person_id.in_(part), PersonTag.end_date.is_(None),
                                                         recorded_on(today))):
            held[(t.person_id, t.tag_kind_id)] = t
        area_of.update(session.execute(select(Person.id, Household.area_id).join(
            Household, Household.id == Person.household_id).where(Person.id.in_(part))).all())
    row_areas: dict[int, list[int]] = {}
    for index, row in enumerate(rows):
        rec = row.record
        reader = RowReader(table, row)
        person = persons.get(rec.get("id_number"))
        if not row.errors and person is None:
            reader.error("id_number", rec["id_number"], f"公民身份号码 {rec['id_number']}（{rec['name']}）未登记在册")
        elif not row.errors and person.name != rec["name"]:
            reader.error("name", rec["name"], f"公民身份号码 {person.id_number} 登记的姓名是“{person.name}”，"
                                              f"本行为“{rec['name']}”")
        if row.errors:
            row.status = ERROR
            continue
        kind = rec["kind"]
        row_areas[index] = [area_of[person.id]] if person.id in area_of else []
        current = held.get((person.id, kind.id))
        _plan_row(reader, rec, kind, person, current, today, effective)
        if row.errors:
            row.status = ERROR
            continue
        rec["person_id"] = person.id
        if current is None:
            row.status = SKIP if mode == MODE_UPDATE else NEW
            if row.status == SKIP:
                row.warnings.append(_issue(row, f"“{person.name}”不在“{kind.name}”中，“仅更新”模式不新增"))
            continue
        row.target_id = current.id
        if not row.changes:
            row.status = UNCHANGED
        elif mode == MODE_INSERT:
            row.status = SKIP
            row.warnings.append(_issue(row, f"“{person.name}”已在“{kind.name}”中，“仅新增”模式不更新"))
        else:
            row.status = UPDATE
    return rows, {"row_areas": row_areas}


def _keep_the_titles_fields(table: Table, by_name: dict) -> None:
    """A platform template whose title names the kind (残疾人信息登记表, see
    ``template_title``) has columns the kind does not keep (its 监护人):
    those are not read, so the preview lists them as 未导入的列. With a
    人群类别 column of its own a file is checked row by row instead."""
    index = table.mapping.columns.get("kind")
    if index is None or not table.mapping.headers[index].endswith("（表名）") or not table.rows:
        return
    kind = by_name.get(str(table.rows[0][1][index]))
    if kind is None:
        return
    kept = {FIELD_PREFIX + f.key for f in group_fields.fields_for(kind.code, kind.family)}
    for key in [k for k in table.mapping.columns if k.startswith(FIELD_PREFIX) and k not in kept]:
        del table.mapping.columns[key]


def _issue(row: RowPlan, message: str):
    from gridadmin.services.importing.plan import RowIssue

    return RowIssue(row.row, "", "", message)


def _kind_value(by_name: dict):
    def parse(value):
        text = (text_value(value, 40) or "").replace(" ", "")
        kind = by_name.get(text)
        if kind is None:
            shown = "、".join(k.name for k in dict.fromkeys(by_name.values()) if k.age is None)
            raise CellError(f"人群类别“{text}”不存在或无权导入，可选：{shown}")
        if kind.age is not None:
            raise CellError(f"“{kind.name}”按出生日期计算，不需导入")
        return kind
    return parse


def _parse(reader: RowReader, by_name: dict, today: date) -> None:
    rec = reader.plan.record
    rec["name"] = reader.get("name", name_value, required=True)
    raw = reader.raw("id_number")
    if raw is None or not str(raw).strip():
        if not reader._has_problem("id_number"):
            reader.error("id_number", raw, "公民身份号码不能为空")
    else:
        check = check_id_number(raw, today=today)
        if check.valid:
            rec["id_number"] = check.normalized
        else:
            reader.error("id_number", raw, check.error)
    rec["kind"] = reader.cached("kind", _kind_value(by_name), required=True)
    for key in ("start_date", "end_date"):
        found = reader.get(key, date_value)
        rec[key] = found[0] if found else None
    values = {}
    for f in group_fields.all_fields():
        parse = (lambda v: date_value(v)[0]) if f.kind == DATE else phone_value if f.kind == PHONE \
            else (lambda v, n=f.max_length: text_value(v, n))
        value = reader.get(FIELD_PREFIX + f.key, parse)
        if value is not None:
            values[f.key] = value
    rec["values"] = values
    rec["note"] = reader.get("note", text_value, 500)


def _plan_row(reader: RowReader, rec: dict, kind, person: Person, current: PersonTag | None, today: date,
              effective: date) -> None:
    """Check the row against the person and the membership, and note the
    changes (``row.changes``) for an existing one."""
    fields = {f.key: f for f in group_fields.fields_for(kind.code, kind.family)}
    values = rec["values"]
    for key in values:
        if key not in fields:
            label = group_fields.all_fields()[[f.key for f in group_fields.all_fields()].index(key)].label
            reader.error(FIELD_PREFIX + key, values[key], f"“{label}”不是“{kind.name}”的信息项")
    if reader.plan.errors:
        return
    old = group_fields.loads(current.details) if current is not None else {}
    try:
        details = group_fields.clean_details(kind.code, kind.family, {**old, **values}, person_name=person.name,
                                             person_id_number=person.id_number)
    except FieldProblem as exc:
        key = next((k for k, f in fields.items() if f.label == exc.field), "")
        reader.error(FIELD_PREFIX + key if key in values else "", exc.value, exc.message)
        return
    start = rec.get("start_date") or (current.start_date if current is not None else effective)
    if current is None:
        problem = date_problem(person, start, today, "开始日期" if rec.get("start_date") else "生效日期")
        if problem:
            reader.error("start_date" if rec.get("start_date") else "", rec.get("start_date") or "", problem)
            return
    end = rec.get("end_date")
    if end is not None and ((start is not None and end <= start) or end > today):
        reader.error("end_date", end, f"结束日期 {end.isoformat()} 应晚于开始日期"
                                      f"{' ' + start.isoformat() if start else ''}且不晚于今天")
        return
    rec.update(details=details, start=start, due_end=group_fields.due_end(kind.code, details, person.birth_date))
    if current is not None:
        changes = {}
        if details != old:
            changed = [fields[k].label for k in fields if details.get(k) != old.get(k)]
            changes["details"] = ("信息", "", "修改 " + "、".join(changed))  # the values stay out of the preview
        if end is not None:
            changes["end_date"] = ("结束日期", "", end.isoformat())
        reader.plan.changes = changes
        reader.plan.previous = {"details": current.details, "due_end": current.due_end, "end_date": current.end_date}


def write_groups(session: Session, plan: ImportPlan, rows: list[RowPlan], batch_id: int,
                 today: date) -> Iterator[int]:
    """New memberships inserted, existing ones updated; one audit row each."""
    who = plan.auditor
    table = PersonTag.__table__
    audit = []
    done = 0
    for row in rows:
        rec = row.record
        kind = rec["kind"]
        values = {"details": group_fields.dumps(rec["details"]), "due_end": rec["due_end"]}
        if rec.get("end_date") is not None:
            values.update(end_date=rec["end_date"], ended_by=who[1])
        summary = f"导入人群类别 {rec['name']}：{kind.name}"
        if row.status == NEW:
            tag_id = session.execute(insert(table).returning(table.c.id).values(
                person_id=rec["person_id"], tag_kind_id=kind.id, start_date=rec["start"], entered_by=who[1],
                note=rec.get("note"), **values)).scalar_one()
            audit.append(_audit_row("insert", "person_tag", tag_id, batch_id, summary, auditor=who))
        else:
            session.execute(update(table).where(table.c.id == row.target_id).values(**values))
            new = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}
            old = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.previous.items() if k in new}
            audit.append(_audit_row("update", "person_tag", row.target_id, batch_id, summary,
                                    {"old": old, "new": new}, auditor=who))
        done += 1
        if done % 200 == 0:
            yield done
    if audit:
        insert_tuples(session, AuditLog.__table__, _AUDIT_KEYS, audit)
    yield done


def export_rows(session: Session, actor: Actor, in_scope, id_number) -> tuple[list[str], Iterator[tuple]]:
    """The open memberships of the kinds ``actor`` may see (not the
    computed ones), of people 在册 in their areas, in the import columns."""
    kinds = {k.id: k for k in visible_tag_kinds(session, actor) if k.age is None}
    fields = group_fields.all_fields()
    headers = [f.label for f in GROUPS.fields if f.key != "seq"]
    query = (select(Person.id_number, Person.name, PersonTag.tag_kind_id, PersonTag.start_date, PersonTag.details,
                    PersonTag.note, Household.area_id)
             .join(Person, Person.id == PersonTag.person_id).join(Household, Household.id == Person.household_id)
             .where(Person.status == PERSON_ACTIVE, PersonTag.end_date.is_(None),
                    PersonTag.tag_kind_id.in_(list(kinds)))
             .order_by(PersonTag.tag_kind_id, Person.name_pinyin, Person.id))

    def rows():
        if not kinds:
            return
        for number, name, kind_id, start, details, note, area_id in session.execute(query).yield_per(CHUNK):
            if not in_scope(area_id):
                continue
            values = group_fields.loads(details)
            yield (id_number(number), name, kinds[kind_id].name, start.isoformat() if start else "", "",
                   *(values.get(f.key, "") for f in fields), note or "")
    return headers, rows()
