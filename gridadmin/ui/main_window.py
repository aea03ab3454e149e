"""The main window: navigation on the left, one page at a time on the right.

Pages register in ``PAGES`` with a stable English name (used by the
``screenshot`` command and tests), a Chinese title and a factory.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QMessageBox,
    QStackedWidget, QStyle, QWidget,
)

from gridadmin import APP_TITLE, __version__
from gridadmin.db import Database
from gridadmin.services.access import acting
from gridadmin.services.setup import township_of_database

# Every page name the application knows, in navigation order. Names not in
# PAGES are planned pages that do not exist yet.
ALL_PAGE_NAMES = ("dashboard", "grids", "roster", "training", "households", "residents", "import",
                  "reports", "settings", "audit")


@dataclass(frozen=True)
class PageSpec:
    name: str
    title: str
    icon: QStyle.StandardPixmap
    factory: Callable[[Database, QWidget], QWidget]


def _page(module: str, cls: str) -> Callable[[Database, QWidget], QWidget]:
    """A factory importing ``gridadmin.ui.pages.<module>`` only when the page
    is first shown (start-up does not pay for pages never opened)."""
    def build(db: Database, parent: QWidget) -> QWidget:
        return getattr(import_module(f"gridadmin.ui.pages.{module}"), cls)(db, parent)

    return build


PAGES: tuple[PageSpec, ...] = (
    PageSpec("dashboard", "首页概览", QStyle.StandardPixmap.SP_ComputerIcon, _page("dashboard_page", "DashboardPage")),
    PageSpec("grids", "网格管理", QStyle.StandardPixmap.SP_DirOpenIcon, _page("grids_page", "GridsPage")),
    PageSpec("roster", "人员花名册", QStyle.StandardPixmap.SP_FileDialogDetailedView, _page("roster_page", "RosterPage")),
    PageSpec("training", "培训管理", QStyle.StandardPixmap.SP_FileDialogInfoView, _page("training_page", "TrainingPage")),
    PageSpec("residents", "人口信息", QStyle.StandardPixmap.SP_FileDialogListView, _page("residents_page", "ResidentsPage")),
    PageSpec("import", "数据导入", QStyle.StandardPixmap.SP_ArrowDown, _page("import_page", "ImportPage")),
    PageSpec("reports", "报表打印", QStyle.StandardPixmap.SP_FileDialogStart, _page("reports_page", "ReportsPage")),
    PageSpec("settings", "系统设置", QStyle.StandardPixmap.SP_FileDialogContentsView, _page("settings_page", "SettingsPage")),
    PageSpec("audit", "操作日志", QStyle.StandardPixmap.SP_FileDialogDetailedView, _page("audit_page", "AuditPage")),
)


def page_names() -> list[str]:
    return [spec.name for spec in PAGES]


class MainWindow(QMainWindow):
    """Navigation list + stacked pages; pages are built on first visit."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        township = township_of_database(db)
        self.township_name = township[1] if township else ""
        self.setWindowTitle(f"{APP_TITLE} — {self.township_name}" if self.township_name else APP_TITLE)
        self.resize(1280, 800)
        self._pages: dict[str, QWidget] = {}

        self.nav = QListWidget()
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(150)
        self.nav.setStyleSheet("QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px 6px; }")
        style = QApplication.style()
        for spec in PAGES:
            item = QListWidgetItem(style.standardIcon(spec.icon), self.tr(spec.title))
            item.setData(Qt.ItemDataRole.UserRole, spec.name)
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(lambda row: self.show_page(PAGES[row].name))
        self._build_menu()
        actor = acting(db)
        if actor.user_id is not None:
            self.statusBar().addPermanentWidget(QLabel(self.tr("当前用户：{name}（{roles}）").format(
                name=actor.display_name, roles=actor.role_labels)))
        self.statusBar().addPermanentWidget(QLabel(self.tr("数据库：") + db.display_location))
        self.show_page(PAGES[0].name)

    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        switch_action = QAction(self.tr("新建或打开数据库(&O)…"), self)
        switch_action.setShortcut(QKeySequence.StandardKey.Open)
        switch_action.triggered.connect(self.switch_database)
        file_menu.addAction(switch_action)
        if acting(self.db).user_id is not None:
            password_action = QAction(self.tr("修改密码(&P)…"), self)
            password_action.triggered.connect(self.change_password)
            file_menu.addAction(password_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("退出(&X)"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        about = QAction(self.tr("关于(&A)"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def switch_database(self) -> "MainWindow | None":
        """Let the user create or open another database; on success a new
        main window replaces this one. Returns the new window."""
        from gridadmin.ui.start_dialog import StartDialog, remember

        dialog = StartDialog(self)
        if dialog.exec() != StartDialog.DialogCode.Accepted or dialog.database is None:
            return None
        from gridadmin.ui.login import log_in

        remember(dialog.database)
        database = dialog.database if self.db.actor is None else log_in(dialog.database, self)
        if database is None:
            dialog.database.dispose()
            return None
        window = MainWindow(database)
        window.setGeometry(self.geometry())
        window.show()
        self.close()
        self.db.dispose()
        return window

    def reload(self) -> "MainWindow":
        """Rebuild the window on the same database (after a restore)."""
        window = MainWindow(self.db)
        window.setGeometry(self.geometry())
        window.show()
        self.close()
        return window

    def change_password(self) -> None:
        from gridadmin.ui.login import ChangePasswordDialog

        if ChangePasswordDialog(self.db, self).exec() == ChangePasswordDialog.DialogCode.Accepted:
            QMessageBox.information(self, APP_TITLE, self.tr("密码已修改。"))

    def show_page(self, name: str) -> QWidget:
        """Show the page ``name`` (building it on first use); KeyError if the
        page does not exist."""
        spec = next((s for s in PAGES if s.name == name), None)
        if spec is None:
            raise KeyError(name)
        page = self._build_page(spec)
        self.stack.setCurrentWidget(page)
        row = page_names().index(name)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        return page

    def open_list_for_area(self, name: str, area_id: int) -> None:
        """Show the roster or residents list filtered to one area."""
        page = self.show_page(name)
        if hasattr(page, "show_area"):
            page.show_area(area_id)

    def page(self, name: str) -> QWidget | None:
        """The page ``name`` (built now if not yet visited, without showing
        it); None if no such page exists."""
        spec = next((s for s in PAGES if s.name == name), None)
        return None if spec is None else self._build_page(spec)

    def _build_page(self, spec: PageSpec) -> QWidget:
        page = self._pages.get(spec.name)
        if page is None:
            page = spec.factory(self.db, self)
            self._pages[spec.name] = page
            if hasattr(page, "open_list"):
                page.open_list.connect(self.open_list_for_area)
            if hasattr(page, "open_page"):
                page.open_page.connect(self._open_page)
            self.stack.addWidget(page)
        return page

    def _open_page(self, name: str) -> None:
        """Show a page asked for by another page (ignored if it does not exist)."""
        if name in page_names():
            self.show_page(name)

    def show_about(self) -> None:
        QMessageBox.about(
            self, self.tr("关于"),
            f"<h3>{APP_TITLE}</h3><p>GridAdmin {__version__}</p>"
            "<p>字体：文泉驿微米黑（Apache-2.0）<br>区划代码：统计用区划代码（modood/Administrative-divisions-of-China，WTFPL）"
            "</p>",
        )
