"""The monthly report counts people without a 户 by their house (issue #17):
实有人口 adds up by category and by area with and without 户; a 流动人口
moving between houses is placed by the house they lived in on each month's
end; a renter moving out lowers the 出租房's 承租人数 in the report; a
submitted month keeps what was submitted, later changes becoming 更正.
Real databases (SQLite, and PostgreSQL with GRIDADMIN_TEST_DB)."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from gridadmin.models import Household
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.register import life_events
from gridadmin.services.register.dwellers import add_resident_at_house, move_house
from gridadmin.services.register.households import HouseholdData, MemberData, save_household
from gridadmin.services.register.houses import HouseData, save_house
from gridadmin.services.register.resident_record import ResidentData
from gridadmin.services.register.residents import ResidentFilter, resident_source
from gridadmin.services.register.special_groups import special_group_counts
from gridadmin.services.reports.monthly_figures import monthly_figures
from gridadmin.services.reports.monthly_pdf import monthly_report_pdf
from gridadmin.services.reports.monthly_tables import report_tables
from gridadmin.services.reports.submission import submit_monthly_report
from tests import staffdata

LATER = date(2025, 6, 1)  # the day the changes are typed in


def _rental(db, grid: int, door: str) -> int:
    return save_house(db, None, HouseData(grid, compound="建设路", door_no=door, purpose="出租", landlord="王房东",
                                          occupancy_limit=6), today=date(2025, 1, 2))


def _renter(db, house: int, seq: int, category: str = "3", on: date = date(2025, 1, 10)) -> int:
    data = ResidentData(name=f"租客{seq}", id_number=make_id_number("330421", date(1990, 1, 1), seq),
                        category=category, residence_status="3" if category == "3" else None)
    return add_resident_at_house(db, data, house, today=LATER, on=on)


@pytest.fixture
def world(township_db):
    """河街社区/第一网格: a 户 of two 户籍人口 and a rental; 粮行社区/粮行网格: a
    rental with two 流动人口, a 境外人员 and a 未落户人口, none of them in a 户."""
    db = township_db
    places = staffdata.grids(db)
    save_household(db, None, HouseholdData("H1", places["第一网格"], compound="幸福小区"), [
        MemberData(None, "张户主", make_id_number("411302", date(1970, 1, 1), 11), relation="02"),
        MemberData(None, "李配偶", make_id_number("411302", date(1972, 1, 1), 22), relation="10")],
        today=date(2025, 1, 5))
    houses = {"粮行": _rental(db, places["粮行网格"], "18号"), "河街": _rental(db, places["第一网格"], "6号")}
    renters = {seq: _renter(db, houses["粮行"], seq, category)
               for seq, category in ((31, "3"), (33, "3"), (35, "4"), (37, "5"))}
    return db, places, houses, renters


def _by_community(figures) -> dict[str, int]:
    return {c.name: c.residents.current for c in figures.communities if c.residents.current}


def _census(figures, name: str | None, key: str):
    area = None if name is None else next(c.area_id for c in figures.communities if c.name == name)
    flow = figures.census_flows.get(area, {}).get(key)
    return None if flow is None else (flow.previous, flow.increase, flow.decrease, flow.current)


def test_actual_population_adds_up_by_category_and_area(world):
    db, places, houses, _renters = world
    _renter(db, houses["粮行"], 39, on=date(2025, 3, 10))  # arrives within the month
    f = monthly_figures(db, 2025, 3)
    assert _by_community(f) == {"河街社区": 2, "粮行社区": 5}
    assert f.total.residents.current == 7 and f.total.households.current == 1  # 户数: 户籍户 only
    labels = dict(f.categories)
    totals = {labels[code]: flow.current for code, flow in f.category_flows[None].items() if flow.current}
    assert totals == {"户籍人口": 2, "流动人口": 3, "境外人员": 1, "未落户人口": 1}
    for c in f.communities:  # every row: the categories add up to its 实有人口
        per = f.category_flows.get(c.area_id, {})
        assert sum(flow.current for flow in per.values()) == c.residents.current
        assert sum(flow.previous for flow in per.values()) == c.residents.previous
    liangxing = next(c for c in f.communities if c.name == "粮行社区")
    assert (liangxing.residents.previous, liangxing.residents.increase, liangxing.residents.current) == (4, 1, 5)
    assert {g.name: g.residents for g in f.grids if g.residents} == {"第一网格": 2, "粮行网格": 5}
    assert f.trend[-1].residents == 7
    assert _census(f, "粮行社区", "tenants") == (4, 1, 0, 5)
    assert _census(f, None, "houses") == (2, 0, 0, 2) and _census(f, None, "rentals") == (2, 0, 0, 2)
    assert _census(f, None, "away") == (2, 1, 0, 3)  # the 流动人口: 人在户不在
    assert f.to_dict()["totals"]["census"]["tenants"] == 5
    section = [t for t in report_tables(f) if t["section"].startswith("八、")]
    assert section and section[0]["rows"][-1][0] == "合计" and section[0]["rows"][-1][-1] == "5"


def test_a_renter_moving_between_houses_counts_where_they_lived_on_the_day(world):
    db, places, houses, renters = world
    mover = renters[31]
    move_house(db, mover, houses["河街"], date(2025, 3, 15), today=LATER)
    move_house(db, mover, houses["粮行"], date(2025, 5, 10), today=LATER)  # after the months reported
    february, march, april = (monthly_figures(db, 2025, m) for m in (2, 3, 4))
    assert _by_community(february) == {"河街社区": 2, "粮行社区": 4}
    assert _by_community(march) == {"河街社区": 3, "粮行社区": 3}
    assert _by_community(april) == {"河街社区": 3, "粮行社区": 3}
    hejie = next(c for c in march.communities if c.name == "河街社区")
    assert (hejie.residents.previous, hejie.residents.increase, hejie.residents.decrease) == (2, 1, 0)
    assert march.total.residents.current == 6 and march.total.residents.balanced
    assert _census(march, "河街社区", "tenants") == (0, 1, 0, 1)
    assert _census(march, "粮行社区", "tenants") == (4, 0, 1, 3)
    flows = {c.area_id: c for c in march.communities}
    for area, per in march.category_flows.items():
        if area is not None:
            assert sum(flow.current for flow in per.values()) == flows[area].residents.current
    assert {g.name: g.residents for g in april.grids if g.residents} == {"第一网格": 3, "粮行网格": 3}
    assert _by_community(monthly_figures(db, 2025, 5)) == {"河街社区": 2, "粮行社区": 4}
    # the register's list "as of" a day and the group counts place them the same way
    for day, expected in ((date(2025, 2, 28), {"河街社区": 2, "粮行社区": 4}),
                          (date(2025, 3, 31), {"河街社区": 3, "粮行社区": 3})):
        listed = {name: resident_source(db).count(PageQuery(ResidentFilter(as_of=day, area_id=places[name])))
                  for name in expected}
        assert listed == expected
        groups = special_group_counts(db, day, today=LATER)
        assert {name: groups.rows[0].count(places[name]) for name in expected} == expected


def test_a_renter_moving_out_lowers_the_tenants_in_the_report(world):
    db, _places, _houses, renters = world
    life_events.move_out(db, renters[33], date(2025, 3, 20), "浙江省杭州市", today=LATER)
    march = monthly_figures(db, 2025, 3)
    assert _census(march, "粮行社区", "tenants") == (4, 0, 1, 3)
    assert _census(march, "粮行社区", "rentals") == (1, 0, 0, 1)
    liangxing = next(c for c in march.communities if c.name == "粮行社区")
    assert (liangxing.residents.previous, liangxing.residents.decrease, liangxing.residents.current) == (4, 1, 3)
    flow = march.category_flows[None]["3"]
    assert (flow.previous, flow.decrease, flow.current) == (2, 1, 1)
    assert _census(monthly_figures(db, 2025, 2), "粮行社区", "tenants") == (4, 0, 0, 4)


def test_a_submitted_month_keeps_what_was_submitted(world, tmp_path):
    db, places, houses, renters = world
    run_to_end(submit_monthly_report(db, 2025, 3, folder=tmp_path))
    # entered after the submission, dated in the submitted month
    life_events.move_out(db, renters[35], date(2025, 3, 25), "境外")
    move_house(db, renters[37], houses["河街"], date(2025, 3, 28))
    with db.session() as s:  # a renter marries into the local 户 (still living at the rental)
        h1 = s.scalar(select(Household.id).where(Household.household_no == "H1"))
    life_events.transfer(db, renters[31], h1, date(2025, 3, 29), "10")
    march = monthly_figures(db, 2025, 3)
    assert march.submission is not None
    assert _by_community(march) == {"河街社区": 2, "粮行社区": 4}
    assert _census(march, "粮行社区", "tenants") == (4, 0, 0, 4)
    assert march.now_totals["residents"] == 5 and march.now_totals["census"]["tenants"] == 3
    late = {(c.name, c.change): (c.community, c.residents) for c in march.late}
    assert late == {("租客35", "迁出"): ("粮行社区", -1), ("租客37", "住所变更"): ("河街社区", 0),
                    ("租客31", "户间迁移"): ("河街社区", 0)}
    april = monthly_figures(db, 2025, 4)
    hejie = next(c for c in april.communities if c.name == "河街社区")
    liangxing = next(c for c in april.communities if c.name == "粮行社区")
    assert (hejie.residents.previous, hejie.residents.correction, hejie.residents.current) == (2, 2, 4)
    assert (liangxing.residents.previous, liangxing.residents.correction, liangxing.residents.current) == (4, -3, 1)
    tenants = april.census_flows[None]["tenants"]
    assert (tenants.previous, tenants.correction, tenants.current) == (4, -1, 3) and tenants.balanced
    for per in april.census_flows.values():
        assert all(flow.balanced for flow in per.values())
    out = tmp_path / "april.pdf"
    monthly_report_pdf(db, 2025, 4, out)
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "八、实有房屋、出租房与人户分离情况" in text and "上月末已报" in text
