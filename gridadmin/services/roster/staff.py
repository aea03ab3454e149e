"""One staff member's record: read it for the form, check and save it.

Rules (each refusal is a ``ValidationError`` naming the field and value;
nothing is written):

- 姓名, 身份证号码, 专兼职, 政治面貌, 文化程度, 入职时间 are required;
- the ID number must pass ``check_id_number``; birth date and gender are
  taken from it (a different birth date or gender typed is refused);
- an ID number held by another serving (在岗/休假) staff member is refused,
  naming that person and their grid;
- phone: an 11-digit mobile number or a landline with area code
  (0377-63123456, optional extension);
- 入职时间 after 离职时间 is refused; 离职/卸任 need a 离职时间 and end the
  running assignments on that day; 在岗/休假 must not carry one;
- a save with a stale ``expected_version`` raises ``ConflictError``.

Status changes are recorded in ``staff_status_event``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from gridadmin.db import Database
from gridadmin.models import Staff, StaffAssignment, StaffStatusEvent
from gridadmin.models.staff import EMPLOYMENT_FULL, EMPLOYMENT_PART, STAFF_STATUSES, STATUS_LEAVE, STATUS_ON_POST
from gridadmin.services.areas.names import full_name_of
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.errors import ConflictError, NotFoundError, ValidationError
from gridadmin.services.common.idcard import check_id_number
from gridadmin.services.common.pinyin import name_pinyin
from gridadmin.services.roster.listing import SERVING
from gridadmin.services.common.text import clean_name, clean_text, to_halfwidth
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EDIT_STAFF, acting, require

EMPLOYMENT_TYPES = (EMPLOYMENT_FULL, EMPLOYMENT_PART)
GENDER_CODES = {"男": "1", "女": "2"}

_TEXT_FIELDS = ("name", "id_number", "phone", "position", "contract_type", "social_work_cert", "note")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


@dataclass(frozen=True)
class StaffInput:
    """What the form holds. Code fields hold codes (gender '1', political
    '01' …) or a spelling the code lists know (男, 党员, 大专)."""

    name: str = ""
    id_number: str = ""
    gender: str | None = None
    birth_date: date | None = None
    ethnicity: str | None = None
    phone: str = ""
    employment_type: str | None = None
    political_status: str | None = None
    education: str | None = None
    position: str = ""
    hired_on: date | None = None
    left_on: date | None = None
    status: str = STATUS_ON_POST
    contract_type: str = ""
    social_work_cert: str = ""
    skill_level: str | None = None
    note: str = ""


@dataclass(frozen=True)
class StaffRecord:
    """A saved staff member as the form shows it (``data``) with its id and
    the ``version`` to hand back on save."""

    id: int
    version: int
    data: StaffInput


@dataclass(frozen=True)
class IdFacts:
    """What an ID number says: normalised form, birth date, gender code."""

    normalized: str
    birth_date: date
    gender: str


def id_facts(value: str, today: date | None = None) -> IdFacts | None:
    """Birth date and gender from a complete, valid ID number, else None
    (the form uses this while the user types)."""
    result = check_id_number(value, today)
    if not result.valid:
        return None
    return IdFacts(result.normalized, result.birth_date, GENDER_CODES[result.gender])


def normalize_phone(value: str) -> str:
    """Phone as stored: half-width, no spaces; a landline's area code in
    brackets becomes ``0377-``. Raises ``ValidationError`` when it is
    neither a mobile number nor a landline with area code; '' stays ''."""
    typed = clean_text(value)
    phone = to_halfwidth(typed, punctuation=True).replace(" ", "").replace("—", "-").replace("－", "-")
    if not phone:
        return ""
    bracket = re.fullmatch(r"\((0\d{2,3})\)(.*)", phone)
    if bracket:
        phone = f"{bracket.group(1)}-{bracket.group(2)}"
    if phone.startswith("+86"):
        phone = phone[3:].lstrip("-")
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return phone
    raise ValidationError(
        f"联系电话“{typed}”格式不对：应为 11 位手机号，或带区号的固定电话（如 0377-63123456）。",
        field="phone", value=typed)


def get_staff(db: Database, staff_id: int) -> StaffRecord:
    """The record for the form; ``NotFoundError`` if it is gone, refused
    outside the acting user's areas, numbers masked unless they may see them."""
    from gridadmin.services.access.permissions import acting, number_maskers
    from gridadmin.services.roster.listing import require_staff_readable

    with db.session() as session:
        actor = acting(db)
        staff = _get(session, staff_id)
        require_staff_readable(session, actor, staff.id, staff.name)
        values = {f.name: getattr(staff, f.name) for f in fields(StaffInput)}
        values.update({key: values[key] or "" for key in _TEXT_FIELDS})
        id_text, phone_text = number_maskers(actor)
        values.update(id_number=id_text(values["id_number"]), phone=phone_text(values["phone"]))
        return StaffRecord(staff.id, staff.version, StaffInput(**values))


