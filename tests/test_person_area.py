"""The stored area of a person (``person.area_id``, migration 0025): kept
by triggers through every move — of the person between households and
houses, of a household or a house to another grid — and what a clerk's
list shows follows it; a grid moved to another community takes its people
along without any stored value changing. Two clerks at once (a household
moved while a person is added to it, in either order) leave it exact, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select, update

from gridadmin.models import House, Household, Person
from gridadmin.services.access.permissions import Actor
from gridadmin.services.areas.tree import move_area
from gridadmin.services.common.idcard import make_id_number
from gridadmin.services.common.paging import PageQuery
from gridadmin.services.register import tallies
from gridadmin.services.register.dwellers import add_resident_at_house, move_house
from gridadmin.services.register.household_rules import MemberData
from gridadmin.services.register.households import HouseholdData, save_household
from gridadmin.services.register.houses import HouseData, save_house
from gridadmin.services.register.life_events import transfer
from gridadmin.services.register.resident_record import ResidentData
from gridadmin.services.register.residents import ResidentFilter, resident_source
from tests import staffdata
from tests.concurrency import WAIT, in_thread, second_clerk

TODAY = date(2025, 6, 1)


def _areas(db) -> dict[str, int | None]:
    with db.session() as s:
        return dict(s.execute(select(Person.name, Person.area_id)).all())


def _exact(db) -> None:
    with db.session() as s:
        assert tallies.mismatches(s) == []


def _listed(db, community: int, search: str = "") -> list[str]:
    """Names a clerk of ``community`` sees, in the list's order."""
    clerk = db.as_actor(Actor(None, "clerk", "业务员", frozenset({"clerk"}), frozenset({community})))
    source = resident_source(clerk)
    query = PageQuery(ResidentFilter(search=search, today=TODAY), "name")
    return [r.name for r in source.window(query, 0, source.count(query) + 5)]


def _house(db, grid: int, door: str) -> int:
    return save_house(db, None, HouseData(grid, village_group="三组", door_no=door), today=TODAY)


def _household(db, number: str, grid: int, *names: tuple[str, int, str]) -> int:
    """A household of ``(name, sequence number, relation)``; the head born in 1970, the others in 2000."""
    return save_household(db, None, HouseholdData(number, grid, village_group="三组", door_no="1号"),
                          [MemberData(None, name, make_id_number("411302", born, seq), birth_date=born, relation=relation)
                           for name, seq, relation in names
                           for born in [date(1970, 1, 2) if relation == "02" else date(2000, 3, 4)]], today=TODAY,
                          on=date(2025, 1, 1))


def test_the_stored_area_follows_every_move(township_db):
    db = township_db
    places = staffdata.grids(db)
    first, second, liangxing = places["第一网格"], places["第二网格"], places["粮行网格"]
    house_a, house_b = _house(db, first, "8号"), _house(db, liangxing, "9号")
    walker = add_resident_at_house(db, ResidentData(name="赵流动", id_number=make_id_number("330421", date(1990, 4, 5), 11),
                                                    category="3", origin_place="浙江省嘉兴市",
                                                    inflow_date=date(2025, 1, 10)), house_a, today=TODAY,
                                   on=date(2025, 2, 1))
    home = _household(db, "4113020010020001", second, ("冯户主", 31, "02"), ("冯子", 32, "20"))
    other = _household(db, "4113020010020002", liangxing, ("钱户主", 33, "02"))
    assert _areas(db) == {"赵流动": first, "冯户主": second, "冯子": second, "钱户主": liangxing}
    assert _listed(db, places["河街社区"]) == ["冯户主", "冯子", "赵流动"]
    assert _listed(db, places["粮行社区"]) == ["钱户主"]

    move_house(db, walker, house_b, date(2025, 3, 1), today=TODAY)  # a person without a 户 moves house
    assert _areas(db)["赵流动"] == liangxing
    assert _listed(db, places["粮行社区"], "z") == ["赵流动"]
    assert _listed(db, places["河街社区"], "z") == []

    with db.session() as s:
        son = s.scalar(select(Person.id).where(Person.name == "冯子"))
        head = s.scalar(select(Person.id).where(Person.name == "冯户主"))
    transfer(db, son, other, date(2025, 3, 2), "20", today=TODAY)  # 户间迁移
    move_house(db, head, house_a, date(2025, 3, 3), today=TODAY)  # a member's house: the household places them
    assert _areas(db) == {"赵流动": liangxing, "冯户主": second, "冯子": liangxing, "钱户主": liangxing}

    save_house(db, house_b, HouseData(first, village_group="三组", door_no="9号"), today=TODAY)  # the house is redrawn into another grid, with whoever lives there without a 户
    assert _areas(db)["赵流动"] == first
    with db.session() as s:  # a household moved by plain SQL: its members move with it
        s.execute(update(Household).where(Household.id == home).values(area_id=first))
    assert _areas(db)["冯户主"] == first
    with db.session() as s:  # out of the 户 (the head now placed by the house), then a whole row rewritten
        s.execute(update(Person).where(Person.id == head).values(household_id=None))
        s.execute(update(Person).where(Person.id == son).values(area_id=second))  # never trusted
    assert _areas(db) == {"赵流动": first, "冯户主": first, "冯子": liangxing, "钱户主": liangxing}
    _exact(db)

    move_area(db, first, places["粮行社区"])  # a grid to another community: nothing stored changes
    assert _areas(db) == {"赵流动": first, "冯户主": first, "冯子": liangxing, "钱户主": liangxing}
    assert _listed(db, places["粮行社区"]) == ["冯户主", "冯子", "钱户主", "赵流动"]
    assert _listed(db, places["河街社区"]) == []
    _exact(db)


