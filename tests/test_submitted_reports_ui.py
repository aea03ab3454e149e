"""qtbot: 上报本月 and 撤回上报 on the reports page, the 已上报 line with the
late changes, and the life-event dialog's submitted-month notice."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QInputDialog, QMessageBox
from sqlalchemy import select

from gridadmin.models import Person
from gridadmin.models.access import ROLE_OFFICIAL
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.access.permissions import Actor
from gridadmin.services.register import life_events
from gridadmin.services.register.households import MemberData
from gridadmin.services.reports.history import previous_month
from gridadmin.services.reports.submission import submission_of
from gridadmin.ui.register.event_dialogs import EventDialog
from gridadmin.ui.reports.reports_page import ReportsPage
from tests import test_reports_page
from tests.uihelpers import answer_message_box, when_modal

demo = test_reports_page.demo  # the small demo database fixture


def _member_to_move(db, before: date):
    """A 在册 non-head member of a household with other members, there since before ``before``."""
    with db.session() as s:
        for p in s.scalars(select(Person).where(Person.status == PERSON_ACTIVE, Person.relation.not_in(("01", "02")),
                                                Person.registered_on < before).order_by(Person.id).limit(50)):
            return p.id, p.name, p.version, p.household_id
    raise AssertionError("demo data has no member to move")


def test_submit_shows_submitted_then_late_change_then_withdraw(qtbot, demo):
    page = ReportsPage(demo)
    qtbot.addWidget(page)
    page.show()
    year, month = previous_month()
    assert "未上报" in page.submission_label.text()
    assert page.submit_button.isVisible() and page.submit_button.isEnabled()
    assert page.withdraw_button.isVisible() and not page.withdraw_button.isEnabled()

    answer_message_box(QMessageBox.StandardButton.Yes)
    info = page.submit()
    assert info is not None and submission_of(demo, year, month) is not None
    assert "已上报" in page.submission_label.text() and "system" in page.submission_label.text()
    assert not page.submit_button.isEnabled() and page.withdraw_button.isEnabled()
    assert page.current is not None and page.current.id == info.generated_report_id

    person_id, name, _version, _hh = _member_to_move(demo, date(year, month, 1))
    life_events.move_out(demo, person_id, date(year, month, 15), "外省")
    diff = page.refresh_submission()
    assert [c.name for c in diff.changes] == [name]
    assert name in page.submission_label.text() and "更正" in page.submission_label.text()

    def give_reason(dialog):
        dialog.setTextValue("县里要求重报")
        dialog.accept()

    when_modal(give_reason, kind=QInputDialog)
    assert page.withdraw() is not None
    assert submission_of(demo, year, month) is None
    assert "未上报" in page.submission_label.text() and page.submit_button.isEnabled()


def test_official_sees_no_submit_or_withdraw(qtbot, demo):
    page = ReportsPage(demo.as_actor(Actor(None, "ld", "领导", frozenset({ROLE_OFFICIAL}))))
    qtbot.addWidget(page)
    page.show()
    assert not page.submit_button.isVisible() and not page.withdraw_button.isVisible()


def test_event_dialog_says_a_date_falls_in_a_submitted_month(qtbot, demo):
    from gridadmin.services.common.progress import run_to_end
    from gridadmin.services.reports.submission import submit_monthly_report

    year, month = previous_month()
    run_to_end(submit_monthly_report(demo, year, month))
    person_id, name, version, household_id = _member_to_move(demo, date(year, month, 1))
    member = MemberData(id=person_id, name=name, version=version)
    dialog = EventDialog(demo, "move_out", member, [("10", "配偶")], area_id=None)
    qtbot.addWidget(dialog)
    dialog.day.setDate(QDate(year, month, 10))
    notice = f"该变动属于已上报的{year}年{month}月，将作为更正计入下月报表"
    assert dialog.late.text() == notice and not dialog.late.isHidden()
    dialog.day.setDate(QDate.currentDate())
    assert dialog.late.isHidden()
    dialog.day.setDate(QDate(year, month, 10))
    dialog.destination.setText("外省")
    assert dialog.try_record() is True
    assert dialog.notice == notice
