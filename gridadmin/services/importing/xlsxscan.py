"""Error cells (#N/A …) and formulas without a cached result in an .xlsx
sheet: calamine reads both as empty text, so the sheet XML is scanned for
them (streamed, chunk by chunk; a chunk without ``t="e"`` or ``<f`` is
skipped without a regex). The same pass tells whether any text of the
sheet can start with "#" (an error literal typed as text), so the reader
can skip looking for those cell by cell."""

from __future__ import annotations

import html
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


def visible_sheets(path) -> list[str]:
    """The names of the workbook's sheets that are not hidden."""
    with zipfile.ZipFile(path) as archive:
        try:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        except (KeyError, ElementTree.ParseError):
            return []
    return [sheet.get("name") for sheet in workbook.iter(f"{_NS_MAIN}sheet") if sheet.get("state") in (None, "visible")]


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
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # cells with a formula and a cached value


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
                    _scan(data, found.problems, found.formulas)
                    break
                cut = data.rfind(b"</row>")
                if cut < 0:
                    carry = data
                    continue
                _scan(data[:cut], found.problems, found.formulas)
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


_FORMULA = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)


def _formula_text(body: bytes) -> str:
    """The formula of a cell as Excel shows it ("=A1&B1"); a cell sharing
    another's formula has none of its own."""
    match = _FORMULA.search(body)
    text = match.group(2) if match else None
    if not text:
        return "（共享公式）"
    return "=" + html.unescape(text.decode("utf-8", "replace"))


def _scan(data: bytes, problems: dict, formulas: dict) -> None:
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
        else:
            formulas[key] = _formula_text(body)


# --- How far the cells reach, before calamine builds its dense range ------
#
# calamine allocates rows × columns cells from the first to the farthest
# cell with a value: one value in XFD1048576 asks for 512 GB and aborts the
# process (a Rust abort, not an exception). ``sheet_extent`` finds that
# reach from the XML first. A chunk is checked with three C-speed searches
# (its row tags, cell references beyond its last row tag, columns beyond
# the widest seen); only a chunk failing them is walked cell by cell.

_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?row\b([^>]*)>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]*)(\d*)"')
_CONTENT = re.compile(rb"<(?:\w+:)?(?:v|t)\b[^>]*>[^<\s]", re.S)


