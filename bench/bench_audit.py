"""Cost of the audit trail (issue 8): the 100,000-resident import of
``bench_import`` with the audit trail on, against the same import with it
off, measured in the same run on the same file (target: ratio ≤ 1.25).

Each import runs in a fresh child process into a fresh database. "Off" is
a bench-only switch applied inside the child (the app has no way to turn
auditing off): the import's audit rows are neither built nor inserted.
The child checks that the switch did what it says (audit rows per person
with it on, none with it off). ``BENCH_IMPORT_ROWS`` overrides the row
count; ``BENCH_AUDIT_REPEAT`` runs the off/on pair several times (the
fastest of each counts).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_import import ROWS, TODAY, make_database, write_workbook  # noqa: E402
from bench.common import Figure  # noqa: E402

REPEAT = int(os.environ.get("BENCH_AUDIT_REPEAT", "1"))


def _switch_audit_off() -> None:
    """Bench only: the resident import writes no audit rows."""
    from gridadmin.services.importing import resident_write

    real_insert = resident_write.insert_tuples
    resident_write._audit_row = lambda *args, **kwargs: None

    def insert_tuples(session, table, keys, rows):
        if table is not resident_write._audit:
            real_insert(session, table, keys, rows)

    resident_write.insert_tuples = insert_tuples


def _child(book: str, db_path: str, audit: str) -> None:
    from sqlalchemy import func, select

    from gridadmin.models import AuditLog
    from gridadmin.services.importing import import_job
    from gridadmin.services.common.progress import run_to_end

    if audit == "off":
        _switch_audit_off()
    db = make_database(Path(db_path))
    start = time.perf_counter()
    result = run_to_end(import_job(db, book, "residents", today=TODAY))
    seconds = time.perf_counter() - start
    with db.session() as session:
        audited = session.scalar(select(func.count()).select_from(AuditLog)
                                 .where(AuditLog.import_batch_id == result.batch_id))
    db.dispose()
    print(json.dumps({"seconds": seconds, "committed": result.committed, "inserted": result.to_dict()["inserted"],
                      "audit_rows": audited}))


def _measure(book: Path, tmp: str, audit: str, n: int) -> float:
    out = subprocess.run([sys.executable, __file__, "--child", str(book), str(Path(tmp) / f"{audit}{n}.db"), audit],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode:
        raise RuntimeError(f"audit bench child failed:\n{out.stderr[-4000:]}")
    child = json.loads(out.stdout.strip().splitlines()[-1])
    if not child["committed"] or child["inserted"] != ROWS:
        raise RuntimeError(f"the bench workbook did not import cleanly: {child}")
    if (child["audit_rows"] >= ROWS) != (audit == "on") or (audit == "off" and child["audit_rows"]):
        raise RuntimeError(f"audit switch did not work ({audit}): {child}")
    return child["seconds"]


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        book = write_workbook(Path(tmp) / "人口.xlsx", ROWS)
        off, on = [], []
        for n in range(REPEAT):
            off.append(_measure(book, tmp, "off", n))
            on.append(_measure(book, tmp, "on", n))
    return [Figure(f"audit_import_{ROWS // 1000}k", min(on), "s", min(off), "≤ 1.25× the import without audit trail")]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        for figure in run():
            print(figure.describe(), flush=True)
