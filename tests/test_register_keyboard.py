"""Tab order of the household card and the resident form: Tab goes through
the fields in reading order (see ``ui/widgets.set_form_tab_order``)."""

from __future__ import annotations

from sqlalchemy import select

from gridadmin.models import Person
from gridadmin.ui.register.household_dialog import HouseholdDialog
from gridadmin.ui.register.resident_dialog import ResidentDialog
from gridadmin.ui.common.widgets import form_fields
from tests.test_keyboard import _tab_chain
from tests.test_residents_page import register  # noqa: F401 - the shared fixture


def _visible_fields(dialog):
    return [w for w in form_fields(*dialog.form_layouts) if w.isVisibleTo(dialog)]


def test_household_card_tab_order_goes_row_by_row(qtbot, register):
    db, hid, _kinds = register
    dialog = HouseholdDialog(db, hid)
    qtbot.addWidget(dialog)
    fields = _visible_fields(dialog)
    assert fields[:4] == [dialog.household_no, dialog.area, dialog.household_type, dialog.phone]
    assert _tab_chain(fields[0], len(fields)) == fields


def test_resident_form_tab_order_goes_down_the_left_column_then_the_right(qtbot, register):
    db = register[0]
    with db.session() as s:
        zhang = s.scalar(select(Person.id).where(Person.name == "张三"))
    dialog = ResidentDialog(db, zhang)
    qtbot.addWidget(dialog)
    fields = _visible_fields(dialog)
    assert fields[0] is dialog.name and fields[1] is dialog.id_type and fields[2] is dialog.id_number
    assert fields[3] is dialog.combos["gender"]
    assert fields.index(dialog.combos["residence_status"]) < fields.index(dialog.combos["political_status"])
    assert _tab_chain(fields[0], len(fields)) == fields
