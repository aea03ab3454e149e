"""Every table of the monthly report as data, for ``report monthly --json``:
read from the very flowables ``monthly_pdf.monthly_story`` lays out, so the
JSON carries exactly the rows the PDF prints, section by section.

``report_tables(figures)`` → ``[{"section": "一、户数与人口增减情况", "header":
[[…], […]], "rows": [[…], …], "notes": ["注：…"]}, …]``: ``header`` the
table's header rows (two for a table with grouped columns; a grouped title
is given in its first column, the columns it spans hold ""), ``rows`` the
body, every cell the text printed ("1,234", "+3", "—"); ``notes`` the
small print under the section. The charts page is given as its series in
``report_charts``.
"""

from __future__ import annotations

from reportlab.platypus import KeepTogether, Paragraph, Table

from gridadmin.services.reports.monthly_figures import MonthlyFigures
from gridadmin.services.reports.monthly_pdf import monthly_story
from gridadmin.services.reports.toolkit import Styles


def _text(cell) -> str:
    if isinstance(cell, Paragraph):
        return " ".join(cell.getPlainText().split())
    if isinstance(cell, (list, tuple)):
        return " ".join(t for t in (_text(c) for c in cell) if t)
    if cell is None or not isinstance(cell, (str, int, float)):
        return ""
    return str(cell)


def _flat(story: list) -> list:
    out = []
    for item in story:
        if isinstance(item, KeepTogether):
            out += _flat(item._content)
        else:
            out.append(item)
    return out


def report_tables(figures: MonthlyFigures) -> list[dict]:
    """The report's tables in the order printed (see the module docstring)."""
    styles = Styles()
    sections: list[dict] = []
    current = None
    for item in _flat(monthly_story(figures, styles)):
        if isinstance(item, Paragraph) and item.style is styles.heading:
            current = {"section": _text(item), "tables": [], "notes": []}
            sections.append(current)
        elif isinstance(item, Table) and getattr(item, "repeatRows", 0) and current is not None:
            cells = [[_text(c) for c in row] for row in item._cellvalues]
            head = item.repeatRows if isinstance(item.repeatRows, int) else len(item.repeatRows)
            current["tables"].append({"header": cells[:head], "rows": cells[head:]})
        elif isinstance(item, Paragraph) and current is not None and not _text(item).startswith("填报说明"):
            current["notes"].append(_text(item))  # 注：…, 本月无人员入职、离职或调动。
    out = []
    for section in sections:
        if not section["tables"]:
            if section["notes"]:  # a section printed as a sentence (本月无人员变动)
                out.append({"section": section["section"], "header": [], "rows": [], "notes": section["notes"]})
            continue
        for i, table in enumerate(section["tables"]):
            out.append({"section": section["section"], **table, "notes": section["notes"] if i == 0 else []})
    return out


def report_charts(figures: MonthlyFigures) -> dict:
    """The series of the report's charts page (附：统计图)."""
    return {"residents_by_community": [{"name": c.name, "residents": c.residents.current}
                                       for c in sorted(figures.communities, key=lambda c: -c.residents.current)],
            "staff_by_role": [{"role": label, "staff": figures.total.staff_by_role.get(code, 0)}
                              for code, label in figures.roles],
            "trend": [{"month": p.label, "residents": p.residents, "training_hours": p.training_hours}
                      for p in figures.trend]}


def report_json(figures: MonthlyFigures) -> dict:
    """``report monthly --json``: the figures' summary (``to_dict``), every
    table the PDF prints and the charts' series."""
    return {**figures.to_dict(), "tables": report_tables(figures), "charts": report_charts(figures)}
