"""待办提醒: what is due (人群类别到期, 年龄提醒, 证书到期, 居住证到期, see
``services.register.reminders``) in one table; the chosen line is
confirmed with one click (the dated change is made and audited) or
dismissed with a reason. Nothing changes without that click."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.register.reminders import Reminder, confirm_reminder, dismiss_reminder, due_reminders
from gridadmin.ui.common.widgets import error_label, setup_table, show_error


class RemindersPage(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.reminders: list[Reminder] = []
        intro = QLabel(self.tr("到期需要处理的事项：人群类别到期（矫正期满、安置帮教期满、重点青少年满 35 岁）、"
                               "本月年满 60/80 周岁、30 天内到期的居住证、90 天内到期的网格员证书。"
                               "“确认”后才会记录变动；不需处理的请填写原因后“忽略”。"))
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([self.tr("类型"), self.tr("对象"), self.tr("所属网格"), self.tr("日期"),
                                              self.tr("说明")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        setup_table(self.table, stretch_column=4)
        self.empty = QLabel(self.tr("当前没有待办提醒。"))
        self.confirm_button = QPushButton(self.tr("确认"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("忽略原因（必填）"))
        self.dismiss_button = QPushButton(self.tr("忽略"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.note = QLabel()
        self.error = error_label()
        bar = QHBoxLayout()
        bar.addWidget(self.confirm_button)
        bar.addSpacing(16)
        bar.addWidget(self.reason, 1)
        bar.addWidget(self.dismiss_button)
        bar.addStretch(0)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.confirm_button.clicked.connect(self.confirm)
        self.dismiss_button.clicked.connect(self.dismiss)
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.reminders = due_reminders(self.db)
        self.table.setRowCount(len(self.reminders))
        for row, r in enumerate(self.reminders):
            for column, text in enumerate((r.kind_label, r.subject, r.place, r.due_date.isoformat(), r.detail)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.empty.setVisible(not self.reminders)
        if self.reminders:
            self.table.selectRow(0)
        self._update_buttons()

    def current(self) -> Reminder | None:
        row = self.table.currentRow()
        return self.reminders[row] if 0 <= row < len(self.reminders) else None

    def _update_buttons(self) -> None:
        r = self.current()
        self.confirm_button.setEnabled(r is not None)
        self.dismiss_button.setEnabled(r is not None)
        self.confirm_button.setText(r.confirm_label if r is not None else self.tr("确认"))

    def confirm(self) -> bool:
        r = self.current()
        if r is None:
            return False
        try:
            done = confirm_reminder(self.db, r.kind, r.ref_id, r.due_date)
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return False
        show_error(self.error, "")
        self.note.setText(self.tr("已记录：") + done)
        self.refresh()
        return True

    def dismiss(self) -> bool:
        r = self.current()
        if r is None:
            return False
        try:
            dismiss_reminder(self.db, r.kind, r.ref_id, r.due_date, self.reason.text())
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return False
        show_error(self.error, "")
        self.note.setText(self.tr("已忽略：{what}（{who}）").format(what=r.kind_label, who=r.subject))
        self.reason.clear()
        self.refresh()
        return True
