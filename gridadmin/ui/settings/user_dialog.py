"""Add a user or change a user's roles and areas (administrators only)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.models.access import ROLE_ADMIN, ROLE_CLERK, ROLE_HR, ROLE_LABELS, ROLE_OFFICIAL
from gridadmin.services.areas.tree import AreaNode
from gridadmin.services.common.errors import ServiceError
from gridadmin.ui.common.widgets import error_label
from gridadmin.services.access.users import UserRow, create_user, set_roles


class UserDialog(QDialog):
    """``user`` None: a new user (with password); else edit roles/areas."""

    def __init__(self, db: Database, areas: list[AreaNode], user: UserRow | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.user = user
        self.setWindowTitle(self.tr("新增用户") if user is None else self.tr("修改角色和负责区域"))
        self.setMinimumSize(460, 520)
        self.username = QLineEdit(user.username if user else "")
        self.username.setEnabled(user is None)
        self.display_name = QLineEdit(user.display_name if user else "")
        self.display_name.setEnabled(user is None)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.roles = {}
        role_row = QHBoxLayout()
        role_labels = {ROLE_ADMIN: self.tr("管理员"), ROLE_CLERK: self.tr("业务员"), ROLE_HR: self.tr("人事"),
                       ROLE_OFFICIAL: self.tr("领导")}
        for role in ROLE_LABELS:
            box = QCheckBox(role_labels.get(role, role))
            box.setChecked(bool(user and role in user.roles))
            self.roles[role] = box
            role_row.addWidget(box)
        self.all_areas = QCheckBox(self.tr("全部区域（全镇/街道）"))
        self.all_areas.setChecked(bool(user and user.all_areas))
        self.areas = QListWidget()
        chosen = set(user.scope) if user else set()
        for node in areas:
            if node.level not in ("community", "grid") or not node.active:
                continue
            item = QListWidgetItem(("　　" if node.level == "grid" else "") + node.full_name)
            item.setData(Qt.ItemDataRole.UserRole, node.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if node.id in chosen else Qt.CheckState.Unchecked)
            self.areas.addItem(item)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.username)
        form.addRow(self.tr("姓名"), self.display_name)
        if user is None:
            form.addRow(self.tr("初始密码"), self.password)
        form.addRow(self.tr("角色"), role_row)
        hint = QLabel(self.tr("负责区域（只能查看和处理所选社区/网格及其下级；一个也不选则没有任何区域，"
                              "全镇请勾选“全部区域”；管理员总是全部）："))
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.all_areas)
        layout.addWidget(self.areas, 1)
        self.all_areas.toggled.connect(lambda checked: self.areas.setEnabled(not checked))
        self.areas.setEnabled(not self.all_areas.isChecked())
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def chosen_roles(self) -> list[str]:
        return [role for role, box in self.roles.items() if box.isChecked()]

    def chosen_areas(self) -> list[int]:
        if self.all_areas.isChecked():
            return []
        return [self.areas.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.areas.count())
                if self.areas.item(i).checkState() == Qt.CheckState.Checked]

    def try_save(self) -> None:
        try:
            if self.user is None:
                create_user(self.db, self.username.text(), self.display_name.text(), self.password.text(),
                            self.chosen_roles(), self.chosen_areas(), all_areas=self.all_areas.isChecked())
            else:
                set_roles(self.db, self.user.id, self.chosen_roles(), self.chosen_areas(),
                          all_areas=self.all_areas.isChecked())
        except ServiceError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.accept()
