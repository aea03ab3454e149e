"""导入记录: the import batches, newest first; 「撤销本批」 undoes the
selected batch after a confirmation (``services.importing.undo.undo_job``, with a progress dialog)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.services.importing.history import BatchRow, list_batches
from gridadmin.services.importing.undo import batch_effects, counts_text, undo_job
from gridadmin.ui.importing.common import kind_label, message_label, mode_labels, outcome_message, show_message
from gridadmin.ui.common.jobs import run_job
from gridadmin.ui.common.widgets import setup_table

ALIGN_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class HistoryTab(QWidget):
    """``undone(batch_id)`` after a batch was undone here (the wizard's 完成
    page of that batch then says so)."""

    undone = Signal(int)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.batches: list[BatchRow] = []
        self.headers = [self.tr("批次"), self.tr("导入时间"), self.tr("文件"), self.tr("类型"), self.tr("方式"),
                        self.tr("总行数"), self.tr("新增"), self.tr("更新"), self.tr("无变化"), self.tr("跳过"),
                        self.tr("其中错误"), self.tr("操作人"), self.tr("状态")]
        self.table = QTableWidget(0, len(self.headers))
        self.table.setHorizontalHeaderLabels(self.headers)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        setup_table(self.table, stretch_column=2)
        self.summary = QLabel()
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.undo_button = QPushButton(self.tr("撤销本批"))
        self.undo_button.setToolTip(self.tr("删除所选批次新增的记录，把它更新过的记录恢复为导入前的值"))
        self.undo_button.setEnabled(False)
        self.message = message_label()
        self.details = QLabel()  # the selected batch in full (its file's checksum too: not a column of jargon)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setStyleSheet("background: #f6f6f6; padding: 6px;")
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.undo_button)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        self.refresh_button.clicked.connect(self.refresh)
        self.undo_button.clicked.connect(self.undo_selected)
        self.table.itemSelectionChanged.connect(self._selection_changed)

    def selected_batch(self) -> BatchRow | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if not rows:
            rows = {item.row() for item in self.table.selectedItems()}
        return self.batches[min(rows)] if len(rows) == 1 and min(rows) < len(self.batches) else None

    def _selection_changed(self) -> None:
        batch = self.selected_batch()
        self.undo_button.setEnabled(batch is not None and batch.undone_at is None)
        self.details.setText(self.details_text(batch) if batch is not None
                             else self.tr("选中一行可在这里查看该批次的详细信息。"))

    def details_text(self, b: BatchRow) -> str:
        when = b.created_at.strftime("%Y-%m-%d %H:%M") if b.created_at else ""
        status = self.tr("已于 {when} 撤销").format(when=b.undone_at.strftime("%Y-%m-%d %H:%M")) \
            if b.undone_at else self.tr("已导入")
        return self.tr("批次 {id}：“{file}”，{kind}，{when} 由 {user} 导入，{status}。\n"
                       "文件校验值（SHA-256，可用来核对两次导入的是否为同一个文件）：{sha}").format(
            id=b.id, file=b.file_name, kind=kind_label(b.kind, short=True), when=when, user=b.user, status=status,
            sha=b.sha256)

    def undo_selected(self) -> None:
        """Ask, then undo the selected batch; a refusal is shown in red."""
        batch = self.selected_batch()
        if batch is None or batch.undone_at is not None:
            return
        removed, restored = batch_effects(self.db, batch.id)
        effects = []
        if removed:
            effects.append(self.tr("将删除本批新增的 {what}").format(what=counts_text(removed)))
        if restored:
            effects.append(self.tr("将把本批更新过的 {what}恢复为导入前的值").format(what=counts_text(restored)))
        question = self.tr("撤销导入批次 {id}（{file}，{kind}）？\n\n{effects}。此操作会记入操作日志。").format(
            id=batch.id, file=batch.file_name, kind=kind_label(batch.kind, short=True),
            effects="；".join(effects) or self.tr("本批没有新增或更新任何记录"))
        answer = QMessageBox.question(self, self.tr("撤销本批"), question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        db, batch_id = self.db, batch.id  # the worker reads no widget (``run_job``)
        outcome = run_job(self, self.tr("撤销导入"), lambda: undo_job(db, batch_id))
        if not outcome.ok:
            show_message(self.message, self.tr("已取消撤销，数据保持原样。") if outcome.cancelled
                         else outcome_message(outcome))
            return
        result = outcome.result
        self.refresh()
        done = []
        if result.removed:
            done.append(self.tr("删除 {what}").format(what=counts_text(result.removed_by)))
        if result.restored:
            done.append(self.tr("恢复 {what}").format(what=counts_text(result.restored_by)))
        show_message(self.message, self.tr("已撤销导入批次 {id}：{done}。").format(
            id=result.batch_id, done="；".join(done) or self.tr("没有需要改动的记录")), "ok")
        self.undone.emit(result.batch_id)

    def refresh(self) -> None:
        self.batches = list_batches(self.db)
        self.message.hide()
        modes = mode_labels()
        self.table.setRowCount(len(self.batches))
        for r, b in enumerate(self.batches):
            when = b.created_at.strftime("%Y-%m-%d %H:%M") if b.created_at else ""
            status = self.tr("已撤销 {when}").format(when=b.undone_at.strftime("%Y-%m-%d %H:%M")) \
                if b.undone_at else self.tr("已导入")
            values = [b.id, when, b.file_name, kind_label(b.kind, short=True), modes.get(b.mode, b.mode), b.rows, b.inserted,
                      b.updated, b.unchanged, b.skipped, b.errors, b.user, status]
            for c, value in enumerate(values):
                item = QTableWidgetItem(f"{value:,}" if isinstance(value, int) and c else str(value))
                if isinstance(value, int):
                    item.setTextAlignment(ALIGN_NUMBER)
                self.table.setItem(r, c, item)
            self.table.item(r, 2).setToolTip(b.file_name)
        self.summary.setText(self.tr("共 {n} 次导入（最新的在最上面），选中一行可在下方查看详细信息。").format(
            n=len(self.batches)) if self.batches
                             else self.tr("还没有导入记录。"))
        self._selection_changed()

    def row_texts(self, row: int) -> list[str]:
        return [self.table.item(row, c).text() for c in range(self.table.columnCount())]
