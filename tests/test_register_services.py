"""Household register services without Qt: the households list, the
resident record, tags, the timeline and the per-community counts (today
and as of a past day)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from gridadmin.models import Area, AuditLog, Person, PersonTag, TagKind
from gridadmin.services.register import life_events
from gridadmin.services.access.permissions import Actor, PermissionDeniedError
from gridadmin.services.common.errors import ConflictError, ValidationError
from gridadmin.services.register.household_list import HouseholdFilter, household_columns, household_source
from gridadmin.services.register.households import HouseholdData, MemberData, save_household
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register.resident_record import load_resident, save_resident
from gridadmin.services.register.special_groups import count_columns, special_group_counts
from gridadmin.services.register.tags import person_tags, set_person_tags

OFFICIAL = Actor(7, "lead", "领导", frozenset({"official"}))
ZHANG = make_id_number("411302", date(1970, 5, 6), 13)
LI = make_id_number("411302", date(1972, 3, 4), 24)
SON = make_id_number("411302", date(1998, 1, 2), 35)
WANG = make_id_number("411302", date(1990, 8, 8), 26)


@pytest.fixture
def reg(township_db):
    db = township_db
    with db.session() as s:
        first, second = s.scalars(select(Area.id).where(Area.level == "community").order_by(Area.id).limit(2))
        grid = Area(name="测试网格", level="grid", parent_id=second, grid_code="411302001099001")
        s.add(grid)
        s.flush()
        grid_id = grid.id
    h1 = save_household(db, None, HouseholdData("4113020010010001", first, compound="幸福小区", building="3号楼",
                                                phone="13812345678"),
                        [MemberData(None, "张三", ZHANG, relation="02", phone="13812345678"),
                         MemberData(None, "李四", LI, relation="10"),
                         MemberData(None, "张小五", SON, relation="20")], today=date(2025, 1, 1))
    h2 = save_household(db, None, HouseholdData("4113020010020002", grid_id, village_group="东村一组", door_no="8号"),
                        [MemberData(None, "王芳", WANG, relation="02")], today=date(2025, 1, 1))
    with db.session() as s:
        kinds = {k.code: k.id for k in s.scalars(select(TagKind))}
        people = {p.name: p.id for p in s.scalars(select(Person))}
    return db, {"first": first, "second": second, "grid": grid_id, "h1": h1, "h2": h2}, kinds, people


def _rows(db, f, sort=None):
    source = household_source(db)
    query = PageQuery(f, sort)
    return source.window(query, 0, source.count(query))


def test_household_list_searches_filters_and_shows_head_and_members(reg):
    db, ids, _kinds, _people = reg
    rows = _rows(db, HouseholdFilter())
    assert [(r.household_no, r.head, r.members) for r in rows] == [("4113020010010001", "张三", 3),
                                                                   ("4113020010020002", "王芳", 1)]
    assert rows[0].address == "幸福小区3号楼" and rows[1].grid == "外号社区·测试网格"
    for typed, expected in (("41130200100200", ["王芳"]), ("zs", ["张三"]), ("wangf", ["王芳"]), ("张", ["张三"]),
                            ("李", []),  # not a head
                            ("幸福", ["张三"]), ("东村", ["王芳"]), ("138", ["张三"])):
        assert [r.head for r in _rows(db, HouseholdFilter(search=typed))] == expected, typed
    assert [r.head for r in _rows(db, HouseholdFilter(area_id=ids["second"]))] == ["王芳"]
    assert [r.head for r in _rows(db, HouseholdFilter(area_id=ids["grid"]))] == ["王芳"]
    assert [r.head for r in _rows(db, HouseholdFilter(), "grid")][0] == "张三"
    phone = {c.key: c for c in household_columns(False)}["phone"]
    assert phone.text(rows[0]) == "138****5678"
    assert {c.key: c for c in household_columns(True)}["phone"].text(rows[0]) == "13812345678"


def test_dissolved_households_only_when_asked(reg):
    db, ids, _kinds, people = reg
    life_events.move_out(db, people["王芳"], date(2025, 6, 1), "郑州市")
    assert [r.head for r in _rows(db, HouseholdFilter())] == ["张三"]
    rows = _rows(db, HouseholdFilter(include_dissolved=True))
    assert [(r.household_no, r.members, r.state) for r in rows][1] == ("4113020010020002", 0, "已注销")


def test_resident_record_saves_every_field_and_clears_floating_fields(reg):
    db, _ids, _kinds, people = reg
    record = load_resident(db, people["李四"])
    assert (record.data.gender, record.data.birth_date, record.household_no) == ("2", date(1972, 3, 4),
                                                                                 "4113020010010001")
    data = replace(record.data, category="3", inflow_date=date(2024, 3, 1), inflow_reason="务工",
                   origin_place="河南省信阳市", residence_permit_no="JZ123", dwelling_type="租赁房屋",
                   marital_status="20", education="70", occupation="个体", phone=" 139 1234 5678 ",
                   hukou_place="信阳市平桥区")
    save_resident(db, record.id, data, expected_version=record.version, today=date(2026, 1, 1))
    saved = load_resident(db, record.id)
    assert (saved.data.inflow_reason, saved.data.phone, saved.data.marital_status) == ("务工", "13912345678", "20")
    with db.session() as s:
        assert s.scalar(select(AuditLog.summary).where(AuditLog.entity == "person").order_by(AuditLog.id.desc())
                        ) == "人员信息：李四"
    # a stale version is a conflict
    with pytest.raises(ConflictError):
        save_resident(db, record.id, data, expected_version=record.version, today=date(2026, 1, 1))
    save_resident(db, record.id, replace(saved.data, category="1"), expected_version=saved.version,
                  today=date(2026, 1, 1))
    cleared = load_resident(db, record.id).data
    assert (cleared.inflow_date, cleared.inflow_reason, cleared.origin_place) == (None, "", "")


def test_resident_record_refusals_name_field_and_value(reg):
    db, _ids, _kinds, people = reg
    record = load_resident(db, people["李四"])
    today = date(2026, 1, 1)
    cases = [
        (replace(record.data, id_number=WANG, birth_date=None, gender=None), "王芳（户号 4113020010020002）"),
        (replace(record.data, id_number="411302197203041234"), "身份证号 411302197203041234 有误"),
        (replace(record.data, gender="1"), "性别“男”与身份证号"),
        (replace(record.data, name=" "), "姓名不能为空"),
        (replace(record.data, phone="12345"), "联系电话“12345”格式不对"),
        (replace(record.data, category="3", inflow_date=date(2027, 1, 1)), "流入时间 2027-01-01 晚于今天"),
        (replace(record.data, category="3", inflow_date=date(2024, 1, 1),
                 residence_permit_expires=date(2023, 1, 1)), "居住证有效期 2023-01-01 早于流入时间"),
    ]
    for data, text in cases:
        with pytest.raises(ValidationError) as info:
            save_resident(db, record.id, data, expected_version=record.version, today=today)
        assert text in info.value.message
    assert load_resident(db, record.id).version == record.version
    with pytest.raises(PermissionDeniedError):
        save_resident(db.as_actor(OFFICIAL), record.id, record.data)


def test_tags_start_and_end_and_sensitive_kinds_stay_hidden(reg):
    db, _ids, kinds, people = reg
    zhang = people["张三"]
    with db.session() as s:
        s.add(PersonTag(person_id=zhang, tag_kind_id=kinds["corrections"], start_date=date(2024, 1, 1)))
    added, ended = set_person_tags(db, zhang, {kinds["corrections"], kinds["dibao"]}, date(2025, 2, 1),
                                   today=date(2026, 1, 1))
    assert (added, ended) == (["低保对象"], [])
    assert [t.name for t in person_tags(db, zhang, date(2025, 3, 1))] == ["社区矫正人员", "低保对象"]
    official = db.as_actor(OFFICIAL)
    assert [t.name for t in person_tags(official, zhang, date(2025, 3, 1))] == ["低保对象"]
    with pytest.raises(PermissionDeniedError):
        set_person_tags(official, zhang, set(), today=date(2026, 1, 1))
    with pytest.raises(ValidationError):
        set_person_tags(db, zhang, {999999}, today=date(2026, 1, 1))
    assert set_person_tags(db, zhang, {kinds["corrections"]}, date(2025, 9, 1), today=date(2026, 1, 1)) == \
        ([], ["低保对象"])
    assert [t.name for t in person_tags(db, zhang, date(2025, 8, 31))] == ["社区矫正人员", "低保对象"]
    assert [t.name for t in person_tags(db, zhang, date(2025, 9, 1))] == ["社区矫正人员"]
    with pytest.raises(ValidationError) as info:
        set_person_tags(db, zhang, set(), date(2026, 5, 1), today=date(2026, 1, 1))
    assert "2026-05-01" in info.value.message


def test_history_lists_events_and_tags_in_order(reg):
    db, ids, kinds, people = reg
    set_person_tags(db, people["张小五"], {kinds["veteran"]}, date(2025, 3, 1), today=date(2026, 1, 1))
    life_events.transfer(db, people["张小五"], ids["h2"], date(2025, 5, 1), "99", today=date(2026, 1, 1))
    life_events.move_out(db, people["张小五"], date(2025, 8, 1), "郑州市金水区", note="工作调动",
                         today=date(2026, 1, 1))
    history = life_events.resident_history(db, people["张小五"])
    assert [(h.day, h.kind) for h in history] == [
        (date(2025, 1, 1), "登记"), (date(2025, 3, 1), "人群类别"), (date(2025, 5, 1), "户间迁移"),
        (date(2025, 8, 1), "迁出")]
    assert history[2].detail == "从户 4113020010010001，到户 4113020010020002"
    assert history[3].detail == "从户 4113020010020002，迁往：郑州市金水区，备注：工作调动"
    assert history[1].detail == "加入：退役军人"


def test_counts_per_community_today_and_as_of_a_past_day(reg):
    db, ids, kinds, people = reg
    today = date(2026, 1, 1)
    set_person_tags(db, people["张三"], {kinds["dibao"]}, date(2025, 2, 1), today=today)
    set_person_tags(db, people["王芳"], {kinds["dibao"], kinds["corrections"]}, date(2025, 2, 1), today=today)
    life_events.transfer(db, people["张小五"], ids["h2"], date(2025, 5, 1), "99", today=today)
    life_events.move_out(db, people["李四"], date(2025, 9, 1), "郑州市", today=today)

    def table(counts):
        return {r.name: (r.total, r.count(ids["first"]), r.count(ids["second"])) for r in counts.rows}

    now = table(special_group_counts(db, today=today))
    assert now["在册人口"] == (3, 1, 2) and now["低保对象"] == (2, 1, 1) and now["社区矫正人员（敏感）"] == (1, 0, 1)
    before = table(special_group_counts(db, date(2025, 3, 1), today=today))
    assert before["在册人口"] == (4, 3, 1)  # 张小五 still in the first community, 李四 not yet gone
    assert table(special_group_counts(db, date(2025, 1, 15), today=today))["低保对象"] == (0, 0, 0)
    hidden = special_group_counts(db.as_actor(OFFICIAL), today=today)
    assert "社区矫正人员（敏感）" not in [r.name for r in hidden.rows]
    columns = count_columns(hidden)
    assert [c.title for c in columns[:3]] == ["分类", "类别", "合计"] and len(columns) == 3 + len(hidden.communities)
