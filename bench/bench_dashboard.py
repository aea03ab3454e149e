"""Dashboard (issue 7), township (≈50,000 residents) and county (≈500,000)
demo databases side by side in one run:

- ``dashboard_figures``: the home page's figures from the database
  (``services/dashboard.dashboard_figures``);
- ``dashboard_open``: from constructing the page (which computes its
  figures) to shown and painted, charts filled.

The township figure is the baseline of the county one; the target is the
county page open under 500 ms on this 2-core machine. Existing demo
databases can be named to skip generating them (``bench.common.demo_databases``)."""

from __future__ import annotations

import os
import tempfile

from bench.common import Figure, demo_databases, median_time

TARGET_OPEN = "county < 0.5 s"
TARGET_FIGURES = "county: leaves room for drawing within 0.5 s"


def measure(path: str) -> dict[str, float]:
    """Median seconds of each step on the database at ``path``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gridadmin.db import open_database
    from gridadmin.services.reports.dashboard import dashboard_figures
    from gridadmin.ui.shell.app import create_application
    from gridadmin.ui.reports.dashboard_page import DashboardPage

    app = create_application()
    db = open_database(path)
    pages = []

    def open_page() -> None:
        page = DashboardPage(db)
        page.resize(1280, 800)
        page.show()
        app.processEvents()
        pages.append(page)

    try:
        dashboard_figures(db)  # warm the file cache the same way for both sizes
        figures = {"figures": median_time(lambda: dashboard_figures(db)), "open": median_time(open_page)}
    finally:
        for page in pages:
            page.close()
            page.deleteLater()
        app.processEvents()
        db.dispose()
    return figures


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        town, county = demo_databases(tmp)
        small, big = measure(town), measure(county)
    return [Figure("dashboard_figures_county", big["figures"], "s", small["figures"], TARGET_FIGURES),
            Figure("dashboard_open_county", big["open"], "s", small["open"], TARGET_OPEN)]
