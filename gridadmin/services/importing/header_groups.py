"""Two-row headers: a header cell spanning sub-columns (merged, or simply
followed by blank cells over a row of sub-labels) is read as one column.

The county platforms' templates head a place with a group over its parts::

    姓名* | 户籍地 |      |       | 民族*
    姓名* | 省*    | 市*  | 区县* | 民族*      (vertically merged cells repeat)

``fold_header_groups`` rewrites such a sheet in place of the reader's
output: the group's first column is headed "户籍地（省/市/区县）" and holds
the parts joined in order ("浙江省嘉兴市嘉善县"; parts that are not place
levels as "五好家庭：是；平安家庭：否"), the other columns of the group get
an empty header, and the sub-header row becomes blank, so it is never read
as data. Excel row numbers stay as they were, so every message still names
the file's own rows.
"""

from __future__ import annotations

from dataclasses import replace

from gridadmin.services.importing.headers import find_header_row
from gridadmin.services.importing.mapping import KindSpec, display_header, normalize_header
from gridadmin.services.importing.reading import SheetData

# Sub-labels that are parts of a place: their values are joined without a separator.
PLACE_LEVELS = frozenset(normalize_header(s) for s in (
    "省", "自治区", "直辖市", "市", "地市", "州", "盟", "区", "县", "区县", "县区", "市县区", "县市区", "旗",
    "乡镇", "乡", "镇", "街道", "乡镇街道", "社区", "村", "社区村", "村社区", "村组", "组", "详址", "门牌"))


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(a, b) -> bool:
    return not _blank(a) and normalize_header(a) == normalize_header(b)


def find_groups(header: list, sub: list) -> list[tuple[int, int]] | None:
    """The (first, last) columns of each group when ``sub`` is a sub-header
    row under ``header``; None when ``sub`` is anything else (data, blank).
    ``sub`` is a sub-header row when it labels every column of each group
    and, outside the groups, only repeats the header (a vertical merge) or
    is blank."""
    width = max(len(header), len(sub))

    def h(c):
        return header[c] if c < len(header) else ""

    def s(c):
        return sub[c] if c < len(sub) else ""

    groups: list[tuple[int, int]] = []
    c = 0
    while c < width:
        label = h(c)
        if _blank(label):
            if not _blank(s(c)):
                return None  # a value under no header: a data row
            c += 1
            continue
        end = c
        while end + 1 < width and (_blank(h(end + 1)) or _same(h(end + 1), label)) \
                and not _blank(s(end + 1)) and not _same(s(end + 1), label):
            end += 1
        if end > c:
            if _blank(s(c)) or _same(s(c), label):
                return None
            groups.append((c, end))
            c = end + 1
            continue
        if not (_blank(s(c)) or _same(s(c), label)):
            return None  # a value under an ordinary column: a data row
        c += 1
    return groups or None


def _part_label(value) -> str:
    return display_header(value).replace("*", "").strip()


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def join_parts(labels: list[str], values: list) -> str:
    """The group's value: place parts joined in order, other parts as
    "标签：值" separated by "；"; empty parts left out."""
    parts = [(label, _text(v)) for label, v in zip(labels, values) if not _blank(v)]
    if not parts:
        return ""
    if all(normalize_header(label) in PLACE_LEVELS for label, _ in parts):
        return "".join(v for _, v in parts)
    return "；".join(f"{label}：{v}" for label, v in parts)


def fold_header_groups(spec: KindSpec, sheet: SheetData) -> SheetData:
    """``sheet`` with its two-row header folded (see the module); the sheet
    itself when its header has no sub-header row."""
    index = find_header_row(spec, sheet.rows)
    if index is None or index + 1 >= len(sheet.rows):
        return sheet
    header, sub = sheet.rows[index], sheet.rows[index + 1]
    groups = find_groups(header, sub)
    if groups is None:
        return sheet
    rows = list(sheet.rows)
    new_header = list(header) + [""] * max(0, len(sub) - len(header))
    labels: dict[int, list[str]] = {}
    for first, last in groups:
        parts = [_part_label(sub[c]) for c in range(first, last + 1)]
        labels[first] = parts
        new_header[first] = f"{_part_label(header[first])}（{'/'.join(parts)}）"
        for c in range(first + 1, last + 1):
            new_header[c] = ""
    rows[index] = new_header
    rows[index + 1] = [""] * len(sub)
    problems, formulas = dict(sheet.problems), dict(sheet.formulas)
    for (r, c) in list(problems):
        if r == index + 1:
            del problems[(r, c)]  # a sub-label is not data
    for r in range(index + 2, len(rows)):
        cells = rows[r]
        changed = None
        for first, last in groups:
            values = [cells[c] if c < len(cells) else "" for c in range(first, last + 1)]
            joined = join_parts(labels[first], values)
            if changed is None:
                changed = list(cells) + [""] * max(0, last + 1 - len(cells))
            changed[first] = joined
            for c in range(first + 1, last + 1):  # a part's #N/A or formula is the group's
                for found in (problems, formulas):
                    if (r, c) in found and (r, first) not in found:
                        found[(r, first)] = found[(r, c)]
        if changed is not None:
            rows[r] = changed
    names = "、".join(new_header[first] for first, _ in groups)
    note = (f"第 {index + 1}–{index + 2} 行是两行表头：{names} 各按一列读取，"
            f"各部分按顺序合并（如“浙江省嘉兴市嘉善县”）。")
    return replace(sheet, rows=rows, problems=problems, formulas=formulas, notes=[*sheet.notes, note])
