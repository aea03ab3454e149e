"""The error report: the failed rows with their original columns and a
Chinese “错误说明” column, so the clerk fixes and re-imports just those.

Layout: the texts of ``plan.extra["title_rows"]`` (if any; e.g. the training
session of a sign-in sheet, "培训名称：…    培训日期：…    学时：…"), one per
row, then the header (原行号, the columns as the plan read them, 错误说明),
then one failed row per line. A sign-in sheet of side-by-side groups was
read one attendee per row, so its failed attendees come out one per line
under the first group's headers: the single-group layout, importable again.
"""

from __future__ import annotations

import os

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gridadmin.services.importing.plan import ImportPlan
from gridadmin.services.xlsx import safe_cell

REASON_HEADER = "错误说明"


def write_error_report(plan: ImportPlan, path: str | os.PathLike) -> int:
    """Write the rows labelled error; returns how many were written. ID and
    phone columns are text so Excel cannot turn them into numbers."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "错误行"
    titles = list(plan.extra.get("title_rows") or ())
    for title in titles:
        ws.append([safe_cell(title)])
    headers = list(plan.headers) + [REASON_HEADER]
    ws.append(["原行号"] + headers)
    first = len(titles) + 2  # the first data row
    text_columns = {plan.columns[k] for k in ("id_number", "phone", "household_no", "grid_code") if k in plan.columns}
    count = 0
    for row in plan.error_rows:
        cells = list(row.cells) + [""] * (len(plan.headers) - len(row.cells))
        values = [row.row] + [_text(v) if i in text_columns else safe_cell(v) for i, v in enumerate(cells)]
        values.append(row.summary())
        ws.append(values)
        count += 1
    for cell in ws[first - 1]:
        cell.font = Font(bold=True)
    reason_col = len(headers) + 1
    for r in range(first, count + first):
        ws.cell(r, reason_col).fill = PatternFill("solid", fgColor="FFF2CC")
        ws.cell(r, reason_col).alignment = Alignment(wrap_text=True)
        for c in text_columns:
            ws.cell(r, c + 2).number_format = "@"
    ws.column_dimensions[get_column_letter(reason_col)].width = 60
    ws.freeze_panes = f"B{first}"
    wb.save(path)
    return count


def _text(value):
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15G}"
    return safe_cell(str(value))
