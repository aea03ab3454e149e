"""qtbot at 1024x768: the resident form's 变更生效日期 says when a category
change falls in a submitted month; the reports page's 已上报 line lists late
resident and staff changes. Each window is grabbed to a PNG (for a look:
GRIDADMIN_SHOTS=DIR keeps them) and checked to fit the screen."""

from __future__ import annotations

import time

import os
from datetime import date

from PySide6.QtCore import QDate
from sqlalchemy import select

from gridadmin.models import Person
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.reports.history import previous_month
from gridadmin.services.reports.submission import submit_monthly_report
from gridadmin.services.roster.staff import get_staff, save_staff
from gridadmin.models import Staff
from gridadmin.ui.register.resident_dialog import ResidentDialog
from gridadmin.ui.reports.reports_page import ReportsPage
from tests import test_reports_page

demo = test_reports_page.demo
SCREEN = (1024, 768)


def _grab(widget, tmp_path, name: str):
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()  # the layout follows the last texts
    folder = os.environ.get("GRIDADMIN_SHOTS") or str(tmp_path)
    path = os.path.join(folder, name)
    assert widget.grab().save(path)
    assert widget.width() <= SCREEN[0] and widget.height() <= SCREEN[1]
    return path


def _local_resident(db, before: date) -> int:
    with db.session() as s:
        return s.scalar(select(Person.id).where(Person.status == PERSON_ACTIVE, Person.category == "1",
                                               Person.registered_on < before).order_by(Person.id).limit(1))


def test_resident_form_warns_for_a_category_change_in_a_submitted_month(qtbot, demo, tmp_path):
    year, month = previous_month()
    run_to_end(submit_monthly_report(demo, year, month))
    dialog = ResidentDialog(demo, _local_resident(demo, date(year, month, 1)))
    qtbot.addWidget(dialog)
    dialog.resize(min(dialog.sizeHint().width(), SCREEN[0]), min(dialog.sizeHint().height(), SCREEN[1] - 40))
    dialog.show()
    assert dialog.effective_label.text() == "变更生效日期" and dialog.late.isHidden()
    dialog.effective_day.setDate(QDate(year, month, 10))
    assert dialog.late.isHidden()  # nothing the report counts changes yet
    combo = dialog.combos["category"]
    combo.setCurrentIndex(combo.findData("3"))
    notice = f"该变动属于已上报的{year}年{month}月，将作为更正计入下月报表"
    assert dialog.late.text() == notice and not dialog.late.isHidden()
    _grab(dialog, tmp_path, "resident-category-late.png")
    assert dialog.try_save() is True
    dialog.effective_day.setDate(QDate.currentDate())
    assert dialog.late.isHidden()


def test_reports_page_lists_late_staff_changes(qtbot, demo, tmp_path):
    year, month = previous_month()
    page = ReportsPage(demo)
    qtbot.addWidget(page)
    page.resize(*SCREEN)
    page.show()
    run_to_end(submit_monthly_report(demo, year, month))
    time.sleep(1.05 - time.time() % 1)  # staff rows are stamped to the second (see test_register_over_time._submit)
    with demo.session() as s:
        staff_id = s.scalar(select(Staff.id).where(Staff.status == "在岗", Staff.hired_on < date(year, month, 1))
                            .order_by(Staff.id).limit(1))
    record = get_staff(demo, staff_id)
    from dataclasses import replace

    save_staff(demo, replace(record.data, status="离职", left_on=date(year, month, 12)), staff_id=staff_id,
               expected_version=record.version)
    diff = page.refresh_submission()
    assert [c.name for c in diff.changes] == [record.data.name]
    assert f"{record.data.name}（网格力量）" in page.submission_label.text()
    assert diff.changes[0].staff == -1 and "离职" in diff.changes[0].change
    _grab(page, tmp_path, "reports-late-staff.png")
    label = page.submission_label
    assert label.height() >= label.heightForWidth(label.width())  # the whole text shows


def test_event_and_household_dialogs_fit_with_their_dates(qtbot, demo, tmp_path):
    from gridadmin.services.register.households import MemberData
    from gridadmin.ui.register.event_dialogs import EventDialog
    from gridadmin.ui.register.household_dialog import HouseholdDialog

    year, month = previous_month()
    run_to_end(submit_monthly_report(demo, year, month))
    with demo.session() as s:
        p = s.execute(select(Person.id, Person.name, Person.version, Person.household_id)
                      .where(Person.status == PERSON_ACTIVE, Person.relation.not_in(("01", "02")))
                      .order_by(Person.id).limit(1)).one()
    dialog = EventDialog(demo, "move_out", MemberData(id=p.id, name=p.name, version=p.version), [("10", "配偶")],
                         area_id=None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.day.setDate(QDate(year, month, 10))
    assert not dialog.late.isHidden()
    _grab(dialog, tmp_path, "event-move-out-late.png")
    card = HouseholdDialog(demo, p.household_id)
    qtbot.addWidget(card)
    card.resize(min(card.sizeHint().width(), SCREEN[0]), min(card.sizeHint().height(), SCREEN[1] - 40))
    card.show()
    _grab(card, tmp_path, "household-card.png")