@pytest.mark.parametrize("mover_first", [True, False], ids=["household-moved-first", "person-added-first"])
def test_a_household_moved_while_another_clerk_adds_to_it(township_db, mover_first):
    """Clerk A adds a person to a household while clerk B moves it to
    another grid; whichever writes first and commits last, the new person
    ends in the household's new grid."""
    db = township_db
    places = staffdata.grids(db)
    home = _household(db, "4113020010020003", places["第一网格"], ("孙户主", 41, "02"))
    other = second_clerk(db)
    first_written, go_on = threading.Event(), threading.Event()

    def add_person(target) -> None:
        with target.session() as s:
            s.add(Person(name="孙新", household_id=home, status="在册", category="1", relation="20"))
            s.flush()
            if not mover_first:
                first_written.set()
                assert go_on.wait(WAIT)

    def move_household(target) -> None:
        with target.session() as s:
            s.execute(update(Household).where(Household.id == home).values(area_id=places["粮行网格"]))
            if mover_first:
                first_written.set()
                assert go_on.wait(WAIT)

    try:
        holder = in_thread(lambda: (move_household if mover_first else add_person)(db))
        assert first_written.wait(WAIT)
        follower = in_thread(lambda: (add_person if mover_first else move_household)(other))
        follower.done.wait(1.0)  # it waits for the holder (a lock), or has written what it can
        go_on.set()
        holder.result()
        follower.result()
    finally:
        go_on.set()
        other.dispose()
    assert _areas(db) == {"孙户主": places["粮行网格"], "孙新": places["粮行网格"]}
    _exact(db)


def test_two_clerks_moving_people_into_one_house_at_once_count_both(township_db):
    """``house.residents`` (the 超员 filter's stored count): clerk A moves a
    person into a house and has not committed when clerk B moves another
    one in; both count, and the house they left counts neither."""
    db = township_db
    places = staffdata.grids(db)
    crowded, left = _house(db, places["第一网格"], "18号"), _house(db, places["第一网格"], "19号")
    people = [add_resident_at_house(db, ResidentData(name=name, id_number=make_id_number("330421", date(1991, 2, 3), seq),
                                                     category="3", origin_place="浙江省嘉兴市",
                                                     inflow_date=date(2025, 1, 10)), left, today=TODAY,
                                    on=date(2025, 2, 1)) for name, seq in (("周甲", 51), ("周乙", 52))]
    other = second_clerk(db)
    written, go_on = threading.Event(), threading.Event()

    def move(target, person_id: int, hold: bool) -> None:
        with target.session() as s:
            s.execute(update(Person).where(Person.id == person_id).values(house_id=crowded))
            if hold:
                written.set()
                assert go_on.wait(WAIT)

    try:
        holder = in_thread(lambda: move(db, people[0], True))
        assert written.wait(WAIT)
        follower = in_thread(lambda: move(other, people[1], False))
        follower.done.wait(1.0)
        go_on.set()
        holder.result()
        follower.result()
    finally:
        go_on.set()
        other.dispose()
    with db.session() as s:
        assert dict(s.execute(select(House.id, House.residents).where(House.id.in_([crowded, left]))).all()) == {
            crowded: 2, left: 0}
    _exact(db)
