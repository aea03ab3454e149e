"""Which communities/villages a demo covers and how each is split into
grids. Pure: reads the official division lists, writes nothing, so the
grid count of a size can be known without generating it
(:func:`planned_grid_count`); the generator uses the same plan."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import NamedTuple

from gridadmin.services.areas import divisions
from gridadmin.services.demo.picking import seeded_rng
from gridadmin.services.demo.sizes import DEMO_SIZES, DemoSize
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.areas.setup import community_kind, community_short_name

CITY = "city"        # amount: households (300–500)
RURAL = "rural"      # amount: households of one natural village / villager group (80–250)
VILLAGE = "village"  # amount: residents of a whole small village (< 500), one grid
SPECIAL = "special"  # amount: index into areas.SPECIAL_KINDS (0 = drawn when the grid is made)

NATURAL_VILLAGE_MIN, NATURAL_VILLAGE_MEAN, NATURAL_VILLAGE_MAX = 80, 150, 250


class GridPlan(NamedTuple):
    kind: str
    amount: int


@dataclass
class CommunityPlan:
    code: str  # 12-digit division code
    name: str  # short name: 河街社区, 张庄村
    kind: str  # 社区 or 村
    order: int  # position among all communities of the township
    town_index: int
    grids: list[GridPlan] = field(default_factory=list)
    residents: int = 0  # expected, for progress

    @property
    def urban(self) -> bool:
        return self.kind == "社区"


@dataclass
class TownPlan:
    index: int
    code: str  # 9 digits
    name: str  # 玉都街道
    full: str  # 河南省南阳市镇平县玉都街道
    communities: list[CommunityPlan] = field(default_factory=list)


def select_communities(spec: DemoSize) -> list[TownPlan]:
    """The townships of ``spec`` with the communities/villages to fill (for
    the small size: the first community and the first two villages).
    ``ValidationError`` for a township missing from the division lists."""
    towns = []
    for index, code9 in enumerate(spec.townships):
        division = divisions.township(code9)
        if division is None:
            raise ValidationError(f"找不到乡镇/街道 {code9}。", field="township", value=code9)
        town = TownPlan(index, code9, division.name, divisions.display_name(code9).replace(" ", ""))
        all_villages = divisions.villages_of(code9)
        villages = all_villages
        if spec.sample_communities:
            first_comm = [v for v in villages if community_kind(v.name) == "社区"][:1]
            first_vill = [v for v in villages if community_kind(v.name) == "村"][:2]
            villages = sorted(first_comm + first_vill, key=lambda v: v.code)
        order = {v.code: i for i, v in enumerate(all_villages)}
        for v in villages:
            town.communities.append(CommunityPlan(v.code, community_short_name(v.name), community_kind(v.name),
                                                  order[v.code], index))
        towns.append(town)
    return towns


def plan_demo(spec: DemoSize, rng: random.Random) -> list[TownPlan]:
    """Townships and communities of ``spec`` with their grid plans. Draws
    from ``rng`` first thing, so the generator and :func:`planned_grid_count`
    get the same plan from the same seed."""
    towns = select_communities(spec)
    comms = [c for t in towns for c in t.communities]
    if spec.sample_communities:
        _plan_sample(comms, rng)
    else:
        _plan_full(comms, spec.residents, len(towns), rng)
    for c in comms:
        c.residents = sum(int(n * 2.7) if kind in (CITY, RURAL) else (n if kind == VILLAGE else 0)
                          for kind, n in c.grids)
    return towns


def planned_grid_count(size: str, seed: int = 1) -> int:
    """Grids (special grids included, micro-grids not) that ``generate_demo``
    makes for ``size`` and ``seed``."""
    towns = plan_demo(DEMO_SIZES[size], seeded_rng(size, seed))
    return sum(len(c.grids) for t in towns for c in t.communities)


def split_village(households: float, rng: random.Random) -> list[int]:
    """Households of the natural villages (自然村) an administrative village
    of ``households`` is split into, one grid each: about 150 on average,
    each within 80–250."""
    n = max(1, round(households / NATURAL_VILLAGE_MEAN))
    weights = [rng.uniform(0.55, 1.6) for _ in range(n)]
    total = sum(weights)
    return [max(NATURAL_VILLAGE_MIN, min(NATURAL_VILLAGE_MAX, int(households * w / total))) for w in weights]


def _plan_sample(comms: list[CommunityPlan], rng: random.Random) -> None:
    """One city grid and a school; a village of two natural villages; a
    small village that is one grid."""
    rural_done = False
    for c in comms:
        if c.urban:
            c.grids = [GridPlan(CITY, rng.randint(320, 360)), GridPlan(SPECIAL, 0)]
        elif not rural_done:
            c.grids = [GridPlan(RURAL, rng.randint(150, 230)), GridPlan(RURAL, rng.randint(90, 150))]
            rural_done = True
        else:
            c.grids = [GridPlan(VILLAGE, rng.randint(400, 470))]


def _plan_full(comms: list[CommunityPlan], residents: int, towns: int, rng: random.Random) -> None:
    """Residents per community (scaled to ``residents`` in all); city grids
    of 300–500 households, villages split by natural village, about 7 % of
    villages small enough to be one grid; special grids now and then."""
    base = []
    for c in comms:
        if c.urban:
            base.append((c, rng.uniform(2600, 6500), False))
        elif rng.random() < 0.07:
            base.append((c, rng.uniform(260, 470), True))
        else:
            base.append((c, rng.uniform(1100, 3800), False))
    fixed = sum(b for _, b, small in base if small)
    scale = max(0.2, (residents - fixed) / max(1.0, sum(b for _, b, small in base if not small)))
    industrial = [False] * towns
    for c, b, small in base:
        if small:
            c.grids = [GridPlan(VILLAGE, int(b))]
            continue
        if c.urban:
            households = b * scale / 2.6
            n = max(1, round(households / 400))
            for _ in range(n):
                hh = int(households / n * rng.uniform(0.9, 1.1))
                c.grids.append(GridPlan(CITY, max(310, min(490, hh))))
        else:
            c.grids = [GridPlan(RURAL, hh) for hh in split_village(b * scale / 2.95, rng)]
        if rng.random() < (0.3 if c.urban else 0.07):
            c.grids.append(GridPlan(SPECIAL, 0))
        if not industrial[c.town_index] and not c.urban and rng.random() < 0.3:
            industrial[c.town_index] = True
            c.grids.append(GridPlan(SPECIAL, 5))
