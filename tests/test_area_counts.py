"""The grid tree's counts: the stored per-area counts agree with a plain
join after a plain-SQL change, and ``counts=False`` gives the same tree without them."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import text

from gridadmin.db import open_database
from gridadmin.services.register import tallies
from gridadmin.services.areas.tree import load_tree


def test_resident_counts_per_area_match_a_plain_join_and_names_only_skips_them(tmp_path):
    from gridadmin.services.demo import create_demo_database

    path = tmp_path / "small.db"
    create_demo_database(str(path), "small")
    db = open_database(str(path))
    try:
        with db.session() as s:
            s.execute(text("UPDATE person SET household_id = NULL WHERE id IN (SELECT id FROM person LIMIT 3)"))
            plain = dict(s.execute(text("""
                SELECT h.area_id, count(*) FROM person p JOIN household h ON h.id = p.household_id
                WHERE p.status = '在册' GROUP BY h.area_id""")).all())
            assert tallies.residents_per_area(s) == plain
            assert tallies.mismatches(s) == []
        full = load_tree(db)
        names = load_tree(db, counts=False)
        assert [replace(n, households=0, residents=0, staff_on_post=0, warning=None) for n in full] == names
        assert sum(n.residents for n in full if n.parent_id is None) == sum(plain.values()) > 0
    finally:
        db.dispose()
