"""Submitting a month's report (上报) and what follows from it.

- ``submit_monthly_report`` (a job): a month that has ended is marked 已上报
  for a scope: its figures are stored (``snapshot.encode_figures``), who and
  when, and the PDF generated from those figures is kept (a
  ``generated_report`` row). Submitting a month twice is refused until a
  管理员 withdraws the submission (``withdraw_submission``, with a reason).
  Both are audited.
- ``submitted_month_notice``: the warning forms, import previews and the
  command line show for a change whose effective date falls in a submitted
  month (it is accepted, and counts as 更正 in the next month's report).
- ``report_diff``: a submitted month's submitted totals beside what the
  register says today, with the late changes that explain the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gridadmin.db import Database
from gridadmin.models import Area, GeneratedReport, SubmittedReport
from gridadmin.models.base import local_now
from gridadmin.services.access.audit import ACTION_SUBMIT, ACTION_WITHDRAW, record
from gridadmin.services.access.permissions import SUBMIT_REPORT, WITHDRAW_REPORT, acting, require
from gridadmin.services.common.errors import ConflictError, NotFoundError, ValidationError
from gridadmin.services.common.progress import Job, Progress
from gridadmin.services.common.text import clean_text
from gridadmin.services.reports import snapshot
from gridadmin.services.reports.history import TOWNSHIP_SCOPE, file_sha256, reports_dir, write_report_file
from gridadmin.services.reports.late_changes import LateChange, newest_event_id
from gridadmin.services.reports.monthly_figures import month_bounds, monthly_figures
from gridadmin.services.reports.monthly_pdf import TITLE, write_monthly_pdf
from gridadmin.services.reports.snapshot import SubmissionInfo, SubmittedMonths, month_label

ENTITY = "submitted_report"


@dataclass(frozen=True)
class SubmissionDiff:
    """A submitted month: the submitted totals, today's, and the late
    changes between them."""

    month: str
    submission: SubmissionInfo
    submitted: dict
    now: dict
    changes: tuple[LateChange, ...]

    def to_dict(self) -> dict:
        return {"month": self.month, "submitted_by": self.submission.username,
                "submitted_at": self.submission.submitted_at.isoformat(sep=" "),
                "submitted": self.submitted, "now": self.now, "changes": [c.to_dict() for c in self.changes]}


def _scope_name(session, scope_area_id: int | None) -> str:
    if scope_area_id is None:
        return TOWNSHIP_SCOPE
    name = session.scalar(select(Area.name).where(Area.id == scope_area_id))
    if name is None:
        raise NotFoundError(f"统计范围（区域编号 {scope_area_id}）不存在。", field="统计范围", value=str(scope_area_id))
    return name


def _check_ended(year: int, month: int, today: date) -> None:
    _start, end, _prev = month_bounds(year, month)
    if end >= today:
        raise ValidationError(f"{year}年{month}月尚未结束，不能上报（月末 {end.isoformat()} 之后才能上报）。",
                              field="报告月份", value=f"{year}-{month:02d}")


def _refuse_twice(row: SubmittedReport) -> ConflictError:
    return ConflictError(
        f"{month_label(row.month)}的月报（{row.scope_name}）已于 {row.submitted_at:%Y-%m-%d %H:%M} 由“{row.username}”"
        f"上报，不能重复上报；如需重新上报，请管理员先撤回并说明原因。", field="报告月份", value=row.month)


def submit_monthly_report(db: Database, year: int, month: int, scope_area_id: int | None = None, *,
                          folder: Path | None = None, today: date | None = None,
                          printed_on: date | None = None) -> Job:
    """Job: mark the month's report as 已上报; returns its ``SubmissionInfo``."""
    actor = acting(db)
    today = today or date.today()
    key = f"{year:04d}-{month:02d}"
    with db.session() as session:
        require(session, actor, SUBMIT_REPORT)
        _check_ended(year, month, today)
        scope_name = _scope_name(session, scope_area_id)
        s_key = snapshot.scope_key(session, scope_area_id)
        existing = snapshot.current_submission(session, key, s_key)
        if existing is not None:
            raise _refuse_twice(existing)
    return _submit(db, actor, year, month, key, scope_area_id, s_key, scope_name, folder or reports_dir(),
                   printed_on)


