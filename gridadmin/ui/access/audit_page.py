"""操作日志: the audit trail for the administrator — filter by user, date,
object and action; see a change's old and new values; a record's whole
history; export to xlsx. Nothing here can change the log."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QHeaderView, QLabel, QMessageBox, QPlainTextEdit,
    QPushButton,
    QSplitter, QTableView, QVBoxLayout, QWidget,
)
from PySide6.QtCore import Qt

from gridadmin import APP_TITLE
from gridadmin.db import Database
from gridadmin.services.access.permissions import MANAGE_USERS, acting
from gridadmin.services.access.audit import ACTION_LABELS
from gridadmin.services.access.audit_log import (
    ENTITY_LABELS, AuditFilter, audit_columns, audit_source, audit_usernames, export_audit,
)
from gridadmin.services.common.paging import PageQuery
from gridadmin.ui.common.lazy_table_model import ROW_ROLE, LazyTableModel


from gridadmin.ui.common.flow_layout import flow_row, joined
from gridadmin.ui.common.widgets import EmptyState
from gridadmin.ui.common.file_dialogs import ask_save_path


class AuditPage(QWidget):
    page_name = "audit"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        title = QLabel(self.tr("操作日志"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        if not acting(db).can(MANAGE_USERS):
            layout.addWidget(QLabel(self.tr("只有管理员可以查看操作日志。")))
            layout.addStretch(1)
            self.model = None
            return
        self.user = QComboBox()
        self.user.addItem(self.tr("全部用户"), "")
        for name in audit_usernames(db):
            self.user.addItem(name, name)
        self.action = QComboBox()
        self.action.addItem(self.tr("全部操作"), "")
        for key, label in {**ACTION_LABELS, "backup": "备份", "restore": "恢复"}.items():
            self.action.addItem(label, key)
        self.entity = QComboBox()
        self.entity.addItem(self.tr("全部对象"), "")
        for key, label in ENTITY_LABELS.items():
            self.entity.addItem(label, key)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addMonths(-1))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.history_button = QPushButton(self.tr("此记录的全部历史"))
        self.export_button = QPushButton(self.tr("导出…"))
        bar = flow_row(self.user, self.action, self.entity, joined(QLabel(self.tr("从")), self.date_from),
                       joined(QLabel(self.tr("到")), self.date_to), self.history_button, self.export_button)
        self.model = LazyTableModel(audit_source(db), audit_columns(), query=PageQuery(self.current_filter(), "at", True),
                                    parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.empty_state = EmptyState(self.table, self.tr(
            "没有符合条件的操作记录。新增、修改、导入、打印等操作会自动记录在这里；可以调整上面的日期和筛选条件。"))
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for index, column in enumerate(self.model.columns):
            if column.width:
                self.table.setColumnWidth(index, column.width)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setPlaceholderText(self.tr("选择一行查看修改前后的内容"))
        self.count = QLabel()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setSizes([500, 160])
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.count)
        for combo in (self.user, self.action, self.entity):
            combo.currentIndexChanged.connect(self.apply_filter)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.apply_filter)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.show_details())
        self.history_button.clicked.connect(self.show_record_history)
        self.export_button.clicked.connect(self.export)
        self._update_count()

    def current_filter(self, **overrides) -> AuditFilter:
        values = dict(username=self.user.currentData() or None, action=self.action.currentData() or None,
                      entity=self.entity.currentData() or None, date_from=self.date_from.date().toPython(),
                      date_to=self.date_to.date().toPython())
        values.update(overrides)
        return AuditFilter(**values)

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(self.tr("共 {n} 条记录").format(n=self.model.rowCount()))

    def selected_row(self):
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def show_details(self) -> None:
        row = self.selected_row()
        if row is None:
            self.details.clear()
            return
        lines = [f"{row.at:%Y-%m-%d %H:%M:%S}  {row.username or ''}  {row.action_label}  {row.entity_label} "
                 f"{row.entity_id or ''}", row.summary or ""] + row.change_lines()
        self.details.setPlainText("\n".join(line for line in lines if line))

    def show_record_history(self) -> None:
        row = self.selected_row()
        if row is None or row.entity_id is None:
            return
        self.model.set_filter(AuditFilter(entity=row.entity, entity_id=row.entity_id))
        self.count.setText(self.tr("“{entity} {id}”的全部历史：{n} 条（改动任一筛选条件即可返回）").format(
            entity=row.entity_label, id=row.entity_id, n=self.model.rowCount()))

    def export(self) -> None:
        path = ask_save_path(self, self.tr("导出操作日志"), f"操作日志_{date.today():%Y%m%d}.xlsx",
                             self.tr("Excel 文件 (*.xlsx)"), ".xlsx")
        if not path:
            return
        count = export_audit(self.db, self.model.query.filter, Path(path))
        QMessageBox.information(self, APP_TITLE, self.tr("已导出 {n} 条记录到 {path}").format(n=count, path=path))