def save_staff(db: Database, data: StaffInput, *, staff_id: int | None = None,
               expected_version: int | None = None, today: date | None = None) -> int:
    """Create (``staff_id`` None) or update a staff member; returns the id.
    See the module rules for refusals."""
    today = today or date.today()
    with db.session() as session:
        require(session, acting(db), EDIT_STAFF)
        book = CodeBook.load(session)
        clean = validate_staff(session, book, data, staff_id=staff_id, today=today)
        if staff_id is None:
            staff = Staff()
            session.add(staff)
            old_status = None
        else:
            staff = _get(session, staff_id)
            if expected_version is not None and staff.version != expected_version:
                raise _conflict(session, staff_id, staff.name)
            old_status = staff.status
        for f in fields(StaffInput):
            setattr(staff, f.name, getattr(clean, f.name))
        staff.name_pinyin, staff.name_initials = name_pinyin(clean.name)
        changes = audit.changes_of(staff)
        try:
            session.flush()
        except StaleDataError as exc:  # staff_id, not staff.id: a failed flush expires the object
            raise _conflict(session, staff_id, clean.name) from exc
        if changes:
            audit.record(session, acting(db), audit.ACTION_CREATE if staff_id is None else audit.ACTION_UPDATE,
                         "staff", staff.id, changes=changes, summary=f"{'新增' if staff_id is None else '修改'}网格员“{staff.name}”")
        if old_status != clean.status:
            record_status_change(session, staff, old_status, clean, today)
        return staff.id


def record_status_change(session: Session, staff: Staff, old_status: str | None, clean: StaffInput,
                         today: date) -> None:
    """Note 入职 / 休假 / 恢复在岗 / 再次入职 / 离职 in the status history when
    the status changed (shared by the staff form and the staff import);
    leaving ends the person's running assignments."""
    if old_status is None:
        day, note = clean.hired_on or today, "入职"
    elif clean.status in SERVING:
        if old_status in SERVING:
            day, note = today, ("休假" if clean.status == STATUS_LEAVE else "恢复在岗")
        else:
            day, note = clean.hired_on or today, "再次入职"
    else:
        day, note = clean.left_on or today, clean.status
        running = session.scalars(select(StaffAssignment).where(
            StaffAssignment.staff_id == staff.id, StaffAssignment.end_date.is_(None))).all()
        for assignment in running:
            if assignment.start_date > day:
                raise ValidationError(
                    f"离职时间 {day.isoformat()} 早于一项任职的开始日期 {assignment.start_date.isoformat()}，"
                    "请先调整该任职。", field="left_on", value=day)
            assignment.end_date = day
    session.add(StaffStatusEvent(staff_id=staff.id, status=clean.status, event_date=day, note=note))
    session.flush()


def validate_staff(session: Session, book: CodeBook, data: StaffInput, *, staff_id: int | None,
                   today: date) -> StaffInput:
    """``data`` cleaned (codes resolved, ID normalised, birth date and gender
    from the ID); ``ValidationError`` on the first rule broken."""
    name = clean_name(data.name)
    if not name:
        raise ValidationError("姓名不能为空。", field="name", value=data.name)
    if len(name) > 50:
        raise ValidationError(f"姓名“{name}”过长（{len(name)} 字），最多 50 字。", field="name", value=name)
    typed_id = clean_text(data.id_number)
    if not typed_id:
        raise ValidationError("身份证号码不能为空。", field="id_number", value=data.id_number)
    check = check_id_number(typed_id, today)
    if not check.valid:
        raise ValidationError(f"身份证号码“{typed_id}”无效：{check.error}。", field="id_number", value=typed_id)
    gender = GENDER_CODES[check.gender]
    typed_gender = _code(book, "gender", data.gender, "性别", required=False)
    if typed_gender and typed_gender != gender:
        raise ValidationError(
            f"性别“{book.label('gender', typed_gender)}”与身份证号码不符（号码为{check.gender}性）。",
            field="gender", value=data.gender)
    if data.birth_date and data.birth_date != check.birth_date:
        raise ValidationError(
            f"出生日期 {data.birth_date.isoformat()} 与身份证号码不符（号码中为 {check.birth_date.isoformat()}）。",
            field="birth_date", value=data.birth_date)
    _check_duplicate(session, check.normalized, staff_id)
    employment = clean_text(data.employment_type)
    if employment not in EMPLOYMENT_TYPES:
        raise ValidationError(f"专兼职“{employment}”无效，应为：专职、兼职。", field="employment_type",
                              value=data.employment_type)
    status = clean_text(data.status)
    if status not in STAFF_STATUSES:
        raise ValidationError(f"状态“{status}”无效，应为：{'、'.join(STAFF_STATUSES)}。", field="status", value=status)
    _check_dates(data.hired_on, data.left_on, status, today)
    return StaffInput(
        name=name, id_number=check.normalized, gender=gender, birth_date=check.birth_date,
        ethnicity=_code(book, "ethnicity", data.ethnicity, "民族", required=False),
        phone=normalize_phone(data.phone or ""), employment_type=employment,
        political_status=_code(book, "political", data.political_status, "政治面貌"),
        education=_code(book, "education", data.education, "文化程度"),
        position=clean_text(data.position) or None, hired_on=data.hired_on, left_on=data.left_on, status=status,
        contract_type=clean_text(data.contract_type) or None,
        social_work_cert=clean_text(data.social_work_cert) or None,
        skill_level=_code(book, "skill_level", data.skill_level, "技能等级", required=False),
        note=clean_text(data.note) or None,
    )


