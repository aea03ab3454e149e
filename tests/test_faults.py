"""Faults that must lose nothing (issue 8): the process killed mid-import
or mid-save, a read-only database, a full disk, the PostgreSQL server
going away. Each leaves the database sound and holding the whole change
or none of it, and the user gets a clear Chinese message
(``services/errors.py`` ``describe_db_error`` → ``StorageError``).

The SQLite faults use their own SQLite file whatever ``GRIDADMIN_TEST_DB``
says; the server fault runs only against the PostgreSQL test server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.orm import sessionmaker

from gridadmin.db import Database, open_database
from gridadmin.models import AuditLog, ImportBatch, Person, Setting
from gridadmin.services.common.errors import STORAGE_DISCONNECTED, STORAGE_FULL, STORAGE_READ_ONLY, StorageError
from gridadmin.services.importing import import_job
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.areas.setup import init_township
from gridadmin.services.roster.staff import save_staff
from tests.staffdata import TODAY, person

ROOT = Path(__file__).resolve().parent.parent
ROWS = 6000


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    from bench.bench_import import write_workbook

    return write_workbook(tmp_path_factory.mktemp("book") / "人口.xlsx", ROWS)


def _import_db(path: Path) -> Database:
    from bench.bench_import import make_database

    return make_database(path)


def _sound(path: Path) -> tuple[str, int, int, int]:
    """(integrity_check, persons, import batches, audit rows of imports),
    read with plain sqlite3 after the writer died."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return (conn.execute("PRAGMA integrity_check").fetchone()[0],
                conn.execute("SELECT count(*) FROM person").fetchone()[0],
                conn.execute("SELECT count(*) FROM import_batch").fetchone()[0],
                conn.execute("SELECT count(*) FROM audit_log WHERE import_batch_id IS NOT NULL").fetchone()[0])
    finally:
        conn.close()


def _run_until(script: str, marker: str, *args: str) -> subprocess.Popen:
    """Start ``script`` in a child Python; return once it printed ``marker``."""
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    for line in child.stdout:
        if line.strip() == marker:
            return child
    child.wait()
    raise AssertionError(f"child ended before {marker}: {child.stderr.read()[-3000:]}")


