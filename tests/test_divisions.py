"""Tests for gridadmin.services.areas.divisions (the official division list)."""

from __future__ import annotations

import dataclasses

import pytest

from gridadmin.services.areas import divisions as dv
from gridadmin.services.areas.divisions import Division


def test_division_is_frozen():
    d = dv.province("41")
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.name = "x"  # type: ignore[misc]


# --- lookups ---

@pytest.mark.parametrize(
    "func, code, name, level, parent",
    [
        (dv.province, "41", "河南省", "province", None),
        (dv.province, "11", "北京市", "province", None),
        (dv.province, "65", "新疆维吾尔自治区", "province", None),
        (dv.city, "4113", "南阳市", "city", "41"),
        (dv.city, "1101", "市辖区", "city", "11"),
        (dv.city, "4190", "省直辖县级行政区划", "city", "41"),
        (dv.county, "411302", "宛城区", "county", "4113"),
        (dv.county, "411381", "邓州市", "county", "4113"),
        (dv.county, "110101", "东城区", "county", "1101"),
        (dv.township, "411302001", "东关街道", "township", "411302"),
        (dv.township, "110101001", "东华门街道", "township", "110101"),
    ],
)
def test_lookups(func, code, name, level, parent):
    assert func(code) == Division(code, name, level, parent)


def test_lookup_strips_spaces():
    assert dv.township(" 411302001 ").code == "411302001"


@pytest.mark.parametrize(
    "func, code",
    [
        (dv.province, "99"), (dv.province, "71"), (dv.province, "4"), (dv.province, "4113"),
        (dv.city, "4199"), (dv.city, "41"), (dv.city, "411302"),
        (dv.county, "411399"), (dv.county, "4113"), (dv.county, "411302001"), (dv.county, "411301"),
        (dv.township, "411302999"), (dv.township, "411302"), (dv.township, "411302001000"),
        (dv.township, ""), (dv.township, None),
    ],
)
def test_unknown_or_wrong_level_is_none(func, code):
    assert func(code) is None


# --- paths and display names ---

def test_township_path():
    path = dv.township_path("411302001")
    assert [d.level for d in path] == ["province", "city", "county", "township"]
    assert [d.name for d in path] == ["河南省", "南阳市", "宛城区", "东关街道"]
    assert [d.code for d in path] == ["41", "4113", "411302", "411302001"]


def test_township_path_keeps_placeholder_city():
    assert [d.name for d in dv.township_path("110101001")] == ["北京市", "市辖区", "东城区", "东华门街道"]


@pytest.mark.parametrize("code", ["411302999", "4113", "", "abc"])
def test_township_path_unknown(code):
    assert dv.township_path(code) == []
    assert dv.display_name(code) == ""


@pytest.mark.parametrize(
    "code, name",
    [
        ("411302001", "河南省 南阳市 宛城区 东关街道"),
        ("110101001", "北京市 东城区 东华门街道"),
        ("419001001", "河南省 济源市 济源市沁园街道"),
    ],
)
def test_display_name(code, name):
    assert dv.display_name(code) == name


# --- search ---

@pytest.mark.parametrize("query", ["411302001", "411302001000", " 411302001 ", "宛城区 东关", "宛城区　东关", "宛城区东关", "南阳市 宛城区 东关街道", "河南 南阳 东关"])
def test_find_townships_first_hit(query):
    found = dv.find_townships(query)
    assert found and found[0].code == "411302001"


@pytest.mark.parametrize("query", ["411302001001", "411302999", "411302999000", "4113020010", "不存在的镇名", "", "   "])
def test_find_townships_nothing(query):
    assert dv.find_townships(query) == []


def test_find_townships_exact_names_first():
    found = dv.find_townships("东关街道", limit=500)
    names = [d.name for d in found]
    exact = names.count("东关街道")
    assert exact >= 2
    assert names[:exact] == ["东关街道"] * exact
    codes = [d.code for d in found[:exact]]
    assert codes == sorted(codes)


def test_find_townships_prefix_before_substring():
    found = dv.find_townships("东关", limit=1000)
    assert found
    ranks = [0 if d.name == "东关" else 1 if d.name.startswith("东关") else 2 for d in found]
    assert ranks == sorted(ranks)
    assert any(d.name == "东关镇" for d in found)


def test_find_townships_limit():
    assert len(dv.find_townships("城关镇", limit=1000)) > 50
    found = dv.find_townships("城关镇")
    assert len(found) == 50
    assert all(d.name == "城关镇" for d in found)
    assert len(dv.find_townships("城关镇", limit=3)) == 3
    assert dv.find_townships("城关镇", limit=0) == []


def test_find_townships_by_county_name():
    found = dv.find_townships("宛城区", limit=1000)
    assert {d.code for d in found} == {d.code for d in dv.townships_of("411302")}


