"""The import pipeline as one job: read → header → map → validate → plan
→ (commit). ``plan_import`` is the dry run; ``import_job`` is the
progress generator the UI and the command line drive."""

from __future__ import annotations

import gc
import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import update

from gridadmin.db import Database
from gridadmin.models import AuditLog, ImportBatch
from gridadmin.services.register import tallies
from gridadmin.services.common.bulk import bulk_session
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.importing.attendance import plan_attendance, write_attendance
from gridadmin.services.importing.attendance_groups import unfold_groups
from gridadmin.services.importing.attendance_sheet import ATTENDANCE
from gridadmin.services.importing.changes import CHANGES, plan_changes, write_changes
from gridadmin.services.importing.grids import GRIDS, plan_grids, write_grids
from gridadmin.services.importing import lock as import_lock
from gridadmin.services.importing.headers import Table, pick_table
from gridadmin.services.importing.houses import HOUSES, plan_houses, write_houses
from gridadmin.services.importing.mapping import KindSpec
from gridadmin.services.importing.plan import ERROR, MODES, NEW, UPDATE, ImportPlan, RowIssue, RowPlan
from gridadmin.services.importing.reading import SheetData, read_sheets
from gridadmin.services.importing.resident_plan import plan_residents
from gridadmin.services.importing.resident_write import write_residents
from gridadmin.services.importing.residents import RESIDENTS
from gridadmin.services.importing.scope import check_scope
from gridadmin.services.importing.staff import STAFF, plan_staff, write_staff
from gridadmin.services.importing.wide import finish, rename_issues, widen
from gridadmin.services.common.progress import Job, Progress
from gridadmin.services.access.permissions import EDIT_AREAS, EDIT_STAFF, EDIT_TRAINING, IMPORT_REGISTER, acting, require


@dataclass(frozen=True)
class Kind:
    """One importable kind: its columns, planner, writer and the permission
    its import (and the undo of a batch) needs."""

    spec: KindSpec
    plan: Callable
    write: Callable
    permission: str = IMPORT_REGISTER
    dated: bool = False  # register changes: the planner takes the import's effective date (``effective=``)


KINDS = {
    "residents": Kind(RESIDENTS, plan_residents, write_residents, IMPORT_REGISTER, dated=True),
    "changes": Kind(CHANGES, plan_changes, write_changes, IMPORT_REGISTER, dated=True),
    "staff": Kind(STAFF, plan_staff, write_staff, EDIT_STAFF),
    "grids": Kind(GRIDS, plan_grids, write_grids, EDIT_AREAS),
    "attendance": Kind(ATTENDANCE, plan_attendance, write_attendance, EDIT_TRAINING),
    "houses": Kind(HOUSES, plan_houses, write_houses, IMPORT_REGISTER),
}


@dataclass
class ImportResult:
    plan: ImportPlan
    committed: bool = False
    batch_id: int | None = None
    written: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The command line's JSON object."""
        counts = self.plan.counts()
        out = {"rows": counts["rows"], "inserted": counts["inserted"], "updated": counts["updated"],
               "unchanged": counts["unchanged"], "skipped": counts["skipped"], "committed": self.committed,
               "batch_id": self.batch_id, "errors": [e.to_dict() for e in self.plan.errors],
               "warnings": [w.to_dict() for r in self.plan.rows for w in r.warnings]}
        if self.plan.extra.get("notes"):  # the kind's notes on the whole file (attendance: which session)
            out["notes"] = list(self.plan.extra["notes"])
        return out


# Kinds whose sheets may need reshaping into one record per row first.
UNFOLD = {"residents": widen, "attendance": unfold_groups}


def kind_of(key: str) -> Kind:
    if key not in KINDS:
        raise ValidationError(f"导入类型“{key}”无效，可选：{'、'.join(KINDS)}。", field="kind", value=key)
    return KINDS[key]


def read_kind_sheets(path: str | os.PathLike, kind: str, sheet: str | None = None) -> list[SheetData]:
    """The sheets as the kind reads them: a residents sheet in the wide
    household layout comes back one row per person (see ``wide``), a
    sign-in sheet of side-by-side groups one attendee per row (see
    ``attendance.unfold_groups``)."""
    sheets = read_sheets(path, sheet)
    unfold = UNFOLD.get(kind)
    return [unfold(s) for s in sheets] if unfold is not None else sheets


@dataclass(frozen=True)
class FileRead:
    """A file's sheets as ``read_kind_sheets`` gave them, with the SHA-256
    of the bytes they were read from (see ``read_file``)."""

    kind: str
    sheet: str | None
    sha256: str
    sheets: list[SheetData]


def read_file(path: str | os.PathLike, kind: str, sheet: str | None = None) -> FileRead:
    """Read the file's sheets for ``kind``; the SHA-256 is taken while
    calamine parses (it releases the GIL)."""
    with ThreadPoolExecutor(1) as side:
        digest = side.submit(file_sha256, path)
        sheets = read_kind_sheets(path, kind, sheet)
        return FileRead(kind, sheet, digest.result(), sheets)


