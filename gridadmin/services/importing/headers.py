"""Finding the header row under title rows and turning a sheet into data
rows with their Excel row numbers; group-filled columns filled down."""

from __future__ import annotations

from dataclasses import dataclass

from gridadmin.services.importing.mapping import (
    ColumnMap, KindSpec, duplicate_columns, map_columns, match_header, missing_required,
)
from gridadmin.services.importing.reading import SheetData
from gridadmin.services.importing.sniff import FileRefused

HEADER_SEARCH_ROWS = 12
MIN_HEADER_MATCHES = 2


@dataclass
class Table:
    """A sheet's data under its header. ``rows``: (excel_row, cells) for
    every non-blank data row (group-filled columns already filled down)."""

    sheet: SheetData
    header_row: int  # Excel row number of the header
    mapping: ColumnMap
    rows: list[tuple[int, list]]
    row_names: list[dict[str, str]] | None = None  # per row: generic header → the file's own (wide layout)
    sha256: str | None = None  # of the file as it was read (``pipeline.load_table``)
    own_problems: dict | None = None  # the sheet's and this mapping's (formulas in text columns)

    @property
    def problems(self) -> dict[tuple[int, int], str]:
        return self.sheet.problems if self.own_problems is None else self.own_problems


def header_score(spec: KindSpec, row: list) -> int:
    """How many fields ``row`` names (0 without the kind's anchor field)."""
    table = spec.lookup()
    keys = {match_header(spec, cell, table) for cell in row} - {None}
    if spec.anchor is not None and spec.anchor not in keys:
        return 0
    return len(keys)


def find_header_row(spec: KindSpec, rows: list[list]) -> int | None:
    """0-based index of the row naming the most fields (at least two) among
    the first rows; title rows above it name none or one."""
    best, best_score = None, MIN_HEADER_MATCHES - 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = header_score(spec, row)
        if score > best_score:
            best, best_score = index, score
    return best


def build_table(spec: KindSpec, sheet: SheetData, overrides: dict | None = None, *, keep: bool = True) -> Table:
    """The data of ``sheet`` for ``spec``; ``FileRefused`` when no header
    is found or a required column is missing. ``keep``: leave the sheet's
    cells as they were (a filled-down row is copied), for a read that may be
    built again with another mapping; False fills them in place (a read
    used once: 66,000 fewer lists for a 100,000-row register)."""
    index = find_header_row(spec, sheet.rows)
    if index is None:
        names = "、".join(f.label for f in spec.fields if f.required) or spec.fields[0].label
        raise FileRefused(f"文件“{sheet.file_name}”的工作表“{sheet.sheet_name}”中找不到{spec.label}表头"
                          f"（前 {HEADER_SEARCH_ROWS} 行中没有包含 {names} 等列名的行）。",
                          field="header", value=sheet.sheet_name)
    headers = sheet.rows[index]
    mapping = map_columns(spec, headers, overrides)
    clashes = duplicate_columns(spec, mapping, getattr(sheet.layout, "letters", ()))
    if clashes:
        raise FileRefused(f"文件“{sheet.file_name}”的工作表“{sheet.sheet_name}”中，同一项出现在多列"
                          f"（表头在第 {index + 1} 行）："
                          f"{'；'.join(clashes)}。无法确定以哪一列为准，请删除或改名多余的列后再导入"
                          f"（在导入向导中也可以把其中一列改为“（不导入）”）。",
                          field="header", value=sheet.sheet_name)
    missing = missing_required(spec, mapping)
    if missing:
        raise FileRefused(f"文件“{sheet.file_name}”的工作表“{sheet.sheet_name}”缺少必填列："
                          f"{'、'.join(f.label for f in missing)}（表头在第 {index + 1} 行）。",
                          field="header", value=sheet.sheet_name)
    table = Table(sheet, index + 1, mapping, [])
    formulas = formula_problems(spec, mapping, sheet.formulas)
    if formulas:
        table.own_problems = {**sheet.problems, **formulas}
    width = len(headers)
    fill_columns = [mapping.columns[f.key] for f in spec.fields if f.fill_down and f.key in mapping.columns]
    rows, out = sheet.rows, table.rows
    for r in range(index + 1, len(rows)):
        cells = rows[r]
        first = cells[0] if cells else None
        if first is None or (first.__class__ is str and (not first or first.isspace())):
            if all(_blank(v) for v in cells):
                continue
        out.append((r + 1, cells if len(cells) >= width else cells + [""] * (width - len(cells))))
    for c in fill_columns:
        _fill_down(out, c, table.problems, keep)
    return table


def formula_problems(spec: KindSpec, mapping: ColumnMap, formulas: dict) -> dict[tuple[int, int], str]:
    """A message for each formula cell in a column of an identifier or a
    text (its cached result is what calamine reads, maybe a placeholder)."""
    if not formulas:
        return {}
    refused = {index for key, index in mapping.columns.items() if not spec.field(key).takes_formula}
    return {(r, c): formula_message(formula) for (r, c), formula in formulas.items() if c in refused}


def formula_message(formula: str) -> str:
    """Why a formula cell of an identifier or text column is refused."""
    return (f"单元格是公式（{formula}），导入需要实际的值，不能用公式的计算结果（可能只是占位的 0）："
            "请在 Excel 中复制这一列，用“选择性粘贴 → 值”粘贴回原处后再导入")


def _fill_down(rows: list[tuple[int, list]], c: int, problems: dict, keep: bool = True) -> None:
    """Empty cells of column ``c`` take the value above (group-filled
    columns); a cell with a problem (#N/A …) is left for its message. With
    ``keep`` a filled row gets its own copy of the cells: the sheet read
    stays as it was, so a table can be built from it again."""
    last = _NOTHING
    for i, (excel_row, cells) in enumerate(rows):
        value = cells[c]
        if value is None or (value.__class__ is str and (not value or value.isspace())) or \
                (isinstance(value, str) and not value.strip()):
            if last is not _NOTHING and (excel_row - 1, c) not in problems:
                if keep:
                    cells = list(cells)
                    rows[i] = (excel_row, cells)
                cells[c] = last
        else:
            last = value


_NOTHING = object()


def pick_table(spec: KindSpec, sheets: list[SheetData], overrides: dict | None = None, *,
               keep: bool = True) -> Table:
    """The first sheet whose header names most fields of ``spec``."""
    if len(sheets) == 1:
        return build_table(spec, sheets[0], overrides, keep=keep)
    scored = []
    for order, sheet in enumerate(sheets):
        index = find_header_row(spec, sheet.rows)
        if index is not None:
            scored.append((-header_score(spec, sheet.rows[index]), order, sheet))
    if not scored:
        return build_table(spec, sheets[0], overrides, keep=keep)  # raises with the first sheet's name
    return build_table(spec, min(scored, key=lambda t: t[:2])[2], overrides, keep=keep)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
