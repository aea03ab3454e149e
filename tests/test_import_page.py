"""The import wizard driven through its real widgets: choose a messy
residents workbook, check the mapping, preview the errors, commit (refused
with errors, then with skip-errors on), see the batch in the history."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog
from sqlalchemy import func, select

from gridadmin.models import Person
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.importing.history import list_batches
from gridadmin.services.importing.report import REASON_HEADER
from gridadmin.ui.importing.wizard import STEP_FILE, STEP_MAPPING, STEP_PREVIEW, STEP_RESULT
from gridadmin.ui.importing.import_page import ImportPage
from tests.test_import_support import HEADERS, person, pid, renamed_docx, write_workbook


@pytest.fixture
def grid_db(township_db):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    return township_db


def _messy_rows():
    bad_id = pid(date(1975, 7, 8), 51)
    bad_id = bad_id[:-1] + ("0" if bad_id[-1] != "0" else "1")
    return [person("H1", "户主", "李  云", date(1980, 1, 2), 11, 联系电话=13800138000.0),
            person("H1", "妻", "王芳", date(1981, 3, 4), 22, 出生日期="1981.03.04"),
            person("H1", "子", "李小云", date(2010, 5, 6), 33, 出生日期="2010年5月6日", 性别="M"),
            person("H2", "户主", "张三", date(1960, 5, 6), 35, 民族="火星"),
            person("H3", "户主", "赵四", date(1975, 7, 8), 51, **{"公民身份号码*": bad_id})]


def _page(qtbot, db):
    page = ImportPage(db)
    qtbot.addWidget(page)
    page.resize(1200, 680)
    page.show()
    return page


def _choose(page, monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    page.wizard.file_step.choose_button.click()


def _people(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Person))


def _to_preview(qtbot, page, monkeypatch, path):
    wizard = page.wizard
    _choose(page, monkeypatch, path)
    assert wizard.next_button.isEnabled()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_MAPPING
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_PREVIEW
    return wizard


def test_choose_file_detects_sheet_and_prefills_mapping(qtbot, grid_db, tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows(), extra_sheets=("填表说明",))
    page = _page(qtbot, grid_db)
    wizard = page.wizard
    assert wizard.step() == STEP_FILE and not wizard.next_button.isEnabled()
    _choose(page, monkeypatch, path)
    step = wizard.file_step
    assert step.sheet.isVisible() and step.sheet.currentText() == "人口" and step.sheet.count() == 2
    assert "表头在第 3 行" in step.info.text() and "共 5 行数据" in step.info.text()
    assert step.sheet_note.text() == "自动识别为“人口”"
    step.sheet.setCurrentIndex(step.sheet.findData("填表说明"))
    step.sheet.activated.emit(step.sheet.currentIndex())  # no header there: refused, the note unchanged
    step.sheet.setCurrentIndex(step.sheet.findData("人口"))
    step.sheet.activated.emit(step.sheet.currentIndex())
    assert step.sheet_note.text() == "自动识别为“人口”"
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    mapping = wizard.mapping_step
    combos = mapping.combos()
    assert len(combos) == len(HEADERS)
    assert combos[HEADERS.index("姓  名*")].currentText() == "姓名 *"
    assert combos[HEADERS.index("公民身份号码*")].currentData() == "id_number"
    assert combos[HEADERS.index("与户主\n关系*")].currentData() == "relation"
    assert mapping.table.item(5, 2).text() == "李云"  # first value as the import reads it
    assert mapping.missing() == [] and wizard.next_button.isEnabled()


def test_unmapped_required_field_blocks_next_until_chosen(qtbot, grid_db, tmp_path, monkeypatch):
    headers = [h if h != "公民身份号码*" else "号码" for h in HEADERS]
    rows = [{("号码" if k == "公民身份号码*" else k): v for k, v in r.items()} for r in _messy_rows()[:3]]
    path = write_workbook(tmp_path / "缺列.xlsx", rows, headers=headers)
    page = _page(qtbot, grid_db)
    wizard = page.wizard
    _choose(page, monkeypatch, path)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    mapping = wizard.mapping_step
    assert mapping.missing() == ["公民身份号码"]
    assert not wizard.next_button.isEnabled() and "还缺少必填项：公民身份号码" in mapping.status.text()
    column = headers.index("号码")
    combo = mapping.combos()[column]
    combo.setCurrentIndex(combo.findData("id_number"))
    assert wizard.next_button.isEnabled() and "必填项都已对应" in mapping.status.text()
    mapping.choose(headers.index("姓  名*"), "id_number")  # a field comes from one column only
    assert mapping.combos()[column].currentData() == "id_number"  # nothing unmapped behind the user's back
    assert not wizard.next_button.isEnabled()
    assert "同一项只能对应一列：“公民身份号码”对应了 F 列“姓 名*”和 G 列“号码”" in mapping.status.text()
    mapping.choose(headers.index("姓  名*"), "name")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_PREVIEW and wizard.preview_step.counts["new"] == 3


def test_browsing_a_drop_down_unmaps_nothing(qtbot, grid_db, tmp_path, monkeypatch):
    """The wheel over a drop-down the user has not clicked scrolls the
    table; arrowing through the options and back changes no other column."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows())
    page = _page(qtbot, grid_db)
    wizard = page.wizard
    _choose(page, monkeypatch, path)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    mapping = wizard.mapping_step
    before = mapping.chosen()
    combo = mapping.combos()[HEADERS.index("户号*")]
    wheel = QWheelEvent(QPointF(5, 5), QPointF(combo.mapToGlobal(QPoint(5, 5))), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(combo, wheel)
    assert mapping.chosen() == before
    ethnicity = mapping.combos()[HEADERS.index("民族")]
    ethnicity.setFocus()
    for key in (Qt.Key.Key_Down,) * 3 + (Qt.Key.Key_Up,) * 3:
        qtbot.keyClick(ethnicity, key)
    assert mapping.chosen() == before and wizard.next_button.isEnabled()


def test_a_very_long_cell_does_not_push_the_message_column_off_screen(qtbot, grid_db, tmp_path, monkeypatch):
    from gridadmin.ui.importing.preview_step import MAX_COLUMN_WIDTH

    rows = _messy_rows()[:3]
    rows[1] = {**rows[1], "民族": "长" * 5000}
    path = write_workbook(tmp_path / "长文本.xlsx", rows)
    page = _page(qtbot, grid_db)
    preview = _to_preview(qtbot, page, monkeypatch, path).preview_step
    model, view = preview.model, preview.view
    [line] = [r for r in range(model.rowCount()) if model.index(r, 3).data() == "民族"]
    shown = model.index(line, 4).data()
    assert model.index(line, 0).data() == "5" and shown.startswith("长" * 200) and "共 5,000 字" in shown
    assert all(view.columnWidth(c) <= MAX_COLUMN_WIDTH for c in range(model.columnCount() - 1))
    message_left = view.columnViewportPosition(model.columnCount() - 1)
    assert 0 < message_left < view.viewport().width()  # the 说明 column starts on screen
    assert model.index(line, 1).data() == "错误" and "不是有效的民族" in model.index(line, 5).data()
    view.selectAll()
    page.activateWindow()  # a window an earlier test left active would keep the focus (and Ctrl+C)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=5000)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert "长" * 5000 in QApplication.clipboard().text()  # the copy keeps the whole cell


def test_preview_lists_errors_copies_and_exports_them(qtbot, grid_db, tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows())
    page = _page(qtbot, grid_db)
    wizard = _to_preview(qtbot, page, monkeypatch, path)
    preview = wizard.preview_step
    assert preview.counts == {"rows": 5, "new": 3, "update": 0, "unchanged": 0, "skip": 0, "error": 2}
    assert "新增 <b" in preview.counts_label.text()
    model = preview.model
    lines = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert ["7", "错误", "张三", "民族", "火星"] == lines[0][:5] and "不是有效的民族" in lines[0][5]
    assert lines[1][:4] == ["8", "错误", "赵四", "公民身份号码*"] and "校验码错误" in lines[1][5]
    assert model.headers[2] == "姓 名*"
    preview.filter_box.setCurrentIndex(preview.filter_box.findData("all"))
    assert model.rowCount() == 5
    preview.filter_box.setCurrentIndex(preview.filter_box.findData("error"))
    preview.view.selectAll()
    preview.view.setFocus()
    qtbot.keyClick(preview.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QApplication.clipboard().text().splitlines()
    assert copied[0].startswith("行号\t结果") and copied[1].startswith("7\t错误\t张三\t民族\t火星\t")
    assert len(copied) == 3 and _people(grid_db) == 0  # nothing written by the preview

    out = tmp_path / "错误行.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(preview.export_button, Qt.MouseButton.LeftButton)
    ws = openpyxl.load_workbook(out).active
    assert ws.max_row == 3 and ws.cell(1, ws.max_column).value == REASON_HEADER
    assert "已把 2 行错误导出" in preview.status.text()


def test_commit_refused_with_errors_then_skip_errors_imports_valid_rows(qtbot, grid_db, tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows())
    page = _page(qtbot, grid_db)
    wizard = _to_preview(qtbot, page, monkeypatch, path)
    preview = wizard.preview_step
    assert wizard.next_button.text().startswith("导入")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_PREVIEW and "没有导入任何数据" in preview.status.text()
    assert _people(grid_db) == 0 and list_batches(grid_db) == []
    assert wizard.path == str(path) and wizard.mapping_step.missing() == []  # nothing lost

    preview.skip_errors.setChecked(True)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT
    summary = wizard.result_step.summary.text()
    assert "新增 3" in summary and "其中错误 2" in summary and wizard.result_step.export_button.isVisible()
    assert _people(grid_db) == 3
    batch = list_batches(grid_db)[0]
    assert (batch.file_name, batch.kind, batch.mode, batch.inserted, batch.errors) == \
        ("人口.xlsx", "residents", "upsert", 3, 2)

    qtbot.mouseClick(wizard.result_step.history_button, Qt.MouseButton.LeftButton)
    history = page.history
    assert page.tabs.currentWidget() is history and history.table.rowCount() == 1
    texts = history.row_texts(0)
    assert texts[2:7] == ["人口.xlsx", "户籍人口", "新增并更新", "5", "3"]
    assert "SHA-256" not in history.headers and texts[12] == "已导入"  # the checksum is in the details pane
    history.table.selectRow(0)
    assert batch.sha256 in history.details.text() and "批次 1：“人口.xlsx”" in history.details.text()

    page.tabs.setCurrentWidget(wizard)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)  # 导入其他文件
    assert wizard.step() == STEP_FILE and wizard.path is None and not wizard.next_button.isEnabled()


def test_skip_errors_with_every_row_wrong_writes_nothing(qtbot, grid_db, tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows()[3:])  # both rows have errors
    page = _page(qtbot, grid_db)
    wizard = _to_preview(qtbot, page, monkeypatch, path)
    preview = wizard.preview_step
    preview.skip_errors.setChecked(True)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_PREVIEW and "没有可导入的行" in preview.status.text()
    assert _people(grid_db) == 0 and list_batches(grid_db) == []


def test_mode_change_replans(qtbot, grid_db, tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows()[:3])
    page = _page(qtbot, grid_db)
    wizard = _to_preview(qtbot, page, monkeypatch, path)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert _people(grid_db) == 3
    wizard.start_over()
    wizard.load(str(path))
    wizard.go(STEP_MAPPING)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    preview = wizard.preview_step
    assert preview.counts["unchanged"] == 3
    preview.mode.setCurrentIndex(preview.mode.findData("update"))
    preview.mode.activated.emit(preview.mode.currentIndex())
    assert wizard.plan.mode == "update" and preview.counts["unchanged"] == 3


def test_file_changed_after_preview_is_not_imported(qtbot, grid_db, tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows()[:3])
    page = _page(qtbot, grid_db)
    wizard = _to_preview(qtbot, page, monkeypatch, path)
    write_workbook(path, _messy_rows()[:2])
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_PREVIEW and "在预览之后被修改过" in wizard.preview_step.status.text()
    assert _people(grid_db) == 0
    qtbot.mouseClick(wizard.preview_step.recheck_button, Qt.MouseButton.LeftButton)
    assert wizard.preview_step.counts["new"] == 2
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT and _people(grid_db) == 2


@pytest.mark.parametrize("make", ["docx", "empty", "text"])
def test_unreadable_file_shows_reason_and_changes_nothing(qtbot, grid_db, tmp_path, monkeypatch, make):
    if make == "docx":
        path = renamed_docx(tmp_path / "名单.xlsx")
        reason = "这是 Word 文档"
    elif make == "empty":
        path = tmp_path / "空.xlsx"
        path.write_bytes(b"")
        reason = "文件是空的"
    else:
        path = tmp_path / "说明.csv"
        path.write_text("这是一份说明\n没有表头\n", encoding="utf-8")
        reason = "找不到"
    page = _page(qtbot, grid_db)
    wizard = page.wizard
    _choose(page, monkeypatch, path)
    error = wizard.file_step.error
    assert error.isVisible() and path.name in error.text() and reason in error.text()
    assert wizard.step() == STEP_FILE and not wizard.next_button.isEnabled()
    assert _people(grid_db) == 0 and list_batches(grid_db) == []
    good = write_workbook(tmp_path / "好.xlsx", _messy_rows()[:3])
    _choose(page, monkeypatch, good)
    assert not error.isVisible() and wizard.next_button.isEnabled()


def test_page_is_registered_in_main_window(qtbot, grid_db):
    from gridadmin.ui.shell.main_window import MainWindow

    window = MainWindow(grid_db)
    qtbot.addWidget(window)
    page = window.show_page("import")
    assert isinstance(page, ImportPage) and page.history.summary.text() == "还没有导入记录。"


def test_grids_kind_from_csv(qtbot, township_db, tmp_path, monkeypatch):
    path = tmp_path / "网格.csv"
    path.write_text("社区,网格名称,网格编码,网格类型\n河街社区,一网格,411302001001001,城市\n,二网格,,城市社区网格\n",
                    encoding="gb18030")
    page = _page(qtbot, township_db)
    wizard = page.wizard
    wizard.file_step.kind_buttons["grids"].click()
    assert "网格名称" in wizard.file_step.columns_hint.text()
    _to_preview(qtbot, page, monkeypatch, path)
    assert wizard.file_step.sheet.isHidden()  # one pseudo-sheet: no choice shown
    assert wizard.preview_step.counts["new"] == 2
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    assert sorted(n.name for n in load_tree(township_db) if n.parent_id == community.id) == ["一网格", "二网格"]
    assert page.history.row_texts(0)[3] == "网格"


def test_wizard_import_then_undo_from_history(qtbot, grid_db, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from tests.uihelpers import answer_message_box

    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows()[:3])
    page = _page(qtbot, grid_db)
    wizard = _to_preview(qtbot, page, monkeypatch, path)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT and _people(grid_db) == 3
    qtbot.mouseClick(wizard.result_step.history_button, Qt.MouseButton.LeftButton)
    history = page.history
    assert not history.undo_button.isEnabled()
    history.table.selectRow(0)
    assert history.undo_button.isEnabled()

    texts = answer_message_box(QMessageBox.StandardButton.No)
    qtbot.mouseClick(history.undo_button, Qt.MouseButton.LeftButton)
    assert "将删除本批新增的 3 名居民、1 个住户。" in texts[0] and _people(grid_db) == 3

    answer_message_box(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(history.undo_button, Qt.MouseButton.LeftButton)
    assert _people(grid_db) == 0
    assert "：删除 3 名居民、1 个住户。" in history.message.text()  # the numbers the question gave
    assert history.row_texts(0)[12].startswith("已撤销")
    history.grab().save(str(tmp_path / "history.png"))
    summary = wizard.result_step.summary.text()  # the 完成 page no longer says 新增 3
    assert wizard.result_step.title.text() == "本批已撤销" and "新增 3" not in summary and "已于" in summary
    page.resize(1024, 768)
    page.tabs.setCurrentWidget(wizard)
    page.grab().save(str(tmp_path / "result_undone.png"))
    history.table.selectRow(0)
    assert not history.undo_button.isEnabled()  # undone batches cannot be undone again


def test_staff_kind_through_the_wizard(qtbot, township_db, tmp_path, monkeypatch):
    from tests import staffdata
    from tests.test_import_staff import _staff, roster, row

    staffdata.grids(township_db)
    path = roster(tmp_path / "花名册.xlsx", [row("李云", date(1985, 3, 2), 11), row("王芳", date(1990, 6, 7), 22)])
    page = _page(qtbot, township_db)
    wizard = page.wizard
    wizard.file_step.kind_buttons["staff"].click()
    assert wizard.file_step.kind_buttons["staff"].text() == "网格员"
    _to_preview(qtbot, page, monkeypatch, path)
    assert wizard.preview_step.counts["new"] == 2
    wizard.grab().save(str(tmp_path / "staff_preview.png"))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT and set(_staff(township_db)) == {"李云", "王芳"}
    page.history.refresh()
    assert page.history.row_texts(0)[3] == "网格员"


def test_preview_and_commit_plan_from_the_first_look_at_the_file(qtbot, grid_db, tmp_path, monkeypatch):
    from gridadmin.services.importing import pipeline

    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows()[:3])
    calls = []
    real = pipeline.read_kind_sheets
    monkeypatch.setattr(pipeline, "read_kind_sheets", lambda *a, **k: calls.append(a) or real(*a, **k))
    page = _page(qtbot, grid_db)
    wizard = _to_preview(qtbot, page, monkeypatch, path)
    assert len(calls) == 1 and wizard.plan.counts()["inserted"] == 3  # read once, for the columns
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT and _people(grid_db) == 3 and len(calls) == 1  # the commit too
    assert wizard.overview.read is None  # imported: the cells are let go


def test_kinds_the_user_may_not_import_are_not_offered(qtbot, grid_db):
    """HR staff may import the roster and sign-ins, not the register; an
    official may import nothing and is told so before choosing a file."""
    from gridadmin.services.access.users import authenticate, create_user

    create_user(grid_db, "admin", "王管理", "wangge2026", ["admin"])
    create_user(grid_db, "hr1", "钱人事", "renshi2026x", ["hr"])
    create_user(grid_db, "leader", "赵领导", "lingdao2026", ["official"])
    hr = grid_db.as_actor(authenticate(grid_db, "hr1", "renshi2026x"))
    step = _page(qtbot, hr).wizard.file_step
    assert not step.kind_buttons["residents"].isEnabled() and "无权导入" in step.kind_buttons["residents"].toolTip()
    assert step.kind_buttons["staff"].isEnabled() and step.kind() == "staff" and step.choose_button.isEnabled()
    official = grid_db.as_actor(authenticate(grid_db, "leader", "lingdao2026"))
    step = _page(qtbot, official).wizard.file_step
    assert not any(b.isEnabled() for b in step.kind_buttons.values()) and not step.choose_button.isEnabled()
    assert "没有导入数据的权限" in step.error.text() and step.template_button.isEnabled()


def test_preview_shows_the_changes_as_the_service_gave_them():
    from gridadmin.services.importing.plan import RowPlan
    from gridadmin.ui.importing.preview_model import changes_text

    row = RowPlan(5, [], status="update", changes={"phone": ("联系电话", "134****7785", "139****0000"),
                                                   "name": ("姓名", "李云", "李芸")})
    assert changes_text(row) == "联系电话：134****7785 → 139****0000；姓名：李云 → 李芸"


def test_file_moved_after_preview_is_explained_in_chinese(qtbot, grid_db, tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows()[:3])
    page = _page(qtbot, grid_db)
    wizard = _to_preview(qtbot, page, monkeypatch, path)
    path.rename(tmp_path / "人口-已处理.xlsx")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    text = wizard.preview_step.status.text()
    assert wizard.step() == STEP_PREVIEW and "“人口.xlsx”已不在原来的位置" in text and "Errno" not in text
    assert _people(grid_db) == 0


def test_sheet_note_says_when_the_clerk_picked_another_sheet(qtbot, grid_db, tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows()[:3])
    book = openpyxl.load_workbook(path)
    book.active.title = "一月"
    book.copy_worksheet(book.active).title = "二月"
    book.save(path)
    page = _page(qtbot, grid_db)
    _choose(page, monkeypatch, path)
    step = page.wizard.file_step
    assert step.sheet_note.text() == "自动识别为“一月”"
    step.sheet.setCurrentIndex(step.sheet.findData("二月"))
    step.sheet.activated.emit(step.sheet.currentIndex())
    assert step.sheet_note.text() == "已改选“二月”（自动识别的是“一月”）" and "工作表“二月”" in step.info.text()


def test_enter_on_the_column_step_goes_on_to_the_preview(qtbot, grid_db, tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "人口.xlsx", _messy_rows()[:3])
    page = _page(qtbot, grid_db)
    wizard = page.wizard
    _choose(page, monkeypatch, path)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    combo = wizard.mapping_step.combos()[HEADERS.index("民族")]
    combo.setFocus()
    combo.showPopup()  # Enter in an open drop-down picks the item and stays
    qtbot.waitUntil(combo.view().isVisible)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Down)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Return)
    assert wizard.step() == STEP_MAPPING and combo.currentData() != "ethnicity"
    wizard.mapping_step.choose(HEADERS.index("民族"), "ethnicity")
    qtbot.waitUntil(combo.hasFocus)
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    assert wizard.step() == STEP_PREVIEW and wizard.preview_step.counts["new"] == 3
