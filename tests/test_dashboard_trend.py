"""The dashboard's resident trend (``dashboard.residents_at``) counts
everyone 在册 once and buckets only ``presence.unsteady_parts`` (the split
the monthly report uses too); every kind of history must land exactly where
the plain presence rule puts it."""

from __future__ import annotations

from datetime import date
from itertools import product

from sqlalchemy import text

from gridadmin.models import Person
from gridadmin.models.household import PERSON_ACTIVE, PERSON_DECEASED, PERSON_MOVED_OUT
from gridadmin.services.reports.dashboard import residents_at

ENDS = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 15)]
DATES = [None, date(2025, 6, 1), date(2026, 1, 31), date(2026, 2, 1), date(2026, 3, 31), date(2026, 5, 1)]


def test_trend_matches_the_presence_rule_for_every_history(db):
    with db.session() as s:
        n = 0
        for status, reg, out, died in product((PERSON_ACTIVE, PERSON_MOVED_OUT, PERSON_DECEASED),
                                              DATES, DATES, DATES):
            n += 1
            s.add(Person(name=f"人{n}", status=status, registered_on=reg, moved_out_on=out, died_on=died))
    expected = []
    with db.session() as s:
        for end in ENDS:
            expected.append(s.execute(text("""
                SELECT count(*) FROM person
                WHERE (registered_on IS NULL OR registered_on <= :e)
                  AND (moved_out_on IS NULL OR moved_out_on > :e) AND (died_on IS NULL OR died_on > :e)
                  AND (status = :active OR moved_out_on IS NOT NULL OR died_on IS NOT NULL)"""),
                {"e": end, "active": PERSON_ACTIVE}).scalar())
        assert residents_at(s, ENDS) == expected
    assert len(set(expected)) > 1  # the dates do move people in and out
