"""导出数据: write a whole kind of data in its import template's columns
(``services.importing.export.export_kind``, the same as
``python -m gridadmin export``), so a community can correct the file and
send it back to be imported again.

The clerk picks what to export (网格, 网格员, 户籍人口, 住户, 培训签到 —
for the last, one session or all), whether ID numbers and phones are
written in full (only offered to roles that may see them), and where to
save. Nothing is written to the database except the audit row of the
export itself.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QRadioButton,
    QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.services.access.permissions import EXPORT, acting
from gridadmin.services.importing.export import EXPORT_KINDS, EXPORT_LABELS
from gridadmin.services.register.residents import may_see_full_numbers
from gridadmin.services.training.sessions import list_sessions
from gridadmin.ui.common.export_actions import export_kind_xlsx


class ExportTab(QWidget):
    """Choose a kind (radio buttons), options, then 「导出…」."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        descriptions = {
            "grids": self.tr("社区/村、网格名称、网格编码、网格类型，每个网格一行"),
            "staff": self.tr("网格员花名册：基本信息、所属网格、岗位、在岗状态，每人一行"),
            "residents": self.tr("在册居民，每人一行，含户号、与户主关系和所属网格"),
            "households": self.tr("每户一行：地址、户主，成员按“成员N 姓名/公民身份号码/与户主关系”排在后面"),
            "attendance": self.tr("每位参训人员一行：培训名称、日期、学时，以及出勤、所得学时和成绩"),
            "groups": self.tr("特殊人群、重点人员、关怀对象：每人每类一行，含该类别的信息项（仅限有权查看的类别）"),
            "houses": self.tr("每处房屋一行：房屋编号、所属网格、标准地址、用途，出租房的房主、间数和限住人数"),
        }
        intro = QLabel(self.tr("把系统中的数据按导入模板的列导出为 Excel。社区修改后可在“导入向导”中重新导入，"
                               "已有记录会按身份证号、户号或网格编码对上，不会重复。"))
        intro.setWordWrap(True)
        self.kind_group = QButtonGroup(self)
        kinds_box = QGroupBox(self.tr("导出内容"))
        kinds_layout = QVBoxLayout(kinds_box)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for kind in EXPORT_KINDS:
            button = QRadioButton(f"{EXPORT_LABELS[kind]}　—　{descriptions[kind]}")
            self.kind_group.addButton(button)
            self.kind_buttons[kind] = button
            kinds_layout.addWidget(button)
        self.kind_buttons["residents"].setChecked(True)

        self.session_combo = QComboBox()
        self.session_combo.setMinimumContentsLength(30)
        self.full_numbers = QCheckBox(self.tr("写出完整的身份证号码和联系电话（默认打码）"))
        self.full_numbers.setVisible(may_see_full_numbers(db))
        options = QFormLayout()
        options.addRow(self.tr("培训场次："), self.session_combo)
        options.addRow("", self.full_numbers)

        self.export_button = QPushButton(self.tr("导出(&E)…"))
        self.export_button.setDefault(True)
        allowed = acting(db).can(EXPORT)
        self.export_button.setEnabled(allowed)
        if not allowed:
            self.export_button.setToolTip(self.tr("您的角色没有“导出和打印”权限"))
        self.last_result: str | None = None
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(kinds_box)
        layout.addLayout(options)
        layout.addLayout(bar)
        layout.addStretch(1)

        self.kind_group.buttonToggled.connect(lambda _b, _on: self._kind_changed())
        self.export_button.clicked.connect(self.export)
        self.refresh()

    def selected_kind(self) -> str:
        return next(kind for kind, button in self.kind_buttons.items() if button.isChecked())

    def refresh(self) -> None:
        """Reload the sessions (newest first), keeping the chosen one."""
        chosen = self.session_combo.currentData()
        self.session_combo.clear()
        self.session_combo.addItem(self.tr("全部培训场次"), None)
        for s in sorted(list_sessions(self.db, include_cancelled=False), key=lambda s: (s.start_date, s.id),
                        reverse=True):
            self.session_combo.addItem(f"{s.start_date:%Y-%m-%d}　{s.name}", s.id)
        index = self.session_combo.findData(chosen)
        self.session_combo.setCurrentIndex(max(index, 0))
        self._kind_changed()

    def _kind_changed(self) -> None:
        self.session_combo.setEnabled(self.selected_kind() == "attendance")

    def export(self) -> None:
        """Ask where, then write the chosen kind; the result is announced by
        ``export_kind_xlsx`` (and kept in ``last_result``)."""
        kind = self.selected_kind()
        options = {}
        if kind == "attendance" and self.session_combo.currentData() is not None:
            options["session"] = str(self.session_combo.currentData())
        path = export_kind_xlsx(self, self.db, kind, EXPORT_LABELS[kind],
                                full_numbers=not self.full_numbers.isHidden() and self.full_numbers.isChecked(),
                                **options)
        self.last_result = str(path) if path else None
