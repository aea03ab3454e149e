"""Step 3: the dry run — counts, the rows with their labels and messages
(selectable, Ctrl+C copies), the import mode and the skip-errors choice."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from gridadmin.services.importing import KINDS, MODES, ImportPlan
from gridadmin.ui.importing.common import message_label, mode_labels, show_message, status_labels
from gridadmin.ui.common.widgets import setup_table
from gridadmin.ui.importing.preview_model import SHOW_ALL, SHOW_PROBLEMS, PreviewModel

MAX_COLUMN_WIDTH = 320  # px: a long value is cut (see preview_model.shown); its column no wider than this


class PreviewStep(QWidget):
    mode_changed = Signal(str)
    create_communities_changed = Signal(bool)
    export_requested = Signal()
    recheck_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plan: ImportPlan | None = None
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setMinimumHeight(self.intro.fontMetrics().lineSpacing() * 2)  # a note line is never cut
        self.counts_label = QLabel()
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)
        self.counts_label.setStyleSheet("font-size: 11pt;")
        self.mode = QComboBox()
        for mode, label in mode_labels().items():
            if mode in MODES:
                self.mode.addItem(label, mode)
        self.mode.setCurrentIndex(self.mode.findData("upsert"))
        self.mode.setToolTip(self.tr("仅新增：已有的人/网格不改动；仅更新已有：文件里的新人不导入；"
                                     "新增并更新：两者都做"))
        self.filter_box = QComboBox()
        self.filter_box.addItem(self.tr("全部"), SHOW_ALL)
        self.filter_box.addItem(self.tr("有问题的（错误和提示）"), SHOW_PROBLEMS)
        for status, label in status_labels().items():
            self.filter_box.addItem(label, status)
        self.recheck_button = QPushButton(self.tr("重新检查(&R)"))
        self.recheck_button.setToolTip(self.tr("在 Excel 中改正文件并保存后，点此重新读取和检查"))
        self.export_button = QPushButton(self.tr("导出错误行(&E)…"))
        self.export_button.setToolTip(self.tr("把出错的行另存为 Excel，带“错误说明”列，改正后可直接重新导入"))
        self.model = PreviewModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=5)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setWordWrap(False)
        self.copy_action = QAction(self.tr("复制选中的行(&C)"), self.view)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_selection)
        self.view.addAction(self.copy_action)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.skip_errors = QCheckBox(self.tr("跳过错误行，只导入正确的行"))
        self.skip_errors.setToolTip(self.tr("不勾选时，只要有一行错误就不导入任何数据（全部成功才写入）"))
        # grids: a community/village the tree lacks is created instead of being an error
        self.create_communities = QCheckBox(self.tr("新建文件中的社区/村（网格树中没有的，建在本乡镇/街道下）"))
        self.create_communities.setToolTip(self.tr(
            "不勾选时，网格树中没有的社区/村是错误行（并提示相近的名称）；勾选后予以新建，"
            "预览中标为“新建社区/村”，记入操作日志，撤销本批导入时一并删除"))
        self.create_communities.hide()
        self.status = message_label()

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("导入方式")))
        top.addWidget(self.mode)
        top.addSpacing(16)
        top.addWidget(QLabel(self.tr("显示")))
        top.addWidget(self.filter_box)
        top.addStretch(1)
        top.addWidget(self.recheck_button)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.counts_label)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(QLabel(self.tr("提示：选中行后按 Ctrl+C 可复制（可粘贴到 Excel 或微信）。")))
        layout.addWidget(self.create_communities)
        layout.addWidget(self.skip_errors)
        layout.addWidget(self.status)

        self.mode.activated.connect(lambda _i: self.mode_changed.emit(self.current_mode()))
        self.create_communities.toggled.connect(self.create_communities_changed)
        self.filter_box.currentIndexChanged.connect(self._filter_changed)
        self.export_button.clicked.connect(self.export_requested)
        self.recheck_button.clicked.connect(self.recheck_requested)

    def current_mode(self) -> str:
        return self.mode.currentData()

    def set_plan(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.create_communities.setVisible(KINDS[plan.kind].creates_communities)
        counts = plan.counts()
        self.counts = {"rows": counts["rows"], "new": counts["inserted"], "update": counts["updated"],
                       "unchanged": counts["unchanged"], "skip": counts["skipped"] - counts["errors"],
                       "error": counts["errors"]}
        intro = self.tr("检查结果（预览，尚未写入）：文件“{file}”，工作表“{sheet}”。").format(
            file=plan.file_name, sheet=plan.sheet_name)
        notes = plan.extra.get("notes") or []  # e.g. the training session the sign-ins go to
        unused = plan.extra.get("unused_columns") or []
        if unused:
            notes = [*notes, self.tr("未导入的列（本系统不保存这些项目）：{names}").format(names="、".join(unused))]
        self.intro.setText(intro + "".join(f"\n{note}。" for note in notes))
        labels = status_labels()
        parts = [self.tr("共 <b>{n:,}</b> 行").format(n=counts["rows"])]
        for key, colour in (("new", "#1b7f3b"), ("update", "#1f5fbf"), ("unchanged", "#555"), ("skip", "#555"),
                            ("error", "#b00020")):
            parts.append(f"{labels[key]} <b style='color:{colour}'>{self.counts[key]:,}</b>")
        self.counts_label.setText("&nbsp;&nbsp;&nbsp;&nbsp;".join(parts))
        has_problems = any(r.errors or r.warnings for r in plan.rows)
        show = SHOW_PROBLEMS if has_problems else SHOW_ALL
        self.filter_box.blockSignals(True)
        self.filter_box.setCurrentIndex(self.filter_box.findData(show))
        self.filter_box.blockSignals(False)
        self.model.set_plan(plan, show)
        self.export_button.setEnabled(bool(plan.error_rows))
        self.fit_columns()
        if counts["errors"]:
            show_message(self.status, self.tr(
                "有 {n:,} 行错误。可以按“说明”在 Excel 中改正后点“重新检查”；或导出错误行单独改正；"
                "或勾选“跳过错误行，只导入正确的行”。").format(n=counts["errors"]), "info")
        else:
            show_message(self.status, self.tr("没有错误，点“导入”写入数据库。"), "ok")

    def _filter_changed(self) -> None:
        self.model.set_filter(self.filter_box.currentData())
        self.fit_columns()

    def fit_columns(self) -> None:
        """Columns sized to their contents, none wider than
        ``MAX_COLUMN_WIDTH`` (the user may still drag them wider), so the
        说明 column stays on screen."""
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.resizeColumnsToContents()
        for column in range(self.model.columnCount() - 1):
            self.view.setColumnWidth(column, min(self.view.columnWidth(column), MAX_COLUMN_WIDTH))
        header.setStretchLastSection(True)

    def copy_selection(self) -> None:
        rows = [index.row() for index in self.view.selectionModel().selectedRows()]
        if rows:
            QGuiApplication.clipboard().setText(self.model.text_of(rows))

    def show_error(self, message: str) -> None:
        show_message(self.status, message)
