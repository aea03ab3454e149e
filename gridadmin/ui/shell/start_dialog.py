"""Choosing the database at start: the one given, the last one used, or a
new one (township from the official list), a demo one, or an existing file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QMessageBox, QPushButton, QTabWidget, QVBoxLayout, QWidget,
)

from gridadmin import APP_TITLE
from gridadmin.db import (
    Database, DatabaseCorruptError, DatabaseUpgradeNeeded, DatabaseVersionError, open_database, sqlite_path,
)
from gridadmin.credentials import completed, needs_password, split_password, stored_location, with_password
from gridadmin.paths import data_dir
from gridadmin.services.areas import divisions
from gridadmin.services.maintenance.backup import newest_verified_backup, pg_dump_advice, restore_damaged, upgrade_with_backup
from gridadmin.services.common.errors import ServiceError, describe_db_error, scrub_personal_data
from gridadmin.services.areas.setup import init_township, township_of_database
from gridadmin.ui.shell.pc_settings import SETTINGS_LAST_DB, app_settings
from gridadmin.ui.common.jobs import run_job
from gridadmin.ui.shell.township_picker import TownshipPicker

translate = QCoreApplication.translate  # module-level texts are in the "StartDialog" context


def db_filter() -> str:
    """The file-dialog filter for database files."""
    return translate("StartDialog", "网格中心数据库 (*.db *.sqlite);;所有文件 (*)")


def choose_database(db_arg: str | None, parent: QWidget | None = None) -> Database | None:
    """Open ``db_arg``, else the last database, else ask. None if the user
    gives up. A database without a township asks for one."""
    migrate_saved_location()
    candidate = db_arg or app_settings().value(SETTINGS_LAST_DB, "")
    if candidate and ("://" in candidate or Path(candidate).exists() or db_arg):
        candidate = with_asked_password(candidate, parent)
    else:
        candidate = None
    if candidate:
        db = try_open(candidate, parent)
        if db is not None and township_of_database(db) is None:
            db = _init_empty(db, parent)
        if db is not None:
            remember(db)
            return db
    dialog = StartDialog(parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.database is None:
        return None
    remember(dialog.database)
    return dialog.database


def try_open(location: str, parent: QWidget | None) -> Database | None:
    """Open a database, explaining in Chinese why when it cannot be opened.

    A newer database is refused; an older one is upgraded only after the
    user agrees and a backup is made (``offer_upgrade``); a damaged SQLite
    file offers a restore from the newest verified backup
    (``offer_restore``). None when nothing was opened."""
    try:
        return open_database(location, confirm_upgrade=True)
    except DatabaseVersionError as exc:
        QMessageBox.critical(parent, APP_TITLE, str(exc))
    except DatabaseUpgradeNeeded as exc:
        if offer_upgrade(exc, parent):
            return try_open(location, parent)
    except DatabaseCorruptError as exc:
        if offer_restore(exc, parent):
            return try_open(location, parent)
    except Exception as exc:  # noqa: BLE001 - any driver error is shown to the user
        mapped = describe_db_error(exc)
        detail = mapped.message if mapped else scrub_personal_data(exc)
        QMessageBox.critical(parent, APP_TITLE, translate("StartDialog", "无法打开数据库“{location}”：\n{detail}")
                             .format(location=location, detail=detail))
    return None


def backup_folder() -> Path:
    """The folder of automatic, pre-upgrade and safety backups (before a
    database is open: the one last set on this PC, see ``app.backup_folder``)."""
    from gridadmin.ui.shell.pc_settings import backup_folder as folder

    return folder()


def offer_upgrade(need: DatabaseUpgradeNeeded, parent: QWidget | None) -> bool:
    """Ask to upgrade an older database; SQLite is backed up first into the
    backup folder, for PostgreSQL the administrator confirms a pg_dump
    backup. True when the database was upgraded."""
    path = sqlite_path(need.url)
    if path is not None:
        question = QCoreApplication.translate(
            "StartDialog", "{need}\n\n升级前会先把数据库完整备份到：\n{folder}\n\n"
            "现在备份并升级吗？（升级后，较早版本的程序将不能再打开此数据库。）").format(need=need, folder=backup_folder())
    else:
        question = translate("StartDialog", "{need}\n\n{advice}\n\n已经备份好，现在升级吗？").format(
            need=need, advice=pg_dump_advice(need.url))
    answer = QMessageBox.question(parent, APP_TITLE, question)
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        result = upgrade_with_backup(need.url, backup_folder())
    except ServiceError as exc:
        QMessageBox.critical(parent, APP_TITLE,
                             translate("StartDialog", "没有升级：{message}").format(message=exc.message))
        return False
    except Exception as exc:  # noqa: BLE001 - a failed upgrade is rolled back and shown
        mapped = describe_db_error(exc)
        QMessageBox.critical(parent, APP_TITLE, translate("StartDialog", "升级失败，数据库保持原样：\n{detail}")
                             .format(detail=mapped.message if mapped else exc))
        return False
    saved = translate("StartDialog", "\n升级前的备份：{path}").format(path=result.backup) \
        if result.backup else ""
    QMessageBox.information(parent, APP_TITLE, QCoreApplication.translate(
        "StartDialog", "数据库已从版本 {old} 升级到 {new}。{saved}").format(
        old=result.old_revision, new=result.new_revision, saved=saved))
    return True


def offer_restore(damage: DatabaseCorruptError, parent: QWidget | None) -> bool:
    """Tell the user the file is damaged and offer the newest verified
    backup; the damaged file is kept in the backup folder. True when it
    was restored."""
    found = newest_verified_backup(backup_folder())
    if found is None:
        QMessageBox.critical(parent, APP_TITLE, QCoreApplication.translate(
            "StartDialog", "{damage}\n\n在备份文件夹 {folder} 中没有找到可用的备份。请联系技术支持，不要删除该文件。")
            .format(damage=damage, folder=backup_folder()))
        return False
    backup, check = found
    modified = datetime.fromtimestamp(backup.stat().st_mtime)
    answer = QMessageBox.question(
        parent, APP_TITLE,
        QCoreApplication.translate(
            "StartDialog", "{damage}\n\n可以从最近一次有效的备份恢复：\n{name}（{modified}，{check}）\n"
            "该备份之后录入的数据需要重新录入。损坏的文件会移到备份文件夹保留。\n\n现在从备份恢复吗？").format(
            damage=damage, name=backup.name, modified=f"{modified:%Y-%m-%d %H:%M}", check=check.message))
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        kept = restore_damaged(damage.path, backup, backup_folder())
    except (ServiceError, OSError) as exc:
        QMessageBox.critical(parent, APP_TITLE, translate("StartDialog", "恢复失败：{error}").format(error=exc))
        return False
    QMessageBox.information(parent, APP_TITLE, QCoreApplication.translate(
        "StartDialog", "已从 {name} 恢复。损坏的文件已保留为 {kept}。").format(name=backup.name, kept=kept))
    return True


def remember(db: Database) -> None:
    """Keep ``db`` as the last database: a file's path, or a server URL
    without its password (which goes to the OS keyring, when there is one;
    else it is asked at the next start)."""
    app_settings().setValue(SETTINGS_LAST_DB, str(sqlite_path(db.url) or stored_location(db.url)))


def migrate_saved_location() -> None:
    """Settings written by an older version may hold a URL with its
    password in plain text: the password moves to the keyring (or is
    dropped, to be asked at each start) and the URL is rewritten without it."""
    settings = app_settings()
    saved = str(settings.value(SETTINGS_LAST_DB, "") or "")
    bare = stored_location(saved) if saved else saved
    if bare != saved:
        settings.setValue(SETTINGS_LAST_DB, bare)
        settings.sync()


def with_asked_password(location: str, parent: QWidget | None) -> str | None:
    """``location`` ready to open: a server URL without password gets the
    one kept in the OS keyring, else the user is asked for it (None when
    they cancel). Files and URLs with a password come back unchanged."""
    if not needs_password(location):
        return location
    filled = completed(location)
    if filled != location:
        return filled
    from PySide6.QtWidgets import QInputDialog

    shown = split_password(location)[0]
    password, ok = QInputDialog.getText(
        parent, APP_TITLE, translate("StartDialog", "数据库服务器 {location} 的密码：").format(location=shown),
        QLineEdit.EchoMode.Password)
    if not ok or not password:
        return None
    return with_password(location, password)


def _init_empty(db: Database, parent: QWidget | None) -> Database | None:
    dialog = QDialog(parent)
    dialog.setWindowTitle(translate("StartDialog", "设置本数据库所属乡镇/街道"))
    picker = TownshipPicker()
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel(translate("StartDialog", "数据库 {p} 尚未设置乡镇/街道，请选择：")
                            .format(p=db.display_location)))
    layout.addWidget(picker)
    layout.addWidget(buttons)
    while dialog.exec() == QDialog.DialogCode.Accepted:
        try:
            init_township(db, picker.code)
            return db
        except ServiceError as exc:
            QMessageBox.warning(dialog, APP_TITLE, exc.message)
    db.dispose()
    return None


class StartDialog(QDialog):
    """First screen when no database is known: new, demo or open."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.database: Database | None = None
        self.setWindowTitle(self.tr("欢迎使用") + APP_TITLE)
        self.setMinimumWidth(560)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._new_tab(), self.tr("新建数据库"))
        self.tabs.addTab(self._demo_tab(), self.tr("演示数据库（试用）"))
        self.tabs.addTab(self._open_tab(), self.tr("打开已有数据库"))
        intro = QLabel(self.tr("请选择本中心所属的乡镇/街道建立数据库；也可以先用演示数据试用。"))
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    # -- new -------------------------------------------------------------
    def _new_tab(self) -> QWidget:
        page = QWidget()
        self.picker = TownshipPicker()
        self.new_path = QLineEdit()
        self.new_path.setPlaceholderText(self.tr("选定乡镇后自动填写"))
        self.create_button = QPushButton(self.tr("建立数据库"))
        self.create_button.setEnabled(False)
        self.picker.changed.connect(self._township_changed)
        self.create_button.clicked.connect(self.create_new)
        layout = QVBoxLayout(page)
        layout.addWidget(self.picker)
        layout.addLayout(_path_row(self.new_path, self, save=True))
        layout.addWidget(self.create_button)
        layout.addStretch(1)
        return page

    def _township_changed(self, code: str) -> None:
        self.create_button.setEnabled(bool(code))
        if code:
            name = divisions.township(code).name
            self.new_path.setText(str(data_dir() / f"{name}_{code}.db"))

    def create_new(self) -> None:
        path = self.new_path.text().strip()
        if not self.picker.code or not path:
            QMessageBox.warning(self, APP_TITLE, self.tr("请先选择乡镇/街道并填写数据库文件位置。"))
            return
        if Path(path).exists():
            QMessageBox.warning(self, APP_TITLE, self.tr("文件“{p}”已存在，请换一个名称，或在“打开已有数据库”中打开它。").format(p=path))
            return
        db = try_open(path, self)
        if db is None:
            return
        try:
            init_township(db, self.picker.code)
        except ServiceError as exc:
            QMessageBox.warning(self, APP_TITLE, exc.message)
            db.dispose()
            return
        self.database = db
        self.accept()

    # -- demo ------------------------------------------------------------
    def _demo_tab(self) -> QWidget:
        page = QWidget()
        self.demo_size = QComboBox()
        self.demo_size.addItem(self.tr("小型：约 2,000 人（几秒）"), "small")
        self.demo_size.addItem(self.tr("乡镇规模：约 5 万人、100 个网格"), "township")
        self.demo_path = QLineEdit(str(data_dir() / "demo.db"))
        demo_button = QPushButton(self.tr("生成演示数据库"))
        demo_button.clicked.connect(self.create_demo)
        note = QLabel(self.tr("演示数据为随机生成的虚构人员，公民身份号码符合校验规则但并不存在。"))
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("规模"), self.demo_size)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addLayout(_path_row(self.demo_path, self, save=True))
        layout.addWidget(note)
        layout.addWidget(demo_button)
        layout.addStretch(1)
        return page

    def create_demo(self) -> None:
        from gridadmin.services.demo import generate_demo

        path = Path(self.demo_path.text().strip())
        if path.exists():
            answer = QMessageBox.question(self, APP_TITLE, self.tr("“{p}”已存在，要打开它吗？").format(p=path))
            if answer == QMessageBox.StandardButton.Yes:
                self.database = try_open(str(path), self)
                if self.database is not None:
                    self.accept()
            return
        db = try_open(str(path), self)
        if db is None:
            return
        size = self.demo_size.currentData()
        outcome = run_job(self, self.tr("正在生成演示数据库"), lambda: generate_demo(db, size=size))
        if outcome.ok:
            self.database = db
            self.accept()
            return
        db.dispose()
        _remove_sqlite(path)
        if outcome.error is not None:
            QMessageBox.critical(self, APP_TITLE, self.tr("生成演示数据失败：{e}").format(e=scrub_personal_data(outcome.error)))

    # -- open ------------------------------------------------------------
    def _open_tab(self) -> QWidget:
        page = QWidget()
        self.open_path = QLineEdit()
        open_button = QPushButton(self.tr("打开"))
        open_button.clicked.connect(self.open_existing)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(self.tr("数据库文件，或 PostgreSQL 连接串（postgresql+psycopg://用户@服务器/库名）：")))
        layout.addLayout(_path_row(self.open_path, self, save=False))
        layout.addWidget(open_button)
        layout.addStretch(1)
        return page

    def open_existing(self) -> None:
        location = self.open_path.text().strip()
        if not location:
            QMessageBox.warning(self, APP_TITLE, self.tr("请选择数据库文件。"))
            return
        if "://" not in location and not Path(location).exists():
            QMessageBox.warning(self, APP_TITLE, self.tr("找不到文件“{p}”。").format(p=location))
            return
        location = with_asked_password(location, self)
        if location is None:
            return
        db = try_open(location, self)
        if db is not None and township_of_database(db) is None:
            db = _init_empty(db, self)
        if db is not None:
            self.database = db
            self.accept()


def _path_row(edit: QLineEdit, parent: QWidget, *, save: bool) -> QHBoxLayout:
    row = QHBoxLayout()
    browse = QPushButton(translate("StartDialog", "浏览…"))

    def pick() -> None:
        if save:
            path, _ = QFileDialog.getSaveFileName(parent, translate("StartDialog", "数据库文件位置"), edit.text(), db_filter())
        else:
            path, _ = QFileDialog.getOpenFileName(parent, translate("StartDialog", "打开数据库"), str(data_dir()),
                                                  db_filter())
        if path:
            edit.setText(path)

    browse.clicked.connect(pick)
    row.addWidget(QLabel(translate("StartDialog", "文件")))
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return row


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
