"""qtbot on the reports page: generate, preview, history, print, save as."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import select

from gridadmin.db import open_database
from gridadmin.models import AuditLog
from gridadmin.services.access.permissions import Actor
from gridadmin.services.demo import create_demo_database
from gridadmin.services.reports.history import file_sha256, list_reports, previous_month
from gridadmin.ui.reports.reports_page import ReportsPage, print_document
from tests.uihelpers import answer_message_box

NO_EXPORT = Actor(9, "guest", "访客", frozenset())


@pytest.fixture
def demo(tmp_path):
    path = tmp_path / "demo.db"
    create_demo_database(str(path), "small")
    database = open_database(str(path))
    yield database
    database.dispose()


@pytest.fixture
def page(qtbot, demo):
    widget = ReportsPage(demo)
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    return widget


def _pdf_pages(path) -> int:
    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    try:
        return doc.pageCount()
    finally:
        doc.close()


def test_defaults_last_month_and_lists_scopes(page):
    year, month = previous_month()
    assert (page.month.date().year(), page.month.date().month()) == (year, month)
    assert page.scope.currentData() is None and "全镇" in page.scope.currentText()
    assert page.scope.count() > 1  # the communities
    assert not page.print_button.isEnabled() and not page.save_button.isEnabled()
    assert page.history.rowCount() == 0


def test_generate_previews_and_lists_history(page, qtbot, _private_home):
    report = page.generate()
    assert report is not None
    assert report.file_path.startswith(str(_private_home / "reports"))
    assert page.document.pageCount() == _pdf_pages(report.file_path) >= 1
    assert page.view.document() is page.document
    assert page.history.rowCount() == 1
    assert page.history.item(0, 0).text() == report.month
    assert "SHA-256" not in [page.history.horizontalHeaderItem(c).text() for c in range(page.history.columnCount())]
    page.history.selectRow(0)
    assert report.sha256 in page.history_details.text().replace(" ", "")  # the checksum in the details pane
    assert page.print_button.isEnabled() and page.save_button.isEnabled()
    assert "共" in page.status.text()

    # one community, then reopen the first report from the history
    page.scope.setCurrentIndex(1)
    community = page.scope.currentText()
    second = page.generate()
    assert second.scope_name == community
    assert page.history.rowCount() == 2 and page.history.item(0, 1).text() == community
    assert page.open_row(1) is True
    assert page.current.id == report.id
    assert page.document.pageCount() == _pdf_pages(report.file_path)
    # double-click on the history row opens it too
    page.open_row(0)
    page.history.cellDoubleClicked.emit(1, 0)
    assert page.current.id == report.id


def test_reopening_a_missing_file_says_so(page):
    report = page.generate()
    page.document.close()
    from pathlib import Path
    Path(report.file_path).unlink()
    page.refresh_history()
    texts = answer_message_box(QMessageBox.StandardButton.Ok)
    assert page.open_row(0) is False
    assert "已不存在" in texts[0]


def test_future_month_is_refused_clearly(page):
    today = date.today()
    page.month.setDate(QDate(today.year + 1, 1, 1))
    texts = answer_message_box(QMessageBox.StandardButton.Ok)
    assert page.generate() is None
    assert "尚未开始" in texts[0] and "尚未开始" in page.status.text()
    assert list_reports(page.db) == []


def test_without_export_permission_the_page_refuses(qtbot, demo):
    widget = ReportsPage(demo.as_actor(NO_EXPORT))
    qtbot.addWidget(widget)
    assert not widget.refusal.isHidden() and "无权导出和打印" in widget.refusal.text()
    assert not widget.generate_button.isEnabled()
    texts = answer_message_box(QMessageBox.StandardButton.Ok)
    assert widget.generate() is None  # the service refuses too
    assert "无权" in texts[0]


def test_save_as_copies_the_pdf(page, monkeypatch, tmp_path):
    report = page.generate()
    target = tmp_path / "saved.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF 文件 (*.pdf)"))
    assert page.save_as() == target
    assert file_sha256(target) == report.sha256
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert page.save_as() is None


def test_printing_paints_every_page_and_is_audited(page, tmp_path):
    page.generate()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    pages = page.print_to(printer)
    assert pages == page.document.pageCount()
    assert _pdf_pages(out) == pages
    with page.db.session() as s:
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity == "generated_report")
                            .order_by(AuditLog.id)).all()
    assert actions == ["export", "print"]


def test_print_document_on_its_own(page, tmp_path):
    page.generate()
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "p.pdf"))
    assert print_document(page.document, printer, dpi=72) == page.document.pageCount()
    assert _pdf_pages(tmp_path / "p.pdf") == page.document.pageCount()
    assert print_document(QPdfDocument(), printer) == 0


def test_main_window_has_the_page(qtbot, demo):
    from gridadmin.ui.shell.main_window import MainWindow, page_names

    names = page_names()
    assert names.index("reports") == names.index("import") + 1
    window = MainWindow(demo)
    qtbot.addWidget(window)
    assert isinstance(window.show_page("reports"), ReportsPage)
