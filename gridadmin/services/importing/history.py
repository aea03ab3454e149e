"""The import history: one row per import batch (newest first), for the
import page's 导入记录 tab, and undoing a whole batch (``undo_batch``, see
``services.importing.undo``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from gridadmin.db import Database
from gridadmin.models import ImportBatch, User
from gridadmin.services.importing.plan import MODE_LABELS
from gridadmin.services.importing.undo import UndoResult, permission_for_kind, undo_batch

__all__ = ["BatchRow", "KIND_LABELS", "UndoResult", "list_batches", "permission_for_kind", "undo_batch"]

KIND_LABELS = {"residents": "户籍人口", "changes": "人口变动", "grids": "网格", "staff": "网格员", "attendance": "培训签到"}


@dataclass(frozen=True)
class BatchRow:
    id: int
    created_at: datetime | None
    file_name: str
    sha256: str
    kind: str
    kind_label: str
    mode: str
    mode_label: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    skipped: int
    errors: int
    user: str
    undone_at: datetime | None

    @property
    def sha_short(self) -> str:
        return self.sha256[:12]


def list_batches(db: Database, *, kind: str | None = None, limit: int = 500) -> list[BatchRow]:
    """The latest ``limit`` batches, newest first (optionally of one kind)."""
    query = (select(ImportBatch, User.display_name, User.username)
             .outerjoin(User, User.id == ImportBatch.user_id)
             .order_by(ImportBatch.id.desc()).limit(limit))
    if kind is not None:
        query = query.where(ImportBatch.kind == kind)
    with db.session() as session:
        return [BatchRow(b.id, b.created_at, b.file_name, b.sha256, b.kind, KIND_LABELS.get(b.kind, b.kind),
                         b.mode, MODE_LABELS.get(b.mode, b.mode), b.rows or 0, b.inserted or 0, b.updated or 0,
                         b.unchanged or 0, b.skipped or 0, b.errors or 0,
                         display or username or "系统", b.undone_at)
                for b, display, username in session.execute(query)]
