"""The sign-in sheet's own words: the title rows that name the session
("培训名称：…", "日期：…", "学时：…", "主讲人：…", "地点：…") read into
``SessionFacts``, the session line written back above an error export
(``title_line``), and the parsers of the attendance cells (date, 学时,
成绩, 状态, 是否合格). See ``importing.attendance`` for the kind's contract."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date


from gridadmin.models.training import ATTEND_ABSENT, ATTEND_EXCUSED, ATTEND_PRESENT, ATTENDANCE_LABELS
from gridadmin.services.importing.mapping import FieldSpec, KindSpec, normalize_header
from gridadmin.services.importing.plan import (
    RowIssue, shown,
)
from gridadmin.services.importing.values import (
    CellError, date_value, is_blank, quote, text_value,
)
from gridadmin.services.common.text import to_halfwidth

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
