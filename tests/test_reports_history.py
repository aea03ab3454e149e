"""The generated-report history service (Qt-free)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gridadmin.db import open_database
from gridadmin.models import AuditLog
from gridadmin.services.access.permissions import Actor, PermissionDeniedError
from gridadmin.services.demo import create_demo_database
from gridadmin.services.common.errors import NotFoundError, ValidationError
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.reports.history import (
    file_sha256, generate_monthly_report, get_report, list_reports, parse_month, previous_month, record_print,
    save_copy,
)

OFFICIAL_NO_EXPORT = Actor(9, "guest", "访客", frozenset())


@pytest.fixture
def demo(tmp_path):
    path = tmp_path / "demo.db"
    create_demo_database(str(path), "small")
    database = open_database(str(path))
    yield database
    database.dispose()


def test_parse_month_and_previous_month():
    assert parse_month("2026-10") == (2026, 10)
    assert parse_month(" 2026-3 ") == (2026, 3)
    for bad in ("2026-13", "2026/10", "", "10-2026", "2026-00"):
        with pytest.raises(ValidationError) as info:
            parse_month(bad)
        assert "报告月份" in info.value.message
    assert previous_month(date(2026, 1, 15)) == (2025, 12)
    assert previous_month(date(2026, 11, 27)) == (2026, 10)


def test_generate_records_file_hash_history_and_audit(demo, tmp_path):
    year, month = previous_month()
    report = run_to_end(generate_monthly_report(demo, year, month, None, folder=tmp_path))
    assert report.month == f"{year}-{month:02d}"
    assert report.exists and report.file_path.startswith(str(tmp_path))
    assert report.sha256 == file_sha256(report.file_path) and len(report.sha_short) == 12
    assert report.username == "system"
    assert list_reports(demo)[0] == report
    record_print(demo, report.id, 3)
    copy = save_copy(demo, report.id, tmp_path / "copy.pdf")
    assert file_sha256(copy) == report.sha256
    with demo.session() as s:
        rows = s.execute(select(AuditLog.action, AuditLog.summary).where(AuditLog.entity == "generated_report")
                         .order_by(AuditLog.id)).all()
    assert [r.action for r in rows] == ["export", "print", "export"]
    assert "生成" in rows[0].summary and "打印" in rows[1].summary and "另存" in rows[2].summary


def test_generated_into_data_folder_by_default(demo, _private_home):
    year, month = previous_month()
    report = run_to_end(generate_monthly_report(demo, year, month))
    assert report.file_path.startswith(str(_private_home / "reports"))


def test_refusals_change_nothing(demo, tmp_path):
    year, month = previous_month()
    with pytest.raises(PermissionDeniedError):
        run_to_end(generate_monthly_report(demo.as_actor(OFFICIAL_NO_EXPORT), year, month, folder=tmp_path))
    with pytest.raises(ValidationError, match="报告月份"):
        run_to_end(generate_monthly_report(demo, year, 13, folder=tmp_path))
    today = date.today()
    with pytest.raises(ValidationError, match="尚未开始"):
        run_to_end(generate_monthly_report(demo, today.year + 1, 1, folder=tmp_path))
    with pytest.raises(NotFoundError):
        run_to_end(generate_monthly_report(demo, year, month, 999999, folder=tmp_path))
    with pytest.raises(NotFoundError):
        get_report(demo, 12345)
    assert list_reports(demo) == []
    assert list(tmp_path.glob("*.pdf")) == []


def test_cancelling_leaves_no_file_or_row(demo, tmp_path):
    year, month = previous_month()
    out = tmp_path / "out"
    out.mkdir()
    job = generate_monthly_report(demo, year, month, folder=out)
    next(job)
    job.close()
    assert list_reports(demo) == []
    assert list(out.iterdir()) == []
