"""Generated report files and their history (the reports page).

``generate_monthly_report`` is a job (a generator of ``Progress``) that
checks the EXPORT permission and the month, writes the monthly report PDF
into the data folder (``reports/``), and records it in ``generated_report``
and the audit trail in one transaction. ``list_reports`` gives the history
newest first; ``record_print`` / ``record_copy`` note a print or a
save-as in the audit trail. No Qt here.

A report carries names (staff changes, who is behind on hours): the history
lists, opens and copies only the reports of the acting user's areas — a
community's for a user serving it, the township's for users of every area
(``access.permissions.readable``).
"""

from __future__ import annotations

import calendar
import hashlib
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from gridadmin.db import Database
from gridadmin.models import Area, GeneratedReport
from gridadmin.paths import data_dir
from gridadmin.services.access.permissions import EXPORT, acting, require, require_read, visible_areas
from gridadmin.services.access.audit import ACTION_EXPORT, ACTION_PRINT, record
from gridadmin.services.common.errors import NotFoundError, ValidationError
from gridadmin.services.common.progress import Job, Progress
from gridadmin.services.reports.monthly_figures import month_bounds
from gridadmin.services.reports.monthly_pdf import TITLE, monthly_report_pdf

ENTITY = "generated_report"
TOWNSHIP_SCOPE = "全镇（街道）"


@dataclass(frozen=True)
class ReportRow:
    id: int
    month: str
    scope_area_id: int | None
    scope_name: str
    file_path: str
    sha256: str
    username: str
    created_at: datetime | None
    user_label: str = ""  # who generated it as people know them: the display name (the login name if none)

    @property
    def sha_short(self) -> str:
        return self.sha256[:12]

    @property
    def provisional(self) -> bool:
        """Generated before its month ended: its numbers were as of that day."""
        try:
            year, month = (int(part) for part in self.month.split("-")[:2])
        except ValueError:
            return False
        end = date(year, month, calendar.monthrange(year, month)[1])
        return self.created_at is not None and self.created_at.date() < end

    @property
    def exists(self) -> bool:
        return Path(self.file_path).is_file()


def parse_month(text: str) -> tuple[int, int]:
    """``"2026-10"`` → (2026, 10); refuses anything else with a Chinese message."""
    value = (text or "").strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
    if not match:
        raise ValidationError(f"报告月份“{value}”无效，应为 YYYY-MM（例如 2026-10）。", field="报告月份", value=value)
    year, month = int(match.group(1)), int(match.group(2))
    month_bounds(year, month)
    return year, month


def previous_month(today: date | None = None) -> tuple[int, int]:
    today = today or date.today()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def reports_dir() -> Path:
    folder = data_dir() / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def generate_monthly_report(db: Database, year: int, month: int, scope_area_id: int | None = None, *,
                            folder: Path | None = None, printed_on: date | None = None) -> Job:
    """Job: write the monthly report PDF and record it; returns its ``ReportRow``."""
    actor = acting(db)
    with db.session() as session:
        require(session, actor, EXPORT)
        start, _end, _prev = month_bounds(year, month)
        if future_month(year, month):
            raise ValidationError(f"报告月份“{year}-{month:02d}”尚未开始，不能生成月报。", field="报告月份",
                                  value=f"{year}-{month:02d}")
        if scope_area_id is None:
            scope_name = TOWNSHIP_SCOPE
        else:
            scope_name = session.scalar(select(Area.name).where(Area.id == scope_area_id))
            if scope_name is None:
                raise NotFoundError(f"统计范围（区域编号 {scope_area_id}）不存在。", field="统计范围",
                                    value=str(scope_area_id))
    return _generate(db, actor, year, month, scope_area_id, scope_name, folder or reports_dir(), printed_on)


def future_month(year: int, month: int, today: date | None = None) -> bool:
    today = today or date.today()
    return (year, month) > (today.year, today.month)


