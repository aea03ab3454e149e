"""The import pipeline as one job: read → header → map → validate → plan
→ (commit). ``plan_import`` is the dry run; ``import_job`` is the
progress generator the UI and the command line drive."""

from __future__ import annotations

import gc
import hashlib
import importlib
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
from gridadmin.services.importing.grids import GRIDS, plan_grids, settle_new_communities, write_grids
from gridadmin.services.importing.groups import GROUPS, plan_groups, write_groups
from gridadmin.services.importing import lock as import_lock
from gridadmin.services.importing.filing_unit import apply_filing_unit, name_added_columns
from gridadmin.services.importing.footer import cut_footer, stray_rows
from gridadmin.services.importing.header_groups import fold_header_groups
from gridadmin.services.importing.headers import Table, find_header_row, pick_table
from gridadmin.services.importing.houses import HOUSES, plan_houses, write_houses
from gridadmin.services.importing.mapping import KindSpec
from gridadmin.services.importing.plan import ERROR, MODES, NEW, UPDATE, ImportPlan, RowIssue, RowPlan
from gridadmin.services.importing.reading import SheetData, read_sheets
from gridadmin.services.importing.resident_plan import plan_residents
from gridadmin.services.importing.resident_write import write_residents
from gridadmin.services.importing.residents import RESIDENTS
from gridadmin.services.importing.scope import check_scope
from gridadmin.services.importing.shown import mask_changes, mask_previous
from gridadmin.services.importing.staff import STAFF, plan_staff, write_staff
from gridadmin.services.importing.template_title import apply_title_column
from gridadmin.services.importing.wide import finish, group_header_index, rename_issues, widen
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
    creates_communities: bool = False  # grids: the planner takes ``create_communities=``
    by_actor: bool = False  # the planner takes the acting user (``actor=``: the group kinds they may see)


