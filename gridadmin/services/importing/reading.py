"""Reading a spreadsheet into rows of plain values.

.xlsx/.xlsm/.xls/.ods through python-calamine (fast), CSV in UTF-8 (with
or without BOM) or GB18030. ``SheetData.rows[i]`` is Excel row ``i + 1``;
trailing empty rows and columns are dropped. Merged ranges are filled with
their top-left value; error cells and uncached formulas are listed in
``problems`` (calamine reads them as empty text).
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from gridadmin.services.common.sheetprobe import ProbeFailed, sheet_ends
from gridadmin.services.importing.sniff import (
    FORMAT_CSV, FORMAT_ODS, FORMAT_XLS, FORMAT_XLSX, LYING_ZIP, FileRefused, detect_format, refuse,
)
from gridadmin.services.importing.xlsxscan import (
    Extent, column_letters, error_message, ods_extents, scan_sheet, sheet_extent, visible_sheets,
)

# What one import reads: rows of a sheet, and cells of its range from A1 to
# the farthest cell with a value (rows × columns; calamine holds 32 bytes a
# cell, so 30 million cells are about 1 GB while reading).
MAX_ROWS = 300_000
MAX_CELLS = 30_000_000

EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!",
                          "#GETTING_DATA", "#SPILL!", "#CALC!"})


@dataclass
class SheetData:
    """One sheet's cells. ``problems``: ``{(row0, col0): message}``."""

    file_name: str
    sheet_name: str
    sheet_names: list[str]
    rows: list[list]
    problems: dict[tuple[int, int], str] = field(default_factory=dict)
    layout: object = None  # a ``wide.WideLayout`` when made from a wide household sheet
    notes: list[str] = field(default_factory=list)  # about the file as a whole (read as .xls although named .xlsx)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row0, col0) → "=A1&B1" (.xlsx)
    footer: object = None  # a ``footer.Footer``: the rows left out at the end (制表人、合计 …)


def sheet_names(path: str | os.PathLike) -> list[str]:
    """The sheets of a workbook (one pseudo-sheet for a CSV file)."""
    fmt = detect_format(path)
    if fmt == FORMAT_CSV:
        return [Path(path).stem]
    with _open_workbook(path, fmt) as workbook:
        return _visible_sheets(workbook)


def read_sheets(path: str | os.PathLike, sheet: str | None = None) -> list[SheetData]:
    """The named sheet, or every visible sheet (the caller picks the one
    whose header it recognises). Raises ``FileRefused`` with the reason."""
    p = Path(path)
    fmt = detect_format(p)
    if fmt == FORMAT_CSV:
        rows, notes = _read_csv(p)
        width = len(rows[0]) if rows else 0
        corner = f"{column_letters(max(width - 1, 0))}{len(rows)}"
        check_extent(p, p.stem, Extent(len(rows), width, True, corner, corner))
        return [SheetData(p.name, p.stem, [p.stem], rows, _text_errors(rows), notes=notes)]
    result = []
    notes = _format_notes(p, fmt)
    with ThreadPoolExecutor(1) as side:
        # The reach of the cells is measured while calamine opens the workbook.
        reach = side.submit(_extents, p, sheet) if fmt == FORMAT_XLSX else None
        with _open_workbook(p, fmt) as workbook:
            names = _visible_sheets(workbook)
            if sheet is not None and sheet not in workbook.sheet_names:
                raise refuse(p, f"没有名为“{sheet}”的工作表（现有：{'、'.join(names)}）。")
            extents = reach.result() if reach is not None else {}
            for name in [sheet] if sheet is not None else names:
                result.append(_read_sheet(p, fmt, workbook, name, names, notes, side, extents))
    return result


def _extents(p: Path, sheet: str | None) -> dict[str, Extent | None]:
    """Each sheet's reach (``sheet`` or every visible one); None for a
    sheet whose zip part lies about its size."""
    found = {}
    for name in [sheet] if sheet is not None else visible_sheets(p):
        try:
            found[name] = sheet_extent(p, name, max_rows=MAX_ROWS, max_cells=MAX_CELLS)
        except (zipfile.BadZipFile, EOFError, zlib.error):
            found[name] = None
    return found


