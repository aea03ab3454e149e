"""Sign-in sheets printed with side-by-side groups (序号 姓名 单位 联系电话 |
序号 姓名 单位 联系电话 …): recognise the groups in the header and unfold
the sheet into one attendee per row under the first group's columns, so
the rest of the import sees an ordinary table. See ``importing.attendance``
for the kind's contract (order of rows, messages naming the group's own
column letter)."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from gridadmin.services.importing.headers import find_header_row, formula_message
from gridadmin.services.importing.mapping import display_header, match_header, normalize_header
from gridadmin.services.importing.plan import (
    RowReader,
)
from gridadmin.services.importing.reading import SheetData
from gridadmin.services.importing.values import (
    CellProblem, is_blank,
)
from gridadmin.services.importing.wide import WideLayout
from gridadmin.services.common.text import to_halfwidth
from gridadmin.services.importing.attendance_sheet import ATTENDANCE

# ---- side-by-side groups -----------------------------------------------------
@dataclass
class GroupLayout(WideLayout):
    """A sign-in sheet unfolded from side-by-side groups (``wide.finish`` and
    ``wide.rename_issues`` apply as to a wide household sheet); ``starts``:
    the 0-based first column of each group."""

    starts: tuple[int, ...] = ()

    @property
    def note(self) -> str:
        """What the wizard tells the user about the layout."""
        letters = "、".join(get_column_letter(c + 1) for c in self.starts)
        return (f"签到表是并排的 {len(self.starts)} 组列（分别从 {letters} 列开始），每组一人，按每人一行读取；"
                "下面只列出第一组的列，其余各组按相同的列名对应。")


@dataclass(frozen=True)
class _Groups:
    """``columns[k][j]``: the column of group k holding what column
    ``columns[0][j]`` holds in the first group (None when group k lacks it);
    ``seq``: the position j of 序号 in a group, if any."""

    shared: range  # columns left of the first group: the same for every attendee of the row
    columns: list[list[int | None]]
    starts: tuple[int, ...]
    seq: int | None


def _identity(cell, lookup: dict) -> str:
    """What a header cell means: its field key, else its normalised text
    ("=…"); "" for a blank one."""
    key = match_header(ATTENDANCE, cell, lookup)
    if key is not None:
        return key
    text = normalize_header(cell)
    return "=" + text if text else ""


def _counterpart(ids: list[str], j: int, span: range, offset: int, used: set[int]) -> int | None:
    """The column of ``span`` (one group) matching column ``j`` of the first
    group: the one at the same place if it means the same, else the first
    unused one that does (a blank header matches only in place)."""
    same_place = j + offset
    if same_place in span and same_place not in used and ids[same_place] == ids[j]:
        return same_place
    if not ids[j]:
        return None
    return next((c for c in span if c not in used and ids[c] == ids[j]), None)


def side_by_side(header: list) -> _Groups | None:
    """The groups of a header naming 姓名 more than once (序号 姓名 单位 联系电话
    序号 姓名 单位 联系电话, a spacer column allowed between groups), or None.
    A group starts where the columns before its 姓名 stop repeating the first
    group's; the last group runs to the end of the header."""
    lookup = ATTENDANCE.lookup()
    ids = [_identity(cell, lookup) for cell in header]
    anchors = [c for c, key in enumerate(ids) if key == "name"]
    if len(anchors) < 2:
        return None
    start, step = anchors[0], anchors[1] - anchors[0]
    while start and ids[start - 1] and ids[start - 1] == ids[start - 1 + step]:
        start -= 1
    starts = tuple(start + a - anchors[0] for a in anchors)
    end = starts[1]
    while not ids[end - 1]:  # a spacer column belongs to no group
        end -= 1
    first = list(range(start, end))
    columns = [first]
    for k, group_start in enumerate(starts[1:], start=1):
        span = range(group_start, starts[k + 1] if k + 1 < len(starts) else len(header))
        used: set[int] = set()
        found = []
        for j in first:
            c = _counterpart(ids, j, span, group_start - start, used)
            found.append(c)
            if c is not None:
                used.add(c)
        columns.append(found)
    seq = next((i for i, c in enumerate(first) if ids[c] == "seq"), None)
    return _Groups(range(start), columns, starts, seq)


def _cell(sheet: SheetData, r: int, c: int | None, refused: frozenset[int] = frozenset()):
    """The cell at (r, c); a ``CellProblem`` for an error cell, and for a
    formula in a column of ``refused`` (identifiers and text, see
    ``headers.formula_problems``)."""
    if c is None:
        return ""
    problem = sheet.problems.get((r, c))
    if problem is not None:
        return CellProblem(problem)
    if c in refused and (r, c) in sheet.formulas:
        return CellProblem(formula_message(sheet.formulas[(r, c)]), written=True)
    row = sheet.rows[r]
    return row[c] if c < len(row) else ""


