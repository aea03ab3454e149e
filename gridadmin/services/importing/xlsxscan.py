"""Error cells (#N/A …) and formulas without a cached result in an .xlsx
sheet: calamine reads both as empty text, so the sheet XML is scanned for
them (streamed, chunk by chunk; a chunk without ``t="e"`` or ``<f`` is
skipped without a regex)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from xml.etree import ElementTree

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CHUNK = 1 << 20

MSG_FORMULA = "单元格是公式，但文件中没有保存计算结果（请在 Excel 中打开、保存后再导入，或改为粘贴数值）"


def error_message(code: str) -> str:
    return f"单元格是 Excel 错误值 {code}（通常是公式出错），请改为正确的值"


def sheet_member(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding the worksheet called ``sheet_name``."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    targets = {r.get("Id"): r.get("Target") for r in rels}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        if sheet.get("name") == sheet_name:
            target = targets.get(sheet.get(f"{_NS_REL}id"))
            if not target:
                return None
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    return None


def column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ch - 64)
    return index - 1


def scan_problem_cells(path, sheet_name: str) -> dict[tuple[int, int], str]:
    """``{(row0, col0): Chinese message}`` for error cells and uncached
    formulas of one sheet (0-based row/column)."""
    problems: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(path) as archive:
        member = sheet_member(archive, sheet_name)
        if member is None or member not in archive.namelist():
            return problems
        with archive.open(member) as stream:
            carry = b""
            while True:
                chunk = stream.read(_CHUNK)
                data = carry + chunk
                if not chunk:
                    _scan(data, problems)
                    break
                cut = data.rfind(b"</row>")
                if cut < 0:
                    carry = data
                    continue
                _scan(data[:cut], problems)
                carry = data[cut:]
    return problems


def _scan(data: bytes, problems: dict) -> None:
    if b't="e"' not in data and b"<f" not in data and b":f" not in data:
        return
    for match in _CELL.finditer(data):
        attrs, body = match.group(1), match.group(2) or b""
        kind = _TYPE.search(attrs)
        is_error = kind is not None and kind.group(1) == b"e"
        has_formula = b"<f" in body or b":f" in body
        if not is_error and not has_formula:
            continue
        ref = _REF.search(attrs)
        if ref is None:
            continue
        key = (int(ref.group(2)) - 1, column_index(ref.group(1)))
        value = _VALUE.search(body)
        if is_error:
            problems[key] = error_message(value.group(1).decode("utf-8", "replace") if value else "#N/A")
        elif value is None or not value.group(1):
            problems[key] = MSG_FORMULA
