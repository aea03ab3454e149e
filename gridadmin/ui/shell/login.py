"""Logging in: the first start creates the administrator; every start
asks for user name and password; a user changes their own password."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)

from gridadmin import APP_TITLE
from gridadmin.db import Database
from gridadmin.services.access.permissions import Actor
from gridadmin.services.common.errors import ServiceError
from gridadmin.ui.common.widgets import error_label
from gridadmin.services.access.users import authenticate, change_own_password, create_user, needs_first_admin


class _FormDialog(QDialog):
    """A small form whose refusals show in red under the fields."""

    def __init__(self, title: str, intro: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(380)
        self.form = QFormLayout()
        self.error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
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


def log_in(db: Database, parent: QWidget | None = None) -> Database | None:
    """Create the first administrator if needed, then log in. Returns the
    database bound to the logged-in user, or None if the user gave up."""
    if needs_first_admin(db) and FirstAdminDialog(db, parent).exec() != QDialog.DialogCode.Accepted:
        return None
    dialog = LoginDialog(db, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.actor is None:
        return None
    return db.as_actor(dialog.actor)
