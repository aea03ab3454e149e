"""The fields practice keeps per group kind, and when a membership is due
to end.

- 社区矫正人员: 矫正开始日期, 矫正期满日期, 矫正类别 (管制/缓刑/假释/暂予监外执行);
  due to end at 矫正期满;
- 刑满释放人员: 释放日期, 安置帮教期满日期, 安置情况; due to end at 安置帮教期满;
- 严重精神障碍患者: 监护人, 监护人身份证号, 监护人电话, 危险性评估等级 (0–5 级);
- 残疾人: 残疾类别 (several), 残疾等级 (一级–四级);
- every 特殊人群 kind (the township's own too): 管控等级 (普管/严管/宽管);
- 重点青少年: due to end at 35 (from the birth date).

The values are kept on the membership (``person_tag.details``, JSON of
``{key: text}``; dates ISO, several choices "、"-joined) and are as
sensitive as the kind: they are read and written only through the
services that check the kind's visibility (``tags``). ``clean_details``
refuses a bad value with the field's label and the value (``FieldProblem``,
a ``ValidationError``): an unknown choice (残疾等级 5), a 矫正期满 before its
start, a 监护人 who is the person themself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from gridadmin.models.groups import FAMILY_SPECIAL
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.idcard import check_id_number
from gridadmin.services.common.text import clean_name, clean_text, to_halfwidth
from gridadmin.services.register.age_groups import turned_on

TEXT, DATE, CHOICE, MULTI, PHONE, ID = "text", "date", "choice", "multi", "phone", "id"
YOUTH_UNTIL = 35  # 重点青少年: up to 35


@dataclass(frozen=True)
class GroupField:
    key: str
    label: str
    kind: str
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other headers an import accepts
    max_length: int = 50


F = GroupField
CONTROL_LEVEL = F("control_level", "管控等级", CHOICE, ("普管", "严管", "宽管"), ("管控级别", "管理等级"))
KIND_FIELDS: dict[str, tuple[GroupField, ...]] = {
    "corrections": (
        F("correction_start", "矫正开始日期", DATE, aliases=("矫正起始日期", "矫正起日", "矫正开始时间",
                                                                      "社区矫正开始时间", "社区矫正开始日期")),
        F("correction_end", "矫正期满日期", DATE, aliases=("矫正结束日期", "矫正止日", "矫正期满", "矫正期满时间",
                                                                   "社区矫正结束时间", "社区矫正结束日期")),
        F("correction_type", "矫正类别", CHOICE, ("管制", "缓刑", "假释", "暂予监外执行"),
          ("矫正类型", "刑法执行类别", "刑罚执行类别")),
    ),
    "released": (
        F("released_on", "释放日期", DATE, aliases=("刑满释放日期", "释放时间", "解教(刑释)日期", "刑释日期",
                                                                   "解教日期")),
        F("aftercare_end", "安置帮教期满日期", DATE, aliases=("帮教期满日期", "安置帮教期满", "帮教期满")),
        F("placement", "安置情况", CHOICE, ("已安置", "未安置", "无需安置"), ("安置状态",)),
    ),
    "mental": (
        F("guardian", "监护人", TEXT, aliases=("监护人姓名",)),
        F("guardian_id", "监护人身份证号", ID, aliases=("监护人公民身份号码", "监护人身份证号码")),
        F("guardian_phone", "监护人电话", PHONE, aliases=("监护人联系电话", "监护人手机")),
        F("risk_level", "危险性评估等级", CHOICE, ("0级", "1级", "2级", "3级", "4级", "5级"),
          ("危险性等级", "危险性评估", "风险等级")),
    ),
    "disabled": (
        F("disability_types", "残疾类别", MULTI, ("视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾",
                                                 "精神残疾", "多重残疾"), ("残疾类型",)),
        F("disability_grade", "残疾等级", CHOICE, ("一级", "二级", "三级", "四级"), ("残疾级别",)),
    ),
}
# (start field, end field) pairs that must be in order
DATE_ORDER = (("correction_start", "correction_end"), ("released_on", "aftercare_end"))
# the field whose date is the day the membership is due to end
DUE_FIELD = {"corrections": "correction_end", "released": "aftercare_end"}
_NUMERALS = "〇一二三四五六七八九"
_SPLIT = re.compile(r"[、,，;；/／\s]+")
_DATE = re.compile(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?|(\d{4})(\d{2})(\d{2})")


class FieldProblem(ValidationError):
    """A field value refused: ``field`` is the field's label."""


def fields_for(code: str, family: str) -> tuple[GroupField, ...]:
    """The fields of the kind with ``code`` in ``family``."""
    return KIND_FIELDS.get(code, ()) + ((CONTROL_LEVEL,) if family == FAMILY_SPECIAL else ())


def all_fields() -> tuple[GroupField, ...]:
    """Every field once, in a stable order (the import's columns)."""
    seen: dict[str, GroupField] = {}
    for fields in KIND_FIELDS.values():
        for f in fields:
            seen.setdefault(f.key, f)
    seen.setdefault(CONTROL_LEVEL.key, CONTROL_LEVEL)
    return tuple(seen.values())


