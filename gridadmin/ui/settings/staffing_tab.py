"""网格配备: the township's own staffing rule (``roster.staffing_rules``) —
which posts exist, which post is a grid's responsible worker, whether every
grid must have one, the households per worker. The dashboard, 网格配备情况
and the monthly report judge grids by it. Only 修改系统设置 may change it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox,
    QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.roster.staffing_rules import (
    MAX_HOUSEHOLDS_LIMIT, RESPONSIBLE_CHOICES, StaffingRule, default_range, post_choices, save_staffing_rule,
    staffing_rule,
)
from gridadmin.ui.common.widgets import error_label, show_error


class StaffingTab(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.allowed = acting(db).can(MANAGE_SETTINGS)
        labels = dict(post_choices(db))
        self.post_boxes: dict[str, QCheckBox] = {}
        posts_box = QGroupBox(self.tr("本乡镇设置的岗位"))
        grid = QGridLayout(posts_box)
        for i, (code, label) in enumerate(labels.items()):
            box = QCheckBox(label)
            self.post_boxes[code] = box
            grid.addWidget(box, i // 4, i % 4)
        posts_note = QLabel(self.tr("“1+3+N”（网格长、专职网格员、兼职网格员、网格指导员，另加楼栋长等）是部分县的做法；"
                                    "多数乡镇没有专职网格员，由兼职网格员或村（社区）干部承担。网格配备情况只列出并检查这里勾选的核心岗位。"))
        posts_note.setWordWrap(True)
        grid.addWidget(posts_note, grid.rowCount(), 0, 1, 4)

        self.responsible = QComboBox()
        self.responsible.setMaximumWidth(240)
        for code in RESPONSIBLE_CHOICES:
            self.responsible.addItem(labels.get(code, code), code)
        self.required = QCheckBox(self.tr("每个网格都必须配备网格责任人（没有住户的专属网格除外）"))
        self.min_households = self._households_box()
        self.max_households = self._households_box()
        range_row = QHBoxLayout()
        range_row.addWidget(self.min_households)
        range_row.addWidget(QLabel(self.tr("至")))
        range_row.addWidget(self.max_households)
        range_row.addWidget(QLabel(self.tr("户（0 表示不检查）")))
        range_row.addStretch(1)
        rule_box = QGroupBox(self.tr("网格责任人"))
        form = QFormLayout(rule_box)
        form.addRow(self.tr("网格责任人岗位"), self.responsible)
        form.addRow("", self.required)
        form.addRow(self.tr("每名责任人服务户数"), range_row)
        range_note = QLabel(self.tr("以专职网格员为责任人时，通常每人服务 300–500 户；以兼职网格员或网格长为责任人时默认不检查户数，"
                                    "如本地有规定可填写。农村网格只提示过多，不提示过少。"))
        range_note.setWordWrap(True)
        form.addRow("", range_note)

        self.save_button = QPushButton(self.tr("保存"))
        self.save_button.clicked.connect(self.save)
        self.message = QLabel()
        self.error = error_label()
        bar = QHBoxLayout()
        bar.addWidget(self.save_button)
        bar.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(posts_box)
        layout.addWidget(rule_box)
        layout.addWidget(self.error)
        if not self.allowed:
            layout.addWidget(QLabel(self.tr("只有管理员可以修改网格配备规则。")))
        layout.addLayout(bar)
        layout.addStretch(1)
        for widget in (*self.post_boxes.values(), self.responsible, self.required, self.min_households,
                       self.max_households, self.save_button):
            widget.setEnabled(self.allowed)
        self.load()
        self.responsible.activated.connect(self._responsible_chosen)

    def _households_box(self) -> QSpinBox:
        box = QSpinBox()
        box.setRange(0, MAX_HOUSEHOLDS_LIMIT)
        box.setSingleStep(50)
        box.setSpecialValueText(self.tr("不检查"))
        box.setMinimumWidth(100)
        return box

    def load(self) -> None:
        rule = staffing_rule(self.db)
        for code, box in self.post_boxes.items():
            box.setChecked(code in rule.posts)
        self.responsible.setCurrentIndex(max(0, self.responsible.findData(rule.responsible)))
        self.required.setChecked(rule.required)
        self.min_households.setValue(rule.min_households or 0)
        self.max_households.setValue(rule.max_households or 0)

    def _responsible_chosen(self) -> None:
        """A new responsible post takes its usual range (300–500 for 专职, none otherwise) and is a post here."""
        code = self.responsible.currentData()
        low, high = default_range(code)
        self.min_households.setValue(low or 0)
        self.max_households.setValue(high or 0)
        if code in self.post_boxes:
            self.post_boxes[code].setChecked(True)

    def rule(self) -> StaffingRule:
        """The rule as the form shows it (not yet checked)."""
        return StaffingRule(
            posts=tuple(code for code, box in self.post_boxes.items() if box.isChecked()),
            responsible=self.responsible.currentData(), required=self.required.isChecked(),
            min_households=self.min_households.value() or None, max_households=self.max_households.value() or None)

    def save(self) -> bool:
        try:
            save_staffing_rule(self.db, self.rule())
        except ServiceError as exc:
            show_error(self.error, exc.message)
            self.message.clear()
            return False
        show_error(self.error, "")
        self.message.setText(self.tr("已保存。首页、网格配备情况和月报按新的规则检查。"))
        self.load()
        return True
