"""签到管理: the attendees of one session, edited in place; add everyone on
post in a community or grid with one role; remove the selected people."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QStyledItemDelegate,
    QTableView, QVBoxLayout, QWidget,
)

from gridadmin import APP_TITLE
from gridadmin.db import Database
from gridadmin.models.area import LEVEL_MICROGRID
from gridadmin.models.staff import ROLE_FULLTIME
from gridadmin.models.training import ATTEND_PRESENT
from gridadmin.services.areas import tree as areas
from gridadmin.services.training import sessions as training
from gridadmin.services.areas.tree import AreaNode
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.training.sessions import SessionRow, TrainingCodeLists
from gridadmin.ui.training.attendance_model import (
    COL_PASSED, COL_STATUS, ROW_ROLE, AttendanceModel, passed_choices, status_choices,
)
from gridadmin.services.training.targets import community_choices, parse_target_group, target_group_staff
from gridadmin.ui.training.staff_picker import StaffPickerDialog
from gridadmin.ui.common.widgets import error_label, run_dialog, setup_table, show_error
from gridadmin.ui.training.models import date_range_text


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box editor over ``(value, label)`` choices (labels already
    translated); picking an item saves it at once."""

    def __init__(self, choices, parent=None):
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt override
        combo = QComboBox(parent)
        for value, label in self.choices:
            combo.addItem(label, value)
        combo.activated.connect(lambda _i, c=combo: (self.commitData.emit(c), self.closeEditor.emit(c)))
        return combo

    def setEditorData(self, editor, index):  # noqa: N802 - Qt override
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor, model, index):  # noqa: N802 - Qt override
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class AttendanceDialog(QDialog):
    def __init__(self, db: Database, session: SessionRow, codes: TrainingCodeLists, *, full_numbers: bool = False,
                 area_nodes: list[AreaNode] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.session = session
        self.setWindowTitle(self.tr("签到管理 — {name}").format(name=session.name))
        self.resize(980, 640)
        self.model = AttendanceModel(lambda: training.session_attendance(db, session.id), self._save,
                                     full_numbers=full_numbers, parent=self)
        self.model.refused.connect(lambda message: show_error(self.error, message))
        self.model.saved.connect(self._changed)

        heading = QLabel(self.tr("{name}　{when}　{hours} 学时").format(
            name=session.name, when=date_range_text(session.start_date, session.end_date),
            hours=f"{session.hours:g}"))
        heading.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.area = QComboBox()
        self.area.setEditable(True)
        self.area.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.area.setMinimumContentsLength(14)
        self.area.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for node in area_nodes if area_nodes is not None else areas.load_tree(db, include_inactive=False, counts=False):
            if node.level != LEVEL_MICROGRID:
                self.area.addItem("　" * node.depth + node.full_name, node.id)
        self.area.setCurrentIndex(1 if self.area.count() > 1 else 0)
        self.role = QComboBox()
        self.role.addItem(self.tr("各岗位"), "")
        for code, label in codes.roles:
            self.role.addItem(label, code)
        self.role.setCurrentIndex(max(0, self.role.findData(ROLE_FULLTIME)))
        self.add_button = QPushButton(self.tr("添加"))
        self.pick_button = QPushButton(self.tr("选择人员…"))
        self.target_button = QPushButton(self.tr("添加培训对象"))
        self.full_numbers = full_numbers
        self.target = parse_target_group(session.target_group, codes.roles, community_choices(db))
        self.target_button.setToolTip(self.tr("添加本次培训的培训对象中全体在岗人员：{t}").format(
            t=session.target_group or self.tr("全乡镇（街道）各岗位")))
        self.remove_button = QPushButton(self.tr("移除所选"))
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table)
        self._size_columns()
        self.table.setItemDelegateForColumn(COL_STATUS, ChoiceDelegate(status_choices(), self.table))
        self.table.setItemDelegateForColumn(COL_PASSED, ChoiceDelegate(passed_choices(), self.table))
        self.table.setEditTriggers(QTableView.EditTrigger.DoubleClicked | QTableView.EditTrigger.SelectedClicked
                                   | QTableView.EditTrigger.EditKeyPressed | QTableView.EditTrigger.AnyKeyPressed)
        self.summary = QLabel()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.error = error_label()

        add_bar = QHBoxLayout()
        add_bar.addWidget(QLabel(self.tr("添加：")))
        add_bar.addWidget(self.area, 2)
        add_bar.addWidget(QLabel(self.tr("的")))
        add_bar.addWidget(self.role, 1)
        add_bar.addWidget(QLabel(self.tr("全体在岗人员")))
        add_bar.addWidget(self.add_button)
        add_bar.addStretch(1)
        add_bar.addWidget(self.target_button)
        add_bar.addWidget(self.pick_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.remove_button)
        bottom.addWidget(self.summary, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.accept)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(add_bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        hint = QLabel(self.tr("双击单元格修改状态、认定学时、成绩、合格与证书编号，改后立即保存；缺席、请假不计学时。"))
        hint.setStyleSheet("color: #666;")
        layout.addWidget(hint)

        self.add_button.clicked.connect(self.add_on_post)
        self.pick_button.clicked.connect(self.pick_staff)
        self.target_button.clicked.connect(self.add_target_group)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._changed()
        self._update_buttons()

    def _size_columns(self) -> None:
        """Fixed widths from the font: no pass over the rows (quick with hundreds)."""
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        metrics = self.table.fontMetrics()
        for column, sample in enumerate(("欧阳某某某", "建设东路社区·第一村民小组网格", "138****5678 ", "出席▾ ", "认定学时",
                                         "100.0 ", "不合格▾ ")):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 18)

    def _save(self, staff_id: int, **fields) -> None:
        training.set_attendance(self.db, self.session.id, staff_id, **fields)

    def _changed(self) -> None:
        show_error(self.error, "")
        rows = self.model.rows
        present = sum(1 for r in rows if r.status == ATTEND_PRESENT)
        self.summary.setText(self.tr("应到 {n} 人，出席 {p} 人，缺席或请假 {a} 人").format(
            n=len(rows), p=present, a=len(rows) - present))

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def selected_rows(self):
        return [self.model.data(i, ROW_ROLE) for i in sorted(self.table.selectionModel().selectedRows(),
                                                                key=lambda i: i.row())]

    def add_on_post(self) -> None:
        """Add everyone on post (at the session date) in the chosen area and role."""
        area_id, role = self.area.currentData(), self.role.currentData() or None
        if area_id is None:
            return
        who = f"{self.area.currentText().strip()}{self.role.currentText() if role else ''}"
        self._add_found(lambda: training.staff_on_post_in(self.db, area_id, role, on=self.session.start_date), who)

    def add_target_group(self) -> None:
        """Add everyone on post in the session's target roles and communities."""
        self._add_found(lambda: target_group_staff(self.db, self.target, self.session.start_date),
                        self.tr("培训对象中"))

    def pick_staff(self) -> None:
        """Pick people one by one from the roster."""
        picker = StaffPickerDialog(self.db, self.session.start_date, already={r.staff_id for r in self.model.rows},
                                   full_numbers=self.full_numbers, parent=self)
        if run_dialog(picker) and picker.chosen:
            chosen = list(picker.chosen)
            self._add_found(lambda: chosen, self.tr("所选人员中"))

    def _add_found(self, find, who: str) -> None:
        """Add the staff ``find()`` returns who are not listed yet; report
        how many were added. A refusal adds nobody."""
        show_error(self.error, "")
        try:
            found = find()
            listed = {r.staff_id for r in self.model.rows}
            new = [staff_id for staff_id in found if staff_id not in listed]
            added = training.add_attendees(self.db, self.session.id, new) if new else 0
        except ServiceError as exc:
            show_error(self.error, self.tr("未添加任何人：{message}").format(message=exc.message))
            return
        if not found:
            self.notice.setText(self.tr("{who}在 {day} 没有在岗人员。").format(
                who=who, day=f"{self.session.start_date:%Y-%m-%d}"))
        else:
            text = self.tr("已添加{who} {n} 人").format(who=who, n=added)
            if len(found) > added:
                text += self.tr("，另有 {m} 人已在名单中").format(m=len(found) - added)
            self.notice.setText(text + self.tr("。"))
        self.notice.show()
        self.model.reload()
        self._changed()

    def remove_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        names = "、".join(r.name for r in rows[:5]) + (self.tr(" 等 {n} 人").format(n=len(rows)) if len(rows) > 5 else "")
        if QMessageBox.question(self, APP_TITLE, self.tr("从本次培训名单中移除 {names}？").format(names=names)) \
                != QMessageBox.StandardButton.Yes:
            return
        for row in rows:
            training.remove_attendee(self.db, self.session.id, row.staff_id)
        self.notice.setText(self.tr("已移除 {n} 人。").format(n=len(rows)))
        self.notice.show()
        self.model.reload()
        self._changed()