def load_table(path: str | os.PathLike, kind: str, *, sheet: str | None = None,
               overrides: dict | None = None, read: FileRead | None = None) -> Table:
    """Read the file and find the kind's header (``FileRefused`` if not).
    ``read``: the sheets read before (the wizard's first look at the file),
    used instead of reading again when they hold ``sheet`` and the file's
    SHA-256 shows it unchanged since. ``table.sha256`` is always that of
    the bytes the table comes from."""
    usable = None
    if read is not None and read.kind == kind and read.sheet in (None, sheet) and file_sha256(path) == read.sha256:
        usable = [s for s in read.sheets if sheet is None or s.sheet_name == sheet]
    keep = bool(usable)  # a read the caller holds must stay as it was; a fresh one is used once
    if not usable:
        read = read_file(path, kind, sheet)
        usable = read.sheets
    table = finish(pick_table(kind_of(kind).spec, usable, overrides, keep=keep))
    table.sha256 = read.sha256
    return table


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_effective_date(effective: date | None, today: date) -> None:
    """The import's effective date (for rows without a date of their own)
    cannot be in the future."""
    if effective is not None and effective > today:
        raise ValidationError(f"生效日期 {effective.isoformat()} 晚于今天，不能登记未来的变动。", field="生效日期",
                              value=effective)


def _plan(session, path, table: Table, kind: str, mode: str, today: date, actor,
          effective: date | None = None) -> ImportPlan:
    if mode not in MODES:
        raise ValidationError(f"导入方式“{mode}”无效，可选：{'、'.join(MODES)}。", field="mode", value=mode)
    check_effective_date(effective, today)
    if kind_of(kind).dated:
        rows, extra = kind_of(kind).plan(session, table, mode, today, effective=effective or today)
    else:
        rows, extra = kind_of(kind).plan(session, table, mode, today)
    if table.sheet.notes:  # about the file itself (read as .xls although named .xlsx …), first
        extra = {**extra, "notes": [*table.sheet.notes, *(extra.get("notes") or [])]}
    check_scope(session, actor, kind, kind_of(kind).permission, table, rows, extra)
    if kind_of(kind).permission == IMPORT_REGISTER:
        submitted_month_warnings(session, rows, effective or today)
    rename_issues(table, rows)
    return ImportPlan(kind, mode, str(path), Path(path).name, table.sha256 or file_sha256(path),
                      table.sheet.sheet_name, table.header_row, table.mapping.headers, dict(table.mapping.columns),
                      rows, extra)


def submitted_month_warnings(session, rows: list[RowPlan], effective: date) -> None:
    """A register row whose change is effective in a submitted month (已上报)
    is still imported, with the warning that it counts as 更正 in the next
    month's report. The submitted months are loaded once per import. The
    effective date is the row's own (``change_date`` of a 人口变动 row,
    ``effective_date``, ``registered_on``) or the import's effective date;
    only rows that change the counts (new people, a move to another
    household, every 人口变动 row) are concerned."""
    from gridadmin.services.reports.snapshot import SubmittedMonths

    months = SubmittedMonths.load(session)
    if not months.months:
        return
    for row in rows:
        if row.status not in (NEW, UPDATE):
            continue
        if row.record.get("change_date"):
            day = row.record["change_date"]
        elif row.status == NEW or "household_no" in row.changes:
            day = row.record.get("effective_date") or row.record.get("registered_on") or effective
        else:
            continue
        notice = months.notice(day, row.record.get("area_id"))
        if notice:
            row.warnings.append(RowIssue(row.row, "", "", notice))


