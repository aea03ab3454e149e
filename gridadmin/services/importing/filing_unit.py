"""The 填报单位 block above a platform template's header.

County platforms' templates carry, above the header, a row such as::

    填报单位： | 浙江省 | 省* | 嘉兴市 | 市* | 嘉善县 | 市/县/区* | 魏塘街道 | 乡镇/街道* | 东门社区 | 社区/村*

(each value before its level's label), or simply "填报单位：东门社区".
``read_filing_unit`` finds it; ``apply_filing_unit`` gives a sheet without
a 社区/村 column the file's community as one (headed "社区/村（填报单位）"),
so the rows are checked against the clerk's scope and a grid name that
repeats across communities resolves, exactly as with a community column.
The unfilled template's "某某社区" is not a community.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from gridadmin.services.importing.headers import find_header_row
from gridadmin.services.importing.mapping import KindSpec, map_columns, normalize_header
from gridadmin.services.importing.reading import SheetData

FILING_LABELS = frozenset(normalize_header(s) for s in ("填报单位", "填表单位", "报送单位", "填报单位名称"))
_LEVELS = {  # normalised level label → level
    **{normalize_header(s): "province" for s in ("省", "省份", "省自治区直辖市")},
    **{normalize_header(s): "city" for s in ("市", "地市", "市州")},
    **{normalize_header(s): "county" for s in ("区县", "县区", "市县区", "县市区", "区", "县", "县级")},
    **{normalize_header(s): "township" for s in ("乡镇街道", "乡镇", "街道", "镇街", "乡镇(街道)")},
    **{normalize_header(s): "community" for s in ("社区村", "村社区", "社区", "村", "社区(村)")},
}
COMMUNITY_HEADER = "社区/村（填报单位）"


@dataclass(frozen=True)
class FilingUnit:
    """The places the block names (empty when not given)."""

    excel_row: int
    province: str = ""
    city: str = ""
    county: str = ""
    township: str = ""
    community: str = ""
    other: str = ""  # a name whose level does not show

    def text(self) -> str:
        return "".join(p for p in (self.province, self.city, self.county, self.township, self.community,
                                   self.other))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _level_of(name: str) -> str:
    """The level a place's own name shows (东关街道: a township)."""
    if name.endswith(("社区", "村", "居委会", "村委会", "居民委员会", "村民委员会")):
        return "community"
    if name.endswith(("街道", "镇", "乡", "苏木", "街道办事处")):
        return "township"
    if name.endswith(("区", "县", "旗")):
        return "county"
    return "other"


def _placeholder(value: str) -> bool:
    return not value or value.startswith("某某")


def _after_label(cell: str) -> str | None:
    """"填报单位：东门社区" → "东门社区"; "填报单位：" → ""; anything else → None."""
    for sep in ("：", ":"):
        head, found, rest = cell.partition(sep)
        if found and normalize_header(head) in FILING_LABELS:
            return rest.strip()
    return "" if normalize_header(cell) in FILING_LABELS else None


def read_filing_unit(rows: list[list], header_index: int) -> FilingUnit | None:
    """The 填报单位 block among the rows above the header, or None."""
    for r in range(min(header_index, len(rows))):
        cells = [_text(v) for v in rows[r]]
        start = next((i for i, v in enumerate(cells) if _after_label(v) is not None), None)
        if start is None:
            continue
        found: dict[str, str] = {}
        inline = _after_label(cells[start])
        rest = cells[start + 1:]
        for i, value in enumerate(rest):
            level = _LEVELS.get(normalize_header(value))
            if level is None:
                continue
            before = rest[i - 1] if i > 0 else ""
            after = rest[i + 1] if i + 1 < len(rest) else ""
            if before and normalize_header(before) not in _LEVELS:
                found.setdefault(level, before)  # "嘉兴市 | 市*": the value before its label
            elif after and normalize_header(after) not in _LEVELS:
                found.setdefault(level, after)  # "社区： | 东门社区"
        if not found:
            plain = inline or next((v for v in rest if v), "")
            if plain:
                found[_level_of(plain)] = plain
        places = {k: ("" if _placeholder(v) else v) for k, v in found.items()}
        if not any(places.values()):
            return None
        return FilingUnit(r + 1, **places)
    return None


def apply_filing_unit(spec: KindSpec, sheet: SheetData) -> SheetData:
    """``sheet`` with a 社区/村（填报单位） column when its block names a
    community and the header has no 社区/村 column of its own; a note says
    what the block names. The sheet itself otherwise."""
    if sheet.layout is not None or not any(f.key == "community" for f in spec.fields):
        return sheet
    index = find_header_row(spec, sheet.rows)
    if index is None:
        return sheet
    unit = read_filing_unit(sheet.rows, index)
    if unit is None or not (unit.community or unit.province or unit.city or unit.county):
        return sheet  # "填报单位：东关街道" under a township's own title says nothing new
    note = f"填报单位（第 {unit.excel_row} 行）：{unit.text()}"
    if not unit.community or "community" in map_columns(spec, sheet.rows[index]).columns:
        return replace(sheet, notes=[*sheet.notes, note])
    note += f"；文件没有“社区/村”列，各行按填报单位的“{unit.community}”导入"
    return replace(add_column(sheet, index, COMMUNITY_HEADER, unit.community), notes=[*sheet.notes, note])


def add_column(sheet: SheetData, index: int, header: str, value: str) -> SheetData:
    """``sheet`` with one more column at the right: ``header`` on the header
    row (0-based ``index``), ``value`` on every data row below it; a blank
    (sub-header, separator) row stays blank."""
    width = max(len(row) for row in sheet.rows[index:])
    rows = list(sheet.rows)
    for r in range(index, len(rows)):
        cells = list(rows[r]) + [""] * (width - len(rows[r]))
        blank = all(v is None or (isinstance(v, str) and not v.strip()) for v in cells)
        cells.append(header if r == index else "" if blank else value)
        rows[r] = cells
    return replace(sheet, rows=rows)


def added_column(header: object) -> str:
    """For a column ``add_column`` made, what stands in for its letter (the
    file has no such column): "填报单位" or "表名"; '' for the file's own."""
    text = str(header or "")
    return "填报单位" if text.endswith("（填报单位）") else "表名" if text.endswith("（表名）") else ""


def name_added_columns(rows: list, header_row: int, sheet_rows: list[list]) -> None:
    """A message about a value of an added column says where the value is
    in the file: "填报单位（第 3 行）的社区/村“东门社区”：…" or "表名的人口类别
    “流动人口”：…" — the column is not in the file, its letter would point
    nowhere. ``rows``: the plan's rows (errors and warnings replaced)."""
    unit = None

    def reword(issue):
        nonlocal unit
        where = added_column(issue.column)
        if not where:
            return issue
        label = issue.column.rsplit("（", 1)[0]
        if where == "填报单位":
            if unit is None:
                unit = read_filing_unit(sheet_rows, header_row - 1) or FilingUnit(0)
            where = f"填报单位（第 {unit.excel_row} 行）" if unit.excel_row else where
        value = f"“{issue.value}”" if issue.value else ""
        return replace(issue, message=f"{where}的{label}{value}：{issue.message}")

    for row in rows:
        if any(added_column(i.column) for i in (*row.errors, *row.warnings)):
            row.errors = [reword(i) for i in row.errors]
            row.warnings = [reword(i) for i in row.warnings]
