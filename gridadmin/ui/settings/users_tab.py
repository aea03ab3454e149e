"""用户管理: users with roles, areas and lock state; add, edit, reset
password, 停用/启用 (takes effect at the user's next action)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QMessageBox, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from gridadmin import APP_TITLE
from gridadmin.db import Database
from gridadmin.models.access import ROLE_LABELS
from gridadmin.services.areas import tree as area_service
from gridadmin.services.access.permissions import MANAGE_USERS, acting
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.access.users import list_users, reset_password, set_active
from gridadmin.ui.settings.user_dialog import UserDialog
from gridadmin.ui.common.widgets import run_dialog

HEADERS = ("用户名", "姓名", "角色", "负责区域", "状态")


class UsersTab(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.users = []
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr("用户名"), self.tr("姓名"), self.tr("角色"), self.tr("负责区域"), self.tr("状态")])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(90)
        self.table.verticalHeader().hide()
        self.add_button = QPushButton(self.tr("新增用户"))
        self.edit_button = QPushButton(self.tr("修改角色和区域"))
        self.reset_button = QPushButton(self.tr("重置密码"))
        self.active_button = QPushButton(self.tr("停用"))
        allowed = acting(db).can(MANAGE_USERS)
        for button in (self.add_button, self.edit_button, self.reset_button, self.active_button):
            button.setEnabled(allowed)
        bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.reset_button, self.active_button):
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        if not allowed:
            layout.addWidget(QLabel(self.tr("只有管理员可以管理用户。")))
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.add_button.clicked.connect(self.add_user)
        self.edit_button.clicked.connect(self.edit_user)
        self.reset_button.clicked.connect(self.reset_user_password)
        self.active_button.clicked.connect(self.toggle_active)
        self.table.currentCellChanged.connect(lambda *_a: self._update_active_button())
        self.table.doubleClicked.connect(lambda _i: self.edit_user())
        self.refresh()

    def refresh(self) -> None:
        self.users = list_users(self.db)
        names = {n.id: n.full_name for n in area_service.load_tree(self.db, counts=False)}
        self.table.setRowCount(len(self.users))
        now = datetime.now()
        for row, user in enumerate(self.users):
            locked = user.locked_until is not None and user.locked_until > now
            state = self.tr("已锁定") if locked else (self.tr("正常") if user.active else self.tr("已停用"))
            values = (user.username, user.display_name, "、".join(ROLE_LABELS.get(r, r) for r in user.roles),
                      self.tr("全部") if user.all_areas or "admin" in user.roles
                      else "、".join(names.get(a, str(a)) for a in user.scope) or self.tr("无（未选区域）"), state)
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self._update_active_button()

    def _update_active_button(self) -> None:
        user = self._selected()
        self.active_button.setText(self.tr("启用") if user is not None and not user.active else self.tr("停用"))

    def toggle_active(self) -> None:
        """停用 or 启用 the selected user, after confirmation for 停用."""
        user = self._selected()
        if user is None or not self.active_button.isEnabled():
            return
        if user.active and QMessageBox.question(
                self, APP_TITLE, self.tr("停用用户“{name}”？停用后该用户不能登录，正在使用的程序在其下一步操作时"
                                         "退回登录。").format(name=user.display_name)) != QMessageBox.StandardButton.Yes:
            return
        try:
            set_active(self.db, user.id, not user.active)
        except ServiceError as exc:
            QMessageBox.warning(self, APP_TITLE, exc.message)
            return
        self.refresh()

    def _selected(self):
        row = self.table.currentRow()
        return self.users[row] if 0 <= row < len(self.users) else None

    def add_user(self) -> None:
        dialog = UserDialog(self.db, area_service.load_tree(self.db, counts=False), parent=self)
        if run_dialog(dialog):
            self.refresh()

    def edit_user(self) -> None:
        user = self._selected()
        if user is None or not self.edit_button.isEnabled():
            return
        dialog = UserDialog(self.db, area_service.load_tree(self.db, counts=False), user, parent=self)
        if run_dialog(dialog):
            self.refresh()

    def reset_user_password(self) -> None:
        user = self._selected()
        if user is None:
            return
        password, ok = QInputDialog.getText(self, self.tr("重置密码"),
                                            self.tr("为“{name}”设置新密码：").format(name=user.display_name),
                                            QLineEdit.EchoMode.Password)
        if not ok:
            return
        try:
            reset_password(self.db, user.id, password)
        except ServiceError as exc:
            QMessageBox.warning(self, APP_TITLE, exc.message)
            return
        QMessageBox.information(self, APP_TITLE, self.tr("已重置密码并解除锁定。"))
        self.refresh()
