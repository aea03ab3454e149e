"""Household card and life-event services without Qt: head rules, ID
numbers, duplicates, plausibility, optimistic versions, events."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gridadmin.models import Area, Person, PersonEvent
from gridadmin.services.register import life_events
from gridadmin.services.access.permissions import Actor
from gridadmin.services.common.errors import ConflictError, ValidationError
from gridadmin.services.register.households import HouseholdData, MemberData, PlausibilityError, load_household, \
    save_household
from gridadmin.services.common.idcard import make_id_number

TODAY = date(2026, 6, 1)
HEAD_ID = make_id_number("411302", date(1970, 5, 6), 13)  # male
WIFE_ID = make_id_number("411302", date(1972, 3, 4), 24)
SON_ID = make_id_number("411302", date(1998, 1, 2), 35)


@pytest.fixture
def area(township_db):
    with township_db.session() as s:
        return s.scalar(select(Area.id).where(Area.level == "community").order_by(Area.id))


def _family(db, area, no="4113020010010001", **extra):
    members = [MemberData(None, "张 三", HEAD_ID, relation="02", phone="13812345678"),
               MemberData(None, "李四", WIFE_ID, relation="10"),
               MemberData(None, "张小五", SON_ID, relation="20")]
    data = HouseholdData(no, area, compound="幸福小区", building="3号楼", unit="2单元", room="301", **extra)
    return save_household(db, None, data, members, today=date(2025, 1, 1))


def test_create_fills_birth_and_gender_and_loads_head_first(township_db, area):
    hid = _family(township_db, area)
    card = load_household(township_db, hid)
    assert card.data.household_no == "4113020010010001"
    head = card.members[0]
    assert (head.name, head.relation, head.birth_date, head.gender) == ("张三", "02", date(1970, 5, 6), "1")
    assert card.members[1].gender == "2"
    with township_db.session() as s:
        assert s.scalar(select(Person.name_initials).where(Person.id == head.id)) == "zs"
        assert s.scalars(select(PersonEvent.kind)).all() == ["登记"] * 3


def test_exactly_one_head(township_db, area):
    data = HouseholdData("H1", area)
    with pytest.raises(ValidationError, match="没有户主"):
        save_household(township_db, None, data, [MemberData(None, "甲", relation="10")], today=TODAY)
    with pytest.raises(ValidationError, match="只能有一位户主.*甲、乙"):
        save_household(township_db, None, data, [MemberData(None, "甲", relation="02"),
                                                 MemberData(None, "乙", relation="01")], today=TODAY)


def test_id_number_checks_and_duplicates(township_db, area):
    data = HouseholdData("H2", area)
    with pytest.raises(ValidationError, match="身份证号 411302197005061234 有误"):
        save_household(township_db, None, data, [MemberData(None, "甲", "411302197005061234", relation="02")],
                       today=TODAY)
    with pytest.raises(ValidationError, match="出生日期 1971-01-01"):
        save_household(township_db, None, data, [MemberData(None, "甲", HEAD_ID, birth_date=date(1971, 1, 1),
                                                            relation="02")], today=TODAY)
    _family(township_db, area)
    with pytest.raises(ValidationError, match=f"身份证号 {HEAD_ID} 已登记在册：张三（户号 4113020010010001）"):
        save_household(township_db, None, data, [MemberData(None, "王五", HEAD_ID.lower(), relation="02")],
                       today=TODAY)


def test_implausible_ages_need_confirmation(township_db, area):
    data = HouseholdData("H3", area)
    members = [MemberData(None, "户主", relation="02", birth_date=date(1980, 1, 1)),
               MemberData(None, "母亲", relation="52", birth_date=date(1955, 1, 1)),
               MemberData(None, "儿子", relation="20", birth_date=date(1950, 1, 1))]
    with pytest.raises(PlausibilityError) as caught:
        save_household(township_db, None, data, members, today=TODAY)
    assert any("比户主的长辈“母亲”年长" in f for f in caught.value.findings)
    assert save_household(township_db, None, data, members, today=TODAY, confirmed=True)


def test_stale_version_is_a_conflict_and_members_cannot_vanish(township_db, area):
    hid = _family(township_db, area)
    card = load_household(township_db, hid)
    save_household(township_db, hid, card.data, list(card.members), expected_version=card.version, today=TODAY)
    with pytest.raises(ConflictError, match="已被.*修改"):
        save_household(township_db, hid, card.data, list(card.members), expected_version=card.version,
                       today=TODAY)
    card = load_household(township_db, hid)
    with pytest.raises(ValidationError, match="不能直接删除"):
        save_household(township_db, hid, card.data, list(card.members[:2]), today=TODAY)


def test_move_out_death_and_transfer_are_events(township_db, area):
    hid = _family(township_db, area)
    head, wife, son = load_household(township_db, hid).members
    with pytest.raises(ValidationError, match="是户主"):
        life_events.move_out(township_db, head.id, date(2026, 1, 1), "郑州市", today=TODAY)
    with pytest.raises(ValidationError, match="晚于今天"):
        life_events.move_out(township_db, son.id, date(2026, 7, 1), "郑州市", today=TODAY)
    life_events.move_out(township_db, son.id, date(2026, 1, 1), "郑州市金水区", today=TODAY)
    with pytest.raises(ValidationError, match="早于“李四”的出生日期"):
        life_events.record_death(township_db, wife.id, date(1960, 1, 1), today=TODAY)
    life_events.record_death(township_db, wife.id, date(2026, 2, 1), today=TODAY)
    card = load_household(township_db, hid)
    assert [m.name for m in card.members] == ["张三"]
    kinds = [e.kind for e in life_events.timeline(township_db, son.id)]
    assert kinds == ["登记", "迁出"]
    with township_db.session() as s:
        assert s.get(Person, son.id).status == "迁出" and s.get(Person, wife.id).died_on == date(2026, 2, 1)


def test_transfer_keeps_one_head_and_dissolves_an_emptied_household(township_db, area):
    first = _family(township_db, area)
    second = save_household(township_db, None, HouseholdData("H9", area),
                            [MemberData(None, "独居", relation="02", birth_date=date(1940, 1, 1))],
                            today=date(2025, 1, 1))
    lone = load_household(township_db, second).members[0]
    with pytest.raises(ValidationError, match="已有户主“张三”"):
        life_events.transfer(township_db, lone.id, first, date(2026, 3, 1), "02", today=TODAY)
    life_events.transfer(township_db, lone.id, first, date(2026, 3, 1), "51", today=TODAY)
    assert "独居" in [m.name for m in load_household(township_db, first).members]
    assert load_household(township_db, second).dissolved_on == date(2026, 3, 1)
    assert [e.kind for e in life_events.timeline(township_db, lone.id)][-1] == "户间迁移"


def test_official_may_not_edit(township_db, area):
    official = Actor(5, "lead", "领导", frozenset({"official"}))
    with pytest.raises(Exception, match="无权修改户籍人口信息"):
        _family(township_db.as_actor(official), area)
