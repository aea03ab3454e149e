"""Monthly report figures (issue 7), township (≈50,000 residents) and county
(≈500,000) demo databases in one run: the data queries (``monthly_figures``)
and the whole PDF (queries + layout + charts), with the PDF's size. Target:
county report under 3 s with the data queries under 1 s. The baseline of
each county figure is the same figure on the township database.

Existing demo databases can be named to skip generating them (see
``bench.common.demo_databases``)."""

from __future__ import annotations

import io
import tempfile

from bench.common import Figure, demo_databases, median_time


def _measure(path: str) -> dict[str, float]:
    from gridadmin.db import open_database
    from gridadmin.services.reports.history import previous_month
    from gridadmin.services.reports.monthly_figures import monthly_figures
    from gridadmin.services.reports.monthly_pdf import monthly_report_pdf

    db = open_database(path)
    year, month = previous_month()
    sizes = []

    def pdf() -> None:
        out = io.BytesIO()
        monthly_report_pdf(db, year, month, out)
        sizes.append(len(out.getvalue()))

    figures = {"queries": median_time(lambda: monthly_figures(db, year, month)), "pdf": median_time(pdf)}
    figures["pdf_kb"] = sizes[-1] / 1024
    db.dispose()
    return figures


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        town, county = demo_databases(tmp)
        small, big = _measure(town), _measure(county)
    return [
        Figure("report_queries_county", big["queries"], "s", small["queries"], "≤ 1 s"),
        Figure("report_pdf_county", big["pdf"], "s", small["pdf"], "≤ 3 s"),
        Figure("report_pdf_size_county", big["pdf_kb"], "KB", small["pdf_kb"], "report only"),
    ]
