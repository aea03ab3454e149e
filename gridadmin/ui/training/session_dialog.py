"""New or edit one training session. Refusals are shown in the dialog,
which keeps what the user typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLineEdit, QPlainTextEdit,
    QVBoxLayout, QWidget,
)

from gridadmin.services.errors import ServiceError
from gridadmin.services.training import SessionInput, SessionRow, TrainingCodeLists
from gridadmin.ui.widgets import error_label, show_error


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


class SessionDialog(QDialog):
    """``save`` is called with the typed ``SessionInput``; a ``ServiceError``
    it raises is shown under the form and the dialog stays open."""

    def __init__(self, codes: TrainingCodeLists, save: Callable[[SessionInput], None], *,
                 session: SessionRow | None = None, day: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._save = save
        self.setWindowTitle(self.tr("编辑培训") if session else self.tr("新建培训"))
        self.setMinimumWidth(480)
        day = day or date.today()

        self.name = QLineEdit(session.name if session else "")
        self.name.setMaxLength(120)
        self.name.setPlaceholderText(self.tr("如：消防安全知识培训"))
        self.category = self._combo(codes.categories, session.category if session else None)
        self.form = self._combo(codes.forms, session.form if session else (codes.forms[0][0] if codes.forms else None))
        self.start = self._date_edit(session.start_date if session else day)
        self.end = self._date_edit(session.end_date if session else day)
        self._last_start = self.start.date()
        self.start.dateChanged.connect(self._start_moved)
        self.hours = QDoubleSpinBox()
        self.hours.setRange(0, 200)
        self.hours.setDecimals(1)
        self.hours.setSingleStep(0.5)
        self.hours.setSuffix(self.tr(" 学时"))
        self.hours.setValue(session.hours if session else 2.0)
        self.organizer = QLineEdit((session.organizer or "") if session else "")
        self.trainer = QLineEdit((session.trainer or "") if session else "")
        self.place = QLineEdit((session.place or "") if session else "")
        self.target_group = QPlainTextEdit((session.target_group or "") if session else "")
        self.target_group.setPlaceholderText(self.tr("如：网格长、专职网格员；河街社区、粮行社区"))
        self.target_group.setFixedHeight(self.fontMetrics().height() * 3 + 12)
        self.note = QLineEdit((session.note or "") if session else "")
        self.error = error_label()

        form = QFormLayout()
        form.addRow(self.tr("培训名称*"), self.name)
        form.addRow(self.tr("类别"), self.category)
        form.addRow(self.tr("形式"), self.form)
        form.addRow(self.tr("开始日期*"), self.start)
        form.addRow(self.tr("结束日期*"), self.end)
        form.addRow(self.tr("学时*"), self.hours)
        form.addRow(self.tr("主办单位"), self.organizer)
        form.addRow(self.tr("主讲人"), self.trainer)
        form.addRow(self.tr("地点"), self.place)
        form.addRow(self.tr("培训对象"), self.target_group)
        form.addRow(self.tr("备注"), self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _combo(self, items, current: str | None) -> QComboBox:
        combo = QComboBox()
        combo.addItem(self.tr("（未指定）"), "")
        for code, label in items:
            combo.addItem(label, code)
        combo.setCurrentIndex(max(0, combo.findData(current or "")))
        return combo

    def _date_edit(self, value: date) -> QDateEdit:
        edit = QDateEdit(_qdate(value))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(QDate(2000, 1, 1))
        return edit

    def _start_moved(self, new: QDate) -> None:
        """The end date follows the start while they were the same day."""
        if self.end.date() == self._last_start:
            self.end.setDate(new)
        self._last_start = new

    def typed(self) -> SessionInput:
        """What the user typed, as a ``SessionInput``."""
        return SessionInput(
            name=self.name.text(), start_date=self.start.date().toPython(), end_date=self.end.date().toPython(),
            hours=self.hours.value(), category=self.category.currentData() or None,
            form=self.form.currentData() or None, organizer=self.organizer.text(), trainer=self.trainer.text(),
            place=self.place.text(), target_group=self.target_group.toPlainText(), note=self.note.text())

    def try_save(self) -> None:
        try:
            self._save(self.typed())
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return
        self.accept()