def _read_sheet(p: Path, fmt: str, workbook, name: str, names: list[str], notes: list[str], side,
                extents: dict) -> SheetData:
    """One sheet: its reach checked before calamine builds its range."""
    if fmt == FORMAT_XLSX:
        if name not in extents:
            extents.update(_extents(p, name))
        if extents[name] is None:
            raise refuse(p, LYING_ZIP)
        check_extent(p, name, extents[name])
    # The XML scans run beside calamine's parse, which releases the GIL.
    scanning = side.submit(scan_sheet, p, name) if fmt == FORMAT_XLSX else None
    try:
        raw = workbook.get_sheet_by_name(name)
        rows = _trim(raw.to_python(skip_empty_area=False))
        merged = raw.merged_cell_ranges or []
    except calamine.CalamineError as exc:
        raise refuse(p, LYING_ZIP if _lying(exc) else f"工作表“{name}”无法解析（{exc}）。") from None
    _fill_merged(rows, merged)
    scanned = scanning.result() if scanning is not None else None
    problems = _text_errors(rows) if scanned is None or scanned.hash_text else {}
    if scanned is not None:
        problems.update(scanned.problems)
    return SheetData(p.name, name, names, rows, problems, notes=list(notes),
                     formulas=scanned.formulas if scanned is not None else {})


def check_extent(path: Path, sheet: str, extent: Extent) -> None:
    """Refuse a sheet whose cells reach beyond what one import reads,
    naming the farthest cell (``extent`` exact whenever it is beyond)."""
    rows, columns = extent.rows, extent.columns
    if rows <= MAX_ROWS and rows * columns <= MAX_CELLS:
        return
    cell = extent.lowest if rows > MAX_ROWS else extent.rightmost
    where = f"在 {cell} 单元格有内容，" if cell else ""
    raise refuse(path, f"工作表“{sheet}”{where}表格范围过大（{rows:,} 行 × {columns:,} 列）。"
                       f"导入最多支持 {MAX_ROWS:,} 行、{MAX_CELLS // 10_000:,} 万个单元格（行数 × 列数）："
                       f"如果这些内容是多余的，请删除后另存再导入；如果数据确实有这么多，"
                       f"请拆分成多个文件（每个不超过 {MAX_ROWS:,} 行）分别导入。")


def _format_notes(p: Path, fmt: str) -> list[str]:
    named = {".xlsx": FORMAT_XLSX, ".xlsm": FORMAT_XLSX, ".xls": FORMAT_XLS, ".ods": FORMAT_ODS}.get(p.suffix.lower())
    if named is None or named == fmt:
        return []
    really = {FORMAT_XLSX: "Excel 工作簿（.xlsx）", FORMAT_XLS: "Excel 97-2003 工作簿（.xls）",
              FORMAT_ODS: "OpenDocument 表格（.ods）"}[fmt]
    return [f"文件“{p.name}”的扩展名是 {p.suffix}，但内容其实是{really}，已按实际格式读取"
            f"（建议在 Excel 中另存为 .xlsx）"]


def _guard(p: Path, fmt: str) -> None:
    """.xls and .ods: calamine reads every sheet at open, so the reach of
    the cells is checked first (.ods from its XML, .xls in a child process)."""
    if fmt == FORMAT_ODS:
        try:
            extents = ods_extents(p)
        except (zipfile.BadZipFile, EOFError, zlib.error):
            raise refuse(p, LYING_ZIP) from None
        for name, extent in extents.items():
            check_extent(p, name, extent)
    elif fmt == FORMAT_XLS:
        try:
            ends = sheet_ends(p)
        except ProbeFailed as exc:
            raise refuse(p, f"表格范围过大，无法读取（{exc.reason}）。请在 Excel 中删除多余的行和列"
                            f"（导入最多支持 {MAX_ROWS:,} 行），另存为 .xlsx 后再导入。") from None
        for name, (rows, columns) in (ends or {}).items():
            corner = f"{column_letters(columns - 1)}{rows}" if rows and columns else ""
            check_extent(p, name, Extent(rows, columns, True, corner, corner))


