"""Where people come from and go to: county codes for ID numbers (own
county, the rest of 南阳/河南, other provinces by weight), region names for
户籍地/来源地, and the usual destinations of people who move away."""

from __future__ import annotations

import random

from gridadmin.services.areas import divisions
from gridadmin.services.demo.picking import pick, weighted

_OUTSIDE_PROVINCES = (("42", 12), ("34", 6), ("37", 5), ("61", 5), ("13", 3), ("51", 4), ("43", 3),
                      ("36", 2), ("14", 2), ("32", 2), ("50", 2), ("52", 2), ("45", 1), ("53", 1), ("23", 1))
MOVE_OUT_PLACES = weighted((
    ("广东省深圳市", 12), ("广东省广州市", 6), ("广东省东莞市", 5), ("浙江省杭州市", 5),
    ("浙江省宁波市", 3), ("江苏省苏州市", 5), ("上海市", 6), ("北京市", 5), ("河南省郑州市", 14),
    ("河南省南阳市宛城区", 8), ("河南省南阳市卧龙区", 8), ("湖北省武汉市", 5), ("陕西省西安市", 3),
    ("天津市", 2), ("福建省厦门市", 2),
))


def _issues_ids(county: divisions.Division) -> bool:
    """Counties whose code appears on ID numbers (not development zones,
    whose codes end in 7x, nor placeholders)."""
    return county.code[4] != "7" and county.name != "市辖区" and not county.name.endswith(("开发区", "示范区"))


class Regions:
    """Region codes and names around the demo county ``county_code``."""

    def __init__(self, county_code: str, rng: random.Random):
        self.rng = rng
        self.county_code = county_code
        county = divisions.county(county_code)
        self.county_name = county.name if county else "本县"
        nanyang, henan = [], []
        for city in divisions.cities_of("41"):
            for c in divisions.counties_of(city.code):
                if c.code == county_code or not _issues_ids(c):
                    continue
                (nanyang if c.code.startswith("4113") else henan).append(c.code)
        self.nanyang = nanyang or [county_code]
        self.henan = henan or [county_code]
        outside = []
        for code, weight in _OUTSIDE_PROVINCES:
            counties = [c.code for city in divisions.cities_of(code) for c in divisions.counties_of(city.code)
                        if _issues_ids(c)]
            if counties:
                outside.append((tuple(counties), weight))
        self.outside = weighted(outside) if outside else weighted([((county_code,), 1)])
        self.townships = [t.name for t in divisions.townships_of(county_code)] or ["城关镇"]
        self._text: dict[str, str] = {}

    def elsewhere(self, henan_share: float = 0.55) -> str:
        """A county code outside the demo county; ``henan_share`` of them in 河南."""
        r = self.rng.random()
        if r < henan_share * 0.45:
            return self.rng.choice(self.nanyang)
        if r < henan_share:
            return self.rng.choice(self.henan)
        return self.rng.choice(pick(self.rng, self.outside))

    def text(self, code6: str) -> str:
        """"河南省南阳市镇平县" for 411324 (the code itself when unknown)."""
        cached = self._text.get(code6)
        if cached is None:
            parts = []
            c = divisions.county(code6)
            if c is not None:
                ci = divisions.city(code6[:4])
                pr = divisions.province(code6[:2])
                if pr:
                    parts.append(pr.name)
                if ci and ci.name not in divisions.PLACEHOLDER_CITY_NAMES and (not pr or ci.name != pr.name):
                    parts.append(ci.name)
                parts.append(c.name)
            cached = "".join(parts) or code6
            self._text[code6] = cached
        return cached

    def home_township(self) -> str:
        """"河南省南阳市镇平县某镇": another township of the demo county."""
        return f"{self.text(self.county_code)}{self.rng.choice(self.townships)}"

    def move_out_place(self) -> str:
        """Where a person who moves away goes (weighted)."""
        return pick(self.rng, MOVE_OUT_PLACES)
