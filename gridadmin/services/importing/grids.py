"""The ``grids`` kind: community/village, grid name, grid code, grid type,
and for a micro-grid the grid it belongs to (所属网格). Grids are matched by
code, else by community + name (micro-grids: by code, else by their grid +
name); new ones are created under their community (micro-grids under their
grid, which may be a new grid of the same file), existing ones renamed,
retyped, recoded or moved.

A community/village the tree does not have is a row error naming the
nearest names; with ``create_communities`` (the wizard's checkbox,
``--create-communities``) it is created under the township instead — with
its official 12-digit code when the official list of the township has that
name — listed in the preview (新建社区/村), audited and undone with the
batch."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from gridadmin.models.base import local_now
from gridadmin.models import Area, AuditLog
from gridadmin.models.area import GRID_TYPES, LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID, LEVEL_TOWNSHIP
from gridadmin.services.areas import divisions
from gridadmin.services.areas.setup import community_kind, community_short_name
from gridadmin.services.common.errors import ConflictError
from gridadmin.services.common.settings import KEY_TOWNSHIP_CODE, get_setting
from gridadmin.services.importing.areaindex import AreaIndex, _key
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.mapping import FieldSpec, KindSpec
from gridadmin.services.importing.plan import (
    ERROR, MODE_INSERT, MODE_UPDATE, NEW, SKIP, UNCHANGED, UPDATE, ImportPlan, RowIssue, RowPlan, RowReader,
    mark_duplicates,
)
from gridadmin.services.importing.values import CellError, code_text_value, text_value

F = FieldSpec
GRIDS = KindSpec("grids", "网格", (
    F("seq", "序号", ("编号",)),
    F("community", "社区/村", ("社区", "村", "所属社区", "所属社区村", "社区名称", "村社区", "社区村", "村名",
                            "所属村"), required=True, fill_down=True),
    F("name", "网格名称", ("网格", "网格名", "名称"), required=True),
    F("grid_code", "网格编码", ("网格代码", "网格编号", "编码", "代码"), max_length=24),
    F("grid_type", "网格类型", ("类型", "网格类别", "类别")),
    F("parent_grid", "所属网格", ("上级网格", "所属网格名称")),
    F("note", "备注", ("说明",), max_length=500),
))
GRID_TYPE_SPELLINGS = {
    "城市社区网格": "城市社区网格", "城市网格": "城市社区网格", "社区网格": "城市社区网格", "城市": "城市社区网格",
    "城市社区": "城市社区网格", "农村网格": "农村网格", "农村": "农村网格", "村网格": "农村网格",
    "专属网格": "专属网格", "专属": "专属网格", "专业网格": "专属网格",
}
_CODE = re.compile(r"[0-9A-Za-z-]{1,24}")
LABELS = {"name": "网格名称", "grid_code": "网格编码", "grid_type": "网格类型", "parent_id": "社区/村", "note": "备注"}
PARENT_LABELS = {LEVEL_GRID: "社区/村", LEVEL_MICROGRID: "所属网格"}


def _grid_code(value) -> str:
    text = (code_text_value(value, 24, "网格编码") or "").replace(" ", "")
    if not _CODE.fullmatch(text):
        raise CellError(f"网格编码“{text}”只能由数字、字母和“-”组成，最长 24 位")
    return text


def _grid_type(value) -> str:
    text = (text_value(value, 20) or "").replace(" ", "")
    if text not in GRID_TYPE_SPELLINGS:
        raise CellError(f"网格类型“{text}”无效，应为：{'、'.join(GRID_TYPES)}")
    return GRID_TYPE_SPELLINGS[text]


CREATE_HINT = "；如确需新建，请勾选“新建文件中的社区/村”（命令行加 --create-communities）"
NEW_COMMUNITY = "新建社区/村"


def _parse(reader: RowReader, areas: AreaIndex, create_communities: bool) -> dict:
    rec = {"name": reader.get("name", text_value, 100, required=True, label="网格名称")}
    community = reader.get("community", text_value, 100, required=True, label="社区/村")
    if community:
        if not areas.communities_named(community) and create_communities:
            rec["community_id"], rec["new_community"] = None, _key(community)
        elif not areas.communities_named(community):
            reader.error("community", community, areas.missing_community_message(community) + CREATE_HINT)
        else:
            try:
                rec["community_id"] = areas.find_community(community)
            except CellError as exc:
                reader.error("community", community, exc.message)
    rec["grid_code"] = reader.get("grid_code", _grid_code)
    rec["grid_type"] = reader.get("grid_type", _grid_type)
    rec["parent_grid"] = reader.get("parent_grid", text_value, 100)
    if rec["parent_grid"]:  # "建设东路社区·第一网格" (the template's list) names the grid in its community
        named, grid = areas.split_full_name(rec["parent_grid"])
        if named is not None:
            try:
                if rec.get("community_id") is not None and areas.find_community(named) != rec["community_id"]:
                    raise CellError(f"所属网格“{rec['parent_grid']}”不在社区/村列的“{community}”")
                rec["parent_grid"] = grid
            except CellError as exc:
                reader.error("parent_grid", rec["parent_grid"], exc.message)
    rec["level"] = LEVEL_MICROGRID if rec["parent_grid"] else LEVEL_GRID
    rec["note"] = reader.get("note", text_value, 500)
    return rec


def _community_key(rec: dict):
    """The community of a row: its id, or ("new", name) for one the import creates."""
    if rec.get("new_community"):
        return ("new", rec["new_community"])
    return rec.get("community_id")


def _same_place(row: RowPlan):
    """Where a row's grid sits, for finding duplicates in the file:
    community, the grid of a micro-grid ('' for a grid), name."""
    rec = row.record
    if not _community_key(rec) or not rec.get("name"):
        return None
    return _community_key(rec), _key(rec["parent_grid"] or ""), _key(rec["name"])


def plan_grids(session: Session, table: Table, mode: str, today: date, *,
               create_communities: bool = False) -> tuple[list[RowPlan], dict]:
    areas = AreaIndex.load(session)
    header = table.mapping.header_of
    rows = []
    for excel_row, cells in table.rows:
        row = RowPlan(excel_row, cells)
        row.record = _parse(RowReader(table, row), areas, create_communities)
        rows.append(row)
    new_communities = _plan_new_communities(session, rows, areas, header("community"))
    mark_duplicates(rows, lambda r: r.record.get("grid_code"), header("grid_code"), "网格编码")
    mark_duplicates(rows, _same_place, header("name"), "社区/村和网格名称", shown_value=lambda r: r.record["name"])
    by_place = {(a.parent_id, _key(a.name)): a for a in areas.areas.values()
                if a.level in (LEVEL_GRID, LEVEL_MICROGRID)}
    grids_in_file = {(_community_key(r.record), _key(r.record["name"])): r for r in rows
                     if _community_key(r.record) and r.record["name"] and r.record["level"] == LEVEL_GRID}
    for row in rows:
        rec = row.record
        if not row.errors:
            _place(row, rec, areas, by_place, grids_in_file, header)
        if row.errors:
            row.status = ERROR
            continue
        found = None
        if rec["grid_code"] and rec["grid_code"] in areas.by_grid_code:
            found = areas.areas[areas.by_grid_code[rec["grid_code"]]]
            if found.level != rec["level"]:
                row.errors.append(RowIssue(row.row, header("grid_code"), rec["grid_code"], _level_clash(found, areas)))
                row.status = ERROR
                continue
            if rec.get("new_community"):
                row.errors.append(RowIssue(row.row, header("grid_code"), rec["grid_code"],
                                           f"网格编码已被“{_owner_name(found, areas)}”的“{found.name}”使用，"
                                           "已有的网格不能移入新建的社区/村"))
                row.status = ERROR
                continue
        if rec.get("parent_row") is not None:
            if found is not None:
                row.errors.append(RowIssue(row.row, header("parent_grid"), rec["parent_grid"],
                                           f"已有的微网格“{found.name}”不能移入本文件新增的网格，请先导入网格，再导入微网格"))
                row.status = ERROR
                continue
            row.status = SKIP if mode == MODE_UPDATE else NEW
            if row.status == SKIP:
                row.warnings.append(RowIssue(row.row, "", "", "数据库中没有这个网格，“仅更新”模式不新增"))
            continue
        if found is None:
            found = by_place.get((rec["parent_id"], _key(rec["name"])))
            if found is not None and rec["grid_code"] and found.grid_code and found.grid_code != rec["grid_code"]:
                found = None  # same name, another code: a clash reported below
        other = by_place.get((rec["parent_id"], _key(rec["name"])))
        if other is not None and (found is None or other.id != found.id):
            where = "该网格下已有名为“{}”的微网格" if rec["level"] == LEVEL_MICROGRID else "该社区/村下已有名为“{}”的网格"
            row.errors.append(RowIssue(row.row, header("name"), rec["name"],
                                       where.format(other.name) + f"（编码 {other.grid_code or '无'}）"))
            row.status = ERROR
            continue
        if found is None:
            row.status = SKIP if mode == MODE_UPDATE else NEW
            if row.status == SKIP:
                row.warnings.append(RowIssue(row.row, "", "", "数据库中没有这个网格，“仅更新”模式不新增"))
            continue
        row.target_id = found.id
        for key in ("name", "grid_code", "grid_type", "parent_id", "note"):
            new, old = rec.get(key), getattr(found, key, None)
            if key == "note":
                continue  # notes are not compared (not loaded); kept on update
            if new is not None and new != old:
                label, shown_old, shown_new = LABELS[key], old, new
                if key == "parent_id":
                    label = PARENT_LABELS[rec["level"]]
                    shown_old, shown_new = areas.full_name(old), areas.full_name(new)
                row.changes[key] = (label, shown_old or "", shown_new)
                row.previous[key] = old
        row.status = UNCHANGED if not row.changes else (SKIP if mode == MODE_INSERT else UPDATE)
        if row.status == SKIP:
            row.warnings.append(RowIssue(row.row, "", "", "网格已存在，“仅新增”模式不更新"))
    for row in rows:  # a micro-grid whose new grid will not be written is not written either
        parent_row = row.record.get("parent_row")
        if parent_row is not None and row.status == NEW and parent_row.target_id is not None:
            row.record["parent_id"], row.record["parent_row"] = parent_row.target_id, None  # a grid renamed here
        elif parent_row is not None and row.status == NEW and parent_row.status != NEW:
            row.errors.append(RowIssue(row.row, header("parent_grid"), row.record["parent_grid"],
                                       f"所属网格“{row.record['parent_grid']}”（第 {parent_row.row} 行）不会导入，"
                                       "本行的微网格也不能导入"))
            row.status = ERROR
    extra = {"versions": dict(session.execute(select(Area.id, Area.version)
                                              .where(Area.id.in_([r.target_id for r in rows if r.target_id]))).all()),
             "new_communities": new_communities}
    settle_new_communities(rows, extra)
    return rows, extra


def settle_new_communities(rows: list[RowPlan], extra: dict) -> None:
    """Keep only the new communities a row still to be written needs (rows
    may turn into errors later: the area scope check) and say which in the
    plan's notes (新建社区/村 2 个：…)."""
    used = {r.record["new_community"] for r in rows if r.status == NEW and r.record.get("new_community")}
    kept = {k: v for k, v in (extra.get("new_communities") or {}).items() if k in used}
    extra["new_communities"] = kept
    notes = [n for n in extra.get("notes") or [] if not n.startswith(NEW_COMMUNITY)]
    if kept:
        notes.append(f"{NEW_COMMUNITY} {len(kept)} 个："
                     + "、".join(c["name"] + (f"（{c['division_code']}）" if c["division_code"] else "")
                                for c in kept.values()))
    if notes or "notes" in extra:
        extra["notes"] = notes


