"""系统设置 → 常规: backup folder, annual training hours, signatories
printed in the monthly report; only 修改系统设置 may change them."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from gridadmin.services.access.permissions import PermissionDeniedError as PermissionDenied
from gridadmin.services.reports.monthly_pdf import monthly_report_pdf
from gridadmin.services.common.settings import save_general_settings, signatories
from gridadmin.services.training.compliance import requirements
from gridadmin.services.access.users import authenticate, create_user
from gridadmin.ui.shell.pc_settings import backup_folder
from gridadmin.ui.settings.settings_page import SettingsPage
from gridadmin.ui.settings.backup_tab import backup_dir

PASSWORD = "wangge2026"


@pytest.fixture
def admin_db(township_db):
    create_user(township_db, "admin", "王管理", PASSWORD, ["admin"])
    return township_db.as_actor(authenticate(township_db, "admin", PASSWORD))


def test_general_tab_saves_folder_hours_and_signatories(qtbot, admin_db, tmp_path):
    page = SettingsPage(admin_db)
    qtbot.addWidget(page)
    tab = page.general_tab
    assert page.tabs.tabText(0) == "常规"
    default = backup_folder(admin_db)
    assert default.name == "backups" and tab.backup_folder.text() == ""
    folder = tmp_path / "我的备份"
    tab.backup_folder.setText(str(folder))
    tab.hours.setValue(24)
    tab.signatory_edits["单位负责人"].setText("张主任")
    tab.signatory_edits["制表人"].setText("李文员")
    tab.signatory_edits["联系电话"].setText("0377-6311 2345")
    assert tab.save() and tab.message.text() == "已保存。"
    assert backup_folder(admin_db) == folder and backup_dir(admin_db) == folder
    from gridadmin.ui.shell.pc_settings import SETTINGS_BACKUP_FOLDER, app_settings

    try:
        assert backup_folder(None) == folder  # remembered on this PC for upgrades before opening
    finally:
        app_settings().remove(SETTINGS_BACKUP_FOLDER)  # QSettings outlives the test in this process
    assert requirements(admin_db, date.today().year)[None] == 24
    assert signatories(admin_db) == {"单位负责人": "张主任", "制表人": "李文员", "联系电话": "0377-6311 2345"}
    page.tabs.setCurrentIndex(0)
    page.resize(900, 700)
    page.grab().save(str(tmp_path / "general.png"))


def test_signatories_are_printed_filled_in_and_blank_when_unset(admin_db, tmp_path):
    blank = tmp_path / "blank.pdf"
    monthly_report_pdf(admin_db, 2026, 10, blank)
    text = "".join(p.extract_text() for p in PdfReader(str(blank)).pages)
    assert "单位负责人：________________" in text.replace(" ", "")
    save_general_settings(admin_db, signatories={"单位负责人": "张主任", "审核人": "赵审核"})
    filled = tmp_path / "filled.pdf"
    monthly_report_pdf(admin_db, 2026, 10, filled)
    text = "".join(p.extract_text() for p in PdfReader(str(filled)).pages).replace(" ", "")
    assert "单位负责人：张主任" in text and "审核人：赵审核" in text
    assert "制表人：王管理" in text  # not set in 常规: the user printing it, by display name (not "admin")


def test_only_manage_settings_may_change_them(qtbot, admin_db):
    create_user(admin_db, "clerk1", "李文员", "clerk2026", ["clerk"])
    clerk = admin_db.as_actor(authenticate(admin_db, "clerk1", "clerk2026"))
    with pytest.raises(PermissionDenied):
        save_general_settings(clerk, signatories={"制表人": "我"})
    assert signatories(admin_db) == {}
    page = SettingsPage(clerk)
    qtbot.addWidget(page)
    assert not page.general_tab.save_button.isEnabled() and not page.general_tab.backup_folder.isEnabled()


def test_general_tab_sets_the_training_behind_threshold(qtbot, admin_db):
    from gridadmin.services.common.settings import behind_threshold

    page = SettingsPage(admin_db)
    qtbot.addWidget(page)
    tab = page.general_tab
    assert tab.behind_months.value() == 1.0 and behind_threshold(admin_db) == 1.0  # default: one month's share
    tab.behind_months.setValue(2.5)
    assert tab.save()
    assert behind_threshold(admin_db) == 2.5
    page2 = SettingsPage(admin_db)
    qtbot.addWidget(page2)
    assert page2.general_tab.behind_months.value() == 2.5
