"""首页概览: headline tiles and four pyqtgraph charts (residents and staff
on post per community, 12-month residents trend, training hours per
month). A click on a community's bar opens the list behind it filtered to
that community (``open_list``); a click on a tile or another chart opens
its page (``open_page``). Each chart can be exported as PNG."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QApplication, QFrame, QGridLayout, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout,
    QWidget,
)

from gridadmin.db import Database
from gridadmin.services.register.reminders import due_count
from gridadmin.services.reports.dashboard import DashboardFigures, dashboard_figures
from gridadmin.ui.common.file_dialogs import ask_save_path

BAR_COLOUR = "#3c78b4"
STAFF_COLOUR = "#4a9a6a"
LINE_COLOUR = "#c8553d"
MAX_COMMUNITY_BARS = 30


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


class Tile(QFrame):
    """One headline number; a click opens ``page``."""

    clicked = Signal(str)

    def __init__(self, label: str, page: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.page = page
        self.setObjectName("tile")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet("#tile { background: #f3f6fa; border: 1px solid #d5dde8; border-radius: 6px; }"
                           "#tile:hover { border-color: #3c78b4; }")
        self.value = QLabel("—")
        font = QApplication.font()
        font.setPointSize(font.pointSize() + 9)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setStyleSheet("color: #1f4e79;")
        self.caption = QLabel(label)
        self.caption.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(0)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, text: str, warn: bool = False) -> None:
        self.value.setText(text)
        self.value.setStyleSheet("color: #b03a2e;" if warn else "color: #1f4e79;")

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.page)
        super().mouseReleaseEvent(event)


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


class DashboardPage(QWidget):
    open_list = Signal(str, int)
    open_page = Signal(str)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.figures: DashboardFigures | None = None
        self.community_ids: list[int] = []

        self.tiles = {
            "households": Tile(self.tr("户籍户数"), "residents"),
            "residents": Tile(self.tr("实有人口"), "residents"),
            "staff": Tile(self.tr("在岗网格力量"), "roster"),
            "no_fulltime": Tile(self.tr("无专职网格员的网格"), "grids"),
            "training": Tile(self.tr("本月培训学时"), "training"),
            "imports": Tile(self.tr("本月导入批次"), "import"),
        }
        tiles = QHBoxLayout()
        for tile in self.tiles.values():
            tile.clicked.connect(self.open_page)
            tiles.addWidget(tile, 1)
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        self.reminders_button = QPushButton()  # 待办提醒 N: opens the page
        self.reminders_button.setToolTip(self.tr("到期需要处理的事项，单击打开“待办提醒”"))
        self.reminders_button.clicked.connect(lambda: self.open_page.emit("reminders"))
        buttons = QVBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.reminders_button)
        buttons.addStretch(1)
        tiles.addLayout(buttons)

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
        self.residents_chart.clicked_at.connect(lambda _x, y: self._community_clicked("residents", y))
        self.staff_chart.clicked_at.connect(lambda _x, y: self._community_clicked("roster", y))
        self.trend_chart.clicked_at.connect(lambda _x, _y: self.open_page.emit("residents"))
        self.training_chart.clicked_at.connect(lambda _x, _y: self.open_page.emit("training"))

        charts = QGridLayout()
        charts.addWidget(self.residents_chart, 0, 0, 2, 1)
        charts.addWidget(self.staff_chart, 0, 1, 2, 1)
        charts.addWidget(self.trend_chart, 0, 2)
        charts.addWidget(self.training_chart, 1, 2)
        for column in range(3):
            charts.setColumnStretch(column, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.census_line = QLabel()
        self.census_line.setObjectName("census")
        self.census_line.setWordWrap(True)
        layout.addLayout(tiles)
        layout.addWidget(self.census_line)
        layout.addLayout(charts, 1)
        self.refresh()

    @property
    def charts(self) -> dict[str, Chart]:
        return {"residents": self.residents_chart, "staff": self.staff_chart, "trend": self.trend_chart,
                "training": self.training_chart}

    def refresh(self) -> None:
        f = self.figures = dashboard_figures(self.db)
        self.tiles["households"].set_value(_number(f.households))
        self.tiles["residents"].set_value(_number(f.residents))
        self.tiles["staff"].set_value(_number(f.staff_on_post))
        leave = self.tr("（另有休假 {n} 人）").format(n=_number(f.staff_on_leave)) if f.staff_on_leave else ""
        # the 休假 note on its own line: on one line it widened the tiles row past a 1024 px screen
        self.tiles["staff"].caption.setText(self.tr("在岗网格力量") + ("\n" + leave if leave else ""))
        self.tiles["staff"].setToolTip(self.tr("在岗：状态为在岗且有在任网格职务；休假人员另列"))
        self.tiles["no_fulltime"].set_value(f"{f.grids_lacking_responsible} / {f.grids}",
                                            warn=f.grids_lacking_responsible > 0)
        self.tiles["no_fulltime"].caption.setText(self.tr("无{post}的网格").format(post=f.responsible_label))
        self.tiles["no_fulltime"].setToolTip(self.tr("按本乡镇的网格配备规则（系统设置 → 网格配备）：网格责任人为{post}；"
                                                     "没有住户的专属网格不计").format(post=f.responsible_label))
        self.tiles["training"].set_value(_number(f.training_hours_month))
        self.tiles["imports"].set_value(_number(f.imports_month))
        if f.scoped:  # the figures are the user's areas'; a batch has no area: the user's own
            self.tiles["imports"].setToolTip(self.tr("本人本月的导入批次（各数字均为您负责区域的数字）"))
        self.due = due_count(self.db)
        self.reminders_button.setText(self.tr("待办提醒 {n}").format(n=_number(self.due)))
        self.reminders_button.setStyleSheet("color: #b00020; font-weight: bold;" if self.due else "")
        if f.census is not None:
            self.census_line.setText(f.census.text())
            self.tiles["residents"].setToolTip("、".join(f"{label} {n:,}" for _c, label, n in f.census.categories))

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
        self.trend_chart.set_value_labels([(x, v, _number(v)) for x, v in zip(xs, trend)], (0.5, 1.2), thin=True)
        self.trend_chart.plot.setXRange(-0.8, len(trend) - 0.1, padding=0)  # the latest number not cut off
        self.trend_chart.plot.getPlotItem().getAxis("left").setWidth(self._text_width(_number(high)) + 14)

        hours = [v.value for v in f.training_by_month]
        self.training_bars.setOpts(x=xs, height=hours)
        self._month_axis(self.training_chart, [self._month_label(v.year, v.month, i)
                                               for i, v in enumerate(f.training_by_month)])
        self.training_chart.plot.setYRange(0, max(hours + [1.0]) * 1.15, padding=0)
        self.training_chart.set_value_labels([(x, v, _number(v)) for x, v in zip(xs, hours) if v], (0.5, 1.0))
        self.training_chart.plot.getPlotItem().getAxis("left").setWidth(
            self._text_width(_number(max(hours + [1.0]))) + 14)

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
        chart.set_value_labels([(v, n - 1 - i, _number(v)) for i, v in enumerate(values)], (0, 0.5))

    def _community_clicked(self, page: str, y: float) -> None:
        n = len(self.community_ids)
        row = n - 1 - round(y)
        if 0 <= row < n and abs(y - round(y)) <= 0.45:
            self.open_list.emit(page, self.community_ids[row])

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
