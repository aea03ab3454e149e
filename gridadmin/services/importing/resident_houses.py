"""Resident rows and houses (以房管人): a row without 户号 is a person with
no 户 — allowed for 流动人口, 境外人员 and 未落户人口, refused for 户籍人口 (or
a row with no 人口类别, which the register takes as 户籍人口). Such a row
names the house the person lives at by 房屋编号, or by its address (小区/
街路巷, 楼栋, 单元, 室 or 村民小组, 门牌号 — or one 住址 cell such as the
platform's 临时居所, split by ``address_text``) in the row's grid: an address
the grid already holds is that house; another is a new house created by the
same import (用途 其他, to complete on its card) and said so in the preview
(a note on the row: 将新建房屋 …). A row with a 户号 may name its house by
房屋编号 too. For a person already registered, another house is a dated
住所变更 (the row's effective date), like a 户间迁移.

``plan_dwellings`` runs after the rows are parsed; ``write_new_houses``,
``house_of`` and ``house_event`` are used by the commit."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gridadmin.models import AuditLog, House
from gridadmin.models.base import local_now
from gridadmin.models.house import USE_OTHER
from gridadmin.models.household import EVENT_HOUSE
from gridadmin.services.common.code_seed import CATEGORY_HUKOU, CATEGORY_OVERSEAS
from gridadmin.services.importing.areaindex import AreaIndex
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.houses import new_house_numbers
from gridadmin.services.importing.plan import NEW, UPDATE, RowIssue, RowPlan, shown
from gridadmin.services.register.address_text import UNSPLIT_ADDRESS, split_address
from gridadmin.services.register.houses import ADDRESS_PARTS, address_key, compose_address

NO_HOUSEHOLD_HUKOU = ("户籍人口须填写户号（流动人口、境外人员、未落户人口可不填户号，"
                      "但须填写房屋编号或现住地址）")
NO_HOUSEHOLD_NO_CATEGORY = "未填户号的行须填写人口类别（流动人口、境外人员或未落户人口）；户籍人口须填写户号"
# The platform's 境外人员 template has no address column at all (only 所属网格): its people are
# registered at one house per grid with this address, to be moved to where they live (住所变更).
ADDRESS_PENDING = "地址待补"
_ADDRESS_COLUMNS = ("address", "compound", "village_group", "house_no")


def plan_dwellings(session: Session, table: Table, rows: list[RowPlan], areas: AreaIndex) -> dict:
    """Check each row's 户号 against its category and find (or plan) its
    house: ``record['house_id']`` for a stored house, ``record['new_house']``
    (a key of the returned ``new_houses``) for one this import creates.
    Returns ``{"new_houses": {key: values}, "taken": house numbers in use,
    "person_houses": {id_number: (house id, area id)}}``."""
    columns = table.mapping.columns
    header = table.mapping.header_of
    numbers = {r.record.get("house_no") for r in rows} - {None}
    by_no = {h.house_no: h for h in session.execute(
        select(House.id, House.house_no, House.area_id, House.address).where(House.house_no.in_(sorted(numbers))))} \
        if numbers else {}
    wanted_areas = {r.record.get("area_id") for r in rows if r.record.get("household_no") is None} - {None}
    by_place = {(h.area_id, h.address_key): h for h in session.execute(
        select(House.id, House.area_id, House.address_key, House.address).where(
            House.area_id.in_(sorted(wanted_areas))))} if wanted_areas else {}
    new_houses: dict[tuple, dict] = {}
    for row in rows:
        rec = row.record
        no = rec.get("household_no")
        if no is not None:
            if rec.get("relation") is None and not row.errors:
                index = columns.get("relation")
                row.errors.append(RowIssue(row.row, header("relation"), shown(row.cells[index]) if index is not None
                                           else "", "与户主关系不能为空"))
        elif not row.errors:
            category = rec.get("category")
            if category in (None, CATEGORY_HUKOU):
                key = "household_no" if "household_no" in columns or category is None and "category" not in columns \
                    else "category"
                message = NO_HOUSEHOLD_HUKOU if category == CATEGORY_HUKOU else NO_HOUSEHOLD_NO_CATEGORY
                if category is None and "category" in columns:
                    key = "category"
                row.errors.append(RowIssue(row.row, header(key), "户籍人口" if category else "", message))
                continue
            rec["relation"] = None  # no 户, no 户主
        house_no = rec.get("house_no")
        if house_no is not None:
            found = by_no.get(house_no)
            if found is None:
                row.errors.append(RowIssue(row.row, header("house_no"), house_no,
                                           f"没有房屋编号为“{house_no}”的房屋（新房屋请改填现住地址，或先导入房屋）"))
                continue
            rec["house_id"], rec["house_area_id"], rec["house_address"] = found.id, found.area_id, found.address
            continue
        if no is not None or row.errors:
            continue
        parts = SimpleNamespace(**{k: rec.get(k) or "" for k in ADDRESS_PARTS})
        if not parts.compound and not parts.village_group and rec.get("address"):
            split = split_address(rec["address"])  # one cell (临时居所, 现住地址 …): its parts
            if split is None:
                row.errors.append(RowIssue(row.row, header("address"), rec["address"], UNSPLIT_ADDRESS))
                continue
            parts = SimpleNamespace(**{k: getattr(split, k) for k in ADDRESS_PARTS})
        pending = False
        if not parts.compound and not parts.village_group and rec.get("category") == CATEGORY_OVERSEAS \
                and rec.get("area_id") is not None and not any(k in columns for k in _ADDRESS_COLUMNS):
            parts.compound, pending = ADDRESS_PENDING, True
        if not parts.compound and not parts.village_group:
            key = next((k for k in ("compound", "village_group", "address") if k in columns), "house_no")
            row.errors.append(RowIssue(row.row, header(key), rec.get("address") or "",
                                       "未填户号的行须填写房屋编号，或现住地址的小区/街路巷（或村民小组）及楼栋、"
                                       "单元、室（门牌号）"))
            continue
        if rec.get("area_id") is None:
            key = "grid" if "grid" in columns else "grid_code"
            row.errors.append(RowIssue(row.row, header(key), "", "未填户号的行须填写所属网格（现住房屋所在的网格）"))
            continue
        place = (rec["area_id"], address_key(parts))
        found = by_place.get(place)
        if pending:
            row.warnings.append(RowIssue(row.row, header("grid") if "grid" in columns else "", "",
                                         f"文件没有现住地址列：登记在{areas.areas[rec['area_id']].name}的“{ADDRESS_PENDING}”"
                                         f"房屋，请在人员信息中改为实际现住房屋"))
        if found is not None:
            rec["house_id"], rec["house_area_id"], rec["house_address"] = found.id, found.area_id, found.address
            continue
        address = compose_address(parts)
        if place not in new_houses:
            new_houses[place] = {"area_id": rec["area_id"], **{k: getattr(parts, k) or None for k in ADDRESS_PARTS},
                                 "address": address, "address_key": place[1]}
        rec["new_house"], rec["house_area_id"] = place, rec["area_id"]
        row.warnings.append(RowIssue(row.row, header("compound") if "compound" in columns
                                     else header("address") if "address" in columns else "", address,
                                     f"将新建房屋：{address}（{areas.areas[rec['area_id']].name}）"))
    taken = set(session.scalars(select(House.house_no)))
    return {"new_houses": new_houses, "taken": taken}


def stored_houses(session: Session, person_ids) -> dict[int, tuple[int | None, str]]:
    """``{person id: (house id, address)}`` of stored persons."""
    from gridadmin.models import Person

    ids = sorted(set(person_ids))
    found: dict[int, tuple[int | None, str]] = {}
    for start in range(0, len(ids), 500):
        found.update({pid: (hid, addr or "") for pid, hid, addr in session.execute(
            select(Person.id, Person.house_id, House.address).outerjoin(House, House.id == Person.house_id)
            .where(Person.id.in_(ids[start:start + 500])))})
    return found


def house_change(rec: dict, stored: tuple[int | None, str], new_houses: dict) -> tuple | None:
    """The preview's change of a stored person's house, or None: a row that
    names no house leaves it as it is."""
    if rec.get("house_id") is None and rec.get("new_house") is None:
        return None
    if rec.get("house_id") is not None and rec["house_id"] == stored[0]:
        return None
    address = new_houses[rec["new_house"]]["address"] if rec.get("new_house") else rec.get("house_address", "")
    when = rec["effective_date"].isoformat() if rec.get("effective_date") else ""
    return ("住所变更", stored[1] or "（无）", f"{address or '房屋编号 ' + str(rec.get('house_no'))}（{when}）")


def write_new_houses(session: Session, extra: dict, rows: list[RowPlan], batch_id: int, today: date,
                     auditor: tuple) -> dict:
    """Create the houses the rows to write need; ``{key: new house id}``."""
    wanted = {r.record["new_house"] for r in rows if r.status in (NEW, UPDATE) and r.record.get("new_house")}
    planned = [(key, dict(values)) for key, values in extra["new_houses"].items() if key in wanted]
    if not planned:
        return {}
    new_house_numbers(session, [values for _key, values in planned], set(extra["taken"]))
    table = House.__table__
    now = local_now()
    payload = [{**values, "purpose": USE_OTHER, "registered_on": today, "version": 1, "created_at": now,
                "updated_at": now} for _key, values in planned]
    result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), payload)
    ids = {}
    audit = []
    for (key, values), (house_id,) in zip(planned, result):
        ids[key] = house_id
        audit.append({"action": "insert", "entity": "house", "entity_id": house_id, "import_batch_id": batch_id,
                      "summary": f"导入新建房屋 {values['house_no']}：{values['address']}"[:200], "changes": None,
                      "user_id": auditor[0], "username": auditor[1]})
    session.execute(insert(AuditLog.__table__), audit)
    return ids


def house_of(rec: dict, created: dict) -> int | None:
    """The house id a written row's person lives at (None: none named)."""
    if rec.get("new_house") is not None:
        return created[rec["new_house"]]
    return rec.get("house_id")


def house_event(person_id: int, day: date, old: int | None, new: int, batch_id: int, who: str | None) -> dict:
    """The dated 住所变更 of a stored person moved to another house."""
    return {"person_id": person_id, "kind": EVENT_HOUSE, "event_date": day, "from_house_id": old,
            "to_house_id": new, "from_household_id": None, "to_household_id": None, "old_value": None,
            "new_value": None, "note": f"导入批次 {batch_id}", "entered_by": who}
