"""Qt item model of the grid tree (built from ``AreaNode`` rows)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QStyle

from gridadmin.services.areas.tree import AreaNode

COL_NAME, COL_LEVEL, COL_CODE, COL_KIND, COL_SUBAREAS, COL_HOUSEHOLDS, COL_RESIDENTS, COL_STAFF, COL_NOTE = range(9)
HEADERS = ("名称", "层级", "编码", "类型", "下级", "户数", "人口", "在岗网格力量", "提示")
NODE_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3


def build_area_model(nodes: list[AreaNode], parent=None) -> QStandardItemModel:
    """A tree model: one row per area under its parent, counts right-aligned,
    inactive areas greyed, a warning icon on grids outside 300–500 households.
    ``NODE_ROLE`` on column 0 holds the ``AreaNode``; ``ID_ROLE`` its id."""
    model = QStandardItemModel(parent)
    model.setHorizontalHeaderLabels([
        QApplication.translate("AreaTree", "名称"), QApplication.translate("AreaTree", "层级"),
        QApplication.translate("AreaTree", "编码"), QApplication.translate("AreaTree", "类型"),
        QApplication.translate("AreaTree", "下级"), QApplication.translate("AreaTree", "户数"),
        QApplication.translate("AreaTree", "人口"), QApplication.translate("AreaTree", "在岗网格力量"),
        QApplication.translate("AreaTree", "提示")])
    model.setSortRole(SORT_ROLE)
    warning_icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    grey = QBrush(QColor("#9a9a9a"))
    items: dict[int, QStandardItem] = {}
    for node in nodes:
        name = node.name if node.active else f"{node.name}（已停用）"
        values = [name, node.level_label, node.code or "", node.kind_label, node.sub_areas, node.households,
                  node.residents, node.staff_on_post, node.warning or ""]
        if not node.figures:  # outside the user's areas: the service gave no figures
            values[COL_HOUSEHOLDS:COL_STAFF + 1] = ["", "", ""]
        row = []
        for column, value in enumerate(values):
            item = QStandardItem(f"{value:,}" if isinstance(value, int) else str(value))
            item.setEditable(False)
            item.setData(value if isinstance(value, int) else str(value), SORT_ROLE)
            if isinstance(value, int):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not node.active:
                item.setForeground(grey)
            row.append(item)
        row[COL_NAME].setData(node, NODE_ROLE)
        row[COL_NAME].setData(node.id, ID_ROLE)
        row[COL_NAME].setData(node.sort_order, SORT_ROLE)
        if not node.figures:
            for column in (COL_HOUSEHOLDS, COL_RESIDENTS, COL_STAFF):
                row[column].setToolTip(QApplication.translate("AreaTree", "不在当前用户负责的区域内，不显示统计"))
        if node.code:
            row[COL_NAME].setToolTip(f"{node.name}（{node.code}）")
        if node.warning:
            row[COL_NAME].setIcon(warning_icon)
            row[COL_NAME].setToolTip(node.warning)
            row[COL_NOTE].setForeground(QBrush(QColor("#b35c00")))
        holder = items.get(node.parent_id) if node.parent_id is not None else None
        (holder or model.invisibleRootItem()).appendRow(row)
        items[node.id] = row[COL_NAME]
    return model
