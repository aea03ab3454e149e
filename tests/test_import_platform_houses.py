"""The county platform's 实有房屋 (ACTUALHOUSE) and 出租房 (RENTALHOUSE)
templates import as houses as they are (issue #22): the address in one
cell split into its parts, 是否为出租房 or the 出租房 title making a house
出租, the platform's 房屋用途 words read, the rest listed as 未导入的列."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gridadmin.models import House
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from tests.platform_templates import ACTUAL_HOUSE_COLUMNS, RENTAL_HOUSE_COLUMNS, write_platform_xls

TODAY = date(2025, 6, 1)
LANDLORD = "*出租人\n(出租房时有效)"


@pytest.fixture
def grid_db(township_db):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    return township_db


def test_actual_house_template_imports_as_it_is(grid_db, tmp_path):
    rows = [{"所属网格*": "一网格", "房屋准确地址*": "浙江省嘉兴市嘉善县河街社区幸福小区3栋2单元301室", "是否为出租房*": "是",
             LANDLORD: "李大明", "*隐患程度\n(出租房时有效)": "一般", "房屋用途": "个人住宅", "出租人联系电话": "13800138001",
             "出租间数": 2, "限住人数": 4, "房屋结构": "混合结构", "备注": "楼道堆物"},
            {"所属网格*": "一网格", "房屋准确地址*": "幸福小区3栋2单元302室", "是否为出租房*": "否", "房屋用途": "个人住宅",
             "产权人姓名": "王芳"},
            {"所属网格*": "一网格", "房屋准确地址*": "建设路18号", "是否为出租房*": "否", "房屋用途": "商业用房"},
            {"所属网格*": "一网格", "房屋准确地址*": "三组12号", "是否为出租房*": "否", "房屋用途": "集体宿舍"}]
    path = write_platform_xls(tmp_path / "ACTUALHOUSE.xls", rows, title="房屋信息登记表", columns=ACTUAL_HOUSE_COLUMNS)
    plan = plan_import(grid_db, path, "houses", today=TODAY)
    assert [(e.row, e.column, e.message) for e in plan.errors] == []
    assert [r.row for r in plan.rows] == [6, 7, 8, 9]
    assert "房屋结构" in plan.extra["unused_columns"] and "*隐患程度 (出租房时有效)" in plan.extra["unused_columns"]
    assert plan.counts()["inserted"] == 4
    result = run_to_end(import_job(grid_db, path, "houses", today=TODAY))
    assert result.committed and result.to_dict()["inserted"] == 4
    with grid_db.session() as s:
        houses = {h.address: h for h in s.scalars(select(House))}
    rented = houses["幸福小区3栋2单元301室"]
    assert (rented.purpose, rented.landlord, rented.rooms_let, rented.occupancy_limit) == ("出租", "李大明", 2, 4)
    assert rented.landlord_phone == "13800138001" and rented.hazard_note == "楼道堆物"
    assert (houses["幸福小区3栋2单元302室"].purpose, houses["幸福小区3栋2单元302室"].owner) == ("自住", "王芳")
    assert houses["建设路18号"].purpose == "经营" and houses["三组12号"].purpose == "其他"
    assert houses["三组12号"].village_group == "三组"


def test_rental_house_template_makes_every_row_a_rental(grid_db, tmp_path):
    rows = [{"所属网格*": "一网格", "房屋准确地址*": f"锦绣花园{b}幢1单元{room}", "*房主姓名": owner, "*隐患程度": "安全",
             "出租房类别*": "乙", "房屋用途": "个人住宅", "出租人联系电话": "13900139002", "出租间数": 1, "限住人数": 2}
            for b, room, owner in ((1, 101, "赵强"), (1, 102, "钱敏"), (2, 201, "孙亮"))]
    path = write_platform_xls(tmp_path / "RENTALHOUSE.xls", rows, title="出租房信息登记表", columns=RENTAL_HOUSE_COLUMNS)
    plan = plan_import(grid_db, path, "houses", today=TODAY)
    assert [(e.row, e.column, e.message) for e in plan.errors] == []
    assert any("是否出租房" in n and "出租房信息登记表" in n for n in plan.extra["notes"])
    result = run_to_end(import_job(grid_db, path, "houses", today=TODAY))
    assert result.committed and result.to_dict()["inserted"] == 3
    with grid_db.session() as s:
        houses = {h.address: h for h in s.scalars(select(House))}
    assert {h.purpose for h in houses.values()} == {"出租"}
    assert houses["锦绣花园2幢1单元201室"].landlord == "孙亮" and houses["锦绣花园2幢1单元201室"].building == "2幢"

    # imported again: the same houses, nothing new
    again = plan_import(grid_db, path, "houses", today=TODAY)
    assert again.counts()["inserted"] == 0 and again.counts()["unchanged"] == 3


def test_an_address_that_cannot_be_split_is_refused_naming_the_cell(grid_db, tmp_path):
    rows = [{"所属网格*": "一网格", "房屋准确地址*": "河街社区东头", "是否为出租房*": "否", "房屋用途": "个人住宅"}]
    path = write_platform_xls(tmp_path / "ACTUALHOUSE.xls", rows, title="房屋信息登记表", columns=ACTUAL_HOUSE_COLUMNS)
    plan = plan_import(grid_db, path, "houses", today=TODAY)
    [error] = plan.errors
    assert (error.row, error.column, error.value) == (6, "房屋准确地址*", "河街社区东头")
    assert "建设路18号" in error.message
