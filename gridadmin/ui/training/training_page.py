"""培训管理: year selector, then the tabs 培训场次 / 学时达标 / 月度统计.
Every change goes through ``gridadmin.services.training.sessions`` and
``training_compliance``; the tabs live in ``gridadmin.ui.training``."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from gridadmin.db import Database
from gridadmin.services.training import sessions as training
from gridadmin.ui.training.compliance_tab import ComplianceTab
from gridadmin.ui.training.monthly_tab import MonthlyTab
from gridadmin.ui.training.sessions_tab import SessionsTab


class TrainingPage(QWidget):
    """``refresh()`` reloads the current tab; other tabs reload when shown."""

    page_name = "training"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.codes = training.training_code_lists(db)
        self.year_box = QComboBox()
        self.year_box.setMinimumContentsLength(8)
        self.full_numbers = QCheckBox(self.tr("显示完整号码"))
        self.full_numbers.setToolTip(self.tr("签到管理与打印的签到表中显示完整联系电话"))
        self.sessions = SessionsTab(db, self.codes, self.full_numbers.isChecked, self)
        self.compliance = ComplianceTab(db, self.codes, self)
        self.monthly = MonthlyTab(db, self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.sessions, self.tr("培训场次"))
        self.tabs.addTab(self.compliance, self.tr("学时达标"))
        self.tabs.addTab(self.monthly, self.tr("月度统计"))
        self._stale: set[QWidget] = set()

        title = QLabel(self.tr("培训管理"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(24)
        bar.addWidget(QLabel(self.tr("年度")))
        bar.addWidget(self.year_box)
        bar.addStretch(1)
        bar.addWidget(self.full_numbers)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)

        self._fill_years(date.today().year)
        self.year_box.currentIndexChanged.connect(lambda _i: self._year_changed())
        self.tabs.currentChanged.connect(lambda _i: self._show_current())
        self.sessions.changed.connect(self._hours_changed)
        self.sessions.year_wanted.connect(self.set_year)
        QShortcut(QKeySequence.StandardKey.New, self, self._new_session)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh)
        self._year_changed()

    def _fill_years(self, selected: int) -> None:
        years = set(training.training_years(self.db)) | {date.today().year, selected}
        self.year_box.blockSignals(True)
        self.year_box.clear()
        for year in sorted(years, reverse=True):
            self.year_box.addItem(self.tr("{y} 年").format(y=year), year)
        self.year_box.setCurrentIndex(self.year_box.findData(selected))
        self.year_box.blockSignals(False)

    def year(self) -> int:
        return int(self.year_box.currentData())

    def set_year(self, year: int) -> None:
        if self.year_box.findData(year) < 0:
            self._fill_years(year)
            self._year_changed()
        else:
            self.year_box.setCurrentIndex(self.year_box.findData(year))

    def _year_changed(self) -> None:
        year = self.year()
        for tab in (self.sessions, self.compliance, self.monthly):
            tab.year = year
        self.sessions.reload_areas()
        self._stale = {self.sessions, self.compliance, self.monthly}
        self._show_current()

    def _hours_changed(self) -> None:
        self._stale |= {self.compliance, self.monthly}

    def _show_current(self) -> None:
        tab = self.tabs.currentWidget()
        if tab in self._stale:
            self._stale.discard(tab)
            tab.refresh()

    def refresh(self) -> None:
        self.sessions.reload_areas()
        self._stale = {self.sessions, self.compliance, self.monthly}
        self._show_current()

    def _new_session(self) -> None:
        self.tabs.setCurrentWidget(self.sessions)
        self.sessions.new_session()
