"""Writing spreadsheets users open in Excel/WPS: cell values that could run
as a formula are neutralised; IDs and phones stay text."""

from __future__ import annotations

from datetime import date, datetime

FORMULA_START = ("=", "+", "-", "@")


def safe_cell(value: object) -> object:
    """A value safe to put in a cell: text starting with = + - @ gets a
    leading apostrophe so it can never run as a formula; dates and numbers
    pass through; anything else becomes text."""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    if value is None or isinstance(value, (datetime, date, int, float, bool)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
