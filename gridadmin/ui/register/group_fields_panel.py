"""The fields of one group kind in the resident form (矫正起止日期, 监护人,
残疾类别 …, see ``services.register.group_fields``): shown for the kind
chosen in the list, kept per kind while the form is open and handed to
``set_person_tags`` on 保存人群类别, which checks them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)

from gridadmin.services.register import group_fields
from gridadmin.services.register.group_fields import CHOICE, DATE, MULTI
from gridadmin.services.register.tags import HeldTag, TagKindInfo


class GroupFieldsPanel(QGroupBox):
    """``load(kinds, held)``, ``show_kind(kind_id)``, ``collect(checked)``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("类别信息"))
        self.kinds: dict[int, TagKindInfo] = {}
        self.values: dict[int, dict[str, object]] = {}
        self.kind_id: int | None = None
        self.widgets: dict[str, QWidget] = {}
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.form = QFormLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.setMinimumWidth(300)
        self.show_kind(None)

    def load(self, kinds: list[TagKindInfo], held: list[HeldTag]) -> None:
        self.kinds = {k.id: k for k in kinds}
        self.values = {t.kind_id: {key: value for key, value in t.details} for t in held}
        self.kind_id = None
        self.show_kind(None)

    def fields(self, kind_id: int | None) -> tuple[group_fields.GroupField, ...]:
        kind = self.kinds.get(kind_id)
        return group_fields.fields_for(kind.code, kind.family) if kind is not None else ()

    def show_kind(self, kind_id: int | None) -> None:
        """Keep what was typed for the kind shown, then show ``kind_id``'s fields."""
        self._keep()
        while self.form.rowCount():
            self.form.removeRow(0)
        self.widgets = {}
        self.kind_id = kind_id
        fields = self.fields(kind_id)
        kind = self.kinds.get(kind_id)
        if kind is None:
            self.hint.setText(self.tr("在左侧选中一个类别，可填写该类别的信息。"))
            return
        if not fields:
            self.hint.setText(self.tr("“{name}”没有需要填写的信息。").format(name=kind.name))
            return
        self.hint.setText(self.tr("“{name}”的信息（勾选该类别后保存）。").format(name=kind.name)
                          + (self.tr("敏感信息，仅有权查看的用户可见。") if kind.sensitive else ""))
        typed = self.values.get(kind_id, {})
        for f in fields:
            widget = self._widget(f, typed.get(f.key, ""))
            self.widgets[f.key] = widget
            self.form.addRow(f.label, widget)

    def _widget(self, f: group_fields.GroupField, value) -> QWidget:
        if f.kind == CHOICE:
            box = QComboBox()
            box.addItem("", "")
            for choice in f.choices:
                box.addItem(choice, choice)
            box.setCurrentIndex(max(0, box.findData(value)))
            return box
        if f.kind == MULTI:
            holder = QWidget()
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            chosen = set(value if isinstance(value, list) else str(value or "").split("、"))
            for choice in f.choices:
                check = QCheckBox(choice.removesuffix("残疾"))
                check.setProperty("choice", choice)
                check.setChecked(choice in chosen)
                row.addWidget(check)
            return holder
        edit = QLineEdit(str(value or ""))
        if f.kind == DATE:
            edit.setPlaceholderText(self.tr("如 2025-03-01"))
        return edit

    def _keep(self) -> None:
        if self.kind_id is None or not self.widgets:
            return
        typed: dict[str, object] = {}
        for key, widget in self.widgets.items():
            if isinstance(widget, QComboBox):
                typed[key] = widget.currentData() or ""
            elif isinstance(widget, QLineEdit):
                typed[key] = widget.text()
            else:
                typed[key] = [c.property("choice") for c in widget.findChildren(QCheckBox) if c.isChecked()]
        self.values[self.kind_id] = typed

    def set_value(self, key: str, value) -> None:
        """Type ``value`` into the shown kind's field ``key`` (tests, shortcuts)."""
        widget = self.widgets[key]
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(0, widget.findData(value)))
        elif isinstance(widget, QLineEdit):
            widget.setText(str(value))
        else:
            for c in widget.findChildren(QCheckBox):
                c.setChecked(c.property("choice") in value)

    def collect(self, checked: set[int]) -> dict[int, dict]:
        """``{kind id: values}`` of the checked kinds that have fields."""
        self._keep()
        return {kind_id: {f.key: self.values.get(kind_id, {}).get(f.key, "") for f in self.fields(kind_id)}
                for kind_id in checked if self.fields(kind_id)}
