"""Small widget helpers shared by every page: the red refusal label and the
standard table set-up."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QHeaderView, QLabel, QTableView

ERROR_STYLE = "color: #b00020;"


def error_label() -> QLabel:
    """A red, word-wrapped label for refusals, hidden until used."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def show_error(label: QLabel, message: str) -> None:
    """Show ``message`` in an error label (hide it for '')."""
    label.setText(message)
    label.setVisible(bool(message))


def setup_table(view: QTableView, stretch_column: int | None = None) -> None:
    """Row selection, alternating colours, columns sized to their contents
    (from the first rows only, so thousands of rows stay quick)."""
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setMinimumSectionSize(48)
    header.setResizeContentsPrecision(60)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch_column is not None:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)


def filter_combo(everything: str, items: list[tuple[str, str]]) -> QComboBox:
    """A filter drop-down: first "全部…" (data '': no filter), then
    ``(code, label)`` items."""
    combo = QComboBox()
    combo.addItem(everything, "")
    for code, label in items:
        combo.addItem(label, code)
    return combo


def select_data(combo: QComboBox, value: object) -> bool:
    """Select the item whose data is ``value``; False when there is none."""
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0


def run_dialog(dialog: QDialog) -> bool:
    """Show a modal dialog; True when accepted. The dialog is scheduled for
    deletion (it stays usable until control returns to the event loop), so
    dialogs parented to a page do not pile up until exit."""
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    dialog.deleteLater()
    return accepted


def setup_lazy_table(view: QTableView, model) -> None:
    """Set up a view over a ``LazyTableModel``: whole-row single selection,
    fixed row height, column widths from the columns' descriptions, never
    sized to the contents of all rows (that would load them all), sorting
    by header click (in SQL)."""
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    for position, column in enumerate(model.columns):
        if column.width:
            view.setColumnWidth(position, column.width)
