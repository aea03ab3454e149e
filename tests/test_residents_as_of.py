"""The residents list as of a past day (截至日期): the register derived from
the history, equal to the monthly report's and the 特殊人群统计 counts, and
the 截至日期 checkbox on the residents page (qtbot)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gridadmin.models import Area, Person, PersonEvent, PersonTag, TagKind
from gridadmin.models.household import EVENT_TRANSFER
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.reports.monthly_figures import monthly_figures
from gridadmin.services.register.residents import ResidentFilter, resident_source
from gridadmin.services.register.special_groups import special_group_counts
from tests.test_monthly_report import _build

D = date.fromisoformat
TODAY = D("2026-11-27")


def _rows(db, f, sort="name"):
    source = resident_source(db)
    query = PageQuery(f, sort)
    n = source.count(query)
    rows = source.window(query, 0, n + 5)
    assert len(rows) == n
    return rows


def _names(db, f):
    return sorted(r.name for r in _rows(db, f))


def _tag_kind(db) -> int:
    with db.session() as s:
        kind = s.scalars(select(TagKind).order_by(TagKind.id)).first()
        if kind is None:
            kind = TagKind(code="t1", name="低保对象")
            s.add(kind)
            s.flush()
        return kind.id


@pytest.fixture
def tiny(db):
    ids = _build(db)
    kind = _tag_kind(db)
    with db.session() as s:  # p3 (died 03-10) held the tag from 02-01; p7 from 03-01 to 03-25
        s.add(PersonTag(person_id=ids["p3"], tag_kind_id=kind, start_date=D("2026-02-01")))
        s.add(PersonTag(person_id=ids["p7"], tag_kind_id=kind, start_date=D("2026-03-01"), end_date=D("2026-03-25")))
        s.add(PersonTag(person_id=ids["p1"], tag_kind_id=kind, start_date=D("2026-04-01")))
    return db, ids, kind


def test_who_is_listed_and_where_on_a_past_day(tiny):
    db, ids, _kind = tiny
    day = D("2026-03-09")
    # p3 died after the day: listed, 在册 then; p4 (registered 03-12) is not, p6 (03-05) is
    assert _names(db, ResidentFilter(as_of=day)) == ["p1", "p2", "p3", "p5", "p6", "p7"]
    assert "p6" not in _names(db, ResidentFilter(as_of=D("2026-03-04")))
    rows = {r.name: r for r in _rows(db, ResidentFilter(as_of=day))}
    assert rows["p3"].status == "在册（现死亡）" and rows["p1"].status == "在册"
    # p7 transferred h1 (甲) → h4 (乙) on 03-18: in 甲 and shown with h1 on the day, in 乙 today
    assert rows["p7"].household_no == "h1" and rows["p7"].household_id == ids["h1"]
    assert "p7" in _names(db, ResidentFilter(as_of=day, area_id=ids["A"]))
    assert "p7" not in _names(db, ResidentFilter(as_of=day, area_id=ids["B"]))
    assert "p7" in _names(db, ResidentFilter(as_of=D("2026-03-18"), area_id=ids["B"]))
    assert "p7" in _names(db, ResidentFilter(area_id=ids["B"]))  # today's register
    assert _names(db, ResidentFilter(as_of=day, area_id=ids["A1m"])) == ["p3"]
    # the status filter does not apply as of a day
    assert _names(db, ResidentFilter(as_of=day, status="死亡")) == _names(db, ResidentFilter(as_of=day))
    # before anything: nobody; the day a person moves out they are gone
    assert _names(db, ResidentFilter(as_of=D("2023-12-31"))) == []
    assert "p8" in _names(db, ResidentFilter(as_of=D("2026-02-27")))
    assert "p8" not in _names(db, ResidentFilter(as_of=D("2026-02-28")))


def test_tags_on_a_past_day_follow_their_dates(tiny):
    db, ids, kind = tiny
    assert _names(db, ResidentFilter(as_of=D("2026-03-09"), tag_kind_id=kind)) == ["p3", "p7"]
    assert _names(db, ResidentFilter(as_of=D("2026-03-09"), tag_kind_id=kind, area_id=ids["B"])) == []
    assert _names(db, ResidentFilter(as_of=D("2026-03-20"), tag_kind_id=kind, area_id=ids["B"])) == ["p7"]
    assert _names(db, ResidentFilter(as_of=D("2026-03-31"), tag_kind_id=kind)) == []  # p3 dead, p7's ended
    assert _names(db, ResidentFilter(as_of=D("2026-04-01"), tag_kind_id=kind)) == ["p1"]
    rows = {r.name: r for r in _rows(db, ResidentFilter(as_of=D("2026-03-09")))}
    assert rows["p7"].tags and not rows["p1"].tags


def _per_community(db, day, community_ids, tag=None):
    return {c: resident_source(db).count(PageQuery(ResidentFilter(as_of=day, area_id=c, tag_kind_id=tag)))
            for c in community_ids}


@pytest.mark.parametrize("day", ["2026-02-28", "2026-03-09", "2026-03-17", "2026-03-31"])
def test_counts_equal_the_monthly_report_and_special_groups(tiny, day):
    db, ids, kind = tiny
    day = D(day)
    communities = [ids["A"], ids["B"]]
    listed = _per_community(db, day, communities)
    groups = special_group_counts(db, day, today=TODAY)
    assert listed == {c: groups.rows[0].count(c) for c in communities}
    tag_row = next(r for r in groups.rows if r.tag_kind_id == kind)
    assert _per_community(db, day, communities, kind) == {c: tag_row.count(c) for c in communities}
    if day.month == 3 and day.day == 31 or day.day == 28:
        f = monthly_figures(db, day.year, day.month)
        assert listed == {c.area_id: c.residents.current for c in f.communities}
        assert sum(listed.values()) == f.total.residents.current


def test_counts_on_a_generated_register_with_later_changes(tmp_path):
    from gridadmin.db import open_database
    from gridadmin.services.demo import create_demo_database

    path = tmp_path / "demo.db"
    create_demo_database(str(path), "small", today=date(2026, 11, 20))
    db = open_database(str(path))
    try:
        with db.session() as s:
            kinds = list(s.scalars(select(TagKind.id).order_by(TagKind.id)))[:3]
            moved_later = s.scalar(select(PersonEvent.id).where(PersonEvent.kind == EVENT_TRANSFER,
                                                                 PersonEvent.event_date > D("2026-06-30")))
            gone_later = s.scalar(select(Person.id).where(Person.died_on > D("2026-06-30")))
        assert moved_later and gone_later  # the month end has transfers and deaths after it
        for year, month, day in [(2026, 6, D("2026-06-30")), (2025, 12, D("2025-12-31"))]:
            f = monthly_figures(db, year, month)
            communities = [c.area_id for c in f.communities]
            listed = _per_community(db, day, communities)
            assert listed == {c.area_id: c.residents.current for c in f.communities}
            groups = special_group_counts(db, day, today=D("2026-11-20"))
            assert listed == {c: groups.rows[0].count(c) for c in communities}
            for row in groups.rows[1:]:
                if row.tag_kind_id in kinds:
                    assert _per_community(db, day, communities, row.tag_kind_id) == \
                        {c: row.count(c) for c in communities}, row.name
    finally:
        db.dispose()


def test_page_checkbox_lists_the_register_of_that_day(qtbot, tiny, tmp_path, monkeypatch):
    from openpyxl import load_workbook
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from gridadmin.ui.register.residents_page import ResidentsPage, last_month_end
    from tests.uihelpers import answer_message_box

    db, ids, kind = tiny
    page = ResidentsPage(db)
    qtbot.addWidget(page)
    page.show()
    assert last_month_end(D("2026-11-27")) == D("2026-10-31") and last_month_end(D("2026-01-05")) == D("2025-12-31")
    assert page.as_of_date.date().toPython() == last_month_end() and not page.as_of_date.isEnabled()
    today_names = sorted(page.model.row_at(r).name for r in range(page.model.rowCount()))
    assert today_names == ["p1", "p4", "p6", "p7"]

    page.as_of_date.setDate(QDate(2026, 2, 28))
    page.as_of_check.setChecked(True)
    assert page.as_of_date.isEnabled() and not page.status.isEnabled()
    assert "截至 2026-02-28 在册 5 人" in page.summary.text() and "已按条件筛选" not in page.summary.text()
    page.as_of_date.setDate(QDate(2026, 3, 9))
    names = sorted(page.model.row_at(r).name for r in range(page.model.rowCount()))
    assert names == ["p1", "p2", "p3", "p5", "p6", "p7"]
    assert "截至 2026-03-09 在册 6 人" in page.summary.text()

    out = tmp_path / "asof.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    answer_message_box(QMessageBox.StandardButton.Ok)
    page.export_button.click()
    exported = [r for r in load_workbook(out).active.iter_rows(values_only=True) if r and r[0] in
                ("p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8")]
    assert sorted(r[0] for r in exported) == ["p1", "p2", "p3", "p5", "p6", "p7"]

    page.as_of_check.setChecked(False)
    assert page.status.isEnabled() and "共 4 人" in page.summary.text()

    # a click on a past count of 特殊人群统计 opens the list of that day
    panel = page.special_groups
    panel.day.setDate(QDate(2026, 3, 9))
    model = panel.model
    tag_row = next(r for r in range(model.rowCount()) if model.row_at(r).tag_kind_id == kind)
    column = next(c for c in range(model.columnCount()) if model.columns[c].key == f"c{ids['A']}")
    assert model.data(model.index(tag_row, column)) == "2"
    panel.table.clicked.emit(model.index(tag_row, column))
    assert page.as_of_check.isChecked() and page.as_of() == D("2026-03-09")
    assert sorted(page.model.row_at(r).name for r in range(page.model.rowCount())) == ["p3", "p7"]
    assert "截至 2026-03-09 在册 2 人" in page.summary.text()
    # … and a count of today's figures today's list
    panel.day.setDate(QDate.currentDate())
    panel.table.clicked.emit(model.index(0, column))
    assert not page.as_of_check.isChecked()
    assert sorted(page.model.row_at(r).name for r in range(page.model.rowCount())) == ["p1", "p4"]


def test_household_number_search_on_a_past_day_uses_the_household_of_that_day(tiny):
    """p7 moved from h1 to h4 on 03-18: as of 03-09 searching h1's number or
    address finds them and h4's does not; today the other way round."""
    from gridadmin.models import Household

    db, ids, _kind = tiny
    day = D("2026-03-09")
    with db.session() as s:
        for key, number, address in (("h1", "9001", "幸福路1号"), ("h4", "9004", "和平路4号")):
            household = s.get(Household, ids[key])
            household.household_no, household.address = number, address
    for first, second in (("9001", "9004"), ("幸福路", "和平路")):
        assert "p7" in _names(db, ResidentFilter(as_of=day, search=first))
        assert "p7" not in _names(db, ResidentFilter(as_of=day, search=second))
        assert "p7" in _names(db, ResidentFilter(search=second))
        assert "p7" not in _names(db, ResidentFilter(search=first))
