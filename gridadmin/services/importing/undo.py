"""Undoing a whole import batch.

Contract of ``undo_batch``:
- every record the batch created (audit action ``insert``/``create`` linked
  to the batch) is deleted, with the import's own side rows (the 登记 /
  户间迁移 events it wrote); every record it updated gets back the ``old``
  values of its audit row (``{"old": …, "new": …}``);
- refused (``ConflictError`` naming the record, nothing changed) when a
  later change touched a record of the batch: an audit row newer than the
  batch's first one, on the same record, not from this batch nor from a
  batch that was itself undone; also when a record no longer holds the
  values the batch wrote, or when rows the batch did not write now refer to
  a record it created (e.g. a person added later to an imported household);
  also when the result would leave a household with members but without
  exactly one head (本人/户主): e.g. a later import or the household card
  gave the household a new head after the batch moved its old head out, so
  putting the old head back would make two (the message names the
  household and the later change);
- one transaction; one ``ACTION_UNDO`` audit row per record restored or
  removed plus one for the batch, all linked to the batch; the batch gets
  ``undone_at``; undoing an undone batch is refused;
- permission: what the import itself needed (``permission_for_kind``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean, Date, DateTime, Float, Integer, Numeric, Table, and_, delete, func, or_, select, update,
)
from sqlalchemy.orm import Session

from gridadmin.db import Database
from gridadmin.models import AuditLog, ImportBatch, User
from gridadmin.models.base import Base, local_now
from gridadmin.models.household import PERSON_ACTIVE, Household, Person, PersonEvent
from gridadmin.models.staff import StaffStatusEvent
from gridadmin.services.register import tallies
from gridadmin.services.access.permissions import IMPORT_REGISTER, SCOPED, acting, require
from gridadmin.services.access.audit import (
    ACTION_CREATE, ACTION_EXPORT, ACTION_PRINT, ACTION_RENAME, ACTION_UNDO, ACTION_UPDATE,
)
from gridadmin.services.common.bulk import insert_dicts
from gridadmin.services.common.errors import ConflictError, NotFoundError
from gridadmin.services.register.household_rules import HEAD_RELATIONS
from gridadmin.services.importing.reindex import drop_indexes, restore_indexes
from gridadmin.services.common.pinyin import name_pinyin
from gridadmin.services.common.progress import Job, Progress, run_to_end

CREATED = ("insert", ACTION_CREATE)
UPDATED = ("update", ACTION_UPDATE, ACTION_RENAME)  # a rename is an update that says so
# Deleted in this order (rows that refer to others first).
DELETE_ORDER = ("attendance", "staff_assignment", "person_tag", "person", "staff", "household", "house",
                "training_session", "area")
ENTITY_LABELS = {"person": "居民", "household": "住户", "house": "房屋", "area": "网格", "staff": "网格员",
                 "staff_assignment": "网格员任职", "training_session": "培训", "attendance": "培训签到",
                 "person_tag": "人群类别"}
CHUNK = 500
PROGRESS_EVERY = 500
REINDEXED = ("person", "household")  # big tables whose indexes a large undo rebuilds (``reindex``)


def permission_for_kind(kind: str) -> str:
    """The permission an import (and its undo) of ``kind`` needs."""
    from gridadmin.services.importing.pipeline import KINDS

    found = KINDS.get(kind)
    return found.permission if found is not None else IMPORT_REGISTER


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    removed: int
    restored: int
    removed_by: dict = field(default_factory=dict)  # entity → records deleted
    restored_by: dict = field(default_factory=dict)  # entity → records restored


# How the undo question and its result count each kind of record.
COUNT_WORDS = {"person": "名居民", "household": "个住户", "house": "处房屋", "area": "个网格", "staff": "名网格员",
               "staff_assignment": "条网格员任职记录", "training_session": "次培训", "attendance": "条培训签到",
               "person_tag": "条人群类别记录"}


def counts_text(counts: dict[str, int]) -> str:
    """“3 名居民、1 个住户” ('' for none), in the order of ``COUNT_WORDS``."""
    order = list(COUNT_WORDS)
    entities = sorted(counts, key=lambda e: order.index(e) if e in order else len(order))
    return "、".join(f"{counts[e]:,} {COUNT_WORDS.get(e, '条记录')}" for e in entities if counts[e])


def batch_effects(db: Database, batch_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """What undoing the batch would do: (records it deletes, records it
    restores), each entity → count, from the batch's audit rows (the same
    rows ``undo_job`` works from)."""
    with db.session() as session:
        found = session.execute(select(AuditLog.action, AuditLog.entity, func.count())
                                .where(AuditLog.import_batch_id == batch_id, AuditLog.action.in_(CREATED + UPDATED))
                                .group_by(AuditLog.action, AuditLog.entity)).all()
    removed: dict[str, int] = {}
    restored: dict[str, int] = {}
    for action, entity, count in found:
        target = removed if action in CREATED else restored
        target[entity] = target.get(entity, 0) + count
    return removed, restored


def _table(entity: str) -> Table:
    return Base.metadata.tables[entity]


def describe(session: Session, entity: str, entity_id: int, fallback: str | None = None) -> str:
    """A record as the user knows it: 居民“李云”, 住户“H1”, 网格“一网格” …"""
    label = ENTITY_LABELS.get(entity, entity)
    table = Base.metadata.tables.get(entity)
    name = None
    if table is not None:
        if entity == "household":
            name = session.scalar(select(table.c.household_no).where(table.c.id == entity_id))
        elif entity == "house":
            name = session.scalar(select(table.c.address).where(table.c.id == entity_id))
        elif entity == "staff_assignment":
            name = session.scalar(select(_table("staff").c.name).join(table, table.c.staff_id == _table("staff").c.id)
                                  .where(table.c.id == entity_id))
        elif entity == "attendance":
            name = session.scalar(select(_table("staff").c.name).join(table, table.c.staff_id == _table("staff").c.id)
                                  .where(table.c.id == entity_id))
        elif "name" in table.c:
            name = session.scalar(select(table.c.name).where(table.c.id == entity_id))
    if name is None:
        return f"{label}（{fallback or f'编号 {entity_id}'}）"
    return f"{label}“{name}”"


def _value(column, value):
    """An audit JSON value back in the column's Python type."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime):
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if isinstance(kind, Date):
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return Decimal(str(value))
    if isinstance(kind, Float):
        return float(value)
    if isinstance(kind, Integer):
        return int(value)
    return value


