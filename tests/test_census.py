"""实有人口 as centers count it (issue #17): the categories add up to 实有人口
by area and in total, 户籍户 are the households, houses/出租房/承租人数 and
人户分离 are counted, a user limited to some areas sees only theirs, the
dashboard shows the line, and the grid-size rule counts lived-in houses
where houses are recorded and says which. Real databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from gridadmin.models.area import LEVEL_GRID
from gridadmin.services.access.users import authenticate, create_user
from gridadmin.services.areas.tree import AreaNode, grid_size_warning, load_tree
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.register.census import census
from gridadmin.services.register.dwellers import add_resident_at_house
from gridadmin.services.register.households import HouseholdData, MemberData, save_household
from gridadmin.services.register.houses import HouseData, save_house
from gridadmin.services.register.resident_record import ResidentData
from gridadmin.services.reports.dashboard import dashboard_figures
from tests import staffdata

TODAY = date(2025, 6, 1)


def _world(db):
    places = staffdata.grids(db)
    save_household(db, None, HouseholdData("H1", places["第一网格"], compound="幸福小区"), [
        MemberData(None, "张户主", make_id_number("411302", date(1970, 1, 1), 11), relation="02"),
        MemberData(None, "李配偶", make_id_number("411302", date(1972, 1, 1), 22), relation="10")], today=TODAY)
    rental = save_house(db, None, HouseData(places["粮行网格"], compound="建设路", door_no="18号", purpose="出租",
                                            landlord="王房东", occupancy_limit=3), today=TODAY)
    for seq, category in ((31, "3"), (33, "3"), (35, "4"), (37, "5")):
        add_resident_at_house(db, ResidentData(name=f"租客{seq}", id_number=make_id_number("330421", date(1990, 1, 1),
                                                                                        seq), category=category,
                                               residence_status="3" if category == "3" else None),
                              rental, today=TODAY)
    return places


def test_the_categories_add_up_to_the_actual_population_by_area(township_db):
    db = township_db
    places = _world(db)
    c = census(db)
    assert [(label, n) for _code, label, n in c.categories] == [
        ("户籍人口", 2), ("流动人口", 2), ("境外人员", 1), ("未落户人口", 1)]
    assert c.total == 6 == sum(n.residents for n in load_tree(db) if n.parent_id is None)
    assert (c.households, c.houses, c.rentals, c.tenants) == (1, 1, 1, 4)
    assert c.separated == 2 and dict((label, n) for _c, label, n in c.residence)["人在户不在"] == 2
    hejie = census(db, [places["第一网格"], places["河街社区"]])
    liangxing = census(db, [places["粮行网格"]])
    assert (hejie.total, liangxing.total) == (2, 4) and hejie.total + liangxing.total == c.total
    assert (liangxing.households, liangxing.rentals, liangxing.tenants) == (0, 1, 4)
    assert "实有人口 6（户籍人口 2、流动人口 2、境外人员 1、未落户人口 1）" in c.text()
    assert "出租房 1 处（承租 4 人）" in c.text()


def test_a_user_of_some_areas_counts_only_theirs(township_db):
    db = township_db
    places = _world(db)
    create_user(db, "admin", "王管理", "wangge2026", ["admin"])
    admin = db.as_actor(authenticate(db, "admin", "wangge2026"))
    create_user(admin, "clerk", "李文员", "wangge2026", ["clerk"], scope=[places["河街社区"]])
    clerk = db.as_actor(authenticate(db, "clerk", "wangge2026"))
    c = census(clerk)
    assert (c.total, c.households, c.houses, c.tenants, c.separated) == (2, 1, 0, 0, 0)


def test_the_dashboard_shows_the_census_line(township_db, qtbot):
    from gridadmin.ui.reports.dashboard_page import DashboardPage

    db = township_db
    _world(db)
    assert dashboard_figures(db).census.total == 6
    page = DashboardPage(db)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.figures is not None and not page.busy, timeout=60_000)
    assert page.census_line.text().startswith("实有人口 6（")
    assert page.tiles["households"].caption.text() == "户籍户数"


def test_the_grid_size_rule_counts_lived_in_houses_where_recorded_and_says_which():
    grid = AreaNode(1, None, LEVEL_GRID, "一网格", None, None, None, "城市社区网格", True, 0, 1)
    by_households = grid_size_warning(replace(grid, households=520))
    assert by_households == "户数 520（按户籍户计），多于 500 户，建议拆分网格"
    by_houses = grid_size_warning(replace(grid, households=520, dwellings=480))
    assert by_houses is None  # 480 lived-in houses: within the rule although 520 户籍户
    assert grid_size_warning(replace(grid, households=100, dwellings=250)) == \
        "有人居住的房屋 250 处（按实有房屋计），少于 300 户，建议合并网格"
