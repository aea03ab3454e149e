"""在岗 means one thing everywhere (issue 16 part 4): status 在岗 with an
assignment running; 休假 beside it. The dashboard, the roster's default
count, the grid tree, the staffing view and the monthly report agree."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from gridadmin.db import open_database
from gridadmin.models import Staff, StaffAssignment
from gridadmin.models.staff import STATUS_LEAVE, STATUS_ON_POST
from gridadmin.services.areas.tree import load_tree
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.demo import create_demo_database
from gridadmin.services.reports.dashboard import dashboard_figures
from gridadmin.services.reports.monthly_figures import monthly_figures
from gridadmin.services.roster.listing import RosterFilter, roster_source
from gridadmin.services.roster.on_post import OnPostCount, on_post_today
from gridadmin.services.roster.staffing import grid_staffing


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("onpost") / "demo.db"
    create_demo_database(str(path), "small")
    database = open_database(str(path))
    yield database
    database.dispose()


def test_dashboard_roster_tree_and_report_agree_on_the_demo(demo):
    from dataclasses import replace

    from gridadmin.services.roster.staff import get_staff, save_staff

    today = date.today()
    before = on_post_today(demo, today)
    # someone serving a grid goes on 休假 today, through the staff form's service
    with demo.session() as s:
        serving = s.scalar(select(StaffAssignment.staff_id).join(Staff, Staff.id == StaffAssignment.staff_id)
                           .where(Staff.status == STATUS_ON_POST, StaffAssignment.end_date.is_(None))
                           .order_by(StaffAssignment.staff_id).limit(1))
    record = get_staff(demo, serving)
    save_staff(demo, replace(record.data, status=STATUS_LEAVE), staff_id=serving, expected_version=record.version)
    count = on_post_today(demo, today)
    assert count == OnPostCount(before.on_post - 1, before.on_leave + 1)
    dash = dashboard_figures(demo, today=today)
    assert (dash.staff_on_post, dash.staff_on_leave) == (count.on_post, count.on_leave)
    assert dash.staff_text == f"在岗 {count.on_post:,} 人（另有休假 {count.on_leave:,} 人）"
    roster = roster_source(demo).count(PageQuery(filter=RosterFilter(today=today)))
    assert roster == count.on_post
    roots = [n for n in load_tree(demo, today=today) if n.depth == 0]
    assert roots[0].staff_on_post == count.on_post
    report = monthly_figures(demo, today.year, today.month)
    assert report.total.staff_on_post == count.on_post and report.staff_on_leave == count.on_leave
    assert report.staff_text == dash.staff_text


def test_on_leave_is_beside_not_inside(db):
    from gridadmin.services.areas.setup import init_township
    from gridadmin.services.areas.tree import AreaInput, add_area

    init_township(db, "411302001")
    community = next(n for n in load_tree(db) if n.name == "河街社区")
    grid = add_area(db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    today = date.today()
    with db.session() as s:
        for name, status in (("甲", STATUS_ON_POST), ("乙", STATUS_ON_POST), ("丙", STATUS_LEAVE)):
            st = Staff(name=name, status=status)
            s.add(st)
            s.flush()
            s.add(StaffAssignment(staff_id=st.id, area_id=grid, role="fulltime",
                                  start_date=today - timedelta(days=400)))
        s.add(Staff(name="丁", status=STATUS_ON_POST))  # 在岗, not yet assigned to a grid
    assert on_post_today(db, today) == OnPostCount(2, 1)
    assert OnPostCount(2, 1).text == "在岗 2 人（另有休假 1 人）" and OnPostCount(2, 0).text == "在岗 2 人"
    assert dashboard_figures(db, today=today).staff_on_post == 2
    staffing = {g.name: g for g in grid_staffing(db, today=today).grids}
    assert staffing["一网格"].fulltime == 2
    report = monthly_figures(db, today.year, today.month)
    assert (report.total.staff_on_post, report.staff_on_leave) == (2, 1)
    # the roster's default list is status 在岗 (丁 too); its summary line names the difference
    assert roster_source(db).count(PageQuery(filter=RosterFilter(today=today))) == 3
