"""网格化服务管理月报 as a PDF (landscape A4), built with the report toolkit.

Sections: 一、户数与人口增减 (stock and flow per community, 合计 row),
二、网格力量在岗情况 (distinct staff on post per community and role),
三、网格情况 (per grid, households per full-time worker, grids without one),
四、培训情况 (当月 / 累计), then the signature block. The figures come from
``monthly_figures``; every number printed is one of its fields.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from gridadmin.db import Database
from gridadmin.services.reports.monthly_figures import MonthlyFigures, monthly_figures
from gridadmin.services.reports.toolkit import (
    GRID_COLOUR, HEADER_FILL, STRIPE_FILL, DocumentInfo, Styles, data_table, render_pdf, signature_block,
    title_block,
)

TITLE = "网格化服务管理月报"
FLOW_LABELS = ("上月末", "本月增加", "本月减少", "本月末")


def monthly_report_pdf(db: Database, year: int, month: int, target: str | Path | BinaryIO,
                       scope_area_id: int | None = None, *, printed_on: date | None = None) -> int:
    """Compute the figures and write the report; returns the page count."""
    figures = monthly_figures(db, year, month, scope_area_id)
    return write_monthly_pdf(figures, target, printed_on=printed_on)


def number(value: int | float) -> str:
    """How the report prints a number (as the toolkit does: thousands separators)."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def write_monthly_pdf(figures: MonthlyFigures, target: str | Path | BinaryIO, *,
                      printed_on: date | None = None) -> int:
    subtitle = f"报告月份：{figures.year}年{figures.month}月"
    if not figures.scope_is_township:
        subtitle += f"　统计范围：{figures.scope_name}"
    info = DocumentInfo(title=TITLE, unit=figures.unit, subtitle=subtitle, printed_on=printed_on or date.today(),
                        landscape=True)
    styles = Styles()
    story = title_block(info, styles)
    story.append(Paragraph(f"统计时点：{figures.month_end:%Y年%m月%d日}（本月末）；上月末为 "
                           f"{figures.previous_end:%Y年%m月%d日}。", styles.small))
    story += _stock_and_flow(figures, styles)
    story += _staff(figures, styles)
    story += _grids(figures, styles)
    story += _training(figures, styles)
    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([Paragraph("填报说明：本表数据由网格中心管理系统按登记、迁入迁出、死亡及任职起止日期"
                                         "计算，可随时按历史重算。", styles.small), signature_block(styles)]))
    return render_pdf(target, info, story)


def _stock_and_flow(figures: MonthlyFigures, styles: Styles) -> list:
    rows = [[c.name, c.code or "", *_flow(c.households), *_flow(c.residents)] for c in figures.communities]
    t = figures.total
    rows.append(["合计", "", *_flow(t.households), *_flow(t.residents)])
    widths = [48 * mm, 34 * mm] + [23 * mm] * 8
    table = _grouped_table(
        [("社区/村", 1), ("统计代码", 1), ("户数（户）", 4), ("人口（人）", 4)],
        ["", "", *FLOW_LABELS, *FLOW_LABELS], rows, widths, styles, numeric_from=2, total_row=True)
    return [Paragraph("一、户数与人口增减情况", styles.heading), table]


def _flow(flow) -> list[str]:
    return [number(flow.previous), number(flow.increase), number(flow.decrease), number(flow.current)]


def _staff(figures: MonthlyFigures, styles: Styles) -> list:
    headers = ["社区/村", "在岗人数", *(label for _code, label in figures.roles)]
    rows = [[c.name, c.staff_on_post, *(c.staff_by_role.get(code, 0) for code, _l in figures.roles)]
            for c in figures.communities]
    t = figures.total
    rows.append(["合计", t.staff_on_post, *(t.staff_by_role.get(code, 0) for code, _l in figures.roles)])
    rest = (267 - 48) * mm / (len(headers) - 1)
    table = data_table(headers, rows, col_widths=[48 * mm] + [rest] * (len(headers) - 1),
                       numeric_columns=range(1, len(headers)), styles=styles, total_row=True)
    note = Paragraph("注：按本月末在任的网格任职统计，一人在多个网格或岗位任职时，“在岗人数”只计一次，"
                     "各岗位分别计数；合计行按全部人员去重。", styles.small)
    return [Paragraph("二、网格力量在岗情况（本月末）", styles.heading), table, note]


