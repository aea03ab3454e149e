"""Assignment history: assign, transfer, end, and their edge cases."""

from __future__ import annotations

from datetime import date

import pytest

from gridadmin.services.areas import tree as areas

from gridadmin.services.roster import assignments
from gridadmin.services.common.errors import ConflictError, ValidationError
from tests.staffdata import add, grids


@pytest.fixture
def setup(township_db):
    ids = grids(township_db)
    return township_db, ids, add(township_db)


def test_assign_several_grids_and_roles(setup):
    db, ids, staff = setup
    assignments.assign(db, staff, ids["第一网格"], "fulltime", date(2020, 2, 1))
    assignments.assign(db, staff, ids["粮行网格"], "leader", date(2021, 1, 1))
    history = assignments.list_assignments(db, staff)
    assert [(h.area_name, h.community, h.role_label) for h in history] == [
        ("粮行网格", "粮行社区", "网格长"), ("第一网格", "河街社区", "专职网格员")]


def test_transfer_ends_old_the_day_before(setup):
    db, ids, staff = setup
    first = assignments.assign(db, staff, ids["第一网格"], "fulltime", date(2020, 2, 1))
    new = assignments.transfer(db, first, ids["第二网格"], date(2024, 7, 1), expected_version=1)
    history = {h.id: h for h in assignments.list_assignments(db, staff)}
    assert history[first].end_date == date(2024, 6, 30)
    assert history[new].start_date == date(2024, 7, 1) and history[new].end_date is None
    assert history[new].role == "fulltime" and history[new].note == "调动"


@pytest.mark.parametrize("on", [date(2020, 2, 1), date(2019, 1, 1)])
def test_transfer_not_after_start_is_refused(setup, on):
    db, ids, staff = setup
    first = assignments.assign(db, staff, ids["第一网格"], "fulltime", date(2020, 2, 1))
    with pytest.raises(ValidationError, match="应晚于原任职开始日期"):
        assignments.transfer(db, first, ids["第二网格"], on)
    assert [h.end_date for h in assignments.list_assignments(db, staff)] == [None]


def test_end_before_start_and_twice_refused(setup):
    db, ids, staff = setup
    first = assignments.assign(db, staff, ids["第一网格"], "fulltime", date(2020, 2, 1))
    with pytest.raises(ValidationError) as info:
        assignments.end_assignment(db, first, date(2020, 1, 31))
    assert info.value.field == "end_date" and "2020-01-31" in info.value.message
    assignments.end_assignment(db, first, date(2020, 2, 1))  # served one day: allowed
    with pytest.raises(ValidationError, match="已于 2020-02-01 结束"):
        assignments.end_assignment(db, first, date(2021, 1, 1))


def test_stale_assignment_version_is_a_conflict(setup):
    db, ids, staff = setup
    first = assignments.assign(db, staff, ids["第一网格"], "fulltime", date(2020, 2, 1))
    assignments.end_assignment(db, first, date(2022, 1, 1), expected_version=1)
    with pytest.raises(ConflictError):
        assignments.transfer(db, first, ids["第二网格"], date(2023, 1, 1), expected_version=1)


def test_assign_refusals(setup):
    db, ids, staff = setup
    areas.set_area_active(db, ids["第二网格"], False)
    with pytest.raises(ValidationError, match="已停用"):
        assignments.assign(db, staff, ids["第二网格"], "fulltime", date(2021, 1, 1))
    with pytest.raises(ValidationError, match="不是网格"):
        assignments.assign(db, staff, ids["河街社区"], "fulltime", date(2021, 1, 1))
    with pytest.raises(ValidationError, match="早于入职时间"):
        assignments.assign(db, staff, ids["第一网格"], "fulltime", date(2019, 12, 31))
    with pytest.raises(ValidationError, match="岗位"):
        assignments.assign(db, staff, ids["第一网格"], "boss", date(2021, 1, 1))
    assignments.assign(db, staff, ids["第一网格"], "fulltime", date(2021, 1, 1))
    with pytest.raises(ValidationError, match="已在“河街社区·第一网格”担任专职网格员"):
        assignments.assign(db, staff, ids["第一网格"], "fulltime", date(2022, 1, 1))
    assert len(assignments.list_assignments(db, staff)) == 1


def test_same_grid_role_again_after_it_ended(setup):
    db, ids, staff = setup
    first = assignments.assign(db, staff, ids["第一网格"], "fulltime", date(2020, 2, 1))
    assignments.end_assignment(db, first, date(2021, 12, 31))
    with pytest.raises(ValidationError):
        assignments.assign(db, staff, ids["第一网格"], "fulltime", date(2021, 12, 31))
    assignments.assign(db, staff, ids["第一网格"], "fulltime", date(2022, 1, 1))
    assert len(assignments.list_assignments(db, staff)) == 2
