"""Writing planned resident rows: new households, new persons with their
登记 event, updates (optimistic version check), 户间迁移 events, the
households the moves emptied marked dissolved (as when the last member
leaves through a life event; undo restores them) and one audit row per
created or changed record, all with executemany (inserts as tuples through
``services.bulk``: straight to the driver on SQLite)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from gridadmin.models.base import local_now
from gridadmin.models import AuditLog, Household, Person, PersonEvent
from gridadmin.models.household import (
    EVENT_CATEGORY, EVENT_REGISTERED, EVENT_REGISTRATION_CORRECTED, EVENT_RENAME, EVENT_TRANSFER, PERSON_ACTIVE,
)
from gridadmin.services.access.audit import ACTION_RENAME
from gridadmin.services.common.bulk import insert_returning_ids, insert_tuples
from gridadmin.services.common.errors import ConflictError
from gridadmin.services.importing.plan import NEW, UPDATE, ImportPlan, RowPlan
from gridadmin.services.importing.reindex import drop_indexes, restore_indexes
from gridadmin.services.importing.resident_houses import house_event, house_of, write_new_houses
from gridadmin.services.importing.residents import HOUSEHOLD_FIELDS, PERSON_FIELDS
from gridadmin.services.common.pinyin import name_pinyin

BATCH = 5000
_person = Person.__table__
_household = Household.__table__
_event = PersonEvent.__table__
_audit = AuditLog.__table__
_HOUSEHOLD_KEYS = ("household_no", "area_id", "household_type", "registered_on", *HOUSEHOLD_FIELDS)
_PERSON_KEYS = (*PERSON_FIELDS, "name_pinyin", "name_initials", "household_id", "status", "registered_on",
                "house_id")
_HOUSEHOLD_AT = _PERSON_KEYS.index("household_id")
_REGISTERED_AT = _PERSON_KEYS.index("registered_on")
_EVENT_KEYS = ("person_id", "kind", "event_date", "to_household_id", "to_house_id", "note", "entered_by")
_AUDIT_KEYS = ("action", "entity", "entity_id", "import_batch_id", "summary", "changes", "user_id", "username")


def write_residents(session: Session, plan: ImportPlan, rows: list[RowPlan], batch_id: int,
                    today: date) -> Iterator[int]:
    """Yields the number of rows written so far."""
    extra = plan.extra
    household_ids = dict(extra["household_ids"])
    wanted = {r.record["household_no"] for r in rows if r.status in (NEW, UPDATE)} - {None}
    new_households = [(no, values) for no, values in extra["new_households"].items() if no in wanted]
    audit: list[tuple] = []
    who = plan.auditor
    if new_households:
        dropped = drop_indexes(session, (_household,), len(new_households))
        ids = insert_returning_ids(session, _household, _HOUSEHOLD_KEYS, [
            (no, v["area_id"], "1", v.get("registered_on") or today, *(v.get(k) for k in HOUSEHOLD_FIELDS))
            for no, v in new_households])
        restore_indexes(session, dropped)
        for (no, _v), hh_id in zip(new_households, ids):
            household_ids[no] = hh_id
            audit.append(_audit_row("insert", "household", hh_id, batch_id, f"导入新增住户 {no}", auditor=who))
    created_houses = write_new_houses(session, extra, rows, batch_id, today, who)
    done = 0
    new_rows = [r for r in rows if r.status == NEW]
    dropped = drop_indexes(session, (_person, _event), len(new_rows))
    pinyin = _Pinyin()
    note = f"导入批次 {batch_id}"
    for start in range(0, len(new_rows), BATCH):
        part = new_rows[start:start + BATCH]
        payload = []
        for r in part:
            rec = r.record
            hh_id = household_ids[rec["household_no"]] if rec["household_no"] is not None else None
            payload.append((*map(rec.get, PERSON_FIELDS), *pinyin(rec["name"]), hh_id, PERSON_ACTIVE,
                            rec.get("effective_date") or today, house_of(rec, created_houses)))
        ids = insert_returning_ids(session, _person, _PERSON_KEYS, payload)
        insert_tuples(session, _event, _EVENT_KEYS, [
            (pid, r.record.get("arrival") or EVENT_REGISTERED, values[_REGISTERED_AT], values[_HOUSEHOLD_AT],
             values[-1], note, who[1])
            for pid, values, r in zip(ids, payload, part)])
        audit.extend(("insert", "person", pid, batch_id, f"导入新增 {r.record['name']}"[:200], None, *who)
                     for pid, r in zip(ids, part))  # ``_audit_row`` inline: one call less per person
        done += len(part)
        yield done
    restore_indexes(session, dropped)
    updates = [r for r in rows if r.status == UPDATE]
    persons = extra["persons"]
    events = []
    left: dict[int, date] = {}  # household → the day its last leaver (by this import) left
    groups: dict[tuple, list[dict]] = {}
    for row in updates:
        pid, version, old_household = persons[row.record["id_number"]]
        values = {k: row.record[k] for k in row.changes if k in PERSON_FIELDS}
        if "name" in values:
            values["name_pinyin"], values["name_initials"] = name_pinyin(values["name"])
        day = row.record.get("effective_date") or today
        event = {"person_id": pid, "event_date": day, "from_household_id": None, "to_household_id": None,
                 "from_house_id": None, "to_house_id": None, "old_value": None, "new_value": None, "note": f"导入批次 {batch_id}", "entered_by": who[1]}
        if "household_no" in row.changes:
            values["household_id"] = household_ids[row.record["household_no"]]
            events.append({**event, "kind": EVENT_TRANSFER, "from_household_id": old_household,
                           "to_household_id": values["household_id"]})
            if old_household is not None:
                left[old_household] = max(left.get(old_household, day), day)
        if "house_id" in row.changes:
            values["house_id"] = house_of(row.record, created_houses)
            events.append(house_event(pid, day, extra["person_houses"].get(row.record["id_number"]),
                                      values["house_id"], batch_id, who[1]))
        if "name" in values:
            events.append({**event, "kind": EVENT_RENAME, "old_value": row.previous["name"][:60],
                           "new_value": values["name"][:60]})
        if "category" in values:
            events.append({**event, "kind": EVENT_CATEGORY, "old_value": row.previous["category"],
                           "new_value": values["category"]})
        if "registered_on" in row.changes:
            old_day, new_day = row.record["registration_corrected"]
            values["registered_on"] = new_day
            events.append({**event, "kind": EVENT_REGISTRATION_CORRECTED, "event_date": new_day,
                           "old_value": old_day.isoformat() if old_day else None, "new_value": new_day.isoformat()})
        groups.setdefault(tuple(sorted(values)), []).append({"_pid": pid, "_ver": version, **values})
        renamed = "name" in values
        audit.append(_audit_row(ACTION_RENAME if renamed else "update", "person", pid, batch_id,
                                f"导入更名 {row.previous['name']} → {values['name']}" if renamed
                                else f"导入更新 {row.record['name']}",
                                {"old": row.previous, "new": values}, auditor=who))
    for keys, payload in groups.items():
        statement = (update(_person)
                     .where(_person.c.id == bindparam("_pid"), _person.c.version == bindparam("_ver"))
                     .values({**{k: bindparam(k) for k in keys}, "version": _person.c.version + 1,
                                "updated_at": local_now()}))
        for start in range(0, len(payload), BATCH):
            part = payload[start:start + BATCH]
            result = session.execute(statement, part)
            if result.rowcount not in (-1, len(part)):
                raise ConflictError("导入期间有人修改了其中的居民记录，已全部撤销，请重新导入。")
            done += len(part)
            yield done
    if events:
        session.execute(insert(PersonEvent.__table__), events)
        audit.extend(_dissolve_emptied(session, left, batch_id, who))
    dropped = drop_indexes(session, (_audit,), len(audit))
    for start in range(0, len(audit), BATCH * 4):
        insert_tuples(session, _audit, _AUDIT_KEYS, audit[start:start + BATCH * 4])
    restore_indexes(session, dropped)


def _dissolve_emptied(session: Session, leaving: dict[int, date], batch_id: int, who: tuple) -> list[tuple]:
    """Mark dissolved the households in ``leaving`` that no active member
    remains in, on the day the last of them left; their audit rows
    (``old``/``new`` dissolved_on) let undo reopen them."""
    left = sorted(leaving)
    emptied = []
    for start in range(0, len(left), BATCH):
        part = left[start:start + BATCH]
        kept = set(session.scalars(select(_person.c.household_id).where(
            _person.c.household_id.in_(part), _person.c.status == PERSON_ACTIVE).distinct()))
        emptied += session.execute(select(_household.c.id, _household.c.household_no).where(
            _household.c.id.in_([h for h in part if h not in kept]), _household.c.dissolved_on.is_(None))).all()
    if not emptied:
        return []
    session.execute(update(_household).where(_household.c.id == bindparam("_hid"))
                    .values(dissolved_on=bindparam("_day"), version=_household.c.version + 1, updated_at=local_now()),
                    [{"_hid": hh_id, "_day": leaving[hh_id]} for hh_id, _no in emptied])
    return [_audit_row("update", "household", hh_id, batch_id, f"导入后住户 {no} 已无成员，注销",
                       {"old": {"dissolved_on": None}, "new": {"dissolved_on": leaving[hh_id]}}, auditor=who)
            for hh_id, no in emptied]


class _Pinyin:
    """``name_pinyin`` remembered per name (names repeat in a file)."""

    def __init__(self):
        self.memo: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str) -> tuple[str, str]:
        found = self.memo.get(name)
        if found is None:
            found = self.memo[name] = name_pinyin(name)
        return found


def _audit_row(action: str, entity: str, entity_id: int, batch_id: int, summary: str,
               changes: dict | None = None, *, auditor: tuple = (None, None)) -> tuple:
    return (action, entity, entity_id, batch_id, summary[:200],
            json.dumps(changes, ensure_ascii=False, default=str) if changes else None, *auditor)
