"""Add or edit one area: name, codes, kind. Refusals are shown in the
dialog, which keeps what the user typed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget,
)

from gridadmin.models.area import (
    COMMUNITY_KINDS, GRID_TYPES, LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_LABELS, LEVEL_MICROGRID, LEVEL_TOWNSHIP,
)
from gridadmin.services.areas.tree import AreaInput, AreaNode
from gridadmin.services.common.errors import ConflictError, ServiceError
from gridadmin.ui.common.conflict import offer_reload
from gridadmin.ui.common.widgets import error_label


class AreaDialog(QDialog):
    """``save`` is called with the typed ``AreaInput``; a ``ServiceError``
    it raises is shown under the form and the dialog stays open."""

    def __init__(self, level: str, save: Callable[[AreaInput], None], *, node: AreaNode | None = None,
                 parent_name: str = "", suggested_code: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._save = save
        self._level = level
        label = LEVEL_LABELS[level]
        title = self.tr("编辑{label}").format(label=label) if node else self.tr("新增{label}").format(label=label)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)

        self.name = QLineEdit(node.name if node else "")
        self.name.setMaxLength(100)
        self.division_code = QLineEdit(node.division_code or "" if node else "")
        self.division_code.setPlaceholderText(self.tr("12 位统计用区划代码，可不填"))
        self.grid_code = QLineEdit((node.grid_code or "") if node else (suggested_code or ""))
        self.grid_code.setPlaceholderText(self.tr("本地网格编码，如 社区代码+3 位"))
        self.kind = QComboBox()
        kinds = COMMUNITY_KINDS if level == LEVEL_COMMUNITY else GRID_TYPES
        self.kind.addItem(self.tr("（未指定）"), "")
        for kind in kinds:
            self.kind.addItem(kind, kind)
        if node is not None:
            current = node.community_kind if level == LEVEL_COMMUNITY else node.grid_type
            self.kind.setCurrentIndex(max(0, self.kind.findData(current or "")))
        elif level in (LEVEL_GRID, LEVEL_MICROGRID):
            self.kind.setCurrentIndex(self.kind.findData("城市社区网格"))
        self.sort_order = QSpinBox()
        self.sort_order.setRange(0, 9999)
        self.sort_order.setValue(node.sort_order if node else 0)
        self.error = error_label()

        form = QFormLayout()
        if parent_name:
            form.addRow(self.tr("上级"), QLabel(parent_name))
        form.addRow(self.tr("名称*"), self.name)
        if level in (LEVEL_TOWNSHIP, LEVEL_COMMUNITY):
            form.addRow(self.tr("区划代码"), self.division_code)
        if level in (LEVEL_GRID, LEVEL_MICROGRID, LEVEL_COMMUNITY):
            if level != LEVEL_COMMUNITY:
                form.addRow(self.tr("网格编码"), self.grid_code)
            form.addRow(self.tr("类别") if level == LEVEL_COMMUNITY else self.tr("网格类型"), self.kind)
        if node is not None:
            form.addRow(self.tr("排序号"), self.sort_order)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        self._has_sort = node is not None
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def typed(self) -> AreaInput:
        """What the user typed, as an ``AreaInput``."""
        is_community = self._level == LEVEL_COMMUNITY
        kind = self.kind.currentData() or None
        return AreaInput(
            name=self.name.text(),
            division_code=self.division_code.text() if self._level in (LEVEL_TOWNSHIP, LEVEL_COMMUNITY) else None,
            grid_code=self.grid_code.text() if self._level in (LEVEL_GRID, LEVEL_MICROGRID) else None,
            community_kind=kind if is_community else None,
            grid_type=kind if self._level in (LEVEL_GRID, LEVEL_MICROGRID) else None,
            sort_order=self.sort_order.value() if self._has_sort else None,
        )

    def try_save(self) -> None:
        try:
            self._save(self.typed())
        except ConflictError as exc:
            if offer_reload(self, exc):
                self.accept()  # nothing was saved; the page re-reads the tree, open the area again to edit
            return
        except ServiceError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.accept()
