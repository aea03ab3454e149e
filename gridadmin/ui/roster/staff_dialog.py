"""Add or edit one staff member: the roster fields on the first tab, then
the assignments (任职记录), the history as a timeline (履历), the
certificates (证书) and the training record. Typing the ID number fills
birth date and gender; refusals are shown in the dialog, which keeps what
was typed. Code lists (skill levels …) are read each time the dialog
opens, so edits in the settings show up at once."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QLabel, QLineEdit, QTabWidget, QVBoxLayout,
    QWidget,
)

from gridadmin.db import Database
from gridadmin.models.staff import STAFF_STATUSES
from gridadmin.services.roster import staff as staff_service
from gridadmin.services.common.errors import ConflictError, ServiceError
from gridadmin.services.roster.staff import EMPLOYMENT_TYPES, StaffInput, StaffRecord, parse_form_date
from gridadmin.ui.roster.assignment_panel import AssignmentPanel
from gridadmin.ui.roster.certificate_panel import CertificatePanel
from gridadmin.ui.roster.timeline import TimelinePanel
from gridadmin.ui.common.conflict import offer_reload, refill_from
from gridadmin.ui.common.widgets import error_label, set_form_tab_order, show_id_facts
from gridadmin.ui.roster.training_history_panel import TrainingHistoryPanel

CODE_LISTS = ("gender", "ethnicity", "political", "education", "skill_level")


def _combo(items: list[tuple[str, str]], *, blank: str | None = "（未填）") -> QComboBox:
    combo = QComboBox()
    if blank is not None:
        combo.addItem(blank, "")
    for code, label in items:
        combo.addItem(label, code)
    return combo


def _select(combo: QComboBox, value: str | None) -> None:
    index = combo.findData(value or "")
    combo.setCurrentIndex(max(0, index))


def _keep_retired(combo: QComboBox, value: str | None) -> None:
    """A stored code no longer in its list (a skill level taken out of
    use) is shown as such rather than silently dropped on save."""
    if value and combo.findData(value) < 0:
        combo.addItem(QCoreApplication.translate("StaffDialog", "{value}（已停用）").format(value=value), value)


class StaffDialog(QDialog):
    """``staff_id`` None creates a person. After a successful save
    ``saved_id`` holds the id and the dialog is accepted."""

    def __init__(self, db: Database, staff_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.record: StaffRecord | None = staff_service.get_staff(db, staff_id) if staff_id else None
        self.saved_id: int | None = None
        data = self.record.data if self.record else StaffInput()
        self.setWindowTitle(self.tr("编辑人员：{name}").format(name=data.name) if self.record
                            else self.tr("新增人员"))
        self.setMinimumWidth(820)
        choices = staff_service.code_choices(db, *CODE_LISTS)

        self.name = QLineEdit(data.name)
        self.name.setMaxLength(50)
        self.id_number = QLineEdit(data.id_number)
        self.id_number.setMaxLength(22)
        self.id_hint = QLabel()
        self.id_hint.setStyleSheet("color: #666;")
        self.gender = _combo([c for c in choices["gender"] if c[0] in ("1", "2")])
        self.birth_date = QLineEdit(data.birth_date.isoformat() if data.birth_date else "")
        self.birth_date.setReadOnly(True)
        self.birth_date.setPlaceholderText(self.tr("由公民身份号码自动填写"))
        self.ethnicity = _combo(choices["ethnicity"])
        self.phone = QLineEdit(data.phone)
        self.phone.setPlaceholderText(self.tr("手机号或 0377-63123456"))
        self.employment_type = _combo([(t, t) for t in EMPLOYMENT_TYPES], blank="（请选择）")
        self.political_status = _combo(choices["political"], blank="（请选择）")
        self.education = _combo(choices["education"], blank="（请选择）")
        self.position = QLineEdit(data.position)
        self.hired_on = QLineEdit(data.hired_on.isoformat() if data.hired_on else "")
        self.hired_on.setPlaceholderText("2020-01-31")
        self.left_on = QLineEdit(data.left_on.isoformat() if data.left_on else "")
        self.left_on.setPlaceholderText(self.tr("在岗/休假不填"))
        self.status = _combo([(s, s) for s in STAFF_STATUSES], blank=None)
        self.contract_type = QLineEdit(data.contract_type)
        self.social_work_cert = QLineEdit(data.social_work_cert)
        self.social_work_cert.setPlaceholderText(self.tr("如 助理社会工作师"))
        self.skill_level = _combo(choices["skill_level"])
        _keep_retired(self.skill_level, data.skill_level)
        self.note = QLineEdit(data.note)
        for combo, value in ((self.gender, data.gender), (self.ethnicity, data.ethnicity or ("01" if not self.record
                                                                                          else "")),
                             (self.employment_type, data.employment_type),
                             (self.political_status, data.political_status), (self.education, data.education),
                             (self.status, data.status), (self.skill_level, data.skill_level)):
            _select(combo, value)
        self.error = error_label()

        self.tabs = QTabWidget()
        self.tabs.addTab(self._form_page(), self.tr("基本信息"))
        self.assignments = AssignmentPanel(db, self.record.id if self.record else None, self)
        self.tabs.addTab(self.assignments, self.tr("任职记录"))
        self.timeline = TimelinePanel(db, self.record.id if self.record else None, self)
        self.tabs.addTab(self.timeline, self.tr("履历时间线"))
        self.certificates = CertificatePanel(db, self.record.id if self.record else None, self)
        self.tabs.addTab(self.certificates, self.tr("证书"))
        self.training = TrainingHistoryPanel(db, self.record.id if self.record else None, self)
        self.tabs.addTab(self.training, self.tr("培训记录"))
        self.tabs.currentChanged.connect(self._tab_shown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.id_number.textChanged.connect(self._id_typed)
        self._id_typed(self.id_number.text())

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.timeline:
            self.timeline.refresh()  # assignments may have changed on the other tab

    def _form_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        left, right = QFormLayout(), QFormLayout()
        left.addRow(self.tr("姓名*"), self.name)
        left.addRow(self.tr("公民身份号码*"), self.id_number)
        left.addRow("", self.id_hint)
        left.addRow(self.tr("性别*"), self.gender)
        left.addRow(self.tr("出生年月*"), self.birth_date)
        left.addRow(self.tr("民族"), self.ethnicity)
        left.addRow(self.tr("联系电话"), self.phone)
        left.addRow(self.tr("政治面貌*"), self.political_status)
        left.addRow(self.tr("文化程度*"), self.education)
        right.addRow(self.tr("专兼职*"), self.employment_type)
        right.addRow(self.tr("职务/岗位"), self.position)
        right.addRow(self.tr("入职(登记)时间*"), self.hired_on)
        right.addRow(self.tr("离职时间"), self.left_on)
        right.addRow(self.tr("状态*"), self.status)
        right.addRow(self.tr("合同类型"), self.contract_type)
        right.addRow(self.tr("社工证"), self.social_work_cert)
        right.addRow(self.tr("技能等级"), self.skill_level)
        right.addRow(self.tr("备注"), self.note)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        self.form_layouts = (left, right)
        set_form_tab_order(left, right)  # down the left column, then the right one
        return page

    def _id_typed(self, text: str) -> None:
        """Fill birth date and gender from a complete number; flag a bad one."""
        show_id_facts(self.id_hint, text, self.birth_date, self.gender)

    def typed(self) -> StaffInput:
        """What the form holds (dates parsed; ``ValidationError`` on a bad date)."""
        return StaffInput(
            name=self.name.text(), id_number=self.id_number.text(), gender=self.gender.currentData() or None,
            birth_date=parse_form_date(self.birth_date.text(), "出生日期", "birth_date"),
            ethnicity=self.ethnicity.currentData() or None, phone=self.phone.text(),
            employment_type=self.employment_type.currentData() or None,
            political_status=self.political_status.currentData() or None,
            education=self.education.currentData() or None, position=self.position.text(),
            hired_on=parse_form_date(self.hired_on.text(), "入职时间", "hired_on"),
            left_on=parse_form_date(self.left_on.text(), "离职时间", "left_on"),
            status=self.status.currentData(), contract_type=self.contract_type.text(),
            social_work_cert=self.social_work_cert.text(), skill_level=self.skill_level.currentData() or None,
            note=self.note.text())

    def try_save(self) -> None:
        try:
            self.saved_id = staff_service.save_staff(
                self.db, self.typed(), staff_id=self.record.id if self.record else None,
                expected_version=self.record.version if self.record else None)
        except ConflictError as exc:
            if offer_reload(self, exc):
                refill_from(self, StaffDialog(self.db, self.record.id), "record")
            return
        except ServiceError as exc:
            self.tabs.setCurrentIndex(0)
            self.error.setText(exc.message)
            self.error.show()
            return
        self.accept()
