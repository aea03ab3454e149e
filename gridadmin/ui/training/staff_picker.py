"""选择参训人员: find staff by name, pinyin, ID number or phone and tick the
ones to add to a session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QLabel, QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.services.training.targets import StaffPick, find_staff

HEADERS = ("姓名", "所属网格", "联系电话")


class StaffPickerDialog(QDialog):
    """Search as you type; ticked people survive new searches. ``chosen``
    holds the ticked staff ids in the order they were ticked."""

    def __init__(self, db: Database, on: date, *, already: set[int], full_numbers: bool = False,
                 parent: QWidget | None = None,
                 search: Callable[[str], list[StaffPick]] | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("选择参训人员"))
        self.resize(640, 520)
        self.already = already
        self.chosen: dict[int, str] = {}
        self._search = search or (lambda text: find_staff(db, text, on=on, full_numbers=full_numbers))
        self.query = QLineEdit()
        self.query.setPlaceholderText(self.tr("输入姓名、拼音首字母（如 zs）、身份证号或联系电话"))
        self.query.setClearButtonEnabled(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr("姓名"), self.tr("所属网格"), self.tr("联系电话")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("添加所选"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.refresh)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.table.itemChanged.connect(self._ticked)
        self.table.cellDoubleClicked.connect(self._toggle_row)
        self._show_status()

    def refresh(self) -> None:
        """Show the people matching what is typed (at most 50)."""
        found = self._search(self.query.text())
        self.table.blockSignals(True)
        self.table.setRowCount(len(found))
        for row, pick in enumerate(found):
            name = QTableWidgetItem(pick.name)
            name.setData(Qt.ItemDataRole.UserRole, pick.staff_id)
            if pick.staff_id in self.already:
                name.setFlags(Qt.ItemFlag.ItemIsSelectable)
                name.setToolTip(self.tr("已在本次培训名单中"))
                name.setText(self.tr("{name}（已在名单中）").format(name=pick.name))
            else:
                name.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                name.setCheckState(Qt.CheckState.Checked if pick.staff_id in self.chosen else Qt.CheckState.Unchecked)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(pick.grids or self.tr("（无在岗网格）")))
            self.table.setItem(row, 2, QTableWidgetItem(pick.phone))
        self.table.blockSignals(False)
        self.table.resizeColumnToContents(0)
        typed = self.query.text().strip()
        self._show_status(self.tr("没有找到“{t}”。").format(t=typed) if typed and not found else "")

    def _toggle_row(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            item.setCheckState(Qt.CheckState.Unchecked if item.checkState() == Qt.CheckState.Checked
                               else Qt.CheckState.Checked)

    def _ticked(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        staff_id = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self.chosen[staff_id] = item.text()
        else:
            self.chosen.pop(staff_id, None)
        self._show_status()

    def _show_status(self, prefix: str = "") -> None:
        names = "、".join(list(self.chosen.values())[:8]) + ("等" if len(self.chosen) > 8 else "")
        self.status.setText(prefix + (self.tr("已选 {n} 人：{names}").format(n=len(self.chosen), names=names)
                                      if self.chosen else self.tr("尚未选择人员。")))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.chosen))
