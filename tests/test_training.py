"""Training services: sessions, attendance rules, compliance across years."""

from __future__ import annotations

from datetime import date

import pytest

from gridadmin.models import Staff, StaffAssignment
from gridadmin.services.areas import tree as areas
from gridadmin.services.common.errors import NotFoundError, ValidationError
from gridadmin.services.training.sessions import (
    SessionInput, add_attendees, create_session, list_sessions, remove_attendee, session_attendance,
    set_attendance, set_session_cancelled, staff_on_post_in, update_session,
)
from gridadmin.services.training.compliance import (
    compliance, monthly_totals, requirements, set_requirement, staff_history,
)


@pytest.fixture
def world(township_db):
    """Two grids in 河街社区; 张三 full-time since 2020, 李四 part-time who
    left in March 2025, 王五 full-time hired July 2025."""
    community = next(n for n in areas.load_tree(township_db) if n.name == "河街社区")
    grid1 = areas.add_area(township_db, community.id, areas.AreaInput(name="第一网格"))
    grid2 = areas.add_area(township_db, community.id, areas.AreaInput(name="第二网格"))
    ids = {}
    with township_db.session() as s:
        for name, hired, left, grid, role in (
                ("张三", date(2020, 1, 1), None, grid1, "fulltime"),
                ("李四", date(2019, 1, 1), date(2025, 3, 31), grid2, "parttime"),
                ("王五", date(2025, 7, 1), None, grid2, "fulltime")):
            staff = Staff(name=name, name_pinyin=name, hired_on=hired, left_on=left,
                          status="离职" if left else "在岗")
            s.add(staff)
            s.flush()
            s.add(StaffAssignment(staff_id=staff.id, area_id=grid, role=role, start_date=hired, end_date=left))
            ids[name] = staff.id
    ids["community"] = community.id
    return township_db, ids


def _session(db, name="消防安全培训", start=date(2025, 5, 10), hours=4.0, **kw):
    return create_session(db, SessionInput(name=name, start_date=start, end_date=kw.pop("end", start), hours=hours,
                                           category=kw.pop("category", "06"), form=kw.pop("form", "1"), **kw))


@pytest.mark.parametrize("kwargs, message", [
    (dict(name=" "), "培训名称不能为空"),
    (dict(end=date(2025, 5, 9)), "早于开始日期"),
    (dict(hours=-2), "学时应大于 0"),
    (dict(hours=0), "学时应大于 0"),
    (dict(category="88"), "培训类别“88”不在代码表中"),
])
def test_session_validation(world, kwargs, message):
    db, _ = world
    with pytest.raises(ValidationError, match=message):
        _session(db, **kwargs)
    assert list_sessions(db) == []


def test_attendance_rules(world):
    db, ids = world
    session_id = _session(db)
    assert add_attendees(db, session_id, [ids["张三"]]) == 1
    with pytest.raises(ValidationError, match="“张三”已在本次培训名单中"):
        add_attendees(db, session_id, [ids["王五"], ids["张三"]])
    with pytest.raises(ValidationError, match="已于 2025-03-31 离职"):
        add_attendees(db, session_id, [ids["李四"]])
    with pytest.raises(NotFoundError):
        add_attendees(db, session_id, [99999])
    assert [r.name for r in session_attendance(db, session_id)] == ["张三"]  # all-or-nothing
    with pytest.raises(ValidationError, match="0–100"):
        set_attendance(db, session_id, ids["张三"], status="present", score=101)
    with pytest.raises(ValidationError, match="超过本次培训学时"):
        set_attendance(db, session_id, ids["张三"], status="present", hours=5)
    set_attendance(db, session_id, ids["张三"], status="present", hours=3, score=88, passed=True,
                   certificate_no="XF-001")
    row = session_attendance(db, session_id)[0]
    assert (row.hours_credited, row.score, row.passed, row.grids) == (3, 88, True, "河街社区·第一网格")
    set_attendance(db, session_id, ids["张三"], status="excused")
    assert session_attendance(db, session_id)[0].hours_credited == 0


def test_add_all_fulltime_workers_of_a_community(world):
    db, ids = world
    assert staff_on_post_in(db, ids["community"], "fulltime", on=date(2025, 8, 1)) == sorted(
        [ids["张三"], ids["王五"]])
    assert staff_on_post_in(db, ids["community"], on=date(2025, 2, 1)) == sorted([ids["张三"], ids["李四"]])