def _check_dates(hired_on: date | None, left_on: date | None, status: str, today: date) -> None:
    if hired_on is None:
        raise ValidationError("入职（登记）时间不能为空。", field="hired_on", value=None)
    if hired_on > today:
        raise ValidationError(f"入职时间 {hired_on.isoformat()} 晚于今天。", field="hired_on", value=hired_on)
    if left_on is not None and hired_on > left_on:
        raise ValidationError(f"入职时间 {hired_on.isoformat()} 晚于离职时间 {left_on.isoformat()}。",
                              field="hired_on", value=hired_on)
    if status in SERVING and left_on is not None:
        raise ValidationError(
            f"状态为“{status}”，不应填写离职时间 {left_on.isoformat()}；再次入职请清空离职时间并填写新的入职时间。",
            field="left_on", value=left_on)
    if status not in SERVING and left_on is None:
        raise ValidationError(f"状态为“{status}”，请填写离职时间。", field="left_on", value=None)


def _check_duplicate(session: Session, id_number: str, staff_id: int | None) -> None:
    other = session.execute(
        select(Staff.id, Staff.name).where(Staff.id_number == id_number, Staff.status.in_(SERVING),
                                           *([Staff.id != staff_id] if staff_id is not None else []))
    ).first()
    if other is None:
        return
    grids = session.scalars(
        select(StaffAssignment.area_id)
        .where(StaffAssignment.staff_id == other.id, StaffAssignment.end_date.is_(None))).all()
    where = f"（{'、'.join(dict.fromkeys(full_name_of(session, a) for a in grids))}）" if grids else ""
    raise ValidationError(f"身份证号码 {id_number} 已登记给在岗人员 {other.name}{where}，不能重复登记。",
                          field="id_number", value=id_number)


def _code(book: CodeBook, list_key: str, value: str | None, label: str, *, required: bool = True) -> str | None:
    typed = clean_text(value)
    if not typed:
        if required:
            raise ValidationError(f"{label}不能为空。", field=list_key, value=value)
        return None
    code = typed if typed in book.labels.get(list_key, {}) else book.lookup(list_key, typed)
    if code is None:
        choices = "、".join(label for _code_value, label in book.items(list_key)[:12])
        raise ValidationError(f"{label}“{typed}”无效，可选：{choices}。", field=list_key, value=typed)
    return code


def _get(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFoundError("该人员已不存在，可能已被其他用户删除，请刷新。", field="staff", value=staff_id)
    return staff


def _conflict(session: Session, staff_id: int | None, name: str) -> ConflictError:
    return audit.stale_record(session, "staff", staff_id, f"“{name}”的资料", field="staff", value=name)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_form_date(text: str, label: str, field: str) -> date | None:
    """A date typed in a form (2020-01-31, 2020.1.31, 2020年1月31日,
    20200131); '' → None; ``ValidationError`` naming ``label`` otherwise."""
    typed = clean_text(text).replace(" ", "")
    if not typed:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(typed)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise ValidationError(f"{label}“{typed}”不是有效日期，请写成 2020-01-31。", field=field, value=typed)


def code_choices(db: Database, *list_keys: str) -> dict[str, list[tuple[str, str]]]:
    """``{list_key: [(code, label), ...]}`` for form combo boxes."""
    with db.session() as session:
        book = CodeBook.load(session)
    return {key: book.items(key) for key in list_keys}
