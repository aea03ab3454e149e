"""The assignment history as a timeline of dated events."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from gridadmin.services.roster import assignments
from gridadmin.services.roster.assignments import EVENT_END, EVENT_START, EVENT_STATUS, EVENT_TRANSFER, service_length
from gridadmin.services.roster.staff import get_staff, save_staff
from tests.staffdata import TODAY, add, grids


def test_hire_assign_transfer_end_leave_rehire(township_db):
    db = township_db
    ids = grids(db)
    zhang = add(db, "张三", seq=11, hired_on=date(2020, 1, 1))
    first = assignments.assign(db, zhang, ids["第一网格"], "fulltime", date(2020, 2, 1))
    assignments.assign(db, zhang, ids["第二网格"], "volunteer", date(2021, 3, 1))
    assignments.transfer(db, first, ids["粮行网格"], date(2022, 7, 1))
    record = get_staff(db, zhang)
    save_staff(db, replace(record.data, status="离职", left_on=date(2023, 12, 31)), staff_id=zhang,
               expected_version=record.version, today=TODAY)
    record = get_staff(db, zhang)
    save_staff(db, replace(record.data, status="在岗", left_on=None, hired_on=date(2024, 5, 1)), staff_id=zhang,
               expected_version=record.version, today=TODAY)
    assignments.assign(db, zhang, ids["第一网格"], "parttime", date(2024, 5, 1))
    events = assignments.staff_timeline(db, zhang, today=TODAY)
    summary = [(e.day.isoformat(), e.kind, e.title, e.place, e.role_label) for e in events]
    assert summary == [
        ("2020-01-01", EVENT_STATUS, "入职（在岗）", "", ""),
        ("2020-02-01", EVENT_START, "开始任职", "河街社区·第一网格", "专职网格员"),
        ("2021-03-01", EVENT_START, "开始任职", "河街社区·第二网格", "志愿者"),
        ("2022-07-01", EVENT_TRANSFER, "调动", "河街社区·第一网格 → 粮行社区·粮行网格", "专职网格员"),
        ("2023-12-31", EVENT_END, "结束任职", "河街社区·第二网格", "志愿者"),
        ("2023-12-31", EVENT_END, "结束任职", "粮行社区·粮行网格", "专职网格员"),
        ("2023-12-31", EVENT_STATUS, "离职", "", ""),
        ("2024-05-01", EVENT_STATUS, "再次入职（在岗）", "", ""),
        ("2024-05-01", EVENT_START, "开始任职", "河街社区·第一网格", "兼职网格员"),
    ]
    assert events[1].detail == "2020-02-01 — 2022-06-30（2年4个月）"
    assert events[-1].detail == "2024-05-01 — 至今（1年1个月）"
    assert events[5].detail == "任职 1年5个月"


def test_leave_is_recorded_as_leave(township_db):
    db = township_db
    zhang = add(db, "张三", seq=11)
    record = get_staff(db, zhang)
    save_staff(db, replace(record.data, status="休假"), staff_id=zhang, today=TODAY)
    assert assignments.staff_timeline(db, zhang, today=TODAY)[-1].title == "休假"


def test_service_length():
    assert service_length(date(2020, 2, 1), date(2022, 6, 30)) == "2年4个月"
    assert service_length(date(2020, 2, 1), date(2020, 2, 12)) == "12天"
    assert service_length(date(2020, 2, 1), date(2021, 2, 1)) == "1年"
