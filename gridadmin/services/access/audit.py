"""The audit trail: who changed what, when, with old and new values,
written in the same transaction as the change. The app never edits it."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, inspect, select
from sqlalchemy.orm import Session

from gridadmin.models import AuditLog, User
from gridadmin.services.access.permissions import SYSTEM, Actor
from gridadmin.services.common.errors import ConflictError

ACTION_CREATE = "create"
ACTION_UPDATE = "update"
ACTION_DEACTIVATE = "deactivate"
ACTION_DELETE = "delete"
ACTION_IMPORT = "import"
ACTION_UNDO = "undo"
ACTION_EXPORT = "export"
ACTION_PRINT = "print"
ACTION_BACKUP = "backup"
ACTION_RESTORE = "restore"
ACTION_COMMAND = "command"  # one command-line command (gridadmin/cli/login.py)
ACTION_SUBMIT = "submit"
ACTION_WITHDRAW = "withdraw"
ACTION_RENAME = "rename"  # a person's name changed (changes: {"name": [old, new], …})
ACTION_LABELS = {ACTION_RENAME: "更名", ACTION_CREATE: "新增", ACTION_UPDATE: "修改", ACTION_DEACTIVATE: "停用",
                 ACTION_DELETE: "删除", ACTION_IMPORT: "导入", ACTION_UNDO: "撤销导入", ACTION_EXPORT: "导出",
                 ACTION_PRINT: "打印", ACTION_BACKUP: "备份", ACTION_RESTORE: "恢复", ACTION_COMMAND: "命令行",
                 ACTION_SUBMIT: "上报", ACTION_WITHDRAW: "撤回上报"}
_SKIPPED = {"version", "created_at", "updated_at"}


def _plain(value: object) -> object:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def changes_of(obj: object) -> dict[str, list]:
    """``{column: [old, new]}`` for the columns of a pending ORM object that
    changed in this session (all set columns for a new object)."""
    state = inspect(obj)
    changes: dict[str, list] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _SKIPPED:
            continue
        history = state.attrs[attr.key].history
        if state.pending or state.transient:
            value = getattr(obj, attr.key)
            if value is not None:
                changes[attr.key] = [None, _plain(value)]
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[attr.key] = [_plain(old), _plain(new)]
    return changes


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: int | None, *,
           changes: dict | None = None, summary: str | None = None, import_batch_id: int | None = None) -> None:
    """Add one audit row to the current transaction."""
    session.add(AuditLog(user_id=actor.user_id, username=actor.username, action=action, entity=entity,
                         entity_id=entity_id, changes=json.dumps(changes, ensure_ascii=False) if changes else None,
                         summary=(summary or "")[:200] or None, import_batch_id=import_batch_id))


def last_change(session: Session, entity: str, entity_id: int | None) -> tuple[str, datetime] | None:
    """``(who, when)`` of the newest audit row that changed ``entity``
    ``entity_id``: the user's display name (else login name, 系统 for the
    system) and the audit time; None when the trail has no such row.

    Works after a failed flush too: when ``session`` can no longer run
    statements, it reads through a fresh connection of the same engine."""
    if entity_id is None:
        return None
    stmt = (select(AuditLog.at, AuditLog.username, User.display_name)
            .outerjoin(User, User.id == AuditLog.user_id)
            .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id,
                   AuditLog.action.notin_((ACTION_EXPORT, ACTION_PRINT)))
            .order_by(AuditLog.id.desc()).limit(1))
    if session.is_active:
        row = session.execute(stmt).first()
    else:
        bind = session.get_bind()
        engine = bind.engine if isinstance(bind, Connection) else bind
        with engine.connect() as conn:
            row = conn.execute(stmt).first()
    if row is None:
        return None
    who = row.display_name or (SYSTEM.display_name if row.username == SYSTEM.username else row.username)
    return (who or "其他用户"), row.at


def stale_record(session: Session, entity: str, entity_id: int | None, what: str = "该记录", *,
                 field: str | None = None, value: object = None) -> ConflictError:
    """The ``ConflictError`` for a stale save of ``entity`` ``entity_id``:
    the message names who changed ``what`` last and when (from the audit
    trail), e.g. 「该记录已被 张三 于 2026-11-27 10:31 修改，您的修改未保存。」,
    and the error carries ``changed_by`` / ``changed_at``."""
    change = last_change(session, entity, entity_id)
    if change is None:
        message = f"{what}已被其他用户修改，您的修改未保存。请重新载入后再改。"
        return ConflictError(message, field=field, value=value, entity=entity, entity_id=entity_id)
    who, at = change
    message = f"{what}已被 {who} 于 {at:%Y-%m-%d %H:%M} 修改，您的修改未保存。"
    return ConflictError(message, field=field, value=value, changed_by=who, changed_at=at,
                         entity=entity, entity_id=entity_id)
