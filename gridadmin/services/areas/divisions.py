"""The official division list (行政区划): provinces down to villages.

Read from ``resources/divisions/``:

- ``provinces.csv`` (code,name), ``cities.csv`` (code,name,provinceCode),
  ``areas.csv`` (6-digit counties), ``streets.csv`` (9-digit townships) —
  the whole country down to township level;
- ``villages.csv.xz`` + ``villages.index.csv`` — the whole country's
  villages/communities (12-digit codes, 620k rows), one xz stream per city
  (see ``installer/pack_villages.py``). Only the stream of the city asked
  for is decompressed (a few milliseconds), never the whole list.

The lists down to township level are loaded on first use and cached for the
life of the process (``functools.lru_cache``, about 0.15 s); village blocks
are cached per city, a few at a time. Codes are
strings of digits; lookups of unknown codes return ``None`` or an empty list,
they never raise. Pure Python, no Qt.
"""

from __future__ import annotations

import csv
import io
import lzma
from dataclasses import dataclass
from functools import lru_cache

from gridadmin.paths import resource

LEVELS = ("province", "city", "county", "township", "village")

# City-level entries that are placeholders, not real cities; left out of
# display names ("北京市 市辖区 东城区" reads as "北京市 东城区").
PLACEHOLDER_CITY_NAMES = frozenset({"市辖区", "省直辖县级行政区划"})

# Province-level codes that appear on ID numbers and permits but are not in
# provinces.csv: 71 Taiwan, 81 Hong Kong, 82 Macau.
EXTRA_PROVINCE_CODES = frozenset({"71", "81", "82"})

VILLAGE_FILE = "villages.csv.xz"
VILLAGE_INDEX = "villages.index.csv"


@dataclass(frozen=True)
class Division:
    """One official division. ``level`` is one of :data:`LEVELS`."""

    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class _Index:
    by_code: dict[str, Division]  # province .. township, keyed by code
    children: dict[str, tuple[Division, ...]]  # parent code -> children by code
    provinces: tuple[Division, ...]
    townships: tuple[Division, ...]


def _read_csv(name: str, *columns: str) -> list[list[str]]:
    """Rows of one CSV file, only ``columns`` (by header name), stripped."""
    with resource("divisions", name).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader)]
        picks = [header.index(c) for c in columns]
        return [[row[i].strip() for i in picks] for row in reader if row]


@lru_cache(maxsize=1)
def _index() -> _Index:
    by_code: dict[str, Division] = {}
    children: dict[str, list[Division]] = {}
    sources = (
        ("provinces.csv", "province", ("code", "name")),
        ("cities.csv", "city", ("code", "name", "provinceCode")),
        ("areas.csv", "county", ("code", "name", "cityCode")),
        ("streets.csv", "township", ("code", "name", "areaCode")),
    )
    for file_name, level, columns in sources:
        for row in _read_csv(file_name, *columns):
            parent = row[2] if len(row) > 2 else None
            division = Division(row[0], row[1], level, parent)
            by_code[division.code] = division
            if parent:
                children.setdefault(parent, []).append(division)
    return _Index(
        by_code=by_code,
        children={k: tuple(sorted(v, key=_by_code)) for k, v in children.items()},
        provinces=tuple(sorted((d for d in by_code.values() if d.level == "province"), key=_by_code)),
        townships=tuple(sorted((d for d in by_code.values() if d.level == "township"), key=_by_code)),
    )


def _by_code(division: Division) -> str:
    return division.code


@lru_cache(maxsize=1)
def _search_texts() -> tuple[tuple[Division, str], ...]:
    """Each township with its path names run together ("河南省南阳市宛城区东关街道")."""
    index = _index()
    prefix: dict[str, str] = {}  # county code -> "province city county"
    result = []
    for t in index.townships:
        county_code = t.parent_code or ""
        head = prefix.get(county_code)
        if head is None:
            head = prefix[county_code] = "".join(d.name for d in _path(index, county_code))
        result.append((t, head + t.name))
    return tuple(result)


@lru_cache(maxsize=1)
def _village_index() -> dict[str, tuple[int, int]]:
    """City code (4 digits) -> (offset, length) of its stream in VILLAGE_FILE."""
    return {row[0]: (int(row[1]), int(row[2])) for row in _read_csv(VILLAGE_INDEX, "city", "offset", "length")}


@lru_cache(maxsize=16)
def _city_villages(city_code: str) -> dict[str, tuple[Division, ...]]:
    """Township code (9 digits) -> its villages/communities, for one city."""
    where = _village_index().get(city_code)
    if where is None:
        return {}
    offset, length = where
    with resource("divisions", VILLAGE_FILE).open("rb") as fh:
        fh.seek(offset)
        text = lzma.decompress(fh.read(length)).decode("utf-8")
    result: dict[str, list[Division]] = {}
    for code, name in csv.reader(io.StringIO(text)):
        if len(code) == 12 and code.isdigit():
            result.setdefault(code[:9], []).append(Division(code, name.strip(), "village", code[:9]))
    return {k: tuple(sorted(v, key=_by_code)) for k, v in result.items()}


