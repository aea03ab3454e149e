"""The township's communities and grids in memory, for naming a grid in a
row by code, or by name qualified by its community."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Area
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID
from gridadmin.services.areas.names import SEPARATOR, AreaNames, place_name, split_place
from gridadmin.services.areas.setup import community_short_name
from gridadmin.services.common.nearest import nearest_names
from gridadmin.services.common.text import clean_text
from gridadmin.services.importing.values import CellError


@dataclass(frozen=True)
class AreaRow:
    id: int
    parent_id: int | None
    level: str
    name: str
    division_code: str | None
    grid_code: str | None
    grid_type: str | None
    active: bool


def _key(text: str) -> str:
    return clean_text(text).replace(" ", "")


@dataclass
class AreaIndex:
    areas: dict[int, AreaRow] = field(default_factory=dict)
    communities: dict[str, list[int]] = field(default_factory=dict)  # name/short name/code → ids
    by_grid_code: dict[str, int] = field(default_factory=dict)
    grids_by_name: dict[str, list[int]] = field(default_factory=dict)
    names: AreaNames = field(default_factory=AreaNames)  # full names ("建设东路社区·第一网格")

    @classmethod
    def load(cls, session: Session) -> AreaIndex:
        index = cls()
        rows = session.execute(select(Area.id, Area.parent_id, Area.level, Area.name, Area.division_code,
                                      Area.grid_code, Area.grid_type, Area.active)).all()
        for row in rows:
            area = AreaRow(*row)
            index.areas[area.id] = area
            index.names.add(area.id, area.parent_id, area.level, area.name, area.grid_code or area.division_code)
            if area.level == LEVEL_COMMUNITY:
                names = {_key(area.name), _key(community_short_name(area.name))}
                if area.division_code:
                    names.add(area.division_code)
                for name in names:
                    index.communities.setdefault(name, []).append(area.id)
            elif area.level in (LEVEL_GRID, LEVEL_MICROGRID):
                if area.grid_code:
                    index.by_grid_code[area.grid_code] = area.id
                index.grids_by_name.setdefault(_key(area.name), []).append(area.id)
        return index

    def community_of(self, area_id: int) -> AreaRow | None:
        area = self.areas.get(area_id)
        while area is not None and area.level != LEVEL_COMMUNITY:
            area = self.areas.get(area.parent_id)
        return area

    def communities_named(self, text: str) -> list[int]:
        """The communities a cell may mean (name, short name or 12-digit code)."""
        key = _key(text)
        return self.communities.get(key) or self.communities.get(key + "社区") or []

    def community_suggestions(self, text: str) -> list[str]:
        """The nearest community names to a name that is not in the tree."""
        names = [a.name for a in self.areas.values() if a.level == LEVEL_COMMUNITY]
        return nearest_names(text, names)

    def missing_community_message(self, text: str) -> str:
        """本乡镇/街道没有名为“东官社区”的社区/村（相近的有：东关社区）."""
        near = self.community_suggestions(text)
        hint = f"（相近的有：{'、'.join(near)}）" if near else ""
        return f"本乡镇/街道没有名为“{text}”的社区/村{hint}"

    def find_community(self, text: str) -> int:
        """The community a cell names (name, short name or 12-digit code)."""
        found = self.communities_named(text)
        if len(found) == 1:
            return found[0]
        if not found:
            raise CellError(self.missing_community_message(text))
        raise CellError(f"“{text}”对应多个社区/村，请改填 12 位区划代码")

    def find_grid(self, code: str | None, name: str | None, community: str | None, *,
                  active_only: bool = True) -> int:
        """The grid (or micro-grid) a row names: by code, else by name
        (qualified by the community when given); an inactive one is refused
        unless ``active_only`` is false. Raises ``CellError``."""
        if code:
            area_id = self.by_grid_code.get(_key(code))
            if area_id is None:
                raise CellError(f"没有编码为“{code}”的网格")
            if name and _key(self.areas[area_id].name) != _key(name):
                raise CellError(f"网格编码“{code}”是“{self.areas[area_id].name}”，与网格名称“{name}”不符")
            return self._active(area_id) if active_only else area_id
        if not name:
            raise CellError("请填写所属网格（名称或编码）")
        named_community, name = self.split_full_name(name)
        if named_community and community and self.find_community(named_community) != self.find_community(community):
            raise CellError(f"网格“{place_name(named_community, name)}”不在社区/村列的“{community}”")
        community = named_community or community
        candidates = self.grids_by_name.get(_key(name), [])
        if community:
            community_id = self.find_community(community)
            candidates = [a for a in candidates if self.community_of(a) and self.community_of(a).id == community_id]
            if not candidates:
                raise CellError(f"“{community}”下没有名为“{name}”的网格")
        if not candidates:
            raise CellError(f"没有名为“{name}”的网格")
        if len(candidates) > 1:
            listed = "、".join(sorted(self.full_name(a) for a in candidates))
            raise CellError(f"有 {len(candidates)} 个名为“{name}”的网格：{listed}。请填写“社区/村”列，"
                            f"或写全称（如“{self.full_name(min(candidates))}”），或填网格编码")
        return self._active(candidates[0]) if active_only else candidates[0]

    def split_full_name(self, text: str) -> tuple[str | None, str]:
        """("建设东路社区", "第一网格") for a full name "建设东路社区·第一网格"
        (a leading 乡镇/街道 part is dropped; a micro-grid's "社区·网格·微网格"
        keeps "网格·微网格" as its name); (None, text) for a bare name."""
        parts = split_place(text)
        if len(parts) < 2 or _key(text) in self.grids_by_name:
            return None, text
        if len(parts) > 2 and not self.communities.get(_key(parts[0])) and \
                not self.communities.get(_key(parts[0]) + "社区"):
            parts = parts[1:]  # 玉都街道·建设东路社区·第一网格
        if len(parts) == 3:  # 社区·网格·微网格: the micro-grid is named by its own name
            return parts[0], parts[2]
        return parts[0], SEPARATOR.join(parts[1:])

    def full_name(self, area_id: int) -> str:
        """"建设东路社区·第一网格" (``AreaNames.full``)."""
        return self.names.full(area_id)

    def _active(self, area_id: int) -> int:
        area = self.areas[area_id]
        if not area.active:
            raise CellError(f"网格“{self.full_name(area_id)}”已停用")
        return area_id

    def add(self, area: AreaRow) -> None:
        """Register a grid planned in the same import (grids kind)."""
        self.areas[area.id] = area
        self.names.add(area.id, area.parent_id, area.level, area.name, area.grid_code)
        if area.grid_code:
            self.by_grid_code[area.grid_code] = area.id
        self.grids_by_name.setdefault(_key(area.name), []).append(area.id)