def column_letters(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 16383 → XFD, and on
    past Excel's last column, where cells without references can land)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _number_at_most(n: int) -> bytes:
    """A regex matching a decimal number from 1 to ``n`` (no leading zero)."""
    digits = str(n)
    options = [rb"[1-9]\d{0,%d}" % (len(digits) - 2)] if len(digits) > 1 else []
    for i, ch in enumerate(digits):  # same length: equal up to i, smaller at i, anything after
        low = b"1" if i == 0 else b"0"
        if ch > low.decode():
            rest = len(digits) - i - 1
            options.append(digits[:i].encode() + b"[%s-%d]" % (low, int(ch) - 1) + (rb"\d{%d}" % rest if rest else b""))
    options.append(digits.encode())
    return b"(?:" + b"|".join(options) + b")"


def _letters_at_most(col: int) -> bytes:
    """A regex matching column letters up to 0-based column ``col``."""
    letters = column_letters(col).encode()
    options = [rb"[A-Z]{1,%d}" % (len(letters) - 1)] if len(letters) > 1 else []
    for i, ch in enumerate(letters):
        if ch > ord("A"):
            rest = len(letters) - i - 1
            options.append(letters[:i] + b"[A-%s]" % bytes([ch - 1]) + (rb"[A-Z]{%d}" % rest if rest else b""))
    options.append(letters)
    return b"(?:" + b"|".join(options) + b")"


@dataclass
class Extent:
    """The reach of a sheet's cells with a value: ``rows``/``columns`` from
    A1 (an upper bound unless ``exact``), and the farthest cells (Excel
    references) below and to the right, known when ``exact``."""

    rows: int = 0
    columns: int = 0
    exact: bool = True
    lowest: str = ""  # a cell of the last row with a value
    rightmost: str = ""  # a cell of the last column with a value


class _Walk:
    """Cell-by-cell extent of chunks (rows and cells without ``r`` count on
    from the one before, as calamine places them)."""

    def __init__(self):
        self.row = 0  # 1-based current row
        self.col = 0
        self.widest = 0  # columns up to the rightmost cell, with a value or not
        self.extent = Extent()

    def chunk(self, data: bytes) -> None:
        ext = self.extent
        for match in _ROW_OR_CELL.finditer(data):
            row_attrs, cell_attrs, body = match.group(1), match.group(2), match.group(3)
            if row_attrs is not None:
                ref = _ATTR_R.search(row_attrs)
                self.row = int(ref.group(2)) if ref and ref.group(2) else self.row + 1
                self.col = 0
                continue
            ref = _ATTR_R.search(cell_attrs)
            if ref and ref.group(1):
                self.col = column_index(ref.group(1)) + 1
                if ref.group(2):
                    self.row = int(ref.group(2))
            else:
                self.col += 1
            self.widest = max(self.widest, self.col)
            if not body or _CONTENT.search(body) is None:
                continue
            name = f"{column_letters(self.col - 1)}{max(self.row, 1)}"
            if self.row > ext.rows:
                ext.rows, ext.lowest = self.row, name
            if self.col > ext.columns:
                ext.columns, ext.rightmost = self.col, name


def sheet_extent(path, sheet_name: str, *, max_rows: int, max_cells: int) -> Extent:
    """How far the sheet's cells reach. Exact (with the farthest cells
    named) whenever it exceeds ``max_rows`` or ``max_rows``-by-columns
    ``max_cells``; otherwise possibly an upper bound, found fast."""
    with zipfile.ZipFile(path) as archive:
        member = sheet_member(archive, sheet_name)
        if member is None or member not in archive.namelist():
            return Extent()
        fast = _extent(archive, member, max_rows, max_cells, fast=True)
        if fast.exact or (fast.rows <= max_rows and fast.rows * fast.columns <= max_cells):
            return fast
        return _extent(archive, member, max_rows, max_cells, fast=False)


def _extent(archive, member: str, max_rows: int, max_cells: int, *, fast: bool) -> Extent:
    walk = _Walk()
    bound = Extent(exact=False)  # what the quick checks vouch for
    with archive.open(member) as stream:
        carry = b""
        while True:
            chunk = stream.read(_CHUNK)
            data = carry + chunk
            if chunk:
                cut = data.rfind(b"</row>")
                if cut < 0:
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            if not (fast and _vouch(data, bound, max(walk.widest, 26), max_rows, max_cells)):
                walk.chunk(data)
            if not chunk:
                break
    ext = walk.extent
    if bound.rows > ext.rows or bound.columns > ext.columns:
        ext.exact = False
        ext.rows, ext.columns = max(ext.rows, bound.rows), max(ext.columns, bound.columns)
    return ext


def _vouch(data: bytes, bound: Extent, columns: int, max_rows: int, max_cells: int) -> bool:
    """Whether one search settles ``data`` (``bound`` then grows to cover
    it): every cell starts with its reference (a cell without one is placed
    after the one before), within ``columns`` and the chunk's last row tag
    rounded up, and the bound stays within the limits. A chunk it does not
    settle is walked cell by cell (where the cells with values are)."""
    at = data.rfind(b'<row r="')
    digits = data[at + 8:data.find(b'"', at + 8)] if at >= 0 else b""
    if not digits.isdigit():
        return b"<c" not in data and b":c" not in data
    rows = -(-int(digits) // 10_000) * 10_000  # rounded up: few distinct (cached) patterns
    if rows > max_rows or rows * columns > max_cells:
        return False
    if b":c" in data:  # maybe cells with a namespace prefix: walked
        return False
    if re.search(rb'<c(?! r="' + _letters_at_most(columns - 1) + _number_at_most(rows) + rb'")[\s>/]', data):
        return False
    bound.rows, bound.columns = max(bound.rows, rows), max(bound.columns, columns)
    return True


# --- The same for an OpenDocument spreadsheet ----------------------------
#
# calamine expands ``number-rows-repeated`` / ``number-columns-repeated``
# when it opens the file (every sheet at once); LibreOffice writes the
# empty rest of a sheet that way, a hostile file repeats a value.

_ODS_TOKEN = re.compile(rb"<table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>"
                        rb"|</table:table-row>")
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'number-rows-repeated="(\d+)"')
_ODS_COLUMNS = re.compile(rb'number-columns-repeated="(\d+)"')


def ods_extents(path) -> dict[str, Extent]:
    """sheet name → the reach of its cells with a value (exact)."""
    found: dict[str, Extent] = {}
    with zipfile.ZipFile(path) as archive:
        if "content.xml" not in archive.namelist():
            return found
        with archive.open("content.xml") as stream:
            carry, ext, row, repeat, col = b"", Extent(), 0, 1, 0
            while True:
                chunk = stream.read(_CHUNK)
                data = carry + chunk
                cut = data.rfind(b">") + 1 if chunk else len(data)
                data, carry = data[:cut], data[cut:]
                for match in _ODS_TOKEN.finditer(data):
                    kind, attrs, closed = match.group(1), match.group(2), match.group(3)
                    if kind is None:  # </table:table-row>
                        row += repeat
                    elif kind == b"table":
                        name = _ODS_NAME.search(attrs)
                        ext, row = Extent(), 0
                        found[name.group(1).decode("utf-8", "replace") if name else str(len(found) + 1)] = ext
                    elif kind == b"table-row":
                        times = _ODS_ROWS.search(attrs)
                        repeat, col = (int(times.group(1)) if times else 1), 0
                        if closed:
                            row += repeat
                    else:
                        times = _ODS_COLUMNS.search(attrs)
                        col += int(times.group(1)) if times else 1
                        if not closed or b"value-type=" in attrs:
                            last_row = row + repeat
                            if last_row > ext.rows:
                                ext.rows, ext.lowest = last_row, f"{column_letters(col - 1)}{last_row}"
                            if col > ext.columns:
                                ext.columns, ext.rightmost = col, f"{column_letters(col - 1)}{last_row}"
                if not chunk:
                    break
    return found
