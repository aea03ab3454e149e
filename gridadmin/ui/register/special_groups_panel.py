"""人群统计: residents in the register and holders of each special
group per community, today or as of a chosen day (the third tab of the
residents page). Clicking a count shows those residents in the 人员 tab —
today's register, or the register as of the chosen past day; the table
exports to xlsx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from gridadmin.db import Database
from gridadmin.services.common.paging import ListSource
from gridadmin.services.register.special_groups import GroupCountRow, count_columns, special_group_counts
from gridadmin.ui.common.export_actions import export_xlsx
from gridadmin.ui.common.lazy_table_model import ROW_ROLE, LazyTableModel
from gridadmin.ui.common.widgets import setup_lazy_table


class SpecialGroupsPanel(QWidget):
    """The counts table with a date picker. ``on_cell(tag kind id or None,
    community id or None, day or None)`` is called when a count is clicked;
    the day is the figures' date when it is in the past (the residents list
    then shows the register as of that day), None for today's figures."""

    def __init__(self, db: Database, parent: QWidget | None = None,
                 on_cell: Callable[[int | None, int | None, date | None], None] | None = None):
        super().__init__(parent)
        self.db = db
        self.on_cell = on_cell
        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setMaximumDate(QDate.currentDate())
        self.today_button = QPushButton(self.tr("今天"))
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.table = QTableView()
        self.counts = special_group_counts(db)
        self.model = LazyTableModel(ListSource(self.counts.rows), count_columns(self.counts), parent=self)
        setup_lazy_table(self.table, self.model)
        self.table.horizontalHeader().setStretchLastSection(False)

        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("统计日期")))
        row.addWidget(self.day)
        row.addWidget(self.today_button)
        row.addStretch(1)
        row.addWidget(self.export_button)
        row.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

        self.day.dateChanged.connect(lambda _d: self.refresh())
        self.today_button.clicked.connect(lambda: self.day.setDate(QDate.currentDate()))
        self.refresh_button.clicked.connect(self.refresh)
        self.table.clicked.connect(self._clicked)
        self.export_button.clicked.connect(lambda: export_xlsx(
            self, self.db, self.model, self.tr("人群统计_{day}").format(day=self.counts.on.strftime("%Y%m%d")),
            full_numbers=False))
        self._update_note()

    def chosen_day(self) -> date:
        return self.day.date().toPython()

    def refresh(self) -> None:
        """Recount for the chosen day."""
        self.counts = special_group_counts(self.db, self.chosen_day())
        self.model.source.rows = self.counts.rows  # the panel's own ListSource
        self.model.set_columns(count_columns(self.counts))
        self.model.refresh()
        self._update_note()

    def _update_note(self) -> None:
        if self.counts.on >= date.today():
            text = self.tr("当前在册人口及特殊人群、重点人员、关怀对象各类别人数（老年人、高龄老人按出生日期计算）。"
                           "点击人数可在“人员”页查看名单。")
        else:
            text = self.tr("{day} 当天的在册人口及特殊人群、重点人员、关怀对象人数（按当时的户籍和迁移记录推算）。"
                           "点击人数可在“人员”页查看当天的名单。").format(day=self.counts.on.isoformat())
        self.note.setText(text)

    def _clicked(self, index) -> None:
        row: GroupCountRow | None = self.model.data(index, ROW_ROLE)
        if row is None or self.on_cell is None:
            return
        key = self.model.columns[index.column()].key
        community = int(key[1:]) if key.startswith("c") and key[1:].isdigit() else None
        self.on_cell(row.tag_kind_id, community, self.counts.on if self.counts.on < date.today() else None)
