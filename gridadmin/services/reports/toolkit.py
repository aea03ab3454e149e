"""The report toolkit: A4 page template with a header block and a
"第 X 页 共 Y 页" footer on every page, CJK paragraph styles, data tables
whose header repeats on every page, and the signature block with room for
a seal. Everything embeds the bundled font, so a printout renders the same
in any viewer on any PC."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gridadmin.services.common.pdf_fonts import register_cjk_font

MARGIN = 15 * mm
HEADER_HEIGHT = 12 * mm
FOOTER_HEIGHT = 10 * mm
GRID_COLOUR = colors.HexColor("#555555")
HEADER_FILL = colors.HexColor("#e8eef5")
STRIPE_FILL = colors.HexColor("#f6f8fa")


@dataclass(frozen=True)
class DocumentInfo:
    """What every page says: ``title`` (big, first page), ``unit`` (填报单位),
    an optional ``subtitle`` (e.g. 报告月份：2026年10月), the date printed,
    and whether the pages are landscape."""

    title: str
    unit: str
    subtitle: str = ""
    printed_on: date = field(default_factory=date.today)
    landscape: bool = False
    author: str = "网格中心管理系统"

    @property
    def pagesize(self) -> tuple[float, float]:
        return landscape(A4) if self.landscape else A4


class Styles:
    """Paragraph styles in the bundled CJK font (``wordWrap='CJK'`` so long
    Chinese text breaks between characters)."""

    def __init__(self) -> None:
        font = register_cjk_font()
        base = dict(fontName=font, wordWrap="CJK", leading=14, fontSize=10)
        self.title = ParagraphStyle("title", **{**base, "fontSize": 18, "leading": 24}, alignment=TA_CENTER,
                                    spaceAfter=4 * mm)
        self.subtitle = ParagraphStyle("subtitle", **base, alignment=TA_CENTER, spaceAfter=4 * mm)
        self.heading = ParagraphStyle("heading", **{**base, "fontSize": 13, "leading": 18}, spaceBefore=4 * mm,
                                      spaceAfter=2 * mm, keepWithNext=1)
        self.body = ParagraphStyle("body", **base, alignment=TA_LEFT)
        self.cell = ParagraphStyle("cell", **{**base, "fontSize": 9, "leading": 11})
        self.cell_right = ParagraphStyle("cell_right", parent=self.cell, alignment=TA_RIGHT)
        self.cell_centre = ParagraphStyle("cell_centre", parent=self.cell, alignment=TA_CENTER)
        self.cell_small_right = ParagraphStyle("cell_small_right", parent=self.cell_right, fontSize=8, leading=10)
        self.small = ParagraphStyle("small", **{**base, "fontSize": 8, "leading": 10})


def _escape(text: object) -> str:
    return (str(text) if text is not None else "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


CELL_PADDING = 6  # left + right padding of a table cell, in points


def table_cell(value: object, width: float | None, styles: Styles, *, right: bool = False,
               style: ParagraphStyle | None = None):
    """A table cell's content: the plain text when it fits on one line in
    ``width`` (drawn by the table itself — laying out a Paragraph per cell
    makes long reports ten times slower), else a wrapping Paragraph."""
    text = "" if value is None else str(value)
    style = style or (styles.cell_right if right else styles.cell)
    if (isinstance(width, (int, float)) and "\n" not in text
            and pdfmetrics.stringWidth(text, style.fontName, style.fontSize) <= width - CELL_PADDING - 1):
        return text
    return Paragraph(_escape(text), style)


def fitted_cell(value: object, width: float, height: float, style: ParagraphStyle, *,
                smallest: float = 6.0) -> Paragraph:
    """A Paragraph that fits a fixed-size cell (``width`` × ``height`` in
    points, padding included): it wraps, and shrinks its font step by step
    (down to ``smallest`` pt) when the wrapped text would be taller than the
    cell — a long "建设东路社区·第一村民小组网格" in a narrow column of a form
    with fixed row heights."""
    text = _escape(value)
    size = style.fontSize
    while True:
        fitted = ParagraphStyle(f"{style.name}_{size:g}", parent=style, fontSize=size, leading=size * 1.2)
        paragraph = Paragraph(text, fitted)
        _w, h = paragraph.wrap(width - CELL_PADDING, height)
        if h <= height - 2 or size <= smallest:
            return paragraph
        size -= 0.5


def plain_cell_style(styles: Styles, right_columns=(), *, first_row: int = 1) -> list[tuple]:
    """Table style commands for plain-text cells: the cell font and size,
    right-aligned ``right_columns``."""
    commands = [("FONTNAME", (0, first_row), (-1, -1), styles.cell.fontName),
                ("FONTSIZE", (0, first_row), (-1, -1), styles.cell.fontSize)]
    commands += [("ALIGN", (c, first_row), (c, -1), "RIGHT") for c in right_columns]
    return commands


def data_table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, col_widths: Sequence[float] | None = None,
               numeric_columns: Sequence[int] = (), styles: Styles | None = None, stripes: bool = True,
               total_row: bool = False) -> Table:
    """A grid table; the header row repeats on every page, long text wraps
    inside its cell, ``numeric_columns`` are right-aligned (ints printed
    with thousands separators), ``total_row`` makes the last row bold-filled."""
    styles = styles or Styles()
    numeric = set(numeric_columns)
    widths = list(col_widths) if col_widths else [None] * len(headers)

    def cell(value: object, column: int):
        if column in numeric:
            text = f"{value:,}" if isinstance(value, int) else value
            return table_cell(text, widths[column], styles, right=True)
        return table_cell(value, widths[column], styles)

    body = [[Paragraph(_escape(h), styles.cell_centre) for h in headers]]
    body += [[cell(v, i) for i, v in enumerate(row)] for row in rows]
    table = Table(body, colWidths=col_widths, repeatRows=1, hAlign="CENTER")
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOUR),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        *plain_cell_style(styles, numeric),
    ]
    if stripes:
        commands += [("BACKGROUND", (0, r), (-1, r), STRIPE_FILL) for r in range(2, len(body), 2)]
    if total_row and len(body) > 1:
        commands.append(("BACKGROUND", (0, len(body) - 1), (-1, len(body) - 1), HEADER_FILL))
    table.setStyle(TableStyle(commands))
    return table


def signature_block(styles: Styles | None = None, *, labels: Sequence[str] = (
        "单位负责人", "审核人", "制表人", "联系电话", "填报日期"), seal: bool = True,
        values: Mapping[str, str] | None = None) -> Table:
    """The footer block officials sign: one line per label, filled in with
    ``values[label]`` when given (the 常规 settings' signatories, see
    ``services.settings.signatories``), else blank to be written by hand;
    and, when ``seal``, a box marked （盖章） for the unit's seal."""
    styles = styles or Styles()
    values = values or {}

    def line(label: str) -> str:
        value = (values.get(label) or "").strip()
        return f"{_escape(label)}：<u>{_escape(value)}</u>" if value else f"{_escape(label)}：________________"

    cells = [[Paragraph(line(label), styles.body) for label in labels[i:i + 3]]
             for i in range(0, len(labels), 3)]
    for row in cells:
        row += [""] * (3 - len(row))
    if seal:
        cells.append(["", "", Paragraph("（盖章）", styles.cell_centre)])
    table = Table(cells, colWidths=["33%", "33%", "34%"], hAlign="CENTER")
    table.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]
                              + ([("BOTTOMPADDING", (2, len(cells) - 1), (2, len(cells) - 1), 18)] if seal else [])))
    return table


