"""The ``attendance`` kind: the sign-in sheet (签到表) of one training session.

Contract:
- the session is named by title rows above the header ("培训名称：…",
  "日期：…", "学时：…", also "主讲人：…", "地点：…"; a label and its value
  may share a cell or sit in neighbouring cells) and/or by the columns
  培训名称 / 培训日期 / 学时 (filled down); a row whose value differs from
  the title's (or from the first row's) is an error: one file, one session;
- the session is the stored one with that name and start date (names
  compared without spaces and with full-width letters, digits and
  punctuation as half-width: ``session_key``), else a new one (created at
  commit through ``training.validate_session``'s rules: a new session needs
  学时); a cancelled session or a date after today is refused;
- attendees are staff matched by ID number, else by name (narrowed by the
  phone when several share the name); unknown people, a name shared by
  several staff without an ID, the same person twice in the file and people
  who had left before the session date are row errors naming the row, the
  column and the value; a session before the person's 入职时间 is a warning;
- 缺席/请假 with a score, 合格 or a certificate number is an error on that
  column; the same certificate number on two rows is an error on both;
- status (出席/缺席/请假, default 出席), credited hours, score, passed and
  certificate number follow ``training.attendance_values``; people already
  on the session's list are updated (blank cells keep the stored values);
- every created session/attendance and every changed attendance gets an
  audit row linked to the batch, so the batch can be undone;
- a sheet with side-by-side groups (序号 姓名 单位 联系电话 | 序号 姓名 单位
  联系电话, a spacer column allowed; 签名, 身份证号码 … may sit in a group) is
  unfolded by ``unfold_groups`` right after its header is found, before
  anything else sees it: one attendee per row under the first group's
  columns (what the wizard's mapping shows and overrides refer to), down the
  first group then down the next, or row by row when 序号 runs across the
  rows; a group blank apart from 序号 is skipped silently. Row messages name
  the Excel row and the group's own column with its letter (“联系电话（H列）”)
  and its value;
- the error export (``report.write_error_report``) writes the session as a
  title row (``title_line``) above the header and the failed attendees one
  per row in the single-group layout, so the corrected export imports into
  the same session.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Attendance, Staff, TrainingSession
from gridadmin.models.training import ATTEND_ABSENT, ATTEND_EXCUSED, ATTEND_PRESENT, ATTENDANCE_LABELS
from gridadmin.services.common.errors import ConflictError, ValidationError
from gridadmin.services.common.idcard import check_id_number
from gridadmin.services.importing.headers import Table, find_header_row
from gridadmin.services.importing.mapping import FieldSpec, KindSpec, display_header, match_header, normalize_header
from gridadmin.services.importing.plan import (
    ERROR, MODE_UPDATE, NEW, SKIP, UPDATE, ImportPlan, RowIssue, RowPlan, RowReader, batch_audit, label_existing,
    mark_duplicates, shown,
)
from gridadmin.services.importing.reading import SheetData
from gridadmin.services.importing.sniff import FileRefused
from gridadmin.services.importing.values import (
    CellError, code_text_value, date_value, is_blank, name_value, phone_value, quote, text_value,
)
from gridadmin.services.importing.wide import WideLayout
from gridadmin.services.common.text import to_halfwidth
from gridadmin.services.training.sessions import SessionInput, attendance_refusal, attendance_values, validate_session

F = FieldSpec
ATTENDANCE = KindSpec("attendance", "培训签到表", (
    F("seq", "序号", ("编号",)),
    F("session_name", "培训名称", ("培训班名称", "培训主题", "培训内容", "课程名称", "培训项目"), fill_down=True,
      max_length=120),
    F("session_date", "培训日期", ("培训时间", "日期"), fill_down=True),
    F("hours", "学时", ("课时", "培训学时"), fill_down=True),
    F("name", "姓名", ("名字", "人员姓名", "参训人员", "参训人姓名", "网格员姓名"), required=True, max_length=50),
    F("id_number", "身份证号码", ("身份证号", "公民身份号码", "证件号码", "身份证", "公民身份证号码", "证件号"),
      max_length=40),
    F("phone", "联系电话", ("电话", "手机", "手机号", "手机号码", "联系方式"), max_length=40),
    F("attendance_status", "状态", ("签到状态", "出勤情况", "出勤", "签到情况", "出席情况", "是否出席"),
      max_length=10),
    F("hours_credited", "认定学时", ("获得学时", "认定课时", "实际学时")),
    F("score", "成绩", ("考试成绩", "考核成绩", "测试成绩", "分数")),
    F("passed", "是否合格", ("合格", "考核结果", "考试结果", "是否通过")),
    F("certificate_no", "证书编号", ("证书号", "结业证书编号", "证书号码"), max_length=60),
), anchor="name")

SESSION_KEYS = ("session_name", "session_date", "hours")
STATUS_SPELLINGS = {
    **{s: ATTEND_PRESENT for s in ("出席", "已出席", "签到", "已签到", "到", "已到", "参加", "参训", "是", "√", "✓",
                                   "present")},
    **{s: ATTEND_ABSENT for s in ("缺席", "未到", "未出席", "未签到", "旷课", "否", "×", "✗", "absent")},
    **{s: ATTEND_EXCUSED for s in ("请假", "事假", "病假", "excused")},
}
PASSED_SPELLINGS = {**{s: True for s in ("是", "合格", "通过", "已通过", "√", "✓", "1", "true")},
                    **{s: False for s in ("否", "不合格", "未通过", "不通过", "×", "✗", "0", "false")}}
FIELD_KEYS = {"状态": "attendance_status", "认定学时": "hours_credited", "成绩": "score"}
VALUE_KEYS = ("status", "hours_credited", "score", "passed", "certificate_no")
VALUE_LABELS = {"status": "状态", "hours_credited": "认定学时", "score": "成绩", "passed": "是否合格",
                "certificate_no": "证书编号"}

# Labels in the title block: field key → spellings (longest first in the pattern).
TITLE_LABELS = {
    "session_name": ("培训名称", "培训班名称", "培训主题", "培训内容", "课程名称", "培训项目", "会议名称", "名称"),
    "session_date": ("培训日期", "培训时间", "日期", "时间"),
    "hours": ("培训学时", "学时", "课时"),
    "trainer": ("主讲人", "授课人", "主讲", "授课老师"),
    "place": ("培训地点", "地点"),
}
_LABEL_KEY = {normalize_header(s): key for key, spellings in TITLE_LABELS.items() for s in spellings}
_TITLE_LABEL = re.compile(
    r"(?:^|(?<=[\s，,;；、|]))(" + "|".join(sorted({s for v in TITLE_LABELS.values() for s in v}, key=len, reverse=True))
    + r")\s*[:：]")
_LEADING_DATE = re.compile(r"\s*(\d{4}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}\s*日?)")
_HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:个)?(?:学时|课时|小时|h)?")


# ---- cell parsers ------------------------------------------------------------
def session_date_value(value) -> date:
    """A session date: a date cell, or text starting with a full date
    ("2026年3月5日上午" → 2026-03-05)."""
    if isinstance(value, str):
        text = to_halfwidth(value, punctuation=True)
        m = _LEADING_DATE.match(text)
        if m and m.end() < len(text.rstrip()):
            value = m[1]
    parsed = date_value(value)
    if parsed is None:
        raise CellError("培训日期不能为空")
    return parsed[0]


def hours_value(value) -> float:
    """Hours as a number: 4, "4", "4学时", "2.5 课时"."""
    if isinstance(value, bool):
        raise CellError(f"“{quote(value)}”不是学时数")
    if isinstance(value, (int, float)):
        return float(value)
    text = to_halfwidth(str(value), punctuation=True).strip()
    m = _HOURS.fullmatch(text)
    if not m:
        raise CellError(f"“{quote(text)}”不是学时数（应为数字，如 4 或 2.5）")
    return float(m[1])


def score_value(value) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = to_halfwidth(str(value), punctuation=True).strip().removesuffix("分")
    try:
        return float(text)
    except ValueError:
        raise CellError(f"“{quote(text)}”不是成绩（应为 0–100 的数字）") from None


def status_value(value) -> str:
    text = (text_value(value, 20) or "").replace(" ", "").lower()
    found = STATUS_SPELLINGS.get(text)
    if found is None:
        raise CellError(f"“{quote(text)}”不是有效的签到状态（可填：{'、'.join(ATTENDANCE_LABELS.values())}）")
    return found


def passed_value(value) -> bool:
    if isinstance(value, bool):
        return value
    text = shown(value).replace(" ", "").lower()
    if text not in PASSED_SPELLINGS:
        raise CellError(f"“{quote(text)}”不是有效的考核结果（可填：合格、不合格）")
    return PASSED_SPELLINGS[text]


SESSION_PARSERS = {"session_name": lambda v: text_value(v, 120), "session_date": session_date_value,
                   "hours": hours_value, "trainer": lambda v: text_value(v, 80), "place": lambda v: text_value(v, 120)}


# ---- session facts -----------------------------------------------------------
@dataclass
class SessionFacts:
    """What the file says about its session. ``values``: key → typed value;
    ``where``: key → (Excel row, label/header, raw value) for messages."""

    values: dict = field(default_factory=dict)
    where: dict = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)

    def put(self, key: str, raw, row: int, label: str) -> None:
        if key in self.values or any(i.column == label and i.row == row for i in self.issues):
            return
        try:
            value = SESSION_PARSERS[key](raw)
        except CellError as exc:
            self.issues.append(RowIssue(row, label, shown(raw), exc.message))
            return
        if value is not None:
            self.values[key] = value
            self.where[key] = (row, label, shown(raw))


def title_facts(rows: list[list], header_index: int) -> SessionFacts:
    """Session facts written in the rows above the header (0-based
    ``header_index``): "培训名称：…  日期：…  学时：…" in one cell or in
    label/value cell pairs; merged cells (the same value repeated) count once."""
    facts = SessionFacts()
    for r in range(header_index):
        pending: tuple[str, str] | None = None
        previous = object()
        for cell in rows[r]:
            if is_blank(cell) or cell == previous:
                continue
            previous = cell
            if isinstance(cell, str):
                exact = _LABEL_KEY.get(normalize_header(cell))
                if exact is not None:
                    pending = (exact, cell.strip().rstrip(":：").strip())
                    continue
                pieces = list(_TITLE_LABEL.finditer(cell))
                if pieces:
                    head = cell[:pieces[0].start()].strip()
                    if head and pending:
                        facts.put(pending[0], head, r + 1, pending[1])
                    pending = None
                    for i, m in enumerate(pieces):
                        end = pieces[i + 1].start() if i + 1 < len(pieces) else len(cell)
                        value, key = cell[m.end():end].strip(), _LABEL_KEY[normalize_header(m[1])]
                        if value:
                            facts.put(key, value, r + 1, m[1])
                        else:
                            pending = (key, m[1])
                    continue
            if pending is not None:
                facts.put(pending[0], cell, r + 1, pending[1])
                pending = None
    return facts


def title_line(facts: SessionFacts) -> str:
    """The session as one title row ("培训名称：…    培训日期：…    学时：…"),
    which ``title_facts`` reads back: what the error export writes above its
    header so the corrected rows go to the same session. A value the file
    got wrong is written as the file wrote it, for the clerk to correct."""
    parts = []
    for key, label in (("session_name", "培训名称"), ("session_date", "培训日期"), ("hours", "学时"),
                       ("trainer", "主讲人"), ("place", "地点")):
        if key in facts.values:
            value = facts.values[key]
            parts.append(f"{label}：{value:g}" if isinstance(value, float) else f"{label}：{shown(value)}")
    parts += [f"{issue.column}：{issue.value}" for issue in facts.issues]
    return "    ".join(parts)


# ---- side-by-side groups -----------------------------------------------------
@dataclass(frozen=True)
class CellProblem:
    """An error cell (#N/A, an uncached formula) of an unfolded sheet, carried
    in the cell itself: the attendees of one row share its Excel row, so
    ``SheetData.problems`` (keyed by row and column) cannot tell them apart.
    Shown as an empty cell (preview, error export)."""

    message: str

    def __str__(self) -> str:
        return ""


@dataclass
class GroupLayout(WideLayout):
    """A sign-in sheet unfolded from side-by-side groups (``wide.finish`` and
    ``wide.rename_issues`` apply as to a wide household sheet); ``starts``:
    the 0-based first column of each group."""

    starts: tuple[int, ...] = ()

    @property
    def note(self) -> str:
        """What the wizard tells the user about the layout."""
        letters = "、".join(get_column_letter(c + 1) for c in self.starts)
        return (f"签到表是并排的 {len(self.starts)} 组列（分别从 {letters} 列开始），每组一人，按每人一行读取；"
                "下面只列出第一组的列，其余各组按相同的列名对应。")


@dataclass(frozen=True)
class _Groups:
    """``columns[k][j]``: the column of group k holding what column
    ``columns[0][j]`` holds in the first group (None when group k lacks it);
    ``seq``: the position j of 序号 in a group, if any."""

    shared: range  # columns left of the first group: the same for every attendee of the row
    columns: list[list[int | None]]
    starts: tuple[int, ...]
    seq: int | None


def _identity(cell, lookup: dict) -> str:
    """What a header cell means: its field key, else its normalised text
    ("=…"); "" for a blank one."""
    key = match_header(ATTENDANCE, cell, lookup)
    if key is not None:
        return key
    text = normalize_header(cell)
    return "=" + text if text else ""


def _counterpart(ids: list[str], j: int, span: range, offset: int, used: set[int]) -> int | None:
    """The column of ``span`` (one group) matching column ``j`` of the first
    group: the one at the same place if it means the same, else the first
    unused one that does (a blank header matches only in place)."""
    same_place = j + offset
    if same_place in span and same_place not in used and ids[same_place] == ids[j]:
        return same_place
    if not ids[j]:
        return None
    return next((c for c in span if c not in used and ids[c] == ids[j]), None)


def side_by_side(header: list) -> _Groups | None:
    """The groups of a header naming 姓名 more than once (序号 姓名 单位 联系电话
    序号 姓名 单位 联系电话, a spacer column allowed between groups), or None.
    A group starts where the columns before its 姓名 stop repeating the first
    group's; the last group runs to the end of the header."""
    lookup = ATTENDANCE.lookup()
    ids = [_identity(cell, lookup) for cell in header]
    anchors = [c for c, key in enumerate(ids) if key == "name"]
    if len(anchors) < 2:
        return None
    start, step = anchors[0], anchors[1] - anchors[0]
    while start and ids[start - 1] and ids[start - 1] == ids[start - 1 + step]:
        start -= 1
    starts = tuple(start + a - anchors[0] for a in anchors)
    end = starts[1]
    while not ids[end - 1]:  # a spacer column belongs to no group
        end -= 1
    first = list(range(start, end))
    columns = [first]
    for k, group_start in enumerate(starts[1:], start=1):
        span = range(group_start, starts[k + 1] if k + 1 < len(starts) else len(header))
        used: set[int] = set()
        found = []
        for j in first:
            c = _counterpart(ids, j, span, group_start - start, used)
            found.append(c)
            if c is not None:
                used.add(c)
        columns.append(found)
    seq = next((i for i, c in enumerate(first) if ids[c] == "seq"), None)
    return _Groups(range(start), columns, starts, seq)


def _cell(sheet: SheetData, r: int, c: int | None):
    if c is None:
        return ""
    problem = sheet.problems.get((r, c))
    if problem is not None:
        return CellProblem(problem)
    row = sheet.rows[r]
    return row[c] if c < len(row) else ""


def _number(value) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(to_halfwidth(str(value)).strip())
    except ValueError:
        return None


def _descents(numbers: list[float | None]) -> int:
    known = [n for n in numbers if n is not None]
    return sum(1 for a, b in zip(known, known[1:]) if b < a)


@dataclass
class _Attendee:
    group: int
    row: int  # 0-based sheet row
    seq: float | None
    cells: list


def _sheet_order(attendees: list[_Attendee]) -> list[_Attendee]:
    """Down the first group, then down the next (序号 1…N | N+1…2N), unless
    序号 runs across the rows (1 | 2, 3 | 4 …): then row by row."""
    by_row = sorted(attendees, key=lambda a: (a.row, a.group))
    by_group = sorted(attendees, key=lambda a: (a.group, a.row))
    return by_row if _descents([a.seq for a in by_row]) < _descents([a.seq for a in by_group]) else by_group


def _group_names(header: list, groups: _Groups) -> list[dict[str, str]]:
    """Per group: the first group's header (as messages show it) → the
    group's own column, with its letter ("联系电话（H列）")."""
    names = []
    for columns in groups.columns:
        names.append({display_header(header[j]): f"{display_header(header[c])}（{get_column_letter(c + 1)}列）"
                      for j, c in zip(groups.columns[0], columns) if c is not None and display_header(header[j])})
    return names


def unfold_groups(sheet: SheetData) -> SheetData:
    """A sign-in sheet with side-by-side groups (see ``side_by_side``) as one
    attendee per row; any other sheet unchanged.

    The result keeps the rows above the header (the title block); its header
    is the columns left of the first group and the first group's columns; an
    attendee is the shared cells plus the group's cells, in the first group's
    column order. A group whose cells are blank (or error cells) apart from
    序号 (the empty right half of the last row) is no attendee. Error cells
    below the header travel as ``CellProblem`` values. The layout (a
    ``GroupLayout``) maps every row back to its Excel row and names the
    group's own column with its letter, so messages point at the cell to fix."""
    index = find_header_row(ATTENDANCE, sheet.rows)
    groups = side_by_side(sheet.rows[index]) if index is not None else None
    if groups is None:
        return sheet
    header = sheet.rows[index]
    names = _group_names(header, groups)
    attendees = []
    for r in range(index + 1, len(sheet.rows)):
        shared = [_cell(sheet, r, c) for c in groups.shared]
        for k, columns in enumerate(groups.columns):
            values = [_cell(sheet, r, c) for c in columns]
            if all(is_blank(v) or isinstance(v, CellProblem) for j, v in enumerate(values) if j != groups.seq):
                continue  # as a row of blank and error cells in a one-group sheet (error cells read as "")
            seq = _number(values[groups.seq]) if groups.seq is not None else None
            attendees.append(_Attendee(k, r, seq, shared + values))
    rows = [list(row) for row in sheet.rows[:index]] + [[header[c] for c in (*groups.shared, *groups.columns[0])]]
    excel_rows = list(range(1, index + 2))
    row_names: list[dict[str, str]] = [{} for _ in range(index + 1)]
    for attendee in _sheet_order(attendees):
        rows.append(attendee.cells)
        excel_rows.append(attendee.row + 1)
        row_names.append(names[attendee.group])
    problems = {key: message for key, message in sheet.problems.items() if key[0] < index}
    return SheetData(sheet.file_name, sheet.sheet_name, sheet.sheet_names, rows, problems,
                     layout=GroupLayout(excel_rows, row_names, groups.starts), notes=sheet.notes)


class GroupReader(RowReader):
    """A ``RowReader`` that also reports the error cells an unfolded sheet
    carries as ``CellProblem`` values."""

    def raw(self, key: str):
        value = super().raw(key)
        if isinstance(value, CellProblem):
            self.error(key, "", value.message)
            return None
        return value

    def _has_problem(self, key: str) -> bool:
        index = self.table.mapping.columns.get(key)
        return super()._has_problem(key) or (index is not None and isinstance(self.plan.cells[index], CellProblem))


# ---- planning ----------------------------------------------------------------
@dataclass(frozen=True)
class StaffRef:
    id: int
    name: str
    id_number: str | None
    phone: str | None
    left_on: date | None
    status: str | None
    hired_on: date | None


def _parse(reader: RowReader, today: date) -> dict:
    rec = {"name": reader.get("name", name_value, required=True, label="姓名")}
    raw_id = reader.raw("id_number")
    if not is_blank(raw_id):
        check = check_id_number(raw_id, today=today)
        if check.valid:
            rec["id_number"] = check.normalized
        else:
            reader.error("id_number", raw_id, check.error)
    rec["phone"] = reader.get("phone", phone_value)
    for key in SESSION_KEYS:
        rec[key] = reader.get(key, SESSION_PARSERS[key])
    rec["status"] = reader.get("attendance_status", status_value)
    rec["hours_credited"] = reader.get("hours_credited", hours_value)
    rec["score"] = reader.get("score", score_value)
    rec["passed"] = reader.get("passed", passed_value)
    rec["certificate_no"] = reader.get("certificate_no", code_text_value, 60, "证书编号")
    return rec


def _reconcile(rows: list[RowPlan], table: Table, facts: SessionFacts) -> None:
    """Column values of the session must agree with the title (or the first
    row that gives them); the first one found becomes a fact."""
    for key in SESSION_KEYS:
        if key not in table.mapping.columns:
            continue
        header = table.mapping.header_of(key)
        for row in rows:
            value = row.record.get(key)
            if value is None:
                continue
            if key not in facts.values:
                facts.values[key] = value
                facts.where[key] = (row.row, header, shown(value))
            elif facts.values[key] != value:
                at, label, raw = facts.where[key]
                where = "表头上方" if at < table.header_row else ""
                row.errors.append(RowIssue(row.row, header, shown(value),
                                           f"与{where}第 {at} 行的{label}“{raw}”不同：一个文件只能导入一次培训的签到"))


def session_key(name: str) -> str:
    """A session name as matched: no spaces, full-width letters, digits and
    punctuation as half-width (“心理危机识别与干预  （第２期）” and
    “心理危机识别与干预(第2期)” are the same session)."""
    return re.sub(r"\s+", "", to_halfwidth(name or "", punctuation=True)).casefold()


def _find_session(session: Session, name: str, start: date) -> TrainingSession | None:
    """The stored session of that start date whose name matches (see
    ``session_key``): the exact spelling first, a cancelled one last."""
    key = session_key(name)
    found = [t for t in session.scalars(select(TrainingSession).where(TrainingSession.start_date == start)
                                        .order_by(TrainingSession.id)) if session_key(t.name) == key]
    found.sort(key=lambda t: (bool(t.cancelled), t.name != name))
    return found[0] if found else None


def _session_plan(session: Session, table: Table, facts: SessionFacts, today: date) -> tuple[dict, list[RowIssue]]:
    """(extra for the commit, issues that stop every row)."""
    missing = [label for key, label in (("session_name", "培训名称"), ("session_date", "培训日期"))
               if key not in facts.values]
    if missing and not facts.issues:
        raise FileRefused(f"文件“{table.sheet.file_name}”的工作表“{table.sheet.sheet_name}”没有写{'和'.join(missing)}："
                          "请在表头上方写“培训名称：…  日期：…  学时：…”，或加“培训名称”“培训日期”“学时”列。",
                          field="header", value=table.sheet.sheet_name)
    if facts.issues:
        return {}, facts.issues
    name, start = facts.values["session_name"], facts.values["session_date"]
    if start > today:
        row, label, raw = facts.where["session_date"]
        return {}, [RowIssue(row, label, raw, f"培训日期 {start:%Y-%m-%d} 晚于今天：尚未举行的培训不能登记签到")]
    stored = _find_session(session, name, start)
    if stored is not None:
        row, label, raw = facts.where["session_name"]
        if stored.cancelled:
            return {}, [RowIssue(row, label, raw, f"培训“{stored.name}”（{start:%Y-%m-%d}）已取消，不能再登记签到")]
        notes = [f"签到记入已有的培训“{stored.name}”（{start:%Y-%m-%d}，{stored.hours:g} 学时）"]
        if stored.name != name:
            notes.append(f"文件中的培训名称“{name}”与已登记的“{stored.name}”只差空格或全角/半角，按同一次培训计")
        hours = facts.values.get("hours")
        if hours is not None and hours != stored.hours:
            notes.append(f"文件中的学时 {hours:g} 与已登记的 {stored.hours:g} 不同，按已登记的学时计")
        return {"session_id": stored.id, "session_version": stored.version, "session_hours": stored.hours,
                "session_start": start, "notes": notes}, []
    if "hours" not in facts.values:
        row, label, raw = facts.where["session_name"]
        return {}, [RowIssue(row, label, raw, f"系统中没有{start:%Y-%m-%d}的培训“{name}”，新建培训须写明学时"
                                               "（表头上方“学时：…”或“学时”列）")]
    data = SessionInput(name=name, start_date=start, end_date=start, hours=facts.values["hours"],
                        trainer=facts.values.get("trainer"), place=facts.values.get("place"))
    try:
        values = validate_session(session, data)
    except ValidationError as exc:
        key = {"培训名称": "session_name", "学时": "hours"}.get(exc.field, "session_name")
        row, label, raw = facts.where.get(key, facts.where["session_name"])
        return {}, [RowIssue(row, label, raw, exc.message.rstrip("。"))]
    return {"session_id": None, "session": values, "session_hours": values["hours"], "session_start": start,
            "notes": [f"将新建培训“{name}”（{start:%Y-%m-%d}，{values['hours']:g} 学时）"]}, []


def _load_staff(session: Session) -> tuple[dict[str, list[StaffRef]], dict[str, list[StaffRef]]]:
    """(ID number → staff, name → staff); a serving record first."""
    by_id: dict[str, list[StaffRef]] = {}
    by_name: dict[str, list[StaffRef]] = {}
    query = (select(Staff.id, Staff.name, Staff.id_number, Staff.phone, Staff.left_on, Staff.status, Staff.hired_on)
             .order_by(Staff.id))
    for row in session.execute(query):
        ref = StaffRef(*row)
        if ref.id_number:
            by_id.setdefault(ref.id_number, []).append(ref)
        by_name.setdefault(ref.name, []).append(ref)
    for refs in (*by_id.values(), *by_name.values()):
        refs.sort(key=lambda s: s.status not in ("在岗", "休假"))
    return by_id, by_name


def _match(reader: RowReader, rec: dict, by_id: dict, by_name: dict) -> StaffRef | None:
    name = rec.get("name")
    if rec.get("id_number"):
        found = by_id.get(rec["id_number"])
        if not found:
            reader.error("id_number", reader.raw("id_number"),
                         "网格员名册中没有此身份证号码的人员（请先登记或导入网格员花名册）")
            return None
        person = found[0]
        if name and person.name != name:
            reader.error("name", reader.raw("name"), f"身份证号码对应的网格员是“{person.name}”，与姓名不符")
            return None
        return person
    if not name:
        return None
    candidates = by_name.get(name, [])
    if not candidates:
        reader.error("name", reader.raw("name"), f"网格员名册中没有“{name}”（请先登记，或填写身份证号码）")
        return None
    if len(candidates) == 1:
        person = candidates[0]
        if rec.get("phone") and person.phone and person.phone != rec["phone"]:
            reader.warn("phone", reader.raw("phone"), f"与名册中“{name}”的电话不同，按姓名认定")
        return person
    if rec.get("phone"):
        narrowed = [c for c in candidates if c.phone == rec["phone"]]
        if len(narrowed) == 1:
            return narrowed[0]
    header = reader.table.mapping.header_of("id_number") if "id_number" in reader.table.mapping.columns \
        else "身份证号码"
    reader.error("name", reader.raw("name"),
                 f"名册中有 {len(candidates)} 名网格员叫“{name}”，无法确定是哪一位，请填写{header}")
    return None


def _mark_same_person(rows: list[RowPlan], table: Table) -> None:
    """The same person twice: every such row an error naming the others (on
    a sheet of side-by-side groups by row and column: 第 5 行“姓名（F列）”)."""
    groups: dict[int, list[tuple[int, RowPlan]]] = {}
    for i, row in enumerate(rows):
        if row.target_id is not None:
            groups.setdefault(row.target_id, []).append((i, row))
    header = table.mapping.header_of("name")
    for group in groups.values():
        if len(group) < 2:
            continue
        for _i, row in group:
            others = [(i, other) for i, other in group if other is not row]
            row.errors.append(RowIssue(row.row, header, shown(row.record.get("name")),
                                       f"与{_places(table, others, header)}是同一人，同一人在一次培训中只能签到一次"))


def _places(table: Table, rows: list[tuple[int, RowPlan]], header: str) -> str:
    """"第 4、7 行"; on a sheet of side-by-side groups (two people a row)
    with the group's column: "第 5 行“姓名（F列）”"."""
    if not table.row_names:
        return f"第 {'、'.join(str(row.row) for _i, row in rows)} 行"
    return "、".join(f"第 {row.row} 行“{table.row_names[i].get(header, header)}”" for i, row in rows)


def _existing_attendance(session: Session, session_id: int | None) -> dict[int, object]:
    if session_id is None:
        return {}
    query = select(Attendance.id, Attendance.staff_id, Attendance.version,
                   *(getattr(Attendance, k) for k in VALUE_KEYS)).where(Attendance.session_id == session_id)
    return {row.staff_id: row for row in session.execute(query)}


def _values(row: RowPlan, table: Table, stored, hours: float) -> dict | None:
    """The attendance values of a row (stored values under blank cells)."""
    rec = row.record
    status = rec["status"] or (stored.status if stored is not None else ATTEND_PRESENT)
    credited = rec["hours_credited"]
    if credited is None and stored is not None and status == stored.status:
        credited = stored.hours_credited
    if status in (ATTEND_ABSENT, ATTEND_EXCUSED) and credited:
        if rec["hours_credited"]:
            row.warnings.append(RowIssue(row.row, table.mapping.header_of("hours_credited"),
                                         shown(rec["hours_credited"]), f"{ATTENDANCE_LABELS[status]}的人员不计学时"))
        credited = None
    keep = {k: (rec[k] if rec[k] is not None else getattr(stored, k, None)) for k in ("score", "passed",
                                                                                      "certificate_no")}
    if status in (ATTEND_ABSENT, ATTEND_EXCUSED):
        what = ATTENDANCE_LABELS[status]
        for key, field_key, bad in (("score", "score", rec["score"] is not None),
                                    ("passed", "passed", rec["passed"] is True),
                                    ("certificate_no", "certificate_no", bool(rec["certificate_no"]))):
            if bad:
                index = table.mapping.columns.get(field_key)
                row.errors.append(RowIssue(row.row, table.mapping.header_of(field_key),
                                           shown(row.cells[index]) if index is not None else shown(rec[key]),
                                           f"状态为“{what}”，不应" + ("评为合格" if key == "passed" else
                                                                      f"有{VALUE_LABELS[key]}")))
            keep[key] = rec[key] if key == "passed" and rec[key] is False else None  # not kept from before either
        if row.errors:
            return None
    try:
        return attendance_values(hours, status=status, hours=credited, **keep)
    except ValidationError as exc:
        key = FIELD_KEYS.get(exc.field, "")
        index = table.mapping.columns.get(key)
        value = shown(row.cells[index]) if index is not None else shown(exc.value)
        row.errors.append(RowIssue(row.row, table.mapping.header_of(key) if index is not None else exc.field or "",
                                   value, exc.message.rstrip("。")))
        return None


def plan_attendance(session: Session, table: Table, mode: str, today: date) -> tuple[list[RowPlan], dict]:
    """Label every attendee row (see the module docstring); ``extra`` holds
    the session to use or create and the stored attendance versions."""
    facts = title_facts(table.sheet.rows, table.header_row - 1)
    rows, cache = [], {}
    for excel_row, cells in table.rows:
        row = RowPlan(excel_row, cells)
        row.record = _parse(GroupReader(table, row, cache), today)
        rows.append(row)
    _reconcile(rows, table, facts)
    extra, stoppers = _session_plan(session, table, facts, today)
    extra["title_rows"] = [title_line(facts)]
    if stoppers:
        first = stoppers[0]
        if not rows:  # a sheet without attendees still reports what stops it (and never commits)
            rows.append(RowPlan(first.row, [], status=ERROR, errors=list(stoppers)))
            return rows, extra
        for row in rows:
            row.errors.extend(stoppers if row is rows[0] else
                              [RowIssue(row.row, "", "", f"培训信息有误（见第 {first.row} 行“{first.column}”），本行未导入")])
            row.status = ERROR
        return rows, extra
    by_id, by_name = _load_staff(session)
    for row in rows:
        if not row.errors:
            person = _match(GroupReader(table, row, cache), row.record, by_id, by_name)
            if person is not None:
                row.target_id = person.id
                refusal = attendance_refusal(person.name, person.left_on, extra["session_start"])
                if refusal:
                    row.errors.append(RowIssue(row.row, table.mapping.header_of("name"), person.name,
                                               refusal.rstrip("。")))
                elif person.hired_on is not None and extra["session_start"] < person.hired_on:
                    row.warnings.append(RowIssue(
                        row.row, table.mapping.header_of("name"), person.name,
                        f"培训日期 {extra['session_start']:%Y-%m-%d} 早于“{person.name}”的入职时间 "
                        f"{person.hired_on:%Y-%m-%d}，请核对"))
    _mark_same_person(rows, table)
    stored_rows = _existing_attendance(session, extra["session_id"])
    versions = {}
    for row in rows:
        if row.errors:
            row.status = ERROR
            continue
        stored = stored_rows.get(row.target_id)
        values = _values(row, table, stored, extra["session_hours"])
        if values is None:
            row.status = ERROR
            continue
        row.record["values"] = values
        if stored is None:
            if mode == MODE_UPDATE:
                row.status = SKIP
                row.warnings.append(RowIssue(row.row, "", "", "此人不在本次培训名单中，“仅更新”模式不新增"))
            else:
                row.status = NEW
            continue
        row.record["attendance_id"] = stored.id
        versions[stored.id] = stored.version
        for key in VALUE_KEYS:
            old, new = getattr(stored, key), values[key]
            if old != new:
                row.changes[key] = (VALUE_LABELS[key], _shown_value(key, old), _shown_value(key, new))
                row.previous[key] = old
        label_existing(row, mode, "此人已在本次培训签到名单中")
    certified = [r for r in rows if r.status != ERROR and r.record.get("values", {}).get("certificate_no")]
    mark_duplicates(certified, lambda r: session_key(r.record["values"]["certificate_no"]),
                    table.mapping.header_of("certificate_no"), "证书编号",
                    shown_value=lambda r: r.record["values"]["certificate_no"])
    for row in certified:
        if row.errors:
            row.status = ERROR
    extra["versions"] = versions
    return rows, extra


def _shown_value(key: str, value) -> str:
    if key == "status":
        return ATTENDANCE_LABELS.get(value, value or "")
    if key == "passed":
        return "" if value is None else ("合格" if value else "不合格")
    if isinstance(value, float):
        return f"{value:g}"
    return shown(value)


# ---- writing -----------------------------------------------------------------
def write_attendance(session: Session, plan: ImportPlan, rows: list[RowPlan], batch_id: int,
                     today: date) -> Iterator[int]:
    """Create the session when needed, then add or update attendance; yields
    the number of rows written so far."""
    extra = plan.extra
    session_id = extra["session_id"]
    done = 0
    if rows and session_id is None:
        training = TrainingSession(**extra["session"])
        session.add(training)
        session.flush()
        session_id = training.id
        session.add(batch_audit("insert", "training_session", training.id, batch_id, f"导入新建培训“{training.name}”"))
    elif rows:
        training = session.get(TrainingSession, session_id)
        if training is None or training.version != extra["session_version"]:
            raise ConflictError("导入期间该培训被其他用户修改，已全部撤销，请重新导入。")
    for row in rows:
        values = row.record["values"]
        name = row.record["name"]
        if row.status == NEW:
            attendance = Attendance(session_id=session_id, staff_id=row.target_id, **values)
            session.add(attendance)
            session.flush()
            session.add(batch_audit("insert", "attendance", attendance.id, batch_id, f"导入签到 {name}"))
        elif row.status == UPDATE:
            attendance = session.get(Attendance, row.record["attendance_id"])
            if attendance is None or attendance.version != extra["versions"][attendance.id]:
                raise ConflictError(f"导入期间“{name}”的签到记录被其他用户修改，已全部撤销，请重新导入。")
            new = {k: values[k] for k in row.changes}
            for key, value in new.items():
                setattr(attendance, key, value)
            session.flush()
            session.add(batch_audit("update", "attendance", attendance.id, batch_id, f"导入更新签到 {name}",
                                    {"old": row.previous, "new": new}))
        done += 1
        if done % 200 == 0:
            yield done
    session.flush()
    yield done

