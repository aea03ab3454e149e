"""首页概览: headline tiles, the census line and four charts (residents and
staff on post per community, 12-month residents trend, training hours per
month; ``dashboard_charts``). A click on a community's bar opens the list
behind it filtered to that community (``open_list``); a click on a tile or
another chart opens its page (``open_page``). Each chart can be exported
as PNG.

The page is shown at once: the figures and the 待办提醒 count are computed
in a worker thread with its own session (``common.background``) while the
page says 「正在统计…」, and drawn when they arrive (``filled``); pyqtgraph
is imported then, with the charts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gridadmin.db import Database
from gridadmin.services.common.errors import scrub_personal_data
from gridadmin.ui.common.background import call_in_background

if TYPE_CHECKING:
    from gridadmin.services.reports.dashboard import DashboardFigures
    from gridadmin.ui.reports.dashboard_charts import Chart, DashboardCharts


def _figures_and_reminders(db: Database) -> tuple:
    """The worker's job: the dashboard's figures and the reminders count
    (each in its own session; the services imported here, off the UI thread)."""
    from gridadmin.services.register.reminders import due_count
    from gridadmin.services.reports.dashboard import dashboard_figures

    return dashboard_figures(db), due_count(db)


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


class DashboardPage(QWidget):
    open_list = Signal(str, int)
    open_page = Signal(str)
    filled = Signal()  # the figures of the latest refresh are shown
    _arrived = Signal(int, object)  # (refresh number, (figures, due) or the error), from the worker

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.figures: DashboardFigures | None = None

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

        self.status = QLabel(self.tr("正在统计…"))
        self.status.setObjectName("dashboard_status")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setStyleSheet("color: #555; font-size: 12pt;")
        self._charts: DashboardCharts | None = None
        self._refreshes = 0
        self.busy = False
        self._arrived.connect(self._figures_arrived)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)
        self.census_line = QLabel()
        self.census_line.setObjectName("census")
        self.census_line.setWordWrap(True)
        self.layout_.addLayout(tiles)
        self.layout_.addWidget(self.census_line)
        self.layout_.addWidget(self.status, 1)
        self.refresh()

    # -- the charts, built with the first figures ---------------------------
    @property
    def charts_widget(self) -> DashboardCharts | None:
        return self._charts

    @property
    def residents_chart(self) -> Chart:
        return self._charts.residents_chart

    @property
    def staff_chart(self) -> Chart:
        return self._charts.staff_chart

    @property
    def trend_chart(self) -> Chart:
        return self._charts.trend_chart

    @property
    def training_chart(self) -> Chart:
        return self._charts.training_chart

    @property
    def charts(self) -> dict[str, Chart]:
        return {"residents": self.residents_chart, "staff": self.staff_chart, "trend": self.trend_chart,
                "training": self.training_chart}

    @property
    def community_ids(self) -> list[int]:
        return self._charts.community_ids if self._charts is not None else []

    def refresh(self) -> None:
        """Compute the figures again, off the UI thread; the page says
        「正在统计…」 until they are shown (``filled``)."""
        self._refreshes += 1
        self.busy = True
        self.status.setText(self.tr("正在统计…"))
        self.status.setStyleSheet("color: #555; font-size: 12pt;")
        self.status.setVisible(True)
        self.refresh_button.setEnabled(False)
        if self.figures is None:
            for tile in self.tiles.values():
                tile.set_value("…")
            self.reminders_button.setText(self.tr("待办提醒 …"))
        db = self.db
        call_in_background(lambda: _figures_and_reminders(db), self._arrived, self._refreshes)

    def _figures_arrived(self, number: int, result: object) -> None:
        if number != self._refreshes:
            return  # a later refresh is on its way
        self.busy = False
        self.refresh_button.setEnabled(True)
        if isinstance(result, BaseException):
            self.status.setText(self.tr("统计失败：{error}").format(error=scrub_personal_data(str(result))))
            self.status.setStyleSheet("color: #b00020; font-size: 12pt;")
            self.status.setVisible(True)
            return
        figures, due = result
        self._show(figures, due)
        self.status.setVisible(False)
        self.filled.emit()

    def _show(self, f: DashboardFigures, due: int) -> None:
        from gridadmin.ui.reports.dashboard_charts import number_text

        self.figures = f
        self.tiles["households"].set_value(number_text(f.households))
        self.tiles["residents"].set_value(number_text(f.residents))
        self.tiles["staff"].set_value(number_text(f.staff_on_post))
        leave = self.tr("（另有休假 {n} 人）").format(n=number_text(f.staff_on_leave)) if f.staff_on_leave else ""
        # the 休假 note on its own line: on one line it widened the tiles row past a 1024 px screen
        self.tiles["staff"].caption.setText(self.tr("在岗网格力量") + ("\n" + leave if leave else ""))
        self.tiles["staff"].setToolTip(self.tr("在岗：状态为在岗且有在任网格职务；休假人员另列"))
        self.tiles["no_fulltime"].set_value(f"{f.grids_lacking_responsible} / {f.grids}",
                                            warn=f.grids_lacking_responsible > 0)
        self.tiles["no_fulltime"].caption.setText(self.tr("无{post}的网格").format(post=f.responsible_label))
        self.tiles["no_fulltime"].setToolTip(self.tr("按本乡镇的网格配备规则（系统设置 → 网格配备）：网格责任人为{post}；"
                                                     "没有住户的专属网格不计").format(post=f.responsible_label))
        self.tiles["training"].set_value(number_text(f.training_hours_month))
        self.tiles["imports"].set_value(number_text(f.imports_month))
        if f.scoped:  # the figures are the user's areas'; a batch has no area: the user's own
            self.tiles["imports"].setToolTip(self.tr("本人本月的导入批次（各数字均为您负责区域的数字）"))
        self.due = due
        self.reminders_button.setText(self.tr("待办提醒 {n}").format(n=number_text(self.due)))
        self.reminders_button.setStyleSheet("color: #b00020; font-weight: bold;" if self.due else "")
        if f.census is not None:
            self.census_line.setText(f.census.text())
            self.tiles["residents"].setToolTip("、".join(f"{label} {n:,}" for _c, label, n in f.census.categories))

        if self._charts is None:
            from gridadmin.ui.reports.dashboard_charts import DashboardCharts

            self._charts = DashboardCharts(self)
            self._charts.residents_chart.clicked_at.connect(lambda _x, y: self._community_clicked("residents", y))
            self._charts.staff_chart.clicked_at.connect(lambda _x, y: self._community_clicked("roster", y))
            self._charts.trend_chart.clicked_at.connect(lambda _x, _y: self.open_page.emit("residents"))
            self._charts.training_chart.clicked_at.connect(lambda _x, _y: self.open_page.emit("training"))
            self.layout_.addWidget(self._charts, 1)
        self._charts.draw(f)

    def _community_clicked(self, page: str, y: float) -> None:
        n = len(self.community_ids)
        row = n - 1 - round(y)
        if 0 <= row < n and abs(y - round(y)) <= 0.45:
            self.open_list.emit(page, self.community_ids[row])

    # -- read-back for tests ----------------------------------------------
    def community_values(self, chart: str) -> list[float]:
        """Bar lengths top to bottom ("residents" or "staff")."""
        return self._charts.community_values(chart)

    def community_names(self) -> list[str]:
        return self._charts.community_names()

    def trend_values(self) -> list[float]:
        return self._charts.trend_values()

    def training_values(self) -> list[float]:
        return self._charts.training_values()
