"""The grid tree page driven through its real widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from gridadmin.services.areas import tree as areas
from gridadmin.ui.areas.area_tree_model import COL_CODE, COL_NAME, NODE_ROLE
from gridadmin.ui.areas.grids_page import GridsPage
from tests.uihelpers import answer_message_box, type_text, when_modal


def _page(qtbot, db):
    page = GridsPage(db)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def _visible_names(page):
    names = []
    for index in page._all_indexes():
        names.append(page.proxy.data(index, NODE_ROLE).name)
    return names


def _select(page, name):
    area_id = next(n.id for n in page.nodes if n.name == name)
    assert page.select_area(area_id)
    return area_id


def test_tree_shows_township_and_communities(qtbot, township_db):
    page = _page(qtbot, township_db)
    model = page.proxy
    assert model.rowCount() == 1
    township = model.index(0, COL_NAME)
    assert model.data(township) == "东关街道"
    assert model.rowCount(township) == 16
    assert page.tree.isExpanded(township)
    assert model.data(model.index(0, COL_CODE, township)) == "411302001001"
    assert "共 16 个社区/村、0 个网格" in page.summary.text()


def test_add_grid_through_dialog(qtbot, township_db):
    page = _page(qtbot, township_db)
    _select(page, "河街社区")
    assert page.add_button.isEnabled() and "网格" in page.add_button.text()

    def fill(dialog):
        assert dialog.grid_code.text() == "411302001001001"  # suggested
        type_text(qtbot, dialog.name, "第一网格")
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()

    when_modal(fill)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    node = page.selected_node()
    assert node.name == "第一网格" and node.grid_code == "411302001001001" and node.grid_type == "城市社区网格"
    assert "1 个网格" in page.summary.text()


def test_refused_input_keeps_dialog_open_with_message(qtbot, township_db):
    community = next(n for n in areas.load_tree(township_db) if n.name == "河街社区")
    areas.add_area(township_db, community.id, areas.AreaInput(name="第一网格"))
    page = _page(qtbot, township_db)
    _select(page, "河街社区")
    messages = []

    def fill(dialog):
        type_text(qtbot, dialog.name, "第一网格")
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
        messages.append((dialog.isVisible(), dialog.error.text(), dialog.name.text()))
        dialog.reject()

    when_modal(fill)
    page.add_child()
    visible, error, typed = messages[0]
    assert visible and "已有名为“第一网格”" in error and typed == "第一网格"
    assert sum(1 for n in areas.load_tree(township_db) if n.name == "第一网格") == 1


def test_rename_by_double_click(qtbot, township_db):
    page = _page(qtbot, township_db)
    _select(page, "外号社区")

    def rename(dialog):
        dialog.name.clear()
        type_text(qtbot, dialog.name, "外号新社区")
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()

    when_modal(rename)
    rect = page.tree.visualRect(page.tree.currentIndex())
    qtbot.mouseClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert "外号新社区" in _visible_names(page)
    assert page.selected_node().name == "外号新社区"


def test_search_filters_tree(qtbot, township_db):
    page = _page(qtbot, township_db)
    type_text(qtbot, page.search, "书院")
    names = _visible_names(page)
    assert names == ["东关街道", "书院社区"]
    page.search.clear()
    assert len(_visible_names(page)) == 17


def test_deactivate_with_confirmation_then_reactivate(qtbot, township_db):
    community = next(n for n in areas.load_tree(township_db) if n.name == "市场社区")
    grid = areas.add_area(township_db, community.id, areas.AreaInput(name="第一网格"))
    page = _page(qtbot, township_db)
    _select(page, "市场社区")
    boxes = answer_message_box(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    assert "其下 1 个区域也将一并停用" in boxes[0]
    nodes = {n.id: n for n in areas.load_tree(township_db)}
    assert not nodes[community.id].active and not nodes[grid].active
    assert page.show_inactive.isChecked()
    assert page.selected_node().id == community.id and page.active_button.text().startswith("启用")
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    assert next(n for n in areas.load_tree(township_db) if n.id == community.id).active


def test_cancelled_deactivation_changes_nothing(qtbot, township_db):
    page = _page(qtbot, township_db)
    area_id = _select(page, "市场社区")
    answer_message_box(QMessageBox.StandardButton.No)
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    assert next(n for n in areas.load_tree(township_db) if n.id == area_id).active


def test_move_grid_to_other_community(qtbot, township_db):
    community = next(n for n in areas.load_tree(township_db) if n.name == "河街社区")
    target = next(n for n in areas.load_tree(township_db) if n.name == "粮行社区")
    grid = areas.add_area(township_db, community.id, areas.AreaInput(name="移动网格"))
    page = _page(qtbot, township_db)
    _select(page, "移动网格")

    def choose(dialog):
        dialog.target.setCurrentIndex(dialog.target.findData(target.id))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    when_modal(choose)
    qtbot.mouseClick(page.move_button, Qt.MouseButton.LeftButton)
    assert next(n for n in areas.load_tree(township_db) if n.id == grid).parent_id == target.id
    assert page.selected_node().id == grid


def test_delete_only_enabled_for_empty_areas(qtbot, township_db):
    community = next(n for n in areas.load_tree(township_db) if n.name == "河街社区")
    grid = areas.add_area(township_db, community.id, areas.AreaInput(name="空网格"))
    page = _page(qtbot, township_db)
    _select(page, "河街社区")
    assert not page.delete_button.isEnabled()
    _select(page, "空网格")
    assert page.delete_button.isEnabled()
    answer_message_box(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert grid not in {n.id for n in areas.load_tree(township_db)}


def test_drill_down_from_grid_to_residents_and_roster(qtbot, tmp_path):
    from gridadmin.services.demo import create_demo_database
    from gridadmin.db import open_database
    from gridadmin.ui.shell.main_window import MainWindow

    path = tmp_path / "demo.db"
    create_demo_database(str(path), "small")
    db = open_database(str(path))
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    page = window.page("grids")
    grid = next(n for n in page.nodes if n.level == "grid" and n.residents > 0)
    assert page.select_area(grid.id)
    qtbot.mouseClick(page.residents_button, Qt.MouseButton.LeftButton)
    residents = window.page("residents")
    assert window.stack.currentWidget() is residents
    assert residents.area.currentData() == grid.id and residents.model.rowCount() == grid.residents
    window.show_page("grids")
    qtbot.mouseClick(page.staff_button, Qt.MouseButton.LeftButton)
    assert window.page("roster").area.currentData() == grid.id
    db.dispose()
