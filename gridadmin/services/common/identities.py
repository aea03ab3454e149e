"""The register's identities as the database enforces them (migration
0009), and the Chinese ``ConflictError`` for a write that broke one.

- one 在册 person per ID number (``uq_person_active_id_number``);
- one open membership per person and special group (``uq_person_tag_open``);
- one household per 户号 (``uq_household_household_no``).

Each writer checks these before it writes, but two clerks (or two PCs)
writing at once both pass such a check; the database then refuses the
second. ``Database.session`` hands every ``IntegrityError`` to
``describe_integrity_error``, which finds the record already holding the
identity — after the failed transaction was rolled back, through a fresh
session, so it sees what the other clerk committed — and names it, the ID
number masked, with who saved it and when when the audit trail knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlalchemy import Engine, and_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from gridadmin.services.common.errors import IdentityConflict
from gridadmin.services.common.id_types import ID_CARD, label_of
from gridadmin.services.common.idcard import mask_id_number

PERSON_ID_NUMBER = "uq_person_active_id_number"
OPEN_MEMBERSHIP = "uq_person_tag_open"
HOUSEHOLD_NO = "uq_household_household_no"

# What SQLite says ("UNIQUE constraint failed: person.id_number") → the identity.
_SQLITE_COLUMNS = {
    "person.id_number": PERSON_ID_NUMBER,
    "person.id_type, person.id_number": PERSON_ID_NUMBER,  # (证件类型, 证件号码), migration 0024
    "person_tag.person_id, person_tag.tag_kind_id": OPEN_MEMBERSHIP,
    "household.household_no": HOUSEHOLD_NO,
}
_PG_KEY = re.compile(r"Key \((?P<columns>[^)]*)\)=\((?P<values>.*)\) already exists", re.S)
_ID_LIKE = re.compile(r"^\d{15}(\d{2}[\dX])?$")
# a passport or 通行证 number (migration 0024): looked up after the resident ID numbers
_DOCUMENT_LIKE = re.compile(r"^(?=.*\d)(?=.*[A-Z])[A-Z0-9-]{5,18}$|^\d{8}(\d{2})?$")


def violated_identity(exc: BaseException) -> str | None:
    """Which identity a driver's unique-violation error broke, or None."""
    orig = getattr(exc, "orig", None) or exc
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None) if diag is not None else None
    if name in (PERSON_ID_NUMBER, OPEN_MEMBERSHIP, HOUSEHOLD_NO):
        return name
    text = str(orig)
    if "UNIQUE constraint failed:" in text:
        columns = text.split("UNIQUE constraint failed:", 1)[1].strip()
        return _SQLITE_COLUMNS.get(columns)
    return None


def _pg_key(exc: BaseException) -> list[str] | None:
    orig = getattr(exc, "orig", None) or exc
    diag = getattr(orig, "diag", None)
    detail = getattr(diag, "message_detail", None) if diag is not None else None
    match = _PG_KEY.search(detail or str(orig))
    if match is None:
        return None
    return [v.strip() for v in match.group("values").split(",")]


def _params(params) -> Iterator[object]:
    """Every scalar among a statement's parameters (dict, tuple, list of them)."""
    if isinstance(params, dict):
        for value in params.values():
            yield from _params(value)
    elif isinstance(params, (list, tuple)):
        for value in params:
            yield from _params(value)
    elif params is not None:
        yield params


def describe_integrity_error(exc: BaseException, engine: Engine) -> IdentityConflict | None:
    """The ``IdentityConflict`` (a ``ConflictError``) naming the record that already holds the
    identity ``exc`` (an ``IntegrityError``) broke, or None when it broke
    none of them (a bug, which must stay visible). Call after the failed
    transaction was rolled back."""
    which = violated_identity(exc)
    if which is None:
        return None
    key = _pg_key(exc)
    values = key if key is not None else list(_params(getattr(exc, "params", None)))
    try:
        with Session(engine) as session:
            if which == PERSON_ID_NUMBER:
                return _person_conflict(session, values)
            if which == OPEN_MEMBERSHIP:
                return _membership_conflict(session, values, exact=key is not None)
            return _household_conflict(session, values)
    except SQLAlchemyError:  # the look-up failed too (server gone …): say what was refused, unnamed
        return IdentityConflict(_UNNAMED[which], entity=which)


_UNNAMED = {
    PERSON_ID_NUMBER: "该公民身份号码已登记给另一位在册人员，不能重复登记。请刷新后核对。",
    OPEN_MEMBERSHIP: "该人员已在所选人群类别中，不能重复加入。请刷新后核对。",
    HOUSEHOLD_NO: "该户号已被另一户使用，不能重复。请刷新后核对。",
}


def _place(community: str | None, grid: str | None) -> str:
    from gridadmin.services.areas.names import place_name

    return place_name(community, grid)


def _saved_by(session: Session, entity: str, entity_id: int, verb: str) -> tuple[str, object, object]:
    from gridadmin.services.access.audit import last_change

    change = last_change(session, entity, entity_id)
    if change is None:
        return "", None, None
    who, at = change
    return f"（{who} 于 {at:%Y-%m-%d %H:%M} {verb}）", who, at


