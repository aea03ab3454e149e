"""Small pieces shared by the training widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

GREY = QColor("#9a9a9a")
RED = QColor("#b00020")
ALIGN_NUMBER = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ALIGN_CENTER = int(Qt.AlignmentFlag.AlignCenter)


def hours_text(value: float | None) -> str:
    """4.0 → "4", 2.5 → "2.5", None → ""."""
    return "" if value is None else f"{value:g}"


