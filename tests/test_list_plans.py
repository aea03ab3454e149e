"""The big lists keep cheap query plans on SQLite: the first page of a list
in its default order walks an index instead of sorting every row. (A new
index once made the households list sort all of a county's households
for each page: 18 ms became 180 ms.)"""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import sqlite

from gridadmin.services.register.household_list import HouseholdFilter, household_keys, household_source
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register.residents import ResidentFilter, resident_keys, resident_source


def _plan(db, keys, source, flt) -> str:
    query = PageQuery(flt, None)
    with db.session() as s:
        stmt = keys(s, flt).order_by(*source.order_by(query)).limit(200)
        sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        return "\n".join(r[3] for r in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


@pytest.mark.parametrize("flt", [HouseholdFilter(), HouseholdFilter(include_dissolved=True)])
def test_households_first_page_walks_the_household_number_index(db, flt):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    plan = _plan(db, household_keys, household_source(db), flt)
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_residents_first_page_walks_the_register_index(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    plan = _plan(db, resident_keys, resident_source(db), ResidentFilter())
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
