"""One dialog for the life events of a member: 迁出 (date, destination),
死亡 (date), 户间迁移 (date, target household number, relation there).
The service refuses bad dates; the dialog stays open with what was typed.
A date in a month whose report was submitted (已上报) is accepted, and the
dialog says so under the date (it counts as 更正 in the next month)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, \
    QMessageBox, QWidget

from gridadmin.db import Database
from gridadmin.services.register import life_events
from gridadmin.services.common.errors import ServiceError, ValidationError
from gridadmin.services.register.households import MemberData, find_household
from gridadmin.services.reports.submission import submitted_month_notice



class EventDialog(QDialog):
    def __init__(self, db: Database, kind: str, member: MemberData, relations: list[tuple[str, str]],
                 parent: QWidget | None = None, *, area_id: int | None = None):
        super().__init__(parent)
        self.db, self.kind, self.member, self.area_id = db, kind, member, area_id
        self.notice: str | None = None  # the service's submitted-month notice of the recorded event
        titles = {"move_out": self.tr("迁出登记"), "death": self.tr("死亡登记"), "transfer": self.tr("户间迁移")}
        self.setWindowTitle(titles[kind] + f"：{member.name}")
        self.setMinimumWidth(420)
        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.late = QLabel()
        self.late.setWordWrap(True)
        self.late.setStyleSheet("color: #b26a00;")
        self.late.hide()
        self.day.dateChanged.connect(lambda _d: self.show_notice())
        self.destination = QLineEdit()
        self.destination.setPlaceholderText(self.tr("如：河南省郑州市金水区"))
        self.target = QLineEdit()
        self.target.setPlaceholderText(self.tr("迁入户的户号"))
        self.relation = QComboBox()
        for code, label in relations:
            self.relation.addItem(label, code)
        self.note = QLineEdit()
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr("成员：") + member.name))
        self.day.setMaximumDate(QDate.currentDate())
        self.day.setToolTip(self.tr("变动发生的日期（月报按此日期统计），不是录入的日期"))
        form.addRow(self.tr("发生日期"), self.day)
        form.addRow(self.late)
        if kind == "move_out":
            form.addRow(self.tr("迁往"), self.destination)
        if kind == "transfer":
            form.addRow(self.tr("迁入户号"), self.target)
            form.addRow(self.tr("在新户与户主关系"), self.relation)
        form.addRow(self.tr("备注"), self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登记"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.try_record)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def show_notice(self) -> str | None:
        """Under the date: the notice for a date in a submitted month."""
        try:
            text = submitted_month_notice(self.db, self.chosen_date(), self.area_id)
        except ServiceError:
            text = None
        self.late.setText(text or "")
        self.late.setVisible(bool(text))
        return text

    def chosen_date(self) -> date:
        return self.day.date().toPython()

    def try_record(self) -> bool:
        on, note, version = self.chosen_date(), self.note.text(), self.member.version
        try:
            if self.kind == "move_out":
                self.notice = life_events.move_out(self.db, self.member.id, on, self.destination.text(), note=note,
                                     expected_version=version)
            elif self.kind == "death":
                self.notice = life_events.record_death(self.db, self.member.id, on, note=note, expected_version=version)
            else:
                found = find_household(self.db, self.target.text())
                if found is None:
                    raise ValidationError(f"户号 {self.target.text().strip() or '（空）'} 不存在或已注销。",
                                          field="迁入户号", value=self.target.text())
                self.notice = life_events.transfer(self.db, self.member.id, found[0], on,
                                                   self.relation.currentData(), note=note, expected_version=version)
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("不能登记"), exc.message)
            return False
        self.accept()
        return True
