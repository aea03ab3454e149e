"""Two read-only lists opened from the roster page, each exportable to
xlsx (what is shown):

- ``ExpiringCertificatesDialog`` — 90天内到期的证书, with the holder's
  community and grids; double-click opens the holder;
- ``StaffingDialog`` — 网格配备情况: every grid's 1+3+N staffing and the
  two township-wide lists (no full-time grid worker; more than 500
  households per full-time worker), one tab each.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.services.roster import certificates
from gridadmin.services.roster import staffing
from gridadmin.services.common.paging import Column, ListSource, PageQuery
from gridadmin.ui.common.export_actions import export_xlsx
from gridadmin.ui.common.lazy_table_model import ROW_ROLE, LazyTableModel
from gridadmin.ui.common.widgets import run_dialog, setup_lazy_table


class ListTable(QTableView):
    """A table over rows already computed, shown with ``Column``s (the same
    columns the xlsx export writes)."""

    def __init__(self, rows: Sequence, columns: Sequence[Column], parent: QWidget | None = None):
        super().__init__(parent)
        self.rows = list(rows)
        self.list_model = LazyTableModel(ListSource(self.rows), columns, parent=self)
        setup_lazy_table(self, self.list_model)
        self.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)

    def export_view(self) -> SimpleNamespace:
        return SimpleNamespace(source=self.list_model.source, query=PageQuery(), columns=self.list_model.columns)

    def texts(self) -> list[list[str]]:
        """Cell texts as shown (tests)."""
        model = self.list_model
        return [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]


def _buttons(dialog: QDialog, export: QPushButton) -> QHBoxLayout:
    close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    close.rejected.connect(dialog.reject)
    bar = QHBoxLayout()
    bar.addWidget(export)
    bar.addStretch(1)
    bar.addWidget(close)
    return bar


class ExpiringCertificatesDialog(QDialog):
    """Certificates of serving staff expiring in the next 90 days."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.title = self.tr("90天内到期的证书")
        self.setWindowTitle(self.title)
        self.resize(1000, 520)
        self.summary = QLabel()
        self.table = ListTable([], certificates.expiring_columns(), self)
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(_buttons(self, self.export_button))
        self.export_button.clicked.connect(lambda: export_xlsx(self, self.db, self.table.export_view(),
                                                               self.title, full_numbers=False))
        self.table.doubleClicked.connect(lambda index: self.open_holder(self.table.list_model.data(index, ROW_ROLE)))
        self.refresh()

    def refresh(self) -> None:
        rows = certificates.expiring_certificates(self.db)
        self.table.rows[:] = rows
        self.table.list_model.refresh()
        self.export_button.setEnabled(bool(rows))
        self.summary.setText(
            self.tr("在职人员（在岗、休假）中，共 {n} 个证书将在 90 天内到期（按到期日排列）。双击一行打开该人员。")
            .format(n=len(rows)) if rows else self.tr("未来 90 天内没有到期的证书。"))

    def open_holder(self, row) -> None:
        if row is None:
            return
        from gridadmin.ui.roster.staff_dialog import StaffDialog

        dialog = StaffDialog(self.db, row.staff_id, self)
        dialog.tabs.setCurrentWidget(dialog.certificates)
        run_dialog(dialog)
        self.refresh()


class StaffingDialog(QDialog):
    """网格配备情况: the staffing table and the two lists, one tab each;
    the export writes the tab shown."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(self.tr("网格配备情况"))
        self.resize(1240, 600)
        self.report = staffing.grid_staffing(db)
        rule = self.report.rule
        columns = staffing.staffing_columns(self.report)
        self.all_grids = ListTable(self.report.grids, columns, self)
        self.lacking = ListTable(self.report.lacking, columns, self)
        self.over_limit = ListTable(self.report.over_limit, columns, self)
        self.tabs = QTabWidget()
        self.titles = {
            self.all_grids: self.tr("网格配备情况"),
            self.lacking: self.tr("没有{post}的网格").format(post=rule.responsible_label),
        }
        if rule.max_households:
            self.titles[self.over_limit] = self.tr("每名{post}服务超过{n}户的网格").format(
                post=rule.responsible_label, n=rule.max_households)
        for table, title in self.titles.items():
            self.tabs.addTab(table, f"{title}（{len(table.rows)}）")
        grids = self.report.grids
        posts = "、".join(label for role, label in zip(staffing.CORE_ROLES, self.report.role_labels)
                         if role in rule.core_posts)
        must = (self.tr("每个网格须有{post}（没有住户的专属网格除外）") if rule.required
                else self.tr("不要求每个网格都有{post}")).format(post=rule.responsible_label)
        self.summary = QLabel(self.tr(
            "截至 {d}：共 {g} 个网格，{h:,} 户；没有{post}的网格 {w} 个，每名{post}服务户数超出范围的网格 {o} 个。\n"
            "本乡镇的配备规则（系统设置 → 网格配备）：设置岗位 {posts}；网格责任人为{post}，{must}；"
            "每名{post}服务 {range}。微网格的户数和人员计入所属网格。")
            .format(d=self.report.today.isoformat(), g=len(grids), h=sum(g.households for g in grids),
                    w=len(self.report.lacking), o=len(self.report.over_limit), post=rule.responsible_label,
                    posts=posts, must=must, range=rule.range_text))
        self.summary.setWordWrap(True)
        self.export_button = QPushButton(self.tr("导出当前列表到 Excel…"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(_buttons(self, self.export_button))
        self.export_button.clicked.connect(self.export_current)

    def export_current(self):
        table = self.tabs.currentWidget()
        return export_xlsx(self, self.db, table.export_view(), self.titles[table], full_numbers=False)
