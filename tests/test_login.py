"""The first start creates the administrator; login binds the user."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from gridadmin.services.access.users import needs_first_admin
from gridadmin.ui.shell.login import FirstAdminDialog, LoginDialog, log_in
from gridadmin.ui.shell.main_window import MainWindow
from tests.uihelpers import type_text, when_modal


def _ok(dialog):
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_first_admin_then_login_binds_the_user(qtbot, township_db):
    def create(dialog):
        assert isinstance(dialog, FirstAdminDialog)
        type_text(qtbot, dialog.display_name, "王管理")
        type_text(qtbot, dialog.password, "short1")
        type_text(qtbot, dialog.repeat, "short1")
        _ok(dialog)
        assert dialog.isVisible() and "至少 8 位" in dialog.error.text()
        for field in (dialog.password, dialog.repeat):
            field.clear()
            type_text(qtbot, field, "wangge2026")
        _ok(dialog)
        when_modal(login)

    def login(dialog):
        assert isinstance(dialog, LoginDialog)
        type_text(qtbot, dialog.username, "admin")
        type_text(qtbot, dialog.password, "wrong-pass1")
        _ok(dialog)
        assert dialog.isVisible() and "用户名或密码不正确" in dialog.error.text() and dialog.password.text() == ""
        type_text(qtbot, dialog.password, "wangge2026")
        _ok(dialog)

    when_modal(create)
    db = log_in(township_db)
    assert db is not None and db.actor.username == "admin" and db.actor.is_admin
    assert not needs_first_admin(township_db)
    window = MainWindow(db)
    qtbot.addWidget(window)
    from PySide6.QtWidgets import QLabel

    texts = [label.text() for label in window.statusBar().findChildren(QLabel)]
    assert any("当前用户：王管理（管理员）" in t for t in texts), texts


def test_giving_up_at_login_returns_none(qtbot, township_db):
    when_modal(lambda dialog: dialog.reject())
    assert log_in(township_db) is None
