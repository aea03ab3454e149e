"""数据导入: the import wizard (选择文件 → 核对列 → 预览检查 → 完成) and
the import history, on two tabs. The work is done by
``gridadmin.services.importing``; the widgets live in ``gridadmin.ui.importing``."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from gridadmin.db import Database
from gridadmin.ui.importing.history_tab import HistoryTab
from gridadmin.ui.importing.wizard import ImportWizard


class ImportPage(QWidget):
    page_name = "import"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.wizard = ImportWizard(db)
        self.history = HistoryTab(db)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.wizard, self.tr("导入向导"))
        self.tabs.addTab(self.history, self.tr("导入记录"))
        title = QLabel(self.tr("数据导入"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)
        self.wizard.imported.connect(lambda _batch: self.history.refresh())
        self.wizard.history_wanted.connect(lambda: self.tabs.setCurrentWidget(self.history))
        self.tabs.currentChanged.connect(lambda _i: self.tabs.currentWidget() is self.history and self.history.refresh())
        self.history.refresh()

    def refresh(self) -> None:
        self.history.refresh()
