"""Full names of places: a grid is named with its community/village
("建设东路社区·第二网格"), a micro-grid with its community and grid, since
grid names such as 第一村民小组网格 repeat across a township.

``place_name(community, grid)`` joins names; ``AreaNames.load(session)``
gives every area's full name from one query; ``find_area`` resolves what a
user typed for a scope (a code, a name or a full name) or refuses it naming
the candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Area
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_LABELS, LEVEL_MICROGRID, LEVEL_TOWNSHIP, LEVELS
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.text import clean_text

SEPARATOR = "·"
SEPARATORS = ("·", "•", "・", "•", "‧", "∙")  # middle dots people type between the parts


def place_name(*names: str | None) -> str:
    """The names joined by "·", empty parts left out:
    ``place_name("建设东路社区", "第二网格")`` → "建设东路社区·第二网格"."""
    return SEPARATOR.join(n for n in names if n)


def split_place(text: str | None) -> list[str]:
    """The parts of a full name as typed ("建设东路社区·第二网格",
    "建设东路社区/第二网格" …), spaces removed; one part for a bare name."""
    cleaned = clean_text(text).replace(" ", "")
    for sep in SEPARATORS[1:]:
        cleaned = cleaned.replace(sep, SEPARATOR)
    return [part for part in cleaned.split(SEPARATOR) if part]


@dataclass(frozen=True)
class _Row:
    id: int
    parent_id: int | None
    level: str
    name: str
    code: str | None
    active: bool


@dataclass
class AreaNames:
    """Every area's names, read once: ``full(id)`` is the name shown in
    township-wide lists, ``community(id)`` the community/village above."""

    rows: dict[int, _Row] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> AreaNames:
        found = session.execute(select(Area.id, Area.parent_id, Area.level, Area.name,
                                       Area.grid_code, Area.division_code, Area.active)).all()
        return cls({r.id: _Row(r.id, r.parent_id, r.level, r.name, r.grid_code or r.division_code, r.active)
                    for r in found})

    @classmethod
    def load_for(cls, session: Session, area_ids: Iterable[int | None]) -> AreaNames:
        """The names of ``area_ids`` and the areas above them (enough for
        ``full``, ``community`` and ``grid_name`` of those), one query per
        level: a page of a list reads the few areas it shows, not a county's
        thousands."""
        names = cls()
        wanted = {a for a in area_ids if a is not None}
        while wanted:
            found = session.execute(select(Area.id, Area.parent_id, Area.level, Area.name, Area.grid_code,
                                           Area.division_code, Area.active).where(Area.id.in_(sorted(wanted)))).all()
            for r in found:
                names.add(r.id, r.parent_id, r.level, r.name, r.grid_code or r.division_code, r.active)
            wanted = {r.parent_id for r in found if r.parent_id is not None and r.parent_id not in names.rows}
        return names

    def add(self, area_id: int, parent_id: int | None, level: str, name: str, code: str | None = None,
            active: bool = True) -> None:
        """Know one more area (one an import is about to create)."""
        self.rows[area_id] = _Row(area_id, parent_id, level, name, code, active)

    def name(self, area_id: int | None) -> str:
        row = self.rows.get(area_id)
        return row.name if row else ""

    def chain(self, area_id: int | None) -> list[_Row]:
        """The area and those above it up to its community (top first);
        the township alone for the township."""
        out: list[_Row] = []
        row = self.rows.get(area_id)
        while row is not None:
            out.append(row)
            if row.level in (LEVEL_COMMUNITY, LEVEL_TOWNSHIP):
                break
            row = self.rows.get(row.parent_id)
        return out[::-1]

    def full(self, area_id: int | None) -> str:
        """"建设东路社区·第二网格" for a grid, "社区·网格·微网格" for a
        micro-grid, the bare name for a community or township."""
        return place_name(*(r.name for r in self.chain(area_id)))

    def community(self, area_id: int | None) -> _Row | None:
        """The community/village an area is in (itself for a community)."""
        chain = self.chain(area_id)
        return chain[0] if chain and chain[0].level == LEVEL_COMMUNITY else None

    def community_name(self, area_id: int | None) -> str:
        row = self.community(area_id)
        return row.name if row else ""

    def grid_name(self, area_id: int | None) -> str:
        """The area's name below its community ("第二网格", "第二网格·3号楼")."""
        chain = self.chain(area_id)
        if chain and chain[0].level == LEVEL_COMMUNITY:
            chain = chain[1:]
        return place_name(*(r.name for r in chain))

    def joined(self, area_ids: Iterable[int], sep: str = "、") -> str:
        """Full names of several areas, each once, in tree order (by code)."""
        return sep.join(dict.fromkeys(self.full(a) for a in self.ordered(area_ids)))

    def ordered(self, area_ids: Iterable[int]) -> list[int]:
        """``area_ids`` by code (a grid's code extends its community's), then full name."""
        return sorted(dict.fromkeys(area_ids), key=lambda a: ((self.rows[a].code or "") if a in self.rows else "",
                                                              self.full(a)))

    def candidates(self, text: str, levels: Sequence[str] = LEVELS, *, active_only: bool = False) -> list[int]:
        """Areas of ``levels`` that ``text`` names: by code (grid or division
        code), by name, or by full name ("社区·网格", the community's short
        name accepted for its part)."""
        typed = clean_text(text).replace(" ", "")
        if not typed:
            return []
        rows = [r for r in self.rows.values() if r.level in levels and (r.active or not active_only)]
        by_code = [r.id for r in rows if r.code and r.code == typed]
        if by_code:
            return by_code
        parts = split_place(typed)
        found = []
        for r in rows:
            names = [c.name for c in self.chain(r.id)]
            if r.level != LEVEL_TOWNSHIP and len(parts) > len(names):  # 乡镇·社区·网格: drop the township
                township = self.rows.get(self.chain(r.id)[0].parent_id)
                names = ([township.name] if township else []) + names
            if len(parts) == 1:
                if _same(parts[0], r.name):
                    found.append(r.id)
            elif len(parts) == len(names) and all(_same(p, n) for p, n in zip(parts, names)):
                found.append(r.id)
        return sorted(found, key=lambda a: self.full(a))

    def describe(self, area_id: int) -> str:
        row = self.rows[area_id]
        code = f"，代码 {row.code}" if row.code else ""
        return f"{self.full(area_id)}（{LEVEL_LABELS.get(row.level, row.level)}{code}）"


