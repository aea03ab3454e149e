"""Application start-up: QApplication, bundled font, Chinese translations,
choosing the database, the main window."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QMessageBox, QPushButton

from gridadmin import APP_NAME, APP_TITLE, __version__
from gridadmin.paths import resource
from gridadmin.ui.shell.pc_settings import backup_folder

FONT_FILE = ("fonts", "wqy-microhei.ttc")
_translators: list[QTranslator] = []


def create_application(argv: list[str] | None = None) -> QApplication:
    """Return the QApplication (created once), with the bundled CJK font as
    default font and Qt's own zh_CN translations installed, so standard
    buttons and file dialogs are Chinese on any PC."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    if not app.property("gridadmin_ready"):
        app.setProperty("gridadmin_ready", True)
        app.setOrganizationName(APP_NAME)
        app.setApplicationName(APP_NAME)
        app.setApplicationDisplayName(APP_TITLE)
        app.setApplicationVersion(__version__)
        install_font(app)
        install_translations(app)
        app.setWindowIcon(app_icon())
        install_save_shortcut(app)
    return app


class SaveShortcut(QObject):
    """Ctrl+S in any dialog presses its 保存 button: the Save (or Apply)
    button of a QDialogButtonBox, else a push button whose text starts
    with 保存.

    Each dialog gets a ``QShortcut`` of its own the first time focus enters
    it (``QApplication.focusChanged``: a Python call per focus change). It
    used to be an event filter on the application, which ran Python for
    every event of the GUI thread — wrapping each receiver and event,
    queued signals from worker threads included — and was on the main
    thread's stack when the first-run demo job crashed (issue 19)."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old, now) -> None:
        window = now.window() if now is not None else None
        if isinstance(window, QDialog) and not window.property("gridadmin_save_key"):
            window.setProperty("gridadmin_save_key", True)
            shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), window)
            # a slot of this object, not a lambda holding the dialog (that would keep it alive)
            shortcut.activated.connect(self._activated)

    @Slot()
    def _activated(self) -> None:
        shortcut = self.sender()
        window = shortcut.parent() if isinstance(shortcut, QShortcut) else None
        if isinstance(window, QDialog):
            press_save(window)


def press_save(dialog: QDialog) -> bool:
    """Click the dialog's visible, enabled save button; False if none."""
    for box in dialog.findChildren(QDialogButtonBox):
        for which in (QDialogButtonBox.StandardButton.Save, QDialogButtonBox.StandardButton.Apply):
            button = box.button(which)
            if button is not None and button.isVisible() and button.isEnabled():
                button.click()
                return True
    for button in dialog.findChildren(QPushButton):
        if button.text().replace("&", "").startswith("保存") and button.isVisible() and button.isEnabled():
            button.click()
            return True
    return False


def install_save_shortcut(app: QApplication) -> None:
    SaveShortcut(app)  # a child of the application, kept by it


