"""Files in the county platform's own template shape import as they are:
two-row headers folded into one column per group, the 填报单位 block read,
the platform's words (人户一致) understood, unkept columns named."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gridadmin.models import Person
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.filing_unit import read_filing_unit
from gridadmin.services.importing.header_groups import find_groups, join_parts
from tests.platform_templates import write_platform_xls, write_platform_xlsx
from tests.test_import_support import pid

TODAY = date(2025, 6, 1)


@pytest.fixture
def grid_db(township_db):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    return township_db


def _people() -> list[dict]:
    def row(name, relation, birth, seq, gender, status="人户一致", **extra):
        return {"姓名*": name, "所属网格*": "一网格", "性别*": gender, "出生日期": birth.isoformat(),
                "身份证号码*": pid(birth, seq), " 户号*": "330421000101", "与户主关系*": relation,
                "户籍地/省*": "浙江省", "户籍地/市*": "嘉兴市", "户籍地/区县*": "嘉善县", "民族*": "汉族",
                "政治面貌*": "群众", "文化程度*": "初中", "婚姻状况*": "已婚", "人户状态*": status,
                "是否外出*": "否", "外出原因*": "", "联系手机": "13800138000", "职业": "农民", **extra}
    return [row("钱建国", "户主", date(1970, 3, 1), 11, "男", **{"家庭称号/五好家庭": "是"}),
            row("孙美丽", "配偶", date(1972, 5, 9), 22, "女", **{"家庭称号/五好家庭": "是", "家庭称号/平安家庭": "是"}),
            row("钱小伟", "子", date(1998, 7, 7), 33, "男", status="人在户不在", **{
                "外出去向/省": "上海市", "外出去向/市": "上海市", "外出去向/区县": "浦东新区", "外出原因*": "务工"})]


@pytest.mark.parametrize("writer", [write_platform_xls, write_platform_xlsx], ids=["xls-merged", "xlsx-blanks"])
def test_household_register_template_imports_as_it_is(grid_db, tmp_path, writer):
    path = writer(tmp_path / f"HOUSEHOLDSTAFF.{'xls' if writer is write_platform_xls else 'xlsx'}", _people())
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    assert [(e.row, e.message) for e in plan.errors] == []
    assert plan.header_row == 5
    assert "户籍地（省/市/区县）" in plan.headers
    notes = plan.extra["notes"]
    assert any("两行表头" in n and "户籍地（省/市/区县）" in n for n in notes)
    assert any(n.startswith("填报单位（第 3 行）：浙江省嘉兴市嘉善县") and "河街社区" in n for n in notes)
    unused = plan.extra["unused_columns"]
    assert "外出原因*" in unused and "外出去向（省/市/区县）" in unused and "家庭称号（五好家庭/平安家庭）" in unused
    assert "户籍地（省/市/区县）" not in unused and "姓名*" not in unused
    assert [r.row for r in plan.rows] == [7, 8, 9]  # the sub-label row (6) is never data

    result = run_to_end(import_job(grid_db, path, "residents", today=TODAY))
    assert result.to_dict()["inserted"] == 3 and result.committed
    with grid_db.session() as s:
        people = {p.name: p for p in s.scalars(select(Person))}
    assert people["钱建国"].hukou_place == "浙江省嘉兴市嘉善县"
    assert people["钱建国"].residence_status == "1"  # 人户一致 = 人户同在
    assert people["钱小伟"].residence_status == "3"
    assert people["钱建国"].relation == "02"
    assert people["钱建国"].phone == "13800138000"  # 联系手机: the phone of a file without 联系电话
    assert people["钱建国"].category == "1"  # the title 户籍人口信息登记表


def test_filing_unit_community_is_checked_like_a_community_column(grid_db, tmp_path):
    """A 填报单位 naming a community the township does not have refuses the
    rows, naming the value, as a 社区/村 column would."""
    path = write_platform_xlsx(tmp_path / "other.xlsx", _people(),
                               unit=("浙江省", "嘉兴市", "嘉善县", "某某镇", "东门社区"))
    plan = plan_import(grid_db, path, "residents", today=TODAY)
    assert plan.errors and all("东门社区" in e.message for e in plan.errors if e.row == 7)
    # the value is in the block, not in a column of the file: the message says so
    assert all(e.message.startswith("填报单位（第 3 行）的社区/村“东门社区”：") for e in plan.errors)


def test_unfilled_placeholders_are_not_a_place():
    rows = [["1.0", "户籍人口信息登记表"], ["填报单位：", "某某省", "省*", "某某市", "市*", "某某区", "市/县/区*",
                                            "某某镇", "乡镇/街道*", "某某社区", "社区/村*"], [], ["姓名*"]]
    assert read_filing_unit(rows, 3) is None
    inline = read_filing_unit([["填报单位：东关街道"], ["姓名"]], 1)
    assert (inline.township, inline.community) == ("东关街道", "")
    labelled = read_filing_unit([["填报单位", "社区：", "东门社区"], ["姓名"]], 1)
    assert labelled.community == "东门社区"


def test_a_data_row_under_the_header_is_not_a_sub_header():
    header = ["姓名", "户籍地", "", "", "民族"]
    assert find_groups(header, ["", "省", "市", "区县", ""]) == [(1, 3)]
    assert find_groups(header, ["张三", "浙江省", "嘉兴市", "嘉善县", "汉族"]) is None
    assert find_groups(header, ["姓名", "省", "市", "区县", "民族"]) == [(1, 3)]  # vertical merges repeat
    assert find_groups(["姓名", "民族"], ["", ""]) is None
    assert join_parts(["省", "市", "区县"], ["浙江省", "", "嘉善县"]) == "浙江省嘉善县"
    assert join_parts(["五好家庭", "平安家庭"], ["是", ""]) == "五好家庭：是"


def test_mapping_step_shows_the_group_and_its_joined_sample(grid_db, tmp_path):
    from gridadmin.services.importing.overview import inspect_file

    path = write_platform_xls(tmp_path / "HOUSEHOLDSTAFF.xls", _people())
    overview = inspect_file(path, "residents")
    column = overview.headers.index("户籍地（省/市/区县）")
    assert overview.columns["hukou_place"] == column
    assert overview.samples[column] == "浙江省嘉兴市嘉善县"
    assert overview.data_rows == 3  # the sub-label row is not counted
    community = overview.headers.index("社区/村（填报单位）")
    assert overview.columns["community"] == community and overview.letters[community] == "填报单位"
    category = overview.headers.index("人口类别（表名）")  # the title 户籍人口信息登记表 says it
    assert overview.columns["category"] == category and overview.letters[category] == "表名"
    assert overview.letters[0] == "A" and overview.samples[category] == "户籍人口"


def test_grid_team_template_imports_with_its_filing_unit(grid_db, tmp_path):
    from tests.platform_templates import write_gridteam_xls

    people = [{"姓名*": name, "所属网格": "一网格", "身份证号码*": pid(birth, seq), "性别*": gender,
               "出生年月*": birth.isoformat(), "联系电话": "13900139000", "专兼职情况*": kind,
               "政治面貌*": "中共党员", "文化程度*": "大学专科", "登记时间*": "2024-03-01"}
              for name, birth, seq, gender, kind in (("周晓燕", date(1990, 4, 2), 44, "女", "专职"),
                                                      ("吴强", date(1985, 8, 9), 55, "男", "兼职"))]
    path = write_gridteam_xls(tmp_path / "GRIDTEAM.xls", people)
    plan = plan_import(grid_db, path, "staff", today=TODAY)
    assert [(e.row, e.column, e.message) for e in plan.errors] == []
    assert any("填报单位" in n and "河街社区" in n for n in plan.extra["notes"])
    assert run_to_end(import_job(grid_db, path, "staff", today=TODAY)).to_dict()["inserted"] == 2


def test_platform_dictionary_words_map_onto_the_national_codes(grid_db):
    """The words of the platform's 属性字典 (人户状态, 政治面貌, 与户主关系,
    文化程度) are read as the national codes they mean, in a database
    seeded before they were known."""
    from sqlalchemy import delete

    from gridadmin.models import CodeAlias
    from gridadmin.services.common.codes import CodeBook

    with grid_db.session() as s:  # as an older version seeded it: none of the platform's words
        s.execute(delete(CodeAlias).where(CodeAlias.alias.in_(["人户一致", "中国共产主义青年团团员", "小集体户主"])))
        s.commit()
    with grid_db.session() as s:
        assert not s.scalar(select(CodeAlias.code).where(CodeAlias.alias == "人户一致"))
        book = CodeBook.load(s)
    assert book.lookup("residence_status", "人户一致") == "1"
    assert book.lookup("political", "中国共产主义青年团团员") == "03"
    assert book.lookup("political", "中国民主促进会会员") == "07"
    assert book.lookup("political", "中国少年先锋队") == "13"
    assert book.lookup("relation", "小集体户主") == "02"
    assert book.lookup("relation", "孙子（女）") == "40"
    assert book.lookup("education", "文盲") == "90"


def test_special_group_templates_import_as_groups(grid_db, tmp_path):
    """社区矫正 (RECTIFICATIVEPERSON) and 刑释解教 (POSITIVEINFO) files give
    the people of the register their group: the kind from the title, the
    platform's dates and 刑法执行类别 words read as the kind's fields."""
    from gridadmin.models import PersonTag, TagKind
    from gridadmin.services.register import group_fields
    from tests.platform_templates import POSITIVE_COLUMNS, RECTIFICATIVE_COLUMNS

    people = _people()
    assert run_to_end(import_job(grid_db, write_platform_xlsx(tmp_path / "h.xlsx", people), "residents",
                                 today=TODAY)).committed
    son, father = people[2], people[0]
    common = {"所属网格*": "一网格", "民族*": "汉族", "政治面貌*": "群众", "文化程度*": "初中", "婚姻状况*": "未婚",
              "现住地址*": "河街社区"}
    corrections = [{**common, "姓名*": son["姓名*"], "性别*": "男", "身份证号码*": son["身份证号码*"],
                    "社区矫正开始时间*": "2025-01-10", "社区矫正结束时间*": "2026-01-09", "原判刑期": "一年",
                    "刑法执行类别*": "缓刑人员", "籍贯/省*": "浙江省", "籍贯/市*": "嘉兴市", "籍贯/县*": "嘉善县"}]
    path = write_platform_xls(tmp_path / "RECTIFICATIVEPERSON.xls", corrections, title="矫正人员信息登记表",
                              columns=RECTIFICATIVE_COLUMNS)
    plan = plan_import(grid_db, path, "groups", today=TODAY)
    assert [(e.row, e.column, e.message) for e in plan.errors] == []
    assert "原判刑期" in plan.extra["unused_columns"] and "籍贯（省/市/县）" in plan.extra["unused_columns"]
    assert run_to_end(import_job(grid_db, path, "groups", today=TODAY)).to_dict()["inserted"] == 1

    released = [{**common, "姓名*": father["姓名*"], "性别*": "男", "身份证号码*": father["身份证号码*"],
                 "人员类型*": "刑满释放人员", "解教(刑释)日期*": "2024-12-01", "原罪名/原罪错*": "盗窃",
                 "原判刑期*": "二年", "服刑(劳改)场所*": "某监狱", "户籍地*/省*": "浙江省", "户籍地*/市*": "嘉兴市",
                 "户籍地*/县*": "嘉善县", "婚姻状况*": "已婚"}]
    path = write_platform_xls(tmp_path / "POSITIVEINFO.xls", released, title="刑释解教人员信息登记表",
                              columns=POSITIVE_COLUMNS)
    plan = plan_import(grid_db, path, "groups", today=TODAY)
    assert [(e.row, e.column, e.message) for e in plan.errors] == []
    assert run_to_end(import_job(grid_db, path, "groups", today=TODAY)).to_dict()["inserted"] == 1
    with grid_db.session() as s:
        tags = {(name, code): group_fields.loads(details) for name, code, details in s.execute(
            select(Person.name, TagKind.code, PersonTag.details).join(Person, Person.id == PersonTag.person_id)
            .join(TagKind, TagKind.id == PersonTag.tag_kind_id))}
    assert tags[(son["姓名*"], "corrections")]["correction_type"] == "缓刑"
    assert tags[(son["姓名*"], "corrections")]["correction_end"] == "2026-01-09"
    assert tags[(father["姓名*"], "released")]["released_on"] == "2024-12-01"


def test_every_title_word_names_a_kind_the_import_reads(grid_db):
    """Each 特殊人群 title rule gives a kind name the ``groups`` import
    understands (the seeded kinds' short forms)."""
    from gridadmin.models import TagKind
    from gridadmin.services.importing.groups import GROUPS, _spellings
    from gridadmin.services.importing.template_title import TITLE_RULES, title_value

    with grid_db.session() as s:
        names = _spellings(s.scalars(select(TagKind)).all())
    _key, _header, words = TITLE_RULES["groups"]
    assert {value for _word, value in words} <= set(names)
    assert title_value(GROUPS, "易肇事肇祸精神病人信息登记表") == "严重精神障碍"
    assert title_value(GROUPS, "吸毒人员信息登记表") == "吸毒"
    assert title_value(GROUPS, "人员信息登记表") is None


def test_the_title_is_the_first_row_of_text_only():
    from gridadmin.services.importing.residents import RESIDENTS
    from gridadmin.services.importing.template_title import title_of, title_value

    rows = [["1.0", "流动人口信息登记表", "流动人口信息登记表"], ["", "填写注意事项：户籍人口请用户籍人口信息登记表"],
            ["填报单位：", "河街社区", "社区/村*"], [], ["姓名*"]]
    assert title_of(rows, 4) == "流动人口信息登记表" and title_value(RESIDENTS, title_of(rows, 4)) == "流动人口"
    assert title_of([["填报单位：河街社区"], ["流动人口"], ["姓名"]], 2) == ""  # not above the block
    both = title_of([["户籍人口、流动人口登记表"], ["姓名"]], 1)
    assert title_value(RESIDENTS, both) is None  # two categories: nothing implied
    assert title_value(RESIDENTS, "流动人口导入说明") is None  # a 登记表 title only


def test_gridadmins_own_houses_template_is_not_a_rental_list(grid_db, tmp_path):
    """Its title "房屋/出租房导入模板" names 出租房 but implies nothing: each
    row's 房屋用途 is what it says."""
    import openpyxl

    from gridadmin.models import House
    from gridadmin.services.importing.template import write_template

    path = tmp_path / "houses.xlsx"
    write_template("houses", path, grid_db)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[3]]
    values = {"社区/村": "河街社区", "所属网格": "一网格", "小区/街路巷": "幸福小区", "楼栋": "1栋", "室": "101",
              "房屋用途": "自住"}
    for c, header in enumerate(headers, start=1):
        name = str(header or "").rstrip("*")
        if name in values:
            sheet.cell(4, c, values[name])
    book.save(path)
    plan = plan_import(grid_db, path, "houses", today=TODAY)
    assert [(e.row, e.message) for e in plan.errors] == [] and "是否出租房（表名）" not in plan.headers
    assert run_to_end(import_job(grid_db, path, "houses", today=TODAY)).committed
    with grid_db.session() as s:
        assert s.scalar(select(House.purpose)) == "自住"


