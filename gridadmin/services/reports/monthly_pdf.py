"""网格化服务管理月报 as a PDF (landscape A4), built with the report toolkit.

Sections: 一、户数与人口增减 (stock and flow per community, 合计 row),
二、人口类别增减 (the same per resident category), 三、网格力量在岗情况
(distinct staff on post per community with flows, per role), 四、人员变动
(joined, left, moved, with names), 五、网格情况 (per grid, households per
full-time worker, grids without one), 六、培训情况 (当月 / 累计, who is
behind on annual hours), 七、特殊人群、重点人员和关怀对象 (per kind by family, 环比 and 同比),
八、实有房屋、出租房与人户分离 (``monthly_census``), the signature block, then 附：统计图 (vector charts) on a page of its own. The figures come from
``monthly_figures``; every number printed is one of its fields.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from gridadmin.db import Database
from gridadmin.services.areas.names import place_name
from gridadmin.services.reports import charts
from gridadmin.services.reports.monthly_census import LABELS as CENSUS_LABELS
from gridadmin.services.reports.monthly_figures import MonthlyFigures, StockFlow, monthly_figures
from gridadmin.services.roster.staffing_rules import StaffingRule
from gridadmin.services.reports.toolkit import (
    GRID_COLOUR, HEADER_FILL, STRIPE_FILL, DocumentInfo, Styles, data_table, plain_cell_style, render_pdf,
    signature_block, table_cell, title_block,
)

TITLE = "网格化服务管理月报"
FLOW_LABELS = ("上月末", "本月增加", "本月减少", "本月末")
FLOW_SHORT = ("上月末", "增加", "减少", "本月末")  # under a group title that says what
# when the previous month was submitted: 上月末已报 + 更正 + 本月增加 − 本月减少 = 本月末
CORRECTED_LABELS = ("上月末已报", "更正", "本月增加", "本月减少", "本月末")
CORRECTED_SHORT = ("上月末已报", "更正", "增加", "减少", "本月末")


def monthly_report_pdf(db: Database, year: int, month: int, target: str | Path | BinaryIO,
                       scope_area_id: int | None = None, *, printed_on: date | None = None) -> int:
    """Compute the figures and write the report; returns the page count."""
    from gridadmin.services.common.settings import print_signatories

    figures = monthly_figures(db, year, month, scope_area_id)
    return write_monthly_pdf(figures, target, printed_on=printed_on, signatories=print_signatories(db))


def number(value: int | float) -> str:
    """How the report prints a number (as the toolkit does: thousands separators)."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def write_monthly_pdf(figures: MonthlyFigures, target: str | Path | BinaryIO, *,
                      printed_on: date | None = None, signatories: dict[str, str] | None = None) -> int:
    """Write the report of ``figures``; ``signatories`` ({label: name})
    fill in the signature lines (blank when not given)."""
    subtitle = f"报告月份：{figures.year}年{figures.month}月"
    if not figures.scope_is_township:
        subtitle += f"　统计范围：{figures.scope_name}"
    if figures.submission is not None:
        subtitle += f"　{figures.submission.label}"
    if figures.provisional:
        subtitle += "　（临时数）"
    title = f"{figures.scope_name}{TITLE}" if figures.by_grid else TITLE  # one community's report names it
    info = DocumentInfo(title=title, unit=figures.unit, subtitle=subtitle, printed_on=printed_on or date.today(),
                        landscape=True)
    styles = Styles()
    return render_pdf(target, info, title_block(info, styles) + monthly_story(figures, styles, signatories))


