"""房屋: every house (实有房屋) in a lazily loaded table (a tab of the
residents page), searched as you type (address, 房主 name or pinyin,
房屋编号, phone) and filtered by area, 用途 and 出租 in SQL; overcrowded
出租房 are flagged (超员) and can be listed alone; double-click opens the
house card; 新建房屋 records one; export to xlsx."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from gridadmin.db import Database
from gridadmin.models.house import HOUSE_USES
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register.house_list import HouseFilter, HouseRow, house_columns, house_source
from gridadmin.services.register.residents import may_see_full_numbers
from gridadmin.ui.common.export_actions import export_xlsx
from gridadmin.ui.common.flow_layout import flow_row
from gridadmin.ui.common.lazy_table_model import ROW_ROLE, LazyTableModel
from gridadmin.ui.common.widgets import area_filter_combo, search_box, select_data, setup_lazy_table

RENTED_ANY, RENTED_ONLY, NOT_RENTED = "any", "rented", "not_rented"


class _FlaggedModel(LazyTableModel):
    """The lazy model with overcrowded rentals shown in red."""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            row = super().data(index, ROW_ROLE)
            if isinstance(row, HouseRow) and row.overcrowded:
                return QBrush(QColor("#b00020"))
        return super().data(index, role)


class HousesPanel(QWidget):
    """Search box, filters, the houses table and a summary line.
    ``on_changed()`` is called after a card saved something."""

    def __init__(self, db: Database, parent: QWidget | None = None, on_changed=None):
        super().__init__(parent)
        self.db = db
        self.on_changed = on_changed
        self.search = search_box(self.tr("查找：地址、房主姓名或拼音首字母、房屋编号、房主电话"))
        self.area = area_filter_combo(db)
        self.purpose = QComboBox()
        self.purpose.addItem(self.tr("全部用途"), None)
        for use in HOUSE_USES:
            self.purpose.addItem(use, use)
        self.rented = QComboBox()
        self.rented.addItem(self.tr("出租与否不限"), RENTED_ANY)
        self.rented.addItem(self.tr("出租房"), RENTED_ONLY)
        self.rented.addItem(self.tr("非出租房"), NOT_RENTED)
        self.overcrowded = QCheckBox(self.tr("只看超员出租房"))
        self.show_full = QCheckBox(self.tr("显示完整号码"))
        self.show_full.setVisible(may_see_full_numbers(db))
        self.new_button = QPushButton(self.tr("新建房屋…"))
        self.open_button = QPushButton(self.tr("打开房屋卡"))
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.summary = QLabel()

        self.model = _FlaggedModel(house_source(db), house_columns(False),
                                   query=PageQuery(self.current_filter(), "address"), parent=self)
        self.table = QTableView()
        setup_lazy_table(self.table, self.model, sort_key="address")

        filters = flow_row(self.search, self.area, self.purpose, self.rented, self.overcrowded, self.show_full)
        actions = flow_row(self.new_button, self.open_button, self.export_button, self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

        self.search.textChanged.connect(lambda _text: self.apply_filter())
        for combo in (self.area, self.purpose, self.rented):
            combo.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.overcrowded.toggled.connect(lambda _on: self.apply_filter())
        self.show_full.toggled.connect(lambda checked: self.model.set_columns(house_columns(checked)))
        self.model.countChanged.connect(lambda _n: self._update_summary())
        self.table.doubleClicked.connect(lambda index: self.open_house(self.model.data(index, ROW_ROLE)))
        self.open_button.clicked.connect(lambda: self.open_house(self.selected_row()))
        self.new_button.clicked.connect(self.new_house)
        self.export_button.clicked.connect(lambda: export_xlsx(self, self.db, self.model, self.tr("房屋信息"),
                                                               full_numbers=self.show_full.isChecked()))
        self.refresh_button.clicked.connect(self.model.refresh)
        self._update_summary()

    def show_area(self, area_id: int) -> bool:
        return select_data(self.area, area_id)

    def current_filter(self) -> HouseFilter:
        rented = {RENTED_ONLY: True, NOT_RENTED: False}.get(self.rented.currentData())
        return HouseFilter(search=self.search.text(), area_id=self.area.currentData(),
                           purpose=self.purpose.currentData(), rented=rented,
                           overcrowded=self.overcrowded.isChecked())

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        if self.model.rowCount():
            self.table.scrollToTop()

    def _update_summary(self) -> None:
        text = self.tr("共 {n:,} 处房屋").format(n=self.model.rowCount())
        if self.current_filter() != HouseFilter():
            text += self.tr("（已按条件筛选）")
        self.summary.setText(text + self.tr("　红色为超员出租房（承租人数超过限住人数）；双击一行打开房屋卡。"))

    def selected_row(self) -> HouseRow | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def open_house(self, row: HouseRow | None) -> None:
        if row is not None:
            self._run_card(row.id)

    def new_house(self) -> None:
        self._run_card(None)

    def _run_card(self, house_id: int | None) -> None:
        from gridadmin.ui.register.house_dialog import HouseDialog

        area = self.area.currentData()
        dialog = HouseDialog(self.db, house_id, self, area_id=area)
        dialog.exec()
        changed = dialog.changed
        dialog.deleteLater()
        if changed:
            if self.on_changed:
                self.on_changed()
            else:
                self.refresh()

    def refresh(self) -> None:
        self.model.refresh()
