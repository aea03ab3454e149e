"""The county platform's 流动人口, 未落户人口 and 境外人员 templates import as
residents as they are (issue #22; 境外人员: ``test_import_overseas``): no 户号, the category from the title,
the person at the house of their 临时居所 (matched or new), the platform's
流动人口 columns kept, the others listed as 未导入的列. Generated people on
real databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from gridadmin.models import House, Person
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.register.houses import HouseData, load_house, save_house
from tests.platform_templates import (
    FLOATING_COLUMNS, UNSETTLED_COLUMNS, write_platform_xls, write_platform_xlsx,
)
from tests.test_import_support import pid

TODAY = date(2025, 6, 1)


@pytest.fixture
def grid_db(township_db):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    grid = add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    house = save_house(township_db, None, HouseData(grid, compound="幸福小区", building="3栋", unit="2单元",
                                                    room="301", purpose="出租", landlord="李大明"), today=TODAY)
    return township_db, house


def _floating() -> list[dict]:
    def row(name, birth, seq, gender, address, **extra):
        return {"姓名*": name, "所属网格*": "一网格", "性别*": gender, "出生日期": birth.isoformat(),
                "身份证号码*": pid(birth, seq), " 流入原因*": "务工经商", "流入时间*": "2024-03-15",
                "户籍地/省*": "河南省", "户籍地/市*": "南阳市", "户籍地/区县*": "宛城区", "民族*": "汉族",
                "政治面貌*": "群众", "文化程度*": "初中", "婚姻状况*": "已婚", "预计到期日期*": "2026-03-14",
                "暂住处所*": "租赁房屋", "临时居所": address, "工作单位或就读学校": "嘉善某电子厂",
                "联系电话": "13700137000", "职业": "生产企业工作人员", "血型": "A型",
                "流入来源/省": "河南省", "流入来源/市": "南阳市", "流入来源/区县": "宛城区",
                "登记证情况": "居住证", "登记证编号": f"JZZ{seq:06d}", "登记日期": "2024-03-20",
                "已居住时限": "一年以上", **extra}
    return [row("韩卫东", date(1988, 2, 3), 101, "男", "浙江省嘉兴市嘉善县某某镇河街社区幸福小区3栋2单元301室"),
            row("韩秀英", date(1990, 6, 7), 102, "女", "幸福小区3栋2单元301室"),  # the same (stored) house
            row("杨平", date(1995, 9, 9), 103, "男", "建设路18号", **{"暂住处所*": "单位内部"}),  # a new house
            row("杨丽", date(1996, 1, 1), 104, "女", "建设路18号", **{"文化程度*": "大专"})]


@pytest.mark.parametrize("writer", [write_platform_xls, write_platform_xlsx], ids=["xls", "xlsx"])
def test_floating_population_template_imports_as_it_is(grid_db, tmp_path, writer):
    db, house = grid_db
    suffix = "xls" if writer is write_platform_xls else "xlsx"
    path = writer(tmp_path / f"FLOATINGPOPULATION.{suffix}", _floating(), title="流动人口信息登记表",
                  columns=FLOATING_COLUMNS)
    plan = plan_import(db, path, "residents", today=TODAY)
    assert [(e.row, e.column, e.message) for e in plan.errors] == []
    assert [r.row for r in plan.rows] == [7, 8, 9, 10]
    notes = plan.extra["notes"]
    assert any("人口类别" in n and "流动人口" in n for n in notes)
    unused = plan.extra["unused_columns"]
    assert "联系手机" not in unused  # empty in every row: nothing is lost
    assert plan.columns["phone"] == plan.headers.index("联系电话")  # 联系电话 first, 联系手机 no clash
    assert "血型" in unused and "登记证情况" in unused and "户籍地（省/市/区县）" not in unused
    assert "临时居所" not in unused and "暂住处所*" not in unused and "流入来源（省/市/区县）" not in unused
    new_notes = [w.message for r in plan.rows for w in r.warnings if "将新建房屋" in w.message]
    assert new_notes == ["将新建房屋：建设路18号（一网格）"] * 2
    assert plan.counts()["inserted"] == 4

    result = run_to_end(import_job(db, path, "residents", today=TODAY))
    assert result.committed and result.to_dict()["inserted"] == 4
    with db.session() as s:
        people = {p.name: p for p in s.scalars(select(Person))}
        new_house = s.scalar(select(House).where(House.address == "建设路18号"))
        assert s.scalar(select(func.count()).select_from(House)) == 2
    assert {p.category for p in people.values()} == {"3"}  # 流动人口
    assert all(p.household_id is None and p.relation is None for p in people.values())
    han = people["韩卫东"]
    assert han.house_id == people["韩秀英"].house_id == house
    assert people["杨平"].house_id == people["杨丽"].house_id == new_house.id
    assert (new_house.compound, new_house.door_no) == ("建设路", "18号")
    assert han.hukou_place == "河南省南阳市宛城区" and han.origin_place == "河南省南阳市宛城区"
    assert (han.inflow_reason, han.inflow_date, han.dwelling_type) == ("务工经商", date(2024, 3, 15), "租赁房屋")
    assert (han.residence_permit_no, han.residence_permit_expires) == ("JZZ000101", date(2026, 3, 14))
    assert han.registered_on == date(2024, 3, 20)  # 登记日期
    assert han.employer == "嘉善某电子厂" and han.education == "70" and people["杨丽"].education == "30"
    assert people["杨平"].dwelling_type == "单位内部"
    assert len(load_house(db, house).occupants) == 2

    again = plan_import(db, path, "residents", today=TODAY)  # the same file again: nothing to do
    assert not again.errors and again.counts()["unchanged"] == 4


def test_an_address_without_a_compound_is_refused_naming_the_cell(grid_db, tmp_path):
    db, _house = grid_db
    people = _floating()[:1]
    people[0]["临时居所"] = "浙江省嘉兴市嘉善县"
    path = write_platform_xlsx(tmp_path / "f.xlsx", people, title="流动人口信息登记表", columns=FLOATING_COLUMNS)
    plan = plan_import(db, path, "residents", today=TODAY)
    assert [(e.row, e.column, e.value) for e in plan.errors] == [(7, "临时居所", "浙江省嘉兴市嘉善县")]
    assert "幸福小区3栋2单元301室" in plan.errors[0].message


def test_ambiguous_platform_education_lists_the_accepted_words(grid_db, tmp_path):
    """高中\\中专 may be 普通高中 or 中等职业教育: refused, naming both."""
    db, _house = grid_db
    people = _floating()[:1]
    people[0]["文化程度*"] = "高中\\中专"
    path = write_platform_xlsx(tmp_path / "f.xlsx", people, title="流动人口信息登记表", columns=FLOATING_COLUMNS)
    plan = plan_import(db, path, "residents", today=TODAY)
    [error] = plan.errors
    assert (error.row, error.column, error.value) == (7, "文化程度*", "高中\\中专")
    assert error.message.startswith("“高中\\中专”可能是普通高中，也可能是中等职业教育，无法确定：请改填其中之一")


def test_unsettled_population_template_imports_with_its_former_hukou(grid_db, tmp_path):
    db, house = grid_db
    people = [{"姓名*": name, "所属网格*": "一网格", "性别*": gender, "民族*": "汉族", "政治面貌*": "群众",
               "文化程度*": "小学", "婚姻状况*": "未婚", "出生日期": birth.isoformat(), "身份证号码": pid(birth, seq),
               " 持证种类": "", "未落户时间": "2023-05-01", "未落户原因": "持证未落",
               "原户籍地/省": "安徽省", "原户籍地/市": "阜阳市", "原户籍地/区县": "颍州区", "临时居所": address,
               "联系电话": "13600136000"}
              for name, birth, seq, gender, address in (
                  ("许明", date(2001, 4, 4), 121, "男", "幸福小区3栋2单元301室"),
                  ("许静", date(2003, 8, 8), 122, "女", "三组12号"))]
    path = write_platform_xls(tmp_path / "UNSETTLEDPOPULATION.xls", people, title="未落户人口信息登记表",
                              columns=UNSETTLED_COLUMNS)
    plan = plan_import(db, path, "residents", today=TODAY)
    assert [(e.row, e.column, e.message) for e in plan.errors] == []
    assert "未落户原因" in plan.extra["unused_columns"]
    result = run_to_end(import_job(db, path, "residents", today=TODAY))
    assert result.committed and result.to_dict()["inserted"] == 2
    with db.session() as s:
        people = {p.name: p for p in s.scalars(select(Person))}
        group_house = s.scalar(select(House).where(House.village_group == "三组"))
    assert {p.category for p in people.values()} == {"5"}  # 未落户人口
    assert people["许明"].hukou_place == "安徽省阜阳市颍州区" and people["许明"].house_id == house
    assert people["许静"].house_id == group_house.id and group_house.door_no == "12号"


def test_floating_template_through_the_wizard(qtbot, grid_db, tmp_path, monkeypatch):
    """The clerk's view: the columns added from the 填报单位 block and the
    title show where they come from instead of a column letter; the preview
    says what the title implied and which columns are not kept."""
    from PySide6.QtCore import Qt

    from gridadmin.ui.importing.wizard import STEP_MAPPING, STEP_PREVIEW, STEP_RESULT
    from tests.test_import_page import _choose, _page

    db, house = grid_db
    path = write_platform_xls(tmp_path / "FLOATINGPOPULATION.xls", _floating(), title="流动人口信息登记表",
                              columns=FLOATING_COLUMNS)
    page = _page(qtbot, db)
    wizard = page.wizard
    _choose(page, monkeypatch, path)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_MAPPING
    table = wizard.mapping_step.table
    letters = {table.item(r, 1).text(): table.item(r, 0).text() for r in range(table.rowCount())}
    assert letters["社区/村（填报单位）"] == "填报单位" and letters["人口类别（表名）"] == "表名"
    assert letters["姓名*"] == "A"
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_PREVIEW
    intro = wizard.preview_step.intro.text()
    assert "各行的人口类别按“流动人口”导入" in intro and "未导入的列（本系统不保存这些项目）：血型" in intro
    assert wizard.preview_step.counts["new"] == 4 and wizard.preview_step.counts["error"] == 0
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Person).where(Person.category == "3")) == 4
