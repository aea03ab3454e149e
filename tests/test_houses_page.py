"""The 房屋 tab and the house card, driven through their widgets (qtbot):
search by address/房主/pinyin, filters, overcrowded rentals flagged, the
card with who lives there and the history, a new house saved from the
card, a duplicate address refused with the form kept."""

from __future__ import annotations

import os
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from gridadmin.services.register.dwellers import add_resident_at_house, move_house
from gridadmin.services.register.houses import HouseData, find_houses, save_house
from gridadmin.services.register.resident_record import ResidentData
from gridadmin.services.common.idcard import make_id_number
from gridadmin.ui.register.house_dialog import HouseDialog
from gridadmin.ui.register.residents_page import TAB_HOUSES, ResidentsPage
from tests import staffdata
from tests.uihelpers import answer_message_box, type_text, when_modal

TODAY = date.today()


@pytest.fixture
def houses(township_db):
    db = township_db
    places = staffdata.grids(db)
    crowded = save_house(db, None, HouseData(places["第一网格"], compound="幸福小区", building="3栋", room="301",
                                             purpose="出租", landlord="李大明", landlord_phone="13912345678",
                                             rooms_let=2, occupancy_limit=1, hazard_note="电动车楼道充电"))
    calm = save_house(db, None, HouseData(places["粮行网格"], compound="建设路", door_no="18号", purpose="出租",
                                          landlord="王小红", landlord_phone="13712345678", occupancy_limit=4))
    save_house(db, None, HouseData(places["第二网格"], village_group="三组", door_no="12号", owner="冯大"))
    people = []
    for seq, name in ((11, "赵流动"), (13, "钱流动")):
        people.append(add_resident_at_house(db, ResidentData(
            name=name, id_number=make_id_number("330421", date(1990, 4, 5), seq), category="3"), crowded,
            on=date(2025, 1, 5)))
    move_house(db, people[1], calm, date(2025, 2, 1))
    move_house(db, people[1], crowded, date(2025, 3, 1))
    return db, places, crowded, calm


def _panel(qtbot, db):
    page = ResidentsPage(db)
    qtbot.addWidget(page)
    page.resize(1024, 768)
    page.show()
    page.tabs.setCurrentIndex(TAB_HOUSES)
    return page, page.houses


def _addresses(model):
    return [model.row_at(r).address for r in range(model.rowCount())]


def test_houses_tab_searches_filters_and_flags_overcrowded_rentals(qtbot, houses, tmp_path):
    db, places, crowded, _calm = houses
    page, panel = _panel(qtbot, db)
    assert "共 3 处房屋" in panel.summary.text()
    assert _addresses(panel.model) == ["三组12号", "幸福小区3栋301室", "建设路18号"]
    flagged = panel.model.index(1, 0)
    assert panel.model.data(flagged, Qt.ItemDataRole.ForegroundRole) is not None
    assert panel.model.data(panel.model.index(2, 0), Qt.ItemDataRole.ForegroundRole) is None
    columns = [panel.model.headerData(c, Qt.Orientation.Horizontal) for c in range(panel.model.columnCount())]
    row = {columns[c]: panel.model.data(panel.model.index(1, c)) for c in range(len(columns))}
    assert row["居住人数"] == "2" and row["超员"] == "超员" and row["房主电话"] == "139****5678"
    type_text(qtbot, panel.search, "ldm")
    assert _addresses(panel.model) == ["幸福小区3栋301室"]
    panel.search.clear()
    type_text(qtbot, panel.search, "建设")
    assert _addresses(panel.model) == ["建设路18号"]
    panel.search.clear()
    panel.rented.setCurrentIndex(2)  # 非出租房
    assert _addresses(panel.model) == ["三组12号"]
    panel.rented.setCurrentIndex(0)
    panel.overcrowded.setChecked(True)
    assert _addresses(panel.model) == ["幸福小区3栋301室"]
    panel.overcrowded.setChecked(False)
    page.show_area(places["粮行社区"])
    assert _addresses(panel.model) == ["建设路18号"]
    if os.environ.get("GRIDADMIN_SCREENSHOTS"):
        page.show_area(places["粮行社区"]) and panel.area.setCurrentIndex(0)
        qtbot.wait(50)
        page.grab().save(os.path.join(os.environ["GRIDADMIN_SCREENSHOTS"], "houses_tab.png"))


