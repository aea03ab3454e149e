"""The PDF viewer every printout opens in: zoom (buttons, fit width, fit
page, 100 %, Ctrl+wheel) changes the scale the pages are drawn at, page
navigation moves (buttons, page box, PgUp/PgDn, thumbnails), one thumbnail
per page; the preview window prints what it shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter, QWheelEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from gridadmin.ui.common.pdf_viewer import PdfPreviewDialog, PdfViewer, show_pdf

PAGES = 4


@pytest.fixture
def pdf(tmp_path):
    """A landscape A4 PDF of ``PAGES`` pages, each with its number in large
    print and a table-like grid."""
    path = tmp_path / "pages.pdf"
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    writer.setResolution(72)
    painter = QPainter(writer)
    for page in range(PAGES):
        if page:
            writer.newPage()
        font = painter.font()
        font.setPointSize(40)
        painter.setFont(font)
        painter.drawText(QRectF(40, 40, 600, 80), f"第 {page + 1} 页")
        for row in range(10):
            painter.drawRect(QRectF(40, 140 + row * 30, 700, 30))
    painter.end()
    return path


@pytest.fixture
def viewer(qtbot, pdf):
    widget = PdfViewer()
    qtbot.addWidget(widget)
    widget.resize(900, 640)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.load(pdf)
    _settle(qtbot)
    return widget


def _settle(qtbot) -> None:
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(5)


def _page_pixels(viewer: PdfViewer) -> float:
    """The width in pixels one page is drawn at: the drawn area (its scroll
    range) less the margins, or the page width at the zoom the view uses."""
    points = viewer.document.pagePointSize(0)
    return points.width() * viewer.view.logicalDpiX() / 72 * viewer.effective_zoom()


def test_loads_every_page_with_one_thumbnail_each(qtbot, viewer):
    assert viewer.page_count() == PAGES == viewer.document.pageCount()
    assert viewer.thumbnails.count() == PAGES
    assert [viewer.thumbnails.item(i).text() for i in range(PAGES)] == ["1", "2", "3", "4"]
    qtbot.waitUntil(viewer.thumbnails_done)
    icon = viewer.thumbnails.item(PAGES - 1).icon().pixmap(viewer.thumbnails.iconSize()).toImage()
    assert icon.width() > icon.height()  # shaped like the landscape page
    assert any(icon.pixelColor(x, y).value() < 128 for x in range(icon.width()) for y in range(icon.height()))
    assert viewer.page_count_label.text() == "/ 4 页" and viewer.page_box.value() == 1
    assert viewer.zoom_mode() == QPdfView.ZoomMode.FitToWidth  # opens fitted to the width


def test_zoom_changes_the_drawn_scale(qtbot, viewer):
    viewer.actual_size()
    _settle(qtbot)
    assert viewer.view.zoomMode() == QPdfView.ZoomMode.Custom and viewer.view.zoomFactor() == pytest.approx(1.0)
    assert viewer.zoom_label.text() == "100%"
    at_100 = viewer.content_size()
    expected = viewer.document.pagePointSize(0).width() * viewer.view.logicalDpiX() / 72
    margins = viewer.view.documentMargins()
    assert at_100.width() == pytest.approx(expected + margins.left() + margins.right(), abs=4)

    viewer.zoom_in_button.click()
    _settle(qtbot)
    assert viewer.view.zoomFactor() == pytest.approx(1.25) and viewer.zoom_label.text() == "125%"
    at_125 = viewer.content_size()
    assert at_125.height() == pytest.approx(at_100.height() * 1.25, rel=0.03)
    assert at_125.width() - margins.left() - margins.right() == pytest.approx(expected * 1.25, abs=4)

    viewer.zoom_out_button.click()
    viewer.zoom_out_button.click()
    _settle(qtbot)
    assert viewer.view.zoomFactor() == pytest.approx(0.8)
    assert viewer.content_size().height() == pytest.approx(at_100.height() * 0.8, rel=0.03)

    # fitted to the width: the page is as wide as the view; fitted to the page: all of it is in view
    viewer.fit_width_button.click()
    _settle(qtbot)
    assert viewer.zoom_mode() == QPdfView.ZoomMode.FitToWidth and viewer.fit_width_button.isChecked()
    viewport = viewer.view.viewport()
    assert _page_pixels(viewer) == pytest.approx(viewport.width() - margins.left() - margins.right(), abs=3)
    assert viewer.content_size().width() <= viewport.width() + 1
    viewer.fit_page_button.click()
    _settle(qtbot)
    assert viewer.zoom_mode() == QPdfView.ZoomMode.FitInView and not viewer.fit_width_button.isChecked()
    points = viewer.document.pagePointSize(0)
    drawn_height = points.height() * viewer.view.logicalDpiY() / 72 * viewer.effective_zoom()
    assert drawn_height <= viewport.height() and _page_pixels(viewer) <= viewport.width()
    assert viewer.zoom_label.text() == f"{viewer.effective_zoom():.0%}"
    # limits
    assert viewer.set_zoom(100) == 8.0 and viewer.set_zoom(0.001) == pytest.approx(0.1)


def _wheel(viewer: PdfViewer, delta: int, modifiers) -> None:
    viewport = viewer.view.viewport()
    centre = QPointF(viewport.width() / 2, viewport.height() / 2)
    event = QWheelEvent(centre, QPointF(viewport.mapToGlobal(centre.toPoint())), QPoint(), QPoint(0, delta),
                        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)


def test_ctrl_wheel_zooms_and_plain_wheel_scrolls(qtbot, viewer):
    viewer.actual_size()
    _settle(qtbot)
    before = viewer.content_size().height()
    _wheel(viewer, 120, Qt.KeyboardModifier.ControlModifier)
    _settle(qtbot)
    assert viewer.view.zoomFactor() == pytest.approx(1.25)
    assert viewer.content_size().height() == pytest.approx(before * 1.25, rel=0.03)
    _wheel(viewer, -240, Qt.KeyboardModifier.ControlModifier)
    _settle(qtbot)
    assert viewer.view.zoomFactor() == pytest.approx(1.25 / 1.25 ** 2)
    zoom = viewer.view.zoomFactor()
    scrolled = viewer.view.verticalScrollBar().value()
    _wheel(viewer, -120, Qt.KeyboardModifier.NoModifier)
    _settle(qtbot)
    assert viewer.view.zoomFactor() == zoom and viewer.view.verticalScrollBar().value() > scrolled


def test_page_navigation_moves(qtbot, viewer):
    viewer.actual_size()
    _settle(qtbot)
    assert viewer.current_page() == 0 and not viewer.previous_button.isEnabled()
    top = viewer.view.verticalScrollBar().value()
    viewer.next_button.click()
    _settle(qtbot)
    assert viewer.current_page() == 1 and viewer.page_box.value() == 2 and viewer.thumbnails.currentRow() == 1
    assert viewer.view.verticalScrollBar().value() > top  # the view scrolled to page 2
    viewer.view.setFocus()
    qtbot.keyClick(viewer.view, Qt.Key.Key_PageDown)
    _settle(qtbot)
    assert viewer.current_page() == 2 and viewer.page_box.value() == 3
    qtbot.keyClick(viewer.view, Qt.Key.Key_PageUp)
    _settle(qtbot)
    assert viewer.current_page() == 1
    qtbot.keyClick(viewer.view, Qt.Key.Key_End)
    _settle(qtbot)
    assert viewer.current_page() == PAGES - 1 and not viewer.next_button.isEnabled()
    assert viewer.next_page() is False and viewer.current_page() == PAGES - 1
    viewer.page_box.setValue(2)  # typed into the page box
    _settle(qtbot)
    assert viewer.current_page() == 1 and viewer.thumbnails.currentRow() == 1
    rect = viewer.thumbnails.visualItemRect(viewer.thumbnails.item(0))
    qtbot.mouseClick(viewer.thumbnails.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    _settle(qtbot)
    assert viewer.current_page() == 0 and viewer.page_box.value() == 1 and viewer.previous_button.isEnabled() is False
    # zooming keeps the page being read
    viewer.go_to_page(2)
    viewer.zoom_in()
    _settle(qtbot)
    assert viewer.current_page() == 2


def test_unreadable_file_shows_nothing(qtbot, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf")
    widget = PdfViewer()
    qtbot.addWidget(widget)
    assert widget.load(broken) is False
    assert widget.page_count() == 0 and widget.thumbnails.count() == 0
    assert not widget.next_button.isEnabled() and not widget.zoom_in_button.isEnabled()


def test_preview_window_shows_and_prints_the_pdf(qtbot, pdf, tmp_path):
    from PySide6.QtWidgets import QWidget

    owner = QWidget()
    qtbot.addWidget(owner)
    dialog = show_pdf(owner, pdf, "培训签到表 — 测试", "已保存到 x.pdf")
    assert isinstance(dialog, PdfPreviewDialog) and dialog.isVisible() and not dialog.isModal()
    assert dialog.windowTitle() == "培训签到表 — 测试" and dialog.note.text() == "已保存到 x.pdf"
    assert dialog.viewer.page_count() == PAGES and dialog.viewer.thumbnails.count() == PAGES
    assert owner.findChild(PdfPreviewDialog) is dialog  # closed with the page that opened it
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert dialog.print_to(printer) == PAGES
    printed = QPdfDocument()
    assert printed.load(str(tmp_path / "printed.pdf")) == QPdfDocument.Error.None_
    assert printed.pageCount() == PAGES
    page = printed.pagePointSize(0)
    assert page.width() > page.height() and QSizeF(page) != QSizeF()  # landscape, as the original
    printed.close()
    dialog.close()


def test_reports_page_reads_the_report_in_the_viewer(qtbot, tmp_path):
    from gridadmin.db import open_database
    from gridadmin.services.demo import create_demo_database
    from gridadmin.ui.reports.reports_page import ReportsPage

    path = tmp_path / "demo.db"
    create_demo_database(str(path), "small")
    db = open_database(str(path))
    try:
        page = ReportsPage(db)
        qtbot.addWidget(page)
        page.resize(1200, 700)
        page.show()
        assert page.generate() is not None
        _settle(qtbot)
        viewer = page.viewer
        assert page.document is viewer.document and page.view is viewer.view
        assert viewer.page_count() == page.document.pageCount() > 1 == viewer.page_box.value()
        assert viewer.thumbnails.count() == viewer.page_count()
        fitted = viewer.effective_zoom()
        viewer.actual_size_button.click()
        _settle(qtbot)
        assert viewer.view.zoomFactor() == 1.0 and fitted < 1.0  # 100 % is larger than the page-width fit
        viewer.next_button.click()
        assert viewer.current_page() == 1
    finally:
        db.dispose()