class _open_workbook:
    def __init__(self, path, fmt: str):
        self.path = Path(path)
        self.fmt = fmt
        self.workbook = None

    def __enter__(self) -> calamine.CalamineWorkbook:
        _guard(self.path, self.fmt)
        try:
            if _format_notes(self.path, self.fmt) or self.path.suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".ods"):
                with open(self.path, "rb") as handle:  # calamine goes by the name, this by the content
                    self.workbook = calamine.CalamineWorkbook.from_filelike(handle)
            else:
                self.workbook = calamine.CalamineWorkbook.from_path(str(self.path))
        except calamine.PasswordError:
            raise refuse(self.path, "工作簿设置了密码，请在 Excel 中取消密码后另存再导入。") from None
        except Exception as exc:  # noqa: BLE001 - calamine raises plain errors for some broken files
            raise refuse(self.path, LYING_ZIP if _lying(exc) else f"不是可读的 Excel 工作簿（{exc}）。") from None
        return self.workbook

    def __exit__(self, *exc) -> None:
        if self.workbook is not None:
            self.workbook.close()


def _lying(exc: Exception) -> bool:
    """Whether calamine's error says a zip part is not what its headers
    declare (more data than declared, a wrong checksum)."""
    text = str(exc).lower()
    return "declared" in text or "checksum" in text or "crc" in text


def _visible_sheets(workbook) -> list[str]:
    names = [m.name for m in workbook.sheets_metadata
             if m.visible == calamine.SheetVisibleEnum.Visible and m.typ == calamine.SheetTypeEnum.WorkSheet]
    return names or list(workbook.sheet_names)


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _trim(rows: list[list]) -> list[list]:
    """Drop trailing empty rows (cheap: walk back from the end) and trailing
    empty columns; every row is made as wide as the widest."""
    end = len(rows)
    while end and all(_is_empty(v) for v in rows[end - 1]):
        end -= 1
    if end < len(rows):
        del rows[end:]
    width = 0
    for row in rows:
        if len(row) > width and not _is_empty(row[-1]):
            width = len(row)
            continue
        for i in range(len(row) - 1, width - 1, -1):
            if not _is_empty(row[i]):
                width = i + 1
                break
    return [row if len(row) == width else row[:width] if len(row) > width else row + [""] * (width - len(row))
            for row in rows]


def _fill_merged(rows: list[list], merged) -> None:
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if (r, c) != (r0, c0) and _is_empty(row[c]):
                    row[c] = value


def _text_errors(rows: list[list]) -> dict[tuple[int, int], str]:
    """Error literals typed or saved as text (#N/A in a CSV). Only a column
    holding a text that starts with "#" is looked at cell by cell."""
    width = len(rows[0]) if rows else 0
    columns = None
    if rows and all(len(row) == width for row in rows):
        columns = [(c, column) for c, column in enumerate(zip(*rows)) if _may_hold_hash(column)]
    if columns is None:
        columns = [(c, [row[c] if c < len(row) else None for row in rows])
                   for c in range(max((len(row) for row in rows), default=0))]
    found = {(r, c): error_message(value.strip().upper())
             for c, column in columns for r, value in enumerate(column) if _is_error_text(value)}
    return dict(sorted(found.items()))  # row by row, as the sheet reads


def _may_hold_hash(column: tuple) -> bool:
    """Whether a text in ``column`` might start with "#" (decided in C: a
    text column is joined; in any column's repr such a text shows as '# or "#)."""
    try:
        return "\x00#" in "\x00" + "\x00".join(column)
    except TypeError:  # not all text
        text = repr(column)
        return "'#" in text or '"#' in text


def _is_error_text(value) -> bool:
    return isinstance(value, str) and value[:1] == "#" and value.strip().upper() in EXCEL_ERRORS


def _read_csv(p: Path) -> tuple[list[list], list[str]]:
    data = p.read_bytes()
    notes = []
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode 文本": UTF-16 with BOM, tab-separated
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused(f"无法读取文件“{p.name}”：文字编码是 UTF-16，但内容有损坏。"
                              "请在 Excel 中另存为 .xlsx 或“CSV UTF-8”后再导入。", field="file", value=str(p)) from None
        notes.append(f"文件“{p.name}”是 Excel 的“Unicode 文本”（UTF-16 编码），已按此读取")
        return _parse_csv(text), notes
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(f"无法读取文件“{p.name}”：文字编码既不是 UTF-8 也不是 GB18030。",
                          field="file", value=str(p))
    return _parse_csv(text), notes


def _parse_csv(text: str) -> list[list]:
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return _trim([list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)])
