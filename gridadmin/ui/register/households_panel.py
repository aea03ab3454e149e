"""住户: every household in a lazily loaded table (the second tab of the
residents page), searched as you type and filtered by community/grid in
SQL; double-click opens the household card; export to xlsx (masked
phones unless the full numbers are shown)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QTableView, \
    QVBoxLayout, QWidget

from gridadmin.db import Database
from gridadmin.services.register.household_list import HouseholdFilter, HouseholdRow, household_columns, household_source
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register.residents import may_see_full_numbers
from gridadmin.ui.common.export_actions import export_xlsx
from gridadmin.ui.common.flow_layout import flow_row
from gridadmin.ui.common.lazy_table_model import ROW_ROLE, LazyTableModel
from gridadmin.ui.common.widgets import area_filter_combo, search_box, select_data, setup_lazy_table


class HouseholdsPanel(QWidget):
    """Search box, area filter, the households table and a summary line.
    ``on_changed()`` (when given) is called after a card saved something,
    instead of refreshing only this list (the page refreshes every tab)."""

    def __init__(self, db: Database, parent: QWidget | None = None, on_changed=None):
        super().__init__(parent)
        self.db = db
        self.on_changed = on_changed
        self.search = search_box(self.tr("查找：户号、地址、户主姓名或拼音首字母、联系电话"))
        self.area = area_filter_combo(db)
        self.dissolved = QCheckBox(self.tr("含已注销户"))
        self.show_full = QCheckBox(self.tr("显示完整号码"))
        self.show_full.setVisible(may_see_full_numbers(db))
        self.open_button = QPushButton(self.tr("打开户卡"))
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.summary = QLabel()

        self.model = LazyTableModel(household_source(db), household_columns(False),
                                    query=PageQuery(self.current_filter(), "household_no"), parent=self)
        self.table = QTableView()
        setup_lazy_table(self.table, self.model, sort_key="household_no")

        row = flow_row(self.search, self.area, self.dissolved, self.show_full, self.open_button, self.export_button,
                       self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

        self.search.textChanged.connect(lambda _text: self.apply_filter())
        self.area.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.dissolved.toggled.connect(lambda _on: self.apply_filter())
        self.show_full.toggled.connect(lambda checked: self.model.set_columns(household_columns(checked)))
        self.model.countChanged.connect(lambda _n: self._update_summary())
        self.table.doubleClicked.connect(lambda index: self.open_household(self.model.data(index, ROW_ROLE)))
        self.open_button.clicked.connect(lambda: self.open_household(self.selected_row()))
        self.export_button.clicked.connect(lambda: export_xlsx(self, self.db, self.model, self.tr("住户信息"),
                                                               full_numbers=self.show_full.isChecked()))
        self.refresh_button.clicked.connect(self.model.refresh)
        self._update_summary()

    def show_area(self, area_id: int) -> bool:
        return select_data(self.area, area_id)

    def current_filter(self) -> HouseholdFilter:
        return HouseholdFilter(search=self.search.text(), area_id=self.area.currentData(),
                               include_dissolved=self.dissolved.isChecked())

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        if self.model.rowCount():
            self.table.scrollToTop()

    def _update_summary(self) -> None:
        text = self.tr("共 {n:,} 户").format(n=self.model.rowCount())
        if self.current_filter() != HouseholdFilter():
            text += self.tr("（已按条件筛选）")
        self.summary.setText(text + self.tr("　双击一行打开户卡；点击列标题排序。"))

    def selected_row(self) -> HouseholdRow | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def open_household(self, row: HouseholdRow | None) -> None:
        if row is None:
            return
        from gridadmin.ui.register.household_dialog import HouseholdDialog

        dialog = HouseholdDialog(self.db, row.id, self)
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
