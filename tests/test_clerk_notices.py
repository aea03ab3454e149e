"""Small things a clerk notices: a saved new resident is announced (status
bar and page, no box to click away) and listed; empty dates look empty;
the window title names the program once; printouts and the report list
name people by display name; a report of a month not yet over says its
numbers are provisional (PDF, preview, JSON)."""

from __future__ import annotations

import json
from datetime import date

from pypdf import PdfReader
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from gridadmin import APP_TITLE
from gridadmin.services.access.users import authenticate, create_user
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.common.settings import print_signatories, save_general_settings
from gridadmin.services.reports.history import generate_monthly_report, list_reports
from gridadmin.ui.register.new_resident import ChooseHouseholdDialog
from gridadmin.ui.register.resident_dialog import ResidentDialog
from tests.test_import_page import grid_db  # noqa: F401 - 河街社区 with 一网格
from tests.test_residents_page import register  # noqa: F401 - the shared fixture
from tests.uihelpers import type_text, when_modal


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def _window(qtbot, db, size=(1024, 768)):
    from gridadmin.ui.shell.main_window import MainWindow

    window = MainWindow(db)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    return window


def test_new_resident_is_announced_and_listed_without_a_box(qtbot, register, tmp_path):
    db, _hid, _kinds = register
    window = _window(qtbot, db)
    page = window.show_page("residents")
    assert "共 4 人" in page.summary.text() and not page.notice.isVisible()
    boxes = []
    when_modal(lambda box: (boxes.append(box.text()), box.accept()), kind=QMessageBox, timeout_ms=8000)
    seen = {}

    def choose(dialog):
        type_text(qtbot, dialog.search, "wf")
        dialog.table.selectRow(0)
        dialog.ok_button.click()

    def fill(dialog):
        seen["placeholder"] = dialog.dates["inflow_date"].placeholderText()
        seen["empty"] = dialog.dates["inflow_date"].text()
        type_text(qtbot, dialog.name, "王小明")
        type_text(qtbot, dialog.id_number, make_id_number("411302", date(2015, 9, 1), 11))
        dialog.relation.setCurrentIndex(dialog.relation.findData("20"))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        seen["notice"] = (dialog.notice.isVisible(), dialog.notice.text())
        dialog.grab().save(str(tmp_path / "saved.png"))
        dialog.reject()

    when_modal(choose, kind=ChooseHouseholdDialog)
    when_modal(fill, kind=ResidentDialog)
    page.add_button.click()
    assert seen["placeholder"] == "年-月-日（未填）" and seen["empty"] == ""
    assert seen["notice"][0] and seen["notice"][1].startswith("已登记新居民“王小明”（户 ")
    assert window.statusBar().currentMessage() == seen["notice"][1]  # told without a box to click away
    assert page.notice.isVisible() and page.notice.text() == seen["notice"][1]
    assert "共 5 人" in page.summary.text()
    names = [page.model.data(page.model.index(r, 0)) for r in range(page.model.rowCount())]
    assert any("王小明" in str(n) for n in names)
    assert boxes == []
    window.grab().save(str(tmp_path / "residents.png"))


def test_window_title_names_the_page_and_the_program_once(qtbot, register):
    db, _hid, _kinds = register
    window = _window(qtbot, db)
    title = window.windowTitle()
    assert title.startswith("首页概览 — ") and title.endswith(APP_TITLE) and title.count(APP_TITLE) == 1
    window.show_page("roster")
    assert window.windowTitle().startswith("人员花名册 — ") and window.windowTitle().count(APP_TITLE) == 1
    assert window.windowTitle().count("—") == 2  # 页面 — 乡镇 — 网格中心管理系统


def test_printouts_and_the_report_list_name_the_display_name(township_db, tmp_path):
    create_user(township_db, "clerk7", "李文员", "clerk20267", ["admin"])
    db = township_db.as_actor(authenticate(township_db, "clerk7", "clerk20267"))
    assert print_signatories(db)["制表人"] == "李文员"
    report = run_to_end(generate_monthly_report(db, 2026, 11, None, folder=tmp_path))  # a month that has ended
    text = _pdf_text(report.file_path)
    assert "李文员" in text and "clerk7" not in text and "本月未结束" not in text
    assert list_reports(db)[0].user_label == "李文员" and not list_reports(db)[0].provisional
    save_general_settings(db, signatories={"制表人": "赵主任"})  # one set in 常规 wins
    assert print_signatories(db)["制表人"] == "赵主任"


def test_a_month_not_over_is_provisional_in_the_pdf_the_preview_and_the_json(qtbot, township_db, tmp_path,
                                                                             capsys, cli_login):
    from gridadmin.cli import main
    from gridadmin.ui.reports.reports_page import ReportsPage

    today = date.today()
    create_user(township_db, "admin", "王管理", "wangge2026", ["admin"])
    db = township_db.as_actor(authenticate(township_db, "admin", "wangge2026"))
    page = ReportsPage(db)
    qtbot.addWidget(page)
    page.resize(1024, 768)
    page.show()
    report = run_to_end(generate_monthly_report(db, today.year, today.month, None, folder=tmp_path))
    text = _pdf_text(report.file_path)
    provisional = report.provisional  # False only on the last day of the month
    if provisional:
        assert f"统计时点：{today:%Y年%m月%d日}（本月未结束，数字为截至当日的临时数" in text and "（临时数）" in text
    page.refresh_history()
    assert page.open_report(list_reports(db)[0])
    assert ("临时数" in page.status.text()) == provisional
    qtbot.wait(300)
    page.grab().save(str(tmp_path / "preview.png"))
    out = tmp_path / "m.pdf"
    assert main(["report", "monthly", "--db", township_db.url, "--month", f"{today:%Y-%m}", "--out", str(out),
                 "--json", *cli_login(township_db)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["provisional"] == provisional and printed["as_of"] == (today.isoformat() if provisional else
                                                                        printed["as_of"])
    assert "本月未结束" in printed["as_of_text"] if provisional else "本月末" in printed["as_of_text"]


def test_done_page_says_when_its_batch_was_undone_elsewhere(qtbot, grid_db, tmp_path, monkeypatch):
    from PySide6.QtCore import Qt

    from gridadmin.services.importing.history import undo_batch
    from gridadmin.ui.importing.wizard import STEP_RESULT
    from tests.test_import_page import _messy_rows, _page, _to_preview
    from tests.test_import_support import write_workbook

    db = grid_db
    page = _page(qtbot, db)
    wizard = _to_preview(qtbot, page, monkeypatch, write_workbook(tmp_path / "人口.xlsx", _messy_rows()[:3]))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT and "新增 3" in wizard.result_step.summary.text()
    undo_batch(db, wizard.result.batch_id)  # another clerk, or the command line
    page.tabs.setCurrentWidget(page.export_tab)
    page.tabs.setCurrentWidget(wizard)
    assert wizard.result_step.title.text() == "本批已撤销" and "新增 3" not in wizard.result_step.summary.text()