def _kill(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


# -- (a) killed mid-way ------------------------------------------------------
IMPORT_CHILD = """
    import sys, time
    from datetime import date
    from gridadmin.db import open_database
    from gridadmin.services.importing import import_job
    db = open_database(sys.argv[1])
    job = import_job(db, sys.argv[2], "residents", today=date(2025, 6, 1))
    for progress in job:
        if progress.message.startswith("正在写入"):
            print("WRITING", flush=True)
            time.sleep(120)
"""


def test_import_killed_while_writing_leaves_none_of_it(tmp_path, workbook):
    path = tmp_path / "town.db"
    _import_db(path).dispose()
    before = _sound(path)
    _kill(_run_until(IMPORT_CHILD, "WRITING", str(path), str(workbook)))
    assert _sound(path) == ("ok", 0, 0, 0) and before[1:] == (0, 0, 0)
    # the database still works: the same import now goes through whole
    db = open_database(str(path))
    result = run_to_end(import_job(db, workbook, "residents", today=date(2025, 6, 1)))
    db.dispose()
    assert result.committed
    assert _sound(path)[:3] == ("ok", ROWS, 1)


def test_import_command_killed_at_any_moment_is_all_or_nothing(tmp_path, workbook):
    """``python -m gridadmin import`` killed after a fixed delay: wherever it
    was (reading, checking, writing, committing), all rows or none."""
    path = tmp_path / "town.db"
    _import_db(path).dispose()
    child = subprocess.Popen([sys.executable, "-m", "gridadmin", "import", "--db", str(path), "--kind", "residents",
                              str(workbook), "--as-system"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        child.wait(timeout=2.5)
    except subprocess.TimeoutExpired:
        _kill(child)
    integrity, persons, batches, audited = _sound(path)
    assert integrity == "ok"
    assert (persons, batches) in ((0, 0), (ROWS, 1))
    assert (audited > 0) == (persons > 0)


SAVE_CHILD = """
    import sys, time
    from gridadmin.db import open_database
    from gridadmin.models import Setting
    db = open_database(sys.argv[1])
    with db.session() as s:
        s.add_all([Setting(key=f"fault.{i}", value="x" * 200) for i in range(20000)])
        s.flush()
        print("FLUSHED", flush=True)
        time.sleep(120)
"""


def test_bulk_save_killed_before_commit_leaves_none_of_it(tmp_path):
    path = tmp_path / "town.db"
    open_database(str(path)).dispose()
    _kill(_run_until(SAVE_CHILD, "FLUSHED", str(path)))
    db = open_database(str(path))
    with db.session() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert s.scalar(select(Setting.key).where(Setting.key.like("fault.%"))) is None
    db.dispose()


# -- (b) read-only database ---------------------------------------------------
def _staff_count(path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM staff").fetchone()[0]
    finally:
        conn.close()


def test_read_only_uri_database_refuses_save_clearly(tmp_path):
    """Tests run as root, for whom chmod 444 changes nothing; the database
    is opened read-only the way SQLite does for a read-only file
    (``?mode=ro`` URI), which fails writes exactly like a 444 file."""
    path = tmp_path / "town.db"
    init_township(db := open_database(str(path)), "411302001")
    db.dispose()
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    read_only = Database(str(engine.url), engine, sessionmaker(engine, expire_on_commit=False))
    with pytest.raises(StorageError) as caught:
        save_staff(read_only, person(), today=TODAY)
    read_only.dispose()
    assert caught.value.kind == STORAGE_READ_ONLY
    assert caught.value.message.startswith("数据库是只读的") and "没有保存" in caught.value.message
    assert _staff_count(path) == 0


def test_query_only_connection_refuses_bulk_write_with_nothing_partial(tmp_path, workbook):
    """A read-only connection (``PRAGMA query_only``, the same refusal as a
    read-only file, which root could still write) refuses a whole import."""
    path = tmp_path / "town.db"
    db = _import_db(path)
    db.engine.dispose()
    event.listen(db.engine, "connect", lambda conn, _record: conn.execute("PRAGMA query_only = ON"))
    with pytest.raises(StorageError) as caught:
        run_to_end(import_job(db, workbook, "residents", today=date(2025, 6, 1)))
    db.dispose()
    assert caught.value.kind == STORAGE_READ_ONLY
    assert _sound(path) == ("ok", 0, 0, 0)


# -- (c) disk full ------------------------------------------------------------
def test_disk_full_rolls_back_and_says_so(tmp_path, workbook):
    """A full disk, simulated with ``PRAGMA max_page_count`` just above the
    current size: the import's writes fail with SQLITE_FULL."""
    path = tmp_path / "town.db"
    db = _import_db(path)
    with db.session() as s:
        pages = s.execute(text("PRAGMA page_count")).scalar()
    db.engine.dispose()
    event.listen(db.engine, "connect",
                 lambda conn, _record: conn.execute(f"PRAGMA max_page_count = {pages + 20}"))
    with pytest.raises(StorageError) as caught:
        run_to_end(import_job(db, workbook, "residents", today=date(2025, 6, 1)))
    assert caught.value.kind == STORAGE_FULL
    assert caught.value.message.startswith("磁盘空间不足") and "没有保存" in caught.value.message
    # a small save still fits, the database is sound and holds nothing of the import
    save_staff(db, person(), today=TODAY)
    db.dispose()
    assert _sound(path) == ("ok", 0, 0, 0) and _staff_count(path) == 1


# -- (d) PostgreSQL server gone --------------------------------------------------
needs_server = pytest.mark.skipif(not os.environ.get("GRIDADMIN_TEST_DB"), reason="needs the PostgreSQL test server")


def _terminate(url: str, pid: int) -> None:
    killer = create_engine(url)
    with killer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    killer.dispose()


@needs_server
def test_server_gone_mid_session_is_clear_and_nothing_half_written(db):
    with pytest.raises(StorageError) as caught:
        with db.session() as s:
            s.add(Setting(key="fault.first", value="1"))
            s.flush()
            _terminate(db.url, s.execute(text("SELECT pg_backend_pid()")).scalar())
            s.add(Setting(key="fault.second", value="2"))
            s.flush()
    assert caught.value.kind == STORAGE_DISCONNECTED and "连接中断" in caught.value.message
    # the retry reconnects by itself; nothing of the broken unit of work is there
    with db.session() as s:
        assert s.scalars(select(Setting.key).where(Setting.key.like("fault.%"))).all() == []
        s.add(Setting(key="fault.retry", value="ok"))
    with db.session() as s:
        assert s.scalar(select(Setting.value).where(Setting.key == "fault.retry")) == "ok"


@needs_server
def test_server_restarted_between_actions_reconnects_silently(db):
    init_township(db, "411302001")
    with db.engine.connect() as conn:  # the pooled connection the next action gets
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    _terminate(db.url, pid)
    save_staff(db, person(), today=TODAY)  # pool_pre_ping replaces the dead connection
    with db.session() as s:
        assert s.execute(text("SELECT count(*) FROM staff")).scalar() == 1
        assert s.scalar(select(AuditLog.entity).where(AuditLog.entity == "staff")) == "staff"
        assert s.execute(select(ImportBatch.id)).first() is None and s.execute(select(Person.id)).first() is None
