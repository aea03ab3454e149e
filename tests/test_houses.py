"""实有房屋 and people without a 户 (issue #17, part 1): houses with their
rules, 流动人口 registered at a house with no 户 or 户主, 户籍人口 refused
without one, dated moves that keep 承租人数 and the stored counts exact,
the upgrade of a database holding 常住人口. Real databases (SQLite, or
PostgreSQL with GRIDADMIN_TEST_DB)."""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import create_engine, select, text

from gridadmin.models import AuditLog, Person
from gridadmin.services.access.permissions import PermissionDeniedError
from gridadmin.services.access.users import authenticate, create_user
from gridadmin.services.common.errors import ConflictError, ValidationError
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register import tallies
from gridadmin.services.register.dwellers import add_resident_at_house, house_for_address, move_house
from gridadmin.services.register.households import HouseholdData, MemberData, save_household
from gridadmin.services.register.houses import HouseData, find_houses, load_house, rental_counts, save_house
from gridadmin.services.register.life_events import change_category, move_out, resident_history
from gridadmin.services.register.resident_record import ResidentData, load_resident, save_resident
from gridadmin.services.register.residents import ResidentFilter, resident_source
from tests import staffdata

TODAY = date(2025, 6, 1)
PASSWORD = "wangge2026"


def _renter(name: str, seq: int, category: str = "3", born: date = date(1990, 4, 5)) -> ResidentData:
    return ResidentData(name=name, id_number=make_id_number("330421", born, seq), category=category,
                        origin_place="浙江省嘉兴市", inflow_date=date(2025, 1, 10))


@pytest.fixture
def places(township_db):
    return staffdata.grids(township_db)


def _rental(db, grid: int, room: str = "301", limit: int | None = 2) -> int:
    return save_house(db, None, HouseData(grid, compound="幸福小区", building="3栋", unit="2单元", room=room,
                                          purpose="出租", owner="李大明", landlord="李大明",
                                          landlord_phone="13912345678", rooms_let=2, occupancy_limit=limit),
                      today=TODAY)


def _exact(db) -> None:
    with db.session() as s:
        assert tallies.mismatches(s) == []


def test_a_house_has_one_record_per_address_in_its_grid(township_db, places):
    db = township_db
    house = _rental(db, places["第一网格"])
    card = load_house(db, house)
    assert card.data.address == "幸福小区3栋2单元301室"
    assert card.data.house_no.endswith("F0001")
    with pytest.raises(ConflictError, match="幸福小区3栋2单元301室"):
        save_house(db, None, HouseData(places["第一网格"], compound=" 幸福小区", building="3栋", unit="2单元",
                                       room="301"), today=TODAY)
    # the same address in another grid is another house
    assert save_house(db, None, HouseData(places["第二网格"], compound="幸福小区", building="3栋", unit="2单元",
                                          room="301"), today=TODAY) != house


def test_the_database_refuses_a_second_house_at_the_same_address(township_db, places):
    from sqlalchemy.exc import IntegrityError

    from gridadmin.models import House

    db = township_db
    _rental(db, places["第一网格"])
    with pytest.raises((IntegrityError, ConflictError)):
        with db.session() as s:
            s.add(House(house_no="X1", area_id=places["第一网格"], address="幸福小区3栋2单元301室",
                        address_key="幸福小区|3栋|2单元|301||", purpose="出租"))


@pytest.mark.parametrize("change, field, message", [
    (dict(purpose="出租", landlord=""), "房主", "出租房须填写房主"),
    (dict(purpose="宿舍"), "房屋用途", "房屋用途“宿舍”无效"),
    (dict(compound="", room="301"), "小区/街路巷", "小区/街路巷或村民小组"),
    (dict(purpose="出租", landlord="王五", occupancy_limit="三"), "限住人数", "限住人数“三”不是整数"),
    (dict(purpose="出租", landlord="王五", rooms_let=-1), "出租间数", "不能为负数"),
    (dict(purpose="出租", landlord="王五", landlord_phone="123"), None, "电话"),
])
def test_bad_house_fields_are_refused_naming_field_and_value(township_db, places, change, field, message):
    data = HouseData(places["第一网格"], compound="幸福小区", building="1栋", room="101")
    with pytest.raises(ValidationError, match=message) as caught:
        save_house(township_db, None, HouseData(**{**data.__dict__, **change}), today=TODAY)
    if field:
        assert caught.value.field == field
    assert find_houses(township_db, "幸福小区") == []


def test_a_house_sits_in_a_grid_not_a_community(township_db, places):
    with pytest.raises(ValidationError, match="网格或微网格"):
        save_house(township_db, None, HouseData(places["河街社区"], village_group="三组", door_no="12号"))


