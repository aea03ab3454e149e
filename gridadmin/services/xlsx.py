"""Writing spreadsheets users open in Excel/WPS: cell values that could run
as a formula are neutralised; IDs and phones stay text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

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


def write_xlsx(path, fill: Callable[[object], int]) -> int:
    """Write ``path`` with XlsxWriter: ``fill(workbook)`` adds the sheets and
    returns its row count, which is returned. Constant-memory mode (rows go
    to disk as they come); text is never turned into numbers, formulas or
    links. On any failure the half-written file is removed, and a file that
    cannot be written raises ``errors.file_not_written`` (Chinese, naming
    the file and the likely cause)."""
    import xlsxwriter
    from xlsxwriter.exceptions import XlsxFileError

    from gridadmin.services.errors import file_not_written

    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    try:
        count = fill(workbook)
        workbook.close()
    except BaseException as exc:
        discard_unwritten(workbook, path)
        if isinstance(exc, (OSError, XlsxFileError)):
            raise file_not_written(path, exc) from exc
        raise
    return count


def discard_unwritten(workbook, path: Path) -> None:
    """After a failed write: close the XlsxWriter ``workbook`` quietly (its
    temporary files go) and remove the half-written ``path``. A file that
    cannot be removed (held open by Excel/WPS on Windows) is left: the
    error being reported is the write's, not this."""
    try:
        workbook.close()
    except Exception:  # noqa: BLE001 - the first error is the one to report
        pass
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
