"""Member rules of the household card, without the database: normalise
one member (name, ID number → birth date and gender) and check the members
together (exactly one head; plausible relations and ages). ``MemberData``
is one member as the card shows and edits it; ``households`` reads and
writes it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.id_types import ID_CARD, DocumentError, check_document, label_of
from gridadmin.services.common.text import clean_name, clean_text

HEAD_RELATIONS = ("01", "02")  # 本人 / 户主
GENDER_CODES = {"男": "1", "女": "2"}
GENDER_LABELS = {"1": "男", "2": "女"}


@dataclass(frozen=True)
class MemberData:
    """One member as shown and edited on the card (codes, not labels).
    ``id`` None: a new person; ``version`` is the one read."""

    id: int | None
    name: str
    id_number: str = ""
    gender: str | None = None
    birth_date: date | None = None
    relation: str | None = None
    ethnicity: str | None = None
    category: str | None = "1"
    phone: str = ""
    version: int | None = None
    id_type: str = ID_CARD  # 证件类型 of ``id_number`` (kept as stored; the card does not change it)



def is_head(relation: str | None) -> bool:
    return relation in HEAD_RELATIONS


def _group(relation: str | None) -> str:
    """The top-level relation group: 'head', 'spouse', 'child', 'grandchild',
    'parent', 'grandparent' or 'other'."""
    if not relation:
        return "other"
    if is_head(relation):
        return "head"
    return {"1": "spouse", "2": "child", "3": "child", "4": "grandchild", "5": "parent",
            "6": "grandparent"}.get(relation[0], "other")


def check_identity(name: str, id_number: str, birth: date | None, gender: str | None, today: date,
                   id_type: str | None = None) -> tuple[str, date | None, str | None]:
    """``(ID number, birth date, gender)`` of a person named ``name`` (already
    cleaned): the number cleaned and checked for its 证件类型 ``id_type``
    (None: 居民身份证), birth date and gender filled from it when the number
    tells them (a 居民身份证; else they are the typed ones); a typed birth
    date or gender that disagrees with it, or a birth date after ``today``,
    raises ``ValidationError``."""
    gender = gender or None
    id_type = id_type or ID_CARD
    number = clean_text(id_number).replace(" ", "")
    what = "身份证号" if id_type == ID_CARD else f"{label_of(id_type)}号码"
    if number:
        try:
            check = check_document(id_type, number, today)
        except DocumentError as exc:
            raise ValidationError(f"“{name}”的{what} {number} 有误：{exc}。", field=what, value=number) from None
        number = check.number or number
        if check.birth_date is not None:
            if birth is not None and birth != check.birth_date:
                raise ValidationError(f"“{name}”的出生日期 {birth.isoformat()} 与{what}中的"
                                      f" {check.birth_date.isoformat()} 不一致。", field="出生日期", value=birth)
            id_gender = GENDER_CODES.get(check.gender or "")
            if gender in GENDER_LABELS and id_gender and gender != id_gender:
                raise ValidationError(f"“{name}”的性别“{GENDER_LABELS[gender]}”与{what}（{check.gender}）不一致。",
                                      field="性别", value=GENDER_LABELS[gender])
            birth, gender = check.birth_date, id_gender or gender
    if birth is not None and birth > today:
        raise ValidationError(f"“{name}”的出生日期 {birth.isoformat()} 晚于今天。", field="出生日期", value=birth)
    return number, birth, gender


def normalise_member(m: MemberData, today: date) -> MemberData:
    """The member with name and ID number cleaned, birth date and gender
    filled from the ID number; ``ValidationError`` on a bad value."""
    name = clean_name(m.name)
    if not name:
        raise ValidationError("成员姓名不能为空。", field="姓名", value=m.name)
    if not m.relation:
        raise ValidationError(f"请填写“{name}”与户主的关系。", field="与户主关系", value="")
    number, birth, gender = check_identity(name, m.id_number, m.birth_date, m.gender, today, m.id_type)
    return replace(m, name=name, id_number=number, birth_date=birth, gender=gender,
                   phone=clean_text(m.phone).replace(" ", ""))


def check_members(members: list[MemberData]) -> list[str]:
    """Refuse anything but exactly one head; return the plausibility
    findings (relations against ages) for the user to confirm."""
    heads = [m for m in members if is_head(m.relation)]
    if not heads:
        raise ValidationError("本户没有户主：请把一位成员的“与户主关系”设为户主。", field="与户主关系", value="")
    if len(heads) > 1:
        names = "、".join(m.name for m in heads)
        raise ValidationError(f"一户只能有一位户主，现在有 {len(heads)} 位：{names}。", field="与户主关系",
                              value=names)
    head = heads[0]
    findings: list[str] = []
    if head.birth_date is None:
        return findings
    parents = [m for m in members if _group(m.relation) in ("parent", "grandparent") and m.birth_date]
    for m in members:
        if m.birth_date is None or m is head:
            continue
        group = _group(m.relation)
        if group in ("child", "grandchild") and m.birth_date <= head.birth_date:
            findings.append(f"“{m.name}”是户主的{'子女' if group == 'child' else '孙辈'}，却不比户主“{head.name}”年轻。")
        if group in ("parent", "grandparent") and m.birth_date >= head.birth_date:
            findings.append(f"“{m.name}”是户主的{'父母' if group == 'parent' else '祖父母'}，却不比户主“{head.name}”年长。")
        if group in ("child", "grandchild"):
            for p in parents:
                if m.birth_date <= p.birth_date:
                    findings.append(f"“{m.name}”（户主的子女/孙辈）比户主的长辈“{p.name}”年长。")
    return findings
