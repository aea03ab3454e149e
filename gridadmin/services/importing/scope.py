"""Row-level area checks of an import: a user limited to some communities
(``Actor.scope``) gets a row error for every row touching an area outside
them — in the plan already, so the dry run shows it.

Contract of ``check_scope``:
- only for kinds whose permission is limited to areas (``access.SCOPED``:
  residents, grids; staff and training apply everywhere, as in ``require``);
  nothing for unscoped users and administrators;
- residents: the grid the row names, the household's registered area and the
  area of the household the person is in now; grids: the community named
  and, for an existing grid, the community it is in now;
- the error names the row, the community column (or grid column) and the
  community: “粮行社区”不在当前用户负责的区域内 — that message alone, and the
  row keeps nothing of the stored record (no other message about it, no
  before/after values); other rows of a household
  with such a row are errors too (a household is imported whole or not).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Household
from gridadmin.services.access.permissions import SCOPED, Actor, area_in_scope
from gridadmin.services.importing.areaindex import AreaIndex
from gridadmin.services.importing.headers import Table
from gridadmin.services.importing.plan import ERROR, RowIssue, RowPlan
from gridadmin.services.importing.shown import forget_stored

CHUNK = 500
OUT_OF_SCOPE = "不在当前用户负责的区域内"


def _household_areas(session: Session, ids: set[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    keys = sorted(ids)
    for start in range(0, len(keys), CHUNK):
        found.update(session.execute(select(Household.id, Household.area_id)
                                     .where(Household.id.in_(keys[start:start + CHUNK]))).all())
    return found


def _resident_areas(session: Session, rows: list[RowPlan], extra: dict, areas: AreaIndex) -> dict[int, list]:
    household_ids = extra.get("household_ids", {})
    persons = extra.get("persons", {})
    wanted = set(household_ids.values()) | {p[2] for p in persons.values() if p[2] is not None}
    area_of = _household_areas(session, wanted)
    from gridadmin.models import House

    homes = sorted({h for h in extra.get("person_houses", {}).values() if h is not None})
    house_area = dict(session.execute(select(House.id, House.area_id).where(House.id.in_(homes))).all()) \
        if homes else {}
    touched = {}
    for index, row in enumerate(rows):
        rec = row.record
        ids = [rec.get("area_id"), area_of.get(household_ids.get(rec.get("household_no"))), rec.get("house_area_id")]
        person = persons.get(rec.get("id_number"))
        if person is not None:
            ids.append(area_of.get(person[2]))
            if person[2] is None:  # no 户: where their house is
                ids.append(house_area.get(extra.get("person_houses", {}).get(rec.get("id_number"))))
        touched[index] = [a for a in ids if a is not None]
    return touched


def _grid_areas(session: Session, rows: list[RowPlan], extra: dict, areas: AreaIndex) -> dict[int, list]:
    touched = {}
    for index, row in enumerate(rows):
        ids = [row.record.get("parent_id")]
        if row.record.get("new_community"):  # creating a community takes the whole township
            ids += [c["township_id"] for c in (extra.get("new_communities") or {}).values()][:1]
        if row.target_id is not None and row.target_id in areas.areas:
            ids.append(areas.areas[row.target_id].parent_id)
        touched[index] = [a for a in ids if a is not None]
    return touched


def _change_areas(session: Session, rows: list[RowPlan], extra: dict, areas: AreaIndex) -> dict[int, list]:
    """人口变动: the household the person is in and the one they join."""
    return extra.get("row_areas", {})


def _house_areas(session: Session, rows: list[RowPlan], extra: dict, areas: AreaIndex) -> dict[int, list]:
    """房屋: the grid a row names and, for a house moved, the one it leaves."""
    from gridadmin.models import House

    moved = [r.target_id for r in rows if r.target_id is not None]
    was = dict(session.execute(select(House.id, House.area_id).where(House.id.in_(moved))).all()) if moved else {}
    return {i: [a for a in (r.record.get("area_id"), was.get(r.target_id)) if a is not None]
            for i, r in enumerate(rows)}


AREAS_OF = {"residents": _resident_areas, "grids": _grid_areas, "changes": _change_areas, "groups": _change_areas,
            "houses": _house_areas}


def check_scope(session: Session, actor: Actor, kind: str, permission: str, table: Table, rows: list[RowPlan],
                extra: dict) -> None:
    """Add the out-of-scope row errors (see the module docstring)."""
    if actor.scope is None or actor.is_admin or permission not in SCOPED or kind not in AREAS_OF:
        return
    areas = AreaIndex.load(session)
    allowed: dict[int, bool] = {}
    columns = table.mapping.columns
    key = next((k for k in ("community", "grid", "grid_code") if k in columns), "")
    header = table.mapping.header_of(key) if key else ""
    failed = []
    for index, area_ids in AREAS_OF[kind](session, rows, extra, areas).items():
        for area_id in area_ids:
            if area_id not in allowed:
                allowed[area_id] = area_in_scope(session, actor, area_id)
            if not allowed[area_id]:
                row = rows[index]
                place = areas.community_of(area_id) or areas.areas.get(area_id)
                name = place.name if place is not None else str(area_id)
                # This error alone: the row's other messages may describe the stored
                # record (“公民身份号码 … 已登记给‘王芳’（户号 …）”), and nothing of a
                # record outside the user's areas leaves the service.
                row.errors = [RowIssue(row.row, header, name, f"“{name}”{OUT_OF_SCOPE}")]
                row.warnings = []
                row.status = ERROR
                forget_stored(row)
                failed.append(row)
                break
    if kind == "residents" and failed:
        bad_households = {r.record.get("household_no") for r in failed}
        for row in rows:
            if row.status != ERROR and row.record.get("household_no") in bad_households:
                row.errors.append(RowIssue(row.row, "", "", f"同户（户号 {row.record['household_no']}）有不在当前用户"
                                                            "负责区域内的行，整户暂不导入"))
                row.status = ERROR