def monthly_story(figures: MonthlyFigures, styles: Styles, signatories: dict[str, str] | None = None) -> list:
    """The report's flowables under its title block: every section, the
    signature block, the charts page and the corrections page
    (``monthly_tables.report_tables`` reads the same ones for ``--json``)."""
    story = [Paragraph(f"{figures.as_of_text}；上月末为 {figures.previous_end:%Y年%m月%d日}。", styles.small)]
    story += _stock_and_flow(figures, styles)
    story += _categories(figures, styles)
    story += _staff(figures, styles)
    story += _staff_changes(figures, styles)
    story += _grids(figures, styles)
    story += _training(figures, styles)
    story += _special_groups(figures, styles)
    story += _houses(figures, styles)
    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([Paragraph("填报说明：本表数据由网格中心管理系统按登记、迁入迁出、死亡及任职起止日期"
                                         "计算，可随时按历史重算。", styles.small),
                                        signature_block(styles, values=signatories)]))
    story += _charts(figures, styles)
    story += _corrections_page(figures, styles)
    return story


def _stock_and_flow(figures: MonthlyFigures, styles: Styles) -> list:
    fixed = figures.previous_submission is not None
    rows = [[c.name, c.code or "", *_flow(c.households, fixed), *_flow(c.residents, fixed)]
            for c in figures.communities]
    t = figures.total
    rows.append(["合计", "", *_flow(t.households, fixed), *_flow(t.residents, fixed)])
    labels = CORRECTED_LABELS if fixed else FLOW_LABELS
    widths = [48 * mm, 34 * mm] + [185 * mm / (2 * len(labels))] * (2 * len(labels))
    table = _grouped_table(
        [(figures.breakdown, 1), ("统计代码", 1), ("户籍户（户）", len(labels)), ("实有人口（人）", len(labels))],
        ["", "", *labels, *labels], rows, widths, styles, numeric_from=2, total_row=True)
    out = [Paragraph("一、户数与人口增减情况", styles.heading), table]
    if fixed:
        p = figures.previous_submission
        out.append(Paragraph(f"注：上月末为{p.month[:4]}年{int(p.month[5:])}月月报{p.label}的本月末；“更正”为上报后补录的、"
                             "生效日期在上月末及以前的变动。上月末已报 + 更正 + 本月增加 − 本月减少 = 本月末。", styles.small))
        if figures.corrected_by:
            out += [Paragraph(f"更正说明：上月上报后补录的变动（{len(figures.corrected_by)} 项）", styles.small),
                    _late_table(figures.corrected_by, styles)]
    return out


def _flow(flow, fixed: bool = False) -> list[str]:
    if fixed:
        return [number(flow.previous), _signed(flow.correction), number(flow.increase), number(flow.decrease),
                number(flow.current)]
    return [number(flow.previous), number(flow.increase), number(flow.decrease), number(flow.current)]


def _signed(value: int) -> str:
    return f"+{value:,}" if value > 0 else f"{value:,}" if value < 0 else "0"


def _categories(figures: MonthlyFigures, styles: Styles) -> list:
    cats = figures.categories
    if not cats:
        return []
    fixed = figures.previous_submission is not None
    short = CORRECTED_SHORT if fixed else FLOW_SHORT
    per_col = (267 - 40) * mm / (len(short) * len(cats))
    rows = []
    for c in (*figures.communities, figures.total):
        flows = figures.category_flows.get(c.area_id, {})
        rows.append([c.name, *(v for code, _l in cats for v in _flow(flows.get(code, StockFlow()), fixed))])
    table = _grouped_table([(figures.breakdown, 1), *((label, len(short)) for _code, label in cats)],
                           ["", *(short * len(cats))], rows, [40 * mm] + [per_col] * (len(short) * len(cats)),
                           styles, numeric_from=1, total_row=True, small=len(cats) > 3 or fixed)
    note = Paragraph("注：人口类别按居民在各月末的类别统计（类别变更按其生效日期计）；户籍人口、流动人口、境外人员、未落户人口之和等于第一部分的实有人口；没有户的流动人口、境外人员和未落户人口按其现住房屋所在网格统计。", styles.small)
    return [Paragraph("二、人口类别增减情况（人）", styles.heading), table, note]


