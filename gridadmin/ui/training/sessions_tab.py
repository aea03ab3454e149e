"""培训场次: the sessions of the year with new / edit / cancel / attendance /
print sign-in sheet."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication, QLabel, QMessageBox, QPushButton, QTableView, QVBoxLayout,
    QWidget,
)

from gridadmin import APP_TITLE
from gridadmin.db import Database
from gridadmin.services.areas import tree as areas
from gridadmin.services.training import sessions as training
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.reports.signin_sheet import signin_sheet_pdf
from gridadmin.services.training.sessions import SessionRow, TrainingCodeLists
from gridadmin.ui.training.attendance_dialog import AttendanceDialog
from gridadmin.ui.common.flow_layout import flow_row
from gridadmin.ui.common.pdf_viewer import show_pdf
from gridadmin.ui.common.widgets import EmptyState, run_dialog, setup_table
from gridadmin.ui.training.models import ROW_ROLE, SessionTableModel
from gridadmin.services.training.targets import community_choices
from gridadmin.ui.training.session_dialog import SessionDialog
from gridadmin.ui.common.file_dialogs import ask_save_path


def default_sheet_name(name: str) -> str:
    """培训签到表_<名称>.pdf, with characters a file name cannot hold replaced."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_") or "培训"
    return f"培训签到表_{safe}.pdf"


