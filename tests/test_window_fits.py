"""The main window on small screens: every page usable at 1024x768 and
1366x768 (nothing forces the window wider or taller than the screen, key
buttons on screen), the window opens sized to the screen and comes back
where it was, but only onto a screen that is still there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QTabWidget

from gridadmin.db import open_database
from gridadmin.services.demo import create_demo_database
from gridadmin.ui.shell.main_window import PAGES, MainWindow, fit_on_screens
from gridadmin.ui.shell.pc_settings import SETTINGS_WINDOW_GEOMETRY, SETTINGS_WINDOW_MAXIMISED, app_settings

ROOT = Path(__file__).resolve().parent.parent
TASKBAR = 40  # a Windows taskbar takes this much of the screen's height
SIZES = ((1024, 768), (1366, 768))


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("fits") / "demo.db"
    create_demo_database(str(path), "small")
    return path


@pytest.fixture
def demo(demo_path, tmp_path):
    """A private copy per test (the reports page writes its history)."""
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_path.read_bytes())
    database = open_database(str(copy))
    yield database
    database.dispose()


def _settle(qtbot) -> None:
    QApplication.processEvents()
    qtbot.wait(10)
    QApplication.processEvents()


def _clipped_buttons(window: MainWindow, page) -> list[str]:
    """The page's visible buttons that stick out of the window or out of
    any widget holding them (cut off, or off screen). Buttons inside a
    scrolling area (the cells of a table) may scroll away and are left out."""
    clipped = []
    for button in page.findChildren(QAbstractButton):
        if not button.isVisible() or button.width() == 0:
            continue
        chain, parent, inside_scroll = [], button.parentWidget(), False
        while parent is not None:
            if isinstance(parent, QAbstractScrollArea) and parent is not button:
                inside_scroll = True
                break
            chain.append(parent)
            if parent is window:
                break
            parent = parent.parentWidget()
        if inside_scroll:
            continue
        for holder in chain:
            rect = QRect(button.mapTo(holder, button.rect().topLeft()), button.size())
            if not holder.rect().contains(rect):
                clipped.append(f"{button.text() or button.toolTip()} 超出 {type(holder).__name__} {rect} / {holder.rect()}")
                break
    return clipped


def _visit_all_tabs(page, qtbot) -> None:
    tabs = getattr(page, "tabs", None)
    if isinstance(tabs, QTabWidget):
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            _settle(qtbot)
        tabs.setCurrentIndex(0)
        _settle(qtbot)


@pytest.mark.parametrize("width,height", SIZES)
def test_every_page_fits_the_screen(qtbot, demo, width, height):
    screen = QSize(width, height - TASKBAR)
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.resize(screen)
    window.show()
    _settle(qtbot)
    problems = []
    for spec in PAGES:
        page = window.show_page(spec.name)
        _settle(qtbot)
        _visit_all_tabs(page, qtbot)
        if spec.name == "reports":
            # the empty history's hint is whole inside its table, then a report is read in the viewer
            label, viewport = page.empty_state.label, page.history.viewport()
            assert page.empty_state.is_shown()
            assert viewport.rect().contains(label.geometry()), (label.geometry(), viewport.rect())
            assert label.height() >= label.heightForWidth(label.width())  # every line of it
            assert page.generate() is not None
            _settle(qtbot)
            assert page.viewer.page_count() > 0 and page.viewer.isVisible()
        hint, minimum = page.minimumSizeHint(), page.minimumSize()
        for what, size in (("页面最小尺寸", hint), ("页面固定最小尺寸", minimum)):
            if size.width() > screen.width() or size.height() > screen.height():
                problems.append(f"{spec.name}: {what} {size.toTuple()} 超过屏幕 {screen.toTuple()}")
        for what, size in (("窗口最小尺寸", window.minimumSizeHint()), ("窗口固定最小尺寸", window.minimumSize())):
            if size.width() > screen.width() or size.height() > screen.height():
                problems.append(f"{spec.name}: {what} {size.toTuple()} 超过屏幕 {screen.toTuple()}")
        if window.size() != screen:
            problems.append(f"{spec.name}: 窗口被撑到 {window.size().toTuple()}")
        problems += [f"{spec.name}: {text}" for text in _clipped_buttons(window, page)]
    assert not problems, "\n".join(problems)


def test_tool_rows_wrap_instead_of_widening(qtbot, demo):
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.resize(1024, 768 - TASKBAR)
    window.show()
    roster = window.show_page("roster")
    _settle(qtbot)
    narrow = [roster.print_button.geometry().top(), roster.search.geometry().top()]
    filters = roster.filter_row
    assert len(filters.lines(filters.geometry().width())) >= 2  # the filters take two lines at 1024 px
    window.resize(1366, 768 - TASKBAR)
    _settle(qtbot)
    assert len(filters.lines(filters.geometry().width())) < len(filters.lines(700))
    assert roster.print_button.geometry().top() <= narrow[0] and roster.search.geometry().top() == narrow[1]


def test_training_figures_come_before_trainer_and_place(qtbot, demo):
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.resize(1024, 768 - TASKBAR)
    window.show()
    page = window.show_page("training")
    _settle(qtbot)
    model = page.sessions.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers.index("应到") < headers.index("实到") < headers.index("出勤率") < headers.index("主讲人") \
        < headers.index("地点")
    table = page.sessions.table
    rate = headers.index("出勤率")
    # at 1024 px the attendance figures are on screen without scrolling sideways
    assert table.columnViewportPosition(rate) + table.columnWidth(rate) <= table.viewport().width()
    row = model.rows[0]
    assert model.index(0, headers.index("应到")).data() == str(row.invited)
    assert model.index(0, headers.index("地点")).data() == (row.place or "")


def test_fit_on_screens_keeps_a_window_on_a_screen():
    laptop = QRect(0, 0, 1366, 728)
    second = QRect(1366, 0, 1920, 1040)
    assert fit_on_screens(QRect(100, 80, 900, 600), [laptop]) == QRect(100, 80, 900, 600)
    # larger than the screen now (a lower resolution): shrunk and moved onto it
    assert fit_on_screens(QRect(50, 40, 1600, 900), [laptop]) == QRect(0, 0, 1366, 728)
    # on the second monitor while it is there; gone with it
    assert fit_on_screens(QRect(1500, 100, 1200, 800), [laptop, second]) == QRect(1500, 100, 1200, 800)
    assert fit_on_screens(QRect(1500, 100, 1200, 800), [laptop]) is None
    # title bar above the top of every screen, or only a sliver left on one: not restored
    assert fit_on_screens(QRect(100, -400, 800, 600), [laptop]) is None
    assert fit_on_screens(QRect(1300, 100, 800, 600), [laptop]) is None
    # half off the right edge, title bar still grabbable: pulled fully onto the screen
    assert fit_on_screens(QRect(1000, 100, 800, 600), [laptop]) == QRect(566, 100, 800, 600)
    assert fit_on_screens(None, [laptop]) is None


def test_placement_is_saved_and_never_restored_off_screen(qtbot, demo):
    """In this process's screen (the round trip on screens of real sizes
    is the next test's)."""
    area = QApplication.primaryScreen().availableGeometry()
    for key in (SETTINGS_WINDOW_GEOMETRY, SETTINGS_WINDOW_MAXIMISED):  # left by windows of earlier tests
        app_settings().remove(key)
    first = MainWindow(demo)
    qtbot.addWidget(first)
    assert first.width() <= max(area.width(), first.minimumSizeHint().width()) and first.height() <= area.height()
    assert first.restore_placement() is False  # nothing saved: the whole screen, maximised
    first.show()
    _settle(qtbot)
    assert first.isMaximized()
    first.close()
    assert app_settings().value(SETTINGS_WINDOW_MAXIMISED) == "true"
    saved = app_settings().value(SETTINGS_WINDOW_GEOMETRY)
    assert saved and len(saved.split(",")) == 4

    # saved on a monitor that is no longer there: opened afresh on this screen
    app_settings().setValue(SETTINGS_WINDOW_GEOMETRY, f"{area.right() + 2000},100,900,600")
    app_settings().setValue(SETTINGS_WINDOW_MAXIMISED, "false")
    second = MainWindow(demo)
    qtbot.addWidget(second)
    assert second.restore_placement() is False
    second.show()
    _settle(qtbot)
    assert second.isMaximized() and second.geometry().intersects(area) and second.x() < area.right()


