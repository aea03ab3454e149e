"""Keyboard: Ctrl+1…9 between pages, Ctrl+F/N/P on the current page,
Ctrl+S in dialogs, tab order of the staff and session dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout

from gridadmin.ui.shell.main_window import MainWindow, page_names
from gridadmin.ui.roster.staff_dialog import StaffDialog
from tests.uihelpers import when_modal

CTRL = Qt.KeyboardModifier.ControlModifier


def _activate(widget) -> None:
    """Make ``widget`` the active window (shortcuts only work there)."""
    import warnings

    widget.activateWindow()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        QApplication.setActiveWindow(widget)


def _window(qtbot, db):
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    _activate(window)
    return window


def test_ctrl_digits_switch_pages_and_ctrl_f_focuses_search(qtbot, township_db):
    window = _window(qtbot, township_db)
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    roster = window.stack.currentWidget()
    assert roster is window.page("roster") and window.nav.currentRow() == page_names().index("roster")
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    assert roster.search.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    assert window.stack.currentWidget() is window.page("grids")
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    assert window.page("grids").search.hasFocus()


def test_ctrl_n_and_ctrl_p_use_the_page_actions(qtbot, township_db):
    window = _window(qtbot, township_db)
    window.show_page("roster")
    roster = window.page("roster")
    seen = []
    when_modal(lambda dialog: (seen.append(type(dialog).__name__), dialog.reject()))
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    assert seen == ["StaffDialog"]
    roster.print_button.clicked.disconnect()
    roster.print_button.clicked.connect(lambda: seen.append("print"))
    roster.print_button.setEnabled(True)
    _activate(window)
    qtbot.keyClick(window, Qt.Key.Key_P, CTRL)
    assert seen[-1] == "print"
    window.show_page("training")
    when_modal(lambda dialog: (seen.append(type(dialog).__name__), dialog.reject()))
    assert window.new_item()  # the training page's own Ctrl+N, fired by the window
    assert seen[-1] == "SessionDialog"


def test_ctrl_s_presses_save_in_dialogs(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    edit = QLineEdit()
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    saved = []
    buttons.accepted.connect(lambda: saved.append(True))
    layout = QVBoxLayout(dialog)
    layout.addWidget(edit)
    layout.addWidget(buttons)
    dialog.show()
    qtbot.waitExposed(dialog)
    _activate(dialog)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_S, CTRL)
    assert saved == [True]


def _tab_chain(start, count):
    chain, widget = [start], start
    while len(chain) < count:
        widget = widget.nextInFocusChain()
        if (widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(start.window())
                and not widget.objectName().startswith("qt_")):  # inside a spin box or combo box
            chain.append(widget)
    return chain


def test_staff_dialog_tab_order_goes_down_the_left_column_then_the_right(qtbot, township_db):
    from gridadmin.ui.common.widgets import form_fields

    dialog = StaffDialog(township_db)
    qtbot.addWidget(dialog)
    fields = form_fields(*dialog.form_layouts)
    assert fields[0] is dialog.name and fields[1] is dialog.id_number and dialog.employment_type in fields
    assert _tab_chain(fields[0], len(fields)) == fields


def test_session_dialog_tab_order_follows_the_form(qtbot, township_db):
    from gridadmin.services.training.sessions import training_code_lists
    from gridadmin.ui.training.session_dialog import SessionDialog
    from gridadmin.ui.common.widgets import form_fields

    dialog = SessionDialog(training_code_lists(township_db), lambda data: None)
    qtbot.addWidget(dialog)
    fields = form_fields(dialog.form_layout)
    assert fields[0] is dialog.name and fields[-1] is dialog.note
    assert _tab_chain(fields[0], len(fields)) == fields
