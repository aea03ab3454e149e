"""年度学时要求: the township default and, for any role, its own
requirement ("同默认" when the role follows the default)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.services.training import compliance as training_compliance
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.training.sessions import TrainingCodeLists
from gridadmin.ui.common.widgets import error_label, show_error

FOLLOWS_DEFAULT = -1.0


def hours_box(*, allow_default: bool) -> QDoubleSpinBox:
    """A 0–1000 hours box; with ``allow_default`` its lowest step reads 同默认."""
    box = QDoubleSpinBox()
    box.setRange(FOLLOWS_DEFAULT if allow_default else 0, 1000)
    box.setDecimals(1)
    box.setSingleStep(1)
    box.setSuffix(QCoreApplication.translate("RequirementsDialog", " 学时"))
    if allow_default:
        box.setSpecialValueText(QCoreApplication.translate("RequirementsDialog", "同默认"))
    return box


class RequirementsDialog(QDialog):
    """Edits the requirements of one year; saved all together."""

    def __init__(self, db: Database, year: int, codes: TrainingCodeLists, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.year, self.codes = db, year, codes
        self.setWindowTitle(self.tr("{y} 年度学时要求").format(y=year))
        rules = training_compliance.requirements(db, year)
        self.default_hours = hours_box(allow_default=False)
        self.default_hours.setValue(rules.get(None, 0.0))
        self.role_hours: dict[str, QDoubleSpinBox] = {}
        form = QFormLayout()
        form.addRow(self.tr("全乡镇（街道）默认"), self.default_hours)
        for code, label in codes.roles:
            box = hours_box(allow_default=True)
            box.setValue(rules.get(code, FOLLOWS_DEFAULT))
            self.role_hours[code] = box
            form.addRow(label, box)
        note = QLabel(self.tr("一人有多个岗位时，按要求最高的岗位计；年中入职者按入职月份折算。"))
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")
        self.error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def try_save(self) -> None:
        try:
            values: dict[str | None, float | None] = {None: self.default_hours.value()}
            for code, box in self.role_hours.items():
                values[code] = None if box.value() == FOLLOWS_DEFAULT else box.value()
            training_compliance.set_requirements(self.db, self.year, values)
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return
        self.accept()