SCRIPT = r"""
import json, sys
from gridadmin.ui.shell.app import create_application
from gridadmin.ui.shell.main_window import MainWindow
from gridadmin.db import open_database
app = create_application()
db = open_database(sys.argv[1])
window = MainWindow(db)
restored = window.restore_placement()
window.show()
app.processEvents()
for name in ("roster", "reports"):
    window.show_page(name)
    app.processEvents()
g, f, hint = window.geometry(), window.frameGeometry(), window.minimumSizeHint()
print(json.dumps({"restored": restored, "maximised": window.isMaximized(), "screen": window.screen().name(),
                  "geometry": [g.x(), g.y(), g.width(), g.height()], "frame": [f.x(), f.y(), f.width(), f.height()],
                  "hint": [hint.width(), hint.height()]}))
if len(sys.argv) > 2:
    window.showNormal()
    app.processEvents()
    window.setGeometry(*json.loads(sys.argv[2]))
    app.processEvents()
window.close()
db.dispose()
"""


def _start(demo_path, home, screens, move_to=None) -> dict:
    config = home / "screens.json"
    config.write_text(json.dumps({"screens": [
        {"name": name, "x": x, "y": 0, "width": w, "height": h, "logicalDpi": 96, "logicalBpp": 32, "dpr": 1}
        for name, x, w, h in screens]}), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", PYTHONPATH=str(ROOT),
               GRIDADMIN_HOME=str(home), XDG_CONFIG_HOME=str(home / "config"))
    args = [sys.executable, "-c", SCRIPT, str(demo_path)] + ([json.dumps(move_to)] if move_to else [])
    done = subprocess.run(args, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_first_start_fills_a_1024x768_screen_and_comes_back_where_it_was(demo_path, tmp_path):
    """The program as started on real screens (the offscreen platform told
    their sizes): maximised on first start, back where it was after, and
    back on the laptop when the second monitor is unplugged."""
    home = tmp_path / "home"
    home.mkdir()
    small = [("office", 0, 1024, 768)]
    first = _start(demo_path, home, small, move_to=[60, 40, 960, 650])
    assert first["restored"] is False and first["maximised"] and first["frame"] == [0, 0, 1024, 768]
    assert first["hint"][0] <= 1024 and first["hint"][1] <= 768
    again = _start(demo_path, home, small + [("second", 1024, 1366, 768)], move_to=[1100, 50, 1200, 700])
    assert again["restored"] is True and not again["maximised"] and again["geometry"] == [60, 40, 960, 650]
    on_second = _start(demo_path, home, small + [("second", 1024, 1366, 768)])
    assert on_second["screen"] == "second" and on_second["geometry"] == [1100, 50, 1200, 700]
    unplugged = _start(demo_path, home, small)
    assert unplugged["restored"] is False and unplugged["screen"] == "office"
    assert unplugged["maximised"] and unplugged["frame"] == [0, 0, 1024, 768]
