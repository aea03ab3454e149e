"""首页概览: the service figures against plain SQL on the small demo, the
page's charts (filled off the UI thread, 「正在统计…」 meanwhile),
drill-down through MainWindow, PNG export."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QPointF, Qt
from sqlalchemy import text

from gridadmin.db import open_database
from gridadmin.services.reports.dashboard import dashboard_figures, last_months


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    from gridadmin.services.demo import create_demo_database

    path = tmp_path_factory.mktemp("dash") / "demo.db"
    create_demo_database(str(path), "small")
    return path


@pytest.fixture
def demo_db(demo_path):
    db = open_database(str(demo_path))
    yield db
    db.dispose()


def _sql(db, query: str, **params):
    with db.session() as s:
        return s.execute(text(query), params).all()


def _scalar(db, query: str, **params):
    return _sql(db, query, **params)[0][0]


# Community of an area: the area itself, its parent or grandparent.
AREA_COMMUNITY = """
    SELECT a.id AS area_id,
           CASE WHEN a.level = 'community' THEN a.id WHEN p.level = 'community' THEN p.id
                WHEN g.level = 'community' THEN g.id END AS community_id
    FROM area a LEFT JOIN area p ON p.id = a.parent_id LEFT JOIN area g ON g.id = p.parent_id"""


def test_last_months_crosses_the_year():
    assert last_months(date(2026, 3, 15), 4) == [(2025, 12), (2026, 1), (2026, 2), (2026, 3)]
    assert len(last_months(date(2026, 12, 1))) == 12 and last_months(date(2026, 12, 1))[0] == (2026, 1)


def test_headline_figures_match_plain_sql(demo_db):
    today = date.today()
    f = dashboard_figures(demo_db, today=today)
    assert f.households == _scalar(demo_db, "SELECT count(*) FROM household WHERE dissolved_on IS NULL") > 0
    assert f.residents == _scalar(demo_db, "SELECT count(*) FROM person WHERE status = '在册'") > 0
    assert f.staff_on_post == _scalar(demo_db, """
        SELECT count(DISTINCT sa.staff_id) FROM staff_assignment sa JOIN staff s ON s.id = sa.staff_id
        WHERE s.status = '在岗' AND sa.start_date <= :d AND (sa.end_date IS NULL OR sa.end_date >= :d)""",
        d=today) > 0
    grids = _scalar(demo_db, "SELECT count(*) FROM area WHERE level = 'grid' AND active")
    without = _scalar(demo_db, """
        SELECT count(*) FROM area g WHERE g.level = 'grid' AND g.active AND NOT EXISTS (
            SELECT 1 FROM staff_assignment sa JOIN area a ON a.id = sa.area_id
            WHERE (a.id = g.id OR a.parent_id = g.id) AND sa.role = 'fulltime'
              AND sa.start_date <= :d AND (sa.end_date IS NULL OR sa.end_date >= :d))
          AND NOT (g.grid_type = '专属网格' AND NOT EXISTS (
            SELECT 1 FROM household h JOIN area a ON a.id = h.area_id
            WHERE (a.id = g.id OR a.parent_id = g.id) AND h.dissolved_on IS NULL))""", d=today)
    assert (f.grids, f.grids_lacking_responsible) == (grids, without)  # 专属网格 without households not flagged
    first = date(today.year, today.month, 1)
    hours = _scalar(demo_db, """
        SELECT coalesce(sum(at.hours_credited), 0) FROM attendance at JOIN training_session ts ON ts.id = at.session_id
        WHERE at.status = 'present' AND NOT ts.cancelled AND ts.start_date >= :a AND ts.start_date < :d""",
        a=first, d=date(today.year + (today.month == 12), today.month % 12 + 1, 1))
    assert f.training_hours_month == pytest.approx(float(hours))
    imports = _scalar(demo_db, "SELECT count(*) FROM import_batch WHERE undone_at IS NULL AND created_at >= :a",
                      a=datetime(first.year, first.month, 1))
    assert f.imports_month == imports


def test_per_community_and_monthly_series_match_plain_sql(demo_db):
    today = date.today()
    f = dashboard_figures(demo_db, today=today)
    residents = dict(_sql(demo_db, f"""
        SELECT m.community_id, count(*) FROM person p LEFT JOIN household h ON h.id = p.household_id
        LEFT JOIN house hs ON hs.id = p.house_id
        JOIN ({AREA_COMMUNITY}) m ON m.area_id = coalesce(h.area_id, hs.area_id) WHERE p.status = '在册'
        GROUP BY m.community_id"""))
    staff = dict(_sql(demo_db, f"""
        SELECT m.community_id, count(DISTINCT sa.staff_id) FROM staff_assignment sa JOIN staff s ON s.id = sa.staff_id
        JOIN ({AREA_COMMUNITY}) m ON m.area_id = sa.area_id
        WHERE s.status = '在岗' AND sa.start_date <= :d AND (sa.end_date IS NULL OR sa.end_date >= :d)
        GROUP BY m.community_id""", d=today))
    communities = [r[0] for r in _sql(demo_db, "SELECT id FROM area WHERE level = 'community' AND active")]
    assert sorted(c.area_id for c in f.communities) == sorted(communities)
    for c in f.communities:
        assert (c.residents, c.staff_on_post) == (residents.get(c.area_id, 0), staff.get(c.area_id, 0)), c.name
    assert sum(c.residents for c in f.communities) == f.residents

    assert [(v.year, v.month) for v in f.residents_trend] == last_months(today)
    assert f.residents_trend[-1].value == f.residents
    for v in f.residents_trend[:-1]:
        end = date(v.year + (v.month == 12), v.month % 12 + 1, 1)
        count = _scalar(demo_db, """
            SELECT count(*) FROM person WHERE (registered_on IS NULL OR registered_on < :e)
              AND (moved_out_on IS NULL OR moved_out_on >= :e) AND (died_on IS NULL OR died_on >= :e)
              AND (status = '在册' OR moved_out_on IS NOT NULL OR died_on IS NOT NULL)""", e=end)
        assert v.value == count, v.key
    for v in f.training_by_month:
        first = date(v.year, v.month, 1)
        hours = _scalar(demo_db, """
            SELECT coalesce(sum(at.hours_credited), 0) FROM attendance at
            JOIN training_session ts ON ts.id = at.session_id
            WHERE at.status = 'present' AND NOT ts.cancelled AND ts.start_date >= :a AND ts.start_date < :b""",
            a=first, b=date(v.year + (v.month == 12), v.month % 12 + 1, 1))
        assert v.value == pytest.approx(float(hours)), v.key
    assert sum(v.value for v in f.training_by_month) > 0


def _window(qtbot, db):
    from gridadmin.ui.shell.main_window import MainWindow

    window = MainWindow(db)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    wait_filled(qtbot, window.page("dashboard"))
    return window


def wait_filled(qtbot, page) -> None:
    """The figures are computed off the UI thread: wait until they are drawn."""
    qtbot.waitUntil(lambda: page.figures is not None and not page.busy, timeout=60_000)


def _click_view_point(qtbot, chart, x: float, y: float) -> None:
    scene_point = chart.view_box.mapViewToScene(QPointF(x, y))
    widget_point = chart.plot.mapFromScene(scene_point)
    qtbot.mouseClick(chart.plot.viewport(), Qt.MouseButton.LeftButton, pos=widget_point)


def test_dashboard_is_home_page_and_charts_show_the_figures(qtbot, demo_db):
    from gridadmin.ui.shell.main_window import PAGES
    from gridadmin.ui.reports.dashboard_page import DashboardPage

    assert PAGES[0].name == "dashboard" and PAGES[0].title == "首页概览"
    window = _window(qtbot, demo_db)
    page = window.stack.currentWidget()
    assert isinstance(page, DashboardPage) and window.page("dashboard") is page
    f = dashboard_figures(demo_db)
    assert page.community_names() == [c.name for c in f.communities]
    assert page.community_values("residents") == [c.residents for c in f.communities]
    assert page.community_values("staff") == [c.staff_on_post for c in f.communities]
    assert page.trend_values() == [v.value for v in f.residents_trend]
    assert page.training_values() == [v.value for v in f.training_by_month]
    assert page.tiles["residents"].value.text() == f"{f.residents:,}"
    assert page.tiles["no_fulltime"].value.text() == f"{f.grids_lacking_responsible} / {f.grids}"
    # page() builds a page without switching to it
    assert window.page("grids") is not None and window.stack.currentWidget() is page
    assert window.page("nonexistent") is None


def test_click_on_community_bar_opens_its_residents_and_roster(qtbot, demo_db):
    window = _window(qtbot, demo_db)
    page = window.page("dashboard")
    f = page.figures
    row = next(i for i, c in enumerate(f.communities) if c.residents > 0)
    community = f.communities[row]
    n = len(f.communities)
    _click_view_point(qtbot, page.residents_chart, community.residents / 2, n - 1 - row)
    residents = window.page("residents")
    assert window.stack.currentWidget() is residents
    assert residents.area.currentData() == community.area_id
    assert residents.model.rowCount() == community.residents

    window.show_page("dashboard")
    _click_view_point(qtbot, page.staff_chart, max(community.staff_on_post, 1) / 2, n - 1 - row)
    assert window.stack.currentWidget() is window.page("roster")
    assert window.page("roster").area.currentData() == community.area_id


def test_tiles_and_other_charts_open_their_pages(qtbot, demo_db):
    window = _window(qtbot, demo_db)
    page = window.page("dashboard")
    qtbot.mouseClick(page.tiles["no_fulltime"], Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.page("grids")
    window.show_page("dashboard")
    qtbot.mouseClick(page.tiles["training"], Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.page("training")
    window.show_page("dashboard")
    _click_view_point(qtbot, page.trend_chart, 5, page.trend_values()[5])
    assert window.stack.currentWidget() is window.page("residents")


def test_export_chart_as_png(qtbot, demo_db, tmp_path, monkeypatch):
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QFileDialog

    window = _window(qtbot, demo_db)
    page = window.page("dashboard")
    out = tmp_path / "图表"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PNG 图片 (*.png)"))
    qtbot.mouseClick(page.residents_chart.export_button, Qt.MouseButton.LeftButton)
    png = tmp_path / "图表.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(png))
    assert image.width() == page.residents_chart.width() and image.height() == page.residents_chart.height()
    assert page.training_chart.export_png(tmp_path / "t.png") and (tmp_path / "t.png").stat().st_size > 1000


def test_charts_carry_value_labels_and_month_ticks_at_every_size(qtbot, demo_db, tmp_path):
    window = _window(qtbot, demo_db)
    page = window.stack.currentWidget()
    f = dashboard_figures(demo_db)
    assert [item.toPlainText() for item in page.residents_chart.value_labels] == \
        [f"{c.residents:,}" for c in f.communities]
    assert [item.toPlainText() for item in page.training_chart.value_labels] == \
        [f"{v.value:,.0f}" for v in f.training_by_month if v.value]
    months = [f"{v.month}月" for v in f.residents_trend]
    for size, at_least in (((1920, 1080), 12), ((1366, 768), 6), ((1024, 768), 4)):
        window.resize(*size)
        qtbot.wait(50)
        for chart in (page.trend_chart, page.training_chart):
            shown = chart.shown_month_labels()
            assert len(shown) >= at_least and shown[-1] == months[-1], (size, shown)
            assert set(shown) <= set(months)
        assert page.trend_chart.value_labels and page.trend_chart.value_labels[-1].toPlainText() == \
            f"{f.residents_trend[-1].value:,}"
    window.showMaximized()
    qtbot.wait(50)
    window.grab().save(str(tmp_path / "dashboard.png"))


def test_the_window_shows_at_once_and_the_figures_arrive_from_a_worker(qtbot, demo_db, monkeypatch):
    """The page is built without computing anything: it says 「正在统计…」 and
    stays responsive while a worker thread (its own session) computes; a
    refresh started meanwhile wins over the one before it; pyqtgraph's charts
    are built with the first figures."""
    import threading

    from gridadmin.ui.reports import dashboard_page

    release = threading.Event()
    threads: list[str] = []
    real = dashboard_page._figures_and_reminders

    def slow(db):
        threads.append(threading.current_thread().name)
        release.wait(30)
        return real(db)

    monkeypatch.setattr(dashboard_page, "_figures_and_reminders", slow)
    page = dashboard_page.DashboardPage(demo_db)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    qtbot.waitExposed(page)
    assert page.busy and page.status.isVisible() and page.status.text() == "正在统计…"
    assert page.tiles["residents"].value.text() == "…" and page.charts_widget is None
    assert not page.refresh_button.isEnabled()
    qtbot.wait(100)  # the event loop runs while the worker waits: the window is not frozen
    assert page.busy and threads and threads[0] != threading.current_thread().name
    release.set()
    with qtbot.waitSignal(page.filled, timeout=60_000):
        pass
    f = dashboard_figures(demo_db)
    assert not page.status.isVisible() and page.refresh_button.isEnabled()
    assert page.tiles["residents"].value.text() == f"{f.residents:,}"
    assert page.trend_values() == [v.value for v in f.residents_trend]
    # two refreshes in a row: only the later one's figures are drawn
    release.clear()
    page.refresh()
    page.refresh()
    assert page.busy and page.status.text() == "正在统计…"
    assert page.tiles["residents"].value.text() == f"{f.residents:,}"  # the old figures stay meanwhile
    release.set()
    with qtbot.waitSignal(page.filled, timeout=60_000):
        pass
    qtbot.waitUntil(lambda: len(threads) == 3)
    assert not page.busy and page.figures == f


def test_a_failed_count_is_said_on_the_page(qtbot, demo_db, monkeypatch):
    from gridadmin.services.common.errors import STORAGE_DISCONNECTED, StorageError
    from gridadmin.ui.reports import dashboard_page

    def broken(db):
        raise StorageError("数据库服务器无法连接。", STORAGE_DISCONNECTED)

    monkeypatch.setattr(dashboard_page, "_figures_and_reminders", broken)
    page = dashboard_page.DashboardPage(demo_db)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)
    assert not page.status.isHidden() and page.status.text() == "统计失败：数据库服务器无法连接。"
    assert page.refresh_button.isEnabled()