def test_house_card_shows_people_their_categories_and_the_moves(qtbot, houses, tmp_path):
    db, _places, crowded, _calm = houses
    page, panel = _panel(qtbot, db)
    seen = when_modal(lambda dialog: dialog.reject())
    row = next(r for r in range(panel.model.rowCount()) if panel.model.row_at(r).id == crowded)
    panel.table.doubleClicked.emit(panel.model.index(row, 0))
    assert seen and isinstance(seen[0], HouseDialog) and seen[0].house_id == crowded
    dialog = HouseDialog(db, crowded)
    qtbot.addWidget(dialog)
    dialog.resize(1024, 768)
    dialog.show()
    people = [(dialog.occupants.item(r, 0).text(), dialog.occupants.item(r, 2).text(),
               dialog.occupants.item(r, 3).text()) for r in range(dialog.occupants.rowCount())]
    assert people == [("赵流动", "流动人口", "（无户）"), ("钱流动", "流动人口", "（无户）")]
    assert "承租人数 2" in dialog.tenants.text() and "超员" in dialog.tenants.text()
    moves = [(dialog.history.item(r, 0).text(), dialog.history.item(r, 1).text(), dialog.history.item(r, 2).text())
             for r in range(dialog.history.rowCount())]
    assert moves[0] == ("2025-03-01", "钱流动", "入住") and ("2025-02-01", "钱流动", "搬离") in moves
    assert dialog.rental_box.isEnabled()
    if os.environ.get("GRIDADMIN_SCREENSHOTS"):
        qtbot.wait(50)
        dialog.grab().save(os.path.join(os.environ["GRIDADMIN_SCREENSHOTS"], "house_card.png"))


def test_a_new_house_is_saved_from_the_card_and_a_duplicate_address_refused(qtbot, houses):
    db, places, _crowded, _calm = houses
    dialog = HouseDialog(db, None, area_id=places["第一网格"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.rental_box.isEnabled()
    type_text(qtbot, dialog.parts["compound"], "和平里")
    type_text(qtbot, dialog.parts["building"], "5栋")
    type_text(qtbot, dialog.parts["room"], "101")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.changed and dialog.house_id is not None
    assert dialog.windowTitle() == "房屋 — 和平里5栋101室"
    assert [p.address for p in find_houses(db, "和平里")] == ["和平里5栋101室"]

    again = HouseDialog(db, None, area_id=places["第一网格"])
    qtbot.addWidget(again)
    again.show()
    type_text(qtbot, again.parts["compound"], "和平里")
    type_text(qtbot, again.parts["building"], "5栋")
    type_text(qtbot, again.parts["room"], "101")
    again.purpose.setCurrentIndex(again.purpose.findData("出租"))
    assert again.rental_box.isEnabled()
    texts = answer_message_box(QMessageBox.StandardButton.Ok)
    again.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert texts and "出租房须填写房主" in texts[0]
    type_text(qtbot, again.landlord, "张房东")
    texts = answer_message_box(QMessageBox.StandardButton.Ok)
    again.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert texts and "同一地址不能登记两次" in texts[0]
    assert again.is_new and again.landlord.text() == "张房东"  # what was typed stays


def test_a_floating_resident_is_registered_at_a_house_without_a_household(qtbot, houses):
    from gridadmin.services.register.resident_record import load_resident
    from gridadmin.ui.register.house_picker import ChooseHouseDialog
    from gridadmin.ui.register.new_resident import ChooseHouseholdDialog
    from gridadmin.ui.register.resident_dialog import ResidentDialog

    db, places, crowded, calm = houses
    page = ResidentsPage(db)
    qtbot.addWidget(page)
    page.show()
    state = {}

    def pick_house(dialog):
        type_text(qtbot, dialog.search, "建设")
        dialog.table.selectRow(0)
        dialog.ok_button.click()

    def no_household(dialog):
        assert isinstance(dialog, ChooseHouseholdDialog)
        when_modal(pick_house, kind=ChooseHouseDialog)
        dialog.no_household_button.click()

    def fill(dialog):
        assert isinstance(dialog, ResidentDialog) and dialog.new_house_id == calm
        state["title"] = dialog.windowTitle()
        assert not dialog.relation.isVisible()
        type_text(qtbot, dialog.name, "孙新来")
        type_text(qtbot, dialog.id_number, make_id_number("330421", date(1995, 6, 7), 41))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        state["person"] = dialog.person_id
        state["error"] = dialog.error.text()
        dialog.reject()

    when_modal(no_household, kind=ChooseHouseholdDialog)
    when_modal(fill, kind=ResidentDialog)
    page.add_button.click()
    qtbot.waitUntil(lambda: "person" in state, timeout=5000)
    assert state["error"] == "" and state["person"]
    assert state["title"] == "新增居民（无户）：建设路18号"
    record = load_resident(db, state["person"])
    assert record.household_id is None and record.house_id == calm and record.data.category == "3"

    # the form shows the house and records a dated move to another one
    dialog = ResidentDialog(db, state["person"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert "建设路18号" in dialog.house_label.text() and "不需要户" in dialog.household_label.text()

    def pick_crowded(chooser):
        type_text(qtbot, chooser.search, "幸福")
        chooser.table.selectRow(0)
        chooser.ok_button.click()

    when_modal(pick_crowded, kind=ChooseHouseDialog)
    assert dialog.change_house()
    assert "幸福小区3栋301室" in dialog.house_label.text()
    assert load_resident(db, state["person"]).house_id == crowded
    # a 户籍人口 without a 户 is refused on the form, the form kept
    dialog.combos["category"].setCurrentIndex(dialog.combos["category"].findData("1"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert "须登记在户中" in dialog.error.text()