_gc_lock = threading.Lock()
_gc_pausers = 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a file is read and planned:
    hundreds of thousands of new containers would set it off again and
    again, each time walking every object alive (reference counting still
    frees everything as usual).

    On the way out the objects made meanwhile go straight to the oldest
    generation (``gc.freeze`` then ``gc.unfreeze``, both O(1)): left in the
    youngest, the next collections walked all of them again (0.28 s of a
    100,000-row import). Cyclic garbage among them is still found, by the
    next full collection."""
    global _gc_pausers
    with _gc_lock:
        _gc_pausers += 1
        if _gc_pausers == 1:
            gc_paused.was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and gc_paused.was_enabled:
                gc.freeze()
                gc.unfreeze()
                gc.enable()


gc_paused.was_enabled = True


def plan_import(db: Database, path, kind: str, *, mode: str = "upsert", sheet: str | None = None,
                overrides: dict | None = None, today: date | None = None, table: Table | None = None,
                effective_date: date | None = None) -> ImportPlan:
    """The dry run: every row labelled; nothing is written. ``effective_date``:
    see ``import_job``."""
    with gc_paused():
        table = table or load_table(path, kind, sheet=sheet, overrides=overrides)
        with db.session() as session:
            require(session, acting(db), kind_of(kind).permission)  # no preview of what one may not import
            plan = _plan(session, path, table, kind, mode, today or date.today(), acting(db), effective_date)
            session.rollback()
    return plan


def import_job(db: Database, path, kind: str, *, mode: str = "upsert", sheet: str | None = None,
               overrides: dict | None = None, skip_errors: bool = False, dry_run: bool = False,
               user_id: int | None = None, today: date | None = None,
               table: Table | None = None, read: FileRead | None = None,
               lock_wait: float | None = None, effective_date: date | None = None) -> Job[ImportResult]:
    """Plan and (unless ``dry_run``) write in one transaction.
    ``effective_date`` (register kinds): the day the changes happened for
    rows without a date of their own (default: today); the monthly report
    counts them in that month. With row
    errors nothing is written unless ``skip_errors``, and not then either
    when no row is left to write (no empty batch is recorded). Closing the generator
    (cancel) rolls everything back. ``read``: see ``load_table`` (the
    wizard's first look at the file, planned from while it is unchanged).

    The commit plans under the database-wide import lock of its kind
    (``lock``): a second import of the kind waits for the first, up to
    ``lock_wait`` seconds (default ``lock.IMPORT_WAIT_SECONDS``), telling
    whom it waits for, then is refused with a ``ConflictError`` naming who
    is importing since when. The dry run takes no lock."""
    today = today or date.today()
    lock_wait = import_lock.IMPORT_WAIT_SECONDS if lock_wait is None else lock_wait
    check_effective_date(effective_date, today)
    if table is None:
        yield Progress(0, 0, "正在读取文件…")
        with gc_paused():
            table = load_table(path, kind, sheet=sheet, overrides=overrides, read=read)
    total = len(table.rows)
    token = None
    try:
        with db.session() as session:
            require(session, acting(db), kind_of(kind).permission)  # the dry run too: no preview of what one may not import
            if not dry_run:
                # planned under the lock: what another import committed meanwhile is seen (see ``lock``)
                token = yield from import_lock.acquire(db, session, kind, acting(db), Path(path).name,
                                                       wait=lock_wait)
            yield Progress(0, 0, f"正在检查 {total:,} 行…")
            result = yield from _plan_and_write(db, session, path, table, kind, mode, today, skip_errors, dry_run,
                                                user_id, effective_date)
    finally:
        if token is not None:
            import_lock.withdraw(db, token)
    if result.committed:
        tallies.fold_committed(db)
    return result


def _plan_and_write(db: Database, session, path, table: Table, kind: str, mode: str, today: date,
                    skip_errors: bool, dry_run: bool, user_id: int | None,
                    effective_date: date | None = None) -> Job[ImportResult]:
    """Plan in ``session`` and, unless a dry run or refused for errors,
    write (see ``import_job``); the caller's unit of work commits."""
    with gc_paused():
        plan = _plan(session, path, table, kind, mode, today, acting(db), effective_date)
    result = ImportResult(plan)
    has_errors = any(r.status == ERROR for r in plan.rows)
    nothing_valid = has_errors and not any(r.status in (NEW, UPDATE) for r in plan.rows)
    if dry_run or (has_errors and (not skip_errors or nothing_valid)):
        session.rollback()
        return result
    counts = plan.counts()
    batch = ImportBatch(file_name=plan.file_name[:255], sha256=plan.sha256, kind=kind, mode=mode,
                        rows=counts["rows"], inserted=counts["inserted"], updated=counts["updated"],
                        unchanged=counts["unchanged"], skipped=counts["skipped"], errors=counts["errors"],
                        user_id=user_id if user_id is not None else acting(db).user_id)
    session.add(batch)
    session.flush()
    to_write = [r for r in plan.rows if r.status in (NEW, UPDATE)]
    actor = acting(db)
    plan.auditor = (actor.user_id, actor.username)
    with bulk_session(session):
        writing = kind_of(kind).write(session, plan, to_write, batch.id, today)
        while True:
            with gc_paused():  # not across the yield: the caller's code runs there
                done = next(writing, None)
            if done is None:
                break
            if done < len(to_write):
                yield Progress(done, len(to_write), "正在写入…")
            else:  # what is left: indexes, the audit rows, the commit
                yield Progress(0, 0, f"正在写入：{done:,} 行已写入，正在更新索引并保存…")
    # Writers that add the batch's audit rows without a user: the audit
    # trail must say who imported, one UPDATE names them.
    session.execute(update(AuditLog).where(AuditLog.import_batch_id == batch.id, AuditLog.username.is_(None))
                    .values(user_id=actor.user_id, username=actor.username))
    result.batch_id = batch.id
    result.committed = True
    return result
