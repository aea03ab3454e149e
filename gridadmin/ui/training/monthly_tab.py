"""月度统计: hours credited per month of the year as a bar chart, and a
table month / 场次 / 人次 / 学时."""

from __future__ import annotations

from datetime import date

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QHBoxLayout, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from gridadmin.db import Database
from gridadmin.services.training import compliance as training_compliance
from gridadmin.ui.training.common import hours_text

BAR_COLOUR = "#3c78b4"


class MonthlyTab(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.year = date.today().year
        font = QApplication.font()
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showGrid(y=True, alpha=0.25)
        item = self.plot.getPlotItem()
        for name in ("bottom", "left"):
            axis = item.getAxis(name)
            axis.setTickFont(font)
            axis.setTextPen("#333")
            axis.setPen("#888")
        item.getAxis("bottom").setTicks([[(m, self.tr("{m}月").format(m=m)) for m in range(1, 13)]])
        self._label_style = {"font-family": font.family(), "font-size": f"{font.pointSize()}pt", "color": "#333"}
        item.setLabel("left", self.tr("认定学时"), **self._label_style)
        self.bars = pg.BarGraphItem(x=list(range(1, 13)), height=[0] * 12, width=0.6, brush=BAR_COLOUR)
        self.plot.addItem(self.bars)
        self.plot.setXRange(0.4, 12.6, padding=0)

        self.table = QTableWidget(13, 4)
        self.table.setHorizontalHeaderLabels([self.tr("月份"), self.tr("场次"), self.tr("人次"), self.tr("学时")])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setFixedWidth(300)

        layout = QHBoxLayout(self)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.table)

    def set_year(self, year: int) -> None:
        self.year = year
        self.refresh()

    def refresh(self) -> None:
        months = training_compliance.monthly_totals(self.db, self.year)
        heights = [m.hours for m in months]
        self.bars.setOpts(height=heights)
        self.plot.setYRange(0, max(heights + [1.0]) * 1.1, padding=0)
        self.plot.setTitle(self.tr("{y} 年各月培训认定学时").format(y=self.year), color="#333",
                           size=f"{QApplication.font().pointSize() + 1}pt")
        total = (sum(m.sessions for m in months), sum(m.attendances for m in months), sum(heights))
        lines = [(self.tr("{m}月").format(m=m.month), m.sessions, m.attendances, m.hours) for m in months]
        lines.append((self.tr("合计"), *total))
        for row, (label, sessions, people, hours) in enumerate(lines):
            for column, text in enumerate((label, str(sessions), str(people), hours_text(hours))):
                cell = QTableWidgetItem(text)
                if column:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if row == 12:
                    cell.setBackground(QColor("#eef2f7"))
                self.table.setItem(row, column, cell)

    def bar_heights(self) -> list[float]:
        return [float(h) for h in self.bars.opts["height"]]
