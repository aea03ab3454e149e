"""A 境外人员 on the resident form (证件类型, 国籍, 证件有效期; no 18-digit
number demanded), in the residents list (the document in the 证件号码
column, masked for roles that may not see numbers whole) and in the search.
pytest-qt drives the real dialog, offscreen; generated, fictitious numbers."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialogButtonBox

from gridadmin.services.access.users import authenticate, create_user
from gridadmin.services.areas.tree import load_tree
from gridadmin.services.common.id_types import PASSPORT
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.demo.overseas import fictitious_number
from gridadmin.services.register.dwellers import add_resident_at_house
from gridadmin.services.register.resident_record import ResidentData, load_resident
from gridadmin.services.register.residents import ResidentFilter, resident_source
from tests.test_import_platform_people import grid_db  # noqa: F401  (fixture)
from tests.uihelpers import type_text

PASSWORD = "wangge2026"
NUMBER = fictitious_number(PASSPORT, 7, "E")


def _save(dialog):
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    return dialog.error.text()


def test_a_passport_holder_on_the_form(qtbot, grid_db):  # noqa: F811
    from gridadmin.ui.register.resident_dialog import ResidentDialog

    db, house = grid_db
    dialog = ResidentDialog.at_house(db, house)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.overseas_box.isVisible()  # a 流动人口 with a resident ID: nothing of the kind
    dialog.combos["category"].setCurrentIndex(dialog.combos["category"].findData("4"))
    assert dialog.overseas_box.isVisible() and dialog.floating_box.isVisible()  # 抵达时间 is their 流入时间
    type_text(qtbot, dialog.dates["inflow_date"], "2024-09-01")
    dialog.id_type.setCurrentIndex(dialog.id_type.findData(PASSPORT))
    assert dialog.id_hint.text() == "请填写出生日期和性别（护照号码不含这些信息）"
    type_text(qtbot, dialog.name, "KIM MIN JUN")
    type_text(qtbot, dialog.id_number, "E12#45")
    assert "护照号码“E12#45”含有非法字符" in _save(dialog) and dialog.person_id is None  # nothing saved
    dialog.id_number.clear()
    type_text(qtbot, dialog.id_number, NUMBER.lower())
    type_text(qtbot, dialog.dates["birth_date"], "1990-03-04")
    dialog.combos["gender"].setCurrentIndex(dialog.combos["gender"].findData("1"))
    type_text(qtbot, dialog.texts["nationality"], "韩国")
    type_text(qtbot, dialog.dates["document_valid_until"], "2029-01-09")
    type_text(qtbot, dialog.other_phone, "0573-84123456")
    assert _save(dialog) == ""
    record = load_resident(db, dialog.person_id)
    data = record.data
    assert (data.id_type, data.id_number, data.birth_date, data.gender) == (PASSPORT, NUMBER, date(1990, 3, 4), "1")
    assert (data.nationality, data.document_valid_until, data.other_phone) == ("韩国", date(2029, 1, 9),
                                                                              "0573-84123456")
    assert record.house_id == house and data.category == "4" and data.inflow_date == date(2024, 9, 1)
    # the saved form shows it again as it was entered
    again = ResidentDialog(db, dialog.person_id)
    qtbot.addWidget(again)
    again.show()
    assert again.id_type.currentText() == "护照" and again.id_number.text() == NUMBER
    assert again.overseas_box.isVisible() and again.texts["nationality"].text() == "韩国"


def test_passport_numbers_in_the_list_are_masked_for_narrower_roles(grid_db):  # noqa: F811
    db, house = grid_db
    create_user(db, "admin", "王管理", PASSWORD, ["admin"])
    admin = db.as_actor(authenticate(db, "admin", PASSWORD))
    scope = [n.id for n in load_tree(db) if n.name == "河街社区"]
    create_user(admin, "official", "赵领导", PASSWORD, ["official"], scope=scope)
    official = db.as_actor(authenticate(db, "official", PASSWORD))
    add_resident_at_house(admin, ResidentData(name="JOHN SMITH", id_type=PASSPORT, id_number=NUMBER, gender="1",
                                              birth_date=date(1980, 1, 1), category="4", nationality="美国"), house)
    query = PageQuery(ResidentFilter(search=NUMBER[:5]))
    [row] = resident_source(admin).window(query, 0, 10)  # a passport number is found by its first characters
    assert row.id_number == NUMBER
    [row] = resident_source(official).window(PageQuery(ResidentFilter()), 0, 10)
    assert row.id_number == NUMBER[0] + "******" + NUMBER[-2:]
    assert load_resident(official, row.id).data.id_number == row.id_number


def test_the_same_passport_twice_is_refused_naming_the_holder(grid_db):  # noqa: F811
    import pytest

    from gridadmin.services.common.errors import ValidationError

    db, house = grid_db
    data = ResidentData(name="JOHN SMITH", id_type=PASSPORT, id_number=NUMBER, category="4", nationality="美国")
    add_resident_at_house(db, data, house)
    with pytest.raises(ValidationError, match=f"护照号码 {NUMBER} 已登记在册：JOHN SMITH"):
        add_resident_at_house(db, ResidentData(**{**data.__dict__, "name": "JOHN SMYTH"}), house)


def test_a_household_card_with_a_passport_holder_saves_again(grid_db):  # noqa: F811
    """A 境外人员 married into a local 户: the card keeps their 证件类型 and
    does not check their passport as a resident ID number."""
    from gridadmin.services.common.idcard import make_id_number
    from gridadmin.services.register.households import HouseholdData, MemberData, load_household, save_household

    db, _house = grid_db
    area = next(n for n in load_tree(db) if n.name == "河街社区").id
    members = [MemberData(None, "王建国", make_id_number("411302", date(1985, 1, 2), 11), relation="02"),
               MemberData(None, "KIM SEO YEON", NUMBER, gender="2", birth_date=date(1988, 2, 3), relation="10",
                          category="4", id_type=PASSPORT)]
    household = save_household(db, None, HouseholdData("4113020010001", area, compound="幸福小区", room="101"),
                               members, today=date(2025, 6, 1))
    card = load_household(db, household)
    kim = next(m for m in card.members if m.name == "KIM SEO YEON")
    assert (kim.id_type, kim.id_number, kim.birth_date) == (PASSPORT, NUMBER, date(1988, 2, 3))
    save_household(db, household, card.data, list(card.members), expected_version=card.version,
                   today=date(2025, 6, 1))
