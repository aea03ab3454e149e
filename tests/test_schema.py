"""The schema: Alembic creates exactly the models' tables, SQLite pragmas,
versioning, and refusing a database from a newer program."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm.exc import StaleDataError

from gridadmin.db import DatabaseVersionError, open_database, resolve_url
from gridadmin.migrations import current_revision, head_revision
from gridadmin.models import Area, Base

sqlite_only = pytest.mark.skipif(bool(__import__("os").environ.get("GRIDADMIN_TEST_DB")),
                                 reason="uses its own SQLite files")


def test_upgrade_from_empty_matches_models(db):
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert set(inspect(db.engine).get_table_names()) >= set(Base.metadata.tables)


def test_schema_head_constant_matches_the_migrations(db):
    from gridadmin.db import SCHEMA_HEAD, stamped_revision

    assert SCHEMA_HEAD == head_revision()
    assert stamped_revision(db.engine) == SCHEMA_HEAD


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(db):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with db.session() as session:
            session.add(Area(level="grid", name="孤儿网格", parent_id=9999))


@sqlite_only
def test_second_open_does_not_migrate_again(tmp_path):
    path = tmp_path / "a.db"
    open_database(str(path)).dispose()
    again = open_database(str(path))
    assert current_revision(again.engine) == head_revision()
    again.dispose()


@sqlite_only
def test_database_from_newer_version_is_refused(tmp_path):
    path = tmp_path / "newer.db"
    open_database(str(path)).dispose()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(DatabaseVersionError, match="更新版本"):
        open_database(str(path))


def test_optimistic_version_counter_refuses_stale_update(db):
    with db.session() as session:
        session.add(Area(level="township", name="测试镇"))
    first, second = db.sessionmaker(), db.sessionmaker()
    a1 = first.query(Area).one()
    a2 = second.query(Area).one()
    a1.name = "甲"
    first.commit()
    a2.name = "乙"
    with pytest.raises(StaleDataError):
        second.commit()
    first.close()
    second.close()


def test_resolve_url_forms(monkeypatch, tmp_path):
    assert resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url(str(tmp_path / "x.db")).startswith("sqlite:///")
    monkeypatch.setenv("GRIDADMIN_DB", "sqlite:////tmp/env.db")
    assert resolve_url(None) == "sqlite:////tmp/env.db"
    monkeypatch.delenv("GRIDADMIN_DB")
    assert resolve_url(None).endswith("gridadmin.db")
