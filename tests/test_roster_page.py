"""The roster page driven through its real widgets: search, filter, open,
edit, save, assign."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from gridadmin.services.roster import assignments
from gridadmin.services.roster.staff import get_staff
from gridadmin.ui.common.lazy_table_model import ROW_ROLE
from gridadmin.ui.common.pdf_viewer import PdfPreviewDialog
from gridadmin.ui.roster.roster_page import RosterPage
from tests.staffdata import add, grids, person
from tests.uihelpers import type_text, when_modal


@pytest.fixture
def setup(township_db):
    db = township_db
    ids = grids(db)
    people = {"张三": add(db, "张三", seq=11), "李四": add(db, "李四", seq=22, employment_type="兼职"),
              "王五": add(db, "王五", seq=33, status="离职", left_on=date(2023, 1, 1))}
    assignments.assign(db, people["张三"], ids["第一网格"], "fulltime", date(2020, 2, 1))
    assignments.assign(db, people["李四"], ids["粮行网格"], "parttime", date(2020, 2, 1))
    return db, ids, people


def _page(qtbot, db):
    page = RosterPage(db)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    return page


def _names(page):
    model = page.model
    return [model.data(model.index(r, model.column_index("name"))) for r in range(model.rowCount())]


def _cell(page, row, key):
    return page.model.data(page.model.index(row, page.model.column_index(key)))


def _save(dialog):
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def test_shows_serving_staff_masked_until_ticked(qtbot, setup):
    page = _page(qtbot, setup[0])
    assert _names(page) == ["李四", "张三"]
    assert "在岗 2 人" in page.summary.text()
    assert _cell(page, 1, "phone") == "138****5678" and "*" in _cell(page, 1, "id_number")
    assert _cell(page, 1, "grids") == "河街社区·第一网格" and _cell(page, 1, "roles") == "专职网格员"
    page.show_full.setChecked(True)
    assert _cell(page, 1, "phone") == "13812345678" and "*" not in _cell(page, 1, "id_number")


def test_search_as_you_type(qtbot, setup):
    page = _page(qtbot, setup[0])
    type_text(qtbot, page.search, "z")
    assert _names(page) == ["张三"]
    page.search.clear()
    type_text(qtbot, page.search, "李")
    assert _names(page) == ["李四"]
    page.search.clear()
    assert len(_names(page)) == 2


def test_filters(qtbot, setup):
    db, ids, _ = setup
    page = _page(qtbot, db)
    page.area.setCurrentIndex(page.area.findData(ids["粮行社区"]))
    assert _names(page) == ["李四"]
    page.area.setCurrentIndex(0)
    page.employment.setCurrentIndex(page.employment.findData("专职"))
    assert _names(page) == ["张三"]
    page.employment.setCurrentIndex(0)
    page.status.setCurrentIndex(page.status.findData("离职"))
    assert _names(page) == ["王五"] and "已按条件筛选" in page.summary.text()
    page.status.setCurrentIndex(page.status.findData("serving"))
    page.role.setCurrentIndex(page.role.findData("parttime"))
    assert _names(page) == ["李四"]


def test_header_click_sorts_in_sql(qtbot, setup):
    page = _page(qtbot, setup[0])
    header = page.table.horizontalHeader()
    column = page.model.column_index("name")
    pos = header.rect().center()
    pos.setX(header.sectionViewportPosition(column) + header.sectionSize(column) // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=pos)  # was ascending: now descending
    assert page.model.query.sort == "name"
    assert _names(page) == ["张三", "李四"]


def test_double_click_opens_edit_and_save(qtbot, setup):
    db, _, people = setup
    page = _page(qtbot, db)
    seen = []

    def edit(dialog):
        seen.append(dialog.name.text())
        dialog.phone.clear()
        type_text(qtbot, dialog.phone, "0377-63123456")
        dialog.position.setText("网格员")
        _save(dialog)

    when_modal(edit)
    index = page.model.index(1, 0)
    rect = page.table.visualRect(index)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert seen == ["张三"]
    record = get_staff(db, people["张三"])
    assert record.data.phone == "0377-63123456" and record.data.position == "网格员" and record.version == 2
    page.show_full.setChecked(True)
    assert _cell(page, 1, "phone") == "0377-63123456"
    assert page.selected_row().id == people["张三"]


def test_refusal_keeps_typed_values(qtbot, setup):
    db, _, people = setup
    page = _page(qtbot, db)
    result = []

    def edit(dialog):
        dialog.phone.clear()
        type_text(qtbot, dialog.phone, "12345")
        _save(dialog)
        result.append((dialog.isVisible(), dialog.error.text(), dialog.phone.text()))
        dialog.reject()

    when_modal(edit)
    page.open_staff(page.model.data(page.model.index(1, 0), ROW_ROLE))
    visible, error, typed = result[0]
    assert visible and "联系电话“12345”" in error and typed == "12345"
    assert get_staff(db, people["张三"]).data.phone == "13812345678"


def test_new_staff_id_fills_birth_date_and_gender(qtbot, setup):
    db, _, _ = setup
    page = _page(qtbot, db)
    typed = person("赵六", seq=44, born=date(1990, 7, 9))
    filled = []

    def fill(dialog):
        type_text(qtbot, dialog.name, "赵六")
        type_text(qtbot, dialog.id_number, typed.id_number)
        filled.append((dialog.birth_date.text(), dialog.gender.currentText()))
        dialog.employment_type.setCurrentIndex(dialog.employment_type.findData("专职"))
        dialog.political_status.setCurrentIndex(dialog.political_status.findData("13"))
        dialog.education.setCurrentIndex(dialog.education.findData("20"))
        type_text(qtbot, dialog.hired_on, "2024-03-01")
        _save(dialog)

    when_modal(fill)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert filled == [("1990-07-09", "女")]
    assert "赵六" in _names(page) and page.selected_row().name == "赵六"


def test_assign_from_the_dialog(qtbot, setup):
    db, ids, people = setup
    page = _page(qtbot, db)
    outcome = []

    def assign(sub):
        sub.area.setCurrentIndex(sub.area.findData(ids["第二网格"]))
        sub.role.setCurrentIndex(sub.role.findData("building"))
        sub.day.setText("2024-05-01")
        _save(sub)

    def edit(dialog):
        dialog.tabs.setCurrentIndex(1)
        panel = dialog.assignments
        when_modal(assign)
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
        outcome.append(panel.table.rowCount())
        dialog.reject()

    when_modal(edit)
    page.open_staff(page.model.data(page.model.index(1, 0), ROW_ROLE))
    assert outcome == [2]
    assert _cell(page, 1, "grids") == "河街社区·第一网格、河街社区·第二网格"
    assert _cell(page, 1, "roles") == "专职网格员、楼栋长"


def test_ending_before_start_is_refused_in_the_dialog(qtbot, setup):
    db, _, people = setup
    page = _page(qtbot, db)
    outcome = []

    def end(sub):
        sub.day.setText("2019-01-01")
        _save(sub)
        outcome.append((sub.isVisible(), sub.error.text()))
        sub.reject()

    def edit(dialog):
        panel = dialog.assignments
        panel.select_row(0)
        when_modal(end)
        qtbot.mouseClick(panel.end_button, Qt.MouseButton.LeftButton)
        dialog.reject()

    when_modal(edit)
    page.open_staff(page.model.data(page.model.index(1, 0), ROW_ROLE))
    visible, error = outcome[0]
    assert visible and "2019-01-01" in error and "早于开始日期" in error
    assert assignments.list_assignments(db, people["张三"])[0].end_date is None


def test_export_both_ways_and_print_follow_the_filter(qtbot, setup, tmp_path, monkeypatch):
    """导出: the table's columns, or the staff import template's columns
    (which imports again as unchanged); both and the printed 花名册 hold
    only what the filter shows, numbers masked."""
    from openpyxl import load_workbook
    from pypdf import PdfReader
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from gridadmin.services.importing.pipeline import plan_import
    from tests.uihelpers import answer_message_box

    db, _ids, _people = setup
    page = _page(qtbot, db)
    page.employment.setCurrentIndex(page.employment.findData("专职"))
    qtbot.waitUntil(lambda: _names(page) == ["张三"])
    targets = iter([tmp_path / "shown.xlsx", tmp_path / "template.xlsx", tmp_path / "roster.pdf"])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(next(targets)), ""))
    for action in (page.export_shown_action.trigger, page.export_template_action.trigger):
        texts = answer_message_box(QMessageBox.StandardButton.Ok)
        action()
        assert texts and "已导出 1 行" in texts[0]
    page.print_button.click()  # the 花名册 opens in the PDF viewer, saying where it was saved
    preview = page.findChild(PdfPreviewDialog)
    assert preview.isVisible() and preview.viewer.page_count() == 1 and "已生成 1 页" in preview.note.text()
    preview.close()

    shown = [r for r in load_workbook(tmp_path / "shown.xlsx").active.iter_rows(values_only=True) if any(r)]
    assert any("张三" in str(c) for row in shown for c in row) and not any("李四" in str(c) for row in shown for c in row)
    template = [r for r in load_workbook(tmp_path / "template.xlsx").active.iter_rows(values_only=True) if any(r)]
    assert len(template) == 2 and "张三" in template[1] and "138****5678" in template[1]
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "roster.pdf").pages)
    assert "张三" in text and "李四" not in text and "网格力量花名册" in text
    # the template-format file is what the staff import reads (masked IDs are refused, not guessed)
    plan = plan_import(db, tmp_path / "template.xlsx", "staff")
    assert plan.rows and plan.rows[0].status in ("error", "unchanged")
