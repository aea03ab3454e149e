"""The ``houses`` import kind (房屋/出租房 lists): dry run, commit, errors
naming row/column/value, update by 房屋编号, undo, template with dropdowns,
and an export that imports back unchanged. Real databases."""

from __future__ import annotations


import openpyxl
import pytest
from sqlalchemy import func, select

from gridadmin.models import House
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.export import export_kind
from gridadmin.services.importing.template import write_template
from gridadmin.services.importing.undo import undo_batch
from gridadmin.services.register.houses import load_house
from tests import staffdata

def run_import(db, path, kind):
    return run_to_end(import_job(db, path, kind))


HEADER = ["序号", "房屋编号", "社区/村", "所属网格", "小区/街路巷", "楼栋", "单元", "室", "村民小组", "门牌号",
          "房屋用途", "产权人", "房主", "房主电话", "出租间数", "限住人数", "隐患/备注"]


def _file(tmp_path, rows, name="houses.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


ROWS = [
    [1, "", "河街社区", "第一网格", "幸福小区", "3栋", "2单元", "301", "", "", "出租", "李大明", "李大明",
     "13912345678", 2, 3, "电动车楼道充电"],
    [2, "", "", "第一网格", "幸福小区", "3栋", "2单元", "302", "", "", "自住", "张小", "", "", "", "", ""],
    [3, "", "粮行社区", "粮行网格", "", "", "", "", "五组", "8号", "闲置", "", "", "", "", "", ""],
]


@pytest.fixture
def places(township_db):
    return staffdata.grids(township_db)


def test_houses_import_dry_run_commit_and_undo(township_db, places, tmp_path):
    db = township_db
    path = _file(tmp_path, ROWS)
    plan = plan_import(db, path, "houses")
    assert plan.counts()["inserted"] == 3 and not plan.errors
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(House)) == 0  # the dry run wrote nothing
    result = run_import(db, path, "houses")
    assert result.committed
    with db.session() as s:
        houses = {h.address: h for h in s.scalars(select(House))}
    assert set(houses) == {"幸福小区3栋2单元301室", "幸福小区3栋2单元302室", "五组8号"}
    rental = load_house(db, houses["幸福小区3栋2单元301室"].id)
    assert (rental.data.purpose, rental.data.landlord, rental.data.occupancy_limit) == ("出租", "李大明", 3)
    assert houses["五组8号"].area_id == places["粮行网格"]
    assert len({h.house_no for h in houses.values()}) == 3
    # the same file again: nothing new, nothing changed
    again = plan_import(db, path, "houses")
    assert again.counts()["unchanged"] == 3
    undo_batch(db, result.batch_id)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(House)) == 0


def test_bad_house_rows_name_row_column_and_value(township_db, places, tmp_path):
    rows = [
        [1, "", "河街社区", "第一网格", "幸福小区", "1栋", "", "101", "", "", "宿舍", "", "", "", "", "", ""],
        [2, "", "河街社区", "第一网格", "幸福小区", "1栋", "", "102", "", "", "出租", "", "", "", "", "", ""],
        [3, "", "河街社区", "第九网格", "幸福小区", "1栋", "", "103", "", "", "自住", "", "", "", "", "", ""],
        [4, "", "河街社区", "第一网格", "幸福小区", "1栋", "", "104", "", "", "出租", "", "王五", "123", "", "", ""],
        [5, "", "河街社区", "第一网格", "幸福小区", "1栋", "", "105", "", "", "出租", "", "王五", "", "两间", "", ""],
        [6, "", "河街社区", "第一网格", "", "", "", "106", "", "", "自住", "", "", "", "", "", ""],
        [7, "", "河街社区", "第一网格", "幸福小区", "1栋", "", "101", "", "", "自住", "", "", "", "", "", ""],
        [8, "", "河街社区", "第一网格", "幸福小区", "1栋", "", "101", "", "", "自住", "", "", "", "", "", ""],
    ]
    plan = plan_import(township_db, _file(tmp_path, rows), "houses")
    issues = {(e.row, e.column): (e.value, e.message) for e in plan.errors}
    assert issues[(2, "房屋用途")][0] == "宿舍" and "房屋用途“宿舍”无效" in issues[(2, "房屋用途")][1]
    assert "出租房须填写房主" in issues[(3, "房主")][1]
    assert issues[(4, "所属网格")][0] == "第九网格"
    assert issues[(5, "房主电话")][0] == "123"
    assert issues[(6, "出租间数")] == ("两间", "出租间数“两间”不是整数")
    assert "小区/街路巷或村民小组" in issues[(7, "小区/街路巷")][1]
    assert {r for r, _c in issues} >= {8, 9}  # rows 8 and 9 name the same address
    assert plan.counts()["inserted"] == 0


def test_an_export_imports_back_unchanged_and_a_changed_row_updates(township_db, places, tmp_path):
    db = township_db
    run_import(db, _file(tmp_path, ROWS), "houses")
    out = tmp_path / "export.xlsx"
    assert export_kind(db, "houses", out, full_numbers=True) == 3
    plan = plan_import(db, out, "houses")
    assert plan.counts()["unchanged"] == 3 and not plan.errors
    book = openpyxl.load_workbook(out)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    limit = header.index("限住人数") + 1
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("房屋用途")].value == "出租":
            row[limit - 1].value = "1"
    book.save(out)
    result = run_import(db, out, "houses")
    assert result.plan.counts()["updated"] == 1
    with db.session() as s:
        assert s.scalar(select(House.occupancy_limit).where(House.purpose == "出租")) == 1
    undo_batch(db, result.batch_id)
    with db.session() as s:
        assert s.scalar(select(House.occupancy_limit).where(House.purpose == "出租")) == 3


def test_the_template_offers_the_uses_as_a_dropdown(township_db, places, tmp_path):
    path = tmp_path / "template.xlsx"
    write_template("houses", path, db=township_db)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[3]]
    column = header.index("房屋用途")
    lists = book[book.sheetnames[1]]
    found = {}
    for dv in sheet.data_validations.dataValidation:
        letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
        cells = dv.formula1.split("!")[1].replace("$", "").split(":")
        found[letter] = [lists[c].value for c in (cells if len(cells) == 1 else
                         [f"{cells[0][0]}{n}" for n in range(int(cells[0][1:]), int(cells[1][1:]) + 1)])]
    from openpyxl.utils import get_column_letter
    assert found[get_column_letter(column + 1)] == ["自住", "出租", "闲置", "经营", "其他"]
    assert "河街社区" in found[get_column_letter(header.index("社区/村") + 1)]