def install_font(app: QApplication) -> str | None:
    """Register the bundled WenQuanYi Micro Hei and make it the default."""
    font_id = QFontDatabase.addApplicationFont(str(resource(*FONT_FILE)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    font = QFont(families[0])
    font.setPointSize(10)
    app.setFont(font)
    return families[0]


def install_translations(app: QApplication) -> None:
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN",):
        translator = QTranslator(app)
        if translator.load(name, path):
            app.installTranslator(translator)
            _translators.append(translator)


def main(argv: list[str] | None = None) -> int:
    """``python main.py [--db URL_OR_FILE]``: open the database given, the
    last one used, or ask the user to create or open one."""
    parser = argparse.ArgumentParser(prog="GridAdmin", description=APP_TITLE)
    parser.add_argument("--db", help="数据库文件路径或 SQLAlchemy URL（默认：上次打开的数据库）")
    parser.add_argument("--version", action="version", version=f"GridAdmin {__version__}")
    parser.add_argument("backup_file", nargs="?", help="备份文件（双击 .gadb 文件时）：打开后提示从它恢复")
    args, qt_args = parser.parse_known_args(argv if argv is not None else sys.argv[1:])
    app = create_application([sys.argv[0], *qt_args])
    from gridadmin.logs import owner_only_files

    owner_only_files()  # databases, backups, exports, reports, logs: the owner's only (POSIX)

    from gridadmin.ui.shell.main_window import MainWindow

    install_excepthook()
    db = open_and_log_in(args.db)
    if db is None:
        return 0
    from gridadmin.services.register.tallies import fold_committed

    fold_committed(db)  # PostgreSQL: the stored counts' pending changes (a short transaction)
    window = MainWindow(db)
    window.restore_placement()
    window.show()
    start_daily_check(db, window)
    if args.backup_file:
        offer_restore(window, args.backup_file)
    code = app.exec()
    db.dispose()
    return code


def offer_restore(window, path: str) -> None:
    """A backup file was double-clicked (the installer associates .gadb
    files): show 系统设置 → 备份与恢复 and offer to restore from it, verified
    and confirmed as any restore is. Users who may not restore are told so."""
    from PySide6.QtCore import QTimer

    from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting

    page = window.show_page("settings")
    page.tabs.setCurrentWidget(page.backup_tab)
    if not acting(window.db).can(MANAGE_SETTINGS):
        QMessageBox.information(window, APP_TITLE, QCoreApplication.translate(
            "App", "只有管理员可以从备份文件恢复数据库。"))
        return
    QTimer.singleShot(0, lambda: page.backup_tab.restore(path))


def open_and_log_in(db_arg: str | None = None, parent=None):
    """The database to work on, bound to the logged-in user, or None when
    the user gave up. With an empty data folder (nothing given, no last
    database, no database file) the first-run wizard creates the database
    and its administrator, and no log-in follows; otherwise the start
    dialog / last database, then the log-in."""
    from gridadmin.ui.shell.first_run import needs_first_run, run_first_run
    from gridadmin.ui.shell.start_dialog import choose_database, remember

    if needs_first_run(db_arg):
        db = run_first_run(parent)
        if db is not None:
            remember(db)
        return db
    db = choose_database(db_arg, parent)
    if db is None:
        return None
    from gridadmin.ui.shell.login import log_in

    user_db = log_in(db, parent)
    if user_db is None:
        db.dispose()
    return user_db


def app_icon():
    """The application icon (all sizes found in resources/icons)."""
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        path = resource("icons", f"gridadmin_{size}.png")
        if path.exists():
            icon.addFile(str(path))
    main_icon = resource("icons", "gridadmin.png")
    if main_icon.exists():
        icon.addFile(str(main_icon))
    return icon


class DamageReport(QObject):
    """Carries a background check's finding to the GUI thread."""

    damaged = Signal(str)


def start_daily_check(db, window):
    """After the window is shown, once a day: check the SQLite file, then
    make today's automatic backup, in a background thread (WAL: the app
    works meanwhile). Damage is shown to the user (Chinese) and the damaged
    file is not backed up. Returns the thread (None for PostgreSQL)."""
    import logging
    import threading

    from gridadmin.db import sqlite_path
    from gridadmin.services.maintenance.integrity import daily_check_and_backup

    if sqlite_path(db.url) is None:
        return None
    folder = backup_folder(db)
    report = DamageReport(window)  # lives in the GUI thread; its signal is queued there
    report.damaged.connect(lambda message: QMessageBox.critical(window, APP_TITLE, message))

    def work() -> None:
        log = logging.getLogger("gridadmin")
        try:
            check, made = daily_check_and_backup(db, folder)
        except Exception:  # noqa: BLE001 - a failed backup must not stop the app; it is logged
            log.exception("automatic check and backup failed")
            return
        if check is not None and not check.ok:
            log.error("the database file failed its check: %s", check.message)
            report.damaged.emit(check.message)
        elif made is not None:
            log.info("automatic backup %s", made)

    thread = threading.Thread(target=work, name="daily-check", daemon=True)
    thread.start()
    return thread


_open_windows: list = []  # the main windows opened after a return to the login
_returning = False


def return_to_login(message: str) -> None:
    """The logged-in user was deactivated (``AccountDisabledError`` from any
    action): say so, close the main window and ask for a log-in again; a
    successful log-in opens a new main window, giving up quits."""
    global _returning
    if _returning:
        return
    _returning = True
    try:
        from dataclasses import replace

        from PySide6.QtWidgets import QApplication

        from gridadmin.ui.shell.login import log_in
        from gridadmin.ui.shell.main_window import MainWindow

        QMessageBox.warning(None, APP_TITLE, message)
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            return
        db = replace(windows[0].db, actor=None)
        app = QApplication.instance()
        quit_on_close = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)  # the main window is hidden while the log-in is open
        try:
            for window in windows:
                window.hide()
            user_db = log_in(db)
        finally:
            app.setQuitOnLastWindowClosed(quit_on_close)
        for window in windows:
            window.close()
            window.deleteLater()
            if window in _open_windows:
                _open_windows.remove(window)
        if user_db is None:
            QApplication.quit()
            return
        window = MainWindow(user_db)
        _open_windows.append(window)
        window.show()
    finally:
        _returning = False


def install_excepthook() -> None:
    """Show an unexpected error to the user instead of dying silently; the
    traceback goes to the log file in the data folder for support. Neither
    carries personal data: the log's lines and the dialog's text are
    scrubbed (``scrub_personal_data``), the engines hide statement
    parameters."""
    import logging
    import traceback

    from gridadmin.logs import setup_logging
    from gridadmin.services.common.errors import scrub_personal_data

    log_path = setup_logging()

    def hook(exc_type, exc, tb):
        from gridadmin.services.access.permissions import AccountDisabledError

        if isinstance(exc, AccountDisabledError):
            return_to_login(str(exc))
            return
        logging.getLogger("gridadmin").error("".join(traceback.format_exception(exc_type, exc, tb)))
        QMessageBox.critical(None, APP_TITLE, QCoreApplication.translate(
            "App", "程序遇到意外错误，刚才的操作可能没有完成：\n{error}\n\n详细信息已记录在 {path}").format(
            error=scrub_personal_data(exc), path=log_path))

    sys.excepthook = hook
