"""Vector charts for printed reports (reportlab.graphics): crisp at any
zoom and on paper, in the bundled CJK font. Each function returns a
``Drawing`` flowable of the given size in points, with its title on top.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from gridadmin.services.common.pdf_fonts import register_cjk_font

PALETTE = [colors.HexColor(c) for c in (
    "#2f6db5", "#e0813a", "#3b9a5b", "#c0392b", "#8e5bb5", "#8c6d46", "#d36fa8", "#7f8c8d", "#b5a21f", "#1fa5b5")]
TITLE_SIZE = 11
LABEL_SIZE = 7


def _frame(width: float, height: float, title: str) -> Drawing:
    font = register_cjk_font()
    drawing = Drawing(width, height)
    drawing.add(String(width / 2, height - TITLE_SIZE - 2, title, fontName=font, fontSize=TITLE_SIZE,
                       textAnchor="middle"))
    return drawing


def _nice_max(value: float) -> float:
    """A round axis maximum a little above ``value``."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value * 1.05:
            return top
    return 10 * magnitude


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], *, width: float, height: float,
              value_format: str = "{:,.0f}") -> Drawing:
    """Vertical bars, one per label, the value printed above each bar;
    labels slanted when many."""
    font = register_cjk_font()
    drawing = _frame(width, height, title)
    chart = VerticalBarChart()
    slanted = len(labels) > 8
    chart.x, chart.y = 40, 58 if slanted else 24
    chart.width, chart.height = width - 56, height - chart.y - TITLE_SIZE - 16
    chart.data = [list(values) or [0]]
    chart.categoryAxis.categoryNames = list(labels) or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    if slanted:
        chart.categoryAxis.labels.angle = 40
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.dx, chart.categoryAxis.labels.dy = 4, -2
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max(values, default=0))
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = LABEL_SIZE
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.bars[0].fillColor = PALETTE[0]
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: value_format.format(v)
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = LABEL_SIZE - (1 if len(labels) > 16 else 0)
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def pie_chart(title: str, labels: Sequence[str], values: Sequence[float], *, width: float,
              height: float) -> Drawing:
    """Shares as a pie with a legend "label  value（share%）" beside it;
    empty slices left out."""
    font = register_cjk_font()
    drawing = _frame(width, height, title)
    items = [(label, value) for label, value in zip(labels, values) if value > 0]
    total = sum(v for _l, v in items) or 1
    size = min(height - TITLE_SIZE - 24, width * 0.45)
    pie = Pie()
    pie.x, pie.y = 16, (height - TITLE_SIZE - 8 - size) / 2
    pie.width = pie.height = size
    pie.data = [v for _l, v in items] or [1]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.5
    for i in range(len(pie.data)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)] if items else colors.lightgrey
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = pie.x + size + 18, pie.y + size - 4
    legend.fontName, legend.fontSize = font, LABEL_SIZE + 1
    legend.alignment = "right"
    legend.deltay = 12
    legend.columnMaximum = 12
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], f"{label}  {value:,.0f}（{value / total:.0%}）")
                             for i, (label, value) in enumerate(items)] or [(colors.lightgrey, "无数据")]
    drawing.add(legend)
    return drawing


def line_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *,
               width: float, height: float) -> Drawing:
    """One line per series over the labels (months), with a legend below
    the title; the last value of each series printed at its end."""
    font = register_cjk_font()
    drawing = _frame(width, height, title)
    chart = HorizontalLineChart()
    chart.x, chart.y = 44, 30
    chart.width, chart.height = width - 60, height - chart.y - TITLE_SIZE - 30
    chart.data = [list(values) for _name, values in series] or [[0]]
    chart.categoryAxis.categoryNames = list(labels)
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    if len(labels) > 6:
        chart.categoryAxis.labels.angle = 45
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.dx, chart.categoryAxis.labels.dy = 3, -2
    top = max((max(values, default=0) for _n, values in series), default=0)
    bottom = min((min(values, default=0) for _n, values in series), default=0)
    # a trend of large, slowly changing numbers is unreadable from zero
    low = 0 if bottom < top * 0.5 else bottom - (top - bottom) * 0.5
    chart.valueAxis.valueMin = max(0, low)
    chart.valueAxis.valueMax = _nice_max(top) if low == 0 else top + max(1, (top - bottom) * 0.3)
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = LABEL_SIZE
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    for i in range(len(chart.data)):
        chart.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
        chart.lines[i].strokeWidth = 1.5
    chart.lineLabelFormat = "values"
    chart.lineLabels.fontName = font
    chart.lineLabels.fontSize = LABEL_SIZE - 1
    # only the first and the latest value are printed: a label per point crowds
    chart.lineLabelArray = [[f"{v:,.0f}" if i in (0, len(values) - 1) else "" for i, v in enumerate(values)]
                            for _n, values in series]
    drawing.add(chart)
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y = chart.x, height - TITLE_SIZE - 10
        legend.fontName, legend.fontSize = font, LABEL_SIZE + 1
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = 90
        legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, (name, _v) in enumerate(series)]
        drawing.add(legend)
    return drawing
