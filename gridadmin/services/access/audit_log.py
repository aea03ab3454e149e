"""Reading the audit trail (administrators only): filter by user, date,
entity and action, page through it, a record's whole history, export."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from gridadmin.db import Database
from gridadmin.models import AuditLog
from gridadmin.services.access.permissions import MANAGE_USERS, acting, require
from gridadmin.services.access.audit import ACTION_LABELS
from gridadmin.services.common.xlsx import safe_cell
from gridadmin.services.common.paging import ALIGN_RIGHT, Column, PageQuery, SqlPager, load_in_order

ENTITY_LABELS = {"area": "区域", "user": "用户", "staff": "网格员", "staff_assignment": "任职", "person": "居民",
                 "household": "住户", "training_session": "培训", "attendance": "签到", "import_batch": "导入批次", "generated_report": "报表",
                 "database": "数据库"}


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str | None
    action: str
    entity: str
    entity_id: int | None
    summary: str | None
    changes: dict

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, {"backup": "备份", "restore": "恢复"}.get(self.action, self.action))

    @property
    def entity_label(self) -> str:
        return ENTITY_LABELS.get(self.entity, self.entity)

    def change_lines(self) -> list[str]:
        """``字段：旧值 → 新值`` lines for display."""
        return [f"{field}：{_show(old)} → {_show(new)}" for field, (old, new) in self.changes.items()]


def _show(value: object) -> str:
    return "（空）" if value is None or value == "" else str(value)


def _load(session, ids, _query) -> list[AuditRow]:
    rows = session.execute(select(AuditLog).where(AuditLog.id.in_(ids))).scalars().all()
    return load_in_order([_row(r) for r in rows], ids, lambda r: r.id)


def _row(r: AuditLog) -> AuditRow:
    try:
        changes = json.loads(r.changes) if r.changes else {}
    except ValueError:
        changes = {"内容": [None, r.changes]}
    return AuditRow(r.id, r.at, r.username, r.action, r.entity, r.entity_id, r.summary, changes)


def audit_source(db: Database) -> SqlPager[AuditRow]:
    """A page source over the audit log, newest first; refuses anyone but
    an administrator (checked on every read)."""

    def keys(session, flt):
        require(session, acting(db), MANAGE_USERS)
        return _filtered(flt)

    return SqlPager(db, keys, {"at": [AuditLog.at], "user": [AuditLog.username], "action": [AuditLog.action]},
                    AuditLog.id, _load, default_sort="at")


def _filtered(flt: AuditFilter | None):
    flt = flt or AuditFilter()
    stmt = select(AuditLog.id)
    for column, value in ((AuditLog.username, flt.username), (AuditLog.action, flt.action),
                          (AuditLog.entity, flt.entity), (AuditLog.entity_id, flt.entity_id)):
        if value is not None and value != "":
            stmt = stmt.where(column == value)
    if flt.date_from:
        stmt = stmt.where(AuditLog.at >= datetime.combine(flt.date_from, datetime.min.time()))
    if flt.date_to:
        stmt = stmt.where(AuditLog.at < datetime.combine(flt.date_to + timedelta(days=1), datetime.min.time()))
    return stmt


def audit_columns() -> list[Column[AuditRow]]:
    return [
        Column("at", "时间", lambda r: f"{r.at:%Y-%m-%d %H:%M:%S}", sort="at", width=150),
        Column("user", "用户", lambda r: r.username or "", sort="user", width=90),
        Column("action", "操作", lambda r: r.action_label, sort="action", width=70),
        Column("entity", "对象", lambda r: r.entity_label, width=70),
        Column("entity_id", "编号", lambda r: "" if r.entity_id is None else str(r.entity_id), align=ALIGN_RIGHT,
               width=60),
        Column("summary", "摘要", lambda r: r.summary or "", tooltip=lambda r: "\n".join(r.change_lines())),
    ]


def audit_usernames(db: Database) -> list[str]:
    with db.session() as session:
        require(session, acting(db), MANAGE_USERS)
        return sorted(n for n in session.scalars(select(AuditLog.username).distinct()) if n)


def export_audit(db: Database, flt: AuditFilter | None, path: Path) -> int:
    """Write the filtered audit rows (newest first) to an xlsx file; returns
    the row count. Text that starts with = + - @ is neutralised."""
    from openpyxl import Workbook

    source = audit_source(db)
    query = PageQuery(flt, "at", True)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("操作日志")
    sheet.append(["时间", "用户", "操作", "对象", "编号", "摘要", "变更内容"])
    count, offset = 0, 0
    while True:
        rows = source.window(query, offset, 2000)
        if not rows:
            break
        for r in rows:
            sheet.append([f"{r.at:%Y-%m-%d %H:%M:%S}", safe_cell(r.username), r.action_label, r.entity_label,
                          r.entity_id, safe_cell(r.summary), safe_cell("；".join(r.change_lines()))])
        count += len(rows)
        offset += len(rows)
    workbook.save(str(path))
    return count
