"""学时达标: the annual hour requirement (township default and 专职网格员)
and who is behind for the year, largest shortfall first."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from PySide6.QtWidgets import (
    QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.models.staff import ROLE_FULLTIME
from gridadmin.services import training_compliance
from gridadmin.services.errors import ServiceError
from gridadmin.services.training import TrainingCodeLists
from gridadmin.services.paging import ListSource, PageQuery
from gridadmin.ui.export_actions import export_xlsx, print_pdf
from gridadmin.ui.widgets import error_label, setup_table, show_error
from gridadmin.ui.training.models import ComplianceModel


class ComplianceTab(QWidget):
    def __init__(self, db: Database, codes: TrainingCodeLists, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.year = date.today().year
        self.all_rows: list = []
        self.default_hours = self._hours_box()
        self.fulltime_hours = self._hours_box()
        self.save_button = QPushButton(self.tr("保存要求"))
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

        bar = QHBoxLayout()
        bar.addWidget(self.requirement_title)
        bar.addWidget(QLabel(self.tr("全街道默认")))
        bar.addWidget(self.default_hours)
        bar.addSpacing(12)
        bar.addWidget(QLabel(codes.label("roles", ROLE_FULLTIME)))
        bar.addWidget(self.fulltime_hours)
        bar.addWidget(self.save_button)
        bar.addStretch(1)
        bar.addWidget(self.behind_only)
        bar.addWidget(self.export_button)
        bar.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        note = QLabel(self.tr("按岗位取最高要求；年中入职者按入职月份折算；只计未取消培训中“出席”的认定学时。"))
        note.setStyleSheet("color: #666;")
        layout.addWidget(note)

        self.save_button.clicked.connect(self.save_requirements)
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

    def _hours_box(self) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(0, 1000)
        box.setDecimals(1)
        box.setSingleStep(1)
        box.setSuffix(self.tr(" 学时"))
        return box

    def set_year(self, year: int) -> None:
        self.year = year
        self.refresh()

    def refresh(self) -> None:
        show_error(self.error, "")
        rules = training_compliance.requirements(self.db, self.year)
        self.requirement_title.setText(self.tr("{y} 年度学时要求：").format(y=self.year))
        self.default_hours.setValue(rules.get(None, 0.0))
        self.fulltime_hours.setValue(rules.get(ROLE_FULLTIME, rules.get(None, 0.0)))
        self.all_rows = training_compliance.compliance(self.db, self.year)
        self._show_rows()

    def _show_rows(self) -> None:
        behind = [r for r in self.all_rows if r.shortfall > 0]
        self.model.set_rows(behind if self.behind_only.isChecked() else self.all_rows)
        self.count.setText(self.tr("共 {n} 人，未达标 {m} 人").format(n=len(self.all_rows), m=len(behind)))

    def save_requirements(self) -> None:
        try:
            training_compliance.set_requirement(self.db, self.year, self.default_hours.value())
            training_compliance.set_requirement(self.db, self.year, self.fulltime_hours.value(), role=ROLE_FULLTIME)
        except ServiceError as exc:
            show_error(self.error, exc.message)
            return
        self.refresh()
