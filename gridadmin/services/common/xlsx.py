"""Writing spreadsheets users open in Excel/WPS: cell values that could run
as a formula are neutralised; IDs and phones stay text, in cells formatted
as text so a clerk who corrects the file and sends it back sends text."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@")
TEXT_FORMAT = "@"
_IDENTIFIER_KEYS = frozenset({"id_number", "phone", "household_no", "grid_code", "certificate_no", "division_code"})
_IDENTIFIER_TITLE = re.compile(r"身份证|身份号码|证件号|电话|手机|户号|编码|代码|编号|证号")
_ADDRESS_PARTS = frozenset({"楼栋", "单元", "室", "门牌号"})  # Excel turns 3-2 typed there into a date


def is_text_column(key: str, title: str) -> bool:
    """Does a column hold identifiers (ID numbers, phones, 户号, 网格编码,
    证书编号, house numbers …) that Excel must keep as typed? Such columns
    get the text format (``@``), so a number typed or pasted there later
    is not turned into a float, cut to 15 digits or made a date."""
    title = title.replace("*", "").strip()
    return key in _IDENTIFIER_KEYS or title in _ADDRESS_PARTS or _IDENTIFIER_TITLE.search(title) is not None


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

    from gridadmin.services.common.errors import file_not_written

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
