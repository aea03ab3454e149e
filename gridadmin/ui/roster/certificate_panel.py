"""A person's certificates (证书) in the staff dialog: list, add, edit,
remove. Each action is saved at once through
``gridadmin.services.roster.certificates``; a refusal is shown in the form, which
keeps what was typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.services.roster import certificates
from gridadmin.services.roster.certificates import STATE_EXPIRED, STATE_EXPIRING, CertificateInput, CertificateRow
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.roster.staff import parse_form_date
from gridadmin.ui.common.widgets import error_label, run_dialog, setup_table, show_error

HEADERS = ("证书名称", "证书编号", "发证机关", "发证日期", "有效期至", "状态")
STATE_COLOURS = {STATE_EXPIRED: "#b00020", STATE_EXPIRING: "#b26a00"}


class CertificateDialog(QDialog):
    """The form of one certificate. ``action(data)`` saves it; a
    ``ServiceError`` it raises is shown and the dialog stays open."""

    def __init__(self, action: Callable[[CertificateInput], None], *, row: CertificateRow | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._action = action
        self.setWindowTitle(self.tr("修改证书") if row else self.tr("新增证书"))
        self.setMinimumWidth(440)
        data = row.data if row else CertificateInput()
        self.name = QLineEdit(data.name)
        self.name.setMaxLength(80)
        self.name.setPlaceholderText(self.tr("如 社会工作者职业资格证书"))
        self.number = QLineEdit(data.number)
        self.issuer = QLineEdit(data.issuer)
        self.issued_on = QLineEdit(data.issued_on.isoformat() if data.issued_on else "")
        self.issued_on.setPlaceholderText("2021-06-30")
        self.expires_on = QLineEdit(data.expires_on.isoformat() if data.expires_on else "")
        self.expires_on.setPlaceholderText(self.tr("长期有效不填"))
        self.error = error_label()
        form = QFormLayout()
        form.addRow(self.tr("证书名称*"), self.name)
        form.addRow(self.tr("证书编号"), self.number)
        form.addRow(self.tr("发证机关"), self.issuer)
        form.addRow(self.tr("发证日期"), self.issued_on)
        form.addRow(self.tr("有效期至"), self.expires_on)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def typed(self) -> CertificateInput:
        """What the form holds (``ValidationError`` on a bad date)."""
        return CertificateInput(
            name=self.name.text(), number=self.number.text(), issuer=self.issuer.text(),
            issued_on=parse_form_date(self.issued_on.text(), "发证日期", "issued_on"),
            expires_on=parse_form_date(self.expires_on.text(), "有效期至", "expires_on"))

    def try_save(self) -> None:
        try:
            self._action(self.typed())
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return
        self.accept()


class CertificatePanel(QWidget):
    """Certificate table + buttons; disabled until the person is saved."""

    def __init__(self, db: Database, staff_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.staff_id = staff_id
        self.rows: list[CertificateRow] = []
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr("证书名称"), self.tr("证书编号"), self.tr("发证机关"), self.tr("发证日期"), self.tr("有效期至"), self.tr("状态")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        setup_table(self.table, stretch_column=0)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # issuer
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.add_button = QPushButton(self.tr("新增证书…"))
        self.edit_button = QPushButton(self.tr("修改…"))
        self.remove_button = QPushButton(self.tr("删除"))
        self.hint = QLabel()
        self.error = error_label()
        bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addLayout(bar)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.remove_button.clicked.connect(self.remove)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.refresh()

    def refresh(self) -> None:
        if self.staff_id is None:
            self.hint.setText(self.tr("请先保存人员信息，再添加证书。"))
            self.add_button.setEnabled(False)
            self._update_buttons()
            return
        self.rows = certificates.list_certificates(self.db, self.staff_id)
        today = date.today()
        self.table.setRowCount(len(self.rows))
        expiring = 0
        for r, row in enumerate(self.rows):
            state = row.state(today)
            expiring += state == STATE_EXPIRING
            values = (row.name, row.number, row.issuer, row.issued_on.isoformat() if row.issued_on else "",
                      row.expires_on.isoformat() if row.expires_on else "", state)
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if state in STATE_COLOURS and c == len(values) - 1:
                    item.setForeground(QBrush(QColor(STATE_COLOURS[state])))
                self.table.setItem(r, c, item)
        text = self.tr("共 {n} 个证书。").format(n=len(self.rows))
        if expiring:
            text += self.tr("其中 {m} 个将在 90 天内到期。").format(m=expiring)
        self.hint.setText(text)
        self._update_buttons()

    def selected(self) -> CertificateRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and self.rows else None

    def select_row(self, index: int) -> None:
        self.table.selectRow(index)

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        self.edit_button.setEnabled(has)
        self.remove_button.setEnabled(has)

    def add(self) -> None:
        if self.staff_id is None:
            return
        self._open(lambda data: certificates.add_certificate(self.db, self.staff_id, data))

    def edit(self) -> None:
        row = self.selected()
        if row is None:
            return
        self._open(lambda data: certificates.update_certificate(self.db, row.id, data,
                                                                expected_version=row.version), row)

    def remove(self) -> None:
        row = self.selected()
        if row is None:
            return
        answer = QMessageBox.question(self, self.tr("删除证书"),
                                      self.tr("删除证书“{name}”？（仅用于删除录错的记录）").format(name=row.name))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            certificates.remove_certificate(self.db, row.id, expected_version=row.version)
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return
        show_error(self.error, "")
        self.refresh()

    def _open(self, action, row: CertificateRow | None = None) -> None:
        if run_dialog(CertificateDialog(action, row=row, parent=self)):
            show_error(self.error, "")
            self.refresh()
