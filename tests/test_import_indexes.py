"""A big first import on SQLite rebuilds the person/event/audit indexes
(and recounts the stored per-area counts) once instead of updating them
row by row: after the commit every index is
back, and a cancel in the middle of the writing leaves them all in place."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from gridadmin.models import Person
from gridadmin.services.register import tallies
from gridadmin.services.importing import import_job
from gridadmin.services.importing import reindex
from gridadmin.services.common.progress import run_to_end
from tests.test_import_page import grid_db  # noqa: F401 - the fixture
from tests.test_import_support import person, write_workbook

TODAY = date(2025, 6, 30)


def _indexes(db) -> set[str]:
    """The indexes and the stored-count triggers of the tables an import writes."""
    with db.session() as s:
        return set(s.scalars(text("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') "
                                  "AND sql IS NOT NULL "
                                  "AND tbl_name IN ('household', 'person', 'person_event', 'audit_log')")))


@pytest.fixture
def book(tmp_path):
    rows = [person(f"H{i}", "户主", "李云", date(1980, 1, 2), 11 + 2 * i) for i in range(6)]
    return write_workbook(tmp_path / "r.xlsx", rows)


def test_indexes_are_rebuilt_after_a_big_import(grid_db, book, monkeypatch):  # noqa: F811
    if grid_db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    before = _indexes(grid_db)
    monkeypatch.setattr(reindex, "REBUILD_MIN_ROWS", 1)
    result = run_to_end(import_job(grid_db, book, "residents", today=TODAY))
    assert result.committed and result.to_dict()["inserted"] == 6
    assert _indexes(grid_db) == before and len(before) >= 25
    with grid_db.session() as s:
        assert s.scalar(text("PRAGMA integrity_check")) == "ok"
        assert s.scalar(select(func.count()).select_from(Person).where(Person.name == "李云")) == 6
        assert tallies.mismatches(s) == [] and sum(tallies.residents_per_area(s).values()) == 6


def test_cancel_while_writing_keeps_the_indexes(grid_db, book, monkeypatch):  # noqa: F811
    if grid_db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    before = _indexes(grid_db)
    monkeypatch.setattr(reindex, "REBUILD_MIN_ROWS", 1)
    job = import_job(grid_db, book, "residents", today=TODAY)
    while "正在写入" not in next(job).message:
        pass
    job.close()  # the user pressed 取消 with the indexes dropped
    assert _indexes(grid_db) == before
    with grid_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 0


def test_undoing_a_big_first_import_rebuilds_the_indexes_and_counts(grid_db, book, monkeypatch):  # noqa: F811
    """Undo deletes most of the person table: its indexes and count triggers
    are dropped and built again in the same transaction."""
    if grid_db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    from gridadmin.services.importing.undo import undo_batch

    before = _indexes(grid_db)
    result = run_to_end(import_job(grid_db, book, "residents", today=TODAY))
    monkeypatch.setattr(reindex, "REBUILD_MIN_ROWS", 1)
    dropped = []
    real = reindex.drop_indexes
    monkeypatch.setattr("gridadmin.services.importing.undo.drop_indexes", lambda *a, **k: _keep(dropped, real(*a, **k)))
    assert undo_batch(grid_db, result.batch_id).removed == 6 + 6  # six people, six households
    assert any("ix_person" in sql for sql in dropped)  # the rebuild path was taken
    assert _indexes(grid_db) == before
    with grid_db.session() as s:
        assert s.scalar(text("PRAGMA integrity_check")) == "ok"
        assert s.scalar(select(func.count()).select_from(Person)) == 0
        assert tallies.mismatches(s) == [] and sum(tallies.residents_per_area(s).values()) == 0


def _keep(into: list, statements: list) -> list:
    into.extend(statements)
    return statements
