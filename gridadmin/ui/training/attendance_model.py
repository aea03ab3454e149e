"""The attendees of one session, editable in place. Each change is saved
at once through ``save`` (``set_attendance``); a refusal is announced with
``refused`` and the cell keeps its old value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal

from gridadmin.models.training import ATTEND_ABSENT, ATTEND_EXCUSED, ATTEND_PRESENT
from gridadmin.services.common.errors import ServiceError, ValidationError
from gridadmin.services.common.idcard import mask_phone
from gridadmin.services.training.sessions import AttendanceRow
from gridadmin.ui.training.common import ALIGN_CENTER, ALIGN_NUMBER, GREY, hours_text
from gridadmin.ui.training.models import RowsModel

COL_NAME, COL_GRIDS, COL_PHONE, COL_STATUS, COL_HOURS, COL_SCORE, COL_PASSED, COL_CERT = range(8)
EDITABLE = frozenset({COL_STATUS, COL_HOURS, COL_SCORE, COL_PASSED, COL_CERT})


def status_choices() -> tuple[tuple[str, str], ...]:
    """(code, 出席/缺席/请假), translated (literal texts, so lupdate sees them)."""
    return ((ATTEND_PRESENT, QCoreApplication.translate("AttendanceModel", "出席")),
            (ATTEND_ABSENT, QCoreApplication.translate("AttendanceModel", "缺席")),
            (ATTEND_EXCUSED, QCoreApplication.translate("AttendanceModel", "请假")))


def passed_choices() -> tuple[tuple[str, str], ...]:
    """(value, —/合格/不合格), translated."""
    return (("", "—"), ("1", QCoreApplication.translate("AttendanceModel", "合格")),
            ("0", QCoreApplication.translate("AttendanceModel", "不合格")))


ROW_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class AttendanceModel(RowsModel):
    """``load()`` returns the rows (one ``session_attendance`` call);
    ``save(staff_id, **fields)`` stores one person's attendance."""

    refused = Signal(str)
    saved = Signal()

    def __init__(self, load: Callable[[], list[AttendanceRow]], save: Callable[..., None], *,
                 full_numbers: bool = False, parent=None):
        super().__init__(parent)
        self._load = load
        self._save = save
        self.full_numbers = full_numbers
        self.rows: list[AttendanceRow] = []
        self.headers = (self.tr("姓名"), self.tr("所属网格"), self.tr("联系电话"), self.tr("状态"),
                        self.tr("认定学时"), self.tr("成绩"), self.tr("合格"), self.tr("证书编号"))
        self.status_texts = dict(status_choices())
        self.reload()

    def reload(self) -> None:
        rows = self._load()
        if len(rows) == len(self.rows) and [r.staff_id for r in rows] == [r.staff_id for r in self.rows]:
            self.rows = rows
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self.headers) - 1))
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() in EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_value(row, column)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (COL_HOURS, COL_SCORE):
                return ALIGN_NUMBER
            if column in (COL_STATUS, COL_PASSED):
                return ALIGN_CENTER
        if role == Qt.ItemDataRole.ForegroundRole and row.status != ATTEND_PRESENT:
            return GREY
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_GRIDS:
            return row.grids
        return None

    def _text(self, row: AttendanceRow, column: int) -> str:
        if column == COL_NAME:
            return row.name
        if column == COL_GRIDS:
            return row.grids
        if column == COL_PHONE:
            return (row.phone or "") if self.full_numbers else mask_phone(row.phone or "")
        if column == COL_STATUS:
            return self.status_texts.get(row.status, row.status_label)
        if column == COL_HOURS:
            return hours_text(row.hours_credited)
        if column == COL_SCORE:
            return hours_text(row.score)
        if column == COL_PASSED:
            return "" if row.passed is None else self.tr("合格") if row.passed else self.tr("不合格")
        return row.certificate_no or ""

    def _edit_value(self, row: AttendanceRow, column: int) -> Any:
        if column == COL_STATUS:
            return row.status
        if column == COL_PASSED:
            return "" if row.passed is None else "1" if row.passed else "0"
        return self._text(row, column)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or index.column() not in EDITABLE:
            return False
        row = self.rows[index.row()]
        if value == self._edit_value(row, index.column()):
            return False
        fields = dict(status=row.status, hours=row.hours_credited, score=row.score, passed=row.passed,
                      certificate_no=row.certificate_no)
        if row.status in (ATTEND_ABSENT, ATTEND_EXCUSED):
            fields["hours"] = None
        try:
            self._apply(fields, index.column(), value)
            self._save(row.staff_id, expected_version=row.version, **fields)
        except ServiceError as exc:
            self.refused.emit(self.tr("{name}：{message}").format(name=row.name, message=exc.message))
            return False
        self.reload()
        self.saved.emit()
        return True

    def _apply(self, fields: dict, column: int, value: Any) -> None:
        text = "" if value is None else str(value).strip()
        if column == COL_STATUS:
            fields["status"] = text
            fields["hours"] = None  # the service credits the session's hours, or 0 when absent
        elif column == COL_HOURS:
            fields["hours"] = self._number(text, self.tr("认定学时"))
        elif column == COL_SCORE:
            fields["score"] = self._number(text, self.tr("成绩"))
        elif column == COL_PASSED:
            fields["passed"] = None if text == "" else text == "1"
        else:
            fields["certificate_no"] = text or None

    def _number(self, text: str, label: str) -> float | None:
        if text == "":
            return None
        try:
            return float(text.replace("，", ".").replace("。", "."))
        except ValueError:
            raise ValidationError(self.tr("{label}“{text}”不是数字。").format(label=label, text=text),
                                  field=label, value=text) from None
