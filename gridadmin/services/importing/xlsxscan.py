"""Error cells (#N/A …) and formulas without a cached result in an .xlsx
sheet: calamine reads both as empty text, so the sheet XML is scanned for
them (streamed, chunk by chunk; a chunk without ``t="e"`` or ``<f`` is
skipped without a regex). The same pass tells whether any text of the
sheet can start with "#" (an error literal typed as text), so the reader
can skip looking for those cell by cell."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
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


@dataclass
class SheetScan:
    """``problems``: ``{(row0, col0): Chinese message}`` for error cells and
    uncached formulas (0-based row/column). ``hash_text``: False only when
    no text cell of the sheet can start with "#" (no shared or inline string
    does, and the sheet holds no text results of formulas)."""

    problems: dict[tuple[int, int], str] = field(default_factory=dict)
    hash_text: bool = True


def scan_sheet(path, sheet_name: str) -> SheetScan:
    """One pass over the sheet's XML (and its shared strings)."""
    found = SheetScan()
    with zipfile.ZipFile(path) as archive:
        member = sheet_member(archive, sheet_name)
        if member is None or member not in archive.namelist():
            return found
        other_text = False  # an inline string starting with "#", or a formula's text result
        with archive.open(member) as stream:
            carry = b""
            while True:
                chunk = stream.read(_CHUNK)
                data = carry + chunk
                other_text = other_text or b't="str"' in data or _starts_with_hash(data)
                if not chunk:
                    _scan(data, found.problems)
                    break
                cut = data.rfind(b"</row>")
                if cut < 0:
                    carry = data
                    continue
                _scan(data[:cut], found.problems)
                carry = data[cut:]
        found.hash_text = other_text or _shared_hash_text(archive)
    return found


_HASH_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>(?:#|&#35;|&#x23;)")


def _starts_with_hash(xml: bytes) -> bool:
    """Whether a ``<t>`` text element in ``xml`` starts with "#" (the
    substring tests run at memory speed; the regex only confirms a hit)."""
    if b">#" not in xml and b">&#35;" not in xml and b">&#x23;" not in xml:
        return False
    return _HASH_TEXT.search(xml) is not None


def _shared_hash_text(archive: zipfile.ZipFile) -> bool:
    """Whether a shared string (or one run of it) starts with "#"; True
    when the shared strings cannot be read (the caller then checks cells)."""
    names = [n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")]
    try:
        return any(_starts_with_hash(archive.read(n)) for n in names)
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return True


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