def write_report_file(folder, label: str, scope_name: str, write, tag: str = "") -> tuple[Path, int]:
    """``write(part_path)`` (returns the page count) into a ``.part`` file
    renamed to the report's name when complete (removed when not);
    returns (path, pages)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    safe_scope = re.sub(r'[\\/:*?"<>|\s]+', "_", scope_name)
    path = Path(folder) / f"{TITLE}_{label}_{safe_scope}{tag}_{stamp}.pdf"
    part = path.with_suffix(".part")
    try:
        pages = write(part)
        part.replace(path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return path, pages


def _generate(db, actor, year, month, scope_area_id, scope_name, folder, printed_on) -> Job:
    label = f"{year}-{month:02d}"
    yield Progress(0, 2, f"正在生成 {label} {TITLE}（{scope_name}）…")
    path, pages = write_report_file(folder, label, scope_name, lambda part: monthly_report_pdf(
        db, year, month, part, scope_area_id, printed_on=printed_on))
    yield Progress(1, 2, "正在登记报表…")
    sha = file_sha256(path)
    try:
        with db.session() as session:
            row = GeneratedReport(month=label, scope_area_id=scope_area_id, scope_name=scope_name,
                                  file_path=str(path), sha256=sha, user_id=actor.user_id, username=actor.username)
            session.add(row)
            session.flush()
            record(session, actor, ACTION_EXPORT, ENTITY, row.id,
                   summary=f"生成{TITLE} {label}（{scope_name}），{pages} 页，SHA-256 {sha[:12]}")
            report_id = row.id
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    yield Progress(2, 2, "完成")
    return get_report(db, report_id)


def _row(r: GeneratedReport, names: dict[int, str] | None = None) -> ReportRow:
    label = (names or {}).get(r.user_id) or r.username
    return ReportRow(r.id, r.month, r.scope_area_id, r.scope_name, r.file_path, r.sha256, r.username, r.created_at,
                     label)


def _display_names(session, user_ids) -> dict[int, str]:
    from gridadmin.models import User

    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return {i: name for i, name in session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
            if name}


def get_report(db: Database, report_id: int) -> ReportRow:
    """One generated report; a report of an area outside the acting user's
    is refused (``PermissionDeniedError``)."""
    with db.session() as session:
        r = session.get(GeneratedReport, report_id)
        if r is None:
            raise NotFoundError(f"报表记录 {report_id} 不存在。", field="报表", value=str(report_id))
        require_read(session, acting(db), r.scope_area_id, f"{TITLE} {r.month}（{r.scope_name}）")
        return _row(r, _display_names(session, [r.user_id]))


def list_reports(db: Database, *, limit: int = 500) -> list[ReportRow]:
    """The latest ``limit`` generated reports of the acting user's areas,
    newest first."""
    with db.session() as session:
        query = select(GeneratedReport).order_by(GeneratedReport.id.desc()).limit(limit)
        visible = visible_areas(session, acting(db))
        if visible is not None:
            query = query.where(GeneratedReport.scope_area_id.in_(sorted(visible)))
        rows = session.scalars(query).all()
        names = _display_names(session, [r.user_id for r in rows])
        return [_row(r, names) for r in rows]


def record_print(db: Database, report_id: int, pages: int) -> None:
    """Note a print of a generated report in the audit trail (EXPORT needed)."""
    _note(db, report_id, ACTION_PRINT, "打印", f"，{pages} 页")


def save_copy(db: Database, report_id: int, target: str | Path) -> Path:
    """Copy a generated report to ``target`` and note it in the audit trail."""
    report = get_report(db, report_id)
    if not report.exists:
        raise NotFoundError(f"报表文件“{report.file_path}”已不存在。", field="报表文件", value=report.file_path)
    actor = acting(db)
    with db.session() as session:
        require(session, actor, EXPORT)
    target = Path(target)
    shutil.copyfile(report.file_path, target)
    _note(db, report_id, ACTION_EXPORT, "另存", f"到 {target}")
    return target


def _note(db: Database, report_id: int, action: str, verb: str, extra: str) -> None:
    actor = acting(db)
    with db.session() as session:
        require(session, actor, EXPORT)
        r = session.get(GeneratedReport, report_id)
        if r is None:
            raise NotFoundError(f"报表记录 {report_id} 不存在。", field="报表", value=str(report_id))
        require_read(session, actor, r.scope_area_id, f"{TITLE} {r.month}（{r.scope_name}）")
        record(session, actor, action, ENTITY, r.id, summary=f"{verb}{TITLE} {r.month}（{r.scope_name}）{extra}")
