"""The roster's 所属网格 order comes from ``staff.grid_sort``, kept by
triggers (migration 0020) on every write that can change it; the roster
sorted by it lists the same people in the same order as before."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import select, text

from gridadmin.db import make_engine, open_database, resolve_url
from gridadmin.migrations import alembic_config
from gridadmin.models import Staff, StaffAssignment
from gridadmin.services.areas import tree as areas
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.roster import assignments
from gridadmin.services.roster.listing import RosterFilter, roster_source
from tests.staffdata import TODAY
from tests.test_roster_query import roster  # noqa: F401 - the fixture


def keys(db) -> dict[str, str | None]:
    with db.session() as s:
        return dict(s.execute(select(Staff.name, Staff.grid_sort)).all())


def by_grid(db, descending: bool = False, **filters) -> list[str]:
    rows = roster_source(db).window(PageQuery(RosterFilter(today=TODAY, **filters), "grids", descending), 0, 50)
    return [r.name for r in rows]


def test_key_is_the_smallest_open_grid(roster):  # noqa: F811
    db, _, _ = roster
    assert keys(db) == {"张三": "第一网格", "李四": "第二网格", "曾明": "粮行网格", "王五": None}
    assert by_grid(db) == ["张三", "李四", "曾明"]
    assert by_grid(db, descending=True) == ["曾明", "李四", "张三"]


def test_key_follows_ended_moved_and_deleted_assignments(roster):  # noqa: F811
    db, ids, people = roster
    with db.session() as s:
        first = s.scalar(select(StaffAssignment.id).where(StaffAssignment.staff_id == people["张三"],
                                                           StaffAssignment.area_id == ids["第一网格"]))
        second = s.scalar(select(StaffAssignment.id).where(StaffAssignment.staff_id == people["李四"]))
    assignments.end_assignment(db, first, date(2025, 1, 31))
    assert keys(db)["张三"] == "粮行网格"
    assert by_grid(db) == ["李四", "张三", "曾明"]  # 张三 and 曾明 tie on 粮行网格: by id
    assignments.transfer(db, second, ids["粮行网格"], date(2025, 2, 1))
    assert keys(db)["李四"] == "粮行网格"
    with db.session() as s:
        s.execute(text("DELETE FROM staff_assignment WHERE staff_id = :s"), {"s": people["曾明"]})
    assert keys(db)["曾明"] is None


def test_key_follows_a_grid_code_or_name(roster):  # noqa: F811
    db, ids, _ = roster
    areas.update_area(db, ids["粮行网格"], areas.AreaInput(name="粮行网格", grid_code="411302001001001"))
    assert keys(db)["曾明"] == "411302001001001" and keys(db)["张三"] == "411302001001001"
    assert by_grid(db) == ["张三", "曾明", "李四"]  # codes sort before names
    areas.update_area(db, ids["第二网格"], areas.AreaInput(name="甲网格"))
    assert keys(db)["李四"] == "甲网格"


def test_upgrade_fills_the_key_of_existing_staff(tmp_path):
    path = tmp_path / "old.db"
    engine = make_engine(resolve_url(str(path)))
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0018")
        conn.execute(text("INSERT INTO area (id, parent_id, level, name, grid_code, active, sort_order, version) "
                          "VALUES (1, NULL, 'township', '东关街道', NULL, 1, 0, 1), "
                          "(2, 1, 'grid', '第一网格', 'G2', 1, 0, 1), (3, 1, 'grid', '第二网格', 'G1', 1, 1, 1)"))
        conn.execute(text("INSERT INTO staff (id, name, status, version) VALUES (1, '张三', '在岗', 1), "
                          "(2, '李四', '在岗', 1)"))
        conn.execute(text("INSERT INTO staff_assignment (staff_id, area_id, role, start_date, end_date, version) "
                          "VALUES (1, 2, 'fulltime', '2020-01-01', NULL, 1), (1, 3, 'leader', '2020-01-01', NULL, 1), "
                          "(2, 3, 'fulltime', '2020-01-01', '2021-01-01', 1)"))
    engine.dispose()
    db = open_database(str(path))
    try:
        assert keys(db) == {"张三": "G1", "李四": None}
        with db.session() as s:  # the triggers were created with the column
            s.execute(text("UPDATE staff_assignment SET end_date = NULL WHERE staff_id = 2"))
        assert keys(db)["李四"] == "G1"
    finally:
        db.dispose()


def test_page_sorts_by_grid_without_counting_again(qtbot, roster):  # noqa: F811
    from PySide6.QtCore import Qt

    from gridadmin.ui.roster.roster_page import RosterPage

    db, ids, people = roster
    page = RosterPage(db)
    qtbot.addWidget(page)
    page.show()
    counted = []
    original = page.on_post_count
    page.on_post_count = lambda: counted.append(1) or original()
    summary = page.summary.text()
    source, recounts = page.model.source, []
    count = source.count
    source.count = lambda query: recounts.append(query.sort) or count(query)
    page.table.sortByColumn(page.model.column_index("grids"), Qt.SortOrder.AscendingOrder)
    assert recounts == ["grids"]  # Qt asks twice; the list is read once
    names = [page.model.row_at(r).name for r in range(page.model.rowCount())]
    assert names == ["张三", "李四", "曾明"]
    assert page.summary.text() == summary and counted == []  # a sort changes no figure
    with db.session() as s:
        running = s.scalar(select(StaffAssignment.id).where(StaffAssignment.staff_id == people["李四"]))
    assignments.end_assignment(db, running, date.today())
    page.model.refresh()  # after an edit: counted again
    assert counted == [1]
