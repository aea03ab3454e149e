"""Reading a PDF before printing it: one viewer for every PDF the program
makes (the monthly report, the 花名册, the 培训签到表, the 户卡).

``PdfViewer`` shows the pages one under the other with zoom (in, out, fit
width, fit page, 100 %, Ctrl+wheel), page navigation (page x / n, previous
and next, PgUp/PgDn) and a strip of page thumbnails. ``PdfPreviewDialog``
puts it in a window with 打印… and 关闭, for PDFs saved from a page;
``show_pdf`` opens one. ``print_document`` paints a document on a printer.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QKeySequence, QPageLayout, QPainter, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem, QMessageBox, QSpinBox,
    QToolButton, QVBoxLayout, QWidget,
)

from gridadmin.ui.common.flow_layout import flow_row, joined

PRINT_DPI = 200  # enough for text and tables; keeps page images small
ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.1, 8.0
THUMB_WIDTH = 96
THUMBS_PER_TICK = 8  # thumbnails rendered per event-loop turn (a long 花名册 stays responsive)


def print_document(document: QPdfDocument, printer: QPrinter, *, dpi: int = PRINT_DPI) -> int:
    """Paint every page of ``document`` onto ``printer`` (fitted to the
    printable area, aspect kept, centred); returns the number of pages."""
    count = document.pageCount()
    if count <= 0:
        return 0
    first = document.pagePointSize(0)
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if first.width() > first.height()
                               else QPageLayout.Orientation.Portrait)
    painter = QPainter()
    if not painter.begin(printer):
        raise RuntimeError("无法开始打印（打印机不可用）。")
    try:
        for page in range(count):
            if page:
                printer.newPage()
            points = document.pagePointSize(page)
            image = document.render(page, QSize(max(1, round(points.width() * dpi / 72)),
                                                max(1, round(points.height() * dpi / 72))))
            area = QRectF(painter.viewport())
            scale = min(area.width() / image.width(), area.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            target = QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)
            painter.drawImage(target, image)
    finally:
        painter.end()
    return count


class PdfViewer(QWidget):
    """A PDF with its tool bar and thumbnail strip. ``document`` and
    ``view`` are the QPdfDocument and QPdfView shown."""

    zoom_changed = Signal(float)
    page_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None, document: QPdfDocument | None = None):
        super().__init__(parent)
        self.document = document or QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        def tool(text: str, tip: str, handler, key=None) -> QToolButton:
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.clicked.connect(handler)
            if key is not None:
                button.setShortcut(key)
            return button

        self.zoom_out_button = tool(self.tr("缩小"), self.tr("缩小（Ctrl+减号，或按住 Ctrl 向下滚动滚轮）"),
                                    self.zoom_out, QKeySequence.StandardKey.ZoomOut)
        self.zoom_label = QLabel()
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = tool(self.tr("放大"), self.tr("放大（Ctrl+加号，或按住 Ctrl 向上滚动滚轮）"),
                                   self.zoom_in, QKeySequence.StandardKey.ZoomIn)
        self.fit_width_button = tool(self.tr("适合宽度"), self.tr("页面宽度与窗口同宽"), self.fit_width)
        self.fit_page_button = tool(self.tr("适合页面"), self.tr("整页显示在窗口中"), self.fit_page)
        self.actual_size_button = tool(self.tr("实际大小"), self.tr("按实际大小（100%）显示"), self.actual_size)
        for button in (self.fit_width_button, self.fit_page_button):
            button.setCheckable(True)
        self.previous_button = tool(self.tr("上一页"), self.tr("上一页（PgUp）"), self.previous_page)
        self.next_button = tool(self.tr("下一页"), self.tr("下一页（PgDn）"), self.next_page)
        self.page_box = QSpinBox()
        self.page_box.setMinimum(1)
        self.page_box.setKeyboardTracking(False)
        self.page_box.setToolTip(self.tr("输入页码后按回车跳到该页"))
        self.page_count_label = QLabel()
        self.thumbs_button = tool(self.tr("缩略图"), self.tr("显示或隐藏页面缩略图"), self._toggle_thumbnails)
        self.thumbs_button.setCheckable(True)
        self.thumbs_button.setChecked(True)
        bar = flow_row(joined(self.zoom_out_button, self.zoom_label, self.zoom_in_button),
                       self.fit_width_button, self.fit_page_button, self.actual_size_button,
                       joined(self.previous_button, QLabel(self.tr("第")), self.page_box, self.page_count_label,
                              self.next_button),
                       self.thumbs_button, spacing=4)

        self.thumbnails = QListWidget()
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setFlow(QListView.Flow.TopToBottom)
        self.thumbnails.setWrapping(False)
        self.thumbnails.setMovement(QListView.Movement.Static)
        self.thumbnails.setResizeMode(QListView.ResizeMode.Adjust)
        self.thumbnails.setIconSize(QSize(THUMB_WIDTH, round(THUMB_WIDTH * 1.42)))
        self.thumbnails.setSpacing(4)
        self.thumbnails.setUniformItemSizes(True)
        self.thumbnails.setFixedWidth(THUMB_WIDTH + 24 + self.thumbnails.verticalScrollBar().sizeHint().width())
        self.thumbnails.setToolTip(self.tr("单击跳到该页"))
        pages = QHBoxLayout()
        pages.setContentsMargins(0, 0, 0, 0)
        pages.setSpacing(2)
        pages.addWidget(self.thumbnails)
        pages.addWidget(self.view, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addLayout(pages, 1)

        self._pending_thumbs: list[int] = []
        self._thumb_timer = QTimer(self)
        self._thumb_timer.setInterval(0)
        self._thumb_timer.timeout.connect(self._render_some_thumbnails)
        self._input = _ViewInput(self)
        self.view.installEventFilter(self._input)
        self.view.viewport().installEventFilter(self._input)
        self.thumbnails.currentRowChanged.connect(self._thumbnail_chosen)
        self.page_box.valueChanged.connect(lambda value: self.go_to_page(value - 1))
        self.view.pageNavigator().currentPageChanged.connect(self._page_shown)
        self.view.zoomFactorChanged.connect(lambda _z: self._update_zoom_label())
        self.view.zoomModeChanged.connect(lambda _m: self._update_zoom_label())
        self.document.statusChanged.connect(self._document_changed)
        self.document.pageCountChanged.connect(self._document_changed)
        self._document_changed()

    # -- loading -------------------------------------------------------------
    def load(self, path: str | Path) -> bool:
        """Show the PDF at ``path`` from its first page; False if it cannot
        be read."""
        self.document.close()
        if self.document.load(str(path)) != QPdfDocument.Error.None_:
            self._document_changed()
            return False
        self._document_changed()
        self.go_to_page(0)
        return True

    def page_count(self) -> int:
        return max(0, self.document.pageCount())

    def _document_changed(self, *_args) -> None:
        if not (shiboken6.isValid(self.document) and shiboken6.isValid(self.page_box)):
            return  # the viewer is being destroyed: its document closes as it goes
        count = self.page_count()
        self.page_box.blockSignals(True)
        self.page_box.setMaximum(max(1, count))
        self.page_box.setValue(1)
        self.page_box.blockSignals(False)
        self.page_count_label.setText(self.tr("/ {n} 页").format(n=count))
        self._fill_thumbnails()
        self._update_buttons()
        self._update_zoom_label()

    # -- thumbnails ------------------------------------------------------------
    def _fill_thumbnails(self) -> None:
        self.thumbnails.blockSignals(True)
        self.thumbnails.clear()
        count = self.page_count()
        first = self.document.pagePointSize(0) if count else None
        if first is not None and first.width() > 0:  # thumbnails shaped like the pages (a landscape report)
            self.thumbnails.setIconSize(QSize(THUMB_WIDTH, round(THUMB_WIDTH * first.height() / first.width())))
        blank = QPixmap(self.thumbnails.iconSize())
        blank.fill(Qt.GlobalColor.white)
        for page in range(count):
            item = QListWidgetItem(QIcon(blank), str(page + 1))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.thumbnails.addItem(item)
        if count:
            self.thumbnails.setCurrentRow(0)
        self.thumbnails.blockSignals(False)
        self._pending_thumbs = list(range(count))
        if count:
            self._thumb_timer.start()
        else:
            self._thumb_timer.stop()

    def _render_some_thumbnails(self) -> None:
        for _ in range(THUMBS_PER_TICK):
            if not self._pending_thumbs:
                self._thumb_timer.stop()
                return
            page = self._pending_thumbs.pop(0)
            item = self.thumbnails.item(page)
            if item is None or page >= self.page_count():
                continue
            points = self.document.pagePointSize(page)
            if points.width() <= 0 or points.height() <= 0:
                continue
            box = self.thumbnails.iconSize()
            scale = min(box.width() / points.width(), box.height() / points.height())
            image = self.document.render(page, QSize(max(1, round(points.width() * scale)),
                                                     max(1, round(points.height() * scale))))
            item.setIcon(QIcon(QPixmap.fromImage(image)))

    def thumbnails_done(self) -> bool:
        return not self._pending_thumbs

    def _thumbnail_chosen(self, row: int) -> None:
        if row >= 0:
            self.go_to_page(row)

    def _toggle_thumbnails(self) -> None:
        self.thumbnails.setVisible(self.thumbs_button.isChecked())

    # -- pages -----------------------------------------------------------------
    def current_page(self) -> int:
        """The page shown (0-based)."""
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, page: int) -> bool:
        """Scroll to the top of ``page`` (0-based); False if out of range."""
        if not 0 <= page < self.page_count():
            return False
        self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
        self._page_shown(page)
        return True

    def next_page(self) -> bool:
        return self.go_to_page(self.current_page() + 1)

    def previous_page(self) -> bool:
        return self.go_to_page(self.current_page() - 1)

    def _page_shown(self, page: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self.thumbnails.blockSignals(True)
        self.thumbnails.setCurrentRow(page)
        self.thumbnails.blockSignals(False)
        self._update_buttons()
        self.page_changed.emit(page)

    def _update_buttons(self) -> None:
        count, page = self.page_count(), self.current_page()
        for widget in (self.zoom_in_button, self.zoom_out_button, self.fit_width_button, self.fit_page_button,
                       self.actual_size_button, self.page_box):
            widget.setEnabled(count > 0)
        self.previous_button.setEnabled(count > 0 and page > 0)
        self.next_button.setEnabled(count > 0 and page < count - 1)

    # -- zoom ------------------------------------------------------------------
    def zoom_mode(self) -> QPdfView.ZoomMode:
        return self.view.zoomMode()

    def effective_zoom(self) -> float:
        """The scale the pages are drawn at (1.0 = 100 %, actual size on
        screen), also while fitted to the width or the page."""
        mode = self.view.zoomMode()
        if mode == QPdfView.ZoomMode.Custom or self.page_count() == 0:
            return self.view.zoomFactor()
        dpi = self.view.logicalDpiX() / 72
        margins = self.view.documentMargins()
        viewport = self.view.viewport()
        widths = [self.document.pagePointSize(p).width() for p in range(self.page_count())]
        page = self.document.pagePointSize(self.current_page())
        width_zoom = (viewport.width() - margins.left() - margins.right()) / (max(widths) * dpi)
        if mode == QPdfView.ZoomMode.FitToWidth:
            return max(MIN_ZOOM, width_zoom)
        height_zoom = (viewport.height() - margins.top() - margins.bottom()) / (page.height() * dpi)
        return max(MIN_ZOOM, min((viewport.width() - margins.left() - margins.right()) / (page.width() * dpi),
                                 height_zoom))

    def set_zoom(self, factor: float) -> float:
        """Show the pages at ``factor`` (1.0 = 100 %), kept between 10 % and
        800 %; returns the factor used."""
        factor = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        page = self.current_page()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(factor)
        self._keep_page(page)
        self._update_zoom_label()
        self.zoom_changed.emit(factor)
        return factor

    def zoom_in(self) -> float:
        return self.set_zoom(self.effective_zoom() * ZOOM_STEP)

    def zoom_out(self) -> float:
        return self.set_zoom(self.effective_zoom() / ZOOM_STEP)

    def actual_size(self) -> float:
        return self.set_zoom(1.0)

    def fit_width(self) -> None:
        page = self.current_page()
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._keep_page(page)
        self._update_zoom_label()
        self.zoom_changed.emit(self.effective_zoom())

    def fit_page(self) -> None:
        page = self.current_page()
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self._keep_page(page)
        self._update_zoom_label()
        self.zoom_changed.emit(self.effective_zoom())

    def _keep_page(self, page: int) -> None:
        """After a zoom the same page stays in view."""
        if 0 <= page < self.page_count():
            QTimer.singleShot(0, lambda: self.page_count() > page and self.go_to_page(page))

    def refresh_zoom_label(self) -> None:
        if shiboken6.isValid(self) and shiboken6.isValid(self.zoom_label):
            self._update_zoom_label()

    def _update_zoom_label(self) -> None:
        mode = self.view.zoomMode()
        self.fit_width_button.setChecked(mode == QPdfView.ZoomMode.FitToWidth)
        self.fit_page_button.setChecked(mode == QPdfView.ZoomMode.FitInView)
        self.zoom_label.setText(f"{self.effective_zoom():.0%}" if self.page_count() else "")

    def content_size(self) -> QSize:
        """The size in pixels of everything the view draws (all pages and
        their margins), as its scroll bars measure it."""
        viewport = self.view.viewport()
        horizontal, vertical = self.view.horizontalScrollBar(), self.view.verticalScrollBar()
        return QSize(horizontal.maximum() + viewport.width(), vertical.maximum() + viewport.height())


class _ViewInput(QObject):
    """Ctrl+wheel zooms; PgUp/PgDn (and Home/End) turn whole pages."""

    def __init__(self, viewer: PdfViewer):
        super().__init__(viewer)
        self.viewer = viewer

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.Resize and watched is self.viewer.view.viewport():
            QTimer.singleShot(0, self.viewer.refresh_zoom_label)  # after the view has laid its pages out
            return False
        if kind == QEvent.Type.Wheel and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.viewer.set_zoom(self.viewer.effective_zoom() * ZOOM_STEP ** steps)
            return True
        if kind == QEvent.Type.KeyPress and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            key = event.key()
            if key == Qt.Key.Key_PageDown:
                self.viewer.next_page()
                return True
            if key == Qt.Key.Key_PageUp:
                self.viewer.previous_page()
                return True
            if key == Qt.Key.Key_Home:
                self.viewer.go_to_page(0)
                return True
            if key == Qt.Key.Key_End:
                self.viewer.go_to_page(self.viewer.page_count() - 1)
                return True
        return False


class PdfPreviewDialog(QDialog):
    """A PDF just made, to read before printing: the viewer, a line saying
    where the file is, 打印… and 关闭. Not modal: the user can keep it open
    while working on."""

    def __init__(self, path: str | Path, title: str, note: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.viewer = PdfViewer(self)
        self.note = QLabel(note or self.tr("文件：{path}").format(path=self.path))
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton(self.tr("打印(&P)…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.print_button.clicked.connect(self.print_pdf)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.viewer, 1)
        layout.addLayout(bottom)
        self.loaded = self.viewer.load(self.path)
        screen = (parent.screen() if parent is not None else None) or self.screen()
        area = screen.availableGeometry()
        self.resize(min(1000, area.width() - 40), max(300, area.height() - 80))

    def print_pdf(self) -> int:
        """Print through the system print dialog; returns the pages sent."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.path.stem)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("打印"))
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return 0
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        try:
            return print_document(self.viewer.document, printer)
        except RuntimeError as error:
            QMessageBox.warning(self, self.windowTitle(), str(error))
            return 0


def show_pdf(parent: QWidget | None, path: str | Path, title: str, note: str = "") -> PdfPreviewDialog:
    """Open the PDF at ``path`` in a preview window (kept by ``parent``,
    closed with it) and return the window."""
    dialog = PdfPreviewDialog(path, title, note, parent)
    dialog.show()
    dialog.raise_()
    return dialog
