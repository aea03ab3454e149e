"""The "wide" household layout: one row per household, the members in
repeated column groups — 户主姓名, 户主身份证号, then 成员1姓名,
成员1身份证号, 成员1与户主关系, 成员2姓名 … (成员一 … also) — turned into
the residents kind's one-row-per-person rows.

Contract:
- ``widen(sheet)`` returns the sheet unchanged unless a row among the first
  ones holds at least two member groups naming 姓名; else a sheet with the
  same title rows, a header made of the household columns (as written) and
  one column per member field (姓名, 公民身份号码, 与户主关系, and any other
  field the groups repeat), and one row per non-empty member group, 户主
  first (its 与户主关系 is 户主 unless the group has that column);
- ``finish(table)`` gives every row back its original Excel row number and
  records, per row, the member group's own header for each member column,
  so ``rename_issues`` can name 成员2姓名 rather than 姓名 in messages;
- an error cell inside a member group arrives as its message text (and is
  refused by the field's parser); errors in household columns keep their
  usual message;
- a formula cell in an identifier or text column is refused as in the
  ordinary layout, naming the formula: in a member group it arrives as a
  ``CellProblem`` (the group's own column and the Excel row are named), in
  a household column through the sheet's ``formulas``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from openpyxl.utils import get_column_letter

from gridadmin.services.importing.headers import HEADER_SEARCH_ROWS, Table, formula_message
from gridadmin.services.importing.mapping import match_header, normalize_header
from gridadmin.services.importing.plan import RowPlan
from gridadmin.services.importing.reading import SheetData
from gridadmin.services.importing.residents import RESIDENTS, month_only_column
from gridadmin.services.importing.values import CellProblem

_DIGITS = "一二三四五六七八九十"
_GROUP = re.compile(r"(户主|(?:家庭)?成员([0-9]{1,2}|[一二三四五六七八九十]{1,3}))(.+)")
HEAD = HEAD_LABEL = "户主"


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _DIGITS.index(text[1]) + 1
    if len(text) >= 2 and text[1] == "十":
        return (_DIGITS.index(text[0]) + 1) * 10 + (_DIGITS.index(text[2]) + 1 if len(text) == 3 else 0)
    return _DIGITS.index(text[0]) + 1


@dataclass
class WideLayout:
    """Where a wide sheet came from: ``excel_rows[i]`` is the Excel row of
    synthetic row ``i`` (0-based; title and header rows map to themselves);
    ``names[i]`` generic header → the group's own header for that row."""

    excel_rows: list[int]
    names: list[dict[str, str]]


@dataclass
class HouseholdLayout(WideLayout):
    """A wide household sheet unfolded (see ``widen``), with what the
    wizard tells the clerk about it: ``letters[j]`` the file's own column
    letters behind unfolded column j ("L、O、R" for a member field, "" for
    one the file does not have), and the counts of households and people."""

    letters: tuple[str, ...] = ()
    households: int = 0
    people: int = 0
    groups: int = 0

    @property
    def note(self) -> str:
        return (f"文件是“每户一行”的格式（户主和 {self.groups - 1} 组成员列并排），共 {self.households:,} 户、"
                f"{self.people:,} 人，按每人一行读取。下表的“姓名”“公民身份号码”等各代表每组中的同名列"
                "（户主姓名、成员1姓名……），“列”一栏是它们在文件中的位置；户主组没有“与户主关系”列时按“户主”计。")


def _letters(columns: list[int]) -> str:
    names = [get_column_letter(c + 1) for c in sorted(columns)]
    return "、".join(names[:3]) + ("…" if len(names) > 3 else "")


def _groups(row: list) -> dict[tuple[int, str], dict[str, int]]:
    """(order, label) → field key → column, for the member groups of a header row."""
    table = RESIDENTS.lookup()
    found: dict[tuple[int, str], dict[str, int]] = {}
    for c, cell in enumerate(row):
        m = _GROUP.fullmatch(normalize_header(cell))
        if not m:
            continue
        key = match_header(RESIDENTS, m[3], table)
        if key is None or key in ("household_no",):
            continue
        order = 0 if m[1] == HEAD else _number(m[2])
        found.setdefault((order, m[1]), {}).setdefault(key, c)
    return {k: v for k, v in found.items() if "name" in v}


