"""The ``changes`` kind (人口变动): the monthly list of changes a 派出所 or a
community sends — one row per change: 公民身份号码, 姓名, 变动类型 (出生 /
迁入 / 迁出 / 死亡 / 户间迁移 / 类别变更), 变动日期, 去向/来源, 新户号 and
与户主关系 where it applies, 新类别 for 类别变更.

Every row becomes a dated event (``PersonEvent``, the 变动日期 as its
effective date; rows without one take the import's effective date), never
a deletion, exactly as the life-event forms record it:
- 出生 / 迁入: a new person (gender and birth date from the ID number) in
  the registered household 新户号 with 与户主关系; 出生 is dated by the
  birth (a 变动日期 must equal it), 迁入 keeps 来源 as the place;
- 迁出 (去向 required) / 死亡: the person leaves the register; a household
  left without members is dissolved on that day;
- 户间迁移: the person joins household 新户号 with 与户主关系;
- 类别变更: 人口类别 becomes 新类别.

Refused with the row, column and value: an unknown 变动类型; an ID number
that is not registered (for anything but 出生/迁入), or registered to a
person with another name (naming that person and both names), or already
在册 (出生/迁入); a date in the future, before the birth, after the death,
for someone no longer 在册 or before their registration or latest change;
a household number that is not registered or dissolved; the head leaving a
household that keeps members, or a second head. The rows are checked in
file order against the register as the earlier rows leave it; one ID number
appears once per file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from gridadmin.models import AuditLog, Household, Person, PersonEvent
from gridadmin.models.base import local_now
from gridadmin.models.household import (
    EVENT_BORN, EVENT_CATEGORY, EVENT_DIED, EVENT_MOVED_IN, EVENT_MOVED_OUT, EVENT_TRANSFER, PERSON_ACTIVE,
    PERSON_DECEASED, PERSON_MOVED_OUT,
)
from gridadmin.services.common.bulk import insert_tuples
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.errors import ConflictError
from gridadmin.services.common.idcard import check_id_number
from gridadmin.services.common.pinyin import name_pinyin
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.mapping import FieldSpec, KindSpec
from gridadmin.services.importing.plan import (
    ERROR, MODE_INSERT, MODE_UPDATE, NEW, SKIP, UPDATE, ImportPlan, RowIssue, RowPlan, RowReader, mark_duplicates,
)
from gridadmin.services.importing.resident_write import _AUDIT_KEYS, _audit_row, _dissolve_emptied
from gridadmin.services.importing.residents import household_no_value
from gridadmin.services.importing.values import CellError, code_value, date_value, name_value, text_value
from gridadmin.services.register.effective import CATEGORY_PINNING, arrival_problem, date_problem, latest_change
from gridadmin.services.register.household_rules import is_head

F = FieldSpec
CHANGES = KindSpec("changes", "人口变动", (
    F("seq", "序号", ("编号", "no")),
    F("id_number", "公民身份号码", ("身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号码",
                              "身份证件号码", "证件号", "居民身份证号码"), required=True, max_length=40),
    F("name", "姓名", ("名字", "居民姓名", "人员姓名"), required=True, max_length=50),
    F("change", "变动类型", ("变动类别", "变动情况", "变动原因", "变更类型", "变动项目", "类型"), required=True,
      max_length=10),
    F("change_date", "变动日期", ("变更日期", "发生日期", "日期", "迁移日期", "迁出日期", "迁入日期",
                               "死亡日期")),
    F("place", "去向/来源", ("去向", "来源", "迁往", "迁往地", "迁出地", "迁入地", "来源地", "去向地",
                          "迁往地址", "来源地址"), max_length=120),
    F("household_no", "新户号", ("迁入户号", "户号", "目标户号"), max_length=30),
    F("relation", "与户主关系", ("与户主的关系", "关系", "新户关系", "在新户与户主关系")),
    F("category", "新类别", ("新人口类别", "人口类别", "变更后类别")),
    F("note", "备注", ("说明",), max_length=500),
))
CHANGE_KINDS = (EVENT_BORN, EVENT_MOVED_IN, EVENT_MOVED_OUT, EVENT_DIED, EVENT_TRANSFER, EVENT_CATEGORY)
ARRIVING = (EVENT_BORN, EVENT_MOVED_IN)
_GENDER_CODE = {"男": "1", "女": "2"}
_ALIASES = {"迁移": EVENT_TRANSFER, "户内迁移": EVENT_TRANSFER, "户间迁移": EVENT_TRANSFER, "分户": EVENT_TRANSFER,
            "类别变化": EVENT_CATEGORY, "人口类别变更": EVENT_CATEGORY, "变更类别": EVENT_CATEGORY, "亡故": EVENT_DIED,
            "注销": EVENT_DIED, "新生儿": EVENT_BORN, "出生登记": EVENT_BORN, "迁入登记": EVENT_MOVED_IN,
            "迁出登记": EVENT_MOVED_OUT, "死亡注销": EVENT_DIED}
CHUNK = 500


def change_kind(value) -> str:
    """The 变动类型 a cell means."""
    text = text_value(value, 10)
    text = (text or "").replace(" ", "")
    if text in CHANGE_KINDS:
        return text
    if text in _ALIASES:
        return _ALIASES[text]
    raise CellError(f"变动类型“{text}”无效，可选：{'、'.join(CHANGE_KINDS)}")


@dataclass
class _Member:
    """A household as the rows planned so far leave it."""

    count: int
    heads: list[str]


def plan_changes(session: Session, table: Table, mode: str, today: date, *,
                 effective: date | None = None) -> tuple[list[RowPlan], dict]:
    effective = effective or today
    book = CodeBook.load(session)
    rows = [RowPlan(excel_row, cells) for excel_row, cells in table.rows]
    for row in rows:
        _parse(RowReader(table, row), book, today)
    header = table.mapping.header_of
    mark_duplicates(rows, lambda r: r.record.get("id_number"), header("id_number"), "公民身份号码")

    numbers = sorted({r.record["id_number"] for r in rows if r.record.get("id_number")})
    persons: dict[str, Person] = {}
    for start in range(0, len(numbers), CHUNK):
        for p in session.scalars(select(Person).where(Person.id_number.in_(numbers[start:start + CHUNK]))
                                 .order_by(Person.id)):
            held = persons.get(p.id_number)
            if held is None or (held.status != PERSON_ACTIVE and p.status == PERSON_ACTIVE):
                persons[p.id_number] = p  # the 在册 record, else the latest
    wanted_nos = sorted({r.record["household_no"] for r in rows if r.record.get("household_no")})
    households = {h.household_no: h for h in session.scalars(
        select(Household).where(Household.household_no.in_(wanted_nos)))} if wanted_nos else {}
    household_ids = {p.household_id for p in persons.values() if p.household_id} | {h.id for h in households.values()}
    numbers_of, area_of = {}, {}
    for hh_id, no, area_id in session.execute(select(Household.id, Household.household_no, Household.area_id)
                                              .where(Household.id.in_(sorted(household_ids)))):
        numbers_of[hh_id], area_of[hh_id] = no, area_id
    state = _load_state(session, sorted(household_ids))
    latest = latest_change(session, [p.id for p in persons.values()])
    latest_category = latest_change(session, [p.id for p in persons.values()], CATEGORY_PINNING)
    row_areas: dict[int, list[int]] = {}

    for index, row in enumerate(rows):
        rec = row.record
        if row.errors:
            row.status = ERROR
            continue
        kind = rec["change"]
        own = rec.get("change_date")
        day = own or effective
        date_col, date_val = ("change_date", own) if own is not None else ("", "")
        reader = RowReader(table, row)
        person = persons.get(rec["id_number"])
        target = households.get(rec.get("household_no")) if rec.get("household_no") else None
        # the households this row may change, as they were: a row refused half-way leaves them so
        saved = {k: (state[k].count, list(state[k].heads))
                 for k in (person.household_id if person else None, target.id if target else None) if k in state}

        if person is not None and person.name != rec["name"]:
            reader.error("name", rec["name"], f"公民身份号码 {person.id_number} 已登记给“{person.name}”（户号 "
                                              f"{numbers_of.get(person.household_id) or '无'}，{person.status}），"
                                              f"本行姓名为“{rec['name']}”：一个身份证号只属于一个人")
        elif kind in ARRIVING:
            if person is not None:
                where = numbers_of.get(person.household_id) or "无"
                reader.error("id_number", rec["id_number"],
                             f"“{person.name}”已登记在册（户号 {where}），不能再{kind}" if person.status == PERSON_ACTIVE
                             else f"“{person.name}”已登记过（{person.status}），不能作为{kind}新增")
            else:
                birth = rec.get("birth_date")
                if kind == EVENT_BORN:
                    if own is not None and own != birth:
                        reader.error("change_date", own, f"出生的变动日期须为出生日期 {birth.isoformat()}"
                                                         f"（身份证号码所示）")
                    day = birth
                problem = arrival_problem(day, today, rec["name"], birth, header("change_date"))
                if problem:
                    reader.error(date_col, date_val, problem if own is not None else f"本次导入的生效日期：{problem}")
                _arrive(reader, rec, target, state, kind)
        elif person is None:
            reader.error("id_number", rec["id_number"],
                         f"第 {row.row} 行：公民身份号码 {rec['id_number']}（{rec['name']}）未登记，不能办理{kind}")
        else:
            problem = date_problem(person, day, today, header("change_date") if own is not None else "生效日期",
                                   latest=(latest_category if kind == EVENT_CATEGORY else latest).get(person.id))
            if problem:
                reader.error(date_col, date_val, problem if own is not None or "不能再登记" in problem
                             else f"本次导入的生效日期：{problem}")
            elif kind == EVENT_MOVED_OUT and not rec.get("place"):
                reader.error("place", "", "迁出须填写去向")
            elif kind == EVENT_CATEGORY:
                if not rec.get("category"):
                    reader.error("category", "", "类别变更须填写新类别")
                elif rec["category"] == person.category:
                    reader.error("category", book.label("resident_category", rec["category"]),
                                 f"“{person.name}”的人口类别已是“{book.label('resident_category', rec['category'])}”")
            elif kind == EVENT_TRANSFER:
                if target is not None and target.id == person.household_id:
                    reader.error("household_no", rec["household_no"], f"“{person.name}”已在户 {target.household_no} 中")
                elif _leave(reader, person, state):
                    _arrive(reader, rec, target, state, kind)
            elif kind in (EVENT_MOVED_OUT, EVENT_DIED):
                _leave(reader, person, state)
        rec["effective_date"] = day
        if row.errors:
            for k, (count, heads) in saved.items():
                state[k].count, state[k].heads = count, heads
            row.status = ERROR
            continue
        row_areas[index] = [a for a in (area_of.get(person.household_id) if person else None,
                                        target.area_id if target else None) if a is not None]
        if person is None:
            row.status = SKIP if mode == MODE_UPDATE else NEW
            if row.status == SKIP:
                row.warnings.append(RowIssue(row.row, "", "", "数据库中没有此人，“仅更新”模式不新增"))
            continue
        row.target_id = person.id
        row.changes = {"change": _change_text(kind, rec, person, numbers_of, book, day)}
        row.previous = _previous(kind, person)
        if mode == MODE_INSERT:
            row.status = SKIP
            row.warnings.append(RowIssue(row.row, "", "", "此人已登记，“仅新增”模式不办理变动"))
        else:
            row.status = UPDATE
    extra = {"persons": {n: (p.id, p.version, p.household_id) for n, p in persons.items()},
             "household_ids": {no: h.id for no, h in households.items()}, "row_areas": row_areas}
    return rows, extra


def _parse(reader: RowReader, book: CodeBook, today: date) -> None:
    rec = reader.plan.record
    rec["name"] = reader.get("name", name_value, required=True)
    raw = reader.raw("id_number")
    if raw is None or not str(raw).strip():
        if not reader._has_problem("id_number"):
            reader.error("id_number", raw, "公民身份号码不能为空")
    else:
        check = check_id_number(raw, today=today)
        if not check.valid:
            reader.error("id_number", raw, check.error)
        else:
            rec["id_number"], rec["birth_date"], rec["gender"] = (check.normalized, check.birth_date,
                                                                  _GENDER_CODE[check.gender])
    rec["change"] = reader.get("change", change_kind, required=True)
    found = reader.get("change_date", date_value)
    rec["change_date"] = found[0] if found else None
    rec["place"] = reader.get("place", text_value, 120)
    rec["household_no"] = reader.get("household_no", household_no_value)
    rec["relation"] = reader.get("relation", lambda v: code_value(book, "relation", v, "与户主关系"))
    rec["category"] = reader.get("category", lambda v: code_value(book, "resident_category", v, "新类别"))
    rec["note"] = reader.get("note", text_value, 500)


def _load_state(session: Session, household_ids: list[int]) -> dict[int, _Member]:
    state = {h: _Member(0, []) for h in household_ids}
    for start in range(0, len(household_ids), CHUNK):
        part = household_ids[start:start + CHUNK]
        for hh_id, count in session.execute(select(Person.household_id, func.count()).where(
                Person.household_id.in_(part), Person.status == PERSON_ACTIVE).group_by(Person.household_id)):
            state[hh_id].count = count
        for hh_id, name, relation in session.execute(select(Person.household_id, Person.name, Person.relation).where(
                Person.household_id.in_(part), Person.status == PERSON_ACTIVE)):
            if is_head(relation):
                state[hh_id].heads.append(name)
    return state


def _arrive(reader: RowReader, rec: dict, target: Household | None, state: dict, kind: str) -> bool:
    """The person joins ``target`` (新户号, 与户主关系 required; one head)."""
    no = rec.get("household_no")
    if not no:
        reader.error("household_no", "", f"{kind}须填写新户号（已登记的户）")
        return False
    if target is None:
        reader.error("household_no", no, f"户号 {no} 未登记：新户请用“户籍人口”导入（可填登记日期/迁入日期）")
        return False
    if target.dissolved_on is not None:
        reader.error("household_no", no, f"户号 {no} 已于 {target.dissolved_on.isoformat()} 注销")
        return False
    relation = rec.get("relation")
    if not relation:
        reader.error("relation", "", f"{kind}须填写在新户中与户主的关系")
        return False
    members = state.setdefault(target.id, _Member(0, []))
    if is_head(relation) and members.heads:
        reader.error("relation", relation, f"户号 {no} 已有户主“{members.heads[0]}”")
        return False
    members.count += 1
    if is_head(relation):
        members.heads.append(rec["name"])
    return True


def _leave(reader: RowReader, person: Person, state: dict) -> bool:
    """The person leaves their household: a head may not leave members
    behind without a head."""
    members = state.get(person.household_id)
    if members is None:
        return True
    if is_head(person.relation) and members.count > 1:
        reader.error("", "", f"“{person.name}”是户主，本户还有 {members.count - 1} 位成员：请先在户卡中指定新户主")
        return False
    members.count -= 1
    if person.name in members.heads:
        members.heads.remove(person.name)
    return True


def _change_text(kind: str, rec: dict, person: Person, numbers_of: dict, book: CodeBook, day: date) -> tuple:
    """(label, before, after) as the preview shows it."""
    where = f"户号 {numbers_of.get(person.household_id) or '无'}"
    when = f"（{day.isoformat()}）"
    if kind == EVENT_MOVED_OUT:
        return (kind, where, f"迁往 {rec['place']}{when}")
    if kind == EVENT_DIED:
        return (kind, "在册", f"死亡{when}")
    if kind == EVENT_TRANSFER:
        return (kind, where, f"户号 {rec['household_no']}{when}")
    return (kind, book.label("resident_category", person.category),
            f"{book.label('resident_category', rec['category'])}{when}")


_TOUCHED = {EVENT_MOVED_OUT: ("status", "moved_out_on", "moved_out_to"), EVENT_DIED: ("status", "died_on"),
            EVENT_TRANSFER: ("household_id", "relation"), EVENT_CATEGORY: ("category",)}


def _previous(kind: str, person: Person) -> dict:
    return {k: getattr(person, k) for k in _TOUCHED[kind]}


def write_changes(session: Session, plan: ImportPlan, rows: list[RowPlan], batch_id: int,
                  today: date) -> Iterator[int]:
    """Each row a dated event and its effect on the person (see the module
    doc), one audit row per person linked to the batch (undo restores)."""
    extra = plan.extra
    who = plan.auditor
    note = f"导入批次 {batch_id}"
    household_ids = extra["household_ids"]
    persons = extra["persons"]
    audit, events = [], []
    leaving: dict[int, date] = {}
    person = Person.__table__
    done = 0
    for row in rows:
        rec = row.record
        kind, day = rec["change"], rec["effective_date"]
        event = {"kind": kind, "event_date": day, "from_household_id": None, "to_household_id": None,
                 "place": rec.get("place"), "old_value": None, "new_value": None, "note": note, "entered_by": who[1]}
        if row.status == NEW:
            hh_id = household_ids[rec["household_no"]]
            pinyin, initials = name_pinyin(rec["name"])
            pid = session.execute(insert(person).returning(person.c.id).values(
                name=rec["name"], name_pinyin=pinyin, name_initials=initials, id_number=rec["id_number"],
                gender=rec["gender"], birth_date=rec["birth_date"], relation=rec["relation"],
                category=rec.get("category") or "1", household_id=hh_id, status=PERSON_ACTIVE, registered_on=day,
                note=rec.get("note"), version=1, created_at=local_now(), updated_at=local_now())).scalar_one()
            events.append({**event, "person_id": pid, "to_household_id": hh_id})
            audit.append(_audit_row("insert", "person", pid, batch_id, f"导入{kind} {rec['name']}（{day.isoformat()}）",
                                    auditor=who))
        else:
            pid, version, old_household = persons[rec["id_number"]]
            if kind == EVENT_MOVED_OUT:
                values = {"status": PERSON_MOVED_OUT, "moved_out_on": day, "moved_out_to": rec["place"]}
                event["from_household_id"] = old_household
            elif kind == EVENT_DIED:
                values = {"status": PERSON_DECEASED, "died_on": day}
                event["from_household_id"] = old_household
            elif kind == EVENT_TRANSFER:
                values = {"household_id": household_ids[rec["household_no"]], "relation": rec["relation"]}
                event.update(from_household_id=old_household, to_household_id=values["household_id"])
            else:
                values = {"category": rec["category"]}
                event.update(old_value=row.previous["category"], new_value=rec["category"])
            if kind != EVENT_CATEGORY and old_household is not None:
                leaving[old_household] = max(leaving.get(old_household, day), day)
            result = session.execute(update(person).where(person.c.id == bindparam("_pid"),
                                                          person.c.version == bindparam("_ver"))
                                      .values({**{k: bindparam(k) for k in values},
                                               "version": person.c.version + 1, "updated_at": local_now()}),
                                      [{"_pid": pid, "_ver": version, **values}])
            if result.rowcount not in (-1, 1):
                raise ConflictError("导入期间有人修改了其中的居民记录，已全部撤销，请重新导入。")
            events.append({**event, "person_id": pid})
            audit.append(_audit_row("update", "person", pid, batch_id, f"导入{kind} {rec['name']}（{day.isoformat()}）",
                                    {"old": row.previous, "new": values}, auditor=who))
        done += 1
        if done % 200 == 0:
            yield done
    if events:
        session.execute(insert(PersonEvent.__table__), events)
    audit.extend(_dissolve_emptied(session, leaving, batch_id, who))
    if audit:
        insert_tuples(session, AuditLog.__table__, _AUDIT_KEYS, audit)
    yield done
