"""The import plan (dry run): every row labelled new / update / unchanged
/ skip / error with its field-level changes and messages. Nothing here
writes to the database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from gridadmin.models import AuditLog
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.values import CellError, is_blank

MODE_INSERT = "insert"  # 仅新增
MODE_UPDATE = "update"  # 仅更新
MODE_UPSERT = "upsert"  # 新增并更新
MODES = (MODE_INSERT, MODE_UPDATE, MODE_UPSERT)
MODE_LABELS = {MODE_INSERT: "仅新增", MODE_UPDATE: "仅更新已有", MODE_UPSERT: "新增并更新"}

NEW, UPDATE, UNCHANGED, SKIP, ERROR = "new", "update", "unchanged", "skip", "error"
STATUS_LABELS = {NEW: "新增", UPDATE: "更新", UNCHANGED: "无变化", SKIP: "跳过", ERROR: "错误"}


@dataclass(frozen=True)
class RowIssue:
    """One message about one cell (or the whole row when ``column`` is '')."""

    row: int
    column: str
    value: str
    message: str

    def to_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass(slots=True)
class RowPlan:
    """One data row: ``record`` holds the typed values by field key;
    ``changes`` field label → (old, new) for an update; ``target_id`` the
    matched record's id."""

    row: int
    cells: list
    record: dict = field(default_factory=dict)
    status: str = NEW
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    changes: dict[str, tuple] = field(default_factory=dict)  # key → (label, old shown, new shown)
    previous: dict = field(default_factory=dict)  # key → old stored value (for undo)
    target_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """The row's messages in one line; for a row held back with no
        message of its own (a member of a wide-layout household whose Excel
        row has an error elsewhere) the reason it was held back."""
        text = "；".join(i.message if not i.column else f"{i.column}：{i.message}" for i in self.errors + self.warnings)
        if not text and self.status == ERROR:
            return f"同户在第 {self.row} 行的其他内容有错误，整户暂不导入"
        return text


@dataclass
class ImportPlan:
    kind: str
    mode: str
    path: str
    file_name: str
    sha256: str
    sheet_name: str
    header_row: int
    headers: list[str]
    columns: dict[str, int]
    rows: list[RowPlan]
    extra: dict = field(default_factory=dict)  # kind-specific data for the commit
    auditor: tuple = (None, None)  # (user_id, username) the writer may stamp on its audit rows

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def errors(self) -> list[RowIssue]:
        return [issue for r in self.rows for issue in r.errors]

    @property
    def error_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.status == ERROR]

    def counts(self) -> dict[str, int]:
        return {"rows": len(self.rows), "inserted": self.count(NEW), "updated": self.count(UPDATE),
                "unchanged": self.count(UNCHANGED), "skipped": self.count(SKIP) + self.count(ERROR),
                "errors": self.count(ERROR)}


def shown(value) -> str:
    """A cell value as the user would recognise it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value) if abs(value) < 1e15 else f"{value:.15G}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_MISSING = object()


class RowReader:
    """Reads a row's cells by field key and collects per-cell errors with
    the Excel row number and the header text."""

    def __init__(self, table: Table, plan_row: RowPlan, cache: dict | None = None):
        self.table = table
        self.plan = plan_row
        self.cache = cache if cache is not None else {}

    def raw(self, key: str):
        index = self.table.mapping.columns.get(key)
        if index is None:
            return None
        problem = self.table.problems.get((self.plan.row - 1, index))
        if problem is not None:
            self.error(key, "", problem)
            return None
        return self.plan.cells[index]

    def error(self, key: str, value, message: str) -> None:
        header = self.table.mapping.header_of(key) if key else ""
        self.plan.errors.append(RowIssue(self.plan.row, header, shown(value), message))

    def warn(self, key: str, value, message: str) -> None:
        header = self.table.mapping.header_of(key) if key else ""
        self.plan.warnings.append(RowIssue(self.plan.row, header, shown(value), message))

    def get(self, key: str, parse, *args, required: bool = False, label: str = "", **kwargs):
        """``parse(raw, ...)`` for the field, or None with an error noted."""
        raw = self.raw(key)
        if is_blank(raw):
            if required and not self._has_problem(key):
                self.error(key, raw, f"{label or self.table.mapping.header_of(key)}不能为空")
            return None
        try:
            return parse(raw, *args, **kwargs)
        except CellError as exc:
            self.error(key, raw, exc.message)
            return None

    def cached(self, key: str, parse, *, required: bool = False, label: str = ""):
        """Like :meth:`get` for a parse that depends on the value alone
        (code lists, grids): each distinct value is parsed once per file."""
        raw = self.raw(key)
        if is_blank(raw):
            return self.get(key, parse, required=required, label=label)
        try:
            memo = self.cache.setdefault(key, {})
            found = memo.get(raw, _MISSING)
        except TypeError:  # unhashable
            return self.get(key, parse, required=required, label=label)
        if found is _MISSING:
            try:
                found = parse(raw)
            except CellError as exc:
                found = exc
            memo[raw] = found
        if isinstance(found, CellError):
            self.error(key, raw, found.message)
            return None
        return found

    def _has_problem(self, key: str) -> bool:
        index = self.table.mapping.columns.get(key)
        return index is not None and (self.plan.row - 1, index) in self.table.problems


def label_existing(row: RowPlan, mode: str, already: str) -> None:
    """The status of a row that matched a stored record: unchanged without
    changes; skipped with a warning (``already``, e.g. 此人已登记) in
    insert-only mode; else update."""
    if not row.changes:
        row.status = UNCHANGED
    elif mode == MODE_INSERT:
        row.status = SKIP
        row.warnings.append(RowIssue(row.row, "", "", f"{already}，“仅新增”模式不更新"))
    else:
        row.status = UPDATE


def mark_duplicates(rows: list[RowPlan], key_of, column: str, what: str, shown_value=None) -> None:
    """Rows with the same key (e.g. ID number) are all errors naming each
    other. ``shown_value(row)``: the value the message shows, when the key
    is not something the user typed (a tuple of community and name)."""
    seen: dict[object, list[RowPlan]] = {}
    repeated = []
    for row in rows:
        key = key_of(row)
        if key is not None:
            group = seen.get(key)
            if group is None:
                seen[key] = [row]
            else:
                if len(group) == 1:
                    repeated.append(group)
                group.append(row)
    for group in repeated:  # each row is in one group: the order of the groups does not matter
        for row in group:
            others = "、".join(str(o.row) for o in group if o is not row)
            row.errors.append(RowIssue(row.row, column, shown(key_of(row) if shown_value is None else shown_value(row)),
                                       f"与第 {others} 行重复（{what}相同），同一文件中只能出现一次"))


def batch_audit(action: str, entity: str, entity_id: int, batch_id: int, summary: str, changes=None) -> AuditLog:
    """The audit row of one record an import created (``insert``) or changed
    (``update`` with ``{"old": …, "new": …}``), linked to its batch so the
    batch can be undone."""
    return AuditLog(action=action, entity=entity, entity_id=entity_id, import_batch_id=batch_id,
                    summary=summary[:200],
                    changes=json.dumps(changes, ensure_ascii=False, default=str) if changes else None)