def title_block(info: DocumentInfo, styles: Styles | None = None) -> list[Flowable]:
    """The first page's title, subtitle and 填报单位 / 打印日期 line."""
    styles = styles or Styles()
    flow: list[Flowable] = [Paragraph(_escape(info.title), styles.title)]
    line = f"填报单位：{_escape(info.unit)}　　打印日期：{info.printed_on:%Y年%m月%d日}"
    if info.subtitle:
        line = f"{_escape(info.subtitle)}　　{line}"
    flow += [Paragraph(line, styles.subtitle), Spacer(1, 2 * mm)]
    return flow


def _numbered_canvas(info: DocumentInfo):
    """A canvas class that knows the page count when it writes each page's
    header and footer (two passes over the saved page states)."""
    font = register_cjk_font()

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = info.pagesize
            self.saveState()
            self.setFont(font, 8)
            self.setFillColor(colors.HexColor("#444444"))
            top = height - MARGIN + 4 * mm
            self.drawString(MARGIN, top, f"{info.unit}　{info.title}")
            self.drawRightString(width - MARGIN, top, f"打印日期：{info.printed_on:%Y-%m-%d}")
            self.setStrokeColor(colors.HexColor("#999999"))
            self.line(MARGIN, top - 1.5 * mm, width - MARGIN, top - 1.5 * mm)
            self.drawCentredString(width / 2, MARGIN - 6 * mm, f"第 {self._pageNumber} 页 共 {total} 页")
            self.restoreState()

    return NumberedCanvas


def render_pdf(target: str | Path | BinaryIO, info: DocumentInfo, story: list[Flowable]) -> int:
    """Write the document to a path or binary stream; returns the page
    count. ``story`` usually starts with ``title_block(info)``."""
    doc = SimpleDocTemplate(
        str(target) if isinstance(target, (str, Path)) else target, pagesize=info.pagesize,
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN,
        title=info.title, author=info.author, subject=info.subtitle or info.title,
    )
    pages: list[int] = []
    doc.build(list(story), canvasmaker=_numbered_canvas(info),
              onLaterPages=lambda canvas, _doc: pages.append(canvas.getPageNumber()),
              onFirstPage=lambda canvas, _doc: pages.append(canvas.getPageNumber()))
    return len(pages)


def render_pdf_bytes(info: DocumentInfo, story: list[Flowable]) -> bytes:
    buffer = BytesIO()
    render_pdf(buffer, info, story)
    return buffer.getvalue()


def fit_column_widths(headers: Sequence[str], rows: Sequence[Sequence[object]], available: float, *,
                      font_size: float = 9, padding: float = 8, max_natural: float = 220) -> list[float]:
    """Column widths that keep short values (numbers, IDs, dates) on one
    line and let only long text wrap: each column gets its widest value's
    width (at most ``max_natural``); if that is too wide in total, only the
    widest columns are capped, at the level where everything fits."""
    font = register_cjk_font()
    widths = []
    for index, header in enumerate(headers):
        header_width = max(pdfmetrics.stringWidth(part, font, font_size) for part in str(header).split()) + padding
        values = [pdfmetrics.stringWidth(str(row[index]) if row[index] is not None else "", font, font_size)
                  for row in rows[:2000]]
        widths.append(min(max([header_width, *(v + padding for v in values)]), max_natural))
    total = sum(widths)
    if total <= available:
        return [w * available / total for w in widths]
    # Water-filling: cap the widest columns at the level where everything fits.
    order = sorted(widths)
    remaining, count = available, len(order)
    cap = available / count
    for width in order:
        if width * count <= remaining:
            remaining -= width
            count -= 1
            continue
        cap = remaining / count
        break
    return [min(w, cap) for w in widths]