def test_a_floating_resident_needs_no_household_and_counts_in_the_house_grid(township_db, places):
    db = township_db
    house = _rental(db, places["第一网格"])
    person = add_resident_at_house(db, _renter("赵流动", 11), house, today=TODAY, on=date(2025, 2, 1))
    record = load_resident(db, person)
    assert record.household_id is None and record.house_address == "幸福小区3栋2单元301室"
    assert "第一网格" in record.area_label
    with db.session() as s:
        by_area = tallies.residents_per_area_category(s)
    assert by_area[(places["第一网格"], "3")] == 1
    _exact(db)
    source = resident_source(db)
    query = PageQuery(ResidentFilter(area_id=places["河街社区"], today=TODAY))
    rows = source.window(query, 0, source.count(query))
    assert [(r.name, r.household_no, r.grid, r.house) for r in rows] == [
        ("赵流动", "", "河街社区·第一网格", "幸福小区3栋2单元301室")]  # grids named with their community
    found = resident_source(db).window(PageQuery(ResidentFilter(search="幸福小区", today=TODAY)), 0, 10)
    assert [r.name for r in found] == ["赵流动"]


@pytest.mark.parametrize("category", ["4", "5"])
def test_foreigners_and_people_without_hukou_need_no_household(township_db, places, category):
    house = _rental(township_db, places["第一网格"])
    person = add_resident_at_house(township_db, _renter("钱某", 13, category), house, today=TODAY)
    assert load_resident(township_db, person).data.category == category


def test_a_registered_resident_without_a_household_is_refused(township_db, places):
    db = township_db
    house = _rental(db, places["第一网格"])
    with pytest.raises(ValidationError, match="户籍人口，须登记在户中") as caught:
        add_resident_at_house(db, _renter("孙户籍", 15, "1"), house, today=TODAY)
    assert caught.value.field == "人口类别"
    with pytest.raises(ValidationError, match="须填写现住房屋"):
        add_resident_at_house(db, _renter("孙流动", 15), None, today=TODAY)
    with db.session() as s:
        assert s.scalar(select(Person.id)) is None
    # nor can a person without a 户 become 户籍人口 later
    person = add_resident_at_house(db, _renter("孙流动", 15), house, today=TODAY, on=date(2025, 2, 1))
    with pytest.raises(ValidationError, match="须登记在户中"):
        change_category(db, person, "1", date(2025, 5, 1), today=TODAY)
    with pytest.raises(ValidationError, match="须登记在户中"):
        save_resident(db, person, ResidentData(**{**load_resident(db, person).data.__dict__, "category": "1"}),
                      today=TODAY)


def test_a_renter_moving_out_updates_the_rental_count(township_db, places):
    db = township_db
    rental = _rental(db, places["第一网格"], limit=1)
    other = _rental(db, places["粮行网格"], room="502")
    first = add_resident_at_house(db, _renter("周一", 17), rental, today=TODAY, on=date(2025, 1, 5))
    second = add_resident_at_house(db, _renter("吴二", 19), rental, today=TODAY, on=date(2025, 1, 6))
    card = load_house(db, rental)
    assert card.tenants == 2 and card.overcrowded
    assert {o.name: o.category for o in card.occupants} == {"周一": "流动人口", "吴二": "流动人口"}
    move_house(db, first, other, date(2025, 3, 1), today=TODAY)
    card = load_house(db, rental)
    assert card.tenants == 1 and not card.overcrowded
    assert [(m.on, m.name, m.kind) for m in card.history] == [
        (date(2025, 3, 1), "周一", "搬离"), (date(2025, 1, 6), "吴二", "入住"), (date(2025, 1, 5), "周一", "入住")]
    move_out(db, second, date(2025, 4, 1), "浙江省嘉兴市", today=TODAY)
    card = load_house(db, rental)
    assert card.tenants == 0 and card.history[0].kind == "搬离"
    assert rental_counts_of(db) == (2, 2, 1)
    # the stored counts followed: 周一 now counts in 粮行网格, 吴二 nowhere
    with db.session() as s:
        by_area = tallies.residents_per_area_category(s)
    assert by_area.get((places["第一网格"], "3"), 0) == 0 and by_area[(places["粮行网格"], "3")] == 1
    _exact(db)
    history = resident_history(db, first)
    assert any(e.kind == "住所变更" and "幸福小区3栋2单元502室" in e.detail for e in history)


def rental_counts_of(db):
    with db.session() as s:
        return rental_counts(s)


