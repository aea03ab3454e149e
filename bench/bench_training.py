"""Training figures (issue 4): the compliance list for a year with 10,000
staff and 100,000 attendance rows, and opening a session with 500
attendees. Data is bulk-inserted by the bench itself; the baseline is the
bare SQL aggregate of hours per person over the same rows (same run)."""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.common import Figure, median_time

STAFF = 10_000
ATTENDANCES = 100_000
YEAR = 2025


def _populate(db) -> int:
    """Staff, one grid each, 220 sessions, 100k attendances; returns the id
    of a session with 500 attendees."""
    from gridadmin.models import Area, Attendance, Staff, StaffAssignment, TrainingRequirement, TrainingSession

    rng = random.Random(7)
    with db.session() as s:
        s.execute(insert(Area), [{"id": 1, "level": "township", "name": "测试镇", "version": 1, "active": True,
                                  "sort_order": 0}]
                  + [{"id": 2 + i, "parent_id": 1, "level": "community", "name": f"社区{i}", "version": 1,
                      "active": True, "sort_order": i} for i in range(50)])
        s.execute(insert(Staff), [{"id": i + 1, "name": f"人员{i}", "name_pinyin": f"renyuan{i}", "status": "在岗",
                                   "hired_on": date(2020, 1, 1), "version": 1} for i in range(STAFF)])
        s.execute(insert(StaffAssignment), [{"id": i + 1, "staff_id": i + 1, "area_id": 2 + i % 50,
                                             "role": "fulltime" if i % 3 == 0 else "parttime",
                                             "start_date": date(2020, 1, 1), "version": 1} for i in range(STAFF)])
        sessions = 220
        s.execute(insert(TrainingSession), [{"id": k + 1, "name": f"培训{k}", "start_date": date(YEAR, 1, 1)
                                             + timedelta(days=k * 365 // sessions), "end_date": date(YEAR, 12, 31),
                                             "hours": 4.0, "cancelled": False, "version": 1} for k in range(sessions)])
        rows, seen = [], set()
        for staff_id in range(1, 501):  # session 1 gets exactly 500 attendees
            seen.add((1, staff_id))
            rows.append({"session_id": 1, "staff_id": staff_id})
        while len(rows) < ATTENDANCES:
            pair = (rng.randint(2, sessions), rng.randint(1, STAFF))
            if pair not in seen:
                seen.add(pair)
                rows.append({"session_id": pair[0], "staff_id": pair[1]})
        s.execute(insert(Attendance), [{**r, "id": i + 1, "status": "present", "hours_credited": 4.0, "version": 1}
                                       for i, r in enumerate(rows)])
        s.execute(insert(TrainingRequirement), [{"id": 1, "year": YEAR, "role": None, "hours": 24.0, "version": 1}])
    return 1


def run() -> list[Figure]:
    from gridadmin.db import open_database
    from gridadmin.models import Attendance
    from gridadmin.services.training.sessions import session_attendance
    from gridadmin.services.training.compliance import compliance

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(str(Path(tmp) / "training.db"))
        session_id = _populate(db)

        def bare() -> None:
            with db.session() as s:
                s.execute(select(Attendance.staff_id, func.sum(Attendance.hours_credited))
                          .group_by(Attendance.staff_id)).all()

        baseline = median_time(bare, repeat=5)
        rows = compliance(db, YEAR, today=date(YEAR, 12, 31))
        assert len(rows) == STAFF
        value = median_time(lambda: compliance(db, YEAR, today=date(YEAR, 12, 31)), repeat=5)
        assert len(session_attendance(db, session_id)) == 500
        open_time = median_time(lambda: session_attendance(db, session_id), repeat=5)
        db.dispose()
    return [
        Figure("training_compliance_10k_staff", value, "s", baseline, "≤ 0.3 s (10,000 staff, 100,000 attendances)"),
        Figure("training_open_session_500", open_time, "s", None, "≤ 0.1 s"),
    ]