def _owner_name(area, areas: AreaIndex) -> str:
    owner = areas.community_of(area.id)
    return owner.name if owner is not None else ""


def _plan_new_communities(session: Session, rows: list[RowPlan], areas: AreaIndex, column: str) -> dict:
    """The communities the file names that the tree lacks (``create_communities``):
    key → {name, division_code, kind, township_id}. Each first row naming one
    says so (a warning: 新建社区/村); without a township in the tree they are
    row errors."""
    wanted = [r for r in rows if r.record.get("new_community")]
    if not wanted:
        return {}
    township = [a for a in areas.areas.values() if a.level == LEVEL_TOWNSHIP and a.parent_id is None]
    code9 = get_setting(session, KEY_TOWNSHIP_CODE) or ""
    mine = [a for a in township if (a.division_code or "")[:9] == code9] or township
    if len(mine) != 1:
        for row in wanted:
            row.errors.append(RowIssue(row.row, column, row.record["new_community"],
                                       "数据库中还没有乡镇/街道，不能新建社区/村，请先初始化乡镇（init）"))
        return {}
    official = {}
    used_codes = {a.division_code for a in areas.areas.values() if a.division_code}
    for village in divisions.villages_of((mine[0].division_code or code9)[:9]):
        short = community_short_name(village.name)
        if village.code not in used_codes:
            official.setdefault(_key(short), village.code)
            official.setdefault(_key(village.name), village.code)
    found: dict[str, dict] = {}
    by_code: dict[str, str] = {}  # official code → the key it was planned under (西街 and 西街社区 are one)
    for row in wanted:
        key = row.record["new_community"]
        code = official.get(key) or official.get(key + "社区")
        if code in by_code:
            key = row.record["new_community"] = by_code[code]
        if key in found:
            continue
        if code:
            by_code[code] = key
        name = community_short_name(divisions.village(code).name) if code else key
        found[key] = {"name": name, "division_code": code, "kind": community_kind(name),
                      "township_id": mine[0].id, "row": row.row}
        note = f"{NEW_COMMUNITY}“{name}”" + (f"（官方代码 {code}）" if code else "（官方名单中没有，无区划代码）")
        row.warnings.append(RowIssue(row.row, column, key, note))
    return found