def _grids(figures: MonthlyFigures, styles: Styles) -> list:
    headers = ["序号", "社区/村", "网格", "网格代码", "户数", "人口", "在岗力量", "专职网格员", "户数/专职网格员",
               "提示"]
    rows = []
    for i, g in enumerate(figures.grids, start=1):
        ratio = g.households_per_fulltime
        rows.append([i, g.community, g.name, g.code or "", g.households, g.residents, g.staff_on_post,
                     g.fulltime_workers, "—" if ratio is None else f"{ratio:,.0f}", g.warning])
    widths = [12, 34, 50, 32, 18, 18, 18, 20, 24, 41]
    table = data_table(headers, rows, col_widths=[w * mm for w in widths], numeric_columns=(0, 4, 5, 6, 7, 8),
                       styles=styles)
    missing = figures.grids_without_fulltime
    summary = (f"共 {number(len(figures.grids))} 个网格；无专职网格员的网格 {number(len(missing))} 个"
               + (f"：{'、'.join(g.name for g in missing)}。" if missing else "。")
               + "专职网格员宜每人负责 300–500 户（农村网格按自然村或村民小组划分，只提示过大）。")
    return [Paragraph("三、网格情况（本月末）", styles.heading), table, Paragraph(summary, styles.small)]


def _training(figures: MonthlyFigures, styles: Styles) -> list:
    m, y = figures.training_month, figures.training_year
    rows = [["培训场次（场）", m.sessions, y.sessions], ["参训人次（出席）", m.attendances, y.attendances],
            ["培训学时（人·学时）", number(m.hours), number(y.hours)]]
    table = data_table(["项目", "当月", f"{figures.year}年累计"], rows, col_widths=[70 * mm, 40 * mm, 40 * mm],
                       numeric_columns=(1, 2), styles=styles)
    table.hAlign = "LEFT"
    return [KeepTogether([Paragraph("四、培训情况", styles.heading), table])]


def _grouped_table(groups: list[tuple[str, int]], sub_headers: list[str], rows: list[list], widths: list[float],
                   styles: Styles, *, numeric_from: int, total_row: bool) -> Table:
    """A table with a two-row header (group titles spanning their columns
    over the sub-headers), repeated on every page, in the toolkit's style."""
    top, spans, column = [], [], 0
    for title, width in groups:
        top += [Paragraph(title, styles.cell_centre)] + [""] * (width - 1)
        if width > 1:
            spans.append(("SPAN", (column, 0), (column + width - 1, 0)))
        else:
            spans.append(("SPAN", (column, 0), (column, 1)))
        column += width
    second = [Paragraph(h, styles.cell_centre) if h else "" for h in sub_headers]
    body = [top, second] + [[Paragraph(str(v), styles.cell_right if i >= numeric_from else styles.cell)
                             for i, v in enumerate(row)] for row in rows]
    table = Table(body, colWidths=widths, repeatRows=2, hAlign="CENTER")
    commands = [("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOUR), ("BACKGROUND", (0, 0), (-1, 1), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2), *spans]
    commands += [("BACKGROUND", (0, r), (-1, r), STRIPE_FILL) for r in range(3, len(body), 2)]
    if total_row and len(body) > 2:
        commands.append(("BACKGROUND", (0, len(body) - 1), (-1, len(body) - 1), HEADER_FILL))
    table.setStyle(TableStyle(commands))
    return table
