"""The first start creates the administrator; login binds the user."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QMessageBox

from gridadmin.services.access.users import create_user, needs_first_admin
from gridadmin.services.demo.account import DEMO_PASSWORD, DEMO_USERNAME, create_demo_account, demo_account
from gridadmin.ui.shell.login import FirstAdminDialog, LoginDialog, log_in
from gridadmin.ui.shell.main_window import MainWindow
from tests.uihelpers import answer_message_box, type_text, when_modal


def _ok(dialog):
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_first_admin_is_logged_in_straight_away(qtbot, township_db):
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

    when_modal(create)
    db = log_in(township_db)
    assert db is not None and db.actor.username == "admin" and db.actor.is_admin
    assert not needs_first_admin(township_db)
    window = MainWindow(db)
    qtbot.addWidget(window)
    from PySide6.QtWidgets import QLabel

    texts = [label.text() for label in window.statusBar().findChildren(QLabel)]
    assert any("当前用户：王管理（管理员）" in t for t in texts), texts


def test_wrong_password_then_right_one(qtbot, township_db):
    create_user(township_db, "admin", "王管理", "wangge2026", ["admin"])

    def login(dialog):
        assert isinstance(dialog, LoginDialog)
        _activate(dialog)
        type_text(qtbot, dialog.username, "admin")
        type_text(qtbot, dialog.password, "wrong-pass1")
        _ok(dialog)
        assert dialog.isVisible() and "用户名或密码不正确" in dialog.error.text() and dialog.password.text() == ""
        assert QApplication.focusWidget() is dialog.password, QApplication.focusWidget()
        type_text(qtbot, dialog.password, "wangge2026")
        _ok(dialog)

    when_modal(login)
    db = log_in(township_db)
    assert db is not None and db.actor.username == "admin"


def _activate(dialog) -> None:
    """Make the dialog the active window, as the window manager does for a
    new modal dialog on a desktop (the offscreen platform does not)."""
    import warnings

    dialog.activateWindow()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        QApplication.setActiveWindow(dialog)


def _keys(qtbot, dialog, text: str) -> None:
    """Type ASCII ``text`` into whatever has the focus, key by key."""
    for ch in text:
        QTest.keyClick(QApplication.focusWidget(), ch)


def test_login_by_keyboard_name_tab_password_enter(qtbot, township_db):
    """Focus starts in 用户名; Tab goes 用户名 → 密码 → 确定 → 取消; typing the
    name, Tab, the password and Enter logs in."""
    create_user(township_db, "clerk1", "李文员", "wangge2026", ["admin"])
    order = []

    def login(dialog):
        _activate(dialog)
        assert QApplication.focusWidget() is dialog.username
        chain = [QApplication.focusWidget()]
        for _ in range(3):
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            chain.append(QApplication.focusWidget())
        order.extend(chain)
        cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        assert chain == [dialog.username, dialog.password, dialog.ok_button, cancel]
        dialog.username.setFocus()
        _keys(qtbot, dialog, "clerk1")
        QTest.keyClick(dialog.username, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is dialog.password
        _keys(qtbot, dialog, "wangge2026")
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)

    when_modal(login)
    db = log_in(township_db)
    assert order, "the login dialog never opened"
    assert db is not None and db.actor.username == "clerk1"


def test_first_admin_dialog_keyboard_order(qtbot, township_db):
    """创建管理员: focus in the first empty field (姓名, the user name is
    filled in), Tab down the fields, then 确定; Enter creates and logs in."""
    seen = []

    def create(dialog):
        _activate(dialog)
        assert QApplication.focusWidget() is dialog.display_name
        chain = [dialog.display_name]
        for _ in range(3):
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            chain.append(QApplication.focusWidget())
        assert chain == [dialog.display_name, dialog.password, dialog.repeat, dialog.ok_button]
        seen.append(True)
        dialog.password.setFocus()
        _keys(qtbot, dialog, "wangge2026")
        QTest.keyClick(dialog.password, Qt.Key.Key_Tab)
        _keys(qtbot, dialog, "wangge2026")
        QTest.keyClick(dialog.repeat, Qt.Key.Key_Return)

    when_modal(create)
    db = log_in(township_db)
    assert seen and db is not None and db.actor.username == "admin"


def test_cancelled_login_asks_before_quitting(qtbot, township_db):
    """取消 asks; 否 shows the login again; 是 gives up (None)."""
    create_user(township_db, "admin", "王管理", "wangge2026", ["admin"])
    questions: list[list[str]] = []

    def first(dialog):
        questions.append(answer_message_box(QMessageBox.StandardButton.No))
        when_modal(second)
        dialog.reject()

    def second(dialog):
        assert isinstance(dialog, LoginDialog)
        questions.append(answer_message_box(QMessageBox.StandardButton.Yes))
        dialog.reject()

    when_modal(first)
    assert log_in(township_db) is None
    assert len(questions) == 2 and all(len(q) == 1 and "退出" in q[0] for q in questions)


def test_demo_database_shows_its_account_and_logs_in_with_enter(qtbot, township_db):
    assert create_demo_account(township_db)
    assert not create_demo_account(township_db)  # never a second time, never into a used database

    def login(dialog):
        assert dialog.demo == (DEMO_USERNAME, DEMO_PASSWORD)
        hints = [label.text() for label in dialog.findChildren(QLabel)]
        assert any("演示账号" in h and DEMO_PASSWORD in h for h in hints), hints
        _activate(dialog)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)

    when_modal(login)
    db = log_in(township_db)
    assert db is not None and db.actor.username == DEMO_USERNAME and db.actor.is_admin


def test_real_database_has_no_demo_account(township_db):
    create_user(township_db, "admin", "王管理", "wangge2026", ["admin"])
    assert not create_demo_account(township_db)
    assert demo_account(township_db) is None