KINDS = {
    "residents": Kind(RESIDENTS, plan_residents, write_residents, IMPORT_REGISTER, dated=True),
    "changes": Kind(CHANGES, plan_changes, write_changes, IMPORT_REGISTER, dated=True),
    "staff": Kind(STAFF, plan_staff, write_staff, EDIT_STAFF),
    "grids": Kind(GRIDS, plan_grids, write_grids, EDIT_AREAS, creates_communities=True),
    "attendance": Kind(ATTENDANCE, plan_attendance, write_attendance, EDIT_TRAINING),
    "groups": Kind(GROUPS, plan_groups, write_groups, IMPORT_REGISTER, dated=True, by_actor=True),
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
        if self.plan.extra.get("unused_columns"):
            out["unused_columns"] = list(self.plan.extra["unused_columns"])
        if self.plan.extra.get("new_communities"):  # grids with --create-communities
            out["new_communities"] = [{"name": c["name"], "division_code": c["division_code"]}
                                      for c in self.plan.extra["new_communities"].values()]
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
    ``attendance.unfold_groups``); the footer (制表人/合计 …) is cut first;
    a two-row header (户籍地 over 省/市/区县) is folded into one column per
    group (see ``header_groups``) and a 填报单位 block above the header
    read (see ``filing_unit``); a template's title that names what every
    row is (流动人口信息登记表) gives the rows that column (see ``template_title``)."""
    sheets = [cut_footer(s, _raw_header_index(kind, s)) for s in read_sheets(path, sheet)]
    unfold = UNFOLD.get(kind)
    if unfold is not None:
        sheets = [unfold(s) for s in sheets]
    spec = kind_of(kind).spec
    return [apply_title_column(spec, apply_filing_unit(spec, fold_header_groups(spec, s))) if s.layout is None else s
            for s in sheets]


def _raw_header_index(kind: str, sheet: SheetData) -> int | None:
    """The header row of a sheet as read (before a wide household sheet is
    unfolded), for finding its footer below it."""
    wide_index = group_header_index(sheet.rows) if kind == "residents" else None
    return wide_index if wide_index is not None else find_header_row(kind_of(kind).spec, sheet.rows)


@dataclass(frozen=True)
class FileRead:
    """A file's sheets as ``read_kind_sheets`` gave them, with the SHA-256
    of the bytes they were read from (see ``read_file``)."""

    kind: str
    sheet: str | None
    sha256: str
    sheets: list[SheetData]


def read_file(path: str | os.PathLike, kind: str, sheet: str | None = None) -> FileRead:
    """Read the file's sheets for ``kind``; the SHA-256 is taken (and for
    residents numpy imported) while calamine parses (it releases the GIL)."""
    with ThreadPoolExecutor(1) as side:
        digest = side.submit(file_sha256, path)
        if kind == "residents":  # numpy (the ID column check) loads meanwhile, not after the parse
            side.submit(importlib.import_module, "numpy")
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


def check_create_communities(kind: str, create_communities: bool) -> None:
    """Only the grids import creates communities/villages."""
    if create_communities and not kind_of(kind).creates_communities:
        raise ValidationError(f"只有网格导入可以新建社区/村，导入类型“{kind}”不能。", field="create_communities",
                              value=kind)


def _plan(session, path, table: Table, kind: str, mode: str, today: date, actor,
          effective: date | None = None, create_communities: bool = False) -> ImportPlan:
    if mode not in MODES:
        raise ValidationError(f"导入方式“{mode}”无效，可选：{'、'.join(MODES)}。", field="mode", value=mode)
    check_effective_date(effective, today)
    check_create_communities(kind, create_communities)
    if kind_of(kind).by_actor:
        rows, extra = kind_of(kind).plan(session, table, mode, today, effective=effective or today, actor=actor)
    elif kind_of(kind).dated:
        rows, extra = kind_of(kind).plan(session, table, mode, today, effective=effective or today)
    elif kind_of(kind).creates_communities:
        rows, extra = kind_of(kind).plan(session, table, mode, today, create_communities=create_communities)
    else:
        rows, extra = kind_of(kind).plan(session, table, mode, today)
    footer = table.sheet.footer
    if table.sheet.notes or footer is not None:  # about the file itself (read as .xls although named .xlsx …), first
        extra = {**extra, "notes": [*table.sheet.notes, *([footer.note] if footer is not None else []),
                                    *(extra.get("notes") or [])]}
    unused = unused_columns(table)
    if unused:
        extra = {**extra, "unused_columns": unused}
    check_scope(session, actor, kind, kind_of(kind).permission, table, rows, extra)
    if extra.get("new_communities"):  # rows the scope check refused create nothing
        settle_new_communities(rows, extra)
    if kind_of(kind).permission == IMPORT_REGISTER:
        submitted_month_warnings(session, rows, effective or today)
    rename_issues(table, rows)
    name_added_columns(rows, table.header_row, table.sheet.rows)
    rows = rows + stray_rows(footer, len(table.mapping.headers))  # data after the footer: errors, not dropped
    mask_changes(rows, actor)  # the writers use only the keys of ``changes``
    return ImportPlan(kind, mode, str(path), Path(path).name, table.sha256 or file_sha256(path),
                      table.sheet.sheet_name, table.header_row, table.mapping.headers, dict(table.mapping.columns),
                      rows, extra)


def unused_columns(table: Table) -> list[str]:
    """The headers of the file's columns that hold data but map to no field
    (GridAdmin does not keep them): shown as 未导入的列, never dropped
    without a word."""
    unmapped = table.mapping.unmapped()
    if not unmapped:
        return []
    filled = {c for c in unmapped if any(c < len(cells) and not _blank(cells[c]) for _, cells in table.rows)}
    return [table.mapping.headers[c] for c in unmapped if c in filled]


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def submitted_month_warnings(session, rows: list[RowPlan], effective: date) -> None:
    """A register row whose change is effective in a submitted month (已上报)
    is still imported, with the warning that it counts as 更正 in the next
    month's report. The submitted months are loaded once per import. The
    effective date is the row's own (``change_date`` of a 人口变动 row,
    ``effective_date``, ``registered_on``) or the import's effective date;
    only rows that change the counts (new people, a move to another
    household, a 类别变更, every 人口变动 row) are concerned. A corrected
    登记日期 moves the person between the months from the earlier of the
    two dates to the later: the first submitted one among them is named."""
    from gridadmin.services.reports.snapshot import SubmittedMonths

    months = SubmittedMonths.load(session)
    if not months.months:
        return
    for row in rows:
        if row.status not in (NEW, UPDATE):
            continue
        corrected = row.record.get("registration_corrected") if "registered_on" in row.changes else None
        if row.record.get("change_date"):
            day = row.record["change_date"]
        elif row.status == NEW or "household_no" in row.changes or "category" in row.changes:
            day = row.record.get("effective_date") or row.record.get("registered_on") or effective
        elif corrected:
            day = None
        else:
            continue
        notice = months.notice(day, row.record.get("area_id"))
        if notice is None and corrected:
            notice = months.first_notice(*corrected, row.record.get("area_id"))
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
                effective_date: date | None = None, create_communities: bool = False) -> ImportPlan:
    """The dry run: every row labelled; nothing is written. ``effective_date``,
    ``create_communities``: see ``import_job``."""
    check_create_communities(kind, create_communities)
    with gc_paused():
        table = table or load_table(path, kind, sheet=sheet, overrides=overrides)
        with db.session() as session:
            require(session, acting(db), kind_of(kind).permission)  # no preview of what one may not import
            plan = _plan(session, path, table, kind, mode, today or date.today(), acting(db), effective_date,
                         create_communities)
            session.rollback()
    mask_previous(plan.rows, acting(db))
    return plan


def import_job(db: Database, path, kind: str, *, mode: str = "upsert", sheet: str | None = None,
               overrides: dict | None = None, skip_errors: bool = False, dry_run: bool = False,
               user_id: int | None = None, today: date | None = None,
               table: Table | None = None, read: FileRead | None = None,
               lock_wait: float | None = None, effective_date: date | None = None,
               create_communities: bool = False) -> Job[ImportResult]:
    """Plan and (unless ``dry_run``) write in one transaction.
    ``create_communities`` (grids): a community/village the tree lacks is
    created (新建社区/村, audited, undone with the batch) instead of being a
    row error.
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
    check_create_communities(kind, create_communities)
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
                                                user_id, effective_date, create_communities)
    finally:
        if token is not None:
            import_lock.withdraw(db, token)
    if result.committed:
        tallies.fold_committed(db)
    return result


def _plan_and_write(db: Database, session, path, table: Table, kind: str, mode: str, today: date,
                    skip_errors: bool, dry_run: bool, user_id: int | None,
                    effective_date: date | None = None, create_communities: bool = False) -> Job[ImportResult]:
    """Plan in ``session`` and, unless a dry run or refused for errors,
    write (see ``import_job``); the caller's unit of work commits."""
    with gc_paused():
        plan = _plan(session, path, table, kind, mode, today, acting(db), effective_date, create_communities)
    result = ImportResult(plan)
    has_errors = any(r.status == ERROR for r in plan.rows)
    nothing_valid = has_errors and not any(r.status in (NEW, UPDATE) for r in plan.rows)
    if dry_run or (has_errors and (not skip_errors or nothing_valid)):
        session.rollback()
        mask_previous(plan.rows, acting(db))
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
    mask_previous(plan.rows, actor)
    return result