def test_disabled_template_lists_the_columns_its_kind_does_not_keep(grid_db, tmp_path):
    """残疾人信息登记表: the kind from the title; its 监护人 (kept by GridAdmin
    for 严重精神障碍 only) is listed as 未导入的列, not refused."""
    from gridadmin.models import PersonTag
    from tests.platform_templates import HANDICAPPED_COLUMNS

    people = _people()
    assert run_to_end(import_job(grid_db, write_platform_xlsx(tmp_path / "h.xlsx", people), "residents",
                                 today=TODAY)).committed
    rows = [{"姓名*": people[1]["姓名*"], "所属网格*": "一网格", "性别*": "女", "身份证号码*": people[1]["身份证号码*"],
             "残疾原因*": "疾病", "残疾类型*": "肢体残疾", "残疾等级": "二级", "监护人": "钱建国"}]
    path = write_platform_xls(tmp_path / "HANDICAPPED.xls", rows, title="残疾人信息登记表", columns=HANDICAPPED_COLUMNS)
    plan = plan_import(grid_db, path, "groups", today=TODAY)
    assert [(e.row, e.column, e.message) for e in plan.errors] == []
    assert {"监护人", "残疾原因*"} <= set(plan.extra["unused_columns"])
    assert run_to_end(import_job(grid_db, path, "groups", today=TODAY)).to_dict()["inserted"] == 1
    with grid_db.session() as s:
        [details] = s.scalars(select(PersonTag.details)).all()
    assert "肢体残疾" in details and "二级" in details
