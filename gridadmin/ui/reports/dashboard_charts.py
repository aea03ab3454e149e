"""The dashboard's four pyqtgraph charts (residents and staff on post per
community, 12-month residents trend, training hours per month), each with
an 导出图表 button. Imported when the first figures are drawn, so starting
the program does not wait for pyqtgraph (``dashboard_page``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QApplication, QFrame, QGridLayout, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget,
)

from gridadmin.ui.common.file_dialogs import ask_save_path

if TYPE_CHECKING:
    from gridadmin.services.reports.dashboard import DashboardFigures

BAR_COLOUR = "#3c78b4"
STAFF_COLOUR = "#4a9a6a"
LINE_COLOUR = "#c8553d"
MAX_COMMUNITY_BARS = 30


def number_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


class Chart(QFrame):
    """A titled pyqtgraph plot with an 导出图表 button; ``clicked_at(x, y)``
    is emitted with the view coordinates of a left click."""

    clicked_at = Signal(float, float)

    def __init__(self, title: str, file_stem: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.file_stem = file_stem
        self.setFrameShape(QFrame.Shape.StyledPanel)
        font = QApplication.font()
        self.title = QLabel(title)
        title_font = QApplication.font()
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.title.setWordWrap(True)  # a long title must not hold the window wider than a small screen
        self.export_button = QPushButton(self.tr("导出图表"))
        self.export_button.setToolTip(self.tr("把这张图保存为 PNG 图片"))
        self.export_button.clicked.connect(self.export_dialog)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setCursor(Qt.CursorShape.PointingHandCursor)
        item = self.plot.getPlotItem()
        for name in ("bottom", "left"):
            axis = item.getAxis(name)
            axis.setTickFont(font)
            axis.setTextPen("#333")
            axis.setPen("#888")
        self.plot.scene().sigMouseClicked.connect(self._scene_clicked)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(head)
        layout.addWidget(self.plot, 1)

        self.month_labels: list[str] = []
        self.value_labels: list[pg.TextItem] = []
        self.view_box.sigResized.connect(self._resized)

    @property
    def view_box(self) -> pg.ViewBox:
        return self.plot.getPlotItem().getViewBox()

    def set_value_labels(self, points: list[tuple[float, float, str]], anchor: tuple[float, float], *,
                         thin: bool = False) -> None:
        """A number beside each bar or point: (x, y, text) in view
        coordinates; ``thin``: along a narrow x axis only every k-th one
        (the latest always), so neighbours never overlap."""
        self.value_points, self.value_anchor, self.value_thin = list(points), anchor, thin
        self.apply_value_labels()

    def apply_value_labels(self) -> None:
        for item in self.value_labels:
            self.plot.removeItem(item)
        self.value_labels = []
        points = getattr(self, "value_points", [])
        if not points:
            return
        font = QApplication.font()
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        stride = 1
        if self.value_thin:
            widest = max(QFontMetrics(font).horizontalAdvance(t) for _x, _y, t in points) + 10
            stride = next((k for k in range(1, len(points) + 1) if -(-len(points) // k) * widest <= self._axis_width()),
                          len(points))
        last = len(points) - 1
        for i, (x, y, text) in enumerate(points):
            if (last - i) % stride:
                continue
            item = pg.TextItem(text, color="#222", anchor=self.value_anchor)
            item.setFont(font)
            item.setPos(x, y)
            self.plot.addItem(item)
            self.value_labels.append(item)

    def _axis_width(self) -> float:
        return max(self.view_box.width(), 1.0)

    def set_month_labels(self, labels: list[str]) -> None:
        self.month_labels = list(labels)
        self.apply_month_ticks()

    def month_stride(self) -> int:
        """Label every month, or every 2nd/3rd … when the axis is too narrow
        for all of them side by side (never fewer than every 4th)."""
        n = len(self.month_labels)
        if n == 0:
            return 1
        widest = max(QFontMetrics(QApplication.font()).horizontalAdvance(t) for t in self.month_labels) + 12
        for stride in (1, 2, 3, 4):
            if -(-n // stride) * widest <= self._axis_width():
                return stride
        return 4

    def apply_month_ticks(self) -> None:
        if not self.month_labels:
            return
        stride = self.month_stride()
        axis = self.plot.getPlotItem().getAxis("bottom")
        axis.setStyle(textFillLimits=[(0, 1.0)], hideOverlappingLabels=False)
        last = len(self.month_labels) - 1  # the latest month always labelled
        axis.setTicks([[(i, t) for i, t in enumerate(self.month_labels) if (last - i) % stride == 0]])

    def shown_month_labels(self) -> list[str]:
        ticks = self.plot.getPlotItem().getAxis("bottom")._tickLevels
        return [t for _pos, t in ticks[0]] if ticks else []

    def _resized(self) -> None:
        """The plot area changed size (window resized, maximised)."""
        self.apply_month_ticks()
        if getattr(self, "value_thin", False):
            self.apply_value_labels()

    def _scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if not self.view_box.sceneBoundingRect().contains(event.scenePos()):
            return
        point = self.view_box.mapSceneToView(event.scenePos())
        self.clicked_at.emit(point.x(), point.y())

    def export_png(self, path: str | Path) -> bool:
        """Save the chart (title included) as PNG."""
        return self.grab().save(str(path), "PNG")

    def export_dialog(self) -> None:
        path = ask_save_path(self, self.tr("导出图表"), f"{self.file_stem}.png", self.tr("PNG 图片 (*.png)"))
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        if not self.export_png(path):
            QMessageBox.warning(self, self.tr("导出图表"), self.tr("无法写入“{p}”。").format(p=path))


class DashboardCharts(QWidget):
    """The four charts in a grid; ``draw(figures)`` shows them;
    ``community_ids`` are the communities of the bars, top to bottom."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.community_ids: list[int] = []
        self.residents_chart = Chart(self.tr("各社区/村在册人口"), "各社区在册人口")
        self.staff_chart = Chart(self.tr("各社区/村在岗网格力量"), "各社区在岗网格力量")
        self.trend_chart = Chart(self.tr("近12个月在册人口"), "近12个月在册人口")
        self.training_chart = Chart(self.tr("近12个月培训认定学时"), "近12个月培训学时")
        self.residents_bars = pg.BarGraphItem(x0=0, y=[], height=0.6, width=[], brush=BAR_COLOUR)
        self.staff_bars = pg.BarGraphItem(x0=0, y=[], height=0.6, width=[], brush=STAFF_COLOUR)
        self.residents_chart.plot.addItem(self.residents_bars)
        self.staff_chart.plot.addItem(self.staff_bars)
        self.trend_line = self.trend_chart.plot.plot([], [], pen=pg.mkPen(LINE_COLOUR, width=2), symbol="o",
                                                     symbolSize=6, symbolBrush=LINE_COLOUR, symbolPen=None)
        self.training_bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=BAR_COLOUR)
        self.training_chart.plot.addItem(self.training_bars)
        for chart in (self.residents_chart, self.staff_chart, self.training_chart, self.trend_chart):
            chart.plot.showGrid(x=chart in (self.residents_chart, self.staff_chart),
                                y=chart in (self.trend_chart, self.training_chart), alpha=0.25)
        self.residents_chart.setToolTip(self.tr("单击某个社区的条形，打开该社区的人口列表"))
        self.staff_chart.setToolTip(self.tr("单击某个社区的条形，打开该社区的花名册"))
        self.trend_chart.setToolTip(self.tr("单击打开人口信息"))
        self.training_chart.setToolTip(self.tr("单击打开培训管理"))

        charts = QGridLayout(self)
        charts.addWidget(self.residents_chart, 0, 0, 2, 1)
        charts.addWidget(self.staff_chart, 0, 1, 2, 1)
        charts.addWidget(self.trend_chart, 0, 2)
        charts.addWidget(self.training_chart, 1, 2)
        for column in range(3):
            charts.setColumnStretch(column, 1)
        charts.setContentsMargins(0, 0, 0, 0)

    def draw(self, f: DashboardFigures) -> None:
        communities = list(f.communities)
        shown = communities
        if len(communities) > MAX_COMMUNITY_BARS:  # a county: the largest ones
            shown = sorted(communities, key=lambda c: -c.residents)[:MAX_COMMUNITY_BARS]
            self.residents_chart.title.setText(self.tr("在册人口最多的 {n} 个社区/村").format(n=len(shown)))
        self.community_ids = [c.area_id for c in shown]
        names = [c.name for c in shown]
        self._horizontal_bars(self.residents_chart, self.residents_bars, names, [c.residents for c in shown])
        self._horizontal_bars(self.staff_chart, self.staff_bars, names, [c.staff_on_post for c in shown])

        if f.residents_trend:
            first, last = f.residents_trend[0], f.residents_trend[-1]
            span = self.tr("（{a}年{b}月—{c}年{d}月）").format(a=first.year, b=first.month, c=last.year, d=last.month)
            self.trend_chart.title.setText(self.tr("近12个月在册人口") + span)
            self.training_chart.title.setText(self.tr("近12个月培训认定学时") + span)
        labels = [self._month_label(v.year, v.month, i) for i, v in enumerate(f.residents_trend)]
        trend = [v.value for v in f.residents_trend]
        xs = list(range(len(trend)))
        self.trend_line.setData(xs, trend)
        self._month_axis(self.trend_chart, labels)
        low, high = min(trend, default=0), max(trend, default=1)
        pad = max((high - low) * 0.15, 1.0)
        self.trend_chart.plot.setYRange(max(0.0, low - pad), high + pad, padding=0)
        self.trend_chart.set_value_labels([(x, v, number_text(v)) for x, v in zip(xs, trend)], (0.5, 1.2), thin=True)
        self.trend_chart.plot.setXRange(-0.8, len(trend) - 0.1, padding=0)  # the latest number not cut off
        self.trend_chart.plot.getPlotItem().getAxis("left").setWidth(self._text_width(number_text(high)) + 14)

        hours = [v.value for v in f.training_by_month]
        self.training_bars.setOpts(x=xs, height=hours)
        self._month_axis(self.training_chart, [self._month_label(v.year, v.month, i)
                                               for i, v in enumerate(f.training_by_month)])
        self.training_chart.plot.setYRange(0, max(hours + [1.0]) * 1.15, padding=0)
        self.training_chart.set_value_labels([(x, v, number_text(v)) for x, v in zip(xs, hours) if v], (0.5, 1.0))
        self.training_chart.plot.getPlotItem().getAxis("left").setWidth(
            self._text_width(number_text(max(hours + [1.0]))) + 14)

    # -- chart helpers ----------------------------------------------------
    def _text_width(self, text: str) -> int:
        return self.fontMetrics().horizontalAdvance(text)

    def _month_label(self, year: int, month: int, index: int) -> str:
        return self.tr("{m}月").format(m=month)

    def _month_axis(self, chart: Chart, labels: list[str]) -> None:
        """Every month labelled when the chart is wide enough, else every
        2nd, 3rd … (``Chart.month_stride``, again at every resize)."""
        chart.set_month_labels(labels)
        chart.plot.setXRange(-1.0, len(labels), padding=0)  # the first and last numbers not cut off

    def _horizontal_bars(self, chart: Chart, bars: pg.BarGraphItem, names: list[str], values: list[int]) -> None:
        """First community at the top: bar ``i`` sits at y = n-1-i."""
        n = len(names)
        bars.setOpts(x0=[0] * n, y=[n - 1 - i for i in range(n)], width=values, height=0.6)
        left = chart.plot.getPlotItem().getAxis("left")
        left.setTicks([[(n - 1 - i, name) for i, name in enumerate(names)]])
        left.setWidth(max((self._text_width(name) for name in names), default=40) + 12)
        chart.plot.setYRange(-0.6, max(n, 1) - 0.4, padding=0)
        chart.plot.setXRange(0, max(values + [1]) * 1.35, padding=0)  # room for the numbers after the bars
        chart.set_value_labels([(v, n - 1 - i, number_text(v)) for i, v in enumerate(values)], (0, 0.5))

    # -- read-back for tests ----------------------------------------------
    def community_values(self, chart: str) -> list[float]:
        """Bar lengths top to bottom ("residents" or "staff")."""
        bars = self.residents_bars if chart == "residents" else self.staff_bars
        return [float(v) for v in bars.opts["width"]]

    def community_names(self) -> list[str]:
        ticks = self.residents_chart.plot.getPlotItem().getAxis("left")._tickLevels[0]
        return [t for _pos, t in sorted(ticks, key=lambda p: -p[0])]

    def trend_values(self) -> list[float]:
        return [float(v) for v in self.trend_line.getData()[1]]

    def training_values(self) -> list[float]:
        return [float(v) for v in self.training_bars.opts["height"]]
