"""A person's assignment history (任职记录) with add / transfer / end.
Each action is saved at once through ``gridadmin.services.roster.assignments``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.models.area import LEVEL_GRID, LEVEL_MICROGRID
from gridadmin.services.roster import assignments
from gridadmin.services.roster.assignments import AssignmentRow
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.areas.names import place_name
from gridadmin.services.roster.listing import area_options
from gridadmin.services.roster.staff import code_choices, parse_form_date
from gridadmin.ui.common.widgets import fit_place_combo, run_dialog

HEADERS = ("社区/村", "网格", "岗位", "开始日期", "结束日期", "状态", "备注")
MODE_ADD, MODE_TRANSFER, MODE_END = "add", "transfer", "end"


class AssignmentDialog(QDialog):
    """Grid, role and date for a new assignment or a transfer, or the end
    date of one. ``action(dialog)`` does the work; a ``ServiceError`` it
    raises is shown and the dialog stays open with what was typed."""

    def __init__(self, db: Database, mode: str, action: Callable[["AssignmentDialog"], None], *,
                 row: AssignmentRow | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._action = action
        titles = {MODE_ADD: self.tr("新增任职"), MODE_TRANSFER: self.tr("调动到其他网格"), MODE_END: self.tr("结束任职")}
        self.setWindowTitle(titles[mode])
        self.setMinimumWidth(420)
        self.area = QComboBox()
        for option in area_options(db, levels=(LEVEL_GRID, LEVEL_MICROGRID)):
            self.area.addItem(option.full_name, option.id)  # "建设东路社区·第一网格": unique in the list
        fit_place_combo(self.area, 20)
        self.role = QComboBox()
        for code, label in code_choices(db, "staff_role")["staff_role"]:
            self.role.addItem(label, code)
        if row is not None:
            self.role.setCurrentIndex(max(0, self.role.findData(row.role)))
        self.day = QLineEdit(date.today().isoformat())
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        form = QFormLayout()
        if row is not None:
            form.addRow(self.tr("原任职"), QLabel(self.tr("{place}　{role}　{start} 起").format(
                place=place_name(row.community, row.area_name), role=row.role_label,
                start=row.start_date.isoformat())))
        if mode != MODE_END:
            form.addRow(self.tr("网格") if mode == MODE_ADD else self.tr("调入网格"), self.area)
            form.addRow(self.tr("岗位"), self.role)
        form.addRow({MODE_ADD: self.tr("开始日期"), MODE_TRANSFER: self.tr("调入日期"),
                     MODE_END: self.tr("结束日期（最后在岗日）")}[mode], self.day)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def area_id(self) -> int:
        return int(self.area.currentData())

    def role_code(self) -> str:
        return str(self.role.currentData())

    def day_value(self) -> date | None:
        return parse_form_date(self.day.text(), "日期", "date")

    def try_save(self) -> None:
        try:
            self._action(self)
        except ServiceError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.accept()


class AssignmentPanel(QWidget):
    """History table + buttons; disabled until the person is saved."""

    def __init__(self, db: Database, staff_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.staff_id = staff_id
        self.rows: list[AssignmentRow] = []
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr("社区/村"), self.tr("网格"), self.tr("岗位"), self.tr("开始日期"), self.tr("结束日期"), self.tr("状态"), self.tr("备注")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton(self.tr("新增任职…"))
        self.transfer_button = QPushButton(self.tr("调动…"))
        self.end_button = QPushButton(self.tr("结束任职…"))
        self.hint = QLabel()
        bar = QHBoxLayout()
        for button in (self.add_button, self.transfer_button, self.end_button):
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)
        self.add_button.clicked.connect(self.add)
        self.transfer_button.clicked.connect(self.transfer)
        self.end_button.clicked.connect(self.end)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def refresh(self) -> None:
        if self.staff_id is None:
            self.hint.setText(self.tr("请先保存人员信息，再添加任职。"))
            self.add_button.setEnabled(False)
            self._update_buttons()
            return
        self.rows = assignments.list_assignments(self.db, self.staff_id)
        today = date.today()
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            values = (row.community, row.area_name, row.role_label, row.start_date.isoformat(),
                      row.end_date.isoformat() if row.end_date else "",
                      "在任" if row.running_on(today) else ("未开始" if row.start_date > today else "已结束"),
                      row.note)
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        running = sum(1 for row in self.rows if row.end_date is None)
        self.hint.setText(self.tr("共 {n} 条任职记录，其中 {r} 条在任。").format(n=len(self.rows), r=running))
        self._update_buttons()

    def selected(self) -> AssignmentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and self.rows else None

    def select_row(self, index: int) -> None:
        self.table.selectRow(index)

    def _update_buttons(self) -> None:
        row = self.selected()
        can = row is not None and row.end_date is None
        self.transfer_button.setEnabled(can)
        self.end_button.setEnabled(can)

    def add(self) -> None:
        def action(d: AssignmentDialog) -> None:
            assignments.assign(self.db, self.staff_id, d.area_id(), d.role_code(), d.day_value())

        self._open(MODE_ADD, action)

    def transfer(self) -> None:
        row = self.selected()
        if row is None:
            return

        def action(d: AssignmentDialog) -> None:
            assignments.transfer(self.db, row.id, d.area_id(), d.day_value(), role=d.role_code(),
                                 expected_version=row.version)

        self._open(MODE_TRANSFER, action, row)

    def end(self) -> None:
        row = self.selected()
        if row is None:
            return

        def action(d: AssignmentDialog) -> None:
            assignments.end_assignment(self.db, row.id, d.day_value(), expected_version=row.version)

        self._open(MODE_END, action, row)

    def _open(self, mode: str, action, row: AssignmentRow | None = None) -> None:
        dialog = AssignmentDialog(self.db, mode, action, row=row, parent=self)
        if run_dialog(dialog):
            self.refresh()
