"""Small pieces shared by the training widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView

ERROR_STYLE = "color: #b00020;"
GREY = QColor("#9a9a9a")
RED = QColor("#b00020")
ALIGN_NUMBER = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ALIGN_CENTER = int(Qt.AlignmentFlag.AlignCenter)


def hours_text(value: float | None) -> str:
    """4.0 → "4", 2.5 → "2.5", None → ""."""
    return "" if value is None else f"{value:g}"


def error_label() -> QLabel:
    """A red, word-wrapped label for refusals, hidden until used."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def show_error(label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))


def setup_table(view: QTableView, stretch_column: int | None = None) -> None:
    """Row selection, alternating colours, columns sized to their contents."""
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setMinimumSectionSize(48)
    header.setResizeContentsPrecision(60)  # size columns from the first rows: quick with thousands
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch_column is not None:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
