"""导出数据 tab on the import page: pick a kind (and a session), save, and
the file has the import columns and the data; full numbers only when
asked and allowed; the exported file imports again as 无变化."""

from __future__ import annotations

from datetime import date

import openpyxl
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gridadmin.services.importing import import_job
from gridadmin.services.common.progress import run_to_end
from tests import staffdata
from tests.test_import_support import person, pid, write_workbook


def _page(qtbot, db):
    from gridadmin.ui.importing.import_page import ImportPage

    page = ImportPage(db)
    qtbot.addWidget(page)
    page.tabs.setCurrentWidget(page.export_tab)
    return page


def _save_to(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: said.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: said.append("warning " + text))
    return said


def _import_residents(db, tmp_path):
    from gridadmin.services.areas.tree import AreaInput, add_area, load_tree

    community = next(n for n in load_tree(db) if n.name == "河街社区")
    add_area(db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11, 联系电话="13812345678"),
            person("H1", "妻", "王芳", date(1981, 3, 4), 22)]
    result = run_to_end(import_job(db, write_workbook(tmp_path / "in.xlsx", rows), "residents"))
    assert result.committed, [e.message for e in result.plan.errors]


def test_export_residents_masked_then_full_and_reimport_changes_nothing(qtbot, township_db, tmp_path, monkeypatch):
    _import_residents(township_db, tmp_path)
    page = _page(qtbot, township_db)
    tab = page.export_tab
    assert not tab.session_combo.isEnabled() and tab.kind_buttons["residents"].isChecked()
    out = tmp_path / "masked.xlsx"
    said = _save_to(monkeypatch, out)
    tab.export_button.click()
    assert said and "已导出 2 行" in said[-1]
    sheet = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in sheet[1]]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert "姓名" in header and "户号" in header and len(values) == 2
    assert "13812345678" not in str(values) and pid(date(1980, 1, 2), 11) not in str(values)

    assert not tab.full_numbers.isHidden()  # a clerk may see full numbers
    tab.full_numbers.setChecked(True)
    full = tmp_path / "full.xlsx"
    _save_to(monkeypatch, full)
    tab.export_button.click()
    text = str([[c.value for c in row] for row in openpyxl.load_workbook(full).worksheets[0].iter_rows()])
    assert "13812345678" in text and pid(date(1980, 1, 2), 11) in text
    again = run_to_end(import_job(township_db, full, "residents", mode="upsert"))
    assert again.to_dict()["unchanged"] == 2 and again.to_dict()["inserted"] == 0


def test_export_one_training_session(qtbot, township_db, tmp_path, monkeypatch):
    from gridadmin.services.training.sessions import SessionInput, add_attendees, create_session

    staffdata.grids(township_db)
    staff = [staffdata.add(township_db, "张三", seq=123), staffdata.add(township_db, "李四", seq=125)]
    first = create_session(township_db, SessionInput(name="消防安全培训", start_date=date(2026, 3, 2),
                                                     end_date=date(2026, 3, 2), hours=2.0))
    other = create_session(township_db, SessionInput(name="矛盾调解培训", start_date=date(2026, 4, 2),
                                                     end_date=date(2026, 4, 2), hours=3.0))
    add_attendees(township_db, first, staff[:1])
    add_attendees(township_db, other, staff)
    page = _page(qtbot, township_db)
    tab = page.export_tab
    tab.kind_buttons["attendance"].click()
    assert tab.session_combo.isEnabled() and tab.session_combo.count() == 3
    tab.session_combo.setCurrentIndex(tab.session_combo.findData(first))
    out = tmp_path / "signin.xlsx"
    said = _save_to(monkeypatch, out)
    tab.export_button.click()
    assert said and "已导出 1 行" in said[-1]
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(out).worksheets[0].iter_rows()]
    assert "培训名称" in rows[0] and rows[1][rows[0].index("培训名称")] == "消防安全培训"
    tab.session_combo.setCurrentIndex(0)  # 全部培训场次
    _save_to(monkeypatch, out)
    tab.export_button.click()
    assert openpyxl.load_workbook(out).worksheets[0].max_row == 4
    tab.kind_buttons["grids"].click()
    assert not tab.session_combo.isEnabled()
