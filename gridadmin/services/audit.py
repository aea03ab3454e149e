"""The audit trail: who changed what, when, with old and new values,
written in the same transaction as the change. The app never edits it."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from gridadmin.models import AuditLog
from gridadmin.services.access import Actor

ACTION_CREATE = "create"
ACTION_UPDATE = "update"
ACTION_DEACTIVATE = "deactivate"
ACTION_DELETE = "delete"
ACTION_IMPORT = "import"
ACTION_UNDO = "undo"
ACTION_EXPORT = "export"
ACTION_PRINT = "print"
ACTION_LABELS = {ACTION_CREATE: "新增", ACTION_UPDATE: "修改", ACTION_DEACTIVATE: "停用", ACTION_DELETE: "删除",
                 ACTION_IMPORT: "导入", ACTION_UNDO: "撤销导入", ACTION_EXPORT: "导出", ACTION_PRINT: "打印"}
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