def test_a_move_is_dated_like_every_register_change(township_db, places):
    db = township_db
    rental = _rental(db, places["第一网格"])
    other = _rental(db, places["第一网格"], room="302")
    person = add_resident_at_house(db, _renter("郑三", 21), rental, today=TODAY, on=date(2025, 3, 1))
    with pytest.raises(ValidationError, match="早于“郑三”的登记日期"):
        move_house(db, person, other, date(2025, 2, 1), today=TODAY)
    with pytest.raises(ValidationError, match="晚于今天"):
        move_house(db, person, other, date(2025, 7, 1), today=TODAY)
    with pytest.raises(ValidationError, match="没有户，须填写现住房屋"):
        move_house(db, person, None, date(2025, 4, 1), today=TODAY)
    assert load_house(db, rental).tenants == 1


def test_a_household_member_may_live_at_a_house_too(township_db, places):
    db = township_db
    house = save_house(db, None, HouseData(places["第二网格"], village_group="三组", door_no="12号"), today=TODAY)
    household = save_household(db, None, HouseholdData("4113020010020001", places["第二网格"], village_group="三组",
                                                       door_no="12号"),
                               [MemberData(None, "冯户主", make_id_number("411302", date(1960, 1, 2), 31),
                                           relation="02")], today=TODAY)
    with db.session() as s:
        head = s.scalar(select(Person.id).where(Person.household_id == household))
    move_house(db, head, house, TODAY, today=TODAY)
    card = load_house(db, house)
    assert [(o.name, o.household_no, o.category) for o in card.occupants] == [("冯户主", "4113020010020001", "户籍人口")]
    assert card.tenants == 0  # 自住: no tenants
    _exact(db)


def test_house_for_address_finds_or_records_the_house(township_db, places):
    db = township_db
    data = HouseData(places["第一网格"], compound="建设路", door_no="18号")
    first, created = house_for_address(db, data, today=TODAY)
    again, created_again = house_for_address(db, data, today=TODAY)
    assert created and not created_again and first == again


def test_a_house_moved_to_another_grid_takes_its_people_along_in_the_counts(township_db, places):
    db = township_db
    house = _rental(db, places["第一网格"])
    add_resident_at_house(db, _renter("陈四", 23), house, today=TODAY)
    card = load_house(db, house)
    save_house(db, house, HouseData(**{**card.data.__dict__, "area_id": places["粮行网格"],
                                       "landlord_phone": "13912345678"}), today=TODAY)
    with db.session() as s:
        by_area = tallies.residents_per_area_category(s)
    assert by_area.get((places["第一网格"], "3"), 0) == 0 and by_area[(places["粮行网格"], "3")] == 1
    _exact(db)


def test_houses_and_their_people_are_read_only_in_the_users_areas(township_db, places):
    db = township_db
    create_user(db, "admin", "王管理", PASSWORD, ["admin"])
    admin = db.as_actor(authenticate(db, "admin", PASSWORD))
    create_user(admin, "clerk", "李文员", PASSWORD, ["clerk"], scope=[places["河街社区"]])
    create_user(admin, "official", "赵领导", PASSWORD, ["official"], scope=[places["河街社区"]])
    clerk = db.as_actor(authenticate(db, "clerk", PASSWORD))
    official = db.as_actor(authenticate(db, "official", PASSWORD))
    inside = _rental(admin, places["第一网格"])
    outside = _rental(admin, places["粮行网格"])
    person_in = add_resident_at_house(admin, _renter("韩内", 25), inside, today=TODAY)
    person_out = add_resident_at_house(admin, _renter("杨外", 27), outside, today=TODAY)
    assert load_house(clerk, inside).data.landlord_phone == "13912345678"
    assert "*" in load_house(official, inside).data.landlord_phone
    assert "*" in load_house(official, inside).occupants[0].id_number
    for reader in (clerk, official):
        with pytest.raises(PermissionDeniedError):
            load_house(reader, outside)
        with pytest.raises(PermissionDeniedError):
            load_resident(reader, person_out)
        assert load_resident(reader, person_in).data.name == "韩内"
        assert [p.id for p in find_houses(reader, "幸福小区")] == [inside]
        rows = resident_source(reader).window(PageQuery(ResidentFilter(today=TODAY)), 0, 50)
        assert [r.name for r in rows] == ["韩内"]
    with pytest.raises(PermissionDeniedError):
        add_resident_at_house(clerk, _renter("新人", 29), outside, today=TODAY)
    with pytest.raises(PermissionDeniedError):
        save_house(official, None, HouseData(places["第一网格"], compound="新村", room="1"))


