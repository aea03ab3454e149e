"""The ``houses`` kind (房屋/出租房 lists): one house per row — its grid
(社区/村, 网格 or 网格编码), standard address (小区/街路巷, 楼栋, 单元, 室 or
村民小组, 门牌号), 房屋用途, 产权人, and for a 出租房 房主, 房主电话, 出租间数,
限住人数, 隐患/备注. Houses are matched by 房屋编号, else by grid + address
(the key the database keeps unique); new ones are created (a 房屋编号 left
empty is made from the grid's code), existing ones updated. Every row is
checked as the house card checks (``houses.normalise_house``) and the error
names row, column and value."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import fields as dc_fields
from datetime import date

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from gridadmin.models import AuditLog, House
from gridadmin.models.base import local_now
from gridadmin.services.common.errors import ConflictError, ValidationError
from gridadmin.services.common.pinyin import name_pinyin
from gridadmin.services.importing.areaindex import AreaIndex
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.mapping import FieldSpec, KindSpec
from gridadmin.services.importing.plan import (
    ERROR, MODE_INSERT, MODE_UPDATE, NEW, SKIP, UNCHANGED, UPDATE, ImportPlan, RowIssue, RowPlan, RowReader,
    mark_duplicates,
)
from gridadmin.services.importing.values import CellError, code_text_value, text_value
from gridadmin.services.register.address_text import UNSPLIT_ADDRESS, split_address
from gridadmin.services.register.houses import HouseData, address_key, normalise_house

F = FieldSpec
HOUSES = KindSpec("houses", "房屋", (
    F("seq", "序号", ("编号",)),
    F("house_no", "房屋编号", ("房屋代码", "房屋ID", "标准地址编码"), max_length=30),
    F("community", "社区/村", ("社区", "村", "所属社区", "所属社区村", "社区名称", "村社区"), fill_down=True),
    F("grid", "所属网格", ("网格", "网格名称"), fill_down=True),
    F("grid_code", "网格编码", ("网格代码", "网格编号"), max_length=24),
    F("compound", "小区/街路巷", ("小区", "街路巷", "小区名称", "街巷", "街路巷小区", "小区街路巷"), max_length=60),
    F("building", "楼栋", ("楼栋号", "楼号", "栋"), max_length=20),
    F("unit", "单元", ("单元号",), max_length=20),
    F("room", "室", ("室号", "房号", "门牌室号", "房间号"), max_length=20),
    F("village_group", "村民小组", ("组", "小组", "自然村"), max_length=40),
    F("door_no", "门牌号", ("门牌",), max_length=20),
    F("purpose", "房屋用途", ("用途", "房屋类型", "使用情况")),
    F("owner", "产权人", ("房屋产权人", "业主", "产权人姓名"), max_length=50),
    F("landlord", "房主", ("房东", "出租人", "房主姓名"), max_length=50),
    F("landlord_phone", "房主电话", ("房主联系电话", "房东电话", "出租人电话", "联系电话", "出租人联系电话"),
      fallbacks=("出租人联系手机",)),
    F("rooms_let", "出租间数", ("出租间数量", "出租房间数")),
    F("occupancy_limit", "限住人数", ("核定人数", "限住")),
    F("hazard_note", "隐患/备注", ("隐患", "备注", "安全隐患", "说明"), max_length=500),
    # The county platform's templates (not GridAdmin's own template or export): the address in one
    # cell, split into its parts (``address_text``); 是否为出租房 (是 → 出租).
    F("address", "房屋地址", ("房屋准确地址", "房屋详细地址", "详细地址", "地址", "房屋坐落"), max_length=200,
      own_template=False),
    F("is_rental", "是否出租房", ("是否为出租房", "是否出租"), own_template=False),
), anchor="purpose")

# The platform's 房屋用途 words (its 属性字典) that mean one of GridAdmin's uses; 是否为出租房 是 makes
# any house 出租. 办公/工业/集体宿舍 … are 其他 (the card keeps the house; its use is 其他).
PLATFORM_USES = {"个人住宅": "自住", "住宅": "自住", "住房": "自住", "商业用房": "经营", "商业": "经营", "店面": "经营",
                 "集体宿舍": "其他", "临时工棚": "其他", "办公用房": "其他", "科教文体医用房": "其他",
                 "工业用房": "其他", "其他民用用房": "其他"}
_YES = {"是": True, "否": False, "Y": True, "N": False, "1": True, "0": False}

FIELDS = ("house_no", "compound", "building", "unit", "room", "village_group", "door_no", "purpose", "owner",
          "landlord", "landlord_phone", "rooms_let", "occupancy_limit", "hazard_note")
LABELS = {spec.key: spec.label for spec in HOUSES.fields}
_LOADED = ("id", "version", "house_no", "area_id", "address_key", *FIELDS[1:])


def _parse(reader: RowReader, areas: AreaIndex) -> dict:
    rec: dict = {}
    code = reader.get("grid_code", code_text_value, 24, "网格编码")
    name = reader.get("grid", text_value, 100)
    community = reader.get("community", text_value, 100)
    try:
        rec["area_id"] = areas.find_grid(code, name, community)
    except CellError as exc:
        key = "grid_code" if code else ("grid" if name or not community else "community")
        reader.error(key, code or name or community or "", exc.message)
        rec["area_id"] = None
    rec["house_no"] = reader.get("house_no", code_text_value, 30, "房屋编号") or ""
    for key in ("compound", "building", "unit", "room", "village_group", "door_no", "owner", "landlord",
                "hazard_note"):
        rec[key] = reader.get(key, text_value, HOUSES.field(key).max_length) or ""
    purpose = reader.get("purpose", text_value, 20) or ""
    rec["purpose"] = PLATFORM_USES.get(purpose, purpose)
    rental = reader.get("is_rental", text_value, 10)
    if rental is not None:
        if rental not in _YES:
            reader.error("is_rental", rental, f"“{rental}”应为“是”或“否”")
        elif _YES[rental]:
            rec["purpose"] = "出租"
    if not rec["compound"] and not rec["village_group"]:
        line = reader.get("address", text_value, 200)
        if line:
            parts = split_address(line)
            if parts is None:
                reader.error("address", line, UNSPLIT_ADDRESS)
            else:
                rec.update({k: getattr(parts, k) for k in ("compound", "building", "unit", "room", "village_group",
                                                           "door_no")})
    rec["landlord_phone"] = reader.get("landlord_phone", code_text_value, 30, "房主电话") or ""
    for key in ("rooms_let", "occupancy_limit"):
        rec[key] = reader.get(key, lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
    if reader.plan.errors:
        return rec
    try:
        data = normalise_house(HouseData(area_id=rec["area_id"], **{k: rec[k] for k in FIELDS}))
    except ValidationError as exc:
        key = next((k for k in FIELDS if LABELS.get(k) == exc.field), "compound" if "小区" in str(exc.field) else "")
        if exc.field == "房主电话" or "电话" in exc.message:
            key = "landlord_phone"
        reader.error(key, exc.value if exc.value is not None else "", exc.message.rstrip("。"))
        return rec
    rec.update({f.name: getattr(data, f.name) for f in dc_fields(HouseData)})
    rec["address"], rec["address_key"] = data.address, address_key(data)
    return rec


def plan_houses(session: Session, table: Table, mode: str, today: date) -> tuple[list[RowPlan], dict]:
    areas = AreaIndex.load(session)
    header = table.mapping.header_of
    rows = []
    for excel_row, cells in table.rows:
        row = RowPlan(excel_row, cells)
        row.record = _parse(RowReader(table, row), areas)
        rows.append(row)
    mark_duplicates(rows, lambda r: r.record.get("house_no") or None, header("house_no"), "房屋编号")
    mark_duplicates(rows, lambda r: (r.record["area_id"], r.record["address_key"])
                    if r.record.get("address_key") and r.record.get("area_id") else None,
                    header("compound"), "网格和地址", shown_value=lambda r: r.record.get("address", ""))
    existing = {h.id: h for h in session.execute(select(*(getattr(House, c) for c in _LOADED)))}
    by_no = {h.house_no: h for h in existing.values()}
    by_place = {(h.area_id, h.address_key): h for h in existing.values()}
    for row in rows:
        rec = row.record
        if row.errors:
            row.status = ERROR
            continue
        found = by_no.get(rec["house_no"]) if rec["house_no"] else None
        at_place = by_place.get((rec["area_id"], rec["address_key"]))
        if found is None:
            found = at_place
        elif at_place is not None and at_place.id != found.id:
            row.errors.append(RowIssue(row.row, header("compound"), rec["address"],
                                       f"该网格已有此地址的房屋（房屋编号 {at_place.house_no}），与房屋编号 "
                                       f"{rec['house_no']} 不是同一处"))
            row.status = ERROR
            continue
        if found is None:
            row.status = SKIP if mode == MODE_UPDATE else NEW
            if row.status == SKIP:
                row.warnings.append(RowIssue(row.row, "", "", "数据库中没有这处房屋，“仅更新”模式不新增"))
            continue
        row.target_id = found.id
        for key in ("area_id", *FIELDS):
            new, old = rec.get(key), getattr(found, key, None)
            if key == "house_no" and not new:
                continue
            if (new if new != "" else None) != old:
                label = "所属网格" if key == "area_id" else LABELS[key]
                shown_old = areas.areas[old].name if key == "area_id" and old in areas.areas else old
                shown_new = areas.areas[new].name if key == "area_id" and new in areas.areas else new
                row.changes[key] = (label, "" if shown_old is None else shown_old, shown_new)
                row.previous[key] = old
        row.status = UNCHANGED if not row.changes else (SKIP if mode == MODE_INSERT else UPDATE)
        if row.status == SKIP:
            row.warnings.append(RowIssue(row.row, "", "", "房屋已存在，“仅新增”模式不更新"))
    return rows, {"versions": {h.id: h.version for h in existing.values()
                               if h.id in {r.target_id for r in rows if r.target_id}},
                  "taken": set(by_no)}


def _values(rec: dict) -> dict:
    values = {k: (rec[k] if rec[k] != "" else None) for k in ("area_id", *FIELDS)}
    values["landlord_pinyin"], values["landlord_initials"] = name_pinyin(rec["landlord"]) if rec["landlord"] \
        else (None, None)
    values["address"], values["address_key"] = rec["address"], rec["address_key"]
    return values


def new_house_numbers(session: Session, rows: list[dict], taken: set[str]) -> None:
    """Give every record without a 房屋编号 one made from its grid's code
    (``houses._next_house_no``'s form: code + 'F' + running number)."""
    from gridadmin.models import Area

    codes = dict(session.execute(select(Area.id, Area.grid_code)).all())
    counters: dict[str, int] = {}
    for rec in rows:
        if rec.get("house_no"):
            continue
        prefix = f"{codes.get(rec['area_id']) or rec['area_id']}F"
        if prefix not in counters:
            counters[prefix] = max((int(n[len(prefix):]) for n in taken
                                    if n.startswith(prefix) and n[len(prefix):].isdigit()), default=0)
        counters[prefix] += 1
        rec["house_no"] = f"{prefix}{counters[prefix]:04d}"
        taken.add(rec["house_no"])


def write_houses(session: Session, plan: ImportPlan, rows: list[RowPlan], batch_id: int,
                 today: date) -> Iterator[int]:
    table = House.__table__
    audit = []
    new_rows = [r for r in rows if r.status == NEW]
    if new_rows:
        new_house_numbers(session, [r.record for r in new_rows], set(plan.extra["taken"]))
        payload = [{**_values(r.record), "registered_on": today, "version": 1, "created_at": local_now(),
                    "updated_at": local_now()} for r in new_rows]
        result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), payload)
        for row, (house_id,) in zip(new_rows, result):
            row.target_id = house_id
            audit.append({"action": "insert", "entity": "house", "entity_id": house_id, "import_batch_id": batch_id,
                          "summary": f"导入新增房屋 {row.record['house_no']}：{row.record['address']}"[:200],
                          "changes": None})
        yield len(new_rows)
    versions = plan.extra["versions"]
    for row in (r for r in rows if r.status == UPDATE):
        derived = ("address", "address_key", "landlord_pinyin", "landlord_initials")
        values = {k: v for k, v in _values(row.record).items() if k in row.changes or k in derived}
        before = {**row.previous, **_derived_old(session, row.target_id)}
        result = session.execute(update(table).where(table.c.id == bindparam("_id"),
                                                     table.c.version == bindparam("_ver"))
                                 .values({**{k: bindparam(k) for k in values}, "version": table.c.version + 1,
                                          "updated_at": local_now()}),
                                 [{"_id": row.target_id, "_ver": versions[row.target_id], **values}])
        if result.rowcount not in (-1, 1):
            raise ConflictError(f"导入期间房屋“{row.record['address']}”被其他用户修改，已全部撤销，请重新导入。")
        audit.append({"action": "update", "entity": "house", "entity_id": row.target_id,
                      "import_batch_id": batch_id, "summary": f"导入更新房屋 {row.record['address']}"[:200],
                      "changes": json.dumps({"old": before, "new": values}, ensure_ascii=False, default=str)})
    if audit:
        session.execute(insert(AuditLog.__table__), audit)
    yield len(rows)


def _derived_old(session: Session, house_id: int) -> dict:
    """The derived columns (address, key, pinyin) as they are before the
    update, so an undo puts them back with the fields they come from."""
    found = session.execute(select(House.address, House.address_key, House.landlord_pinyin,
                                   House.landlord_initials).where(House.id == house_id)).one()
    return dict(found._mapping)
