"""Start-up: Chinese font and translations, the start dialog creating a
database for a chosen township, the long-job runner, the screenshot command."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from gridadmin.services.common.progress import Progress
from gridadmin.services.areas.setup import township_of_database
from gridadmin.ui.shell.app import create_application
from gridadmin.ui.common.jobs import progress_text, run_job
from gridadmin.ui.shell.main_window import MainWindow
from gridadmin.ui.shell.start_dialog import StartDialog
from tests.uihelpers import type_text, when_modal

ROOT = Path(__file__).resolve().parent.parent


def test_bundled_font_is_default_and_standard_buttons_are_chinese(qtbot):
    app = create_application()
    assert app.font().family() == "WenQuanYi Micro Hei"
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_bundled_font_covers_chinese_ui_text(qtbot):
    from PySide6.QtGui import QFontMetrics

    metrics = QFontMetrics(create_application().font())
    for ch in "网格中心管理系统乡镇街道社区村户人口专兼职指导员停用新增编码提示":
        assert metrics.inFontUcs4(ord(ch)), ch


def test_start_dialog_creates_database_for_chosen_township(qtbot, tmp_path):
    dialog = StartDialog()
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.picker.search, "宛城区 东关")
    assert dialog.picker.results.count() == 1
    qtbot.mouseClick(dialog.picker.results.viewport(), Qt.MouseButton.LeftButton,
                     pos=dialog.picker.results.visualItemRect(dialog.picker.results.item(0)).center())
    assert dialog.picker.code == "411302001"
    assert dialog.create_button.isEnabled()
    assert "16 个社区/村" in dialog.picker.summary.text()
    path = tmp_path / "东关.db"
    dialog.new_path.setText(str(path))
    dialog.create_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert township_of_database(dialog.database) == ("411302001", "东关街道")
    window = MainWindow(dialog.database)
    qtbot.addWidget(window)
    assert "东关街道" in window.windowTitle()
    assert window.page("grids").proxy.rowCount() == 1
    dialog.database.dispose()


def test_start_dialog_refuses_existing_file(qtbot, tmp_path, monkeypatch):
    existing = tmp_path / "old.db"
    existing.write_bytes(b"")
    dialog = StartDialog()
    qtbot.addWidget(dialog)
    assert dialog.picker.select("411302002")
    dialog.new_path.setText(str(existing))
    texts = []
    when_modal(lambda box: (texts.append(box.text()), box.accept()))
    dialog.create_button.click()
    assert "已存在" in texts[0]
    assert dialog.database is None and existing.read_bytes() == b""


def _counting_job(n, delay=0.0):
    for i in range(n):
        time.sleep(delay)
        yield Progress(i + 1, n, "计数中")
    return f"done {n}"


def test_run_job_delivers_result_on_main_thread(qtbot):
    outcome = run_job(None, "测试", lambda: _counting_job(50))
    assert outcome.ok and outcome.result == "done 50"


def test_run_job_reports_errors(qtbot):
    def failing():
        yield Progress(1, 2, "开始")
        raise ValueError("坏数据")

    outcome = run_job(None, "测试", failing)
    assert isinstance(outcome.error, ValueError) and not outcome.ok


def test_run_job_can_be_cancelled_and_closes_the_job(qtbot):
    closed = []

    def slow():
        try:
            for i in range(1000):
                time.sleep(0.01)
                yield Progress(i, 1000, "慢任务")
        finally:
            closed.append(True)

    def cancel(dialog):
        from PySide6.QtWidgets import QPushButton

        button = dialog.findChild(QPushButton)
        assert button.text() == "取消"
        button.click()

    when_modal(cancel)
    outcome = run_job(None, "测试", slow)
    assert outcome.cancelled and closed == [True]


def test_progress_text_shows_rate_and_time_left():
    text = progress_text("正在导入", 5000, 20000, 2.0)
    assert "5,000 / 20,000" in text and "每秒 2,500 条" in text and "约剩 6 秒" in text


def test_rate_is_measured_from_the_first_counted_row_of_each_phase():
    """An import reads and checks for 4 s (nothing counted), then writes
    10,000 rows a second: the time left must come from the writing alone."""
    from gridadmin.ui.common.jobs import RateClock

    now = [0.0]
    clock = RateClock(lambda: now[0])
    assert clock.update(0, 1) == (0.0, 0)  # reading
    now[0] = 1.0
    assert clock.update(0, 100_000) == (0.0, 0)  # checking
    now[0] = 4.0
    assert clock.update(5_000, 100_000) == (0.0, 0)  # the first rows written start the clock
    now[0] = 5.0
    elapsed, counted = clock.update(15_000, 100_000)
    assert (elapsed, counted) == (1.0, 10_000)
    assert "每秒 10,000 条" in progress_text("正在写入", 15_000, 100_000, elapsed, counted)
    assert "约剩 8 秒" in progress_text("正在写入", 15_000, 100_000, elapsed, counted)
    now[0] = 6.0
    assert clock.update(100, 200) == (0.0, 0)  # a new phase starts a new clock


def test_screenshot_command(township_db, tmp_path, cli_login):
    out = tmp_path / "grids.png"
    location = township_db.url
    login = cli_login(township_db)
    township_db.dispose()
    result = subprocess.run([sys.executable, "-m", "gridadmin", "screenshot", "--db", location, "--page", "grids",
                             "--out", str(out), "--size", "1366x768", *login], cwd=ROOT, capture_output=True, text=True,
                            encoding="utf-8")
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1366, 768)
    tab = subprocess.run([sys.executable, "-m", "gridadmin", "screenshot", "--db", location, "--page", "residents",
                          "--tab", "房屋", "--out", str(out), *login], cwd=ROOT, capture_output=True, text=True,
                         encoding="utf-8")
    assert tab.returncode == 0, tab.stderr
    no_tab = subprocess.run([sys.executable, "-m", "gridadmin", "screenshot", "--db", location, "--page", "residents",
                             "--tab", "户口", "--out", str(out), *login], cwd=ROOT, capture_output=True, text=True,
                            encoding="utf-8")
    assert no_tab.returncode == 2 and "没有名为“户口”的选项卡" in no_tab.stderr and "房屋" in no_tab.stderr
    unknown = subprocess.run([sys.executable, "-m", "gridadmin", "screenshot", "--db", location, "--page", "nope",
                              "--out", str(out)], cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    assert unknown.returncode == 2 and "没有名为“nope”的页面" in unknown.stderr


def test_switch_database_from_the_file_menu(qtbot, township_db, tmp_path):
    window = MainWindow(township_db)
    qtbot.addWidget(window)
    new_path = tmp_path / "另一个.db"

    def create(dialog):
        dialog.picker.select("411302002")
        dialog.new_path.setText(str(new_path))
        dialog.create_button.click()

    when_modal(create)
    new_window = window.switch_database()
    qtbot.addWidget(new_window)
    assert new_window is not None and "新华街道" in new_window.windowTitle()
    assert new_path.exists()
    new_window.db.dispose()


def test_demo_database_from_the_start_dialog(qtbot, tmp_path):
    dialog = StartDialog()
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(1)
    assert dialog.demo_size.currentData() == "small"
    dialog.demo_path.setText(str(tmp_path / "demo.db"))
    dialog.create_demo()  # runs in a worker thread behind the progress dialog
    assert dialog.result() == QDialog.DialogCode.Accepted
    from gridadmin.services.areas import tree as areas
    nodes = areas.load_tree(dialog.database)
    assert nodes[0].residents > 1500 and any(n.level == "grid" for n in nodes)
    dialog.database.dispose()


def test_cancelled_demo_leaves_no_file(qtbot, tmp_path):
    from PySide6.QtWidgets import QPushButton

    dialog = StartDialog()
    qtbot.addWidget(dialog)
    dialog.demo_size.setCurrentIndex(dialog.demo_size.findData("township"))
    path = tmp_path / "demo.db"
    dialog.demo_path.setText(str(path))
    when_modal(lambda progress: progress.findChild(QPushButton).click())
    dialog.create_demo()
    assert dialog.database is None and not path.exists()
