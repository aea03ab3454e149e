"""The preview table: one line per message (error or warning) or per
row without one; updates list their field changes. Copyable as text."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QColor

from gridadmin.services.importing import ImportPlan
from gridadmin.services.importing.plan import ERROR, UPDATE, RowPlan
from gridadmin.ui.importing.common import status_labels

ERROR_COLOR = QColor("#b00020")
WARN_COLOR = QColor("#9a5b00")
SHOW_ALL, SHOW_PROBLEMS = "all", "problems"


class Line(NamedTuple):
    """One line of the preview: a message of a row, or the row itself when
    it has none. ``message`` None: worked out when shown (an update's
    changes); the row's name is also read from ``source`` when shown, so a
    100,000-row plan gives its lines in a fraction of a second."""

    row: int
    status: str
    source: RowPlan
    column: str
    value: str
    message: str | None
    level: str  # "error", "warning" or ""


def plan_lines(plan: ImportPlan) -> list[Line]:
    lines: list[Line] = []
    append = lines.append
    for row in plan.rows:
        if row.errors or row.warnings:
            for issue in row.errors:
                append(Line(row.row, row.status, row, issue.column, issue.value, issue.message, "error"))
            for issue in row.warnings:
                append(Line(row.row, row.status, row, issue.column, issue.value, issue.message, "warning"))
        else:
            append(Line(row.row, row.status, row, "", "", None, ""))
    return lines


def row_name(row: RowPlan, name_column: int | None) -> str:
    """The row's name cell as the file has it (spaces folded)."""
    if name_column is None or name_column >= len(row.cells) or row.cells[name_column] is None:
        return ""
    return " ".join(str(row.cells[name_column]).split())


def changes_text(row: RowPlan) -> str:
    """An update's field changes, “字段：旧 → 新；…”, as the service gave
    them (ID numbers and phones already masked for users who may not see
    them: ``services.importing.shown``)."""
    if row.status != UPDATE or not row.changes:
        return ""
    parts = []
    for key, (label, old, new) in row.changes.items():
        parts.append(f"{label}：{old or '（空）'} → {new or '（空）'}")
    return "；".join(parts)


class PreviewModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.all_lines: list[Line] = []
        self.lines: list[Line] = []
        self.name_header = ""
        self.name_column: int | None = None
        self.labels = status_labels()
        self.headers = [self.tr("行号"), self.tr("结果"), self.tr("姓名/名称"), self.tr("列"), self.tr("值"),
                        self.tr("说明")]

    def set_plan(self, plan: ImportPlan | None, show: str = SHOW_ALL) -> None:
        self.beginResetModel()
        self.all_lines = plan_lines(plan) if plan is not None else []
        self.name_column = plan.columns.get("name") if plan is not None else None
        named = plan is not None and "name" in plan.columns
        self.headers[2] = plan.headers[plan.columns["name"]] if named else self.tr("姓名/名称")
        self._filter(show)
        self.endResetModel()

    def set_filter(self, show: str) -> None:
        self.beginResetModel()
        self._filter(show)
        self.endResetModel()

    def _filter(self, show: str) -> None:
        if show == SHOW_ALL:
            self.lines = self.all_lines
        elif show == SHOW_PROBLEMS:
            self.lines = [line for line in self.all_lines if line.level]
        else:
            self.lines = [line for line in self.all_lines if line.status == show]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def cells(self, line: Line) -> list[str]:
        label = self.labels.get(line.status, line.status)
        if line.level == "warning":
            label += self.tr("（提示）")
        if line.message is not None:
            message = line.message
        elif line.status == ERROR:
            message = line.source.summary()  # held back with no message of its own
        else:
            message = changes_text(line.source)
        return [str(line.row), label, row_name(line.source, self.name_column), line.column, line.value, message]

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return shown(self.cells(line)[index.column()])
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in (1, 5):
            if line.status == ERROR or line.level == "error":
                return ERROR_COLOR
            if line.level == "warning":
                return WARN_COLOR
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def text_of(self, rows: list[int]) -> str:
        """Tab-separated lines (with the header) for the clipboard: the
        cells in full, however long."""
        out = ["\t".join(self.headers)]
        out += ["\t".join(self.cells(self.lines[r])) for r in sorted(set(rows))]
        return "\n".join(out)


SHOWN_CHARS = 200


def shown(text: str) -> str:
    """A cell as the table shows it: a very long value (a pasted article in
    a 备注 cell) cut to its first ``SHOWN_CHARS`` characters with its length
    named, so one cell cannot push the 说明 column off the screen."""
    if len(text) <= SHOWN_CHARS:
        return text
    return QCoreApplication.translate("PreviewModel", "{start}…（共 {n:,} 字）").format(
        start=text[:SHOWN_CHARS], n=len(text))
