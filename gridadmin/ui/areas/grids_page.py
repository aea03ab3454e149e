"""网格管理: the grid tree with counts; add, edit, move, deactivate,
delete areas. Every change goes through ``gridadmin.services.areas.tree``."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHeaderView, QLabel,
    QLineEdit, QMessageBox, QPushButton, QTreeView, QVBoxLayout, QWidget,
)

from gridadmin import APP_TITLE
from gridadmin.db import Database
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_LABELS
from gridadmin.services.areas import tree as areas
from gridadmin.services.areas.tree import AreaNode
from gridadmin.services.common.errors import ServiceError
from gridadmin.ui.areas.area_dialog import AreaDialog
from gridadmin.ui.areas.area_tree_model import COL_NAME, COL_NOTE, HEADERS, NODE_ROLE, build_area_model
from gridadmin.ui.common.flow_layout import flow_row
from gridadmin.ui.common.widgets import run_dialog


class GridsPage(QWidget):
    """The grid tree page. ``refresh()`` reloads from the database and keeps
    the selection and expanded state."""

    page_name = "grids"
    # (page name, area id): the main window opens that list filtered to the area
    open_list = Signal(str, int)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.nodes: list[AreaNode] = []

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("查找：名称或编码"))
        self.search.setClearButtonEnabled(True)
        self.show_inactive = QCheckBox(self.tr("显示已停用"))
        self.add_button = QPushButton(self.tr("新增下级(&N)"))
        self.edit_button = QPushButton(self.tr("编辑(&E)"))
        self.move_button = QPushButton(self.tr("移动到…(&M)"))
        self.active_button = QPushButton(self.tr("停用(&D)"))
        self.delete_button = QPushButton(self.tr("删除"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.residents_button = QPushButton(self.tr("查看人口"))
        self.staff_button = QPushButton(self.tr("查看网格力量"))

        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSortingEnabled(False)
        self.tree.setStyleSheet("QTreeView::item { padding: 3px 8px 3px 2px; }")
        self.tree.doubleClicked.connect(lambda _index: self.edit_selected())
        self.summary = QLabel()
        self.details = QLabel()
        self.details.setWordWrap(True)

        bar = flow_row(self.search, self.show_inactive, self.add_button, self.edit_button, self.move_button,
                       self.active_button, self.delete_button, self.residents_button, self.staff_button,
                       self.refresh_button)
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("网格管理"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(title)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.summary)

        self.search.textChanged.connect(self._filter)
        self.show_inactive.toggled.connect(lambda _checked: self.refresh())
        self.add_button.clicked.connect(self.add_child)
        self.edit_button.clicked.connect(self.edit_selected)
        self.move_button.clicked.connect(self.move_selected)
        self.active_button.clicked.connect(self.toggle_active)
        self.delete_button.clicked.connect(self.delete_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.residents_button.clicked.connect(lambda: self._open_list("residents"))
        self.staff_button.clicked.connect(lambda: self._open_list("roster"))
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        QShortcut(QKeySequence.StandardKey.New, self, self.add_child)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh)
        self.refresh()

    # -- loading ---------------------------------------------------------
    def refresh(self) -> None:
        """Reload the tree, keeping expansion and selection."""
        selected = self.selected_node()
        expanded = self._expanded_ids()
        self.nodes = areas.load_tree(self.db, include_inactive=self.show_inactive.isChecked())
        old = self.proxy.sourceModel()
        self.proxy.setSourceModel(build_area_model(self.nodes, self))
        if old is not None:
            old.deleteLater()
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(56)
        self.tree.setColumnWidth(COL_NAME, 280)
        self.tree.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        if expanded:
            self._expand_ids(expanded)
        else:
            self._expand_to_level(LEVEL_COMMUNITY)
        if selected is not None:
            self.select_area(selected.id)
        elif self.nodes:
            self.select_area(self.nodes[0].id)
        self._update_summary()
        self._selection_changed()

    def _expanded_ids(self) -> set[int]:
        ids: set[int] = set()
        model = self.proxy

        def walk(parent: QModelIndex) -> None:
            for row in range(model.rowCount(parent)):
                index = model.index(row, 0, parent)
                if self.tree.isExpanded(index):
                    ids.add(model.data(index, NODE_ROLE).id)
                    walk(index)

        walk(QModelIndex())
        return ids

    def _expand_ids(self, ids: set[int]) -> None:
        for index in self._all_indexes():
            if self.proxy.data(index, NODE_ROLE).id in ids:
                self.tree.expand(index)

    def _expand_to_level(self, level: str) -> None:
        """Open townships so their communities show."""
        for index in self._all_indexes():
            node = self.proxy.data(index, NODE_ROLE)
            if node.level != level and node.depth < 1:
                self.tree.expand(index)

    def _all_indexes(self):
        model = self.proxy
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for row in range(model.rowCount(parent)):
                index = model.index(row, 0, parent)
                yield index
                stack.append(index)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if text.strip():
            self.tree.expandAll()

    def select_area(self, area_id: int) -> bool:
        """Select (and reveal) an area in the tree."""
        for index in self._all_indexes():
            if self.proxy.data(index, NODE_ROLE).id == area_id:
                self.tree.setCurrentIndex(index)
                self.tree.scrollTo(index)
                return True
        return False

    def selected_node(self) -> AreaNode | None:
        if self.tree.selectionModel() is None:
            return None
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        return self.proxy.data(index.siblingAtColumn(COL_NAME), NODE_ROLE)

    def _selection_changed(self) -> None:
        node = self.selected_node()
        has = node is not None
        can_have_children = has and node.active and areas.child_level(node.level) is not None
        self.add_button.setEnabled(can_have_children)
        if has and areas.child_level(node.level):
            self.add_button.setText(self.tr("新增{label}(&N)").format(label=LEVEL_LABELS[areas.child_level(node.level)]))
        self.edit_button.setEnabled(has)
        self.move_button.setEnabled(has and node.parent_id is not None)
        self.active_button.setEnabled(has)
        self.active_button.setText(self.tr("启用(&D)") if has and not node.active else self.tr("停用(&D)"))
        self.delete_button.setEnabled(has and node.figures and node.sub_areas == 0 and node.households == 0)
        self.residents_button.setEnabled(has)
        self.staff_button.setEnabled(has)
        if not has:
            self.details.setText(self.tr("选择一个区域查看详情；双击可编辑。"))
            return
        text = f"{node.full_name or node.name}　{node.level_label}　编码：{node.code or '未填'}　下级 {node.sub_areas} 个　"
        if node.figures:
            text += f"{node.households:,} 户　{node.residents:,} 人　在岗网格力量 {node.staff_on_post} 人"
        else:
            text += self.tr("（不在您负责的区域内，不显示统计）")
        if node.warning:
            text += f"\n⚠ {node.warning}"
        self.details.setText(text)

    def _update_summary(self) -> None:
        active = [n for n in self.nodes if n.active and n.figures]
        communities = sum(1 for n in active if n.level == LEVEL_COMMUNITY)
        grids = [n for n in active if n.level == LEVEL_GRID]
        warned = sum(1 for n in grids if n.warning)
        figured = {n.id for n in self.nodes if n.figures}
        tops = [n for n in active if n.parent_id not in figured]  # the township, or the user's areas
        households = sum(n.households for n in tops)
        residents = sum(n.residents for n in tops)
        text = self.tr("共 {c} 个社区/村、{g} 个网格，{h:,} 户，{r:,} 人").format(
            c=communities, g=len(grids), h=households, r=residents)
        if len(figured) < len(self.nodes):
            text = self.tr("您负责的区域：") + text
        if warned:
            text += self.tr("；{w} 个网格户数不在 300–500 户之间（已用 ⚠ 标出）").format(w=warned)
        self.summary.setText(text)

    # -- actions ---------------------------------------------------------
    def add_child(self) -> None:
        parent = self.selected_node()
        if parent is None or areas.child_level(parent.level) is None or not parent.active:
            return
        level = areas.child_level(parent.level)
        created: list[int] = []

        def save(data):
            created.append(areas.add_area(self.db, parent.id, data))

        suggested = areas.suggest_grid_code(self.db, parent.id) if level != LEVEL_COMMUNITY else None
        dialog = AreaDialog(level, save, parent_name=parent.name, suggested_code=suggested, parent=self)
        if run_dialog(dialog) and created:
            self.refresh()
            self.select_area(created[0])

    def edit_selected(self) -> None:
        node = self.selected_node()
        if node is None:
            return
        parent_name = next((n.name for n in self.nodes if n.id == node.parent_id), "")

        def save(data):
            areas.update_area(self.db, node.id, data, expected_version=node.version)

        dialog = AreaDialog(node.level, save, node=node, parent_name=parent_name, parent=self)
        if run_dialog(dialog):
            self.refresh()

    def move_selected(self) -> None:
        node = self.selected_node()
        if node is None or node.parent_id is None:
            return
        targets = areas.move_targets(self.nodes, node.id)
        if not targets:
            QMessageBox.information(self, APP_TITLE, self.tr("没有可以移入的上级区域。"))
            return
        dialog = MoveDialog(node, targets, self)
        if not run_dialog(dialog):
            return
        if self._run(lambda: areas.move_area(self.db, node.id, dialog.target_id())):
            self.refresh()
            self.select_area(node.id)

    def toggle_active(self) -> None:
        node = self.selected_node()
        if node is None:
            return
        if node.active:
            below = self._descendant_count(node.id)
            message = self.tr("停用“{name}”？").format(name=node.full_name or node.name)
            if below:
                message += self.tr("\n其下 {n} 个区域也将一并停用。").format(n=below)
            if node.households or node.residents:
                message += self.tr("\n其中的 {h:,} 户、{r:,} 人数据都会保留，可随时重新启用。").format(
                    h=node.households, r=node.residents)
            if QMessageBox.question(self, APP_TITLE, message) != QMessageBox.StandardButton.Yes:
                return
        if self._run(lambda: areas.set_area_active(self.db, node.id, not node.active)):
            if node.active and not self.show_inactive.isChecked():
                self.show_inactive.setChecked(True)  # keep the area visible after deactivating
            else:
                self.refresh()
            self.select_area(node.id)

    def delete_selected(self) -> None:
        node = self.selected_node()
        if node is None:
            return
        if QMessageBox.question(self, APP_TITLE, self.tr("删除“{name}”？此操作不能撤销。").format(
                name=node.full_name or node.name)) != QMessageBox.StandardButton.Yes:
            return
        if self._run(lambda: areas.delete_area(self.db, node.id)):
            self.refresh()

    def _open_list(self, page: str) -> None:
        node = self.selected_node()
        if node is not None:
            self.open_list.emit(page, node.id)

    def _descendant_count(self, area_id: int) -> int:
        children: dict[int, list[int]] = {}
        for n in self.nodes:
            children.setdefault(n.parent_id, []).append(n.id)
        count, stack = 0, list(children.get(area_id, []))
        while stack:
            count += 1
            stack.extend(children.get(stack.pop(), []))
        return count

    def _run(self, action) -> bool:
        try:
            action()
        except ServiceError as exc:
            QMessageBox.warning(self, APP_TITLE, exc.message)
            self.refresh()
            return False
        return True


class MoveDialog(QDialog):
    """Pick the new parent of an area."""

    def __init__(self, node: AreaNode, targets: list[AreaNode], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("移动“{name}”").format(name=node.full_name or node.name))
        self.target = QComboBox()
        self.target.setEditable(True)
        self.target.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for target in targets:
            name = target.full_name or target.name  # a micro-grid moves to "社区·网格": grid names repeat
            label = f"{name}（{target.code}）" if target.code else name
            self.target.addItem(label, target.id)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("移到"), self.target)
        form.addRow(buttons)

    def target_id(self) -> int:
        return int(self.target.currentData())


__all__ = ["GridsPage", "MoveDialog", "HEADERS", "COL_NOTE"]
