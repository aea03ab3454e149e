"""Residents rows without 户号 (issue #17): 流动人口, 境外人员 and 未落户人口
imported at a house — matched by 房屋编号 or address, or a new house made by
the same import and announced in the preview; 户籍人口 without 户号 refused
naming row, column and value; undo removes the houses it made; a resident
moved to another house by a later file is a dated 住所变更; the export of
residents imports back. Real databases."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from gridadmin.models import House, Person, PersonEvent
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.export import export_kind
from gridadmin.services.importing.undo import undo_batch
from gridadmin.services.register.houses import HouseData, load_house, save_house
from tests import staffdata

TODAY = date(2025, 6, 1)
HEADER = ["社区/村", "网格", "户号", "与户主关系", "姓名", "公民身份号码", "人口类别", "房屋编号", "小区", "楼栋",
          "单元", "室", "村民小组", "门牌号", "登记日期"]


def _id(seq: int, born=date(1992, 3, 4)) -> str:
    return make_id_number("330421", born, seq)


def _file(tmp_path, rows, name="people.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row.get(h, "") for h in HEADER])
    path = tmp_path / name
    book.save(path)
    return path


def _run(db, path):
    return run_to_end(import_job(db, path, "residents", today=TODAY))


@pytest.fixture
def world(township_db):
    db = township_db
    places = staffdata.grids(db)
    rental = save_house(db, None, HouseData(places["第一网格"], compound="幸福小区", building="3栋", room="301",
                                            purpose="出租", landlord="李大明", occupancy_limit=4), today=TODAY)
    return db, places, rental


def _row(name, seq, category="流动人口", **extra):
    return {"社区/村": "河街社区", "网格": "第一网格", "姓名": name, "公民身份号码": _id(seq), "人口类别": category,
            **extra}


def test_floating_people_without_a_household_are_imported_at_their_houses(world, tmp_path):
    db, places, rental = world
    rental_no = load_house(db, rental).data.house_no
    rows = [_row("赵一", 11, 房屋编号=rental_no),
            _row("钱二", 13, 小区="幸福小区", 楼栋="3栋", 室="301"),  # the same house by its address
            _row("孙三", 15, "境外人员", 小区="和平里", 楼栋="5栋", 室="102"),  # a new house
            _row("李四", 17, "未落户人口", 小区="和平里", 楼栋="5栋", 室="102"),  # the same new house
            {"社区/村": "河街社区", "网格": "第一网格", "户号": "H1", "与户主关系": "户主", "姓名": "周户主",
             "公民身份号码": _id(19, date(1970, 1, 1)), "人口类别": "户籍人口"}]
    path = _file(tmp_path, rows)
    plan = plan_import(db, path, "residents", today=TODAY)
    assert not plan.errors and plan.counts()["inserted"] == 5
    notes = [w.message for r in plan.rows for w in r.warnings]
    assert notes.count("将新建房屋：和平里5栋102室（第一网格）") == 2
    result = _run(db, path)
    with db.session() as s:
        people = {p.name: p for p in s.scalars(select(Person))}
        new_house = s.scalar(select(House).where(House.address == "和平里5栋102室"))
        arrivals = {e.person_id: e.to_house_id for e in s.scalars(select(PersonEvent))}
    assert people["赵一"].household_id is None and people["赵一"].house_id == rental
    assert people["钱二"].house_id == rental and people["周户主"].household_id is not None
    assert people["孙三"].house_id == people["李四"].house_id == new_house.id
    assert new_house.purpose == "其他" and new_house.area_id == places["第一网格"]
    assert arrivals[people["孙三"].id] == new_house.id
    assert load_house(db, rental).tenants == 2
    undo_batch(db, result.batch_id)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 0
        assert [h.id for h in s.scalars(select(House))] == [rental]


def test_a_registered_resident_without_a_household_number_is_refused(world, tmp_path):
    db, _places, _rental = world
    rows = [_row("吴户籍", 21, "户籍人口", 小区="幸福小区", 室="9"),
            _row("郑无类", 23, "", 小区="幸福小区", 室="9"),
            _row("王无址", 25),
            _row("冯错号", 27, 房屋编号="F404"),
            {"户号": "H9", "姓名": "陈无关系", "公民身份号码": _id(29), "人口类别": "户籍人口", "网格": "第一网格",
             "社区/村": "河街社区"}]
    plan = plan_import(db, _file(tmp_path, rows), "residents", today=TODAY)
    issues = {}
    for e in plan.errors:
        issues.setdefault(e.row, (e.column, e.value, e.message))  # each row's first error
    assert issues[2][:2] == ("户号", "户籍人口") or issues[2][:2] == ("人口类别", "户籍人口")
    assert "户籍人口须填写户号" in issues[2][2]
    assert issues[3][0] == "人口类别" and "须填写人口类别" in issues[3][2]
    assert issues[4][0] == "小区" and "须填写房屋编号" in issues[4][2]
    assert issues[5][:2] == ("房屋编号", "F404") and "没有房屋编号为“F404”的房屋" in issues[5][2]
    assert issues[6][:2] == ("与户主关系", "") and issues[6][2] == "与户主关系不能为空"
    assert plan.counts()["inserted"] == 0


def test_a_later_file_moving_a_person_to_another_house_is_a_dated_move(world, tmp_path):
    db, _places, rental = world
    _run(db, _file(tmp_path, [_row("赵一", 11, 小区="幸福小区", 楼栋="3栋", 室="301", 登记日期="2025-01-05")]))
    moved = _file(tmp_path, [_row("赵一", 11, 小区="建设路", 门牌号="18号", 登记日期="2025-04-01")], "moved.xlsx")
    plan = plan_import(db, moved, "residents", today=TODAY)
    change = plan.rows[0].changes["house_id"]
    assert change == ("住所变更", "幸福小区3栋301室", "建设路18号（2025-04-01）")
    result = _run(db, moved)
    assert load_house(db, rental).tenants == 0
    card = load_house(db, rental)
    assert [(m.on, m.name, m.kind) for m in card.history][0] == (date(2025, 4, 1), "赵一", "搬离")
    undo_batch(db, result.batch_id)
    assert load_house(db, rental).tenants == 1


def test_the_residents_export_of_people_without_a_household_imports_back(world, tmp_path):
    db, _places, rental = world
    _run(db, _file(tmp_path, [_row("赵一", 11, 小区="幸福小区", 楼栋="3栋", 室="301"),
                              {"社区/村": "河街社区", "网格": "第一网格", "户号": "H1", "与户主关系": "户主",
                               "姓名": "周户主", "公民身份号码": _id(19, date(1970, 1, 1)), "人口类别": "户籍人口"}]))
    out = tmp_path / "export.xlsx"
    assert export_kind(db, "residents", out, full_numbers=True) == 2
    plan = plan_import(db, out, "residents", today=TODAY)
    assert not plan.errors and plan.counts()["unchanged"] == 2
