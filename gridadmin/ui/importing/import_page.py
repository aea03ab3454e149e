"""数据导入: the import wizard (选择文件 → 核对列 → 预览检查 → 完成), the
import history, and 导出数据 (a whole kind in its import columns), on
three tabs. The work is done by
``gridadmin.services.importing``; the widgets live in ``gridadmin.ui.importing``."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from gridadmin.db import Database
from gridadmin.ui.importing.export_tab import ExportTab
from gridadmin.ui.importing.history_tab import HistoryTab
from gridadmin.ui.importing.wizard import ImportWizard


class ImportPage(QWidget):
    page_name = "import"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.wizard = ImportWizard(db)
        self.history = HistoryTab(db)
        self.export_tab = ExportTab(db)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.wizard, self.tr("导入向导"))
        self.tabs.addTab(self.history, self.tr("导入记录"))
        self.tabs.addTab(self.export_tab, self.tr("导出数据"))
        title = QLabel(self.tr("数据导入"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)
        self.wizard.imported.connect(lambda _batch: self.history.refresh())
        self.wizard.history_wanted.connect(lambda: self.tabs.setCurrentWidget(self.history))
        self.history.undone.connect(self.wizard.result_step.mark_undone)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.history.refresh()

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.history:
            self.history.refresh()
            self._check_undone()
        elif self.tabs.currentWidget() is self.wizard:
            self.history.refresh()
            self._check_undone()
        elif self.tabs.currentWidget() is self.export_tab:
            self.export_tab.refresh()

    def refresh(self) -> None:
        self.history.refresh()
        self._check_undone()

    def _check_undone(self) -> None:
        """The 完成 page of a batch undone meanwhile (by another clerk, the
        command line) says so too."""
        result = self.wizard.result_step.result
        if result is None or result.batch_id is None:
            return
        batch = next((b for b in self.history.batches if b.id == result.batch_id), None)
        if batch is not None and batch.undone_at is not None:
            self.wizard.result_step.mark_undone(batch.id, batch.undone_at)
