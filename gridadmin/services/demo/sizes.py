"""The demo sizes one can ask for and the summary a run returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoSize:
    """One demo size: about ``residents`` people in ``townships`` (9-digit
    codes, all in ``county``). ``sample_communities`` limits the small size
    to the first community and the first two villages of the township."""

    key: str
    label: str
    residents: int
    county: str
    townships: tuple[str, ...]
    sample_communities: bool = False


_ZHENPING = "411324"
DEMO_SIZES: dict[str, DemoSize] = {
    "small": DemoSize("small", "小型：1 个街道的 3 个社区/村，约 2,000 人", 2_000, _ZHENPING,
                      ("411324003",), sample_communities=True),
    "township": DemoSize("township", "街道：镇平县玉都街道全部社区/村，约 5 万人、约 100 个网格", 50_000,
                         _ZHENPING, ("411324003",)),
    "county": DemoSize("county", "县级：镇平县 8 个乡镇/街道，约 50 万人、约 1,000 个网格", 500_000, _ZHENPING,
                       ("411324001", "411324002", "411324003", "411324101", "411324102",
                        "411324103", "411324104", "411324105")),
}


@dataclass
class DemoSummary:
    """What ``generate_demo`` wrote. ``households``/``residents`` count the
    current register (not dissolved / 在册); ``*_rows`` count every row;
    ``grids`` counts grids (special grids included), not micro-grids."""

    size: str = ""
    seed: int = 0
    townships: int = 0
    communities: int = 0
    grids: int = 0
    microgrids: int = 0
    households: int = 0
    residents: int = 0
    staff: int = 0
    sessions: int = 0
    attendances: int = 0
    household_rows: int = 0
    person_rows: int = 0
    person_events: int = 0
    person_tags: int = 0
    staff_on_post: int = 0
    seconds: float = 0.0
    township_names: list[str] = field(default_factory=list)
