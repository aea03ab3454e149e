"""Household addresses: 小区/楼栋/单元/室 in city grids, 村民小组 + door
number in villages, and micro-grids by building group or villager group."""

from __future__ import annotations

from collections.abc import Callable

from gridadmin.services.demo.areas import Grid, add_microgrid, group_label
from gridadmin.services.demo.context import Context

_COMPOUND_HEADS = ("幸福 锦绣 阳光 和谐 建业 桂园 新华 书香 翰林 滨河 玉都 玉雕 涅阳 世纪 金色 "
                   "明珠 御景 凤凰 紫金 丹桂 中央 香榭 文苑 天润 盛世 名门 福地 东方 龙城 怡和 "
                   "恒大 碧桂 清华 水岸 金桥 百合 银河 春天 城市 国际").split()
_COMPOUND_TAILS = "小区 花园 家园 名苑 佳苑 华府 新村 公馆 嘉园 雅居 一品 府邸 丽景 花城".split()

NextAddress = Callable[[], dict]


def address(*, area_id: int, compound: str | None = None, building: str | None = None, unit: str | None = None,
            room: str | None = None, village_group: str | None = None, door_no: str | None = None,
            text: str | None = None) -> dict:
    """The address columns of a household row, plus its ``area_id``."""
    return {"compound": compound, "building": building, "unit": unit, "room": room,
            "village_group": village_group, "door_no": door_no, "address": text, "area_id": area_id}


class Addresses:
    """Address sources per grid; compound names are unique in the run and
    villager groups are numbered through each village."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._compound_names: set[str] = set()
        self._group_counter: dict[int, int] = {}

    def for_grid(self, grid: Grid, households: int, with_micro: bool) -> NextAddress:
        """A function giving the next household address in ``grid``."""
        if grid.community.urban:
            return iter(self._urban(grid, households, with_micro)).__next__
        rng = self.ctx.rng
        groups = self._rural_groups(grid, households, with_micro)
        doors = [0] * len(groups)
        village = grid.community.name

        def next_address() -> dict:
            gi = rng.randrange(len(groups))
            doors[gi] += rng.randint(1, 3)
            group, area_id = groups[gi]
            door = f"{doors[gi]}号"
            return address(area_id=area_id, village_group=group, door_no=door, text=f"{village}{group}{door}")
        return next_address

    def former_home(self, grid: Grid) -> dict:
        """The old home of a parent who moved in with a child's household."""
        rng = self.ctx.rng
        comm = grid.community
        if comm.urban:  # the parent's old single-storey house
            row, number = rng.randint(1, 30), rng.randint(1, 8)
            return address(area_id=grid.id, text=f"{comm.name}老城区平房{row}排{number}号")
        door = f"{rng.randint(1, 120)}号"
        return address(area_id=grid.id, village_group="原宅基地", door_no=door, text=f"{comm.name}原宅基地{door}")

    def _compound_name(self) -> str:
        rng = self.ctx.rng
        for _ in range(40):
            name = rng.choice(_COMPOUND_HEADS) + rng.choice(_COMPOUND_TAILS)
            if name not in self._compound_names:
                break
        else:
            for phase in "二三四五六七八九":
                if f"{name}{phase}期" not in self._compound_names:
                    name = f"{name}{phase}期"
                    break
        self._compound_names.add(name)
        return name

    def _urban(self, grid: Grid, households: int, with_micro: bool) -> list[dict]:
        """Distinct 小区/楼栋/单元/室 for ``households`` (+ spare for dissolved
        households); micro-grids by building groups of the first compound."""
        ctx = self.ctx
        rng = ctx.rng
        needed = int(households * 1.06) + 10
        n_compounds = 1 if needed < 200 else rng.choices((1, 2, 3), (50, 35, 15))[0]
        compound_names = [self._compound_name() for _ in range(n_compounds)]
        if rng.random() < 0.4:  # named after its main compound
            grid.name = grid.row["name"] = f"{compound_names[0]}网格"
        result: list[dict] = []
        share = needed // n_compounds + 1
        for ci, compound in enumerate(compound_names):
            floors, units, rooms = rng.choice(((6, 3, 2), (6, 2, 2), (11, 2, 2), (18, 2, 4), (26, 2, 4)))
            per_building = floors * units * rooms
            n_buildings = max(1, -(-int(share * 1.25) // per_building))
            micro_of_building: dict[int, int] = {}
            if with_micro and ci == 0 and n_buildings >= 2:
                n_micro = min(n_buildings, rng.randint(2, 4))
                bounds = [round(i * n_buildings / n_micro) for i in range(n_micro + 1)]
                for mi in range(n_micro):
                    first, last = bounds[mi] + 1, bounds[mi + 1]
                    label = f"{first}号楼" if first == last else f"{first}-{last}号楼"
                    micro_id = add_microgrid(ctx, grid, mi + 1, f"{compound}{label}微网格")
                    for b in range(first, last + 1):
                        micro_of_building[b] = micro_id
            combos = []
            for b in range(1, n_buildings + 1):
                area_id = micro_of_building.get(b, grid.id)
                for u in range(1, units + 1):
                    for f in range(1, floors + 1):
                        for r in range(1, rooms + 1):
                            combos.append((b, u, f * 100 + r, area_id))
            chosen = rng.sample(combos, min(len(combos), share))
            chosen.sort()
            result.extend(address(area_id=area_id, compound=compound, building=f"{b}号楼", unit=f"{u}单元",
                                  room=str(room), text=f"{compound}{b}号楼{u}单元{room}室")
                          for b, u, room, area_id in chosen)
        rng.shuffle(result)
        return result

    def _rural_groups(self, grid: Grid, households: int, with_micro: bool) -> list[tuple[str, int]]:
        """(村民小组 label, area id) of the groups in a rural grid: its own
        group, or 1–5 groups numbered through the village (micro-grids when
        ``with_micro`` and there are several)."""
        if grid.group:
            return [(grid.group, grid.id)]
        rng = self.ctx.rng
        comm = grid.community
        counter = self._group_counter.setdefault(comm.id, 0)
        n = max(1, min(5, round(households / rng.uniform(90, 160))))
        groups = []
        for i in range(n):
            counter += 1
            label = group_label(counter)
            area_id = grid.id
            if with_micro and n >= 2:
                area_id = add_microgrid(self.ctx, grid, i + 1, f"{label}微网格")
            groups.append((label, area_id))
        self._group_counter[comm.id] = counter
        return groups
