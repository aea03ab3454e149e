"""The first-run wizard: from an empty data folder to the main window."""

from __future__ import annotations

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from sqlalchemy import select

from gridadmin.models import Area
from gridadmin.paths import data_dir
from gridadmin.services.areas.setup import township_of_database
from gridadmin.ui.shell.app import open_and_log_in
from gridadmin.ui.shell.first_run import FirstRunWizard, needs_first_run
from gridadmin.ui.shell.main_window import MainWindow
from tests.uihelpers import type_text, when_modal


def _choose_township(qtbot, wizard):
    page = wizard.township
    type_text(qtbot, page.picker.search, "宛城区 东关")
    item = page.picker.results.item(0)
    qtbot.mouseClick(page.picker.results.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.picker.results.visualItemRect(item).center())
    assert page.picker.code == "411302001"
    assert page.path.text().startswith(str(data_dir()))


def _admin(qtbot, wizard, password="abc12345", repeat="abc12345"):
    page = wizard.admin
    page.display_name.setText("王管理")
    page.password.setText(password)
    page.repeat.setText(repeat)


def _grids_file(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["东关街道网格划分表"])
    ws.append(["序号", "所属社区*", "网格名称*", "网格编码", "网格类型"])
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    wb.save(path)
    return path


def test_first_run_from_empty_data_folder_to_main_window(qtbot, tmp_path):
    from gridadmin.ui.shell.pc_settings import SETTINGS_LAST_DB, app_settings

    app_settings().remove(SETTINGS_LAST_DB)  # QSettings is cached per process: forget earlier tests' database
    assert needs_first_run(None) and not needs_first_run("x.db")
    bad = _grids_file(tmp_path / "bad.xlsx", [("火星社区", "一网格", None, None)])
    good = _grids_file(tmp_path / "good.xlsx", [("河街社区", "一网格", None, "城市"), ("河街社区", "二网格", None, "城市")])
    seen = {}

    def drive(wizard: FirstRunWizard):
        assert wizard.currentPage() is wizard.welcome
        wizard.next()
        next_button = wizard.button(QWizard.WizardButton.NextButton)
        assert not next_button.isEnabled()  # no township yet
        _choose_township(qtbot, wizard)
        assert next_button.isEnabled()
        wizard.next()
        assert wizard.currentPage() is wizard.admin
        _admin(qtbot, wizard, repeat="abc12399")
        wizard.button(QWizard.WizardButton.CommitButton).click()
        assert wizard.currentPage() is wizard.admin and "不一致" in wizard.admin.error.text()
        _admin(qtbot, wizard, password="short", repeat="short")
        wizard.button(QWizard.WizardButton.CommitButton).click()
        assert wizard.currentPage() is wizard.admin and "至少 8 位" in wizard.admin.error.text()
        _admin(qtbot, wizard)
        wizard.button(QWizard.WizardButton.CommitButton).click()
        assert wizard.currentPage() is wizard.grids
        grids = wizard.grids
        grids.file.setText(str(bad))
        assert grids.choice_import.isChecked()
        wizard.next()
        assert wizard.currentPage() is grids  # row errors keep the page
        assert grids.errors.isVisible() and grids.errors.rowCount() >= 1
        assert "火星社区" in grids.errors.item(0, 2).text()
        grids.file.setText(str(good))
        assert grids.check_file() and "新增 2 个网格" in grids.result.text()
        wizard.next()
        assert wizard.currentPage() is wizard.finish
        seen["summary"] = wizard.finish.summary.text()
        wizard.grab().save(str(tmp_path / "finish.png"))
        wizard.button(QWizard.WizardButton.FinishButton).click()

    when_modal(drive, kind=FirstRunWizard, timeout_ms=10000)
    db = open_and_log_in(None)
    assert db is not None and db.actor is not None and db.actor.display_name == "王管理"
    assert "东关街道" in seen["summary"] and "新增 2 个" in seen["summary"]
    assert township_of_database(db) == ("411302001", "东关街道")
    with db.session() as s:
        assert s.scalars(select(Area.name).where(Area.level == "grid").order_by(Area.name)).all() == ["一网格", "二网格"]
    window = MainWindow(db)
    qtbot.addWidget(window)
    assert "东关街道" in window.windowTitle()
    assert not needs_first_run(None)  # the next start opens this database
    db.dispose()


def test_first_run_demo_and_later(qtbot, tmp_path):
    wizard = FirstRunWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    assert wizard.township.picker.select("411302002")
    wizard.township.path.setText(str(tmp_path / "trial.db"))
    wizard.next()
    _admin(qtbot, wizard)
    wizard.next()
    assert wizard.currentPage() is wizard.grids
    wizard.grids.choice_demo.setChecked(True)
    wizard.next()
    assert wizard.currentPage() is wizard.finish, wizard.grids.error.text()
    assert township_of_database(wizard.database) is not None
    with wizard.database.session() as s:
        assert s.scalar(select(Area.id).where(Area.level == "grid").limit(1)) is not None
    wizard.database.dispose()


def test_cancel_after_create_removes_the_new_file(qtbot, tmp_path):
    wizard = FirstRunWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.township.picker.select("411302002")
    target = tmp_path / "x.db"
    wizard.township.path.setText(str(target))
    wizard.next()
    _admin(qtbot, wizard)
    wizard.next()
    assert target.exists()
    wizard.reject()
    assert not target.exists() and wizard.database is None


def test_about_dialog_and_window_icon(qtbot, township_db):
    from PySide6.QtWidgets import QApplication

    from gridadmin import __version__
    from gridadmin.paths import resource
    from gridadmin.ui.shell.about import AboutDialog, library_rows

    assert resource("icons", "gridadmin.png").exists() and resource("icons", "gridadmin.ico").exists()
    assert not QApplication.windowIcon().isNull()
    assert QApplication.windowIcon().availableSizes()
    dialog = AboutDialog(township_db.display_location)
    qtbot.addWidget(dialog)
    text = dialog.text.toPlainText()
    assert __version__ in text and township_db.display_location in text
    for needle in ("文泉驿微米黑", "Apache-2.0", "统计用区划代码", "WTFPL", "LGPLv3", "SQLAlchemy", "reportlab"):
        assert needle in text, needle
    names = {row[0]: row for row in library_rows()}
    assert names["SQLAlchemy"][2] == "MIT" and names["PySide6-Essentials"][2] == "LGPL-3.0"
    window = MainWindow(township_db)
    qtbot.addWidget(window)
    about = next(a for a in window.menuBar().actions()[-1].menu().actions() if a.text() == "关于(&A)")
    when_modal(lambda d: d.reject(), kind=AboutDialog)
    about.trigger()
