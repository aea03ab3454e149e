"""系统设置 → 用户: 全部区域 is ticked explicitly, 停用/启用 a user; a
deactivated user's next action in a running app returns it to the login."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from gridadmin.services.access.permissions import AccountDisabledError, acting
from gridadmin.services.access.users import authenticate, create_user, list_users, set_active
from gridadmin.ui.settings.settings_page import SettingsPage
from gridadmin.ui.shell.login import LoginDialog
from tests.uihelpers import answer_message_box, type_text, when_modal

PASSWORD = "wangge2026"


@pytest.fixture
def admin_db(township_db):
    create_user(township_db, "admin", "王管理", PASSWORD, ["admin"])
    return township_db.as_actor(authenticate(township_db, "admin", PASSWORD))


def _row_of(tab, username: str) -> int:
    return next(r for r in range(tab.table.rowCount()) if tab.table.item(r, 0).text() == username)


def test_all_areas_is_an_explicit_tick_and_no_area_is_none(qtbot, admin_db):
    page = SettingsPage(admin_db)
    qtbot.addWidget(page)

    def fill(username: str, all_areas: bool):
        def action(dialog):
            type_text(qtbot, dialog.username, username)
            type_text(qtbot, dialog.password, "clerk2026")
            dialog.roles["official"].setChecked(True)
            if all_areas:
                dialog.all_areas.setChecked(True)
                assert not dialog.areas.isEnabled()
            dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
        return action

    when_modal(fill("lingdao", True))
    page.users_tab.add_user()
    when_modal(fill("kong", False))
    page.users_tab.add_user()
    users = {u.username: u for u in list_users(admin_db)}
    assert users["lingdao"].all_areas and not users["kong"].all_areas and users["kong"].scope == ()
    tab = page.users_tab
    assert tab.table.item(_row_of(tab, "lingdao"), 3).text() == "全部"
    assert tab.table.item(_row_of(tab, "kong"), 3).text() == "无（未选区域）"


def test_deactivate_and_reactivate_from_the_users_tab(qtbot, admin_db):
    create_user(admin_db, "clerk", "李文员", PASSWORD, ["clerk"], all_areas=True)
    page = SettingsPage(admin_db)
    qtbot.addWidget(page)
    tab = page.users_tab
    tab.table.setCurrentCell(_row_of(tab, "clerk"), 0)
    assert tab.active_button.text() == "停用"
    asked = answer_message_box(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.active_button, Qt.MouseButton.LeftButton)
    assert "停用用户“李文员”" in asked[0]
    assert not {u.username: u for u in list_users(admin_db)}["clerk"].active
    assert tab.table.item(_row_of(tab, "clerk"), 4).text() == "已停用"
    tab.table.setCurrentCell(_row_of(tab, "clerk"), 0)
    assert tab.active_button.text() == "启用"
    qtbot.mouseClick(tab.active_button, Qt.MouseButton.LeftButton)
    assert {u.username: u for u in list_users(admin_db)}["clerk"].active


def test_deactivated_user_returns_to_the_login(qtbot, admin_db, monkeypatch):
    from gridadmin.ui.shell import app as app_module
    from gridadmin.ui.shell.main_window import MainWindow

    create_user(admin_db, "clerk", "李文员", PASSWORD, ["clerk"], all_areas=True)
    clerk_db = admin_db.as_actor(authenticate(admin_db, "clerk", PASSWORD))
    window = MainWindow(clerk_db)
    qtbot.addWidget(window)
    window.show()
    set_active(admin_db, acting(clerk_db).user_id, False)
    try:
        with clerk_db.session():
            pass
    except AccountDisabledError as exc:
        error = exc
    else:
        pytest.fail("a deactivated user's action went through")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app_module.install_excepthook()
    told = answer_message_box(QMessageBox.StandardButton.Ok)
    logins = []

    def log_in_as_admin(dialog):
        logins.append(dialog)
        assert isinstance(dialog, LoginDialog)
        type_text(qtbot, dialog.username, "admin")
        type_text(qtbot, dialog.password, PASSWORD)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    when_modal(log_in_as_admin, kind=LoginDialog)
    sys.excepthook(AccountDisabledError, error, None)
    assert told and "已被停用" in told[0]
    assert logins and not window.isVisible()
    new = app_module._open_windows[-1]
    qtbot.addWidget(new)
    assert new.isVisible() and acting(new.db).username == "admin"
    app_module._open_windows.clear()
