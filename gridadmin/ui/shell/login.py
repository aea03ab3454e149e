"""Logging in: the first start creates the administrator (and is then
logged in); every start asks for user name and password; a user changes
their own password.

Keyboard: the cursor starts in the first empty field, Tab goes down the
fields and then to 确定 and 取消, Enter anywhere presses 确定. Cancelling
the login asks before the program quits."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox, QVBoxLayout, QWidget,
)

from gridadmin import APP_TITLE
from gridadmin.db import Database
from gridadmin.services.access.permissions import Actor
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.access.users import authenticate, change_own_password, create_user, needs_first_admin
from gridadmin.services.demo.account import demo_account
from gridadmin.ui.common.widgets import error_label


class _FormDialog(QDialog):
    """A small form whose refusals show in red under the fields."""

    def __init__(self, title: str, intro: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(380)
        self.form = QFormLayout()
        self.error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        self._keyboard_ready = False
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def fields(self) -> list[QLineEdit]:
        """The form's text fields, top to bottom."""
        found = []
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLineEdit) and not widget.isReadOnly():
                found.append(widget)
        return found

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """On first show: Tab goes down the fields, then 确定, then 取消; the
        cursor starts in the first empty field."""
        super().showEvent(event)
        if self._keyboard_ready:
            return
        self._keyboard_ready = True
        chain = [*self.fields(), self.ok_button, self.buttons.button(QDialogButtonBox.StandardButton.Cancel)]
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)
        fields = self.fields()
        for field in fields:
            field.installEventFilter(self)
        start = next((f for f in fields if not f.text()), fields[-1] if fields else self.ok_button)
        start.setFocus()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        """Back in a field after Tab visited 取消 (which then became the
        default button), Enter presses 确定 again."""
        if event.type() == QEvent.Type.FocusIn:
            self.ok_button.setDefault(True)
        return super().eventFilter(watched, event)

    def password_field(self) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        return field

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def try_accept(self) -> None:
        try:
            self.save()
        except ServiceError as exc:
            self.show_error(exc.message)
            return
        self.accept()

    def save(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class FirstAdminDialog(_FormDialog):
    """Create the administrator on the first start of a database."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(self.tr("创建管理员"), self.tr(
            "这是本数据库第一次使用，请创建管理员账号。管理员可以添加其他用户、分配角色和负责的区域。"), parent)
        self.db = db
        self.username = QLineEdit("admin")
        self.display_name = QLineEdit()
        self.password = self.password_field()
        self.repeat = self.password_field()
        self.form.addRow(self.tr("用户名"), self.username)
        self.form.addRow(self.tr("姓名"), self.display_name)
        self.form.addRow(self.tr("密码（至少 8 位，含字母和数字）"), self.password)
        self.form.addRow(self.tr("再次输入密码"), self.repeat)

    def save(self) -> None:
        if self.password.text() != self.repeat.text():
            raise ServiceError(self.tr("两次输入的密码不一致。"))
        create_user(self.db, self.username.text(), self.display_name.text(), self.password.text(), ["admin"])


class LoginDialog(_FormDialog):
    """User name and password; ``actor`` holds the logged-in user."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(self.tr("登录") + " — " + APP_TITLE, "", parent)
        self.db = db
        self.actor: Actor | None = None
        self.username = QLineEdit()
        self.password = self.password_field()
        self.form.addRow(self.tr("用户名"), self.username)
        self.form.addRow(self.tr("密码"), self.password)
        self.form.addRow("", QLabel(self.tr("数据库：") + db.display_location))
        self.demo = demo_account(db)
        if self.demo is not None:
            hint = QLabel(self.tr("这是演示数据库（虚构人员）。演示账号：用户名 {u}，密码 {p}。直接按回车即可登录。")
                          .format(u=self.demo[0], p=self.demo[1]))
            hint.setWordWrap(True)
            self.form.addRow("", hint)
            self.username.setText(self.demo[0])
            self.password.setText(self.demo[1])

    def save(self) -> None:
        try:
            self.actor = authenticate(self.db, self.username.text(), self.password.text())
        except ServiceError:
            self.password.clear()
            self.password.setFocus()
            raise


class ChangePasswordDialog(_FormDialog):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(self.tr("修改密码"), "", parent)
        self.db = db
        self.old = self.password_field()
        self.new = self.password_field()
        self.repeat = self.password_field()
        self.form.addRow(self.tr("原密码"), self.old)
        self.form.addRow(self.tr("新密码"), self.new)
        self.form.addRow(self.tr("再次输入新密码"), self.repeat)

    def save(self) -> None:
        if self.new.text() != self.repeat.text():
            raise ServiceError(self.tr("两次输入的新密码不一致。"))
        change_own_password(self.db, self.old.text(), self.new.text())


def confirm_quit(parent: QWidget | None) -> bool:
    """Ask whether to quit after a cancelled login; True to quit."""
    answer = QMessageBox.question(
        parent, APP_TITLE, QCoreApplication.translate("LoginDialog", "不登录就退出网格中心管理系统吗？"),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def log_in(db: Database, parent: QWidget | None = None) -> Database | None:
    """Create the first administrator if needed (who is then logged in), else
    ask for user name and password. Returns the database bound to the
    logged-in user, or None when the user cancelled and confirmed quitting."""
    while needs_first_admin(db):
        dialog = FirstAdminDialog(db, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return db.as_actor(authenticate(db, dialog.username.text(), dialog.password.text()))
        if confirm_quit(parent):
            return None
    while True:
        dialog = LoginDialog(db, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.actor is not None:
            return db.as_actor(dialog.actor)
        if confirm_quit(parent):
            return None