def _place(row: RowPlan, rec: dict, areas: AreaIndex, by_place: dict, grids_in_file: dict, header) -> None:
    """``rec["parent_id"]``: the community of a grid, the grid of a
    micro-grid; ``rec["parent_row"]``: the row of the same file creating a
    micro-grid's grid. An unknown grid is an error on 所属网格."""
    rec["parent_id"] = rec.get("community_id")
    if rec["level"] != LEVEL_MICROGRID or _community_key(rec) is None:
        return
    grid = by_place.get((rec["community_id"], _key(rec["parent_grid"])))
    if grid is not None and grid.level == LEVEL_GRID:
        rec["parent_id"] = grid.id
        return
    in_file = grids_in_file.get((_community_key(rec), _key(rec["parent_grid"])))
    if in_file is not None and in_file is not row:
        rec["parent_id"], rec["parent_row"] = None, in_file
        return
    community = rec.get("new_community") or areas.areas[rec["community_id"]].name
    row.errors.append(RowIssue(row.row, header("parent_grid"), rec["parent_grid"],
                               f"“{community}”下没有名为“{rec['parent_grid']}”的网格"))


def _level_clash(found, areas: AreaIndex) -> str:
    """The message for a code that belongs to an area of the other level."""
    if found.level == LEVEL_MICROGRID:
        grid = areas.areas.get(found.parent_id)
        return (f"网格编码已被微网格“{found.name}”使用（它属于网格“{grid.name if grid else ''}”；"
                "导入微网格时请在“所属网格”列填写它的网格）")
    return f"网格编码已被网格“{found.name}”使用（网格不能作为微网格导入，“所属网格”列请留空）"


