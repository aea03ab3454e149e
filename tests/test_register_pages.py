"""The residents page's 住户 and 特殊人群统计 tabs and the resident form,
driven through their widgets (qtbot)."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox
from sqlalchemy import select

from gridadmin.models import Person
from gridadmin.services.register.resident_record import load_resident
from gridadmin.services.register.tags import person_tags
from gridadmin.ui.register.residents_page import TAB_GROUPS, TAB_HOUSEHOLDS, TAB_PEOPLE
from gridadmin.ui.register.household_dialog import HouseholdDialog
from gridadmin.ui.register.resident_dialog import ResidentDialog
from tests.test_residents_page import OFFICIAL, _page, register  # noqa: F401 - the shared fixture and page
from tests.uihelpers import answer_message_box, type_text, when_modal


def _heads(model):
    return [model.row_at(r).head for r in range(model.rowCount())]


def test_households_tab_searches_opens_card_and_exports_masked(qtbot, register, tmp_path, monkeypatch):
    db, hid, _kinds = register
    page = _page(qtbot, db)
    assert not page._panels  # the other tabs are built on first visit only
    page.tabs.setCurrentIndex(TAB_HOUSEHOLDS)
    panel = page.households
    assert "共 2 户" in panel.summary.text()
    assert _heads(panel.model) == ["张三", "王芳"]
    assert panel.model.row_at(0).members == 3
    type_text(qtbot, panel.search, "wf")
    assert _heads(panel.model) == ["王芳"]
    panel.search.clear()
    type_text(qtbot, panel.search, "幸福")
    assert _heads(panel.model) == ["张三"]

    seen = when_modal(lambda dialog: dialog.reject())
    index = panel.model.index(0, 0)
    panel.table.doubleClicked.emit(index)
    assert seen and isinstance(seen[0], HouseholdDialog) and seen[0].household_id == hid

    out = tmp_path / "households.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    panel.export_button.click()
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("户号", "地址", "户主", "人数")
    assert rows[1][:4] == ("4113020010010001", "幸福小区", "张三", "3")


def test_double_click_opens_the_resident_form_which_fills_from_the_id_and_keeps_bad_input(qtbot, register):
    db = register[0]
    page = _page(qtbot, db)
    type_text(qtbot, page.search, "lisi")
    state = {}

    def edit(dialog):
        state["dialog"] = dialog
        assert isinstance(dialog, ResidentDialog)
        assert not dialog.floating_box.isVisibleTo(dialog)
        category = dialog.combos["category"]
        category.setCurrentIndex(category.findData("3"))
        assert dialog.floating_box.isVisibleTo(dialog)
        dialog.dates["inflow_date"].setText("2024年3月1日")
        dialog.texts["origin_place"].setText("河南省信阳市")
        dialog.phone.setText("12345")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        state["error"] = dialog.error.text()
        state["kept"] = (dialog.phone.text(), dialog.texts["origin_place"].text())
        dialog.phone.setText("13912345678")
        dialog.id_number.setText("")
        type_text(qtbot, dialog.id_number, "11010519491231002X")
        state["filled"] = (dialog.dates["birth_date"].text(), dialog.combos["gender"].currentData())
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        state["saved"] = dialog.changed
        dialog.reject()

    seen = when_modal(edit)
    page.table.doubleClicked.emit(page.model.index(0, 0))
    assert seen
    assert "联系电话“12345”格式不对" in state["error"]
    assert state["kept"] == ("12345", "河南省信阳市")
    assert state["filled"] == ("1949-12-31", "2")
    assert state["saved"]
    with db.session() as s:
        li = s.scalar(select(Person).where(Person.name == "李四"))
        assert (li.id_number, li.category, li.inflow_date, li.origin_place, li.phone) == (
            "11010519491231002X", "3", date(2024, 3, 1), "河南省信阳市", "13912345678")


def test_resident_form_refuses_a_duplicate_id_naming_the_other_record(qtbot, register):
    db = register[0]
    with db.session() as s:
        li, wang = (s.scalar(select(Person).where(Person.name == n)) for n in ("李四", "王芳"))
        li_id, wang_number = li.id, wang.id_number
    dialog = ResidentDialog(db, li_id)
    qtbot.addWidget(dialog)
    dialog.id_number.setText(wang_number)
    assert dialog.try_save() is False
    assert "王芳（户号 4113020010010002）" in dialog.error.text()
    assert dialog.id_number.text() == wang_number  # the form keeps what was typed
    assert load_resident(db, li_id).data.id_number != wang_number


def test_resident_form_tags_and_timeline_and_masking(qtbot, register):
    db, _hid, kinds = register
    with db.session() as s:
        zhang = s.scalar(select(Person.id).where(Person.name == "张三"))
    dialog = ResidentDialog(db, zhang)
    qtbot.addWidget(dialog)
    names = [dialog.tags.item(i).text() for i in range(dialog.tags.count())]
    assert "特殊人群 · 社区矫正人员（敏感）" in names
    for i in range(dialog.tags.count()):
        item = dialog.tags.item(i)
        if item.text() in ("关怀对象 · 退役军人", "特殊人群 · 社区矫正人员（敏感）"):
            item.setCheckState(Qt.CheckState.Checked if "退役军人" in item.text() else Qt.CheckState.Unchecked)
    dialog.tag_day.setDate(dialog.tag_day.date().addDays(-1))
    assert dialog.try_save_tags()
    assert "加入：退役军人" in dialog.tags_note.text() and "退出：社区矫正人员" in dialog.tags_note.text()
    assert [t.name for t in person_tags(db, zhang)] == ["退役军人"]
    kinds_shown = [dialog.timeline.item(r, 1).text() for r in range(dialog.timeline.rowCount())]
    details = [dialog.timeline.item(r, 2).text() for r in range(dialog.timeline.rowCount())]
    assert "登记" in kinds_shown and "加入：退役军人" in details and "退出：社区矫正人员" in details

    official = ResidentDialog(db.as_actor(OFFICIAL), zhang)
    qtbot.addWidget(official)
    assert official.id_number.isReadOnly() and "*" in official.id_number.text()
    assert official.phone.text() == "138****5678"
    assert "特殊人群 · 社区矫正人员（敏感）" not in [official.tags.item(i).text() for i in range(official.tags.count())]
    assert not any("社区矫正" in official.timeline.item(r, 2).text() for r in range(official.timeline.rowCount()))
    assert official.try_save() is False and "无权" in official.error.text()


def test_special_groups_tab_counts_click_filters_people_and_exports(qtbot, register, tmp_path, monkeypatch):
    db, _hid, kinds = register
    page = _page(qtbot, db)
    page.tabs.setCurrentIndex(TAB_GROUPS)
    panel = page.special_groups
    model = panel.model
    rows = [model.row_at(r) for r in range(model.rowCount())]
    assert rows[0].name == "在册人口" and rows[0].total == 4
    dibao = next(r for r, row in enumerate(rows) if row.name == "低保对象")
    community = next(c for c in range(model.columnCount()) if model.row_at(dibao).count(
        int(model.columns[c].key[1:]) if model.columns[c].key.startswith("c") else -1) == 1)
    assert model.data(model.index(dibao, community)) == "1"
    panel.table.clicked.emit(model.index(dibao, community))
    assert page.tabs.currentIndex() == TAB_PEOPLE
    assert [page.model.row_at(r).name for r in range(page.model.rowCount())] == ["王芳"]
    assert page.tag.currentData() == kinds["dibao"]

    panel.day.setDate(panel.day.date().addYears(-3))  # before anyone was registered
    assert model.row_at(0).total == 0
    out = tmp_path / "groups.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    panel.export_button.click()
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("分类", "类别", "合计") and rows[1][1:3] == ("在册人口", "0")
    official = _page(qtbot, db.as_actor(OFFICIAL)).special_groups
    assert "社区矫正人员（敏感）" not in [official.model.row_at(r).name for r in range(official.model.rowCount())]