def person_holding(session: Session, numbers: list[str]):
    """The 在册 person holding one of ``numbers`` (id, name, id_number,
    household_no, grid, community), or None."""
    from gridadmin.models import Area, Household, Person
    from gridadmin.models.household import PERSON_ACTIVE

    if not numbers:
        return None
    community = aliased(Area)
    return session.execute(
        select(Person.id, Person.name, Person.id_number, Person.id_type, Household.household_no,
               Area.name.label("grid"),
               community.name.label("community"))
        .outerjoin(Household, Household.id == Person.household_id)
        .outerjoin(Area, Area.id == Household.area_id)
        .outerjoin(community, community.id == Area.parent_id)
        .where(Person.id_number.in_(numbers), Person.status == PERSON_ACTIVE)
        .order_by(Person.id).limit(1)).first()


def person_conflict_message(other) -> str:
    """「公民身份号码 410101********1234 已登记为在册人员 张三（建设东路社区·第一网格，
    户号 …），不能重复登记。」 for ``other`` (a ``person_holding`` row)."""
    parts = [p for p in (_place(other.community, other.grid),
                         f"户号 {other.household_no}" if other.household_no else "") if p]
    where = f"（{'，'.join(parts)}）" if parts else ""
    id_type = getattr(other, "id_type", None) or ID_CARD
    what = "公民身份号码" if id_type == ID_CARD else f"{label_of(id_type)}号码"
    return f"{what} {mask_id_number(other.id_number)} 已登记为在册人员 {other.name}{where}，不能重复登记。"


def _person_conflict(session: Session, values: list) -> IdentityConflict:
    texts = [str(x).strip().upper() for x in values if isinstance(x, str)]
    numbers = list(dict.fromkeys(v for v in texts if _ID_LIKE.match(v)))
    numbers += [v for v in dict.fromkeys(texts) if _DOCUMENT_LIKE.match(v) and v not in numbers]
    other = None
    for start in range(0, len(numbers), 500):  # a bulk insert's parameters: look up in parts
        other = person_holding(session, numbers[start:start + 500])
        if other is not None:
            break
    if other is None:
        shown = mask_id_number(numbers[0]) if numbers else ""
        return IdentityConflict(f"公民身份号码 {shown} 已登记给另一位在册人员（可能刚由其他用户登记），不能重复登记。"
                             "请刷新后核对。", field="公民身份号码", value=shown, entity="person")
    by, who, at = _saved_by(session, "person", other.id, "保存")
    return IdentityConflict(person_conflict_message(other) + by, field="公民身份号码",
                         value=mask_id_number(other.id_number), changed_by=who, changed_at=at,
                         entity="person", entity_id=other.id)


def _membership_conflict(session: Session, values: list, *, exact: bool) -> IdentityConflict:
    from gridadmin.models import Person, PersonTag, TagKind

    numbers = [int(v) for v in values if isinstance(v, int) or (isinstance(v, str) and v.isdigit())]
    if exact and len(numbers) == 2:
        condition = and_(PersonTag.person_id == numbers[0], PersonTag.tag_kind_id == numbers[1])
    else:
        condition = and_(PersonTag.person_id.in_(numbers), PersonTag.tag_kind_id.in_(numbers))
    row = session.execute(
        select(Person.id, Person.name, TagKind.name.label("kind"), PersonTag.start_date)
        .join(Person, Person.id == PersonTag.person_id).join(TagKind, TagKind.id == PersonTag.tag_kind_id)
        .where(condition, PersonTag.end_date.is_(None)).order_by(PersonTag.id).limit(1)).first()
    if row is None:
        return IdentityConflict("该人员已在所选人群类别中（可能刚由其他用户加入），不能重复加入。请刷新后核对。",
                             field="人群类别", value=None, entity="person_tag")
    since = f"（自 {row.start_date.isoformat()} 起）" if row.start_date else ""
    by, who, at = _saved_by(session, "person_tag", row.id, "办理")  # tag changes are audited per person
    return IdentityConflict(f"“{row.name}”已在人群类别“{row.kind}”中{since}，不能重复加入。{by}请刷新后核对。",
                         field="人群类别", value=row.kind, changed_by=who, changed_at=at,
                         entity="person", entity_id=row.id)


def _household_conflict(session: Session, values: list) -> IdentityConflict:
    from gridadmin.models import Area, Household

    numbers = [str(v).strip() for v in values if isinstance(v, str) and v.strip()]
    community = aliased(Area)
    row = session.execute(
        select(Household.id, Household.household_no, Household.address, Area.name.label("grid"),
               community.name.label("community"))
        .outerjoin(Area, Area.id == Household.area_id).outerjoin(community, community.id == Area.parent_id)
        .where(Household.household_no.in_(numbers or [""])).order_by(Household.id).limit(1)).first()
    if row is None:
        return IdentityConflict("该户号已被另一户使用（可能刚由其他用户登记），不能重复。请刷新后核对。", field="户号",
                             value=numbers[0] if numbers else None, entity="household")
    parts = [p for p in (_place(row.community, row.grid), row.address or "") if p]
    where = f"（{'，'.join(parts)}）" if parts else ""
    by, who, at = _saved_by(session, "household", row.id, "保存")
    return IdentityConflict(f"户号 {row.household_no} 已被另一户使用{where}，不能重复。{by}", field="户号",
                         value=row.household_no, changed_by=who, changed_at=at, entity="household",
                         entity_id=row.id)