def _villages_in(code9: str) -> tuple[Division, ...]:
    code9 = _clean(code9)
    if len(code9) != 9 or not code9.isdigit():
        return ()
    return _city_villages(code9[:4]).get(code9, ())


def _clean(code: object) -> str:
    return str(code).strip() if code is not None else ""


def _lookup(code: object, level: str, length: int) -> Division | None:
    code = _clean(code)
    if len(code) != length:
        return None
    division = _index().by_code.get(code)
    return division if division is not None and division.level == level else None


def province(code2: str) -> Division | None:
    """The province with this 2-digit code, or None."""
    return _lookup(code2, "province", 2)


def city(code4: str) -> Division | None:
    """The city (incl. placeholders "市辖区" etc.) with this 4-digit code, or None."""
    return _lookup(code4, "city", 4)


def county(code6: str) -> Division | None:
    """The county/district with this 6-digit code, or None."""
    return _lookup(code6, "county", 6)


def township(code9: str) -> Division | None:
    """The township/street with this 9-digit code, or None."""
    return _lookup(code9, "township", 9)


def village(code12: str) -> Division | None:
    """The village/community with this 12-digit code, or None."""
    code12 = _clean(code12)
    if len(code12) != 12:
        return None
    return next((v for v in _villages_in(code12[:9]) if v.code == code12), None)


def _path(index: _Index, code: str) -> list[Division]:
    path: list[Division] = []
    division = index.by_code.get(code)
    while division is not None:
        path.append(division)
        division = index.by_code.get(division.parent_code) if division.parent_code else None
    path.reverse()
    return path


def township_path(code9: str) -> list[Division]:
    """[province, city, county, township] for a known township, else [].

    Placeholder cities ("市辖区", "省直辖县级行政区划") are kept in the list.
    """
    if township(code9) is None:
        return []
    return _path(_index(), _clean(code9))


def display_name(code9: str) -> str:
    """Full name, e.g. "河南省 南阳市 宛城区 东关街道"; "" for an unknown code.

    Placeholder cities are left out ("北京市 东城区 东华门街道").
    """
    return " ".join(
        d.name for d in township_path(code9)
        if not (d.level == "city" and d.name in PLACEHOLDER_CITY_NAMES)
    )


def find_townships(query: str, limit: int = 50) -> list[Division]:
    """Townships matching ``query``, best first, at most ``limit``.

    ``query`` is a 9-digit township code, a 12-digit code ending in "000"
    (the township written as a 12-digit code), or words separated by spaces
    that must all occur in the township's full name ("宛城区 东关",
    "宛城区东关"). Exact township-name matches come first, then names starting
    with the query, then names containing it, then other full-name matches;
    ties are ordered by code.
    """
    query = _clean(query)
    if not query or limit <= 0:
        return []
    if query.isdigit() and query.isascii():
        if len(query) == 12 and query.endswith("000"):
            query = query[:9]
        found = township(query) if len(query) == 9 else None
        return [found] if found else []

    words = query.split()
    ranked: list[tuple[int, str, Division]] = []
    for t, text in _search_texts():
        if not all(w in text for w in words):
            continue
        if t.name in words:
            rank = 0
        elif len(words) == 1 and t.name.startswith(query):
            rank = 1
        elif len(words) == 1 and query in t.name:
            rank = 2
        else:
            rank = 3
        ranked.append((rank, t.code, t))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [t for _, _, t in ranked[:limit]]


def provinces() -> list[Division]:
    """All provinces in provinces.csv, sorted by code."""
    return list(_index().provinces)


def _children(code: object, level: str) -> list[Division]:
    return [d for d in _index().children.get(_clean(code), ()) if d.level == level]


def cities_of(province_code: str) -> list[Division]:
    """Cities (incl. placeholders) of a 2-digit province code, sorted by code."""
    return _children(province_code, "city")


def counties_of(city_code: str) -> list[Division]:
    """Counties/districts of a 4-digit city code, sorted by code."""
    return _children(city_code, "county")


def townships_of(county_code: str) -> list[Division]:
    """Townships/streets of a 6-digit county code, sorted by code."""
    return _children(county_code, "township")


def villages_of(township_code9: str) -> list[Division]:
    """Villages/communities (12-digit codes) of a township, sorted by code.

    Empty for a township the official list has no villages for (or an
    unknown code).
    """
    return list(_villages_in(township_code9))


def has_village_data(code9: str) -> bool:
    """True if the official list has villages/communities for this township."""
    return bool(_villages_in(code9))


def is_known_province(code2: str) -> bool:
    """True for a province in provinces.csv or 71/81/82 (Taiwan, HK, Macau)."""
    code = _clean(code2)
    return code in EXTRA_PROVINCE_CODES or province(code) is not None


def is_known_county(code6: str) -> bool:
    """True for a county/district in the current areas.csv.

    Codes of counties merged or renamed since (often still on old ID
    numbers) are not known.
    """
    return county(code6) is not None