def test_upgrading_a_database_with_resident_category_2_maps_it_and_lists_what_it_mapped(tmp_path):
    from alembic import command

    from gridadmin.db import open_database
    from gridadmin.migrations import alembic_config
    from gridadmin.services.common.codes import CodeBook
    from tests.conftest import _empty_server_database

    url = os.environ.get("GRIDADMIN_TEST_DB") or f"sqlite:///{tmp_path / 'old.db'}"
    if url.startswith("postgresql"):
        _empty_server_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0015")
        conn.execute(text("INSERT INTO area (id, level, name, active, sort_order, version) VALUES "
                          "(1, 'township', '老镇', true, 0, 1), (2, 'community', '老社区', true, 0, 1), "
                          "(3, 'grid', '老网格', true, 0, 1)"))
        conn.execute(text("INSERT INTO household (id, household_no, area_id, is_dibao, is_tekun, is_party, "
                          "is_veteran, is_disabled, is_poor, version) VALUES "
                          "(1, 'H1', 3, false, false, false, false, false, false, 1)"))
        for pid, name, category, residence in ((1, '户主甲', '1', '1'), (2, '配偶乙', '2', '3'),
                                               (3, '常住丙', '2', '1'), (4, '常住丁', '2', None)):
            conn.execute(text("INSERT INTO person (id, household_id, name, category, residence_status, status, "
                              "version) VALUES (:i, 1, :n, :c, :r, '在册', 1)"),
                         {"i": pid, "n": name, "c": category, "r": residence})
        conn.execute(text("INSERT INTO code_item (list_key, code, label, sort_order, builtin, active) VALUES "
                          "('resident_category', '1', '户籍人口', 0, true, true), "
                          "('resident_category', '2', '常住人口', 1, true, true), "
                          "('resident_category', '3', '流动人口', 2, true, true)"))
        conn.execute(text("INSERT INTO code_alias (list_key, alias, code) VALUES ('resident_category', '常住', '2')"))
    engine.dispose()
    db = open_database(url)
    try:
        with db.session() as s:
            categories = dict(s.execute(select(Person.name, Person.category)).all())
            audit = s.scalars(select(AuditLog.summary).where(AuditLog.summary.like("升级：人口类别%"))
                              .order_by(AuditLog.summary)).all()
            book = CodeBook.load(s)
            assert tallies.mismatches(s) == []
            by_area = tallies.residents_per_area_category(s)
        assert categories == {"户主甲": "1", "配偶乙": "3", "常住丙": "1", "常住丁": "3"}
        assert sorted(audit) == sorted(["升级：人口类别“常住人口”改为“流动人口”：配偶乙",
                                        "升级：人口类别“常住人口”改为“户籍人口”：常住丙",
                                        "升级：人口类别“常住人口”改为“流动人口”：常住丁"])
        assert [label for _code, label in book.items("resident_category")] == ["户籍人口", "流动人口", "未落户人口"]
        assert book.lookup("resident_category", "常住") is None
        assert book.lookup("resident_category", "未落户") == "5"
        assert by_area == {(3, "1"): 2, (3, "3"): 2}
    finally:
        db.dispose()


def _houses(db, f):
    from gridadmin.services.register.house_list import house_source

    source = house_source(db)
    query = PageQuery(f)
    return source.window(query, 0, source.count(query))


def test_the_house_list_filters_searches_and_flags_overcrowding(township_db, places):
    from gridadmin.services.register.house_list import HouseFilter, house_columns

    db = township_db
    crowded = _rental(db, places["第一网格"], limit=1)
    _rental(db, places["粮行网格"], room="502", limit=3)
    own = save_house(db, None, HouseData(places["第二网格"], village_group="三组", door_no="12号", owner="冯大"),
                     today=TODAY)
    add_resident_at_house(db, _renter("周一", 17), crowded, today=TODAY)
    add_resident_at_house(db, _renter("吴二", 19), crowded, today=TODAY)
    rows = _houses(db, HouseFilter())
    assert [r.address for r in rows] == ["三组12号", "幸福小区3栋2单元301室", "幸福小区3栋2单元502室"]
    first = next(r for r in rows if r.id == crowded)
    assert (first.residents, first.tenants, first.overcrowded) == (2, 2, True)
    texts = {c.key: c.text(first) for c in house_columns(False)}
    assert texts["overcrowded"] == "超员" and texts["landlord_phone"] == "139****5678"
    assert [r.id for r in _houses(db, HouseFilter(overcrowded=True))] == [crowded]
    assert [r.id for r in _houses(db, HouseFilter(rented=False))] == [own]
    assert [r.id for r in _houses(db, HouseFilter(purpose="出租", area_id=places["河街社区"]))] == [crowded]
    assert len(_houses(db, HouseFilter(search="ldm"))) == 2  # 李大明, by pinyin initials
    assert len(_houses(db, HouseFilter(search="lidaming"))) == 2
    assert [r.id for r in _houses(db, HouseFilter(search="三组"))] == [own]
    assert [r.id for r in _houses(db, HouseFilter(search="冯大"))] == [own]
    assert len(_houses(db, HouseFilter(search="1391234"))) == 2
    assert _houses(db, HouseFilter(search="李大明")) and not _houses(db, HouseFilter(search="王"))
