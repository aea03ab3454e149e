"""Read-only item models of the training page: sessions of a year and the
compliance list. Both hold plain service rows; ``ROW_ROLE`` returns one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt

from gridadmin.services.training.sessions import SessionRow, TrainingCodeLists
from gridadmin.services.training.compliance import ComplianceRow
from gridadmin.ui.training.common import ALIGN_NUMBER, GREY, RED, hours_text

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """A table over ``rows``; subclasses set ``headers`` (translated) in
    ``__init__`` and override ``text``/``extra`` (or ``data``)."""

    headers: tuple[str, ...] = ()
    number_columns: frozenset[int] = frozenset()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.number_columns:
            return ALIGN_NUMBER
        return self.extra(row, index.column(), role)

    def text(self, row, column: int) -> str:
        raise NotImplementedError

    def extra(self, row, column: int, role: int) -> Any:
        return None


class SessionTableModel(RowsModel):
    """培训场次: one row per session; cancelled ones greyed and marked."""

    number_columns = frozenset({4, 5, 6, 7})

    def __init__(self, codes: TrainingCodeLists, parent=None):
        super().__init__(parent)
        self.codes = codes
        # the figures come before 主讲人/地点, so a narrow window still shows them
        self.headers = (self.tr("名称"), self.tr("类别"), self.tr("形式"), self.tr("日期"), self.tr("学时"),
                        self.tr("应到"), self.tr("实到"), self.tr("出勤率"), self.tr("主讲人"), self.tr("地点"))

    def text(self, row: SessionRow, column: int) -> str:
        if column == 0:
            return row.name + (self.tr("（已取消）") if row.cancelled else "")
        if column == 1:
            return self.codes.label("categories", row.category)
        if column == 2:
            return self.codes.label("forms", row.form)
        if column == 3:
            return date_range_text(row.start_date, row.end_date)
        if column == 4:
            return hours_text(row.hours)
        if column in (5, 6):
            return str(row.invited if column == 5 else row.present)
        if column == 7:
            rate = row.attendance_rate
            return "" if rate is None else f"{rate:.0%}" if rate in (0, 1) else f"{rate:.1%}"
        return (row.trainer if column == 8 else row.place) or ""

    def extra(self, row: SessionRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row.cancelled:
            return GREY
        if role == Qt.ItemDataRole.ToolTipRole and column in (0, 8, 9):
            return self.text(row, column)
        return None


def date_range_text(start, end) -> str:
    """2025-05-10, or 2025-05-10 至 05-11 / 2024-12-30 至 2025-01-02."""
    text = f"{start:%Y-%m-%d}"
    if end and end != start:
        text += QCoreApplication.translate("TrainingModels", " 至 ")
        text += f"{end:%m-%d}" if end.year == start.year else f"{end:%Y-%m-%d}"
    return text


class ComplianceModel(RowsModel):
    """学时达标: 姓名, 所属网格, 岗位, 已完成, 要求, 差额 (behind in red)."""

    number_columns = frozenset({3, 4, 5})

    def __init__(self, codes: TrainingCodeLists, parent=None):
        super().__init__(parent)
        self.codes = codes
        self.headers = (self.tr("姓名"), self.tr("所属网格"), self.tr("岗位"), self.tr("已完成学时"),
                        self.tr("截至当前应完成学时（按已过月份折算）"), self.tr("差额"))

    def text(self, row: ComplianceRow, column: int) -> str:
        if column == 0:
            return row.name
        if column == 1:
            return row.grids
        if column == 2:
            return "、".join(self.codes.label("roles", role) for role in row.roles)
        if column == 3:
            return hours_text(row.hours)
        if column == 4:
            return hours_text(row.required)
        return hours_text(row.shortfall) if row.shortfall else self.tr("达标")

    def extra(self, row: ComplianceRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == 5 and row.shortfall:
            return RED
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return row.grids
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            return self.tr("全年要求 {h} 学时").format(h=hours_text(row.annual))
        return None