def _houses(figures: MonthlyFigures, styles: Styles) -> list:
    """八、实有房屋、出租房与人户分离: stock and flow per row, like 二."""
    if not figures.census_flows:
        return []  # a month submitted before the section existed
    fixed = figures.previous_submission is not None
    short = CORRECTED_SHORT if fixed else FLOW_SHORT
    out = [Paragraph("八、实有房屋、出租房与人户分离情况", styles.heading)]
    for keys in (("houses", "rentals", "tenants"), ("away", "absent")):
        per_col = (267 - 40) * mm / (len(short) * 3)
        rows = []
        for c in (*figures.communities, figures.total):
            flows = figures.census_flows.get(c.area_id, {})
            rows.append([c.name, *(v for key in keys for v in _flow(flows.get(key, StockFlow()), fixed))])
        out.append(_grouped_table([(figures.breakdown, 1), *((CENSUS_LABELS[key], len(short)) for key in keys)],
                                  ["", *(short * len(keys))], rows,
                                  [40 * mm] + [per_col] * (len(short) * len(keys)), styles, numeric_from=1,
                                  total_row=True, small=fixed))
        out.append(Spacer(1, 3 * mm))
    out.append(Paragraph("注：实有房屋按登记日期计入；出租房为房屋用途为“出租”的房屋（按现用途）；承租人数为各月末住在出租房中的"
                         "在册人员（住所变更按其生效日期计）；人在户不在、户在人不在按居民现登记的人户状态统计，"
                         "人员按其各月末所在的户（无户者按现住房屋）计入社区/村。", styles.small))
    return out


def _staff(figures: MonthlyFigures, styles: Styles) -> list:
    fixed = figures.previous_submission is not None
    short, labels = (CORRECTED_SHORT, CORRECTED_LABELS) if fixed else (FLOW_SHORT, FLOW_LABELS)
    headers = [figures.breakdown, *short, *(label for _code, label in figures.roles)]
    rows = []
    for c in (*figures.communities, figures.total):
        flow = figures.staff_flows.get(c.area_id, StockFlow(current=c.staff_on_post))
        rows.append([c.name, *_flow(flow, fixed), *(c.staff_by_role.get(code, 0) for code, _l in figures.roles)])
    rest = (267 - 40) * mm / (len(headers) - 1)
    table = _grouped_table([(figures.breakdown, 1), ("在岗人数（人）", len(short)), ("本月末各岗位在岗（人）", len(figures.roles))],
                           ["", *short, *(label for _code, label in figures.roles)], rows,
                           [40 * mm] + [rest] * (len(headers) - 1), styles, numeric_from=1, total_row=True)
    role_rows = [[label, *_flow(figures.staff_role_flows.get(code, StockFlow()), fixed)]
                 for code, label in figures.roles]
    role_table = data_table(["岗位", *labels], role_rows, col_widths=[50 * mm] + [28 * mm] * len(labels),
                            numeric_columns=range(1, len(labels) + 1), styles=styles)
    role_table.hAlign = "LEFT"
    note = Paragraph(f"本月末{figures.staff_text}。注：在岗指当日状态为在岗且有在任网格职务（休假人员不计入在岗，另列）；"
                     "一人在多个网格或岗位任职时，“在岗人数”只计一次，各岗位分别计数；合计行按全部人员去重。", styles.small)
    return [Paragraph("三、网格力量在岗情况", styles.heading), table, note,
            KeepTogether([Paragraph(f"各岗位在岗人员增减（{figures.scope_word}，人）", styles.body), role_table])]


