"""培训签到表: the sign-in sheet printed before a session.

Header block (培训名称, 主讲人, 地点, 时间, 形式, 学时), then numbered rows
序号 / 姓名 / 所属网格 / 联系电话 / 签名 — two column groups side by side
when the grid names are short enough, one wide group otherwise — with the
page header and "第 X 页 共 Y 页" from the report toolkit. Phones are
masked unless ``full_numbers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Table, TableStyle

from gridadmin.db import Database
from gridadmin.services.areas.names import AreaNames
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.idcard import mask_phone
from gridadmin.services.reports.toolkit import (
    GRID_COLOUR, HEADER_FILL, DocumentInfo, Styles, fitted_cell, render_pdf, title_block,
)
from gridadmin.services.common.settings import KEY_TOWNSHIP_NAME, get_setting
from gridadmin.services.training.sessions import list_sessions, session_attendance

ROW_HEIGHT = 8.5 * mm
TWO_GROUP_MAX_GRID_CHARS = 12
FIRST_PAGE_ROWS = 20
LATER_PAGE_ROWS = 28


@dataclass(frozen=True)
class SheetLine:
    number: int
    name: str
    grids: str
    phone: str


def signin_sheet_pdf(db: Database, session_id: int, target: str | Path | BinaryIO, *,
                     full_numbers: bool = False, printed_on: date | None = None) -> int:
    """Write the sign-in sheet of a session; returns the page count. It
    lists the attendees of the acting user's areas (``session_attendance``);
    whole phones only when asked (``full_numbers``) and the user may see them."""
    training = next((s for s in list_sessions(db) if s.id == session_id), None)
    if training is None:
        from gridadmin.services.common.errors import NotFoundError

        raise NotFoundError("该培训已不存在，请刷新。", field="培训", value=session_id)
    attendees = session_attendance(db, session_id)
    with db.session() as session:
        unit = (get_setting(session, KEY_TOWNSHIP_NAME) or "") + "网格化服务管理中心"
        book = CodeBook.load(session)
        names = AreaNames.load(session)
    community = one_community(names, [a for row in attendees for a in row.grid_ids])
    lines = [SheetLine(i, a.name, _grids_text(names, a.grid_ids, community) if a.grid_ids else short_grids(a.grids),
                       (a.phone or "") if full_numbers else mask_phone(a.phone or ""))
             for i, a in enumerate(attendees, start=1)]
    title = f"{community.name}培训签到表" if community else "培训签到表"
    info = DocumentInfo(title=title, unit=unit, printed_on=printed_on or date.today())
    styles = Styles()
    when = f"{training.start_date:%Y年%m月%d日}"
    if training.end_date != training.start_date:
        when += f" 至 {training.end_date:%Y年%m月%d日}"
    story = title_block(info, styles) + [_header_block(styles, [
        ("培训名称", training.name), ("主讲人", training.trainer or ""), ("地点", training.place or ""),
        ("时间", when), ("形式", book.label("training_form", training.form)),
        ("学时", f"{training.hours:g}"), ("应到人数", str(len(lines))), ("实到人数", ""),
    ])]
    two_groups = all(len(line.grids) <= TWO_GROUP_MAX_GRID_CHARS for line in lines)
    story += _pages(lines, styles, two_groups)
    return render_pdf(target, info, story)


def one_community(names: AreaNames, area_ids: list[int]):
    """The community all ``area_ids`` lie in, or None (several, or none)."""
    found = {names.community(a).id if names.community(a) else None for a in area_ids}
    if len(found) == 1 and None not in found:
        return names.community(area_ids[0])
    return None


def _grids_text(names: AreaNames, area_ids: tuple[int, ...], community) -> str:
    """The grids of one attendee: their names within ``community`` (named in
    the title), else full names ("建设东路社区·第一网格"); several shortened."""
    shown = sorted(dict.fromkeys(names.grid_name(a) or names.full(a) if community else names.full(a)
                                 for a in area_ids))
    return short_grids("、".join(shown))


def short_grids(grids: str) -> str:
    """One line's worth of grid names: "建设东路社区·第一网格等3个网格" for several."""
    names = [n for n in grids.split("、") if n]
    if len(names) > 1:
        return f"{names[0]}等{len(names)}个网格"
    return names[0] if names else ""


def _header_block(styles: Styles, pairs: list[tuple[str, str]]) -> Table:
    """The merged header: 培训名称 across the full width, then label/value pairs two per row."""
    cell = styles.cell
    rows = [[Paragraph(pairs[0][0], styles.cell_centre), Paragraph(pairs[0][1], cell), "", ""]]
    for i in range(1, len(pairs), 2):
        row = []
        for label, value in pairs[i:i + 2]:
            row += [Paragraph(label, styles.cell_centre), Paragraph(value, cell)]
        rows.append(row + [""] * (4 - len(row)))
    table = Table(rows, colWidths=[24 * mm, 66 * mm, 24 * mm, 66 * mm], rowHeights=[9 * mm] * len(rows))
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, GRID_COLOUR), ("SPAN", (1, 0), (3, 0)),
        ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL), ("BACKGROUND", (2, 1), (2, -1), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def _pages(lines: list[SheetLine], styles: Styles, two_groups: bool) -> list:
    flow: list = []
    index, first = 0, True
    if not lines:
        return [_table([], styles, two_groups, FIRST_PAGE_ROWS)]
    while index < len(lines):
        per_group = FIRST_PAGE_ROWS if first else LATER_PAGE_ROWS
        take = per_group * (2 if two_groups else 1)
        chunk = lines[index:index + take]
        if not first:
            flow.append(PageBreak())
        flow.append(_table(chunk, styles, two_groups, per_group))
        index += take
        first = False
    return flow


def _table(chunk: list[SheetLine], styles: Styles, two_groups: bool, per_group: int) -> Table:
    headers = ["序号", "姓名", "所属网格", "联系电话", "签名"]
    centre, cell = styles.cell_centre, styles.cell

    def cells(line: SheetLine | None) -> list:
        if line is None:
            return [""] * 5
        return [Paragraph(str(line.number), centre), Paragraph(line.name, cell),
                fitted_cell(line.grids, widths[2], ROW_HEIGHT, cell), Paragraph(line.phone, centre), ""]

    head = [Paragraph(h, centre) for h in headers]
    widths = ([10 * mm, 15 * mm, 24 * mm, 23 * mm, 18 * mm] if two_groups
              else [12 * mm, 25 * mm, 70 * mm, 30 * mm, 43 * mm])
    if two_groups:
        left, right = chunk[:per_group], chunk[per_group:]
        count = max(len(left), len(right))
        body = [head + head] + [cells(left[i] if i < len(left) else None) + cells(right[i] if i < len(right) else None)
                                for i in range(count)]
        widths = widths * 2
    else:
        body = [head] + [cells(line) for line in chunk]
    table = Table(body, colWidths=widths, rowHeights=[8 * mm] + [ROW_HEIGHT] * (len(body) - 1), repeatRows=1)
    commands = [("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOUR), ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    if two_groups:
        commands.append(("LINEAFTER", (4, 0), (4, -1), 1.5, GRID_COLOUR))
    table.setStyle(TableStyle(commands))
    return table
