"""代码表维护: the administrator extends the local lists (岗位, 技能等级,
培训类别, 培训形式) and the group kinds (特殊人群, 重点人员, 关怀对象: a new
kind goes into the family chosen beside its name). Names are edited in place;
items are retired, never deleted, so old records keep their meaning."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QHeaderView, QSpinBox, QLabel, QLineEdit, QListWidget, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.models.groups import FAMILIES
from gridadmin.services.common import code_lists
from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.register.age_groups import AGE_LABELS, age_threshold_values, save_age_thresholds
from gridadmin.ui.common.widgets import error_label, show_error

COL_NAME, COL_STATE, COL_SENSITIVE, COL_FAMILY = range(4)


class CodesTab(QWidget):
    """Left: the editable lists; right: the chosen list's items."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.items: list[code_lists.ListItem] = []
        self._filling = False
        self.allowed = acting(db).can(MANAGE_SETTINGS)

        self.lists = QListWidget()
        self.lists.setFixedWidth(210)
        self.lists.setStyleSheet("QListWidget::item { padding: 5px 4px; }")
        for key, title in code_lists.editable_lists():
            self.lists.addItem(title)
            self.lists.item(self.lists.count() - 1).setData(Qt.ItemDataRole.UserRole, key)

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("名称（双击修改）"), self.tr("状态"), self.tr("敏感"),
                                              self.tr("分类")])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_STATE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SENSITIVE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_FAMILY, QHeaderView.ResizeMode.ResizeToContents)
        if not self.allowed:
            self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText(self.tr("新项目名称"))
        self.family = QComboBox()  # the family of a new group kind
        for key, title in FAMILIES.items():
            self.family.addItem(title, key)
        self.family.setToolTip(self.tr("新类别所属分类；特殊人群、重点人员类别默认敏感"))
        self.add_button = QPushButton(self.tr("添加"))
        self.up_button = QPushButton(self.tr("上移"))
        self.down_button = QPushButton(self.tr("下移"))
        self.toggle_button = QPushButton(self.tr("停用"))
        # 老年人 / 高龄老人 are computed from the birth date: the township's thresholds
        self.ages_box = QWidget()
        ages = QHBoxLayout(self.ages_box)
        ages.setContentsMargins(0, 0, 0, 0)
        self.age_spins: dict[str, QSpinBox] = {}
        for code, label in AGE_LABELS.items():
            spin = QSpinBox()
            spin.setRange(40, 120)
            spin.setSuffix(self.tr(" 周岁"))
            spin.setEnabled(self.allowed)
            self.age_spins[code] = spin
            ages.addWidget(QLabel(label))
            ages.addWidget(spin)
        self.save_ages_button = QPushButton(self.tr("保存年龄下限"))
        self.save_ages_button.setEnabled(self.allowed)
        self.save_ages_button.clicked.connect(self.save_ages)
        ages.addWidget(self.save_ages_button)
        ages.addStretch(1)
        self.error = error_label()
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")

        bar = QHBoxLayout()
        bar.addWidget(self.new_name, 1)
        bar.addWidget(self.family)
        for button in (self.add_button, self.up_button, self.down_button, self.toggle_button):
            bar.addWidget(button)
            button.setEnabled(self.allowed)
        self.new_name.setEnabled(self.allowed)
        right = QVBoxLayout()
        if not self.allowed:
            right.addWidget(QLabel(self.tr("只有管理员可以修改代码表。")))
        right.addWidget(self.hint)
        right.addWidget(self.table, 1)
        right.addLayout(bar)
        right.addWidget(self.ages_box)
        right.addWidget(self.error)
        layout = QHBoxLayout(self)
        layout.addWidget(self.lists)
        layout.addLayout(right, 1)

        self.lists.currentRowChanged.connect(lambda _row: self.refresh())
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.add_button.clicked.connect(self.add)
        self.new_name.returnPressed.connect(self.add)
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        self.toggle_button.clicked.connect(self.toggle_active)
        self.lists.setCurrentRow(0)

    @property
    def list_key(self) -> str:
        item = self.lists.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def refresh(self, select_id: int | None = None) -> None:
        """Reload the chosen list; keep ``select_id`` (or the row) selected."""
        row = self.table.currentRow()
        key = self.list_key
        self.items = code_lists.list_items(self.db, key)
        is_tags = key == code_lists.TAG_LIST
        self.table.setColumnHidden(COL_SENSITIVE, not is_tags)
        self.table.setColumnHidden(COL_FAMILY, not is_tags)
        self.family.setVisible(is_tags)
        self.ages_box.setVisible(is_tags)
        if is_tags:
            for code, years in age_threshold_values(self.db).items():
                self.age_spins[code].setValue(years)
        self.hint.setText(self.tr("特殊人群指在管人员（刑满释放、社区矫正等），重点人员如重点上访人员，关怀对象指服务、救助对象。"
                                  "勾选“敏感”的类别只有管理员和业务员能看到（含统计中的分类计数）。") if is_tags
                          else self.tr("停用的项目不再出现在下拉列表中，已使用它的记录保持不变。"))
        self._filling = True
        self.table.setRowCount(len(self.items))
        for r, it in enumerate(self.items):
            name = QTableWidgetItem(it.label)
            if it.protected:
                name.setToolTip(self.tr("1+3+N 核心岗位：可以改名，不能停用"))
            state = QTableWidgetItem(self.tr("启用") if it.active else self.tr("已停用"))
            state.setFlags(state.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if not it.active:
                name.setForeground(Qt.GlobalColor.gray)
                state.setForeground(Qt.GlobalColor.gray)
            sensitive = QTableWidgetItem()
            sensitive.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                               | Qt.ItemFlag.ItemIsSelectable)
            sensitive.setCheckState(Qt.CheckState.Checked if it.sensitive else Qt.CheckState.Unchecked)
            if not self.allowed:
                sensitive.setFlags(sensitive.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            self.table.setItem(r, COL_NAME, name)
            self.table.setItem(r, COL_STATE, state)
            self.table.setItem(r, COL_SENSITIVE, sensitive)
            family = QTableWidgetItem(FAMILIES.get(it.family, ""))
            family.setFlags(family.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(r, COL_FAMILY, family)
        self._filling = False
        if select_id is not None:
            row = next((r for r, it in enumerate(self.items) if it.id == select_id), row)
        if self.items:
            self.table.selectRow(max(0, min(row, len(self.items) - 1)))
        self._update_buttons()

    def current(self) -> code_lists.ListItem | None:
        row = self.table.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _update_buttons(self) -> None:
        it = self.current()
        self.toggle_button.setText(self.tr("启用") if it and not it.active else self.tr("停用"))
        for button in (self.up_button, self.down_button, self.toggle_button):
            button.setEnabled(self.allowed and it is not None)

    def _run(self, action, select_id: int | None = None) -> bool:
        try:
            result = action()
        except ServiceError as exc:
            show_error(self.error, exc.message)
            self.refresh(select_id)
            return False
        show_error(self.error, "")
        self.refresh(result if isinstance(result, int) and select_id is None else select_id)
        return True

    def save_ages(self) -> bool:
        """Save the 老年人 / 高龄老人 thresholds."""
        return self._run(lambda: save_age_thresholds(self.db, {c: s.value() for c, s in self.age_spins.items()}))

    def add(self) -> None:
        name = self.new_name.text()
        family = self.family.currentData() if self.list_key == code_lists.TAG_LIST else None
        if self._run(lambda: code_lists.add_item(self.db, self.list_key, name, family=family)):
            self.new_name.clear()

    def move(self, step: int) -> None:
        it = self.current()
        if it:
            self._run(lambda: code_lists.move_item(self.db, self.list_key, it.id, step), it.id)

    def toggle_active(self) -> None:
        it = self.current()
        if it:
            self._run(lambda: code_lists.update_item(self.db, self.list_key, it.id, active=not it.active), it.id)

    def _item_changed(self, cell: QTableWidgetItem) -> None:
        if self._filling or not (0 <= cell.row() < len(self.items)):
            return
        # The table is rebuilt after a change; do it once Qt has finished
        # with the edited cell, not from inside its signal.
        it, key = self.items[cell.row()], self.list_key
        if cell.column() == COL_NAME and cell.text() != it.label:
            label = cell.text()
            QTimer.singleShot(0, lambda: self._run(
                lambda: code_lists.update_item(self.db, key, it.id, label=label), it.id))
        elif cell.column() == COL_SENSITIVE:
            checked = cell.checkState() == Qt.CheckState.Checked
            if checked != it.sensitive:
                QTimer.singleShot(0, lambda: self._run(
                    lambda: code_lists.update_item(self.db, key, it.id, sensitive=checked), it.id))
