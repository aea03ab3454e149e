"""Empty pages say what to do next."""

from __future__ import annotations

from gridadmin.ui.shell.main_window import MainWindow


def test_roster_training_and_audit_show_what_to_do_next(qtbot, township_db, tmp_path):
    window = MainWindow(township_db)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    roster = window.show_page("roster")
    qtbot.waitUntil(lambda: roster.empty_state.is_shown())
    assert "还没有网格员" in roster.empty_state.label.text() and "新增人员" in roster.empty_state.label.text()
    window.grab().save(str(tmp_path / "roster_empty.png"))
    roster.search.setText("张")
    roster.empty_state.update()
    assert "没有符合条件的人员" in roster.empty_state.label.text()
    training = window.show_page("training")
    sessions = training.tabs.currentWidget()
    assert sessions.empty_state.is_shown() and "新建培训" in sessions.empty_state.label.text()
    audit = window.show_page("audit")
    assert audit.empty_state.is_shown() == (audit.model.rowCount() == 0)


def test_empty_state_hides_when_rows_arrive(qtbot):
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    from gridadmin.ui.common.widgets import EmptyState

    view = QTableView()
    qtbot.addWidget(view)
    model = QStandardItemModel(0, 2)
    view.setModel(model)
    state = EmptyState(view, "还没有数据。")
    view.show()
    assert state.is_shown()
    model.appendRow([QStandardItem("a"), QStandardItem("b")])
    assert not state.is_shown()
    model.removeRow(0)
    assert state.is_shown() and state.label.text() == "还没有数据。"


def test_residents_table_and_report_history_say_what_to_do_next(qtbot, township_db):
    from gridadmin.ui.reports.reports_page import ReportsPage
    from gridadmin.ui.register.residents_page import ResidentsPage

    residents = ResidentsPage(township_db)
    qtbot.addWidget(residents)
    assert residents.model.rowCount() == 0 and residents.empty_state.is_shown()
    assert "还没有居民" in residents.empty_state.label.text() and "数据导入" in residents.empty_state.label.text()
    residents.search.setText("张")
    residents.apply_filter()
    residents.empty_state.update()
    assert "没有符合条件的居民" in residents.empty_state.label.text()
    reports = ReportsPage(township_db)
    qtbot.addWidget(reports)
    assert reports.history.rowCount() == 0 and reports.empty_state.is_shown()
    assert "还没有生成过月报" in reports.empty_state.label.text()