def _staff_changes(figures: MonthlyFigures, styles: Styles) -> list:
    heading = Paragraph("四、人员变动情况（本月）", styles.heading)
    if not figures.staff_changes:
        return [heading, Paragraph("本月无人员入职、离职或调动。", styles.body)]
    rows = [[i, c.kind, f"{c.on:%m月%d日}", c.name, c.before or "—", c.after or "—"]
            for i, c in enumerate(figures.staff_changes, start=1)]
    table = data_table(["序号", "变动", "日期", "姓名", "原网格（岗位）", "现网格（岗位）"], rows,
                       col_widths=[12 * mm, 20 * mm, 22 * mm, 25 * mm, 94 * mm, 94 * mm], numeric_columns=(0,),
                       styles=styles)
    kinds = {}
    for c in figures.staff_changes:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    summary = "，".join(f"{k} {n} 人次" for k, n in kinds.items())
    return [heading, table, Paragraph(f"本月共 {summary}。", styles.small)]


def _grids(figures: MonthlyFigures, styles: Styles) -> list:
    rule = figures.staffing_rule or StaffingRule()
    post = rule.responsible_label
    headers = ["序号", "社区/村", "网格", "网格代码", "户数", "人口", "在岗力量", post, f"户数/{post}", "提示"]
    rows = []
    for i, g in enumerate(figures.grids, start=1):
        ratio = g.households_per_worker
        rows.append([i, g.community, g.name, g.code or "", g.households, g.residents, g.staff_on_post,
                     g.workers, "—" if ratio is None else f"{ratio:,.0f}", g.warning])
    widths = [12, 34, 50, 32, 18, 18, 18, 20, 24, 41]
    table = data_table(headers, rows, col_widths=[w * mm for w in widths], numeric_columns=(0, 4, 5, 6, 7, 8),
                       styles=styles)
    missing = figures.grids_lacking
    summary = f"共 {number(len(figures.grids))} 个网格；"
    if rule.required:
        summary += (f"无{post}的网格 {number(len(missing))} 个"
                    + (f"：{'、'.join(g.name if figures.by_grid else place_name(g.community, g.name) for g in missing)}。" if missing else "。"))
    else:
        summary += f"本乡镇不要求每个网格都配备{post}。"
    if rule.min_households or rule.max_households:
        summary += f"按本乡镇的配备规则，每名{post}宜负责 {rule.range_text}（农村网格按自然村或村民小组划分，只提示过大）。"
    else:
        summary += f"本乡镇未规定每名{post}负责的户数。"
    return [Paragraph("五、网格情况（本月末）", styles.heading), table, Paragraph(summary, styles.small)]


def _training(figures: MonthlyFigures, styles: Styles) -> list:
    m, y = figures.training_month, figures.training_year
    rows = [["培训场次（场）", m.sessions, y.sessions], ["参训人次（出席）", m.attendances, y.attendances],
            ["培训学时（人·学时）", number(m.hours), number(y.hours)]]
    table = data_table(["项目", "当月", f"{figures.year}年累计"], rows, col_widths=[70 * mm, 40 * mm, 40 * mm],
                       numeric_columns=(1, 2), styles=styles)
    table.hAlign = "LEFT"
    out = [KeepTogether([Paragraph("六、培训情况", styles.heading), table])]
    behind = figures.behind
    per = "，".join(f"{name} {number(n)} 人" for name, n in figures.behind_by_community if n)
    out.append(Paragraph(f"截至本月末，在岗人员中培训学时落后于进度（年度要求按已过月份折算，年中入职者按在岗月份）的 "
                         f"{number(figures.behind_total)} 人" + (f"：{per}。" if per else "。"), styles.body))
    if figures.behind_listed_all:
        lead = "全年学时未达要求的人员全部列出，按差额从大到小："
    else:
        lead = (f"其中落后超过 {figures.behind_threshold:g} 个月应完成学时的 {number(len(behind))} 人"
                + ("，按差额从大到小列出（完整名单见培训管理 → 学时达标）：" if behind else "。"))
    if figures.behind_total:
        out.append(Paragraph(lead, styles.body))
    if behind:
        rows = [[i, b.name, b.grids, number(b.hours), number(b.required), number(b.shortfall)]
                for i, b in enumerate(behind, start=1)]
        t = data_table(["序号", "姓名", "所属网格", "已完成学时", "截至本月末应完成", "尚差"], rows,
                       col_widths=[14 * mm, 26 * mm, 122 * mm, 28 * mm, 36 * mm, 28 * mm],
                       numeric_columns=(0, 3, 4, 5), styles=styles)
        t.hAlign = "LEFT"
        out.append(t)
    return out