def test_compliance_across_year_boundary_excused_and_mid_year_hire(world):
    db, ids = world
    set_requirement(db, 2025, 24)
    set_requirement(db, 2025, 32, role="fulltime")
    assert requirements(db, 2025) == {None: 24.0, "fulltime": 32.0}
    december = _session(db, "年末培训", start=date(2024, 12, 30), end=date(2025, 1, 2), hours=8)
    spring = _session(db, "春季培训", start=date(2025, 4, 1), hours=6)
    autumn = _session(db, "秋季培训", start=date(2025, 9, 1), hours=10)
    cancelled = _session(db, "取消的培训", start=date(2025, 10, 1), hours=16)
    add_attendees(db, december, [ids["张三"]])
    add_attendees(db, spring, [ids["张三"]])
    add_attendees(db, autumn, [ids["张三"], ids["王五"]])
    add_attendees(db, cancelled, [ids["张三"]])
    set_session_cancelled(db, cancelled)
    set_attendance(db, spring, ids["张三"], status="absent")
    rows = {r.name: r for r in compliance(db, 2025, today=date(2025, 12, 31))}
    assert "李四" not in rows  # left before the as-of date
    assert rows["张三"].hours == 10 and rows["张三"].required == 32 and rows["张三"].shortfall == 22
    assert rows["王五"].hours == 10 and rows["王五"].required == 16  # hired in July: 6/12 of 32
    assert [r.name for r in compliance(db, 2025, today=date(2025, 12, 31))] == ["张三", "王五"]
    assert compliance(db, 2024, today=date(2025, 12, 31))[0].hours == 8  # the session started in 2024
    history, totals = staff_history(db, ids["张三"])
    assert totals == {2024: 8.0, 2025: 10.0}
    assert [h.name for h in history][:1] == ["取消的培训"]
    months = {m.month: m for m in monthly_totals(db, 2025)}
    assert (months[9].sessions, months[9].attendances, months[9].hours) == (1, 2, 20.0)
    assert months[10].sessions == 0  # cancelled sessions do not count
    assert months[4].attendances == 0  # the only attendee was absent


def test_update_and_list_sessions_with_attendance_rate(world):
    db, ids = world
    session_id = _session(db)
    add_attendees(db, session_id, [ids["张三"], ids["王五"]])
    set_attendance(db, session_id, ids["王五"], status="absent")
    row = list_sessions(db, year=2025)[0]
    assert (row.invited, row.present, row.attendance_rate) == (2, 1, 0.5)
    update_session(db, session_id, SessionInput(name="消防安全培训（二）", start_date=date(2025, 5, 10),
                                                end_date=date(2025, 5, 11), hours=6, category="06", form="2"),
                   expected_version=row.version)
    assert list_sessions(db)[0].name == "消防安全培训（二）"
    remove_attendee(db, session_id, ids["王五"])
    assert list_sessions(db)[0].invited == 1
    assert list_sessions(db, year=2024) == []


def test_signin_sheet_pdf_text(world, tmp_path):
    from pypdf import PdfReader

    from gridadmin.services.reports.signin_sheet import signin_sheet_pdf

    db, ids = world
    session_id = _session(db, trainer="县消防救援大队 王教官", place="街道办三楼会议室")
    with db.session() as s:
        s.get(Staff, ids["张三"]).phone = "13812345678"
    add_attendees(db, session_id, [ids["张三"], ids["王五"]])
    path = tmp_path / "sign.pdf"
    assert signin_sheet_pdf(db, session_id, path, printed_on=date(2025, 5, 1)) == 1
    text = PdfReader(str(path)).pages[0].extract_text()
    for expected in ("培训签到表", "消防安全培训", "县消防救援大队 王教官", "街道办三楼会议室", "2025年05月10日",
                     "集中", "序号", "签名", "张三", "王五", "第一网格", "138****5678", "第 1 页 共 1 页",
                     "东关街道网格化服务管理中心"):
        assert expected in text, (expected, text)
    assert "13812345678" not in text
    signin_sheet_pdf(db, session_id, path, full_numbers=True)
    assert "13812345678" in PdfReader(str(path)).pages[0].extract_text()


def test_code_lists_and_years_for_the_screens(world):
    from gridadmin.services.training.sessions import training_code_lists, training_years

    db, _ = world
    lists = training_code_lists(db)
    assert ("06", "消防安全") in lists.categories and ("3", "以会代训") in lists.forms
    assert ("fulltime", "专职网格员") in lists.roles
    assert lists.label("forms", "1") == "集中" and lists.label("roles", None) == "" and lists.label("forms", "x") == "x"
    assert training_years(db) == []
    _session(db, start=date(2024, 12, 30), end=date(2025, 1, 2))
    _session(db, name="春季培训", start=date(2025, 4, 1))
    assert training_years(db) == [2025, 2024]


def test_hours_to_date_are_compared_with_the_requirement_to_date(world):
    """32 h a year for 专职: by the end of September 24 h are due (9 months);
    王五, hired in July, owes 3 months' share (8 h) of his 16 h for the year."""
    from gridadmin.services.training.compliance import months_elapsed

    db, ids = world
    set_requirement(db, 2025, 24)
    set_requirement(db, 2025, 32, role="fulltime")
    autumn = _session(db, "秋季培训", start=date(2025, 9, 1), hours=10)
    add_attendees(db, autumn, [ids["张三"], ids["王五"]])
    assert (months_elapsed(date(2025, 9, 30)), months_elapsed(date(2025, 9, 29)), months_elapsed(date(2025, 1, 5))) \
        == (9, 8, 0)
    rows = {r.name: r for r in compliance(db, 2025, today=date(2025, 9, 30))}
    assert (rows["张三"].required, rows["张三"].annual, rows["张三"].shortfall) == (24, 32, 14)
    assert rows["张三"].months_behind == pytest.approx(14 / (32 / 12))
    assert (rows["王五"].required, rows["王五"].annual, rows["王五"].shortfall) == (8, 16, 0)
    # early in the year nothing is due yet; on 31 December the whole year is
    assert all(r.required == 0 for r in compliance(db, 2025, today=date(2025, 1, 20)))
    assert {r.name: r.required for r in compliance(db, 2025, today=date(2025, 12, 31))} == {"张三": 32, "王五": 16}