def _formula_refused(header: list) -> frozenset[int]:
    """The columns whose field never comes from a formula (names, phones,
    units …: ``KindField.takes_formula`` False), in every group."""
    lookup = ATTENDANCE.lookup()
    keys = [match_header(ATTENDANCE, cell, lookup) for cell in header]
    return frozenset(c for c, key in enumerate(keys) if key is not None and not ATTENDANCE.field(key).takes_formula)


def _number(value) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(to_halfwidth(str(value)).strip())
    except ValueError:
        return None


def _descents(numbers: list[float | None]) -> int:
    known = [n for n in numbers if n is not None]
    return sum(1 for a, b in zip(known, known[1:]) if b < a)


@dataclass
class _Attendee:
    group: int
    row: int  # 0-based sheet row
    seq: float | None
    cells: list


def _sheet_order(attendees: list[_Attendee]) -> list[_Attendee]:
    """Down the first group, then down the next (序号 1…N | N+1…2N), unless
    序号 runs across the rows (1 | 2, 3 | 4 …): then row by row."""
    by_row = sorted(attendees, key=lambda a: (a.row, a.group))
    by_group = sorted(attendees, key=lambda a: (a.group, a.row))
    return by_row if _descents([a.seq for a in by_row]) < _descents([a.seq for a in by_group]) else by_group


def _group_names(header: list, groups: _Groups) -> list[dict[str, str]]:
    """Per group: the first group's header (as messages show it) → the
    group's own column, with its letter ("联系电话（H列）")."""
    names = []
    for columns in groups.columns:
        names.append({display_header(header[j]): f"{display_header(header[c])}（{get_column_letter(c + 1)}列）"
                      for j, c in zip(groups.columns[0], columns) if c is not None and display_header(header[j])})
    return names


def unfold_groups(sheet: SheetData) -> SheetData:
    """A sign-in sheet with side-by-side groups (see ``side_by_side``) as one
    attendee per row; any other sheet unchanged.

    The result keeps the rows above the header (the title block); its header
    is the columns left of the first group and the first group's columns; an
    attendee is the shared cells plus the group's cells, in the first group's
    column order. A group whose cells are blank (or error cells) apart from
    序号 (the empty right half of the last row) is no attendee. Error cells
    below the header travel as ``CellProblem`` values. The layout (a
    ``GroupLayout``) maps every row back to its Excel row and names the
    group's own column with its letter, so messages point at the cell to fix."""
    index = find_header_row(ATTENDANCE, sheet.rows)
    groups = side_by_side(sheet.rows[index]) if index is not None else None
    if groups is None:
        return sheet
    header = sheet.rows[index]
    names = _group_names(header, groups)
    refused = _formula_refused(header) if sheet.formulas else frozenset()
    attendees = []
    for r in range(index + 1, len(sheet.rows)):
        shared = [_cell(sheet, r, c, refused) for c in groups.shared]
        for k, columns in enumerate(groups.columns):
            values = [_cell(sheet, r, c, refused) for c in columns]
            if all(is_blank(v) or (isinstance(v, CellProblem) and not v.written)
                   for j, v in enumerate(values) if j != groups.seq):
                continue  # as a row of blank and error cells in a one-group sheet (error cells read as "")
            seq = _number(values[groups.seq]) if groups.seq is not None else None
            attendees.append(_Attendee(k, r, seq, shared + values))
    rows = [list(row) for row in sheet.rows[:index]] + [[header[c] for c in (*groups.shared, *groups.columns[0])]]
    excel_rows = list(range(1, index + 2))
    row_names: list[dict[str, str]] = [{} for _ in range(index + 1)]
    for attendee in _sheet_order(attendees):
        rows.append(attendee.cells)
        excel_rows.append(attendee.row + 1)
        row_names.append(names[attendee.group])
    problems = {key: message for key, message in sheet.problems.items() if key[0] < index}
    return SheetData(sheet.file_name, sheet.sheet_name, sheet.sheet_names, rows, problems,
                     layout=GroupLayout(excel_rows, row_names, groups.starts), notes=sheet.notes,
                     footer=sheet.footer)


class GroupReader(RowReader):
    """A ``RowReader`` that also reports the error cells an unfolded sheet
    carries as ``CellProblem`` values."""

    def raw(self, key: str):
        value = super().raw(key)
        if isinstance(value, CellProblem):
            self.error(key, "", value.message)
            return None
        return value

    def _has_problem(self, key: str) -> bool:
        index = self.table.mapping.columns.get(key)
        return super()._has_problem(key) or (index is not None and isinstance(self.plan.cells[index], CellProblem))
