"""New or edit one training session. Refusals are shown in the dialog,
which keeps what the user typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QGridLayout, QLineEdit,
    QListView, QListWidget, QListWidgetItem, QVBoxLayout, QWidget,
)

from gridadmin.services.common.errors import ServiceError
from gridadmin.services.training.sessions import SessionInput, SessionRow, TrainingCodeLists
from gridadmin.services.training.targets import TargetGroup, format_target_group, parse_target_group
from gridadmin.ui.common.widgets import error_label, set_form_tab_order, show_error


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


class SessionDialog(QDialog):
    """``save`` is called with the typed ``SessionInput``; a ``ServiceError``
    it raises is shown under the form and the dialog stays open."""

    def __init__(self, codes: TrainingCodeLists, save: Callable[[SessionInput], None], *,
                 session: SessionRow | None = None, day: date | None = None,
                 communities: list[tuple[int, str]] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._save = save
        self.codes = codes
        self.communities = list(communities or [])
        self.setWindowTitle(self.tr("编辑培训") if session else self.tr("新建培训"))
        self.setMinimumWidth(560)
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
        target = parse_target_group(session.target_group if session else "", codes.roles, self.communities)
        self.target_roles = self._role_boxes(target.roles)
        self.target_areas = self._community_list(target.communities)
        self.target_extra = QLineEdit(target.extra)
        self.target_extra.setPlaceholderText(self.tr("其他说明，如：新入职人员"))
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
        role_grid = QGridLayout()
        role_grid.setContentsMargins(0, 0, 0, 0)
        for i, box in enumerate(self.target_roles.values()):
            role_grid.addWidget(box, i // 4, i % 4)
        form.addRow(self.tr("培训对象岗位"), role_grid)
        form.addRow(self.tr("培训对象社区/村"), self.target_areas)
        form.addRow("", self.target_extra)
        form.addRow(self.tr("备注"), self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        self.form_layout = form
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        set_form_tab_order(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _combo(self, items, current: str | None) -> QComboBox:
        combo = QComboBox()
        combo.addItem(self.tr("（未指定）"), "")
        for code, label in items:
            combo.addItem(label, code)
        combo.setCurrentIndex(max(0, combo.findData(current or "")))
        return combo

    def _role_boxes(self, checked: tuple[str, ...]) -> dict[str, QCheckBox]:
        boxes = {}
        for code, label in self.codes.roles:
            box = QCheckBox(label)
            box.setChecked(code in checked)
            boxes[code] = box
        return boxes

    def _community_list(self, checked: tuple[int, ...]) -> QListWidget:
        """Communities as check boxes flowing in rows; none ticked: all."""
        view = QListWidget()
        view.setFlow(QListView.Flow.LeftToRight)
        view.setWrapping(True)
        view.setResizeMode(QListView.ResizeMode.Adjust)
        view.setSpacing(2)
        view.setFixedHeight(self.fontMetrics().height() * 5 + 24)
        view.setToolTip(self.tr("不勾选表示全乡镇（街道）"))
        for area_id, name in self.communities:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, area_id)
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Checked if area_id in checked else Qt.CheckState.Unchecked)
            view.addItem(item)
        return view

    def target(self) -> TargetGroup:
        """The ticked roles and communities and the extra words."""
        roles = tuple(code for code, box in self.target_roles.items() if box.isChecked())
        areas = tuple(self.target_areas.item(i).data(Qt.ItemDataRole.UserRole)
                      for i in range(self.target_areas.count())
                      if self.target_areas.item(i).checkState() == Qt.CheckState.Checked)
        return TargetGroup(roles, areas, " ".join(self.target_extra.text().split()))

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
            place=self.place.text(), target_group=format_target_group(self.target(), self.codes.roles, self.communities), note=self.note.text())

    def try_save(self) -> None:
        try:
            self._save(self.typed())
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return
        self.accept()
