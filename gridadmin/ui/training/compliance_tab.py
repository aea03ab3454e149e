"""学时达标: the annual hour requirements (township default and per role)
and who is behind for the year, largest shortfall first."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from PySide6.QtWidgets import (
    QCheckBox, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.services.training import compliance as training_compliance
from gridadmin.services.access.permissions import EDIT_TRAINING, acting
from gridadmin.services.training.sessions import TrainingCodeLists
from gridadmin.services.common.paging import ListSource, PageQuery
from gridadmin.ui.common.export_actions import export_xlsx, print_pdf
from gridadmin.ui.common.flow_layout import flow_row
from gridadmin.ui.training.requirements_dialog import RequirementsDialog
from gridadmin.ui.common.widgets import error_label, run_dialog, setup_table, show_error
from gridadmin.ui.training.models import ComplianceModel


class ComplianceTab(QWidget):
    def __init__(self, db: Database, codes: TrainingCodeLists, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.year = date.today().year
        self.all_rows: list = []
        self.requirements_button = QPushButton(self.tr("设置学时要求…"))
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.print_button = QPushButton(self.tr("打印…"))
        self.codes = codes
        self.behind_only = QCheckBox(self.tr("只看未达标"))
        self.model = ComplianceModel(codes, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        setup_table(self.table, stretch_column=1)
        self.count = QLabel()
        self.error = error_label()
        self.requirement_title = QLabel()

        self.requirement_title.setWordWrap(True)
        bar = flow_row(self.requirement_title, self.requirements_button, self.behind_only, self.export_button,
                       self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        note = QLabel(self.tr("已完成学时与截至当前应完成的学时比较：年度要求按已过月份折算（年中入职者按在岗月份）；"
                              "按岗位取最高要求；只计未取消培训中“出席”的认定学时。"))
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")
        layout.addWidget(note)

        self.requirements_button.clicked.connect(self.edit_requirements)
        self.requirements_button.setEnabled(acting(db).can(EDIT_TRAINING))
        self.behind_only.toggled.connect(lambda _checked: self._show_rows())
        self.export_button.clicked.connect(lambda: export_xlsx(self, self.db, self.export_view(), self._title(),
                                                               full_numbers=False))
        self.print_button.clicked.connect(lambda: print_pdf(self, self.db, self.export_view(), self._title(),
                                                            full_numbers=False, landscape=False))

    def _title(self) -> str:
        return self.tr("{y}年度培训学时达标情况").format(y=self.year)

    def export_view(self) -> SimpleNamespace:
        """What is shown (after the 只看未达标 filter), for export and print."""
        rows = [r for r in self.all_rows if r.shortfall > 0] if self.behind_only.isChecked() else self.all_rows
        return SimpleNamespace(source=ListSource(rows), query=PageQuery(),
                               columns=training_compliance.compliance_columns(lambda c: self.codes.label("roles", c)))

    def set_year(self, year: int) -> None:
        self.year = year
        self.refresh()

    def refresh(self) -> None:
        show_error(self.error, "")
        rules = training_compliance.requirements(self.db, self.year)
        own = "；".join(f"{self.codes.label('roles', role)} {hours:g}" for role, hours in rules.items()
                       if role is not None)
        self.requirement_title.setText(self.tr("{y} 年度学时要求：全乡镇（街道）默认 {d} 学时{own}").format(
            y=self.year, d=f"{rules.get(None, 0.0):g}", own=f"；{own}" if own else ""))
        self.requirement_title.setToolTip(self.requirement_title.text())
        self.all_rows = training_compliance.compliance(self.db, self.year)
        self._show_rows()

    def _show_rows(self) -> None:
        behind = [r for r in self.all_rows if r.shortfall > 0]
        self.model.set_rows(behind if self.behind_only.isChecked() else self.all_rows)
        self.count.setText(self.tr("共 {n} 人，未达标 {m} 人").format(n=len(self.all_rows), m=len(behind)))

    def edit_requirements(self) -> None:
        """Open the per-role requirement editor; refresh after a save."""
        if run_dialog(RequirementsDialog(self.db, self.year, self.codes, self)):
            self.refresh()