class SessionsTab(QWidget):
    """``full_numbers()`` tells whether printouts show whole phone numbers;
    ``changed`` fires after anything that alters hours or attendance."""

    changed = Signal()
    year_wanted = Signal(int)

    def __init__(self, db: Database, codes: TrainingCodeLists, full_numbers, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.codes = codes
        self.full_numbers = full_numbers
        self.year = date.today().year
        self.model = SessionTableModel(codes, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        setup_table(self.table, stretch_column=9)
        self.empty_state = EmptyState(self.table, lambda: self.tr(
            "{year} 年还没有培训。可以点击“新建培训”登记一场培训，再在“签到管理”中添加参加人员。").format(year=self.year))
        self.table.doubleClicked.connect(lambda _index: self.manage_attendance())
        self.new_button = QPushButton(self.tr("新建培训"))
        self.new_button.setToolTip(self.tr("新建培训场次（Ctrl+N）"))
        self.edit_button = QPushButton(self.tr("编辑(&E)"))
        self.cancel_button = QPushButton(self.tr("取消培训"))
        self.attendance_button = QPushButton(self.tr("签到管理(&A)"))
        self.print_button = QPushButton(self.tr("打印签到表(&P)"))
        self.summary = QLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        self._areas: list | None = None  # the area list of the attendance dialog, loaded once

        bar = flow_row(self.new_button, self.edit_button, self.cancel_button, self.attendance_button,
                       self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)

        self.new_button.clicked.connect(self.new_session)
        self.edit_button.clicked.connect(self.edit_selected)
        self.cancel_button.clicked.connect(self.toggle_cancelled)
        self.attendance_button.clicked.connect(self.manage_attendance)
        self.print_button.clicked.connect(self.print_sheet)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

    def set_year(self, year: int) -> None:
        self.year = year
        self.reload_areas()
        self.refresh()

    def reload_areas(self) -> None:
        """Forget the cached area list (after F5 or a change of year)."""
        self._areas = None

    def refresh(self, select_id: int | None = None) -> None:
        current = self.selected()
        select_id = select_id if select_id is not None else (current.id if current else None)
        rows = training.list_sessions(self.db, year=self.year)
        self.model.set_rows(rows)
        ids = [r.id for r in rows]
        if select_id in ids:
            self.table.selectRow(ids.index(select_id))
        elif rows:
            self.table.selectRow(0)
        held = [r for r in rows if not r.cancelled]
        invited = sum(r.invited for r in held)
        present = sum(r.present for r in held)
        text = self.tr("{y} 年共 {n} 场培训，应到 {i} 人次，实到 {p} 人次").format(
            y=self.year, n=len(held), i=invited, p=present)
        if invited:
            text += self.tr("，出勤率 {r:.1%}").format(r=present / invited)
        if len(rows) > len(held):
            text += self.tr("；另有 {c} 场已取消").format(c=len(rows) - len(held))
        self.summary.setText(text)
        self._update_buttons()

    def selected(self) -> SessionRow | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        return self.model.data(rows[0], ROW_ROLE) if rows else None

    def _update_buttons(self) -> None:
        row = self.selected()
        for button in (self.edit_button, self.cancel_button, self.attendance_button, self.print_button):
            button.setEnabled(row is not None)
        self.cancel_button.setText(self.tr("恢复培训") if row is not None and row.cancelled else self.tr("取消培训"))

    # -- actions ---------------------------------------------------------
    def _reload_codes(self) -> None:
        """Pick up list edits made in 系统设置 since the page was built."""
        self.codes = self.model.codes = training.training_code_lists(self.db)

    def new_session(self) -> None:
        created: list[int] = []
        today = date.today()
        day = today if today.year == self.year else date(self.year, 1, 1)
        self._reload_codes()
        dialog = SessionDialog(self.codes, lambda data: created.append(training.create_session(self.db, data)),
                               day=day, communities=community_choices(self.db), parent=self)
        if run_dialog(dialog) and created:
            self._after_change(created[0], dialog.typed().start_date.year)

    def edit_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        self._reload_codes()
        dialog = SessionDialog(self.codes, lambda data: training.update_session(
            self.db, row.id, data, expected_version=row.version), session=row,
            communities=community_choices(self.db), parent=self)
        if run_dialog(dialog):
            self._after_change(row.id, dialog.typed().start_date.year)

    def toggle_cancelled(self) -> None:
        row = self.selected()
        if row is None:
            return
        if not row.cancelled and QMessageBox.question(
                self, APP_TITLE, self.tr("取消培训“{name}”？\n记录和签到名单都会保留，但不再计入学时；可随时恢复。").format(
                    name=row.name)) != QMessageBox.StandardButton.Yes:
            return
        try:
            training.set_session_cancelled(self.db, row.id, not row.cancelled)
        except ServiceError as exc:
            QMessageBox.warning(self, APP_TITLE, exc.message)
        self._after_change(row.id, self.year)

    def manage_attendance(self) -> None:
        row = self.selected()
        if row is None:
            return
        if self._areas is None:
            self._areas = areas.load_tree(self.db, include_inactive=False, counts=False)
        dialog = AttendanceDialog(self.db, row, self.codes, full_numbers=self.full_numbers(), area_nodes=self._areas,
                                  parent=self)
        run_dialog(dialog)
        self._after_change(row.id, self.year)

    def print_sheet(self) -> None:
        row = self.selected()
        if row is None:
            return
        path = ask_save_path(self, self.tr("保存培训签到表"), default_sheet_name(row.name), self.tr("PDF 文件 (*.pdf)"))
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            pages = signin_sheet_pdf(self.db, row.id, path, full_numbers=self.full_numbers())
        except (ServiceError, OSError) as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, APP_TITLE, self.tr("签到表未能保存：{e}").format(
                e=getattr(exc, "message", None) or str(exc)))
            return
        QApplication.restoreOverrideCursor()
        self.status.setText(self.tr("已保存签到表：{path}（共 {n} 页）").format(path=path, n=pages))
        self.status.show()
        self.pdf_preview = show_pdf(self, path, self.tr("培训签到表 — {name}").format(name=row.name), self.status.text())

    def _after_change(self, session_id: int, year: int) -> None:
        """Show the year of the session just saved, select it and tell the
        other tabs that hours may have changed."""
        if year != self.year:
            self.year_wanted.emit(year)
        self.refresh(session_id)
        self.changed.emit()
