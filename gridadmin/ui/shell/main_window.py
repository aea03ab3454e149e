"""The main window: navigation on the left, one page at a time on the right.

Pages register in ``PAGES`` with a stable English name (used by the
``screenshot`` command and tests), a Chinese title and a factory.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QRect, QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton, QApplication, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMainWindow,
    QMessageBox, QStackedWidget, QStyle, QTabWidget, QWidget,
)

from gridadmin import APP_TITLE
from gridadmin.db import Database
from gridadmin.services.access.permissions import acting
from gridadmin.services.areas.setup import township_of_database


@dataclass(frozen=True)
class PageSpec:
    name: str
    title: str
    icon: QStyle.StandardPixmap
    factory: Callable[[Database, QWidget], QWidget]


def _page(module: str, cls: str) -> Callable[[Database, QWidget], QWidget]:
    """A factory importing ``gridadmin.ui.<module>`` (``domain.page_module``)
    only when the page is first shown (start-up does not pay for pages never
    opened)."""
    def build(db: Database, parent: QWidget) -> QWidget:
        return getattr(import_module(f"gridadmin.ui.{module}"), cls)(db, parent)

    return build


PAGES: tuple[PageSpec, ...] = (
    PageSpec("dashboard", "首页概览", QStyle.StandardPixmap.SP_ComputerIcon, _page("reports.dashboard_page", "DashboardPage")),
    PageSpec("grids", "网格管理", QStyle.StandardPixmap.SP_DirOpenIcon, _page("areas.grids_page", "GridsPage")),
    PageSpec("roster", "人员花名册", QStyle.StandardPixmap.SP_FileDialogDetailedView, _page("roster.roster_page", "RosterPage")),
    PageSpec("training", "培训管理", QStyle.StandardPixmap.SP_FileDialogInfoView, _page("training.training_page", "TrainingPage")),
    PageSpec("residents", "人口信息", QStyle.StandardPixmap.SP_FileDialogListView, _page("register.residents_page", "ResidentsPage")),
    PageSpec("import", "数据导入", QStyle.StandardPixmap.SP_ArrowDown, _page("importing.import_page", "ImportPage")),
    PageSpec("reports", "报表打印", QStyle.StandardPixmap.SP_FileDialogStart, _page("reports.reports_page", "ReportsPage")),
    PageSpec("settings", "系统设置", QStyle.StandardPixmap.SP_FileDialogContentsView, _page("settings.settings_page", "SettingsPage")),
    PageSpec("audit", "操作日志", QStyle.StandardPixmap.SP_FileDialogDetailedView, _page("access.audit_page", "AuditPage")),
    PageSpec("reminders", "待办提醒", QStyle.StandardPixmap.SP_MessageBoxInformation,
             _page("register.reminders_page", "RemindersPage")),
)


def page_titles() -> dict[str, str]:
    """The translated page titles (literal so pyside6-lupdate sees them)."""
    t = QCoreApplication.translate
    return {"dashboard": t("MainWindow", "首页概览"), "grids": t("MainWindow", "网格管理"),
            "roster": t("MainWindow", "人员花名册"), "training": t("MainWindow", "培训管理"),
            "residents": t("MainWindow", "人口信息"), "import": t("MainWindow", "数据导入"),
            "reports": t("MainWindow", "报表打印"), "settings": t("MainWindow", "系统设置"),
            "audit": t("MainWindow", "操作日志"), "reminders": t("MainWindow", "待办提醒")}


def page_names() -> list[str]:
    return [spec.name for spec in PAGES]


PREFERRED_SIZE = QSize(1280, 800)  # when the screen has room for it and nothing was saved
MIN_VISIBLE = 120  # px of a saved window's title bar that must lie on a screen to restore it there


def fit_on_screens(saved: QRect | None, areas: list[QRect]) -> QRect | None:
    """``saved`` (a window's last normal geometry) moved and shrunk into
    the available area of the screen showing most of it, or None when no
    screen shows enough of its top edge to grab it (a monitor since
    unplugged, a resolution since lowered): the caller then opens the
    window afresh."""
    if saved is None or not saved.isValid():
        return None
    best, best_area = None, 0
    for area in areas:
        top_edge = area.intersected(QRect(saved.left(), saved.top(), saved.width(), 24))
        if top_edge.width() < min(MIN_VISIBLE, saved.width()) or top_edge.height() <= 0:
            continue
        shown = area.intersected(saved)
        if shown.width() * shown.height() > best_area:
            best, best_area = area, shown.width() * shown.height()
    if best is None:
        return None
    width, height = min(saved.width(), best.width()), min(saved.height(), best.height())
    left = min(max(saved.left(), best.left()), best.right() + 1 - width)
    top = min(max(saved.top(), best.top()), best.bottom() + 1 - height)
    return QRect(left, top, width, height)


def _rect_setting(value) -> QRect | None:
    """A QRect kept as "x,y,width,height" (None when missing or unreadable)."""
    if isinstance(value, QRect):
        return value
    try:
        x, y, w, h = (int(part) for part in str(value or "").split(","))
    except ValueError:
        return None
    return QRect(x, y, w, h)


class MainWindow(QMainWindow):
    """Navigation list + stacked pages; pages are built on first visit."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        township = township_of_database(db)
        self.township_name = township[1] if township else ""
        self.setWindowTitle(APP_TITLE)
        self._fit_default_size()
        self._pages: dict[str, QWidget] = {}
        self._page_shortcuts: dict[int, dict] = {}

        self.nav = QListWidget()
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(150)
        self.nav.setStyleSheet("QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px 6px; }")
        style = QApplication.style()
        titles = page_titles()
        for spec in PAGES:
            item = QListWidgetItem(style.standardIcon(spec.icon), titles.get(spec.name, spec.title))
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

    # -- size and place on the screen ---------------------------------------
    def _screen_area(self) -> QRect:
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def _fit_default_size(self) -> None:
        """1280x800, or less on a smaller screen (a 1366x768 laptop, a
        1024x768 office PC): never taller or wider than the screen's free
        area (without the taskbar)."""
        area = self._screen_area()
        size = PREFERRED_SIZE.boundedTo(QSize(area.width(), area.height()))
        self.resize(size)

    def restore_placement(self) -> bool:
        """Put the window where it was when last closed on this PC, if that
        is still on a screen (shrunk to fit it); otherwise (first start, or
        the screen has gone) fill the screen's free area, maximised. True
        when a saved placement was used."""
        from gridadmin.ui.shell.pc_settings import SETTINGS_WINDOW_GEOMETRY, SETTINGS_WINDOW_MAXIMISED, app_settings

        settings = app_settings()
        saved = fit_on_screens(_rect_setting(settings.value(SETTINGS_WINDOW_GEOMETRY)),
                               [screen.availableGeometry() for screen in QGuiApplication.screens()])
        if saved is None:
            area = self._screen_area()
            self.setGeometry(QRect(area.topLeft(), QSize(area.width(), area.height())))
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
            return False
        self.setGeometry(saved)
        if str(settings.value(SETTINGS_WINDOW_MAXIMISED, "false")).lower() in ("true", "1"):
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        return True

    def save_placement(self) -> None:
        """Remember the window's normal geometry and whether it is maximised."""
        from gridadmin.ui.shell.pc_settings import SETTINGS_WINDOW_GEOMETRY, SETTINGS_WINDOW_MAXIMISED, app_settings

        maximised = self.isMaximized()
        rect = self.normalGeometry() if maximised or self.isFullScreen() else self.geometry()
        if not rect.isValid():  # maximised from the start: it never had a normal size
            rect = self.geometry()
        settings = app_settings()
        settings.setValue(SETTINGS_WINDOW_GEOMETRY, f"{rect.x()},{rect.y()},{rect.width()},{rect.height()}")
        settings.setValue(SETTINGS_WINDOW_MAXIMISED, "true" if maximised else "false")
        settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.isVisible():
            self.save_placement()
        super().closeEvent(event)

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
        edit_menu = self.menuBar().addMenu(self.tr("编辑(&E)"))
        for text, key, handler in ((self.tr("查找(&F)"), QKeySequence.StandardKey.Find, self.focus_search),
                                   (self.tr("新增(&N)"), QKeySequence.StandardKey.New, self.new_item),
                                   (self.tr("打印(&P)…"), QKeySequence.StandardKey.Print, self.print_current)):
            action = QAction(text, self)
            action.setShortcut(key)
            action.triggered.connect(handler)
            edit_menu.addAction(action)
        go_menu = self.menuBar().addMenu(self.tr("转到(&G)"))
        titles = page_titles()
        for number, spec in enumerate(PAGES[:9], start=1):
            action = QAction(titles.get(spec.name, spec.title), self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, name=spec.name: self.show_page(name))
            go_menu.addAction(action)
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        manual = QAction(self.tr("使用手册(&M)"), self)
        manual.setShortcut(QKeySequence.StandardKey.HelpContents)
        manual.triggered.connect(self.show_manual)
        help_menu.addAction(manual)
        about = QAction(self.tr("关于(&A)"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def show_manual(self):
        """Open the user manual at the current page's section (F1)."""
        from gridadmin.ui.shell.manual import show_manual

        row = self.nav.currentRow()
        section = page_titles().get(PAGES[row].name) if 0 <= row < len(PAGES) else None
        return show_manual(self, section)

    def switch_database(self) -> "MainWindow | None":
        """Let the user create or open another database; on success a new
        main window replaces this one. Returns the new window."""
        from gridadmin.ui.shell.start_dialog import StartDialog, remember

        dialog = StartDialog(self)
        if dialog.exec() != StartDialog.DialogCode.Accepted or dialog.database is None:
            return None
        from gridadmin.ui.shell.login import log_in

        remember(dialog.database)
        database = dialog.database if self.db.actor is None else log_in(dialog.database, self)
        if database is None:
            dialog.database.dispose()
            return None
        window = MainWindow(database)
        self.save_placement()
        window.restore_placement()
        window.show()
        self.close()
        self.db.dispose()
        return window

    def reload(self) -> "MainWindow":
        """Rebuild the window on the same database (after a restore)."""
        window = MainWindow(self.db)
        self.save_placement()
        window.restore_placement()
        window.show()
        self.close()
        return window

    def change_password(self) -> None:
        from gridadmin.ui.shell.login import ChangePasswordDialog

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
        self._update_title(name)
        row = page_names().index(name)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        return page

    def _update_title(self, name: str) -> None:
        """"页面 — 乡镇 — 网格中心管理系统": the program's name once, last (Qt
        appends the application's display name to a title not ending with it)."""
        parts = [page_titles().get(name, name), self.township_name, APP_TITLE]
        self.setWindowTitle(" — ".join(p for p in parts if p))

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
            self._adopt_shortcuts(page)
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

    # -- keyboard: Ctrl+F / Ctrl+N / Ctrl+P on the current page -----------
    def _page_targets(self) -> list[QWidget]:
        """The current page and, for a page with tabs, its current tab."""
        page = self.stack.currentWidget()
        targets = [page] if page is not None else []
        tabs = getattr(page, "tabs", None)
        if isinstance(tabs, QTabWidget) and tabs.currentWidget() is not None:
            targets.insert(0, tabs.currentWidget())
        return targets

    def _page_shortcut(self, kind: str) -> bool:
        """Fire the current page's own shortcut for ``kind`` (taken over
        from the page in ``_adopt_shortcuts``); False if it has none."""
        shortcut = self._page_shortcuts.get(id(self.stack.currentWidget()), {}).get(kind)
        if shortcut is None:
            return False
        shortcut.activated.emit()
        return True

    def _adopt_shortcuts(self, page: QWidget) -> None:
        """A page's own Ctrl+F/N/P shortcuts would be ambiguous with the
        window's; they are switched off and fired by the window instead."""
        keys = {"search": QKeySequence(QKeySequence.StandardKey.Find),
                "new": QKeySequence(QKeySequence.StandardKey.New),
                "print": QKeySequence(QKeySequence.StandardKey.Print)}
        adopted = {}
        for shortcut in page.findChildren(QShortcut):
            for kind, key in keys.items():
                if shortcut.key() == key:
                    shortcut.setEnabled(False)
                    adopted[kind] = shortcut
        self._page_shortcuts[id(page)] = adopted

    def _page_call(self, kind: str, method: str, buttons: tuple[str, ...]) -> bool:
        """The page's own shortcut, else the page's (or current tab's)
        ``method``, else a click on its first visible, enabled button among
        ``buttons``."""
        if self._page_shortcut(kind):
            return True
        for target in self._page_targets():
            handler = getattr(target, method, None)
            if callable(handler):
                handler()
                return True
            for name in buttons:
                button = getattr(target, name, None)
                if isinstance(button, QAbstractButton) and button.isVisible() and button.isEnabled():
                    button.click()
                    return True
        return False

    def focus_search(self) -> bool:
        """Ctrl+F: focus the current page's search box (its own shortcut,
        ``focus_search()``, a ``search`` line edit, or a line edit whose
        hint mentions 搜索)."""
        if self._page_shortcut("search"):
            return True
        for target in self._page_targets():
            handler = getattr(target, "focus_search", None)
            if callable(handler):
                handler()
                return True
            edits = [getattr(target, "search", None)] + target.findChildren(QLineEdit)
            for edit in edits:
                if isinstance(edit, QLineEdit) and edit.isVisible() and edit.isEnabled() and (
                        edit is getattr(target, "search", None) or "搜索" in edit.placeholderText()):
                    edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
                    edit.selectAll()
                    return True
        return False

    def new_item(self) -> bool:
        """Ctrl+N: the current page's 新增/新建 action."""
        return self._page_call("new", "new_item", ("add_button", "new_button"))

    def print_current(self) -> bool:
        """Ctrl+P: the current page's print action."""
        return self._page_call("print", "print_current", ("print_button",))

    def show_about(self) -> None:
        from gridadmin.ui.shell.about import AboutDialog
        from gridadmin.ui.common.widgets import run_dialog

        run_dialog(AboutDialog(self.db.display_location, self))
