"""选择现住房屋: pick a house (现住房屋) from the houses list — searched as
you type like the 房屋 tab — or record a new one with 新建房屋. Used by
新增居民 (无户登记) and by the resident form's 更换… (a dated move)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout, \
    QWidget

from gridadmin.db import Database
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register.house_list import HouseFilter, HouseRow, house_columns, house_source
from gridadmin.ui.common.lazy_table_model import ROW_ROLE, LazyTableModel
from gridadmin.ui.common.widgets import setup_lazy_table


class ChooseHouseDialog(QDialog):
    """Pick a house (现住房屋): accepted with ``house_id`` set, an existing
    house chosen or one just recorded with 新建房屋."""

    def __init__(self, db: Database, parent: QWidget | None = None, *, area_id: int | None = None):
        super().__init__(parent)
        self.db = db
        self.area_id = area_id
        self.house_id: int | None = None
        self.setWindowTitle(self.tr("选择现住房屋"))
        self.setMinimumSize(760, 480)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("查找：地址、房主姓名或拼音首字母、房屋编号"))
        self.search.setClearButtonEnabled(True)
        self.model = LazyTableModel(house_source(db), house_columns(False),
                                    query=PageQuery(HouseFilter(), "address"), parent=self)
        self.table = QTableView()
        setup_lazy_table(self.table, self.model)
        self.summary = QLabel()
        self.new_button = QPushButton(self.tr("新建房屋…"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("选定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.search.textChanged.connect(lambda text: self.model.set_filter(HouseFilter(search=text)))
        self.model.countChanged.connect(lambda _n: self._update())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.table.doubleClicked.connect(lambda _index: self.choose())
        self.buttons.accepted.connect(self.choose)
        self.buttons.rejected.connect(self.reject)
        self.new_button.clicked.connect(self.new_house)
        self.search.setFocus()
        self._update()

    def selected_row(self) -> HouseRow | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def _update(self) -> None:
        row = self.selected_row()
        self.ok_button.setEnabled(row is not None)
        text = self.tr("找到 {n:,} 处房屋").format(n=self.model.rowCount())
        if row is not None:
            text += self.tr("；已选：{address}（{grid}）").format(address=row.address, grid=row.grid)
        self.summary.setText(text)

    def choose(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        self.house_id = row.id
        self.accept()

    def new_house(self) -> None:
        from gridadmin.ui.register.house_dialog import HouseDialog

        dialog = HouseDialog(self.db, None, self, area_id=self.area_id)
        dialog.exec()
        saved = dialog.house_id
        dialog.deleteLater()
        if saved is not None:
            self.house_id = saved
            self.accept()
