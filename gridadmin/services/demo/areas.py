"""The area rows of a demo: townships and communities (official codes),
grids (local codes under their community) and micro-grids."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridadmin.models import Area
from gridadmin.models.area import LEVEL_COMMUNITY, LEVEL_GRID, LEVEL_MICROGRID, LEVEL_TOWNSHIP
from gridadmin.services.demo.context import Context
from gridadmin.services.demo.plan import SPECIAL, CommunityPlan, TownPlan

GRID_CITY = "城市社区网格"
GRID_RURAL = "农村网格"
GRID_SPECIAL = "专属网格"

SPECIAL_KINDS = (  # (name suffix, unit kind, the unit's post that leads the grid)
    ("小学", "学校", "校长"), ("中学", "学校", "副校长"), ("幼儿园", "学校", "园长"),
    ("农贸市场", "市场", "市场管理办主任"), ("卫生院", "医院", "副院长"), ("工业园", "园区", "园区管委会副主任"),
)
_DIGITS = "一二三四五六七八九"
_NATURAL_TAILS = "庄 营 岗 洼 湾 寨 店 沟 坡 楼 园 桥 河 堂 屯".split()
_NATURAL_HEADS = "前 后 东 西 南 北 大 小 上 下 新 老".split()
_GROUP_NAMED_SHARE = 0.3  # villages whose grids are named by villager group, not natural village


def chinese_number(n: int) -> str:
    """一 … 十, 十一 … 九十九 (for 第…网格, 第…村民小组, 第…片区)."""
    if n < 10:
        return _DIGITS[n - 1]
    tens, ones = divmod(n, 10)
    return (_DIGITS[tens - 1] if tens > 1 else "") + "十" + (_DIGITS[ones - 1] if ones else "")


def group_label(n: int) -> str:
    """第三村民小组."""
    return f"第{chinese_number(n)}村民小组"


@dataclass
class Town:
    """A township of the demo: its area id and its plan."""

    id: int
    plan: TownPlan
    communities: list[Community] = field(default_factory=list)

    @property
    def index(self) -> int:
        return self.plan.index

    @property
    def name(self) -> str:
        return self.plan.name


@dataclass
class Community:
    """A community/village of the demo: its area id, its plan and the grids made so far."""

    id: int
    town: Town
    plan: CommunityPlan
    grids: list[Grid] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.plan.code

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def urban(self) -> bool:
        return self.plan.urban


@dataclass
class Grid:
    id: int
    code: str
    name: str
    grid_type: str
    community: Community
    row: dict
    special_kind: int = 0
    clan: str | None = None  # the surname a natural village is named after (张庄: 张)
    group: str | None = None  # the one villager group a rural grid covers (第三村民小组)
    micro_ids: list[int] = field(default_factory=list)


def area_row(area_id: int, parent_id: int | None, level: str, name: str, *, division_code: str | None = None,
             grid_code: str | None = None, kind: str | None = None, grid_type: str | None = None,
             order: int = 0) -> dict:
    return {"id": area_id, "parent_id": parent_id, "level": level, "name": name,
            "division_code": division_code, "grid_code": grid_code, "community_kind": kind,
            "grid_type": grid_type, "active": True, "sort_order": order, "note": None, "version": 1}


def build_towns(ctx: Context, session: Session, plans: list[TownPlan]) -> list[Town]:
    """Township and community rows for ``plans`` (reusing those the township
    set-up already wrote); grids come later, community by community."""
    towns = []
    for tp in plans:
        area_id = session.scalar(select(Area.id).where(Area.division_code == tp.code + "000"))
        if area_id is None:
            area_id = ctx.new_id("area")
            ctx.add("area", area_row(area_id, None, LEVEL_TOWNSHIP, tp.name, division_code=tp.code + "000",
                                     order=tp.index))
        town = Town(area_id, tp)
        towns.append(town)
        existing = dict(session.execute(select(Area.division_code, Area.id)
                                        .where(Area.parent_id == area_id)).all())
        for cp in tp.communities:
            comm_id = existing.get(cp.code)
            if comm_id is None:
                comm_id = ctx.new_id("area")
                ctx.add("area", area_row(comm_id, area_id, LEVEL_COMMUNITY, cp.name, division_code=cp.code,
                                         kind=cp.kind, order=cp.order))
            town.communities.append(Community(comm_id, town, cp))
    ctx.writer.flush()
    return towns


def make_grids(ctx: Context, comm: Community) -> None:
    """Grid rows for ``comm`` as its plan says: city grids 第一网格…; a
    village of one grid: 张庄村网格; a bigger village one grid per natural
    village (前张庄自然村网格, 东湾自然村网格) or, in some villages, per
    villager group (第三村民小组网格); special grids named after their unit."""
    rng = ctx.rng
    urban = comm.urban
    base_name = comm.name[:-2] if comm.name.endswith("社区") else comm.name.rstrip("村")
    used_names: set[str] = set()
    regular = sum(1 for p in comm.plan.grids if p.kind != SPECIAL)
    by_group = not urban and regular > 1 and rng.random() < _GROUP_NAMED_SHARE
    seq = 0
    special_seq = 0
    for order, plan in enumerate(comm.plan.grids):
        special_kind = 0
        clan = group = None
        if plan.kind == SPECIAL:
            special_seq += 1
            code = f"{comm.code}9{special_seq:02d}"
            special_kind = plan.amount if plan.amount else rng.randrange(5)
            if special_kind == 5:
                name = f"{ctx.county_name.rstrip('县')}玉文化产业园专属网格"
            elif special_kind == 4:
                name = f"{comm.town.name}卫生院专属网格" if not urban else f"{base_name}社区卫生服务站专属网格"
            else:
                name = f"{base_name}{SPECIAL_KINDS[special_kind][0]}专属网格"
            grid_type = GRID_SPECIAL
        else:
            seq += 1
            code = f"{comm.code}{seq:03d}"
            grid_type = GRID_CITY if urban else GRID_RURAL
            if urban:
                name = f"第{chinese_number(seq)}网格"
            elif regular == 1:
                name = f"{comm.name}网格"
            elif by_group:
                group = group_label(seq)
                name = f"{group}网格"
            else:
                natural, clan = _natural_village(ctx, used_names)
                name = f"{natural}自然村网格"
        if name in used_names:
            name = f"{name[:-2]}{seq}网格"
        used_names.add(name)
        grid_id = ctx.new_id("area")
        row = area_row(grid_id, comm.id, LEVEL_GRID, name, grid_code=code, grid_type=grid_type, order=order)
        ctx.add("area", row)
        comm.grids.append(Grid(grid_id, code, name, grid_type, comm, row, special_kind, clan, group))


def _natural_village(ctx: Context, used: set[str]) -> tuple[str, str | None]:
    """(name, surname it is named after or None): 张庄, 前张庄 or 东湾."""
    rng = ctx.rng
    top = ctx.names.top
    for _ in range(30):
        surname = rng.choice(top[:40])
        r = rng.random()
        if r < 0.2:
            name = rng.choice(_NATURAL_HEADS) + surname + rng.choice(_NATURAL_TAILS)
        elif r < 0.4:
            name, surname = rng.choice(_NATURAL_HEADS) + rng.choice(_NATURAL_TAILS), None
        else:
            name = surname + rng.choice(_NATURAL_TAILS)
        if f"{name}自然村网格" not in used:
            return name, surname
    return f"新{chinese_number(len(used) + 1)}庄", None


def add_microgrid(ctx: Context, grid: Grid, index: int, name: str) -> int:
    """A micro-grid row under ``grid`` (code: grid code + 2 digits); its id."""
    area_id = ctx.new_id("area")
    ctx.add("area", area_row(area_id, grid.id, LEVEL_MICROGRID, name, grid_code=f"{grid.code}{index:02d}",
                             order=index))
    grid.micro_ids.append(area_id)
    return area_id