def group_header_index(rows: list[list]) -> int | None:
    """0-based index of a wide sheet's header (the first row among the first
    ones naming at least two member groups), else None."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if len(_groups(row)) >= 2:
            return index
    return None


def widen(sheet: SheetData) -> SheetData:
    """The one-row-per-person form of a wide sheet (see the module docstring)."""
    index = group_header_index(sheet.rows)
    if index is None:
        return sheet
    row = sheet.rows[index]
    groups = _groups(row)
    ordered = sorted(groups.items())
    in_groups = {c for _k, fields in ordered for c in fields.values()}
    shared = [c for c, cell in enumerate(row) if c not in in_groups and str(cell or "").strip()]
    member_keys = [f.key for f in RESIDENTS.fields if any(f.key in fields for _k, fields in ordered)]
    if "relation" not in member_keys:
        member_keys.insert(member_keys.index("name"), "relation")
    labels = {k: RESIDENTS.field(k).label for k in member_keys}
    births = [str(row[fields["birth_date"]]) for _k, fields in ordered if "birth_date" in fields]
    if births and all(month_only_column(h) for h in births):
        labels["birth_date"] = "出生年月"  # 户主出生年月, 成员1出生年月 …: year and month are enough
    header = [row[c] for c in shared] + [labels[k] for k in member_keys]
    rows = [list(r) for r in sheet.rows[:index]] + [header]
    excel_rows = list(range(1, index + 2))
    names: list[dict[str, str]] = [{} for _ in range(index + 1)]
    problems = {key: message for key, message in sheet.problems.items() if key[0] < index}
    formulas: dict[tuple[int, int], str] = {}
    letters = [get_column_letter(c + 1) for c in shared] + [
        _letters([fields[k] for _k, fields in ordered if k in fields]) for k in member_keys]
    households = 0
    for r in range(index + 1, len(sheet.rows)):
        cells = sheet.rows[r]
        base = [cells[c] if c < len(cells) else "" for c in shared]
        people_before = len(rows)
        for (order, label), fields in ordered:
            values = []
            for key in member_keys:
                c = fields.get(key)
                if c is None:
                    values.append(HEAD_LABEL if key == "relation" and order == 0 else "")
                elif (r, c) in sheet.problems:
                    values.append(sheet.problems[(r, c)])
                elif (r, c) in sheet.formulas and not RESIDENTS.field(key).takes_formula:
                    values.append(CellProblem(formula_message(sheet.formulas[(r, c)]), written=True))
                else:
                    values.append(cells[c] if c < len(cells) else "")
            if all(v is None or (isinstance(v, str) and not v.strip()) or (key == "relation" and v == HEAD_LABEL
                                                                          and fields.get(key) is None)
                   for key, v in zip(member_keys, values)):
                continue
            rows.append(base + values)
            excel_rows.append(r + 1)
            own = {labels[k]: str(row[fields[k]]) for k in member_keys if k in fields}
            if "relation" not in fields:  # the head group: its 户主 is implied by its name column
                own[labels["relation"]] = str(row[fields["name"]])
            names.append(own)
            for i, c in enumerate(shared):
                if (r, c) in sheet.problems:  # looked up by the original Excel row (see ``finish``)
                    problems[(r, i)] = sheet.problems[(r, c)]
                if (r, c) in sheet.formulas:  # refused by its column's field (``headers.formula_problems``)
                    formulas[(r, i)] = sheet.formulas[(r, c)]
        households += len(rows) > people_before
    layout = HouseholdLayout(excel_rows, names, tuple(letters), households, len(rows) - index - 1, len(ordered))
    return SheetData(sheet.file_name, sheet.sheet_name, sheet.sheet_names, rows, problems, layout=layout,
                     notes=sheet.notes, formulas=formulas, footer=sheet.footer)


def finish(table: Table) -> Table:
    """Give a table built from a widened sheet its original Excel row
    numbers (and keep, per row, the group's own header names)."""
    layout: WideLayout | None = table.sheet.layout
    if layout is None:
        return table
    table.row_names = [layout.names[r - 1] for r, _cells in table.rows]
    table.rows = [(layout.excel_rows[r - 1], cells) for r, cells in table.rows]
    return table


def rename_issues(table: Table, rows: list[RowPlan]) -> None:
    """Messages of a widened table name the member group's own column
    (成员2姓名) instead of the generic one (姓名)."""
    names_of = table.row_names
    if not names_of:
        return
    for row, names in zip(rows, names_of):
        if names:
            row.errors = [replace(i, column=names.get(i.column, i.column)) for i in row.errors]
            row.warnings = [replace(i, column=names.get(i.column, i.column)) for i in row.warnings]
