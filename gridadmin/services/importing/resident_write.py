"""Writing planned resident rows: new households, new persons with their
登记 event, updates (optimistic version check), 户间迁移 events and one
audit row per created or changed record, all with executemany."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

from sqlalchemy import bindparam, func, insert, update
from sqlalchemy.orm import Session

from gridadmin.models import AuditLog, Household, Person, PersonEvent
from gridadmin.models.household import EVENT_REGISTERED, EVENT_TRANSFER, PERSON_ACTIVE
from gridadmin.services.errors import ConflictError
from gridadmin.services.importing.plan import NEW, UPDATE, ImportPlan, RowPlan
from gridadmin.services.importing.residents import HOUSEHOLD_FIELDS, PERSON_FIELDS
from gridadmin.services.pinyin import name_pinyin

BATCH = 5000
_person = Person.__table__
_household = Household.__table__


def write_residents(session: Session, plan: ImportPlan, rows: list[RowPlan], batch_id: int,
                    today: date) -> Iterator[int]:
    """Yields the number of rows written so far."""
    extra = plan.extra
    household_ids = dict(extra["household_ids"])
    wanted = {r.record["household_no"] for r in rows if r.status in (NEW, UPDATE)}
    new_households = [(no, values) for no, values in extra["new_households"].items() if no in wanted]
    audit: list[dict] = []
    if new_households:
        payload = [{"household_no": no, "area_id": v["area_id"], "household_type": "1", "registered_on": today,
                    **{k: v.get(k) for k in HOUSEHOLD_FIELDS}} for no, v in new_households]
        ids = _insert_returning(session, _household, payload)
        for (no, _v), hh_id in zip(new_households, ids):
            household_ids[no] = hh_id
            audit.append(_audit("insert", "household", hh_id, batch_id, f"导入新增住户 {no}"))
    done = 0
    new_rows = [r for r in rows if r.status == NEW]
    for start in range(0, len(new_rows), BATCH):
        part = new_rows[start:start + BATCH]
        payload = [_person_values(r.record, household_ids[r.record["household_no"]], today) for r in part]
        ids = _insert_returning(session, _person, payload)
        session.execute(insert(PersonEvent.__table__), [
            {"person_id": pid, "kind": EVENT_REGISTERED, "event_date": today,
             "to_household_id": values["household_id"], "note": f"导入批次 {batch_id}"}
            for pid, values in zip(ids, payload)])
        audit.extend(_audit("insert", "person", pid, batch_id, f"导入新增 {r.record['name']}")
                     for pid, r in zip(ids, part))
        done += len(part)
        yield done
    updates = [r for r in rows if r.status == UPDATE]
    persons = extra["persons"]
    events = []
    groups: dict[tuple, list[dict]] = {}
    for row in updates:
        pid, version, old_household = persons[row.record["id_number"]]
        values = {k: row.record[k] for k in row.changes if k in PERSON_FIELDS}
        if "name" in values:
            values["name_pinyin"], values["name_initials"] = name_pinyin(values["name"])
        if "household_no" in row.changes:
            values["household_id"] = household_ids[row.record["household_no"]]
            events.append({"person_id": pid, "kind": EVENT_TRANSFER, "event_date": today,
                           "from_household_id": old_household, "to_household_id": values["household_id"],
                           "note": f"导入批次 {batch_id}"})
        groups.setdefault(tuple(sorted(values)), []).append({"_pid": pid, "_ver": version, **values})
        audit.append(_audit("update", "person", pid, batch_id, f"导入更新 {row.record['name']}",
                            {"old": row.previous, "new": values}))
    for keys, payload in groups.items():
        statement = (update(_person)
                     .where(_person.c.id == bindparam("_pid"), _person.c.version == bindparam("_ver"))
                     .values({**{k: bindparam(k) for k in keys}, "version": _person.c.version + 1,
                                "updated_at": func.now()}))
        for start in range(0, len(payload), BATCH):
            part = payload[start:start + BATCH]
            result = session.execute(statement, part)
            if result.rowcount not in (-1, len(part)):
                raise ConflictError("导入期间有人修改了其中的居民记录，已全部撤销，请重新导入。")
            done += len(part)
            yield done
    if events:
        session.execute(insert(PersonEvent.__table__), events)
    for start in range(0, len(audit), BATCH * 4):
        session.execute(insert(AuditLog.__table__), audit[start:start + BATCH * 4])


def _person_values(record: dict, household_id: int, today: date) -> dict:
    values = {k: record.get(k) for k in PERSON_FIELDS}
    values["name_pinyin"], values["name_initials"] = name_pinyin(record["name"])
    values.update(household_id=household_id, status=PERSON_ACTIVE, registered_on=today)
    return values


def _insert_returning(session: Session, table, payload: list[dict]) -> list[int]:
    result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), payload)
    return [row[0] for row in result]


def _audit(action: str, entity: str, entity_id: int, batch_id: int, summary: str, changes: dict | None = None) -> dict:
    return {"action": action, "entity": entity, "entity_id": entity_id, "import_batch_id": batch_id,
            "summary": summary[:200], "changes": json.dumps(changes, ensure_ascii=False, default=str) if changes else None,
            "user_id": None, "username": None}