def _special_groups(figures: MonthlyFigures, styles: Styles) -> list:
    heading = Paragraph("七、特殊人群、重点人员和关怀对象情况（本月末，人）", styles.heading)
    if not figures.tags:
        return [heading, Paragraph("未设置人群类别。", styles.body)]

    def change(value: int) -> str:
        return f"+{value:,}" if value > 0 else f"{value:,}" if value < 0 else "0"

    rows, family = [], None
    for t in figures.tags:  # by family (特殊人群, 重点人员, 关怀对象), the family named on its first line
        rows.append([t.family if t.family != family else "", t.name, number(t.current), number(t.previous),
                     change(t.month_change), number(t.last_year), change(t.year_change)])
        family = t.family
    table = data_table(["分类", "类别", "本月末", "上月末", "环比增减", "去年同期", "同比增减"], rows,
                       col_widths=[26 * mm, 44 * mm] + [28 * mm] * 5, numeric_columns=range(2, 7), styles=styles)
    table.hAlign = "LEFT"
    note = ("注：按本月末、上月末和去年同月末在册且属于该类别的居民统计；特殊人群指刑满释放、社区矫正等在管人员，"
            "关怀对象指享受服务、救助的人员，两者不混同。老年人、高龄老人按出生日期计算；已到期（如矫正期满）的"
            "类别自期满之日起不再计入。"
            + ("" if figures.sensitive_shown else "涉及敏感信息的类别按权限未列出。"))
    return [KeepTogether([heading, table]), Paragraph(note, styles.small)]


def _charts(figures: MonthlyFigures, styles: Styles) -> list:
    """One landscape page: residents per community (bars) across the top;
    staff by role (pie) and the two 12-month trends (lines) below."""
    width = 267 * mm
    third = width / 3
    communities = sorted(figures.communities, key=lambda c: -c.residents.current)
    shown = communities[:30]
    rows_are = "网格" if figures.by_grid else "社区/村"
    title = f"各{rows_are}人口（本月末）" + ("" if len(communities) <= 30 else f"（人口最多的 30 个，共 {len(communities)} 个）")
    bars = charts.bar_chart(title, [c.name for c in shown], [c.residents.current for c in shown],
                            width=width, height=72 * mm)
    pie = charts.pie_chart("在岗网格力量构成（按岗位）", [label for _c, label in figures.roles],
                           [figures.total.staff_by_role.get(code, 0) for code, _l in figures.roles],
                           width=third - 2 * mm, height=66 * mm)
    labels = [p.label for p in figures.trend]
    residents = charts.line_chart("近 12 个月人口（月末，人）", labels,
                                  [("人口", [p.residents for p in figures.trend])], width=third - 2 * mm,
                                  height=66 * mm)
    hours = charts.line_chart("近 12 个月培训学时（人·学时）", labels,
                              [("学时", [p.training_hours for p in figures.trend])], width=third - 2 * mm,
                              height=66 * mm)
    row = Table([[pie, residents, hours]], colWidths=[third] * 3)
    row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [PageBreak(), Paragraph("附：统计图", styles.heading), bars, Spacer(1, 3 * mm), row]


