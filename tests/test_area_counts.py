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
            # out of their 户 (流动人口 need none): they count where their house is, or with no house nowhere
            s.execute(text("UPDATE person SET household_id = NULL WHERE id IN (SELECT id FROM person LIMIT 3)"))
            s.execute(text("UPDATE person SET household_id = NULL, house_id = NULL "
                           "WHERE id IN (SELECT id FROM person WHERE household_id IS NOT NULL LIMIT 2)"))
            plain = dict(s.execute(text("""
                SELECT COALESCE(h.area_id, hs.area_id), count(*) FROM person p
                LEFT JOIN household h ON h.id = p.household_id LEFT JOIN house hs ON hs.id = p.house_id
                WHERE p.status = '在册' AND COALESCE(h.area_id, hs.area_id) IS NOT NULL
                GROUP BY COALESCE(h.area_id, hs.area_id)""")).all())
            assert tallies.residents_per_area(s) == plain
            assert tallies.mismatches(s) == []
        full = load_tree(db)
        names = load_tree(db, counts=False)
        assert [replace(n, households=0, residents=0, staff_on_post=0, warning=None, dwellings=0) for n in full] == names
        assert sum(n.residents for n in full if n.parent_id is None) == sum(plain.values()) > 0
    finally:
        db.dispose()
