"""A staff member's training history with credited hours per year (shown
in the staff dialog)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from gridadmin.db import Database
from gridadmin.models.training import ATTENDANCE_LABELS
from gridadmin.services.training.compliance import staff_history
from gridadmin.ui.common.widgets import setup_table

HEADERS = ("日期", "培训名称", "签到", "认定学时", "成绩", "合格")


class TrainingHistoryPanel(QWidget):
    def __init__(self, db: Database, staff_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr("日期"), self.tr("培训名称"), self.tr("签到"), self.tr("认定学时"), self.tr("成绩"), self.tr("合格")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        setup_table(self.table, stretch_column=1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.totals)
        layout.addWidget(self.table)
        if staff_id is None:
            self.totals.setText(self.tr("保存后可查看培训记录。"))
            return
        rows, totals = staff_history(db, staff_id)
        self.totals.setText(self.tr("历年认定学时：") + ("；".join(f"{year} 年 {hours:g} 学时"
                                                             for year, hours in sorted(totals.items(), reverse=True))
                                                  or self.tr("暂无")))
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = (row.start_date.isoformat(), row.name, ATTENDANCE_LABELS.get(row.status, row.status),
                      f"{row.hours_credited:g}", "" if row.score is None else f"{row.score:g}",
                      "" if row.passed is None else ("是" if row.passed else "否"))
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
