"""待办提醒: memberships due to end, people who turned 60 or 80 this month,
residence permits within 30 days, staff certificates within 90 — listed per
actor, confirmed (the dated, audited change) or dismissed with a reason;
the dashboard counts them; two clerks deciding at once (SQLite and
PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select, update

from gridadmin.models import AuditLog, Person, PersonTag, ReminderDecision, TagKind
from gridadmin.services.access.permissions import Actor
from gridadmin.services.common.errors import ConflictError, ValidationError
from gridadmin.services.register.reminders import confirm_reminder, dismiss_reminder, due_count, due_reminders
from gridadmin.services.register.special_groups import special_group_counts
from gridadmin.services.register.tags import person_tags, set_person_tags
from gridadmin.services.roster.certificates import CertificateInput, add_certificate
from gridadmin.ui.register.reminders_page import RemindersPage
from gridadmin.ui.reports.dashboard_page import DashboardPage
from tests import staffdata
from tests.test_import_changes import TODAY, register  # noqa: F401

HR = Actor(None, "hr1", "人事", frozenset({"hr"}))
OFFICIAL = Actor(None, "lead", "领导", frozenset({"official"}))


def _id(db, name):
    with db.session() as s:
        return s.scalar(select(Person.id).where(Person.name == name))


@pytest.fixture
def due(register):  # noqa: F811
    """李云 矫正期满 2025-05-31; 王芳 turns 80 on 2025-06-01; 赵四's 居住证
    ends 2025-06-20 (张三's in August: not yet); a certificate ends in 60 days."""
    db = register
    with db.session() as s:
        corrections = s.scalar(select(TagKind.id).where(TagKind.code == "corrections"))
        s.execute(update(Person).where(Person.name == "王芳").values(birth_date=date(1945, 6, 1)))
        s.execute(update(Person).where(Person.name == "赵四").values(residence_permit_expires=date(2025, 6, 20)))
        s.execute(update(Person).where(Person.name == "张三").values(residence_permit_expires=date(2025, 8, 1)))
    set_person_tags(db, _id(db, "李云"), {corrections}, date(2025, 1, 10), today=TODAY, details={corrections: {
        "矫正开始日期": "2024-06-01", "矫正期满日期": "2025-05-31"}})
    staff = staffdata.save_staff(db, staffdata.person("周网格"), today=TODAY)
    add_certificate(db, staff, CertificateInput("社会工作者职业资格证书", "S001", expires_on=date(2025, 7, 31)),
                    today=TODAY)
    return db


def test_what_is_due_is_listed_per_actor(due):
    db = due
    found = {(r.kind, r.subject): r for r in due_reminders(db, TODAY)}
    assert set(found) == {("group_end", "李云"), ("age", "王芳"), ("permit", "赵四"), ("certificate", "周网格")}
    assert found[("group_end", "李云")].due_date == date(2025, 5, 31)
    assert "矫正期满（2025-05-31），建议自该日起退出“社区矫正人员”" in found[("group_end", "李云")].detail
    assert "年满 80 周岁" in found[("age", "王芳")].detail and found[("age", "王芳")].place.endswith("一网格")
    assert due_count(db, TODAY) == 4
    # who sees what: HR the certificates only, an official nothing
    assert [r.kind for r in due_reminders(db.as_actor(HR), TODAY)] == ["certificate"]
    assert due_reminders(db.as_actor(OFFICIAL), TODAY) == []
    # the reports no longer count 李云 although nobody confirmed yet
    counts = {r.name: r.total for r in special_group_counts(db, TODAY, today=TODAY).rows}
    assert counts["社区矫正人员（敏感）"] == 0


def test_confirm_records_the_dated_change_and_dismiss_needs_a_reason(due):
    db = due
    li = _id(db, "李云")
    reminder = next(r for r in due_reminders(db, TODAY) if r.kind == "group_end")
    assert confirm_reminder(db, "group_end", reminder.ref_id, reminder.due_date, today=TODAY) == \
        "李云 自 2025-05-31 起退出“社区矫正人员”"
    with db.session() as s:
        tag = s.get(PersonTag, reminder.ref_id)
        assert (tag.end_date, tag.ended_by) == (date(2025, 5, 31), "system")
        trail = s.scalars(select(AuditLog).where(AuditLog.entity == "person_tag", AuditLog.entity_id == li)
                          .order_by(AuditLog.id.desc())).first()
        assert trail.summary == "待办提醒：李云 自 2025-05-31 起退出“社区矫正人员”"
    assert "corrections" not in {t.code for t in person_tags(db, li, TODAY)}
    with pytest.raises(ConflictError, match="已由他人处理或已有变化"):  # a second click on a stale list
        confirm_reminder(db, "group_end", reminder.ref_id, reminder.due_date, today=TODAY)

    permit = next(r for r in due_reminders(db, TODAY) if r.kind == "permit")
    with pytest.raises(ValidationError, match="请填写忽略的原因"):
        dismiss_reminder(db, "permit", permit.ref_id, permit.due_date, "  ", today=TODAY)
    dismiss_reminder(db, "permit", permit.ref_id, permit.due_date, "已于6月3日续签", today=TODAY)
    with db.session() as s:
        decision = s.scalar(select(ReminderDecision).where(ReminderDecision.kind == "permit"))
        assert (decision.decision, decision.reason) == ("dismiss", "已于6月3日续签")
    assert {r.kind for r in due_reminders(db, TODAY)} == {"age", "certificate"}
    # HR may not decide on a register reminder
    age = next(r for r in due_reminders(db, TODAY) if r.kind == "age")
    with pytest.raises(ConflictError):
        confirm_reminder(db.as_actor(HR), "age", age.ref_id, age.due_date, today=TODAY)


def test_two_clerks_confirming_at_once_decide_once(due):
    """Two threads, two connections: one confirmation wins, the other is
    told the reminder was handled; one decision row."""
    db = due
    reminder = next(r for r in due_reminders(db, TODAY) if r.kind == "age")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def clerk():
        barrier.wait()
        try:
            confirm_reminder(db, "age", reminder.ref_id, reminder.due_date, today=TODAY)
            outcomes.append("done")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.session() as s:
        rows = s.scalars(select(ReminderDecision).where(ReminderDecision.kind == "age")).all()
    assert len(rows) == 1 and "done" in outcomes


def test_the_page_confirms_and_dismisses_and_the_dashboard_counts(qtbot, due, monkeypatch):
    import gridadmin.services.register.reminders as reminders

    class Today(date):
        @classmethod
        def today(cls):
            return TODAY

    monkeypatch.setattr(reminders, "date", Today)
    db = due
    dashboard = DashboardPage(db)
    qtbot.addWidget(dashboard)
    qtbot.waitUntil(lambda: dashboard.figures is not None and not dashboard.busy, timeout=60_000)
    assert dashboard.reminders_button.text() == "待办提醒 4"
    page = RemindersPage(db)
    qtbot.addWidget(page)
    page.resize(1024, 768)
    page.show()
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == [
        "人群类别到期", "年龄提醒", "居住证到期", "证书到期"]
    qtbot.wait(50)
    from tests.test_group_fields_ui import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / "reminders_page.png"))
    page.table.selectRow(0)
    assert page.confirm_button.text() == "确认退出"
    assert page.confirm()
    assert "李云 自 2025-05-31 起退出“社区矫正人员”" in page.note.text()
    assert page.table.rowCount() == 3
    page.table.selectRow(1)  # 居住证到期
    assert not page.dismiss()
    assert "请填写忽略的原因" in page.error.text()
    page.reason.setText("本人已搬离，待核实")
    assert page.dismiss()
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == ["年龄提醒", "证书到期"]
    dashboard.refresh()
    qtbot.waitUntil(lambda: not dashboard.busy, timeout=60_000)
    assert dashboard.reminders_button.text() == "待办提醒 2"
    dashboard.reminders_button.click()  # opens the page (the main window switches to it)
