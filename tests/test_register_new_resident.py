"""新增居民: the service that registers a new person in a household, and the
residents page's flow (choose or create the household, then the form)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from sqlalchemy import select

from gridadmin.models import Household, Person, PersonEvent
from gridadmin.models.access import AuditLog
from gridadmin.models.household import EVENT_REGISTERED, PERSON_ACTIVE
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.register.households import PlausibilityError, load_household
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.register.resident_record import ResidentData, add_resident, load_resident
from gridadmin.ui.register.household_dialog import HouseholdDialog
from gridadmin.ui.register.new_resident import ChooseHouseholdDialog
from gridadmin.ui.register.resident_dialog import ResidentDialog
from tests.test_residents_page import _page, register  # noqa: F401 - the shared fixture and page
from tests.uihelpers import answer_message_box, type_text, when_modal

TODAY = date(2026, 3, 1)


def _person(db, name):
    with db.session() as s:
        return s.scalar(select(Person).where(Person.name == name))


def test_add_resident_registers_the_full_record_with_its_event_and_audit(register):
    db, hid, _kinds = register
    number = make_id_number("411302", date(2001, 6, 1), 57)
    pid = add_resident(db, hid, ResidentData(name="张 小六", id_number=number, category="3", inflow_date=date(2025, 5, 1),
                                             origin_place="河南省信阳市", occupation="学生", phone="13900001111"),
                       "20", today=TODAY)
    record = load_resident(db, pid)
    assert (record.data.name, record.relation, record.status, record.registered_on, record.household_id) == (
        "张小六", "20", PERSON_ACTIVE, TODAY, hid)
    assert (record.data.birth_date, record.data.gender, record.data.origin_place, record.data.occupation) == (
        date(2001, 6, 1), "1", "河南省信阳市", "学生")
    assert "张小六" in [m.name for m in load_household(db, hid).members]
    with db.session() as s:
        event = s.scalar(select(PersonEvent).where(PersonEvent.person_id == pid))
        assert (event.kind, event.event_date, event.to_household_id) == (EVENT_REGISTERED, TODAY, hid)
        assert s.scalar(select(Person.name_initials).where(Person.id == pid)) == "zxl"
        assert s.scalar(select(AuditLog.action).where(AuditLog.entity == "person", AuditLog.entity_id == pid)) == "create"


def test_add_resident_refuses_a_second_head_a_duplicate_id_no_relation_and_a_closed_household(register):
    db, hid, _kinds = register
    count = lambda: len(load_household(db, hid).members)  # noqa: E731
    before = count()
    with pytest.raises(ValidationError, match="一户只能有一位户主"):
        add_resident(db, hid, ResidentData(name="赵七"), "02", today=TODAY)
    wang = _person(db, "王芳")
    with pytest.raises(ValidationError, match="王芳（户号 4113020010010002）"):
        add_resident(db, hid, ResidentData(name="赵七", id_number=wang.id_number), "20", today=TODAY)
    with pytest.raises(ValidationError, match="与户主的关系"):
        add_resident(db, hid, ResidentData(name="赵七"), None, today=TODAY)
    with pytest.raises(ValidationError, match="姓名"):
        add_resident(db, hid, ResidentData(name="  "), "20", today=TODAY)
    assert count() == before
    with db.session() as s:
        s.get(Household, wang.household_id).dissolved_on = date(2026, 1, 1)
    with pytest.raises(ValidationError, match="已于 2026-01-01 注销"):
        add_resident(db, wang.household_id, ResidentData(name="赵七"), "20", today=TODAY)


def test_add_resident_asks_about_an_implausible_age_then_keeps_it_when_confirmed(register):
    db, hid, _kinds = register
    old_child = ResidentData(name="张老大", id_number=make_id_number("411302", date(1950, 1, 1), 77))
    with pytest.raises(PlausibilityError) as refused:
        add_resident(db, hid, old_child, "20", today=TODAY)
    assert refused.value.findings == ["“张老大”是户主的子女，却不比户主“张三”年轻。"]
    assert _person(db, "张老大") is None
    pid = add_resident(db, hid, old_child, "20", confirmed=True, today=TODAY)
    assert load_resident(db, pid).relation == "20"


def test_new_resident_in_an_existing_household_from_the_people_tab(qtbot, register):
    db, _hid, _kinds = register
    page = _page(qtbot, db)
    assert "共 4 人" in page.summary.text()
    state = {}

    def choose(dialog):
        assert isinstance(dialog, ChooseHouseholdDialog)
        assert not dialog.ok_button.isEnabled()  # nothing chosen yet
        type_text(qtbot, dialog.search, "wf")
        assert dialog.model.rowCount() == 1 and dialog.model.row_at(0).head == "王芳"
        dialog.table.selectRow(0)
        assert "已选：4113020010010002 王芳" in dialog.summary.text()
        dialog.ok_button.click()

    def fill(dialog):
        assert isinstance(dialog, ResidentDialog) and dialog.is_new
        state["title"] = dialog.windowTitle()
        state["tabs"] = [dialog.tabs.isTabEnabled(i) for i in range(3)]
        type_text(qtbot, dialog.name, "王小明")
        type_text(qtbot, dialog.id_number, make_id_number("411302", date(2015, 9, 1), 11))
        state["filled"] = (dialog.dates["birth_date"].text(), dialog.combos["gender"].currentData())
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        state["no_relation"] = dialog.error.text()
        dialog.relation.setCurrentIndex(dialog.relation.findData("20"))
        dialog.phone.setText("13911112222")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        state["after"] = (dialog.is_new, dialog.changed, dialog.relation_label.text(),
                          dialog.tabs.isTabEnabled(1), dialog.windowTitle())
        dialog.reject()

    when_modal(choose, kind=ChooseHouseholdDialog)
    when_modal(fill, kind=ResidentDialog)
    page.add_button.click()
    assert state["title"] == "新增居民：户 4113020010010002"
    assert state["tabs"] == [True, False, False]
    assert state["filled"] == ("2015-09-01", "1")
    assert "与户主的关系" in state["no_relation"]
    assert state["after"] == (False, True, "子", True, "居民信息：王小明")
    person = _person(db, "王小明")
    wang = _person(db, "王芳")
    assert (person.household_id, person.relation, person.phone, person.status) == (
        wang.household_id, "20", "13911112222", PERSON_ACTIVE)
    assert "共 5 人" in page.summary.text()  # the list refreshed


def test_new_resident_in_a_new_household(qtbot, register):
    db, _hid, _kinds = register
    page = _page(qtbot, db)
    state = {}

    def create(dialog):
        assert isinstance(dialog, HouseholdDialog) and dialog.is_new
        state["title"] = dialog.windowTitle()
        state["events"] = dialog.move_out_button.isEnabled() or dialog.print_button.isEnabled()
        dialog.household_no.setText("4113020010010009")
        dialog.parts["compound"].setText("和谐家园")
        dialog.members.item(0, 0).setText("赵六")
        dialog.members.item(0, 1).setText(make_id_number("411302", date(1985, 2, 3), 45))
        assert dialog.try_save()
        state["saved"] = (dialog.household_id is not None, dialog.move_out_button.isEnabled())
        dialog.accept()

    def choose(dialog):
        when_modal(create, kind=HouseholdDialog)
        dialog.new_button.click()

    def complete(dialog):
        state["form"] = (dialog.is_new, dialog.name.text(), dialog.relation_label.text())
        dialog.texts["occupation"].setText("个体")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        dialog.reject()

    when_modal(choose, kind=ChooseHouseholdDialog)
    when_modal(complete, kind=ResidentDialog)
    page.add_button.click()
    assert state["title"] == "新建住户" and not state["events"]
    assert state["saved"] == (True, True)
    assert state["form"] == (False, "赵六", "户主")
    zhao = _person(db, "赵六")
    card = load_household(db, zhao.household_id)
    assert (card.data.household_no, card.data.compound, [m.name for m in card.members]) == (
        "4113020010010009", "和谐家园", ["赵六"])
    assert (zhao.relation, zhao.occupation, zhao.birth_date) == ("02", "个体", date(1985, 2, 3))
    assert "共 5 人" in page.summary.text()


def test_new_member_form_asks_before_keeping_an_implausible_age(qtbot, register):
    db, hid, _kinds = register
    dialog = ResidentDialog.new_member(db, hid)
    qtbot.addWidget(dialog)
    dialog.name.setText("张老大")
    dialog.id_number.setText(make_id_number("411302", date(1950, 1, 1), 77))
    dialog.relation.setCurrentIndex(dialog.relation.findData("20"))
    texts = answer_message_box(QMessageBox.StandardButton.No)
    assert dialog.try_save() is False
    assert "不比户主“张三”年轻" in texts[0]
    assert dialog.is_new and _person(db, "张老大") is None
    answer_message_box(QMessageBox.StandardButton.Yes)
    assert dialog.try_save() is True
    assert not dialog.is_new and _person(db, "张老大").relation == "20"
