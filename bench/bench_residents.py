"""Register figures (issue 5), township (≈50,000 residents) and county
(≈500,000) demo databases side by side in one run: open the residents list
(count + first rows), type a search character, filter by a tag, open a
household with its members, counts per grid for the whole database. The
ratio is county / township: flat means ≈1."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import select

from bench.common import Figure, median_time


def _measure(path: str) -> dict[str, float]:
    from gridadmin.db import open_database
    from gridadmin.models import Household, TagKind
    from gridadmin.services import areas
    from gridadmin.services.households import load_household
    from gridadmin.services.paging import PageQuery
    from gridadmin.services.residents import ResidentFilter, resident_source

    db = open_database(path)
    source = resident_source(db)
    with db.session() as s:
        tag = s.scalar(select(TagKind.id).where(TagKind.code == "elder_80"))
        household = s.scalar(select(Household.id).where(Household.dissolved_on.is_(None)).limit(1))

    def show(flt: ResidentFilter) -> None:
        query = PageQuery(flt, "name")
        source.count(query)
        source.window(query, 0, 200)

    figures = {
        "open": median_time(lambda: show(ResidentFilter())),
        "search_char": median_time(lambda: show(ResidentFilter(search="z"))),
        "tag_filter": median_time(lambda: show(ResidentFilter(tag_kind_id=tag))),
        "open_household": median_time(lambda: load_household(db, household)),
        "counts_per_grid": median_time(lambda: areas.load_tree(db)),
    }
    db.dispose()
    return figures


def run() -> list[Figure]:
    from gridadmin.services.demo import create_demo_database

    with tempfile.TemporaryDirectory() as tmp:
        town, county = str(Path(tmp) / "town.db"), str(Path(tmp) / "county.db")
        create_demo_database(town, "township", seed=1)
        create_demo_database(county, "county", seed=1)
        small, big = _measure(town), _measure(county)
    return [Figure(f"residents_{name}_county", big[name], "s", small[name], "≤ 0.15 s, flat (ratio ≈ 1)")
            for name in small]