def _spellings(f: GroupField) -> dict[str, str]:
    out = {}
    for choice in f.choices:
        out[choice] = choice
        digits = re.fullmatch(r"(\d)级", choice)
        if digits:
            out[digits[1]] = choice
            out[_NUMERALS[int(digits[1])] + "级"] = choice
        elif choice[0] in _NUMERALS and choice.endswith("级"):
            n = _NUMERALS.index(choice[0])
            out[str(n)] = out[f"{n}级"] = out[choice[0]] = choice
        if choice.endswith("残疾"):
            out[choice[:-2]] = choice
        out.setdefault(choice + "人员", choice)  # the county platform's 管制人员, 缓刑人员 …
    for word, choice in PLATFORM_CHOICES.items():
        if choice in f.choices:
            out.setdefault(word, choice)
    return out


# The county platform's words for a choice that read differently (its 刑法执行类别).
PLATFORM_CHOICES = {"监外执行罪犯": "暂予监外执行", "监外执行": "暂予监外执行"}


def _choice(f: GroupField, value: str) -> str:
    typed = to_halfwidth(value).replace(" ", "")
    found = _spellings(f).get(typed)
    if found is None:
        raise FieldProblem(f"{f.label}“{value}”无效，应为 {'、'.join(f.choices)} 之一。", field=f.label, value=value)
    return found


def _date(f: GroupField, value) -> date:
    if isinstance(value, date):
        return value
    text = to_halfwidth(str(value)).strip()
    m = _DATE.fullmatch(text)
    try:
        if m is None:
            raise ValueError(text)
        parts = [int(x) for x in (m.groups()[:3] if m[1] else m.groups()[3:])]
        return date(*parts)
    except ValueError:
        raise FieldProblem(f"{f.label}“{value}”不是有效日期（如 2025-03-01）。", field=f.label, value=value) from None


def _one(f: GroupField, value) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        return None
    if f.kind == DATE:
        return _date(f, value).isoformat()
    if f.kind == CHOICE:
        return _choice(f, str(value))
    if f.kind == MULTI:
        items = value if isinstance(value, (list, tuple, set)) else _SPLIT.split(str(value).strip())
        chosen = {_choice(f, str(v)) for v in items if str(v).strip()}
        return "、".join(c for c in f.choices if c in chosen) or None
    if f.kind == ID:
        check = check_id_number(value)
        if not check.valid:
            raise FieldProblem(f"{f.label}“{value}”无效：{check.error}", field=f.label, value=value)
        return check.normalized
    if f.kind == PHONE:
        text = re.sub(r"[\s-]", "", to_halfwidth(str(value)))
        if not re.fullmatch(r"(\+?86)?\d{7,12}", text):
            raise FieldProblem(f"{f.label}“{value}”不是有效的电话号码。", field=f.label, value=value)
        return text.removeprefix("+86") if len(text) > 11 else text
    text = clean_name(value) if f.key == "guardian" else clean_text(value)
    if len(text) > f.max_length:
        raise FieldProblem(f"{f.label}“{text[:20]}…”太长（最多 {f.max_length} 字）。", field=f.label, value=text)
    return text


def clean_details(code: str, family: str, values: dict, *, person_name: str = "",
                  person_id_number: str | None = None) -> dict[str, str]:
    """The kind's fields from ``values`` (``{key or label: value}``; dates
    as ``date`` or text, several choices as a list or "、"-joined text),
    checked and normalised; empty ones left out. Raises ``FieldProblem``."""
    fields = fields_for(code, family)
    by_name = {f.key: f for f in fields} | {f.label: f for f in fields}
    out: dict[str, str] = {}
    for name, value in values.items():
        f = by_name.get(name)
        if f is None:
            raise FieldProblem(f"该类别没有“{name}”一项。", field=str(name), value=value)
        cleaned = _one(f, value)
        if cleaned is not None:
            out[f.key] = cleaned
    labels = {f.key: f.label for f in fields}
    for start, end in DATE_ORDER:
        if start in out and end in out and out[end] < out[start]:
            raise FieldProblem(f"{labels[end]} {out[end]} 早于{labels[start]} {out[start]}。",
                               field=labels[end], value=out[end])
    guardian = out.get("guardian")
    if guardian is not None or "guardian_id" in out:
        same_id = person_id_number and out.get("guardian_id") == person_id_number
        same_name = guardian is not None and guardian == clean_name(person_name) and "guardian_id" not in out
        if same_id or same_name:
            shown = guardian or "（身份证号与本人相同）"
            raise FieldProblem(f"监护人“{shown}”是本人，监护人须为他人。", field="监护人", value=shown)
    return out


def due_end(code: str, details: dict[str, str], birth: date | None) -> date | None:
    """The day a membership of the kind ``code`` is due to end: its 期满
    field, or for 重点青少年 the 35th birthday; None when it has none."""
    if code in DUE_FIELD and details.get(DUE_FIELD[code]):
        return date.fromisoformat(details[DUE_FIELD[code]])
    if code == "youth" and birth is not None:
        return turned_on(birth, YOUTH_UNTIL)
    return None


def dumps(details: dict[str, str]) -> str | None:
    return json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None


def loads(text: str | None) -> dict[str, str]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def shown_details(code: str, family: str, details: dict[str, str]) -> list[tuple[str, str]]:
    """``[(label, value)]`` of the filled fields, in the kind's order."""
    return [(f.label, details[f.key]) for f in fields_for(code, family) if details.get(f.key)]
