"""Choosing a township from the official division list: cascading
province → city → county → township boxes, plus a search box."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget,
)

from gridadmin.services.areas import divisions
class TownshipPicker(QWidget):
    """Emits ``changed(code9)`` when a township is chosen ('' when none)."""

    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._code = ""
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("输入乡镇/街道名称或 9 位代码搜索，如“东关街道”"))
        self.results = QListWidget()
        self.results.setMaximumHeight(110)
        self.results.hide()
        self.province = QComboBox()
        self.city = QComboBox()
        self.county = QComboBox()
        self.township = QComboBox()
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.tr("省（自治区、直辖市）"), self.province)
        form.addRow(self.tr("市（地区、州）"), self.city)
        form.addRow(self.tr("县（区、市）"), self.county)
        form.addRow(self.tr("乡镇/街道"), self.township)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addLayout(form)
        layout.addWidget(self.summary)

        self._fill(self.province, divisions.provinces())
        self.province.currentIndexChanged.connect(lambda: self._fill(self.city, divisions.cities_of(self.province.currentData() or "")))
        self.city.currentIndexChanged.connect(lambda: self._fill(self.county, divisions.counties_of(self.city.currentData() or "")))
        self.county.currentIndexChanged.connect(lambda: self._fill(self.township, divisions.townships_of(self.county.currentData() or "")))
        self.township.currentIndexChanged.connect(self._township_chosen)
        self.search.textChanged.connect(self._search)
        self.results.itemActivated.connect(self._result_chosen)
        self.results.itemClicked.connect(self._result_chosen)

    @property
    def code(self) -> str:
        """The chosen township's 9-digit code, or ''."""
        return self._code

    def select(self, code9: str) -> bool:
        """Set the boxes to the township ``code9``; False if unknown."""
        path = divisions.township_path(code9)
        if not path or path[-1].level != "township":
            return False
        boxes = {"province": self.province, "city": self.city, "county": self.county, "township": self.township}
        for division in path:
            box = boxes[division.level]
            index = box.findData(division.code)
            if index >= 0:
                box.setCurrentIndex(index)
        return self._code == code9

    def _fill(self, box: QComboBox, items: list) -> None:
        box.blockSignals(True)
        box.clear()
        box.addItem(self.tr("（请选择）"), "")
        for division in items:
            box.addItem(division.name, division.code)
        box.blockSignals(False)
        box.currentIndexChanged.emit(0)

    def _township_chosen(self) -> None:
        code = self.township.currentData() or ""
        self._code = code
        if code:
            villages = len(divisions.villages_of(code))
            note = (self.tr("官方名单中有 {n} 个社区/村，将一并建立。").format(n=villages) if villages
                    else self.tr("官方名单中没有该乡镇的社区/村，可在“网格管理”中自行添加。"))
            self.summary.setText(f"{divisions.display_name(code)}（{code}）\n{note}")
        else:
            self.summary.setText("")
        self.changed.emit(code)

    def _search(self, text: str) -> None:
        self.results.clear()
        text = text.strip()
        if len(text) < 2:
            self.results.hide()
            return
        for division in divisions.find_townships(text, limit=30):
            item = QListWidgetItem(f"{divisions.display_name(division.code)}（{division.code}）")
            item.setData(Qt.ItemDataRole.UserRole, division.code)
            self.results.addItem(item)
        self.results.setVisible(self.results.count() > 0)

    def _result_chosen(self, item: QListWidgetItem) -> None:
        self.select(item.data(Qt.ItemDataRole.UserRole))
