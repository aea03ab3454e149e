"""The main window: navigation on the left, one page at a time on the right.

Pages register in ``PAGES`` with a stable English name (used by the
``screenshot`` command and tests), a Chinese title and a factory.
"""

from __future__ import annotations

from collections.abc import Callable
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


def _dashboard_page(db: Database, parent: QWidget) -> QWidget:
    from gridadmin.ui.pages.dashboard_page import DashboardPage

    return DashboardPage(db, parent)


def _grids_page(db: Database, parent: QWidget) -> QWidget:
    from gridadmin.ui.pages.grids_page import GridsPage

    return GridsPage(db, parent)


def _roster_page(db: Database, parent: QWidget) -> QWidget:
    from gridadmin.ui.pages.roster_page import RosterPage

    return RosterPage(db, parent)


def _training_page(db: Database, parent: QWidget) -> QWidget:
    from gridadmin.ui.pages.training_page import TrainingPage

    return TrainingPage(db, parent)


def _residents_page(db: Database, parent: QWidget) -> QWidget:
    from gridadmin.ui.pages.residents_page import ResidentsPage

    return ResidentsPage(db, parent)


def _import_page(db: Database, parent: QWidget) -> QWidget:
    from gridadmin.ui.pages.import_page import ImportPage

    return ImportPage(db, parent)


def _reports_page(db: Database, parent: QWidget) -> QWidget:
    from gridadmin.ui.pages.reports_page import ReportsPage

    return ReportsPage(db, parent)


def _settings_page(db: Database, parent: QWidget) -> QWidget:
    from gridadmin.ui.pages.settings_page import SettingsPage

    return SettingsPage(db, parent, on_restored=getattr(parent, "reload", None))


def _audit_page(db: Database, parent: QWidget) -> QWidget:
    from gridadmin.ui.pages.audit_page import AuditPage

    return AuditPage(db, parent)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("dashboard", "首页概览", QStyle.StandardPixmap.SP_ComputerIcon, _dashboard_page),
    PageSpec("grids", "网格管理", QStyle.StandardPixmap.SP_DirOpenIcon, _grids_page),
    PageSpec("roster", "人员花名册", QStyle.StandardPixmap.SP_FileDialogDetailedView, _roster_page),
    PageSpec("training", "培训管理", QStyle.StandardPixmap.SP_FileDialogInfoView, _training_page),
    PageSpec("residents", "人口信息", QStyle.StandardPixmap.SP_FileDialogListView, _residents_page),
    PageSpec("import", "数据导入", QStyle.StandardPixmap.SP_ArrowDown, _import_page),
    PageSpec("reports", "报表打印", QStyle.StandardPixmap.SP_FileDialogStart, _reports_page),
    PageSpec("settings", "系统设置", QStyle.StandardPixmap.SP_FileDialogContentsView, _settings_page),
    PageSpec("audit", "操作日志", QStyle.StandardPixmap.SP_FileDialogDetailedView, _audit_page),
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