def undo_batch(db: Database, batch_id: int) -> UndoResult:
    """Undo import batch ``batch_id`` as a whole (see the module docstring)."""
    return run_to_end(undo_job(db, batch_id))


def undo_job(db: Database, batch_id: int) -> Job[UndoResult]:
    """``undo_batch`` as a progress job (the history tab runs it off the UI
    thread): one transaction; closing the generator rolls it all back.

    Deleting most of a big table (undoing the first 100,000-person import)
    drops its indexes and count triggers and builds them again afterwards
    (``reindex``): 5.7 s of index upkeep became a fraction of a second."""
    yield Progress(0, 0, f"正在核对导入批次 {batch_id}…")
    actor = acting(db)
    with db.session() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise NotFoundError(f"导入批次 {batch_id} 不存在。", field="批次", value=batch_id)
        if batch.undone_at is not None:
            raise ConflictError(f"导入批次 {batch_id}（{batch.file_name}）已于 {batch.undone_at:%Y-%m-%d %H:%M} "
                                "撤销，不能再次撤销。", field="批次", value=batch_id)
        require(session, actor, permission_for_kind(batch.kind))
        rows = session.execute(select(AuditLog.id, AuditLog.action, AuditLog.entity, AuditLog.entity_id,
                                      AuditLog.changes, AuditLog.summary)
                               .where(AuditLog.import_batch_id == batch_id,
                                      AuditLog.action.in_(CREATED + UPDATED))
                               .order_by(AuditLog.id)).all()
        created: dict[str, list[int]] = {}
        updated: list[tuple[str, int, dict, dict]] = []
        summaries: dict[tuple[str, int], str] = {}
        for row in rows:
            summaries[(row.entity, row.entity_id)] = row.summary or ""
            if row.action in CREATED:
                created.setdefault(row.entity, []).append(row.entity_id)
            else:
                changes = json.loads(row.changes or "{}")
                updated.append((row.entity, row.entity_id, changes.get("old") or {}, changes.get("new") or {}))
        _require_areas(session, actor, permission_for_kind(batch.kind), created, updated)
        if rows:
            _refuse_later_changes(session, batch_id, rows[0].id, summaries)
        total = len(rows)
        households = _households_touched(session, created, updated)
        heads_before = _heads(session, households)
        yield Progress(0, total, "正在撤销…")
        _delete_own_events(session, created, updated, batch_id)
        audit = []
        for done, (entity, entity_id, old, new) in enumerate(updated, start=1):
            _restore(session, entity, entity_id, old, new, summaries)
            audit.append(_audit(actor, entity, entity_id, batch_id, f"撤销导入：恢复 {summaries[(entity, entity_id)]}",
                                {"old": new, "new": old}))
            if done % PROGRESS_EVERY == 0:
                yield Progress(done, total, "正在恢复更新过的记录…")
        removed = 0
        for entity in sorted(created, key=lambda e: DELETE_ORDER.index(e) if e in DELETE_ORDER else -1):
            ids = created[entity]
            if entity == "area":  # micro-grids (made after their grid) before their grid
                ids = sorted(ids, reverse=True)
            _refuse_dependents(session, entity, set(ids), created, summaries)
            table = _table(entity)
            dropped = drop_indexes(session, (table,), len(ids), deleting=True) if entity in REINDEXED else []
            for start in range(0, len(ids), CHUNK):
                session.execute(delete(table).where(table.c.id.in_(ids[start:start + CHUNK])))
                if (start // CHUNK) % 10 == 9:
                    yield Progress(len(updated) + removed + start + CHUNK, total, "正在删除本批新增的记录…")
            restore_indexes(session, dropped)
            removed += len(ids)
            audit.extend(_audit(actor, entity, i, batch_id, f"撤销导入：删除 {summaries[(entity, i)]}") for i in ids)
        _refuse_broken_households(session, batch_id, rows[0].id if rows else 0, heads_before,
                                  _heads(session, households), created, updated)
        audit.append(_audit(actor, "import_batch", batch_id, batch_id,
                            f"撤销导入批次 {batch_id}（{batch.file_name}）：删除 {removed} 条，恢复 {len(updated)} 条"))
        yield Progress(0, 0, "正在记入操作日志并保存…")
        dropped = drop_indexes(session, (AuditLog.__table__,), len(audit))
        insert_dicts(session, AuditLog.__table__, audit)
        restore_indexes(session, dropped)
        batch.undone_at = local_now()
        removed_by = {entity: len(ids) for entity, ids in created.items()}
        restored_by: dict[str, int] = {}
        for entity, *_rest in updated:
            restored_by[entity] = restored_by.get(entity, 0) + 1
        result = UndoResult(batch_id, removed, len(updated), removed_by, restored_by)
    tallies.fold_committed(db)
    return result


def _require_areas(session: Session, actor, permission: str, created: dict, updated: list) -> None:
    """A user limited to some communities undoes only batches whose records
    all lie in them (the import itself refused rows outside them): every
    household, person and grid the undo would delete or restore."""
    if permission not in SCOPED or actor.scope is None or actor.is_admin:
        return
    ids: dict[str, set[int]] = {}
    for entity, entity_ids in created.items():
        ids.setdefault(entity, set()).update(entity_ids)
    for entity, entity_id, *_rest in updated:
        ids.setdefault(entity, set()).add(entity_id)
    areas: set[int] = set(ids.get("area", ()))
    households = set(ids.get("household", ()))
    persons = sorted(ids.get("person", ()))
    for start in range(0, len(persons), CHUNK):
        households.update(h for h, in session.execute(select(Person.household_id).where(
            Person.id.in_(persons[start:start + CHUNK]), Person.household_id.is_not(None))))
    listed = sorted(households)
    for start in range(0, len(listed), CHUNK):
        areas.update(a for a, in session.execute(select(Household.area_id).where(
            Household.id.in_(listed[start:start + CHUNK]))))
    houses = sorted(ids.get("house", ()))
    for start in range(0, len(houses), CHUNK):
        areas.update(a for a, in session.execute(select(_table("house").c.area_id).where(
            _table("house").c.id.in_(houses[start:start + CHUNK]))))
    for area_id in sorted(areas):
        require(session, actor, permission, area_id=area_id)


def _audit(actor, entity, entity_id, batch_id, summary, changes=None) -> dict:
    return {"user_id": actor.user_id, "username": actor.username, "action": ACTION_UNDO, "entity": entity,
            "entity_id": entity_id, "import_batch_id": batch_id, "summary": summary[:200],
            "changes": json.dumps(changes, ensure_ascii=False, default=str) if changes else None}


def _refuse_later_changes(session: Session, batch_id: int, first_id: int, summaries: dict) -> None:
    undone = select(ImportBatch.id).where(ImportBatch.undone_at.is_not(None))
    later = session.execute(
        select(AuditLog.entity, AuditLog.entity_id, AuditLog.at, AuditLog.username, AuditLog.import_batch_id,
               AuditLog.summary, User.display_name)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(AuditLog.id > first_id, AuditLog.action.notin_((ACTION_EXPORT, ACTION_PRINT)),
               or_(AuditLog.import_batch_id.is_(None),
                   and_(AuditLog.import_batch_id != batch_id, AuditLog.import_batch_id.notin_(undone))))
        .order_by(AuditLog.id))
    for row in later:
        key = (row.entity, row.entity_id)
        if key not in summaries:
            continue
        who = (f"导入批次 {row.import_batch_id}" if row.import_batch_id
               else row.display_name or ("系统" if row.username in (None, "system") else row.username))
        what = describe(session, row.entity, row.entity_id, summaries[key])
        raise ConflictError(f"不能撤销导入批次 {batch_id}：{what}在本批导入之后已被 {who} 于 {row.at:%Y-%m-%d %H:%M} "
                            f"修改（{row.summary or '修改'}）。请先处理该记录，或先撤销后来的导入。",
                            field="记录", value=what, entity=row.entity, entity_id=row.entity_id)


def _households_touched(session: Session, created: dict, updated: list) -> list[int]:
    """The households whose members the undo changes (not those it deletes):
    where the batch's persons are now and where they were before it."""
    persons = created.get("person", []) + [u[1] for u in updated if u[0] == "person"]
    found = {u[2].get("household_id") for u in updated if u[0] == "person"}
    for start in range(0, len(persons), CHUNK):
        found.update(session.scalars(select(Person.household_id).where(Person.id.in_(persons[start:start + CHUNK]))))
    found -= {None, *created.get("household", ())}
    return sorted(int(h) for h in found)


def _heads(session: Session, households: list[int]) -> dict[int, tuple[int, list[tuple[int, str]]]]:
    """household id → (active members, heads as (person id, name))."""
    out: dict[int, tuple[int, list[tuple[int, str]]]] = {}
    for start in range(0, len(households), CHUNK):
        part = households[start:start + CHUNK]
        active = (Person.household_id.in_(part), Person.status == PERSON_ACTIVE)
        for hh_id, count in session.execute(select(Person.household_id, func.count()).where(*active)
                                            .group_by(Person.household_id)):
            out[hh_id] = (count, [])
        for pid, name, hh_id in session.execute(select(Person.id, Person.name, Person.household_id)
                                                .where(*active, Person.relation.in_(HEAD_RELATIONS))
                                                .order_by(Person.id)):
            out[hh_id][1].append((pid, name))
    return out


def _refuse_broken_households(session: Session, batch_id: int, first_id: int, before: dict, after: dict,
                              created: dict, updated: list) -> None:
    """Refuse (the caller's transaction rolls back) when the undo leaves a
    household that has members with no head or with several, unless it was
    already so before the undo."""
    own = set(created.get("person", ())) | {u[1] for u in updated if u[0] == "person"}
    for hh_id, (members, heads) in sorted(after.items()):
        if len(heads) == 1 or not members:
            continue
        was = before.get(hh_id)
        if was is not None and len(was[1]) != 1:
            continue  # not of the undo's making
        no = session.scalar(select(Household.household_no).where(Household.id == hh_id))
        if heads:
            problem = f"户号 {no} 将有 {len(heads)} 位户主（{'、'.join(name for _pid, name in heads)}），一户只能有一个户主"
            suspects = [pid for pid, _name in heads if pid not in own]
        else:
            problem = f"户号 {no} 还有 {members} 位成员，却没有户主"
            suspects = list(session.scalars(select(Person.id).where(Person.household_id == hh_id,
                                                                    Person.status == PERSON_ACTIVE)))
        later = _later_change(session, batch_id, first_id, hh_id, suspects)
        raise ConflictError(f"不能撤销导入批次 {batch_id}：撤销后{problem}。{later}请先在户卡中处理该户，"
                            "或先撤销后来的导入。", field="户号", value=no, entity="household", entity_id=hh_id)


def _later_change(session: Session, batch_id: int, first_id: int, household_id: int, persons: list[int]) -> str:
    """“与之冲突的是 …”: the first change after the batch, by someone else, to
    one of ``persons`` (else to the household itself)."""
    undone = select(ImportBatch.id).where(ImportBatch.undone_at.is_not(None))
    row = None
    for touched in (and_(AuditLog.entity == "person", AuditLog.entity_id.in_(persons[:CHUNK])),
                    and_(AuditLog.entity == "household", AuditLog.entity_id == household_id)):
        row = session.execute(
            select(AuditLog.entity, AuditLog.entity_id, AuditLog.at, AuditLog.username, AuditLog.import_batch_id,
                   AuditLog.summary, User.display_name)
            .outerjoin(User, User.id == AuditLog.user_id)
            .where(AuditLog.id > first_id, touched,
                   AuditLog.action.notin_((ACTION_EXPORT, ACTION_PRINT, ACTION_UNDO)),
                   or_(AuditLog.import_batch_id.is_(None),
                       and_(AuditLog.import_batch_id != batch_id, AuditLog.import_batch_id.notin_(undone))))
            .order_by(AuditLog.id).limit(1)).first()
        if row is not None:
            break
    if row is None:
        return "本批导入之后没有对该户的其他修改：撤销会让它回到本批导入之前不符合“一户一个户主”的状态。"
    who = (f"导入批次 {row.import_batch_id}" if row.import_batch_id
           else row.display_name or ("系统" if row.username in (None, "system") else row.username))
    what = describe(session, row.entity, row.entity_id)
    return f"与之冲突的是本批导入之后的修改：{what}于 {row.at:%Y-%m-%d %H:%M} 被 {who}修改（{row.summary or '修改'}）。"


def _delete_own_events(session: Session, created: dict, updated: list, batch_id: int) -> None:
    """The side rows the import wrote, whose note names the batch: the
    residents' 登记 / 户间迁移 events and the staff status events."""
    for event, owner, entity, match in (
            (PersonEvent, PersonEvent.person_id, "person", PersonEvent.note == f"导入批次 {batch_id}"),
            (StaffStatusEvent, StaffStatusEvent.staff_id, "staff",
             StaffStatusEvent.note.like(f"%（导入批次 {batch_id}）"))):
        ids = created.get(entity, []) + [u[1] for u in updated if u[0] == entity]
        for start in range(0, len(ids), CHUNK):
            session.execute(delete(event).where(owner.in_(ids[start:start + CHUNK]), match))


def _restore(session: Session, entity: str, entity_id: int, old: dict, new: dict, summaries: dict) -> None:
    table = _table(entity)
    keys = [k for k in old if k in table.c]
    current = session.execute(select(*(table.c[k] for k in new if k in table.c)).where(table.c.id == entity_id)).first()
    what = describe(session, entity, entity_id, summaries[(entity, entity_id)])
    if current is None:
        raise ConflictError(f"不能撤销：{what}已被删除。", field="记录", value=what, entity=entity, entity_id=entity_id)
    for key, value in current._mapping.items():
        if value != _value(table.c[key], new[key]):
            raise ConflictError(f"不能撤销：{what}的“{key}”已不是本批导入写入的值（现为“{value}”），"
                                "可能已被修改。", field="记录", value=what, entity=entity, entity_id=entity_id)
    values = {k: _value(table.c[k], old[k]) for k in keys}
    if "name" in values and "name_pinyin" in table.c:
        values["name_pinyin"], values["name_initials"] = name_pinyin(values["name"])
    if "version" in table.c:
        values["version"] = table.c.version + 1
    if "updated_at" in table.c:
        values["updated_at"] = local_now()
    session.execute(update(table).where(table.c.id == entity_id).values(values))


def _refuse_dependents(session: Session, entity: str, ids: set[int], created: dict, summaries: dict) -> None:
    """Refuse when rows the batch did not create refer to a record to delete."""
    target = _table(entity)
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is not target or table.name in ("audit_log", "import_batch"):
                continue
            own = set(created.get(table.name, ()))
            column = fk.parent
            listed = sorted(ids)
            for start in range(0, len(listed), CHUNK):
                query = select(table.c.id, column).where(column.in_(listed[start:start + CHUNK]))
                for ref_id, target_id in session.execute(query):
                    if ref_id in own or (table is target and ref_id in ids):
                        continue
                    what = describe(session, entity, target_id, summaries.get((entity, target_id)))
                    other = describe(session, table.name, ref_id)
                    raise ConflictError(f"不能撤销：{what}是本批导入新增的，但之后已有{other}关联到它。"
                                        "请先处理这些记录。", field="记录", value=what, entity=entity,
                                        entity_id=target_id)
