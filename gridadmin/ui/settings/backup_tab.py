"""备份与恢复: manual backup, restore (verified, with a safety copy), and
the list of backups in the backup folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
    QWidget,
)

from gridadmin import APP_TITLE
from gridadmin.db import Database, sqlite_path
from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting
from gridadmin.services.maintenance.backup import (
    BACKUP_SUFFIX, backup_database, list_backups, other_township, restore_database, verify_backup,
)
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.maintenance.integrity import check_database_job
from gridadmin.services.common.settings import safety_keep

FILTER = f"网格中心备份 (*{BACKUP_SUFFIX});;所有文件 (*)"


def backup_dir(db: Database | None = None) -> Path:
    """The backup folder (系统设置 → 常规; default ``backups`` in the data folder)."""
    from gridadmin.ui.shell.pc_settings import backup_folder

    return backup_folder(db)


class BackupTab(QWidget):
    """``on_restored`` is called after a restore so the window reloads."""

    def __init__(self, db: Database, on_restored=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.on_restored = on_restored
        is_file = sqlite_path(db.url) is not None
        allowed = acting(db).can(MANAGE_SETTINGS) and is_file
        self.backup_button = QPushButton(self.tr("立即备份…"))
        self.restore_button = QPushButton(self.tr("从备份恢复…"))
        self.check_button = QPushButton(self.tr("检查数据库完整性"))
        for button in (self.backup_button, self.restore_button, self.check_button):
            button.setEnabled(allowed)
        note = self.tr("每天第一次启动时自动备份到：{folder}（保留最近 7 天、4 周、12 个月）").format(folder=backup_dir(self.db))
        if not is_file:
            note = self.tr("PostgreSQL 数据库由服务器管理员备份（pg_dump）。")
        elif not acting(db).can(MANAGE_SETTINGS):
            note += "\n" + self.tr("只有管理员可以手动备份和恢复。")
        label = QLabel(note)
        label.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("备份文件"), self.tr("大小"), self.tr("时间")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        bar = QHBoxLayout()
        bar.addWidget(self.backup_button)
        bar.addWidget(self.restore_button)
        bar.addWidget(self.check_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(lambda: self.restore())
        self.check_button.clicked.connect(self.check_now)
        self.refresh()

    def refresh(self) -> None:
        backups = list_backups(backup_dir(self.db))
        self.table.setRowCount(len(backups))
        for row, (path, size, when) in enumerate(backups):
            for column, value in enumerate((path.name, f"{size / 1_048_576:.1f} MB", f"{when:%Y-%m-%d %H:%M}")):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def backup_now(self) -> None:
        default = backup_dir(self.db) / f"手动备份-{datetime.now():%Y%m%d-%H%M%S}{BACKUP_SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("备份到"), str(default), FILTER)
        if not path:
            return
        try:
            check = backup_database(self.db, Path(path))
        except ServiceError as exc:
            QMessageBox.warning(self, APP_TITLE, exc.message)
            return
        QMessageBox.information(self, APP_TITLE, self.tr("已备份到 {path}\n{message}").format(
            path=path, message=check.message))
        self.refresh()

    def check_now(self) -> None:
        """The whole file's thorough check (off the GUI thread); the result,
        damage included, is shown."""
        from gridadmin.ui.common.jobs import run_job

        db = self.db
        outcome = run_job(self, self.tr("检查数据库完整性"), lambda: check_database_job(db))
        if outcome.cancelled:
            return
        if outcome.error is not None:
            message = outcome.error.message if isinstance(outcome.error, ServiceError) else str(outcome.error)
            QMessageBox.warning(self, APP_TITLE, message)
        elif outcome.result.ok:
            QMessageBox.information(self, APP_TITLE, outcome.result.message)
        else:
            QMessageBox.critical(self, APP_TITLE, outcome.result.message)

    def restore(self, path: str | Path | None = None) -> None:
        """Restore from ``path`` (asked for when None): verified first, then
        confirmed; the current database is kept as a backup."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("选择备份文件"), str(backup_dir(self.db)), FILTER)
        if not path:
            return
        check = verify_backup(Path(path))
        if not check.ok:
            QMessageBox.warning(self, APP_TITLE, self.tr("不能恢复：{message}").format(message=check.message))
            return
        keep = safety_keep(self.db)
        question = self.tr("{message}\n\n用这个备份替换当前数据库吗？当前数据库会先另存一份到备份文件夹"
                           "（“恢复前-”副本保留最近 {keep} 份，更早的自动删除；份数在“常规”中设置）。").format(
            message=check.message, keep=keep)
        if QMessageBox.question(self, APP_TITLE, question) != QMessageBox.StandardButton.Yes:
            return
        other = other_township(check, sqlite_path(self.db.url))
        if other:
            answer = QMessageBox.warning(
                self, APP_TITLE, self.tr("{other}\n\n确定要用其他乡镇/街道的备份替换当前数据库吗？").format(other=other),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            safety = restore_database(self.db, Path(path), backup_dir(self.db), confirm_township=bool(other))
        except ServiceError as exc:
            QMessageBox.warning(self, APP_TITLE, exc.message)
            return
        QMessageBox.information(self, APP_TITLE, self.tr("已恢复。恢复前的数据库另存为：{path}\n"
                                                         "恢复前副本保留最近 {keep} 份，更早的已自动删除。").format(
            path=safety or "（无）", keep=keep))
        if self.on_restored is not None:
            self.on_restored()