def _submit(db, actor, year, month, key, scope_area_id, s_key, scope_name, folder, printed_on) -> Job:
    from gridadmin.services.common.settings import print_signatories

    yield Progress(0, 3, f"正在计算 {month_label(key)} 月报（{scope_name}）…")
    submitted_at = local_now()
    with db.session() as session:
        last_event = newest_event_id(session)
    figures = monthly_figures(db, year, month, scope_area_id, as_submitted=False)
    yield Progress(1, 3, "正在生成上报的 PDF…")
    path, pages = write_report_file(folder, key, scope_name, lambda part: write_monthly_pdf(
        figures, part, printed_on=printed_on, signatories=print_signatories(db)), "_已上报")
    yield Progress(2, 3, "正在登记上报…")
    sha = file_sha256(path)
    try:
        with db.session() as session:
            if snapshot.current_submission(session, key, s_key) is not None:
                raise _refuse_twice(snapshot.current_submission(session, key, s_key))
            pdf = GeneratedReport(month=key, scope_area_id=scope_area_id, scope_name=scope_name, file_path=str(path),
                                  sha256=sha, user_id=actor.user_id, username=actor.username)
            session.add(pdf)
            session.flush()
            row = SubmittedReport(month=key, scope_key=s_key, scope_area_id=scope_area_id, scope_name=scope_name,
                                  figures=snapshot.encode_figures(figures, last_event), generated_report_id=pdf.id,
                                  user_id=actor.user_id, username=actor.username, submitted_at=submitted_at)
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
                with db.session() as other:
                    raise _refuse_twice(snapshot.current_submission(other, key, s_key)) from None
            t = figures.total
            record(session, actor, ACTION_SUBMIT, ENTITY, row.id,
                   summary=f"上报{TITLE} {key}（{scope_name}）：户 {t.households.current}，人口 {t.residents.current}，"
                           f"在岗 {t.staff_on_post}；{pages} 页，SHA-256 {sha[:12]}")
            info = snapshot.info_of(row)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    yield Progress(3, 3, "完成")
    return info


def withdraw_submission(db: Database, year: int, month: int, scope_area_id: int | None = None, *,
                        reason: str) -> SubmissionInfo:
    """A 管理员 withdraws a month's submission (the reason is required and
    kept); the month can then be submitted again."""
    actor = acting(db)
    reason = clean_text(reason or "")
    key = f"{year:04d}-{month:02d}"
    with db.session() as session:
        require(session, actor, WITHDRAW_REPORT)
        if not reason:
            raise ValidationError("请填写撤回上报的原因。", field="撤回原因", value="")
        if len(reason) > 200:
            raise ValidationError(f"撤回原因不能超过 200 字（现有 {len(reason)} 字）。", field="撤回原因",
                                  value=reason[:20] + "…")
        row = snapshot.current_submission(session, key, snapshot.scope_key(session, scope_area_id))
        if row is None:
            raise NotFoundError(f"{month_label(key)}的月报（{_scope_name(session, scope_area_id)}）没有上报，无需撤回。",
                                field="报告月份", value=key)
        row.withdrawn_at, row.withdrawn_by, row.withdraw_reason = local_now(), actor.username, reason
        record(session, actor, ACTION_WITHDRAW, ENTITY, row.id,
               summary=f"撤回{TITLE} {key}（{row.scope_name}）的上报，原因：{reason}"[:200])
        return snapshot.info_of(row)


def submission_of(db: Database, year: int, month: int, scope_area_id: int | None = None) -> SubmissionInfo | None:
    """The month's current submission for the scope, if any."""
    with db.session() as session:
        row = snapshot.current_submission(session, f"{year:04d}-{month:02d}",
                                          snapshot.scope_key(session, scope_area_id))
        return snapshot.info_of(row) if row is not None else None


def submitted_month_notice(db: Database, effective_date: date | None, area_id: int | None) -> str | None:
    """"该变动属于已上报的2026年11月，将作为更正计入下月报表" when ``effective_date``
    falls in a month submitted for a scope containing ``area_id``; else None."""
    if effective_date is None:
        return None
    with db.session() as session:
        return SubmittedMonths.load(session).notice(effective_date, area_id)


def report_diff(db: Database, year: int, month: int, scope_area_id: int | None = None) -> SubmissionDiff:
    """The submitted totals of a submitted month beside today's, with the
    late changes; refuses a month that was not submitted."""
    figures = monthly_figures(db, year, month, scope_area_id)
    if figures.submission is None:
        raise NotFoundError(f"{year}年{month}月的月报（{figures.scope_name}）没有上报，没有可比较的上报数。",
                            field="报告月份", value=f"{year}-{month:02d}")
    return SubmissionDiff(figures.month_key, figures.submission, figures.to_dict()["totals"], figures.now_totals,
                          figures.late)
