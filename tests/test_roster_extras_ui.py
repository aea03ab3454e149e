"""The roster additions driven through the real widgets: certificates tab,
timeline, skill levels from the code list, the staffing and expiring
lists with their exports, the column chooser and the full-numbers tick."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import update

from gridadmin.models import CodeItem, Household
from gridadmin.models.access import ROLE_HR, ROLE_OFFICIAL
from gridadmin.services.roster import assignments
from gridadmin.services.roster import certificates
from gridadmin.services.access.permissions import Actor
from gridadmin.services.roster.certificates import CertificateInput
from gridadmin.ui.common import column_chooser
from gridadmin.ui.roster.roster_page import RosterPage
from gridadmin.ui.roster.certificate_panel import CertificateDialog
from gridadmin.ui.roster.list_dialogs import ExpiringCertificatesDialog, StaffingDialog
from gridadmin.ui.roster.staff_dialog import StaffDialog
from tests.staffdata import add, grids
from tests.uihelpers import answer_message_box, type_text, when_modal


@pytest.fixture(autouse=True)
def private_layouts(tmp_path, monkeypatch):
    """Column layouts go to a settings file of this test only."""
    path = str(tmp_path / "layout.ini")
    monkeypatch.setattr(column_chooser, "_settings", lambda: QSettings(path, QSettings.Format.IniFormat))


@pytest.fixture
def setup(township_db):
    db = township_db
    ids = grids(db)
    people = {"张三": add(db, "张三", seq=11), "李四": add(db, "李四", seq=22, employment_type="兼职")}
    assignments.assign(db, people["张三"], ids["第一网格"], "fulltime", date(2020, 2, 1))
    assignments.assign(db, people["李四"], ids["粮行网格"], "parttime", date(2020, 2, 1))
    return db, ids, people


def _dialog(qtbot, db, staff_id):
    dialog = StaffDialog(db, staff_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_certificates_tab_add_refuse_edit_remove(qtbot, setup):
    db, _ids, people = setup
    dialog = _dialog(qtbot, db, people["张三"])
    panel = dialog.certificates
    dialog.tabs.setCurrentWidget(panel)
    soon = date.today() + timedelta(days=30)

    def fill_bad_then_good(form: CertificateDialog):
        type_text(qtbot, form.name, "社会工作者职业资格证书")
        type_text(qtbot, form.issued_on, "2021-06-01")
        type_text(qtbot, form.expires_on, "2020-01-01")
        form.try_save()
        assert form.isVisible() and "有效期至 2020-01-01 应晚于发证日期 2021-06-01" in form.error.text()
        assert form.name.text() == "社会工作者职业资格证书"  # what was typed stays
        form.expires_on.setText(soon.isoformat())
        form.try_save()

    when_modal(fill_bad_then_good)
    panel.add_button.click()
    assert [r.name for r in panel.rows] == ["社会工作者职业资格证书"]
    assert panel.table.item(0, 5).text() == "即将到期" and "90 天内到期" in panel.hint.text()

    panel.select_row(0)

    def rename(form: CertificateDialog):
        assert form.name.text() == "社会工作者职业资格证书"
        form.number.setText("SG001")
        form.try_save()

    when_modal(rename)
    panel.edit_button.click()
    assert panel.rows[0].number == "SG001" and panel.table.item(0, 1).text() == "SG001"

    panel.select_row(0)
    answer_message_box(QMessageBox.StandardButton.Yes)
    panel.remove_button.click()
    assert panel.rows == [] and certificates.list_certificates(db, people["张三"]) == []


def test_new_person_has_certificates_and_timeline_disabled(qtbot, setup):
    dialog = _dialog(qtbot, setup[0], None)
    assert not dialog.certificates.add_button.isEnabled()
    assert "请先保存" in dialog.certificates.hint.text() and "保存人员信息后" in dialog.timeline.hint.text()


def test_timeline_follows_assignments(qtbot, setup):
    db, ids, people = setup
    dialog = _dialog(qtbot, db, people["张三"])
    dialog.tabs.setCurrentWidget(dialog.timeline)
    assert [row[1] for row in dialog.timeline.texts()] == ["● 入职（在岗）", "▶ 开始任职"]
    dialog.tabs.setCurrentWidget(dialog.assignments)
    dialog.assignments.select_row(0)

    def move(form):
        form.area.setCurrentIndex(form.area.findData(ids["粮行网格"]))
        form.day.setText("2023-03-01")
        form.try_save()

    when_modal(move)
    dialog.assignments.transfer_button.click()
    dialog.tabs.setCurrentWidget(dialog.timeline)  # re-read on showing the tab
    rows = dialog.timeline.texts()
    assert rows[-1][:4] == ("2023-03-01", "⇄ 调动", "河街社区·第一网格 → 粮行社区·粮行网格", "专职网格员")
    tree = dialog.timeline.tree
    assert [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == ["2020 年", "2023 年"]


def test_skill_levels_come_from_the_code_list_at_open_time(qtbot, setup):
    db, _ids, people = setup
    with db.session() as s:
        s.add(CodeItem(list_key="skill_level", code="5", label="五级/初级工", sort_order=9))
        s.execute(update(CodeItem).where(CodeItem.list_key == "skill_level", CodeItem.code == "4")
                  .values(label="四级（中级工）"))
    dialog = _dialog(qtbot, db, people["张三"])
    labels = [dialog.skill_level.itemText(i) for i in range(dialog.skill_level.count())]
    assert "五级/初级工" in labels and "四级（中级工）" in labels
    dialog.skill_level.setCurrentIndex(dialog.skill_level.findData("5"))
    dialog.try_save()
    assert dialog.result() == StaffDialog.DialogCode.Accepted
    with db.session() as s:
        s.execute(update(CodeItem).where(CodeItem.list_key == "skill_level", CodeItem.code == "5")
                  .values(active=False))
    again = _dialog(qtbot, db, people["张三"])
    assert again.skill_level.currentData() == "5" and "已停用" in again.skill_level.currentText()


def test_roster_page_opens_staffing_and_exports_lists(qtbot, setup, tmp_path, monkeypatch):
    db, ids, _people = setup
    with db.session() as s:
        for i in range(620):
            s.add(Household(household_no=f"T{i:05d}", area_id=ids["第一网格"]))
    page = RosterPage(db)
    qtbot.addWidget(page)
    seen = when_modal(lambda d: d.accept())
    page.staffing_button.click()
    assert isinstance(seen[0], StaffingDialog)
    dialog = StaffingDialog(db)
    qtbot.addWidget(dialog)
    names = {row[1]: row for row in dialog.all_grids.texts()}
    assert set(names) == {"第一网格", "第二网格", "粮行网格"}
    assert names["第一网格"][3] == "620" and "超过 500 户" in names["第一网格"][-1]
    assert [r[1] for r in dialog.lacking.texts()] == ["第二网格", "粮行网格"]
    assert [r[1] for r in dialog.over_limit.texts()] == ["第一网格"]
    dialog.tabs.setCurrentWidget(dialog.lacking)
    out = tmp_path / "without.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    dialog.export_button.click()
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("社区/村", "网格", "网格类型", "户数") and [r[1] for r in rows[1:]] == ["第二网格", "粮行网格"]


def test_expiring_list_from_roster_page_and_export(qtbot, setup, tmp_path, monkeypatch):
    db, _ids, people = setup
    today = date.today()
    certificates.add_certificate(db, people["张三"], CertificateInput("急救证", expires_on=today + timedelta(days=20)))
    certificates.add_certificate(db, people["李四"], CertificateInput("社工证", expires_on=today + timedelta(days=200)))
    page = RosterPage(db)
    qtbot.addWidget(page)
    seen = when_modal(lambda d: d.accept())
    page.expiring_button.click()
    assert isinstance(seen[0], ExpiringCertificatesDialog)
    dialog = ExpiringCertificatesDialog(db)
    qtbot.addWidget(dialog)
    assert [r[:4] for r in dialog.table.texts()] == [["张三", "河街社区", "第一网格", "急救证"]]
    out = tmp_path / "expiring.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    dialog.export_button.click()
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and rows[1][:4] == ("张三", "河街社区", "第一网格", "急救证") and len(rows) == 2


def test_column_chooser_hides_moves_and_remembers(qtbot, setup):
    db = setup[0]
    page = RosterPage(db)
    qtbot.addWidget(page)
    page.show()
    header = page.table.horizontalHeader()
    phone = page.model.column_index("phone")
    menu = page.column_layout.build_menu()
    action = next(a for a in menu.actions() if a.text() == "联系电话")
    assert action.isCheckable() and action.isChecked()
    action.setChecked(False)  # like unticking it in the menu
    assert header.isSectionHidden(phone)
    header.moveSection(header.visualIndex(page.model.column_index("status")), 0)
    header.resizeSection(page.model.column_index("name"), 140)
    page.column_layout.save()
    type_text(qtbot, page.search, "z")  # a new query resets the model: the layout stays
    assert header.isSectionHidden(phone)

    again = RosterPage(db)
    qtbot.addWidget(again)
    header2 = again.table.horizontalHeader()
    assert header2.isSectionHidden(phone)
    assert header2.logicalIndex(0) == again.model.column_index("status")
    assert header2.sectionSize(again.model.column_index("name")) == 140
    again.column_layout.reset()
    assert not header2.isSectionHidden(phone) and header2.logicalIndex(0) == 0
    third = RosterPage(db)
    qtbot.addWidget(third)
    assert not third.table.horizontalHeader().isSectionHidden(phone)


def test_last_visible_column_cannot_be_hidden(qtbot, setup):
    page = RosterPage(setup[0])
    qtbot.addWidget(page)
    header = page.table.horizontalHeader()
    for column in range(1, header.count()):
        page.column_layout.set_visible(column, False)
    page.column_layout.set_visible(0, False)
    assert not header.isSectionHidden(0)
    menu = page.column_layout.build_menu()
    assert not menu.actions()[0].isEnabled()


def test_full_numbers_only_for_roles_that_may(qtbot, setup):
    db = setup[0]
    official = RosterPage(db.as_actor(Actor(None, "ld", "领导", frozenset({ROLE_OFFICIAL}))))
    qtbot.addWidget(official)
    official.show()
    assert not official.show_full.isVisible() and not official.show_full.isEnabled()
    hr = RosterPage(db.as_actor(Actor(None, "rs", "人事", frozenset({ROLE_HR}))))
    qtbot.addWidget(hr)
    hr.show()
    assert hr.show_full.isVisible() and hr.show_full.isEnabled()


def test_residents_page_has_the_column_chooser(qtbot, township_db):
    from gridadmin.ui.register.residents_page import ResidentsPage

    page = ResidentsPage(township_db)
    qtbot.addWidget(page)
    assert page.table.property("column_layout_key") == "residents"
    assert page.table.horizontalHeader().sectionsMovable()


def test_roster_skill_filter_rereads_the_code_list_when_shown(qtbot, setup):
    db = setup[0]
    page = RosterPage(db)
    qtbot.addWidget(page)
    page.show()
    page.skill.setCurrentIndex(page.skill.findData("3"))
    page.hide()
    with db.session() as s:
        s.add(CodeItem(list_key="skill_level", code="5", label="五级/初级工", sort_order=9))
    page.show()
    assert page.skill.findText("五级/初级工") > 0 and page.skill.currentData() == "3"
