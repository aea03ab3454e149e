"""房屋卡: one house's standard address, 用途 and 产权人, the 出租房 fields
(房主 and phone, 出租间数, 限住人数, 隐患/备注), who lives there (with their
人口类别 and the 户 they belong to, if any), 承租人数 and whether the rental
is overcrowded, and the dated history of who moved in and out.

With ``house_id`` None the dialog is an empty card for a new house; after
the first save it goes on as that house's card."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QTableWidget, QTableWidgetItem, QVBoxLayout,
    QWidget,
)

from gridadmin.db import Database
from gridadmin.models.area import LEVEL_GRID, LEVEL_MICROGRID
from gridadmin.models.house import HOUSE_USES, USE_RENTED
from gridadmin.services.common.errors import ConflictError, ServiceError
from gridadmin.services.register.houses import HouseCard, HouseData, load_house, save_house
from gridadmin.services.register.residents import may_see_full_numbers
from gridadmin.services.roster.listing import area_options
from gridadmin.ui.common.conflict import offer_reload
from gridadmin.ui.common.widgets import select_data

PARTS = (("compound", "小区/街路巷"), ("building", "楼栋"), ("unit", "单元"), ("room", "室"),
         ("village_group", "村民小组"), ("door_no", "门牌号"))


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))


class HouseDialog(QDialog):
    """The card of ``house_id`` (None: a new house in ``area_id``).
    ``changed`` is true after a save; ``house_id`` is the saved house's id."""

    def __init__(self, db: Database, house_id: int | None, parent: QWidget | None = None, *,
                 area_id: int | None = None):
        super().__init__(parent)
        self.db = db
        self.house_id = house_id
        self.changed = False
        self.full = may_see_full_numbers(db)
        self.card: HouseCard | None = None
        self.setMinimumSize(820, 600)

        self.area = QComboBox()
        for option in area_options(db, levels=(LEVEL_GRID, LEVEL_MICROGRID)):
            self.area.addItem(option.label, option.id)
        if area_id is not None:
            select_data(self.area, area_id)
        self.house_no = QLineEdit()
        self.house_no.setPlaceholderText(self.tr("留空自动编号"))
        self.parts = {key: QLineEdit() for key, _label in PARTS}
        self.purpose = QComboBox()
        for use in HOUSE_USES:
            self.purpose.addItem(use, use)
        self.owner = QLineEdit()
        self.landlord = QLineEdit()
        self.landlord_phone = QLineEdit()
        self.rooms_let = QLineEdit()
        self.occupancy_limit = QLineEdit()
        self.hazard_note = QPlainTextEdit()
        self.hazard_note.setMaximumHeight(60)
        self.tenants = QLabel()
        self.tenants.setObjectName("tenants")

        place = QGridLayout()
        place.addWidget(QLabel(self.tr("所属网格")), 0, 0)
        place.addWidget(self.area, 0, 1, 1, 3)
        place.addWidget(QLabel(self.tr("房屋编号")), 0, 4)
        place.addWidget(self.house_no, 0, 5)
        labels = {"compound": self.tr("小区/街路巷"), "building": self.tr("楼栋"), "unit": self.tr("单元"),
                  "room": self.tr("室"), "village_group": self.tr("村民小组"), "door_no": self.tr("门牌号")}
        for i, (key, _label) in enumerate(PARTS):
            place.addWidget(QLabel(labels[key]), 1 + i // 3, (i % 3) * 2)
            place.addWidget(self.parts[key], 1 + i // 3, (i % 3) * 2 + 1)
        place.addWidget(QLabel(self.tr("房屋用途")), 3, 0)
        place.addWidget(self.purpose, 3, 1)
        place.addWidget(QLabel(self.tr("产权人")), 3, 2)
        place.addWidget(self.owner, 3, 3)
        address_box = QGroupBox(self.tr("标准地址"))
        address_box.setLayout(place)

        rental = QFormLayout()
        rental.addRow(self.tr("房主"), self.landlord)
        rental.addRow(self.tr("房主电话"), self.landlord_phone)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("出租间数")))
        row.addWidget(self.rooms_let)
        row.addWidget(QLabel(self.tr("限住人数")))
        row.addWidget(self.occupancy_limit)
        row.addWidget(self.tenants, 1)
        rental.addRow(row)
        rental.addRow(self.tr("隐患/备注"), self.hazard_note)
        self.rental_box = QGroupBox(self.tr("出租房"))
        self.rental_box.setLayout(rental)

        self.occupants = _table([self.tr("姓名"), self.tr("公民身份号码"), self.tr("人口类别"), self.tr("所属户号"),
                                 self.tr("入住日期"), self.tr("联系电话")])
        self.history = _table([self.tr("日期"), self.tr("姓名"), self.tr("入住/搬离"), self.tr("说明")])
        people = QGroupBox(self.tr("现住人员"))
        QVBoxLayout(people).addWidget(self.occupants)
        moves = QGroupBox(self.tr("入住、搬离记录"))
        QVBoxLayout(moves).addWidget(self.history)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        self.purpose.currentIndexChanged.connect(lambda _i: self._purpose_changed())

        layout = QVBoxLayout(self)
        layout.addWidget(address_box)
        layout.addWidget(self.rental_box)
        lists = QHBoxLayout()
        lists.addWidget(people, 3)
        lists.addWidget(moves, 2)
        layout.addLayout(lists, 1)
        layout.addWidget(self.buttons)
        self.load()

    @property
    def is_new(self) -> bool:
        return self.house_id is None

    def load(self) -> None:
        if self.is_new:
            self.setWindowTitle(self.tr("新建房屋"))
            self._purpose_changed()
            self.tenants.setText("")
            return
        card = self.card = load_house(self.db, self.house_id)
        d = card.data
        self.setWindowTitle(self.tr("房屋 — {address}").format(address=d.address))
        select_data(self.area, d.area_id)
        self.house_no.setText(d.house_no)
        for key, edit in self.parts.items():
            edit.setText(getattr(d, key))
        select_data(self.purpose, d.purpose)
        self.owner.setText(d.owner)
        self.landlord.setText(d.landlord)
        self.landlord_phone.setText(d.landlord_phone)
        self.landlord_phone.setReadOnly(not self.full)
        self.rooms_let.setText("" if d.rooms_let is None else str(d.rooms_let))
        self.occupancy_limit.setText("" if d.occupancy_limit is None else str(d.occupancy_limit))
        self.hazard_note.setPlainText(d.hazard_note)
        self._purpose_changed()
        if d.purpose == USE_RENTED:
            text = self.tr("承租人数 {n}").format(n=card.tenants)
            if card.overcrowded:
                text += self.tr("　超员（限住 {limit} 人）").format(limit=d.occupancy_limit)
            self.tenants.setText(text)
            self.tenants.setStyleSheet("color: #b00020; font-weight: bold;" if card.overcrowded else "")
        else:
            self.tenants.setText(self.tr("居住 {n} 人").format(n=len(card.occupants)))
            self.tenants.setStyleSheet("")
        _fill(self.occupants, [(o.name, o.id_number, o.category, o.household_no or self.tr("（无户）"),
                                o.since.isoformat() if o.since else "", o.phone) for o in card.occupants])
        _fill(self.history, [(m.on.isoformat(), m.name, m.kind, m.detail) for m in card.history])

    def _purpose_changed(self) -> None:
        self.rental_box.setEnabled(self.purpose.currentData() == USE_RENTED)

    def typed_house(self) -> HouseData:
        return HouseData(
            area_id=self.area.currentData(), house_no=self.house_no.text(),
            purpose=self.purpose.currentData(), owner=self.owner.text(), landlord=self.landlord.text(),
            landlord_phone=self.landlord_phone.text(),
            rooms_let=self.rooms_let.text(), occupancy_limit=self.occupancy_limit.text(),
            hazard_note=self.hazard_note.toPlainText(), **{k: e.text() for k, e in self.parts.items()})

    def try_save(self) -> bool:
        try:
            saved = save_house(self.db, self.house_id, self.typed_house(),
                               expected_version=None if self.is_new else self.card.version)
        except ConflictError as exc:
            if exc.field == "地址":
                QMessageBox.warning(self, self.tr("不能保存"), exc.message)
            elif offer_reload(self, exc):
                self.load()
            return False
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("不能保存"), exc.message)
            return False
        self.changed = True
        self.house_id = saved
        self.load()
        return True