def write_grids(session: Session, plan: ImportPlan, rows: list[RowPlan], batch_id: int,
                today: date) -> Iterator[int]:
    table = Area.__table__
    audit = []
    new_rows = [r for r in rows if r.status == NEW]
    if new_rows:
        orders = dict(session.execute(select(Area.parent_id, func.count()).group_by(Area.parent_id)).all())
        needed = {r.record["new_community"] for r in new_rows if r.record.get("new_community")}
        wanted = {k: v for k, v in (plan.extra.get("new_communities") or {}).items() if k in needed}
        communities = _write_communities(session, wanted, orders, batch_id, audit)
        created: dict[int, int] = {}  # id(row) → new area id, for micro-grids of grids of the same file
        for level in (LEVEL_GRID, LEVEL_MICROGRID):  # grids first: their micro-grids refer to them
            these = [r for r in new_rows if r.record["level"] == level]
            if not these:
                continue
            payload = []
            for row in these:
                parent_row = row.record.get("parent_row")
                parent = created[id(parent_row)] if parent_row is not None else row.record["parent_id"]
                if parent is None:  # a grid of a community this import creates
                    parent = communities[row.record["new_community"]]
                orders[parent] = orders.get(parent, 0) + 1
                payload.append({"parent_id": parent, "level": level, "name": row.record["name"],
                                "grid_code": row.record["grid_code"], "grid_type": row.record["grid_type"],
                                "note": row.record["note"], "active": True, "sort_order": orders[parent] - 1})
            result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), payload)
            what = "微网格" if level == LEVEL_MICROGRID else "网格"
            for row, (area_id,) in zip(these, result):
                created[id(row)] = area_id
                audit.append({"action": "insert", "entity": "area", "entity_id": area_id,
                              "import_batch_id": batch_id, "summary": f"导入新增{what} {row.record['name']}"[:200],
                              "changes": None})
        yield len(new_rows)
    versions = plan.extra["versions"]
    for row in (r for r in rows if r.status == UPDATE):
        values = {k: row.record[k] for k in row.changes}
        result = session.execute(update(table).where(table.c.id == bindparam("_id"),
                                                     table.c.version == bindparam("_ver"))
                                 .values({**{k: bindparam(k) for k in values}, "version": table.c.version + 1,
                                          "updated_at": local_now()}),
                                 [{"_id": row.target_id, "_ver": versions[row.target_id], **values}])
        if result.rowcount not in (-1, 1):
            raise ConflictError(f"导入期间网格“{row.record['name']}”被其他用户修改，已全部撤销，请重新导入。")
        audit.append({"action": "update", "entity": "area", "entity_id": row.target_id,
                      "import_batch_id": batch_id, "summary": f"导入更新网格 {row.record['name']}"[:200],
                      "changes": json.dumps({"old": row.previous, "new": values}, ensure_ascii=False)})
    if audit:
        session.execute(insert(AuditLog.__table__), audit)
    yield len(rows)


def _write_communities(session: Session, wanted: dict, orders: dict, batch_id: int, audit: list) -> dict:
    """Create the planned new communities/villages; key → new area id."""
    table = Area.__table__
    ids: dict[str, int] = {}
    for key, c in wanted.items():
        parent = c["township_id"]
        orders[parent] = orders.get(parent, 0) + 1
        area_id = session.execute(insert(table).returning(table.c.id), {
            "parent_id": parent, "level": LEVEL_COMMUNITY, "name": c["name"], "division_code": c["division_code"],
            "community_kind": c["kind"], "active": True, "sort_order": orders[parent] - 1}).scalar_one()
        ids[key] = area_id
        audit.append({"action": "insert", "entity": "area", "entity_id": area_id, "import_batch_id": batch_id,
                      "summary": f"导入{NEW_COMMUNITY} {c['name']}"[:200],
                      "changes": json.dumps({"new": {"name": c["name"], "division_code": c["division_code"],
                                                     "community_kind": c["kind"]}}, ensure_ascii=False)})
    return ids
