"""Demo generation for the township size, against the floor of inserting the
same number of person rows with plain sqlite3 executemany (same run)."""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import Figure


def _floor(rows: int, path: Path) -> float:
    """Seconds to insert ``rows`` 12-column rows into SQLite in one transaction."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g TEXT, "
                 "h TEXT, i TEXT, j TEXT, k TEXT, l TEXT)")
    data = [(i, f"姓名{i}", f"41130219800101{i % 10000:04d}", "1", "1980-01-01", "01", "02", "1", "1", "20",
             "13800138000", "在册") for i in range(rows)]
    start = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", data)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def run() -> list[Figure]:
    from gridadmin.db import open_database
    from gridadmin.services.demo import generate_demo
    from gridadmin.services.common.progress import run_to_end

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(str(Path(tmp) / "demo.db"))
        start = time.perf_counter()
        summary = run_to_end(generate_demo(db, size="township", seed=1))
        value = time.perf_counter() - start
        db.dispose()
        baseline = _floor(summary.residents, Path(tmp) / "floor.db")
    return [Figure("demo_township_generation", value, "s", baseline,
                   f"seconds, not minutes (≤ 10 s) for {summary.residents:,} residents")]
