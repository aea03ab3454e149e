"""Setting up a database for a township: code lists, the township and its
official communities/villages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from gridadmin.db import Database
from gridadmin.models import Area
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_TOWNSHIP
from gridadmin.services.areas import divisions
from gridadmin.services.common.codes import seed_code_lists
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.settings import KEY_TOWNSHIP_CODE, KEY_TOWNSHIP_NAME, get_setting, set_setting

_COMMITTEE_SUFFIX = re.compile(r"(居民居委会|居民委员会|居委会|村民委员会|村委会)$")
# What is left must still name the place: "华江里社区第一居委会" keeps its
# committee ("华江里社区第一" would read as a typo).
_NOT_A_NAME = re.compile(r"(第[一二三四五六七八九十百\d]+|居民|^)$")


@dataclass(frozen=True)
class TownshipInfo:
    area_id: int
    code: str
    name: str
    full_name: str
    communities: int


def resolve_township(query: str) -> divisions.Division:
    """The one township a code or name means; ``ValidationError`` naming the
    candidates when the query is unknown or ambiguous."""
    query = (query or "").strip()
    if not query:
        raise ValidationError("请填写乡镇/街道的代码或名称。", field="township", value=query)
    found = divisions.find_townships(query, limit=20)
    exact = [d for d in found if d.code == query[:9] or d.name == query]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(f"在官方区划代码中找不到乡镇/街道“{query}”。", field="township", value=query)
    names = "；".join(f"{d.code} {divisions.display_name(d.code)}" for d in found[:8])
    raise ValidationError(f"“{query}”对应多个乡镇/街道，请改用 9 位代码：{names}", field="township", value=query)


def community_short_name(official_name: str) -> str:
    """河街社区居民委员会 → 河街社区; 张庄村民委员会 → 张庄村."""
    short = _COMMITTEE_SUFFIX.sub("", official_name)
    if _NOT_A_NAME.search(short):
        return official_name
    if official_name.endswith(("村民委员会", "村委会")) and not short.endswith("村"):
        short += "村"
    return short


def community_kind(name: str) -> str:
    return "村" if name.endswith(("村", "嘎查")) or "村民" in name else "社区"


def init_township(db: Database, query: str, *, with_communities: bool = True) -> TownshipInfo:
    """Create the township (and, where the official list has them, its
    communities/villages) in an empty database, and seed the code lists.

    Idempotent for the same township; refuses a database that already
    belongs to another township.
    """
    division = resolve_township(query)
    with db.session() as session:
        seed_code_lists(session)
        existing = get_setting(session, KEY_TOWNSHIP_CODE)
        if existing and existing != division.code:
            raise ValidationError(
                f"该数据库已属于 {get_setting(session, KEY_TOWNSHIP_NAME)}（{existing}），不能再设为 {division.name}。",
                field="township", value=query,
            )
        township = session.scalar(select(Area).where(Area.division_code == division.code + "000"))
        if township is None:
            order = session.scalar(select(func.count()).select_from(Area).where(Area.parent_id.is_(None)))
            township = Area(level=LEVEL_TOWNSHIP, name=division.name, division_code=division.code + "000",
                            sort_order=order or 0)
            session.add(township)
            session.flush()
            if with_communities:
                for order, village in enumerate(divisions.villages_of(division.code)):
                    short = community_short_name(village.name)
                    session.add(Area(parent_id=township.id, level=LEVEL_COMMUNITY, name=short,
                                     division_code=village.code, community_kind=community_kind(short),
                                     sort_order=order))
        if not existing:
            set_setting(session, KEY_TOWNSHIP_CODE, division.code)
            set_setting(session, KEY_TOWNSHIP_NAME, division.name)
        session.flush()
        count = session.scalar(select(func.count()).select_from(Area).where(Area.parent_id == township.id))
        return TownshipInfo(township.id, division.code, division.name, divisions.display_name(division.code), count or 0)


def township_of_database(db: Database) -> tuple[str, str] | None:
    """``(code9, name)`` of the township this database was set up for."""
    with db.session() as session:
        code = get_setting(session, KEY_TOWNSHIP_CODE)
        return (code, get_setting(session, KEY_TOWNSHIP_NAME) or "") if code else None
