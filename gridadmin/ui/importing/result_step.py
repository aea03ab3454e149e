"""Step 4: what the import wrote."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gridadmin.services.importing import ImportResult
from gridadmin.ui.importing.common import kind_label, mode_labels


class ResultStep(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.result: ImportResult | None = None
        self.title = QLabel(self.tr("导入完成"))
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold; color: #1b7f3b;")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setStyleSheet("font-size: 11pt;")
        self.export_button = QPushButton(self.tr("导出跳过的错误行(&E)…"))
        self.history_button = QPushButton(self.tr("查看导入记录(&H)"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.history_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def set_result(self, result: ImportResult) -> None:
        self.result = result
        plan = result.plan
        c = plan.counts()
        lines = [
            self.tr("文件“{file}”（工作表“{sheet}”）已作为{kind}导入，方式：{mode}。").format(
                file=plan.file_name, sheet=plan.sheet_name, kind=kind_label(plan.kind, short=True),
                mode=mode_labels().get(plan.mode, plan.mode)),
            self.tr("共 {rows:,} 行：新增 {inserted:,}，更新 {updated:,}，无变化 {unchanged:,}，跳过 {skipped:,}"
                    "（其中错误 {errors:,}）。").format(**c),
            self.tr("批次号 {batch}（在“导入记录”中可查看详细信息，或撤销本批）。").format(batch=result.batch_id),
        ]
        if c["errors"]:
            lines.append(self.tr("有 {n:,} 行错误没有导入：可导出错误行，改正后再导入这些行。").format(n=c["errors"]))
        self.title.setText(self.tr("导入完成"))
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold; color: #1b7f3b;")
        self.summary.setText("\n".join(lines))
        self.export_button.setVisible(bool(c["errors"]))

    def mark_undone(self, batch_id: int, when: datetime | None = None) -> bool:
        """The batch shown was undone (in 导入记录): say so instead of its
        counts, which no longer describe the database. False when another
        batch (or none) is shown."""
        if self.result is None or self.result.batch_id != batch_id:
            return False
        plan = self.result.plan
        when = when or datetime.now()
        self.title.setText(self.tr("本批已撤销"))
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold; color: #555;")
        self.summary.setText(self.tr(
            "文件“{file}”的导入（批次号 {batch}）已于 {when} 撤销：这次新增的记录已删除，更新过的记录已恢复为导入前的值，"
            "数据库中不再有这次导入的内容。\n如需要，可以重新导入这个文件。").format(
            file=plan.file_name, batch=batch_id, when=f"{when:%Y-%m-%d %H:%M}"))
        self.export_button.hide()
        return True
