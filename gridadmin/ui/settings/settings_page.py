"""系统设置: general settings, the township's staffing rule, users, backups, code lists and the database in use."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from gridadmin import __version__
from gridadmin.db import Database
from gridadmin.services.areas.setup import township_of_database
from gridadmin.ui.settings.backup_tab import BackupTab
from gridadmin.ui.settings.codes_tab import CodesTab
from gridadmin.ui.settings.general_tab import GeneralTab
from gridadmin.ui.settings.staffing_tab import StaffingTab
from gridadmin.ui.settings.users_tab import UsersTab


class SettingsPage(QWidget):
    page_name = "settings"

    def __init__(self, db: Database, parent: QWidget | None = None, on_restored=None):
        super().__init__(parent)
        if on_restored is None:  # in the main window: rebuild it after a restore
            on_restored = getattr(parent, "reload", None)
        title = QLabel(self.tr("系统设置"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.tabs = QTabWidget()
        self.general_tab = GeneralTab(db)
        self.tabs.addTab(self.general_tab, self.tr("常规"))
        self.staffing_tab = StaffingTab(db)
        self.tabs.addTab(self.staffing_tab, self.tr("网格配备"))
        self.users_tab = UsersTab(db)
        self.backup_tab = BackupTab(db, on_restored)
        self.tabs.addTab(self.users_tab, self.tr("用户管理"))
        self.tabs.addTab(self.backup_tab, self.tr("备份与恢复"))
        self.codes_tab = CodesTab(db)
        self.tabs.addTab(self.codes_tab, self.tr("代码表维护"))
        self.tabs.addTab(self._database_tab(db), self.tr("数据库"))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.tabs)

    def _database_tab(self, db: Database) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        township = township_of_database(db)
        form.addRow(self.tr("所属乡镇/街道"), QLabel(f"{township[1]}（{township[0]}）" if township else "—"))
        form.addRow(self.tr("数据库位置"), QLabel(db.display_location))
        form.addRow(self.tr("程序版本"), QLabel(__version__))
        hint = QLabel(self.tr("多台电脑共用数据时，请在每台电脑上用 PostgreSQL 连接串启动：\n"
                              "python main.py --db postgresql+psycopg://用户:密码@服务器/gridadmin\n"
                              "或设置环境变量 GRIDADMIN_DB。"))
        hint.setWordWrap(True)
        form.addRow(self.tr("多台电脑"), hint)
        return page
