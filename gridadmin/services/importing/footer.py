"""The footer government sheets end with — 制表人：… 审核人：…, 填表说明 and
its numbered notes, 合计/总计 rows, 填表日期 — is the end of the table,
not data.

Contract:
- ``cut_footer(sheet, header_index)`` looks below the header (0-based
  ``header_index``) for the first *footer row*: a row whose first
  non-empty cell is a footer label (制表人, 审核人, 填表说明, 填表日期 …, alone
  or followed by "：…"), or a 合计/总计 row whose other cells are all
  sums (numbers, "12人", "3户") or blank. A person named 合计 in an
  otherwise complete row (an ID number, 男, 汉族 …) is data, not a footer.
- The rows from there on, and the blank separator rows right above it,
  are left out of the table; ``sheet.footer`` (a ``Footer``) says which
  Excel rows and why (``Footer.note``: "第 1205–1208 行为表尾（制表人/审核人/
  合计），未导入").
- Inside the footer, blank rows, footer rows and note rows (one value, maybe
  merged across: "1、身份证号码填 18 位") belong to it; any other row is
  real data after the footer: ``Footer.stray`` keeps it, and the import
  plans it as an error row (``stray_rows``), never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from gridadmin.services.common.text import to_halfwidth
from gridadmin.services.importing.plan import ERROR, RowIssue, RowPlan, shown
from gridadmin.services.importing.reading import SheetData

SIGN_OFF_LABELS = ("制表人", "制表", "填表人", "填报人", "审核人", "审核", "复核人", "审批人", "负责人", "单位负责人",
                   "主要负责人", "分管领导", "统计人", "经办人", "联系人", "联系电话", "填表单位", "填报单位",
                   "单位盖章", "单位（盖章）", "盖章", "制表日期", "填表日期", "填报日期", "报送日期", "统计日期",
                   "填表说明", "填报说明", "说明", "注", "备注说明", "附注")
SUM_LABELS = ("合计", "总计", "共计")
_SPACES = re.compile(r"\s+")
_LABEL = re.compile(r"(%s)(?:[:：].*)?" % "|".join(re.escape(x) for x in sorted(
    SIGN_OFF_LABELS + SUM_LABELS, key=len, reverse=True)), re.S)
_FIRST_CHARS = frozenset(label[0] for label in SIGN_OFF_LABELS + SUM_LABELS)
# a sum as it appears in a 合计 row: 1,234 / 12人 / 3 户 / 56.5 (no 18-digit ID number)
_SUM = re.compile(r"[-+]?\d{1,12}(?:[.,]\d+)*\s*(?:人|户|个|名|间|次|项|%)?")


@dataclass(frozen=True)
class Footer:
    """The left-out end of a sheet: Excel rows ``first_row``–``last_row``
    (blank separator rows above the first footer row included),
    ``label_row`` the first footer row, ``labels`` what its rows start with,
    ``stray`` rows of data found after it: (Excel row, cells)."""

    first_row: int
    last_row: int
    label_row: int
    labels: tuple[str, ...]
    stray: tuple[tuple[int, list], ...] = ()

    @property
    def note(self) -> str:
        span = f"第 {self.first_row} 行" if self.first_row == self.last_row else \
            f"第 {self.first_row}–{self.last_row} 行"
        return f"{span}为表尾（{'/'.join(self.labels)}），未导入"


def _blank(value) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _label_of(text: str) -> str | None:
    compact = _SPACES.sub("", to_halfwidth(text, punctuation=False))
    if not compact or compact[0] not in _FIRST_CHARS:
        return None
    m = _LABEL.fullmatch(compact)
    if m is None:
        return None
    label = m[1]
    return {"制表": "制表人", "审核": "审核人", "单位（盖章）": "盖章", "单位盖章": "盖章"}.get(label, label)


def _is_sum(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and _SUM.fullmatch(value.strip()) is not None


def footer_label(cells: list) -> str | None:
    """The footer label a row starts with (see the module docstring), else None."""
    for i, value in enumerate(cells):
        if _blank(value):
            continue
        if not isinstance(value, str):
            return None
        label = _label_of(value)
        if label is None:
            return None
        if label in SUM_LABELS and _SPACES.sub("", value) in SUM_LABELS:
            # 合计 alone in its cell: a sum row only when every other cell is a sum or blank
            if not all(_blank(v) or _is_sum(v) for v in cells[i + 1:]):
                return None
        return label
    return None


def _note_row(cells: list) -> bool:
    """One distinct text value (a line of 填表说明, merged across the row)."""
    values = {v if not isinstance(v, str) else v.strip() for v in cells if not _blank(v)}
    return len(values) == 1 and isinstance(next(iter(values)), str)


def cut_footer(sheet: SheetData, header_index: int | None) -> SheetData:
    """``sheet`` without its footer (see the module docstring); the sheet
    itself when it has none or no header was found."""
    if header_index is None:
        return sheet
    rows = sheet.rows
    start = None
    for r in range(header_index + 1, len(rows)):
        cells = rows[r]
        for first in cells:  # the first value: most rows are told apart by it alone
            if first is not None and first != "":
                break
        else:
            continue  # a blank row
        if first.__class__ is not str:
            continue  # a number (序号): data
        if first[0] not in _FIRST_CHARS and not first[0].isspace():
            continue  # the usual data row: its first value is no label
        if footer_label(cells) is not None:
            start = r
            break
    if start is None:
        return sheet
    labels: list[str] = []
    stray = []
    last = start
    for r in range(start, len(rows)):
        cells = rows[r]
        if all(_blank(v) for v in cells):
            continue
        label = footer_label(cells)
        if label is not None:
            if label not in labels:
                labels.append(label)
        elif not _note_row(cells):
            stray.append((r + 1, list(cells)))
            continue
        last = r
    first = start
    while first - 1 > header_index and all(_blank(v) for v in rows[first - 1]):
        first -= 1
    footer = Footer(first + 1, last + 1, start + 1, tuple(labels), tuple(stray))
    kept = first
    return replace(sheet, rows=rows[:kept], footer=footer,
                   problems={k: v for k, v in sheet.problems.items() if k[0] < kept},
                   formulas={k: v for k, v in sheet.formulas.items() if k[0] < kept})


def stray_rows(footer: Footer | None, width: int) -> list[RowPlan]:
    """An error row for each row of data after the footer."""
    if footer is None:
        return []
    out = []
    for excel_row, cells in footer.stray:
        value = next((v for v in cells if not _blank(v)), "")
        row = RowPlan(excel_row, (cells + [""] * width)[:width] if width else cells, status=ERROR)
        row.errors.append(RowIssue(excel_row, "", shown(value),
                                   f"这一行在表尾（第 {footer.label_row} 行“{footer.labels[0]}”）之后，表尾之后不应再有数据，"
                                   "未导入；如果它是要导入的数据，请把它移到表尾之前，改好后点“重新检查”"))
        out.append(row)
    return out
