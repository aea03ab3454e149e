"""The residents page and household card through their widgets (qtbot),
the resident source without a window, and sensitive tags by actor."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from sqlalchemy import select

from gridadmin.models import Area, Person, PersonTag, TagKind
from gridadmin.services.access.permissions import Actor
from gridadmin.services.register.households import HouseholdData, MemberData, load_household, save_household
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register.residents import ResidentFilter, resident_source
from gridadmin.services.register.tags import tag_choices
from gridadmin.ui.common.lazy_table_model import LazyTableModel
from gridadmin.ui.register.residents_page import ResidentsPage
from gridadmin.services.register.residents import resident_columns
from tests.uihelpers import type_text, when_modal

OFFICIAL = Actor(7, "lead", "领导", frozenset({"official"}))


@pytest.fixture
def register(township_db):
    db = township_db
    with db.session() as s:
        area = s.scalar(select(Area.id).where(Area.level == "community").order_by(Area.id))
    members = [MemberData(None, "张三", make_id_number("411302", date(1970, 5, 6), 13), relation="02",
                          phone="13812345678"),
               MemberData(None, "李四", make_id_number("411302", date(1972, 3, 4), 24), relation="10"),
               MemberData(None, "张小五", make_id_number("411302", date(1998, 1, 2), 35), relation="20")]
    hid = save_household(db, None, HouseholdData("4113020010010001", area, compound="幸福小区"), members,
                         today=date(2025, 1, 1))
    save_household(db, None, HouseholdData("4113020010010002", area),
                   [MemberData(None, "王芳", make_id_number("411302", date(1990, 8, 8), 26), relation="02")],
                   today=date(2025, 1, 1))
    with db.session() as s:
        kinds = {k.code: k.id for k in s.scalars(select(TagKind))}
        wang = s.scalar(select(Person.id).where(Person.name == "王芳"))
        zhang = s.scalar(select(Person.id).where(Person.name == "张三"))
        s.add(PersonTag(person_id=wang, tag_kind_id=kinds["dibao"], start_date=date(2024, 1, 1)))
        s.add(PersonTag(person_id=zhang, tag_kind_id=kinds["corrections"], start_date=date(2024, 1, 1)))
    return db, hid, kinds


def _names(model):
    return [model.row_at(r).name for r in range(model.rowCount())]


def test_source_searches_and_filters_without_a_window(register):
    db, _hid, kinds = register
    model = LazyTableModel(resident_source(db), resident_columns(), query=PageQuery(ResidentFilter(), "name"))
    assert _names(model) == ["李四", "王芳", "张三", "张小五"]
    for typed, expected in (("zs", ["张三"]), ("zhangx", ["张小五"]), ("张", ["张三", "张小五"]),
                            ("411302197005", ["张三"]), ("138123", ["张三"]), ("4113020010010002", ["王芳"]),
                            ("幸福小区", ["张三", "张小五", "李四"])):  # characters: in name order
        model.set_filter(ResidentFilter(search=typed))
        assert _names(model) == expected, typed
    model.set_filter(ResidentFilter(tag_kind_id=kinds["dibao"]))
    assert _names(model) == ["王芳"]
    model.set_filter(ResidentFilter(age_band=(18, 34), gender="1"))
    assert _names(model) == ["张小五"]


def test_sensitive_tags_only_for_actors_who_may_see_them(register):
    db, _hid, kinds = register
    rows = resident_source(db).window(PageQuery(ResidentFilter(search="zs")), 0, 10)
    assert rows[0].tags == "社区矫正人员" and rows[0].special == "社区矫正人员" and not rows[0].care
    assert "特殊人群 · 社区矫正人员（敏感）" in [name for _id, name in tag_choices(db)]
    official = db.as_actor(OFFICIAL)
    assert resident_source(official).window(PageQuery(ResidentFilter(search="zs")), 0, 10)[0].tags == ""
    assert "特殊人群 · 社区矫正人员（敏感）" not in [name for _id, name in tag_choices(official)]


def _page(qtbot, db):
    page = ResidentsPage(db)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    return page


def test_page_search_and_full_numbers_only_when_allowed(qtbot, register):
    db = register[0]
    page = _page(qtbot, db)
    assert "共 4 人" in page.summary.text()
    type_text(qtbot, page.search, "zs")
    assert _names(page.model) == ["张三"]
    phone = page.model.column_index("phone")
    assert page.model.data(page.model.index(0, phone)) == "138****5678"
    page.show_full.setChecked(True)
    assert page.model.data(page.model.index(0, phone)) == "13812345678"
    assert not _page(qtbot, db.as_actor(OFFICIAL)).show_full.isVisible()


def test_open_household_edit_member_and_move_out(qtbot, register):
    db, hid = register[0], register[1]
    page = _page(qtbot, db)
    type_text(qtbot, page.search, "zhangxiao")

    def edit(dialog):
        dialog.members.item(2, 0).setText("张小武")
        dialog.members.setCurrentCell(2, 0)

        def move_out(event):
            event.destination.setText("郑州市金水区")
            event.day.setDate(event.day.date().addDays(-1))
            event.try_record()
        when_modal(move_out)
        dialog.move_out_button.click()
        dialog.reject()

    def save_then(dialog):
        dialog.members.item(2, 0).setText("张小武")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        dialog.reject()

    seen = when_modal(save_then)
    page.open_household(page.model.row_at(0))
    assert seen and [m.name for m in load_household(db, hid).members] == ["张三", "李四", "张小武"]
    page.search.clear()
    type_text(qtbot, page.search, "zhangxiao")
    assert _names(page.model) == ["张小武"]
    seen = when_modal(edit)
    page.open_household(page.model.row_at(0))
    assert seen and [m.name for m in load_household(db, hid).members] == ["张三", "李四"]
    assert _names(page.model) == []  # moved out: no longer 在册


def test_household_card_refuses_a_second_head(qtbot, register):
    db, hid = register[0], register[1]
    texts = []

    def two_heads(dialog):
        relation = dialog.members.cellWidget(1, 4)
        relation.setCurrentIndex(relation.findData("02"))
        when_modal(lambda box: (texts.append(box.text()), box.button(QMessageBox.StandardButton.Ok).click()))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        dialog.reject()

    page = _page(qtbot, db)
    when_modal(two_heads)
    page.open_household(page.model.row_at(0))
    assert texts and "只能有一位户主" in texts[0]
    assert load_household(db, hid).members[1].relation == "10"
