"""The county platform's 境外人员 template (OVERSEASTAFF) imports as it is
(issue #22): people registered by passports and 通行证 (证件类型), their
国籍 and document validity kept, birth date and gender from their own
columns, both phones kept; the template has no address, so each person is
registered at their grid's “地址待补” house with a warning on the row.
Generated people (fictitious numbers) on real databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from gridadmin.models import House, Person
from gridadmin.services.common.errors import ConflictError
from gridadmin.services.common.id_types import (
    FOREIGN_PR, HK_MACAU_PERMIT, ID_CARD, PASSPORT, TAIWAN_PERMIT, DocumentError, check_document, id_type_of,
)
from gridadmin.services.common.idcard import make_id_number, mask_id_number
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.demo.overseas import fictitious_number
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.export import export_kind
from gridadmin.services.importing.resident_houses import ADDRESS_PENDING
from tests.platform_templates import FLOATING_COLUMNS, OVERSEAS_COLUMNS, write_platform_xls, write_platform_xlsx
from tests.test_import_platform_people import _floating, grid_db  # noqa: F401  (fixture)

TODAY = date(2025, 6, 1)
TITLE = "境外人员信息登记表"


def _people() -> list[dict]:
    def row(english, chinese, kind, number, gender, birth, nationality, **extra):
        return {"英文名*": english, "所属网格*": "一网格", "性别*": gender, "*证件种类": kind, "证件号码*": number,
                "出生日期": birth, "中文名": chinese, "流入原因": "务工经商", "国籍": nationality,
                "邮箱": "someone@example.com", "工作单位或就读学校": "嘉善某贸易公司", "职业": "商务人员",
                "固定电话": "0573-84123456", "联系手机": "13500135000", "证件有效期开始时间": "2024-01-10",
                "证件有效期结束时间": "2029-01-09", "抵达时间": "2024-09-01", **extra}
    return [row("KIM MIN JUN", "金民俊", "护照", fictitious_number(PASSPORT, 1, "M"), "男", "1990-03-04", "韩国"),
            row("CHAN TAI MAN", "陈大文", "港澳出入证", fictitious_number(HK_MACAU_PERMIT, 2, "H"), "男", "1985-05-05",
                "中国香港", 固定电话=""),
            row("LIN MEI LING", "林美玲", "台胞证", fictitious_number(TAIWAN_PERMIT, 3), "女", "1992-10-10", "中国台湾",
                联系手机=""),
            row("ANNA MUELLER", "", "外国人永久居留身份证", make_id_number("931276", date(1988, 8, 8), 22), "女",
                "", "德国")]


@pytest.mark.parametrize("writer", [write_platform_xls, write_platform_xlsx], ids=["xls", "xlsx"])
def test_overseas_template_imports_as_it_is(grid_db, tmp_path, writer):  # noqa: F811
    db, _house = grid_db
    suffix = "xls" if writer is write_platform_xls else "xlsx"
    path = writer(tmp_path / f"OVERSEASTAFF.{suffix}", _people(), title=TITLE, columns=OVERSEAS_COLUMNS)
    plan = plan_import(db, path, "residents", today=TODAY)
    assert [(e.row, e.column, e.value, e.message) for e in plan.errors] == []
    assert plan.counts()["inserted"] == 4
    notes = [[w.message for w in r.warnings] for r in plan.rows]
    assert notes[0] == ["文件没有现住地址列：登记在一网格的“地址待补”房屋，请在人员信息中改为实际现住房屋",
                        "将新建房屋：地址待补（一网格）"]
    assert all(n == notes[0] for n in notes)
    unused = plan.extra["unused_columns"]
    assert {"*证件种类", "国籍", "证件有效期结束时间", "固定电话", "联系手机"}.isdisjoint(unused)

    result = run_to_end(import_job(db, path, "residents", today=TODAY))
    assert result.committed and result.to_dict()["inserted"] == 4
    with db.session() as s:
        people = {p.name: p for p in s.scalars(select(Person))}
        pending_house = s.scalar(select(House).where(House.compound == ADDRESS_PENDING))
        assert s.scalar(select(func.count()).select_from(House).where(House.compound == ADDRESS_PENDING)) == 1
    assert {p.category for p in people.values()} == {"4"}  # 境外人员
    assert all(p.household_id is None and p.house_id == pending_house.id for p in people.values())
    kim = people["KIM MIN JUN"]
    assert (kim.id_type, kim.id_number) == (PASSPORT, fictitious_number(PASSPORT, 1, "M"))
    assert (kim.birth_date, kim.gender, kim.nationality) == (date(1990, 3, 4), "1", "韩国")  # own columns
    assert kim.document_valid_until == date(2029, 1, 9) and kim.inflow_date == date(2024, 9, 1)
    assert (kim.phone, kim.other_phone) == ("13500135000", "0573-84123456")  # nothing lost
    assert (people["CHAN TAI MAN"].phone, people["CHAN TAI MAN"].other_phone) == ("13500135000", None)
    assert (people["LIN MEI LING"].phone, people["LIN MEI LING"].other_phone) == ("0573-84123456", None)
    assert people["CHAN TAI MAN"].id_type == HK_MACAU_PERMIT and people["LIN MEI LING"].id_type == TAIWAN_PERMIT
    anna = people["ANNA MUELLER"]  # an 18-digit card tells the birth date and gender
    assert (anna.id_type, anna.birth_date, anna.gender) == (FOREIGN_PR, date(1988, 8, 8), "2")

    again = plan_import(db, path, "residents", today=TODAY)  # the same file again: nothing to do
    assert not again.errors and again.counts()["unchanged"] == 4
    assert export_kind(db, "residents", tmp_path / "back.xlsx", full_numbers=True) == 4  # exported, and back
    back = plan_import(db, tmp_path / "back.xlsx", "residents", today=TODAY)
    assert [(e.row, e.column, e.message) for e in back.errors] == [] and back.counts()["unchanged"] == 4


def test_a_bad_passport_number_is_refused_naming_row_column_and_value(grid_db, tmp_path):  # noqa: F811
    db, _house = grid_db
    people = _people()
    people[0]["证件号码*"] = "E12#45"
    people[1]["*证件种类"] = "驾驶证"
    path = write_platform_xls(tmp_path / "OVERSEASTAFF.xls", people, title=TITLE, columns=OVERSEAS_COLUMNS)
    plan = plan_import(db, path, "residents", today=TODAY)
    found = {(e.row, e.column, e.value): e.message for e in plan.errors}
    assert set(found) == {(6, "证件号码*", "E12#45"), (7, "*证件种类", "驾驶证")}
    assert found[(6, "证件号码*", "E12#45")] == "护照号码“E12#45”含有非法字符 「#」，应为 5–17 位字母或数字（如 E12345678）"
    assert found[(7, "*证件种类", "驾驶证")].startswith("证件类型“驾驶证”无效：应为居民身份证、护照")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 0


def test_the_same_passport_twice_is_refused_by_the_database(grid_db):  # noqa: F811
    """Two clerks' writes bypassing the checks: the unique index on
    (证件类型, 证件号码) refuses the second 在册 person; the same number of
    another type is another document."""
    db, house = grid_db
    number = fictitious_number(PASSPORT, 42, "E")

    def add(name, id_type):
        with db.session() as s:
            s.add(Person(name=name, id_type=id_type, id_number=number, house_id=house, category="4",
                         status="在册"))

    add("JOHN SMITH", PASSPORT)
    with pytest.raises(ConflictError) as refused:
        add("JOHN SMYTH", PASSPORT)
    assert f"护照号码 {mask_id_number(number)} 已登记为在册人员 JOHN SMITH" in str(refused.value)
    add("CHAN SIU MING", HK_MACAU_PERMIT)  # not the same document
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 2


def test_existing_people_are_resident_id_holders(township_db):
    from gridadmin.services.register.resident_record import ResidentData, normalise_resident

    data = normalise_resident(ResidentData(name="张三", id_number=make_id_number("411302", date(1980, 1, 2), 11)),
                              TODAY)
    assert data.id_type == ID_CARD and data.birth_date == date(1980, 1, 2) and data.gender == "1"


def test_document_shapes():
    assert check_document(PASSPORT, " e1234 5678 ").number == "E12345678"
    assert check_document(HK_MACAU_PERMIT, "H12345678").birth_date is None
    assert check_document(TAIWAN_PERMIT, 12345678).number == "12345678"
    with pytest.raises(DocumentError, match="应为 H 或 M 加 8 位数字"):
        check_document(HK_MACAU_PERMIT, "X1234567")
    with pytest.raises(DocumentError, match="应以 9 开头"):
        check_document(FOREIGN_PR, make_id_number("411302", date(1980, 1, 2), 11))
    assert check_document(FOREIGN_PR, "ABC123456789012").number == "ABC123456789012"
    assert [id_type_of(w) for w in ("护照", "港澳出入证", "台胞证", "旅游证", "身份证", "")] == \
        [PASSPORT, HK_MACAU_PERMIT, TAIWAN_PERMIT, "990", ID_CARD, None]
    assert mask_id_number("E12345678") == "E******78"


def test_both_phones_of_the_floating_template_are_kept(grid_db, tmp_path):  # noqa: F811
    """联系电话 and 联系手机 both filled: the mobile is the phone, the
    landline the 其他电话; no 联系手机 among the 未导入的列."""
    db, _house = grid_db
    people = _floating()[:2]
    people[0].update({"联系电话": "0573-84000001", "联系手机": "13900139000"})
    people[1].update({"联系电话": "13700137000", "联系手机": "13900139001"})
    path = write_platform_xlsx(tmp_path / "f.xlsx", people, title="流动人口信息登记表", columns=FLOATING_COLUMNS)
    plan = plan_import(db, path, "residents", today=TODAY)
    assert not plan.errors and "联系手机" not in plan.extra["unused_columns"]
    assert run_to_end(import_job(db, path, "residents", today=TODAY)).committed
    with db.session() as s:
        phones = {p.name: (p.phone, p.other_phone) for p in s.scalars(select(Person))}
    assert phones == {"韩卫东": ("13900139000", "0573-84000001"), "韩秀英": ("13700137000", "13900139001")}


def test_our_own_template_takes_a_passport_holder(grid_db, tmp_path):  # noqa: F811
    """下载模板: 证件类型 (a dropdown of the types), 国籍, 证件有效期至 and
    其他电话 are columns; a passport holder with a 临时居所-like address imports."""
    import openpyxl

    from gridadmin.services.importing.template import LISTS_SHEET
    from tests.test_import_template import _column, _fill, _validation_of

    db, house = grid_db
    number = fictitious_number(PASSPORT, 11, "G")
    path = _fill(tmp_path / "人口.xlsx", "residents", {
        "社区/村": "河街社区", "网格": "一网格", "姓名*": "JOHN SMITH", "公民身份号码*": number, "证件类型": "护照",
        "性别": "男", "出生日期": "1975-07-07", "人口类别": "境外人员", "国籍": "美国", "证件有效期至": "2027-12-31",
        "住址": "幸福小区3栋2单元301室", "联系电话": "0573-84123456", "其他电话": "13600136001"}, db)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    dropdown = _validation_of(ws, _column(ws, "证件类型"))
    letter = dropdown.formula1.split("!$")[1].split("$")[0]
    assert [c.value for c in wb[LISTS_SHEET][letter] if c.value][:3] == ["居民身份证", "护照", "外国人永久居留身份证"]
    plan = plan_import(db, path, "residents", today=TODAY)
    assert [(e.row, e.column, e.message) for e in plan.errors] == []
    assert run_to_end(import_job(db, path, "residents", today=TODAY)).committed
    with db.session() as s:
        john = s.scalar(select(Person).where(Person.name == "JOHN SMITH"))
    assert (john.id_type, john.id_number, john.nationality, john.house_id) == (PASSPORT, number, "美国", house)
    assert (john.phone, john.other_phone, john.birth_date) == ("13600136001", "0573-84123456", date(1975, 7, 7))
