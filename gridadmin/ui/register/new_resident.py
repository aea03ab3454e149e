"""新增居民: register a new person from the residents page.

A 户籍人口 lives in a household, so the flow first asks which one
(``ChooseHouseholdDialog``: search the active households by household
number, head name or pinyin, phone or address — the households list's own
search — or 新建住户 for a new card), then opens the member form there
(``ResidentDialog.new_member``). A new household is created with its head on
the household card, so after 新建住户 the form opened is that head's, to
complete their record.

流动人口, 境外人员 and 未落户人口 need no 户: 无户登记（流动人口等） asks for the
house they live at instead (``ChooseHouseDialog``: search the houses, or
新建房屋), then opens the form of a new resident at that house
(``ResidentDialog.at_house``).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from gridadmin.db import Database
from gridadmin.services.register.household_list import HouseholdFilter, HouseholdRow, household_columns, household_source
from gridadmin.services.register.households import load_household
from gridadmin.services.common.paging import PageQuery
from gridadmin.ui.common.lazy_table_model import ROW_ROLE, LazyTableModel
from gridadmin.ui.common.widgets import setup_lazy_table
from gridadmin.ui.register.house_picker import ChooseHouseDialog


class ChooseHouseholdDialog(QDialog):
    """Pick the household of a new resident. Accepted with
    ``household_id`` set: an existing household chosen (``created`` False)
    or one just created with 新建住户 (``created`` True). ``area_id`` is the
    default grid of a new household."""

    def __init__(self, db: Database, parent: QWidget | None = None, *, area_id: int | None = None):
        super().__init__(parent)
        self.db = db
        self.area_id = area_id
        self.household_id: int | None = None
        self.house_id: int | None = None  # 无户登记: the house chosen instead
        self.created = False
        self.setWindowTitle(self.tr("新增居民：选择所在户"))
        self.setMinimumSize(760, 480)

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("查找：户号、户主姓名或拼音首字母、联系电话、地址"))
        self.search.setClearButtonEnabled(True)
        self.model = LazyTableModel(household_source(db), household_columns(False),
                                    query=PageQuery(HouseholdFilter(), "household_no"), parent=self)
        self.table = QTableView()
        setup_lazy_table(self.table, self.model)
        self.summary = QLabel()
        self.new_button = QPushButton(self.tr("新建住户…"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("下一步：填写居民信息"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.no_household_button = QPushButton(self.tr("无户登记（流动人口等）…"))
        self.no_household_button.setToolTip(self.tr("流动人口、境外人员、未落户人口不需要户：选择其现住房屋"))
        self.buttons.addButton(self.no_household_button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("户籍人口登记在一户中：查找并选中所在户，或新建住户。"
                                        "流动人口等无需户，请点“无户登记”。")))
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        self.search.textChanged.connect(lambda text: self.model.set_filter(HouseholdFilter(search=text)))
        self.model.countChanged.connect(lambda _n: self._update())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.table.doubleClicked.connect(lambda _index: self.choose())
        self.buttons.accepted.connect(self.choose)
        self.buttons.rejected.connect(self.reject)
        self.new_button.clicked.connect(self.new_household)
        self.no_household_button.clicked.connect(self.choose_house)
        self.search.setFocus()
        self._update()

    def selected_row(self) -> HouseholdRow | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def _update(self) -> None:
        row = self.selected_row()
        self.ok_button.setEnabled(row is not None)
        text = self.tr("找到 {n:,} 户").format(n=self.model.rowCount())
        if row is not None:
            text += self.tr("；已选：{no} {head}（{grid}）").format(no=row.household_no, head=row.head, grid=row.grid)
        self.summary.setText(text)

    def choose(self) -> None:
        """Accept the selected household (nothing selected: stay open)."""
        row = self.selected_row()
        if row is None:
            return
        self.household_id, self.created = row.id, False
        self.accept()

    def new_household(self) -> None:
        """The empty household card; accepted once it is saved."""
        from gridadmin.ui.register.household_dialog import HouseholdDialog

        dialog = HouseholdDialog(self.db, None, self, area_id=self.area_id)
        dialog.exec()
        saved = dialog.household_id
        dialog.deleteLater()
        if saved is not None:
            self.household_id, self.created = saved, True
            self.accept()


    def choose_house(self) -> None:
        """无户登记: pick the house instead; accepted once one is chosen."""
        chooser = ChooseHouseDialog(self.db, self, area_id=self.area_id)
        accepted = chooser.exec() == QDialog.DialogCode.Accepted
        house_id = chooser.house_id
        chooser.deleteLater()
        if accepted and house_id is not None:
            self.house_id, self.household_id = house_id, None
            self.accept()


def add_resident_flow(db: Database, parent: QWidget | None = None, *, area_id: int | None = None) -> str:
    """Run 新增居民 (see the module doc); what was saved, in a sentence for
    the status bar ("已登记新居民“王小明”（户 …）。"), or "" when nothing was
    (a household created or a resident registered: the caller refreshes)."""
    from gridadmin.ui.register.resident_dialog import ResidentDialog

    chooser = ChooseHouseholdDialog(db, parent, area_id=area_id)
    accepted = chooser.exec() == QDialog.DialogCode.Accepted
    household_id, house_id, created = chooser.household_id, chooser.house_id, chooser.created
    chooser.deleteLater()
    if accepted and house_id is not None:
        dialog = ResidentDialog.at_house(db, house_id, parent)
        dialog.exec()
        message = dialog.saved_message
        dialog.deleteLater()
        return message
    if not accepted or household_id is None:
        return ""
    card = load_household(db, household_id)
    if created:
        members = card.members
        dialog = ResidentDialog(db, members[0].id, parent) if members else None
    else:
        dialog = ResidentDialog.new_member(db, household_id, parent)
    message = ""
    if dialog is not None:
        dialog.exec()
        message = dialog.saved_message
        dialog.deleteLater()
    if created:
        translate = QCoreApplication.translate
        message = translate("NewResident", "已新建住户 {no}。").format(no=card.data.household_no) + message
    return message