# --- children for a cascading picker ---

def test_provinces():
    provinces = dv.provinces()
    assert len(provinces) == 31
    assert [p.code for p in provinces] == sorted(p.code for p in provinces)


def test_cities_of():
    cities = dv.cities_of("41")
    codes = [c.code for c in cities]
    assert codes == sorted(codes)
    assert "4113" in codes and "4190" in codes
    assert all(c.level == "city" and c.parent_code == "41" for c in cities)


def test_counties_of():
    counties = dv.counties_of("4113")
    codes = [c.code for c in counties]
    assert codes == sorted(codes)
    assert {"411302", "411303", "411381"} <= set(codes)
    assert all(c.level == "county" and c.parent_code == "4113" for c in counties)


def test_townships_of():
    townships = dv.townships_of("411302")
    codes = [t.code for t in townships]
    assert codes == sorted(codes) and "411302001" in codes
    assert all(t.level == "township" and t.parent_code == "411302" for t in townships)


@pytest.mark.parametrize("func, code", [(dv.cities_of, "99"), (dv.counties_of, "9999"), (dv.townships_of, "999999"), (dv.counties_of, "41"), (dv.townships_of, "4113")])
def test_children_of_unknown_or_wrong_level(func, code):
    assert func(code) == []


def test_every_township_walks_up_to_a_province():
    for t in dv._index().townships[::97]:
        assert [d.level for d in dv.township_path(t.code)] == ["province", "city", "county", "township"]


# --- villages (the whole country, read one city at a time) ---

def test_villages_of_nanyang_township():
    villages = dv.villages_of("411302001")
    assert villages
    codes = [v.code for v in villages]
    assert codes == sorted(codes)
    assert all(len(c) == 12 and c.startswith("411302001") for c in codes)
    assert all(v.level == "village" and v.parent_code == "411302001" for v in villages)
    assert Division("411302001001", "河街社区居民委员会", "village", "411302001") in villages


def test_villages_of_a_zhejiang_township():
    villages = dv.villages_of("330421103")
    assert [v.name for v in villages[:3]] == ["西街社区", "朝南埭社区", "塘东社区"]
    assert Division("330421103200", "荷池村委会", "village", "330421103") in villages
    assert len(villages) == 24 and dv.has_village_data("330421103")


def test_village_lookup():
    assert dv.village("411302001001").name == "河街社区居民委员会"
    assert dv.village("110101001001").name == "多福巷社区居委会"
    assert dv.village("110101001999") is None
    assert dv.village("1101010010") is None


@pytest.mark.parametrize("code", ["411302999", "999999001", "411302", "", "abcdefghi"])
def test_no_village_data_for_unknown_codes(code):
    assert dv.villages_of(code) == []
    assert dv.has_village_data(code) is False


def test_every_nanyang_township_has_villages():
    nanyang = [t for c in dv.counties_of("4113") for t in dv.townships_of(c.code)]
    assert len(nanyang) > 200
    assert all(dv.has_village_data(t.code) for t in nanyang)


def test_most_townships_of_the_country_have_villages():
    sample = dv._index().townships[::50]
    assert sum(dv.has_village_data(t.code) for t in sample) > 0.95 * len(sample)


def test_village_file_is_the_whole_list_and_read_per_city_fast():
    import lzma
    import time

    from gridadmin.paths import resource

    index = dv._read_csv(dv.VILLAGE_INDEX, "city", "offset", "length", "rows")
    assert sum(int(r[3]) for r in index) > 600_000
    size = resource("divisions", dv.VILLAGE_FILE).stat().st_size
    assert sum(int(r[2]) for r in index) == size < 4_000_000  # bundled: keep it small
    with lzma.open(resource("divisions", dv.VILLAGE_FILE), "rt", encoding="utf-8") as fh:
        assert fh.readline().strip() == "code,name"  # concatenated streams read back as one CSV
    dv._city_villages.cache_clear()
    start = time.perf_counter()
    for code in ("330421103", "110101001", "650102001", "460200100"):
        dv.villages_of(code)
    assert (time.perf_counter() - start) / 4 < 0.2  # one city's stream, not the whole country


# --- known codes for the ID check ---

@pytest.mark.parametrize("code, known", [("41", True), ("11", True), ("65", True), ("71", True), ("81", True), ("82", True), ("83", False), ("99", False), ("00", False), ("4", False), ("", False)])
def test_is_known_province(code, known):
    assert dv.is_known_province(code) is known


@pytest.mark.parametrize("code, known", [("411302", True), ("110105", True), ("419001", True), ("110103", False), ("411301", False), ("4113", False), ("411302001", False)])
def test_is_known_county(code, known):
    assert dv.is_known_county(code) is known
