"""实有房屋 (houses) and 出租房 (rentals): record a house, read its card.

A house is a standard address in a grid or micro-grid: urban (小区/街路巷,
楼栋, 单元, 室) or rural (村民小组, 门牌号). Rules on save (refusals name
the field and value; nothing changes):
- the area is a grid or micro-grid the user may edit;
- the address has a 小区/街路巷 or a 村民小组 (a 室 or 门牌号 alone is no
  address); one area holds one house per address (``address_key``, a unique
  index: the second clerk gets a ``ConflictError`` naming the first house);
- 房屋用途 is one of 自住/出租/闲置/经营/其他; a 出租房 needs its 房主; 出租间数
  and 限住人数 are whole numbers ≥ 0 (kept for 出租房 only), the phone a
  mobile or a landline with area code;
- 房屋编号 is unique; left empty it is made from the area's code;
- optimistic locking: a house changed since it was read raises ``ConflictError``.

``load_house`` is the house card: the address and use, who lives there
(with their category and 户 if any), 承租人数 (the people living in a 出租房,
derived, never stored), whether it is overcrowded (承租人数 > 限住人数) and
the dated history of who moved in and out (住所变更 and arrival events).
Reads apply the acting user's areas and mask numbers like every read.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from gridadmin.db import Database
from gridadmin.models import Area, House, Household, Person, PersonEvent
from gridadmin.models.area import LEVEL_GRID, LEVEL_MICROGRID
from gridadmin.models.house import HOUSE_USES, USE_OWN, USE_RENTED
from gridadmin.models.household import PERSON_ACTIVE
from gridadmin.services.access import audit
from gridadmin.services.access.permissions import EDIT_REGISTER, acting, number_maskers, readable, require, \
    require_read
from gridadmin.services.common.codes import CodeBook
from gridadmin.services.common.errors import ConflictError, NotFoundError, ValidationError
from gridadmin.services.common.idcard import mask_phone
from gridadmin.services.common.pinyin import name_pinyin
from gridadmin.services.common.text import clean_name, clean_text, code_key
from gridadmin.services.roster.staff import normalize_phone

ADDRESS_PARTS = ("compound", "building", "unit", "room", "village_group", "door_no")
_TEXT_FIELDS = (*ADDRESS_PARTS, "owner", "landlord", "landlord_phone", "hazard_note", "house_no")
RENTAL_FIELDS = ("landlord", "landlord_phone", "rooms_let", "occupancy_limit")


@dataclass(frozen=True)
class HouseData:
    """The editable fields of a house ('' = empty)."""

    area_id: int | None
    house_no: str = ""
    compound: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    village_group: str = ""
    door_no: str = ""
    purpose: str = USE_OWN
    owner: str = ""
    landlord: str = ""
    landlord_phone: str = ""
    rooms_let: int | None = None
    occupancy_limit: int | None = None
    hazard_note: str = ""

    @property
    def address(self) -> str:
        """The standard address as one line (小区楼栋单元室 or 村民小组门牌号)."""
        return compose_address(self)


def compose_address(parts) -> str:
    """The address line of anything with the address part attributes:
    小区/街路巷 or 村民小组, 门牌号, 楼栋, 单元, 室 (幸福小区3栋2单元301室,
    建设路18号, 三组12号)."""
    get = lambda k: (getattr(parts, k) or "")  # noqa: E731
    room = get("room")
    room = room + "室" if room and not room.endswith("室") else room
    return f"{get('compound')}{get('village_group')}{get('door_no')}{get('building')}{get('unit')}{room}"


def address_key(parts) -> str:
    """The key one area holds one house for: every part normalised
    (half-width, no spaces, upper case), empty parts kept in place."""
    return "|".join(code_key(getattr(parts, k) or "") for k in ADDRESS_PARTS)


@dataclass(frozen=True)
class Occupant:
    """A person living at a house (their numbers masked for the reader)."""

    person_id: int
    name: str
    id_number: str
    phone: str
    category: str
    household_no: str
    since: date | None


@dataclass(frozen=True)
class HouseMove:
    """One dated move into or out of the house."""

    on: date
    name: str
    kind: str  # 入住 / 搬离
    detail: str


@dataclass(frozen=True)
class HouseCard:
    id: int
    version: int
    data: HouseData
    area_label: str
    occupants: tuple[Occupant, ...]
    history: tuple[HouseMove, ...]

    @property
    def tenants(self) -> int:
        """承租人数 of a 出租房: the people living there (0 for other uses)."""
        return len(self.occupants) if self.data.purpose == USE_RENTED else 0

    @property
    def overcrowded(self) -> bool:
        limit = self.data.occupancy_limit
        return self.data.purpose == USE_RENTED and limit is not None and self.tenants > limit


def _whole(value, label: str) -> int | None:
    """A count typed in a form or a cell: None when empty, else a whole number ≥ 0."""
    if value is None or value == "":
        return None
    text = str(value).strip().removesuffix(".0")
    if not text.lstrip("-").isdigit():
        raise ValidationError(f"{label}“{value}”不是整数。", field=label, value=value)
    number = int(text)
    if number < 0:
        raise ValidationError(f"{label} {number} 不能为负数。", field=label, value=value)
    return number


def normalise_house(data: HouseData) -> HouseData:
    """``data`` cleaned and checked without the database (see the module
    doc); ``ValidationError`` naming the field on a bad value."""
    values = {k: clean_text(getattr(data, k)) for k in _TEXT_FIELDS}
    values["owner"] = clean_name(values["owner"])
    values["landlord"] = clean_name(values["landlord"])
    purpose = clean_text(data.purpose) or USE_OWN
    if purpose not in HOUSE_USES:
        raise ValidationError(f"房屋用途“{purpose}”无效，应为{'/'.join(HOUSE_USES)}之一。", field="房屋用途",
                              value=purpose)
    if not values["compound"] and not values["village_group"]:
        raise ValidationError("请填写房屋所在的小区/街路巷或村民小组。", field="小区/街路巷",
                              value=compose_address(replace(data, **values)))
    rooms_let = _whole(data.rooms_let, "出租间数")
    limit = _whole(data.occupancy_limit, "限住人数")
    if purpose == USE_RENTED:
        if not values["landlord"]:
            raise ValidationError("出租房须填写房主。", field="房主", value="")
        values["landlord_phone"] = normalize_phone(values["landlord_phone"])
    else:
        values.update(landlord="", landlord_phone="")
        rooms_let = limit = None
    return replace(data, purpose=purpose, rooms_let=rooms_let, occupancy_limit=limit, **values)


def _check_area(session: Session, area_id: int | None) -> Area:
    area = session.get(Area, area_id) if area_id is not None else None
    if area is None:
        raise ValidationError("请选择房屋所在的网格。", field="所属网格", value=area_id or "")
    if area.level not in (LEVEL_GRID, LEVEL_MICROGRID):
        raise ValidationError(f"房屋须登记在网格或微网格，“{area.name}”不是。", field="所属网格", value=area.name)
    return area


def _next_house_no(session: Session, area: Area) -> str:
    """A new 房屋编号: the area's code + 'F' + a running number."""
    prefix = f"{area.code or area.id}F"
    taken = session.scalars(select(House.house_no).where(House.house_no.like(f"{prefix}%"))).all()
    numbers = [int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def house_at(session: Session, area_id: int, parts) -> House | None:
    """The house of ``area_id`` at the address ``parts`` (its key), or None."""
    return session.scalar(select(House).where(House.area_id == area_id, House.address_key == address_key(parts)))


def save_house(db: Database, house_id: int | None, data: HouseData, *, expected_version: int | None = None,
               today: date | None = None) -> int:
    """Create (``house_id`` None) or update a house in one transaction,
    checked as in the module doc, audited; returns its id. Needs
    ``EDIT_REGISTER`` for the area (and for the old area when it moves)."""
    today = today or date.today()
    with db.session() as session:
        actor = acting(db)
        require(session, actor, EDIT_REGISTER, area_id=data.area_id)
        if house_id is None:
            house = House(registered_on=today)
        else:
            house = session.get(House, house_id)
            if house is None:
                raise NotFoundError(f"房屋（编号 {house_id}）已不存在，请刷新。", field="房屋", value=house_id)
            require(session, actor, EDIT_REGISTER, area_id=house.area_id)
            if expected_version is not None and house.version != expected_version:
                raise audit.stale_record(session, "house", house.id, f"房屋“{house.address}”", field="房屋",
                                         value=house.address)
            if house.landlord_phone and "*" in data.landlord_phone \
                    and clean_text(data.landlord_phone) == mask_phone(house.landlord_phone):
                data = replace(data, landlord_phone=house.landlord_phone)  # shown masked, left as it was
        data = normalise_house(data)
        area = _check_area(session, data.area_id)
        other = house_at(session, area.id, data)
        if other is not None and other.id != house_id:
            raise ConflictError(f"“{area.name}”已登记了地址为“{other.address}”的房屋（房屋编号 {other.house_no}），"
                                f"同一地址不能登记两次。", field="地址", value=data.address)
        house_no = data.house_no or (house.house_no if house_id is not None else _next_house_no(session, area))
        same_no = session.scalar(select(House.id).where(House.house_no == house_no))
        if same_no is not None and same_no != house_id:
            raise ValidationError(f"房屋编号 {house_no} 已被另一处房屋使用。", field="房屋编号", value=house_no)
        for f in fields(HouseData):
            value = getattr(data, f.name)
            setattr(house, f.name, None if value == "" else value)
        house.house_no = house_no
        house.address = data.address
        house.address_key = address_key(data)
        house.landlord_pinyin, house.landlord_initials = name_pinyin(data.landlord) if data.landlord else (None, None)
        if house_id is None:
            session.add(house)
        changes = audit.changes_of(house)
        try:
            session.flush()
        except StaleDataError as exc:
            raise audit.stale_record(session, "house", house_id, f"房屋“{data.address}”", field="房屋",
                                     value=data.address) from exc
        if changes:
            audit.record(session, actor, audit.ACTION_CREATE if house_id is None else audit.ACTION_UPDATE,
                         "house", house.id, changes=changes, summary=f"房屋 {house.house_no}：{house.address}")
        return house.id


def area_label(session: Session, area_id: int | None) -> str:
    area = session.get(Area, area_id) if area_id is not None else None
    parent = session.get(Area, area.parent_id) if area and area.parent_id else None
    return f"{parent.name}·{area.name}" if parent and area else (area.name if area else "")


def occupants(session: Session, house_ids, *, book: CodeBook | None = None, actor=None) -> dict[int, list[Occupant]]:
    """``{house_id: [Occupant]}``: the 在册 people living at each house,
    numbers masked for ``actor``, since = their latest move in."""
    ids = list(house_ids)
    if not ids:
        return {}
    book = book or CodeBook.load(session)
    id_text, phone_text = number_maskers(actor) if actor is not None else (lambda v: v or "", lambda v: v or "")
    since = dict(session.execute(select(PersonEvent.person_id, func.max(PersonEvent.event_date))
                                 .join(Person, Person.id == PersonEvent.person_id)
                                 .where(Person.house_id.in_(ids), PersonEvent.to_house_id == Person.house_id)
                                 .group_by(PersonEvent.person_id)).all())
    found: dict[int, list[Occupant]] = {}
    for p in session.execute(select(Person.id, Person.name, Person.id_number, Person.phone, Person.category,
                                    Person.house_id, Person.registered_on, Household.household_no)
                             .outerjoin(Household, Household.id == Person.household_id)
                             .where(Person.house_id.in_(ids), Person.status == PERSON_ACTIVE)
                             .order_by(Person.house_id, Person.id)):
        found.setdefault(p.house_id, []).append(Occupant(
            p.id, p.name, id_text(p.id_number), phone_text(p.phone), book.label("resident_category", p.category),
            p.household_no or "", since.get(p.id, p.registered_on)))
    return found


def _history(session: Session, house_id: int) -> tuple[HouseMove, ...]:
    rows = session.execute(select(PersonEvent.event_date, PersonEvent.kind, PersonEvent.from_house_id,
                                  PersonEvent.to_house_id, PersonEvent.note, Person.name)
                           .join(Person, Person.id == PersonEvent.person_id)
                           .where(or_(PersonEvent.to_house_id == house_id, PersonEvent.from_house_id == house_id))
                           .order_by(PersonEvent.event_date.desc(), PersonEvent.id.desc()))
    moves = []
    for r in rows:
        moved_in = r.to_house_id == house_id
        detail = r.kind if r.kind != "住所变更" else ("迁入本房屋" if moved_in else "迁离本房屋")
        if r.note:
            detail += f"（{r.note}）"
        moves.append(HouseMove(r.event_date, r.name, "入住" if moved_in else "搬离", detail))
    return tuple(moves)


def load_house(db: Database, house_id: int) -> HouseCard:
    """The house card (see the module doc); ``NotFoundError`` if there is
    none, ``PermissionDeniedError`` outside the acting user's areas; the
    landlord's and occupants' numbers masked unless they may see them."""
    with db.session() as session:
        actor = acting(db)
        h = session.get(House, house_id)
        if h is None:
            raise NotFoundError(f"房屋（编号 {house_id}）不存在。", field="房屋", value=house_id)
        require_read(session, actor, h.area_id, f"房屋“{h.address}”")
        _id_text, phone_text = number_maskers(actor)
        values = {f.name: getattr(h, f.name) for f in fields(HouseData)}
        values.update({k: values[k] or "" for k in _TEXT_FIELDS}, landlord_phone=phone_text(h.landlord_phone))
        data = HouseData(**values)
        people = occupants(session, [h.id], actor=actor).get(h.id, [])
        return HouseCard(h.id, h.version, data, area_label(session, h.area_id), tuple(people),
                         _history(session, h.id))


@dataclass(frozen=True)
class HousePick:
    id: int
    house_no: str
    address: str
    area_label: str


def find_houses(db: Database, text: str, *, area_id: int | None = None, limit: int = 20) -> list[HousePick]:
    """Houses whose 房屋编号 starts with ``text`` or whose address contains
    it (for pickers), among the acting user's areas; ``area_id`` limits
    them to one area."""
    typed = clean_text(text)
    with db.session() as session:
        actor = acting(db)
        stmt = select(House.id, House.house_no, House.address, House.area_id)
        if typed:
            stmt = stmt.where(or_(House.house_no.startswith(typed, autoescape=True),
                                  House.address.contains(typed, autoescape=True)))
        if area_id is not None:
            stmt = stmt.where(House.area_id == area_id)
        picks = []
        for r in session.execute(stmt.order_by(House.address, House.id).limit(limit * 4)):
            if readable(session, actor, r.area_id):
                picks.append(HousePick(r.id, r.house_no, r.address, area_label(session, r.area_id)))
            if len(picks) >= limit:
                break
        return picks


def rental_counts(session: Session, area_ids=None) -> tuple[int, int, int]:
    """``(houses, 出租房, 承租人数)`` of the given areas (all when None)."""
    houses = select(func.count()).select_from(House)
    rented = select(func.count()).select_from(House).where(House.purpose == USE_RENTED)
    # the tenants from the 出租房 (few) by ix_person_house_status; the status grouped, not
    # filtered: as a condition it led the planner to walk every 在册 person (0.4 s at county size)
    tenants = (select(Person.status, func.count()).select_from(House).join(Person, Person.house_id == House.id)
               .where(House.purpose == USE_RENTED).group_by(Person.status))
    if area_ids is not None:
        ids = sorted(area_ids)
        houses, rented, tenants = (q.where(House.area_id.in_(ids)) for q in (houses, rented, tenants))
    held = dict(session.execute(tenants).all())
    return session.scalar(houses) or 0, session.scalar(rented) or 0, int(held.get(PERSON_ACTIVE, 0))