def _corrections_page(figures: MonthlyFigures, styles: Styles) -> list:
    """更正说明 (a submitted month only): the submitted totals beside what the
    register says today, and the late changes that explain the difference."""
    if figures.submission is None:
        return []
    sub, now = figures.submission, figures.now_totals or {}
    out = [PageBreak(), Paragraph("更正说明", styles.heading),
           Paragraph(f"本月报表{sub.label}，以上各表为上报时的数字。上报后补录了生效日期在本月末及以前的变动，"
                     "登记簿现在的数字与上报数的差异如下；这些变动作为“更正”计入下月报表，本月上报数不变。", styles.body)]
    submitted = figures.to_dict()["totals"]
    rows = []
    for key, label in (("households", "户数（户）"), ("residents", "人口（人）"), ("staff_on_post", "在岗网格力量（人）"),
                       ("grids", "网格（个）")):
        before, after = submitted.get(key, 0), now.get(key, 0)
        rows.append([label, number(before), number(after), _signed(after - before)])
    was, is_now = submitted.get("categories", {}), now.get("categories", {})
    for label in [*was, *(k for k in is_now if k not in was)]:
        before, after = was.get(label, 0), is_now.get(label, 0)
        if before != after:
            rows.append([f"其中{label}（人）", number(before), number(after), _signed(after - before)])
    table = data_table(["项目", "上报数", "现登记数", "差额"], rows, col_widths=[60 * mm] + [35 * mm] * 3,
                       numeric_columns=(1, 2, 3), styles=styles)
    table.hAlign = "LEFT"
    out += [table, Spacer(1, 3 * mm)]
    if not figures.late:
        out.append(Paragraph("上报后没有补录生效日期在本月末及以前的人口或网格力量变动。", styles.body))
        return out
    out += [Paragraph(f"上报后补录的变动（{len(figures.late)} 项）：", styles.body), _late_table(figures.late, styles)]
    return out


def _late_table(changes, styles: Styles):
    """Late changes (``late_changes.LateChange``): who, what, when it took
    effect, where, its effect on 人口/户数/在岗, who entered it and when."""
    rows = [[i, c.name if c.subject == "居民" else f"{c.name}（{c.subject}）", c.id_number, c.change,
             c.effective_date.isoformat(), c.community, _signed(c.residents), _signed(c.households), _signed(c.staff),
             c.entered_by, f"{c.entered_on:%Y-%m-%d %H:%M}"] for i, c in enumerate(changes, start=1)]
    t = data_table(["序号", "姓名", "公民身份号码", "变动", "生效日期", "社区/村", "人口", "户数", "在岗", "录入人",
                    "录入时间"], rows,
                   col_widths=[11 * mm, 38 * mm, 36 * mm, 32 * mm, 22 * mm, 28 * mm, 12 * mm, 12 * mm, 12 * mm,
                               24 * mm, 32 * mm], numeric_columns=(0, 6, 7, 8), styles=styles)
    t.hAlign = "LEFT"
    return t


def _grouped_table(groups: list[tuple[str, int]], sub_headers: list[str], rows: list[list], widths: list[float],
                   styles: Styles, *, numeric_from: int, total_row: bool, small: bool = False) -> Table:
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
    right = styles.cell_small_right if small else styles.cell_right
    body = [top, second] + [[table_cell(v, widths[i], styles, style=right if i >= numeric_from else styles.cell)
                             for i, v in enumerate(row)] for row in rows]
    table = Table(body, colWidths=widths, repeatRows=2, hAlign="CENTER")
    commands = [("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOUR), ("BACKGROUND", (0, 0), (-1, 1), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3), *spans,
                *plain_cell_style(styles, range(numeric_from, len(widths)), first_row=2)]
    if small:
        commands.append(("FONTSIZE", (numeric_from, 2), (-1, -1), styles.cell_small_right.fontSize))
    commands += [("BACKGROUND", (0, r), (-1, r), STRIPE_FILL) for r in range(3, len(body), 2)]
    if total_row and len(body) > 2:
        commands.append(("BACKGROUND", (0, len(body) - 1), (-1, len(body) - 1), HEADER_FILL))
    table.setStyle(TableStyle(commands))
    return table
