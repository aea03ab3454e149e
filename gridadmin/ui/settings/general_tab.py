"""常规: backup folder, the township's annual training hours, the threshold
beyond which the monthly report names staff behind on hours, report
signatories. Only users with 修改系统设置 may change them.

The training hours field sets the township default requirement (all roles
without their own) of the *current year* through
``training_compliance.set_requirements``; other years and per-role hours
are set in 培训管理 → 年度学时要求.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox,
    QVBoxLayout, QWidget,
)

from gridadmin.db import Database, sqlite_path
from gridadmin.services.access.permissions import MANAGE_SETTINGS, acting
from gridadmin.services.common.errors import ServiceError
from gridadmin.services.common.settings import (
    MAX_SAFETY_KEEP, SIGNATORY_KEYS, backup_folder_setting, behind_threshold, safety_keep, save_general_settings,
    signatories,
)
from gridadmin.services.training.compliance import requirements, set_requirements
from gridadmin.ui.common.widgets import error_label, show_error

class GeneralTab(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.db = db
        self.year = (today or date.today()).year
        self.allowed = acting(db).can(MANAGE_SETTINGS)
        self.backup_folder = QLineEdit()
        self.backup_folder.setPlaceholderText(self.tr("默认：数据文件夹中的 backups"))
        self.browse = QPushButton(self.tr("浏览…"))
        self.browse.clicked.connect(self._browse)
        self.current_folder = QLabel()
        self.current_folder.setWordWrap(True)
        self.keep_safety = QSpinBox()
        self.keep_safety.setRange(1, MAX_SAFETY_KEEP)
        self.keep_safety.setSuffix(self.tr(" 份"))
        self.keep_safety.setMaximumWidth(180)
        self.keep_safety.setToolTip(self.tr("每次从备份恢复前，当前数据库另存为“恢复前-日期-时间.gadb”；只保留最近这么多份"))
        self.hours = QDoubleSpinBox()
        self.hours.setRange(0, 1000)
        self.hours.setDecimals(1)
        self.hours.setSuffix(self.tr(" 学时"))
        self.hours.setSpecialValueText(self.tr("未设置"))
        self.hours.setMaximumWidth(180)
        self.behind_months = QDoubleSpinBox()
        self.behind_months.setRange(0, 12)
        self.behind_months.setDecimals(1)
        self.behind_months.setSingleStep(0.5)
        self.behind_months.setSuffix(self.tr(" 个月"))
        self.behind_months.setMaximumWidth(180)
        self.signatory_edits: dict[str, QLineEdit] = {}

        backup_box = QGroupBox(self.tr("备份"))
        row = QHBoxLayout()
        row.addWidget(self.backup_folder, 1)
        row.addWidget(self.browse)
        backup_form = QFormLayout(backup_box)
        backup_form.addRow(self.tr("备份文件夹"), row)
        backup_form.addRow("", self.current_folder)
        backup_form.addRow(self.tr("恢复前副本保留"), self.keep_safety)
        if sqlite_path(db.url) is None:
            backup_form.addRow("", QLabel(self.tr("PostgreSQL 数据库由服务器管理员备份，此设置只用于本机数据库文件。")))

        training_box = QGroupBox(self.tr("培训"))
        training_form = QFormLayout(training_box)
        training_form.addRow(self.tr("{year} 年度学时要求").format(year=self.year), self.hours)
        note = QLabel(self.tr("全乡镇（街道）默认值，适用于没有单独设置的岗位。"
                              "其他年份和各岗位的要求在“培训管理 → 年度学时要求”中设置。"))
        note.setWordWrap(True)
        training_form.addRow("", note)
        training_form.addRow(self.tr("月报列出姓名：学时落后超过"), self.behind_months)
        behind_note = QLabel(self.tr("学时按已过月份折算比较；月报按社区/村给出落后人数，只列出落后超过此数个月"
                                     "应完成学时的人员姓名（12 月的月报和培训管理页列出全部）。"))
        behind_note.setWordWrap(True)
        training_form.addRow("", behind_note)

        sign_box = QGroupBox(self.tr("报表落款"))
        sign_form = QFormLayout(sign_box)
        shown = {"单位负责人": self.tr("单位负责人"), "审核人": self.tr("审核人"), "制表人": self.tr("制表人"),
                 "联系电话": self.tr("联系电话")}
        for label in SIGNATORY_KEYS:
            edit = QLineEdit()
            edit.setMaxLength(200)
            self.signatory_edits[label] = edit
            sign_form.addRow(shown[label], edit)
        sign_note = QLabel(self.tr("打印月报、花名册等表格时填在落款处；不填的项留空，打印后手写。"))
        sign_note.setWordWrap(True)
        sign_form.addRow("", sign_note)

        self.save_button = QPushButton(self.tr("保存"))
        self.save_button.clicked.connect(self.save)
        self.message = QLabel()
        self.error = error_label()
        bar = QHBoxLayout()
        bar.addWidget(self.save_button)
        bar.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(backup_box)
        layout.addWidget(training_box)
        layout.addWidget(sign_box)
        layout.addWidget(self.error)
        if not self.allowed:
            layout.addWidget(QLabel(self.tr("只有管理员可以修改这些设置。")))
        layout.addLayout(bar)
        layout.addStretch(1)
        for widget in (self.backup_folder, self.browse, self.keep_safety, self.hours, self.behind_months,
                       self.save_button, *self.signatory_edits.values()):
            widget.setEnabled(self.allowed)
        self.load()

    def load(self) -> None:
        from gridadmin.ui.shell.pc_settings import backup_folder

        self.backup_folder.setText(backup_folder_setting(self.db) or "")
        self.current_folder.setText(self.tr("自动备份和“备份与恢复”使用：{p}").format(p=backup_folder(self.db)))
        self.hours.setValue(requirements(self.db, self.year).get(None, 0.0))
        self.behind_months.setValue(behind_threshold(self.db))
        self.keep_safety.setValue(safety_keep(self.db))
        values = signatories(self.db)
        for label, edit in self.signatory_edits.items():
            edit.setText(values.get(label, ""))

    def _browse(self) -> None:
        from gridadmin.ui.shell.pc_settings import backup_folder

        path = QFileDialog.getExistingDirectory(self, self.tr("选择备份文件夹"), str(backup_folder(self.db)))
        if path:
            self.backup_folder.setText(path)

    def save(self) -> bool:
        from gridadmin.ui.shell.pc_settings import SETTINGS_BACKUP_FOLDER, app_settings

        try:
            save_general_settings(self.db, backup_folder=self.backup_folder.text(),
                                  signatories={label: edit.text() for label, edit in self.signatory_edits.items()},
                                  behind_months=self.behind_months.value(), keep_safety=self.keep_safety.value())
            hours = self.hours.value()
            current = requirements(self.db, self.year).get(None)
            if hours > 0 and hours != current:
                set_requirements(self.db, self.year, {None: hours})
        except ServiceError as exc:
            show_error(self.error, exc.message)
            self.message.clear()
            return False
        # Upgrades and restores before a database is open use the folder last set on this PC.
        app_settings().setValue(SETTINGS_BACKUP_FOLDER, self.backup_folder.text().strip())
        show_error(self.error, "")
        self.message.setText(self.tr("已保存。"))
        self.load()
        return True
