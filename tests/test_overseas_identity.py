"""Migration 0024 on a database that already holds people (SQLite and
PostgreSQL): every existing person becomes a 居民身份证 holder, the tally
triggers on person keep counting, and the identity index is the pair
(证件类型, 证件号码): the same number twice in one type is refused by the
database, the same number in another type is another document — also when
two clerks register one passport at the same moment."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridadmin.db import make_engine
from gridadmin.migrations import upgrade_to_head
from gridadmin.models import Area, House
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.demo.overseas import fictitious_number
from gridadmin.services.register import tallies
from tests.test_concurrency_migration import old_database_url
from tests.test_import_platform_people import grid_db  # noqa: F401  (fixture)

NUMBER = make_id_number("411302", date(1980, 1, 1), 11)


@pytest.fixture
def old_url(tmp_path):
    return old_database_url(tmp_path, "0023")


def _insert_person(conn, name, number, house, id_type=None):
    columns = "name, id_number, house_id, category, status, version" + (", id_type" if id_type else "")
    values = ":name, :number, :house, '4', '在册', 1" + (", :id_type" if id_type else "")
    conn.execute(text(f"INSERT INTO person ({columns}) VALUES ({values})"),
                 {"name": name, "number": number, "house": house, "id_type": id_type})


def test_existing_people_get_the_resident_id_type_and_the_pair_is_unique(old_url):
    engine = make_engine(old_url)
    try:
        with engine.begin() as conn:
            area = conn.execute(insert(Area.__table__).values(level="community", name="河街社区")
                                ).inserted_primary_key[0]
            house = conn.execute(insert(House.__table__).values(area_id=area, house_no="F1", compound="幸福小区", address="幸福小区", address_key="幸福小区",
                                                                 purpose="出租")).inserted_primary_key[0]
            conn.execute(text("INSERT INTO person (name, id_number, house_id, category, status, version) "
                              "VALUES ('张三', :n, :h, '3', '在册', 1)"), {"n": NUMBER, "h": house})
        upgrade_to_head(engine)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT id_type FROM person")).scalars().all() == ["111"]
            passport = fictitious_number("414", 9)
            _insert_person(conn, "JOHN SMITH", passport, house, "414")
            _insert_person(conn, "CHAN TAI MAN", passport, house, "516")  # another document
        with pytest.raises(IntegrityError):
            with engine.begin() as conn:
                _insert_person(conn, "JOHN SMYTH", passport, house, "414")
        with pytest.raises(IntegrityError):
            with engine.begin() as conn:
                _insert_person(conn, "张三丰", NUMBER, house)  # the default type: 居民身份证
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM person")).scalar() == 3
        with Session(engine) as session:
            assert tallies.mismatches(session) == []
    finally:
        engine.dispose()


def test_two_clerks_registering_one_passport_register_one_person(grid_db):  # noqa: F811
    """Two clerks, two connections, the same passport at the same moment:
    the second is refused by the (证件类型, 证件号码) index with a Chinese
    message naming the first, the number masked."""
    from sqlalchemy import func, select

    from gridadmin.models import Person
    from gridadmin.services.common.errors import ConflictError
    from gridadmin.services.common.idcard import mask_id_number
    from gridadmin.services.register.dwellers import add_resident_at_house
    from gridadmin.services.register.resident_record import ResidentData
    from tests.concurrency import held_at, in_thread, second_clerk, wait_reached

    a, house = grid_db
    b = second_clerk(a)
    passport = fictitious_number("414", 77, "K")
    data = ResidentData(name="PARK JI HOON", id_type="414", id_number=passport, category="4", nationality="韩国")
    try:
        with held_at(b, "INSERT INTO person ") as go:
            late = in_thread(lambda: add_resident_at_house(b, data, house, today=date(2025, 6, 1)))
            wait_reached(go, late)  # B has checked the number: nobody holds it yet
            add_resident_at_house(a, data, house, today=date(2025, 6, 1))
            go()
            with pytest.raises(ConflictError) as refused:
                late.result()
    finally:
        b.dispose()
    message = refused.value.message
    assert f"护照号码 {mask_id_number(passport)} 已登记为在册人员 PARK JI HOON" in message and passport not in message
    with a.session() as s:
        assert s.scalar(select(func.count()).select_from(Person).where(Person.id_number == passport)) == 1
