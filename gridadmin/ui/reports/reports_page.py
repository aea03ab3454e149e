"""报表打印: pick a month and a scope, generate the monthly report (off the
UI thread) into the data folder, read it in the PDF viewer (zoom, pages,
thumbnails), print it through the system print dialog, save a copy; the
history of generated reports reopens any of them. 上报本月 marks the month's
report as 已上报 (管理员/业务员); a 管理员 may withdraw it with a reason. For a
submitted month the page says who submitted it and when, and how the
register differs today (the late changes)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QMessageBox,
    QPushButton, QSplitter, QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from gridadmin import APP_TITLE
from gridadmin.db import Database
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_TOWNSHIP
from gridadmin.services.access.permissions import (
    EXPORT, PERMISSION_LABELS, SUBMIT_REPORT, WITHDRAW_REPORT, acting, readable_areas,
)
from gridadmin.services.areas.tree import load_tree
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.reports.history import (
    ReportRow, generate_monthly_report, get_report, list_reports, previous_month, record_print, save_copy,
)
from gridadmin.services.reports.submission import (
    SubmissionDiff, report_diff, submission_of, submit_monthly_report, withdraw_submission,
)
from gridadmin.ui.common.jobs import run_job
from gridadmin.ui.common.pdf_viewer import PRINT_DPI, PdfViewer, print_document  # noqa: F401 - re-exported
from gridadmin.ui.common.widgets import EmptyState
from gridadmin.ui.common.file_dialogs import ask_save_path

HISTORY_COLUMNS = ("月份", "范围", "生成人", "生成时间", "文件")


SHOWN_LATE = 5  # late changes named on the 已上报 line (the PDF lists them all)

class ReportsPage(QWidget):
    page_name = "reports"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.current: ReportRow | None = None
        title = QLabel(self.tr("报表打印"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.addWidget(title)

        year, month = previous_month()
        self.month = QDateEdit(QDate(year, month, 1))
        self.month.setDisplayFormat("yyyy-MM")
        self.month.setCalendarPopup(True)
        self.month.setToolTip(self.tr("报告月份（默认上个月）"))
        self.scope = QComboBox()
        self.scope.setMinimumContentsLength(10)
        self._fill_scopes()
        self.generate_button = QPushButton(self.tr("生成"))
        self.print_button = QPushButton(self.tr("打印…"))
        self.save_button = QPushButton(self.tr("另存为…"))
        self.submit_button = QPushButton(self.tr("上报本月"))
        self.submit_button.setToolTip(self.tr("将所选月份的月报标记为已上报：保存本月数字和 PDF，"
                                              "此后补录的变动作为更正计入下月报表"))
        self.withdraw_button = QPushButton(self.tr("撤回上报…"))
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("报告月份")))
        bar.addWidget(self.month)
        bar.addWidget(QLabel(self.tr("统计范围")))
        bar.addWidget(self.scope)
        bar.addWidget(self.generate_button)
        bar.addWidget(self.submit_button)
        bar.addWidget(self.withdraw_button)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        layout.addLayout(bar)

        self.refusal = QLabel()
        self.refusal.setStyleSheet("color: #b00020;")
        self.refusal.setWordWrap(True)
        self.refusal.hide()
        layout.addWidget(self.refusal)

        self.submission_label = QLabel()
        self.submission_label.setWordWrap(True)
        self.submission_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.submission_label)

        self.history = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history.setHorizontalHeaderLabels([self.tr("月份"), self.tr("范围"), self.tr("生成人"), self.tr("生成时间"),
                                                self.tr("文件")])
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history.verticalHeader().hide()
        header = self.history.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.history.setToolTip(self.tr("双击打开报表"))
        self.empty_state = EmptyState(self.history, self.tr("还没有生成过月报。选好报告月份和统计范围，点击“生成”。"))
        history_box = QWidget()
        history_layout = QVBoxLayout(history_box)
        history_layout.setContentsMargins(0, 0, 0, 0)
        history_layout.addWidget(QLabel(self.tr("已生成的报表（双击打开）")))
        history_layout.addWidget(self.history, 1)
        self.history_details = QLabel()  # the selected report in full, its file's checksum too (no jargon column)
        self.history_details.setWordWrap(True)
        self.history_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history_details.setStyleSheet("background: #f6f6f6; padding: 4px;")
        self.history_details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.history_details.setMinimumHeight(self.fontMetrics().lineSpacing() * 5 + 8)  # never cut to one line
        history_layout.addWidget(self.history_details)
        self.history.itemSelectionChanged.connect(self._history_selected)

        self.viewer = PdfViewer(self)
        self.document = self.viewer.document
        self.view = self.viewer.view
        self.preview_hint = QLabel(self.tr("生成月报，或双击左侧已生成的报表，在这里预览。\n"
                                           "预览后可以打印，或另存为 PDF。"))
        self.preview_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_hint.setWordWrap(True)
        self.preview_hint.setStyleSheet("color: #666; font-size: 11pt; background: #f4f4f4;")
        self.preview = QStackedWidget()
        self.preview.addWidget(self.preview_hint)
        self.preview.addWidget(self.viewer)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(history_box)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([320, 880])  # the preview is what is read; the list can be widened by hand
        layout.addWidget(splitter, 1)
        self.status = QLabel(self.tr("选择月份和范围后点击“生成”。"))
        self.status.setWordWrap(True)  # a long file path must not widen the window
        layout.addWidget(self.status)

        self.generate_button.clicked.connect(self.generate)
        self.print_button.clicked.connect(self.print_report)
        self.save_button.clicked.connect(self.save_as)
        self.submit_button.clicked.connect(self.submit)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.month.dateChanged.connect(lambda _d: self.refresh_submission())
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh_submission())
        self.history.cellDoubleClicked.connect(lambda row, _col: self.open_row(row))
        self._rows: list[ReportRow] = []
        self.refresh_history()
        self._apply_permission()
        self._update_buttons()
        self.refresh_submission()

    # --- set-up -----------------------------------------------------------
    def _fill_scopes(self) -> None:
        readable = readable_areas(self.db)  # a user limited to some areas reports on those only
        if readable is None:
            self.scope.addItem(self.tr("全镇（街道）"), None)
        nodes = load_tree(self.db, counts=False)
        for node in nodes:
            if node.level == LEVEL_TOWNSHIP and readable is None and self.scope.count() == 1:
                self.scope.setItemText(0, self.tr("全镇（街道）：{name}").format(name=node.name))
        for node in nodes:
            if node.level == LEVEL_COMMUNITY and node.active and (readable is None or node.id in readable):
                self.scope.addItem(node.name, node.id)

    def _apply_permission(self) -> None:
        actor = acting(self.db)
        self.can_export = actor.can(EXPORT)
        if not self.can_export:
            self.refusal.setText(self.tr("当前用户“{name}”（{roles}）无权{what}，不能生成、打印或另存报表。").format(
                name=actor.display_name, roles=actor.role_labels, what=PERMISSION_LABELS[EXPORT]))
            self.refusal.show()
            self.generate_button.setEnabled(False)
        self.can_submit = actor.can(SUBMIT_REPORT)
        self.can_withdraw = actor.can(WITHDRAW_REPORT)
        self.submit_button.setVisible(self.can_submit)
        self.withdraw_button.setVisible(self.can_withdraw)

    def _update_buttons(self) -> None:
        has = self.current is not None and self.document.pageCount() > 0
        self.print_button.setEnabled(has and self.can_export)
        self.save_button.setEnabled(has and self.can_export)

    # --- submission (已上报) ------------------------------------------------
    def _picked(self) -> tuple[int, int, int | None]:
        picked = self.month.date()
        return picked.year(), picked.month(), self.scope.currentData()

    def refresh_submission(self) -> SubmissionDiff | None:
        """Say whether the picked month is submitted (who, when) and how the
        register differs from the submitted figures today."""
        year, month, scope_id = self._picked()
        try:
            info = submission_of(self.db, year, month, scope_id)
            diff = report_diff(self.db, year, month, scope_id) if info is not None else None
        except ServiceError as error:
            self.submission_label.setText(error.message)
            return None
        self.submit_button.setEnabled(info is None)
        self.withdraw_button.setEnabled(info is not None)
        if diff is None:
            self.submission_label.setText(self.tr("{y}年{m}月：未上报。").format(y=year, m=month))
            self.submission_label.setStyleSheet("color: #666;")
            return None
        parts = []
        for key, label in (("households", self.tr("户数")), ("residents", self.tr("人口")),
                           ("staff_on_post", self.tr("在岗网格力量"))):
            before, now = diff.submitted.get(key, 0), diff.now.get(key, 0)
            parts.append(self.tr("{label} 上报 {before}，现登记 {now}").format(label=label, before=before, now=now)
                         + (f"（{now - before:+d}）" if now != before else ""))
        text = self.tr("{y}年{m}月：{label}。").format(y=year, m=month, label=diff.submission.label) + "；".join(parts)
        if diff.changes:
            text += "\n" + self.tr("上报后补录的变动 {n} 项（作为更正计入下月报表）：").format(n=len(diff.changes))
            line = self.tr("{name}（{id}）{change}，生效 {on}，{who} 录入于 {when}")
            text += "；".join(line.format(name=c.name if c.subject == "居民" else f"{c.name}（{c.subject}）",
                                          id=c.id_number, change=c.change,
                                          on=f"{c.effective_date:%Y-%m-%d}", who=c.entered_by,
                                          when=f"{c.entered_on:%Y-%m-%d %H:%M}") for c in diff.changes[:SHOWN_LATE])
            if len(diff.changes) > SHOWN_LATE:  # the whole list: the regenerated report's 更正说明
                text += self.tr("……等 {n} 项，全部见重新生成的月报“更正说明”页。").format(n=len(diff.changes))
        self.submission_label.setText(text)
        self.submission_label.setStyleSheet("color: #1b5e20;")
        return diff

    def submit(self):
        """上报本月: after a confirmation, store the picked month's figures and PDF."""
        year, month, scope_id = self._picked()
        answer = QMessageBox.question(self, APP_TITLE, self.tr(
            "上报 {y}年{m}月 月报（{scope}）？\n上报后本月数字不再改变；此后补录的本月变动将作为更正计入下月报表。").format(
            y=year, m=month, scope=self.scope.currentText()))
        if answer != QMessageBox.StandardButton.Yes:
            return None
        db = self.db
        outcome = run_job(self, self.tr("上报月报"), lambda: submit_monthly_report(db, year, month, scope_id))
        if outcome.cancelled:
            self.status.setText(self.tr("已取消上报。"))
            return None
        if outcome.error is not None:
            self._show_error(outcome.error)
            return None
        info = outcome.result
        self.refresh_history()
        self.refresh_submission()
        if info.generated_report_id is not None:
            self.open_report(get_report(self.db, info.generated_report_id))
        self.status.setText(self.tr("{y}年{m}月 月报{label}。").format(y=year, m=month, label=info.label))
        return info

    def withdraw(self):
        """撤回上报 (管理员): asks for the reason."""
        year, month, scope_id = self._picked()
        reason, ok = QInputDialog.getText(self, self.tr("撤回上报"), self.tr(
            "撤回 {y}年{m}月 月报的上报，请填写原因：").format(y=year, m=month))
        if not ok:
            return None
        try:
            info = withdraw_submission(self.db, year, month, scope_id, reason=reason)
        except ServiceError as error:
            self._show_error(error)
            return None
        self.refresh_submission()
        self.status.setText(self.tr("已撤回 {y}年{m}月 月报的上报，可以重新上报。").format(y=year, m=month))
        return info

    # --- history ----------------------------------------------------------
    def refresh_history(self) -> None:
        self._rows = list_reports(self.db)
        self.history.setRowCount(len(self._rows))
        for index, r in enumerate(self._rows):
            when = f"{r.created_at:%Y-%m-%d %H:%M}" if r.created_at else ""
            values = (r.month, r.scope_name, r.user_label or r.username, when, r.file_path)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 4:
                    item.setToolTip(r.file_path if r.exists else self.tr("文件已不存在：") + r.file_path)
                    if not r.exists:
                        item.setForeground(Qt.GlobalColor.gray)
                self.history.setItem(index, col, item)

        self._history_selected()

    def _history_selected(self) -> None:
        rows = {index.row() for index in self.history.selectionModel().selectedRows()}
        if len(rows) != 1 or min(rows) >= len(self._rows):
            self.history_details.setText(self.tr("选中一行可在这里查看详细信息。"))
            return
        r = self._rows[min(rows)]
        when = f"{r.created_at:%Y-%m-%d %H:%M}" if r.created_at else ""
        self.history_details.setText(self.tr("{month} {scope}，{when} 由 {user} 生成{provisional}。\n文件：{path}{gone}\n"
                                             "文件校验值（SHA-256，可核对打印或上报的是否为这一份）：{sha}").format(
            month=r.month, scope=r.scope_name, when=when, user=r.user_label or r.username, path=r.file_path,
            provisional=self.tr("（本月未结束时生成：临时数）") if r.provisional else "",
            gone="" if r.exists else self.tr("（已不存在）"),
            sha=" ".join(r.sha256[i:i + 16] for i in range(0, len(r.sha256), 16))))  # wraps in a narrow pane

    def open_row(self, row: int) -> bool:
        if not 0 <= row < len(self._rows):
            return False
        return self.open_report(self._rows[row])

    def open_report(self, report: ReportRow) -> bool:
        """Show ``report`` in the preview; False (with a message) if its file
        is gone or unreadable."""
        if not report.exists:
            QMessageBox.warning(self, APP_TITLE, self.tr("报表文件已不存在：{path}").format(path=report.file_path))
            return False
        self.document.close()
        error = self.document.load(report.file_path)
        if error != QPdfDocument.Error.None_:
            QMessageBox.warning(self, APP_TITLE, self.tr("无法打开报表文件：{path}").format(path=report.file_path))
            self.current = None
            self._update_buttons()
            return False
        self.current = report
        self.preview.setCurrentWidget(self.viewer)
        self.viewer.go_to_page(0)
        self.status.setText((self.tr("【临时数：生成时本月未结束，数字截至 {day}，月末后请重新生成】").format(
            day=f"{report.created_at:%Y-%m-%d}") if report.provisional else "")
            + self.tr("{month} 月报（{scope}），共 {n} 页 — {path}").format(
            month=report.month, scope=report.scope_name, n=self.document.pageCount(), path=report.file_path))
        for index, r in enumerate(self._rows):
            if r.id == report.id:
                self.history.selectRow(index)
        self._update_buttons()
        return True

    # --- actions ----------------------------------------------------------
    def generate(self) -> ReportRow | None:
        picked = self.month.date()
        year, month = picked.year(), picked.month()
        scope_id = self.scope.currentData()
        db = self.db
        outcome = run_job(self, self.tr("生成月报"), lambda: generate_monthly_report(db, year, month, scope_id))
        if outcome.cancelled:
            self.status.setText(self.tr("已取消生成。"))
            return None
        if outcome.error is not None:
            self._show_error(outcome.error)
            return None
        report: ReportRow = outcome.result
        self.refresh_history()
        self.open_report(report)
        return report

    def print_report(self) -> int:
        """Print the report on screen through the system print dialog."""
        if self.current is None or self.document.pageCount() == 0:
            return 0
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(Path(self.current.file_path).stem)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("打印报表"))
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return 0
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        """Paint the report on ``printer`` and note it in the audit trail."""
        try:
            pages = print_document(self.document, printer)
            record_print(self.db, self.current.id, pages)
        except (ServiceError, RuntimeError) as error:
            self._show_error(error)
            return 0
        self.status.setText(self.tr("已发送 {n} 页到打印机。").format(n=pages))
        return pages

    def save_as(self) -> Path | None:
        if self.current is None:
            return None
        path = ask_save_path(self, self.tr("另存为 PDF"), Path(self.current.file_path).name,
                             self.tr("PDF 文件 (*.pdf)"), ".pdf")
        if not path:
            return None
        try:
            target = save_copy(self.db, self.current.id, path)
        except (ServiceError, OSError) as error:
            self._show_error(error)
            return None
        self.status.setText(self.tr("已另存为 {path}").format(path=target))
        return target

    def _show_error(self, error: BaseException) -> None:
        text = error.message if isinstance(error, ServiceError) else str(error)
        self.status.setText(text)
        QMessageBox.warning(self, APP_TITLE, text)