def _same(typed: str, name: str) -> bool:
    """A typed part names ``name``: exactly, or the short name of a
    community ("建设东路" for 建设东路社区, "小王庄" for 小王庄村)."""
    name = name.replace(" ", "")
    if typed == name:
        return True
    for suffix in ("社区居民委员会", "村民委员会", "居委会", "村委会", "社区", "村"):
        if name.endswith(suffix) and len(name) > len(suffix) and typed == name[:-len(suffix)]:
            return True
    return False


def find_area(session: Session, text: str, *, levels: Sequence[str] = (LEVEL_TOWNSHIP, LEVEL_COMMUNITY),
              what: str = "统计范围") -> int:
    """The area ``text`` names (code, name or "社区·网格" full name) among
    ``levels``. An unknown or ambiguous name is a ``ValidationError``
    listing the candidates (with their codes)."""
    names = AreaNames.load(session)
    found = names.candidates(text, levels)
    kinds = "或".join(LEVEL_LABELS[level] for level in levels)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        listed = "；".join(names.describe(a) for a in found[:12]) + ("……" if len(found) > 12 else "")
        raise ValidationError(f"{what}“{text}”对应 {len(found)} 个{kinds}：{listed}。请改填代码或“社区·网格”全称。",
                              field=what, value=text)
    elsewhere = names.candidates(text)
    if elsewhere:  # a grid named where a community is asked for …
        listed = "；".join(names.describe(a) for a in elsewhere[:8]) + ("……" if len(elsewhere) > 8 else "")
        raise ValidationError(f"{what}“{text}”不是{kinds}，而是：{listed}。{what}应为{kinds}。", field=what, value=text)
    # unknown: suggest names that contain what was typed
    parts = split_place(text)
    key = parts[-1] if parts else clean_text(text)
    near = sorted({a for a, r in names.rows.items() if r.level in levels and key and (key in r.name or r.name in key)},
                  key=names.full)
    hint = ("可能是：" + "；".join(names.describe(a) for a in near[:8]) + "。") if near else \
        f"请填写{kinds}的名称或代码。"
    raise ValidationError(f"找不到{what}“{text}”对应的{kinds}。{hint}", field=what, value=text)


def is_grid_level(level: str) -> bool:
    return level in (LEVEL_GRID, LEVEL_MICROGRID)


def full_name_of(session: Session, area_id: int | None) -> str:
    """One area's full name (as ``AreaNames.full``) read through the
    session's identity map: for a single record (a household card, a form)."""
    parts: list[str] = []
    area = session.get(Area, area_id) if area_id is not None else None
    while area is not None:
        parts.append(area.name)
        if area.level in (LEVEL_COMMUNITY, LEVEL_TOWNSHIP) or area.parent_id is None:
            break
        area = session.get(Area, area.parent_id)
    return place_name(*reversed(parts))
