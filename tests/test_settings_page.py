"""The settings page: users managed by the administrator, manual backup and
restore through the real widgets."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox

from gridadmin.services.areas import tree as areas
from gridadmin.services.maintenance.backup import BACKUP_SUFFIX
from gridadmin.services.access.users import authenticate, create_user, list_users
from gridadmin.ui.settings.settings_page import SettingsPage
from tests.uihelpers import answer_message_box, type_text, when_modal

PASSWORD = "wangge2026"


@pytest.fixture
def admin_db(township_db):
    create_user(township_db, "admin", "王管理", PASSWORD, ["admin"])
    return township_db.as_actor(authenticate(township_db, "admin", PASSWORD))


def test_admin_adds_a_clerk_for_one_community(qtbot, admin_db):
    page = SettingsPage(admin_db)
    qtbot.addWidget(page)
    community = next(n for n in areas.load_tree(admin_db) if n.name == "河街社区")

    def fill(dialog):
        type_text(qtbot, dialog.username, "clerk1")
        type_text(qtbot, dialog.display_name, "李文员")
        type_text(qtbot, dialog.password, "clerk2026")
        dialog.roles["clerk"].setChecked(True)
        for i in range(dialog.areas.count()):
            if dialog.areas.item(i).data(Qt.ItemDataRole.UserRole) == community.id:
                dialog.areas.item(i).setCheckState(Qt.CheckState.Checked)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()

    when_modal(fill)
    qtbot.mouseClick(page.users_tab.add_button, Qt.MouseButton.LeftButton)
    users = {u.username: u for u in list_users(admin_db)}
    assert users["clerk1"].roles == ("clerk",) and users["clerk1"].scope == (community.id,)
    texts = [page.users_tab.table.item(r, 3).text() for r in range(page.users_tab.table.rowCount())]
    assert "河街社区" in texts
    clerk = authenticate(admin_db, "clerk1", "clerk2026")
    assert not SettingsPage(admin_db.as_actor(clerk)).users_tab.add_button.isEnabled()


def test_refused_user_keeps_dialog_open(qtbot, admin_db):
    page = SettingsPage(admin_db)
    qtbot.addWidget(page)
    seen = []

    def fill(dialog):
        type_text(qtbot, dialog.username, "x")
        type_text(qtbot, dialog.password, "short")
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
        seen.append((dialog.isVisible(), dialog.error.text()))
        dialog.reject()

    when_modal(fill)
    page.users_tab.add_user()
    assert seen[0][0] and "角色" in seen[0][1]
    assert [u.username for u in list_users(admin_db)] == ["admin"]


@pytest.mark.skipif(bool(os.environ.get("GRIDADMIN_TEST_DB")), reason="SQLite backups")
def test_backup_then_restore_from_the_page(qtbot, admin_db, tmp_path, monkeypatch):
    restored = []
    page = SettingsPage(admin_db, on_restored=lambda: restored.append(True))
    qtbot.addWidget(page)
    target = tmp_path / f"手动{BACKUP_SUFFIX}"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    qtbot.mouseClick(page.backup_tab.backup_button, Qt.MouseButton.LeftButton)
    assert target.exists()
    community = next(n for n in areas.load_tree(admin_db) if n.name == "河街社区")
    areas.add_area(admin_db, community.id, areas.AreaInput(name="备份后的网格"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(target), ""))

    def confirm_then_acknowledge(box):
        box.button(QMessageBox.StandardButton.Yes).click()
        answer_message_box(QMessageBox.StandardButton.Ok)

    when_modal(confirm_then_acknowledge)
    qtbot.mouseClick(page.backup_tab.restore_button, Qt.MouseButton.LeftButton)
    assert restored == [True]
    assert "备份后的网格" not in {n.name for n in areas.load_tree(admin_db)}


@pytest.mark.skipif(bool(os.environ.get("GRIDADMIN_TEST_DB")), reason="SQLite backups")
def test_double_clicked_backup_file_offers_its_restore(qtbot, admin_db, tmp_path):
    """GridAdmin started with a .gadb file (the installer's file
    association): 系统设置 → 备份与恢复 opens and asks, with the verified
    file's description, whether to restore it; No changes nothing. A user
    who may not restore is told so instead."""
    from gridadmin.db import sqlite_path
    from gridadmin.services.access.permissions import Actor
    from gridadmin.services.maintenance.backup import backup_sqlite
    from gridadmin.ui.shell.app import offer_restore
    from gridadmin.ui.shell.main_window import MainWindow

    backup = tmp_path / f"双击{BACKUP_SUFFIX}"
    backup_sqlite(sqlite_path(str(admin_db.engine.url)), backup)
    window = MainWindow(admin_db)
    qtbot.addWidget(window)
    asked = answer_message_box(QMessageBox.StandardButton.No)
    offer_restore(window, str(backup))
    qtbot.waitUntil(lambda: bool(asked))
    assert "用这个备份替换当前数据库吗" in asked[0]
    assert window.stack.currentWidget() is window.show_page("settings")

    reader = MainWindow(admin_db.as_actor(Actor(None, "lingdao", "领导甲", frozenset({"official"}))))
    qtbot.addWidget(reader)
    told = answer_message_box(QMessageBox.StandardButton.Ok)
    offer_restore(reader, str(backup))
    assert told and "只有管理员" in told[0]
