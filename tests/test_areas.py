"""Grid tree service: counts, validation, moves, deactivation, deletion."""

from __future__ import annotations

from datetime import date

import pytest

from gridadmin.models import Household, Person, Staff, StaffAssignment
from gridadmin.services.areas import tree as areas
from gridadmin.services.areas.tree import AreaInput
from gridadmin.services.common.errors import ConflictError, ValidationError
from gridadmin.services.areas.setup import init_township


def _community(db, name="河街社区"):
    return next(n for n in areas.load_tree(db) if n.name == name)


def _grid(db, community_id, name, code=None, grid_type="城市社区网格"):
    return areas.add_area(db, community_id, AreaInput(name=name, grid_code=code, grid_type=grid_type))


def test_init_township_creates_official_communities(township_db):
    nodes = areas.load_tree(township_db)
    assert nodes[0].name == "东关街道" and nodes[0].division_code == "411302001000"
    communities = [n for n in nodes if n.level == "community"]
    assert len(communities) == 16
    assert communities[0].name == "河街社区" and communities[0].community_kind == "社区"
    assert all(n.depth == 1 for n in communities)


def test_init_township_refuses_another_township(township_db):
    with pytest.raises(ValidationError, match="已属于"):
        init_township(township_db, "411302002")
    init_township(township_db, "411302001")  # same township again is harmless


def test_add_grid_with_suggested_code_and_microgrid(township_db):
    community = _community(township_db)
    code = areas.suggest_grid_code(township_db, community.id)
    assert code == "411302001001001"
    grid_id = _grid(township_db, community.id, "第一网格", code)
    assert areas.suggest_grid_code(township_db, community.id) == "411302001001002"
    micro_code = areas.suggest_grid_code(township_db, grid_id)
    assert micro_code == "41130200100100101"
    micro_id = areas.add_area(township_db, grid_id, AreaInput(name="1号楼", grid_code=micro_code))
    node = next(n for n in areas.load_tree(township_db) if n.id == micro_id)
    assert node.level == "microgrid" and node.depth == 3


@pytest.mark.parametrize("data, message", [
    (AreaInput(name="  "), "名称不能为空"),
    (AreaInput(name="第一网格", grid_code="12 34!"), "只能由数字、字母"),
    (AreaInput(name="第一网格", grid_type="城中村网格"), "网格类型“城中村网格”无效"),
    (AreaInput(name="第一网格", division_code="411302001001"), "没有官方区划代码"),
    (AreaInput(name="名" * 101), "过长"),
])
def test_add_refuses_bad_input_naming_the_value(township_db, data, message):
    community = _community(township_db)
    with pytest.raises(ValidationError, match=message):
        areas.add_area(township_db, community.id, data)
    assert _community(township_db).sub_areas == 0


def test_duplicate_codes_and_sibling_names_are_refused(township_db):
    community = _community(township_db)
    other = _community(township_db, "外号社区")
    _grid(township_db, community.id, "第一网格", "411302001001001")
    with pytest.raises(ValidationError, match="已有名为“第一网格”"):
        _grid(township_db, community.id, "第一网格", "411302001001002")
    with pytest.raises(ValidationError, match="已被“第一网格”使用"):
        _grid(township_db, other.id, "第二网格", "411302001001001")
    _grid(township_db, other.id, "第一网格", "411302001002001")  # same name elsewhere is fine
    with pytest.raises(ValidationError, match="区划代码“411302001002”已被“外号社区”使用"):
        areas.update_area(township_db, community.id, AreaInput(name="河街社区", division_code="411302001002"))


def test_microgrid_cannot_have_children(township_db):
    community = _community(township_db)
    grid = _grid(township_db, community.id, "第一网格")
    micro = areas.add_area(township_db, grid, AreaInput(name="1号楼"))
    with pytest.raises(ValidationError, match="微网格，不能再划分"):
        areas.add_area(township_db, micro, AreaInput(name="单元"))


def test_move_grid_between_communities_and_refuse_wrong_level_and_cycles(township_db):
    a, b = _community(township_db), _community(township_db, "外号社区")
    grid = _grid(township_db, a.id, "第一网格")
    micro = areas.add_area(township_db, grid, AreaInput(name="1号楼"))
    areas.move_area(township_db, grid, b.id)
    nodes = {n.id: n for n in areas.load_tree(township_db)}
    assert nodes[grid].parent_id == b.id and nodes[micro].parent_id == grid
    with pytest.raises(ValidationError, match="自己的下级"):
        areas.move_area(township_db, grid, micro)
    with pytest.raises(ValidationError, match="只能移到"):
        areas.move_area(township_db, grid, nodes[a.id].parent_id)
    targets = areas.move_targets(list(nodes.values()), grid)
    assert b.id not in {t.id for t in targets} and a.id in {t.id for t in targets}


def _add_people(db, grid_id, households, people_per_household=2, staff_role="fulltime"):
    with db.session() as session:
        for h in range(households):
            hh = Household(household_no=f"H{grid_id}-{h}", area_id=grid_id)
            session.add(hh)
            session.flush()
            for p in range(people_per_household):
                session.add(Person(household_id=hh.id, name=f"人{h}-{p}", relation="02" if p == 0 else "20"))
        staff = Staff(name="张三", status="在岗")
        session.add(staff)
        session.flush()
        session.add(StaffAssignment(staff_id=staff.id, area_id=grid_id, role=staff_role, start_date=date(2024, 1, 1)))
        ended = Staff(name="李四", status="在岗")
        session.add(ended)
        session.flush()
        session.add(StaffAssignment(staff_id=ended.id, area_id=grid_id, role="parttime",
                                    start_date=date(2023, 1, 1), end_date=date(2023, 12, 31)))


def test_counts_roll_up_and_size_warning(township_db):
    community = _community(township_db)
    small = _grid(township_db, community.id, "小网格")
    big = _grid(township_db, community.id, "大网格")
    _add_people(township_db, small, 10)
    _add_people(township_db, big, 520, people_per_household=1)
    nodes = {n.id: n for n in areas.load_tree(township_db)}
    assert nodes[small].households == 10 and nodes[small].residents == 20
    assert nodes[small].staff_on_post == 1  # the ended assignment does not count
    assert "少于 300 户" in nodes[small].warning
    assert "多于 500 户" in nodes[big].warning
    assert nodes[community.id].households == 530 and nodes[community.id].residents == 540
    assert nodes[community.id].staff_on_post == 2
    assert nodes[community.id].parent_id is not None
    township = nodes[community.parent_id]
    assert township.households == 530 and township.residents == 540


def test_rural_grid_by_natural_village_is_only_warned_when_too_big(township_db):
    community = _community(township_db)
    small = _grid(township_db, community.id, "张庄", grid_type="农村网格")
    big = _grid(township_db, community.id, "李庄", grid_type="农村网格")
    _add_people(township_db, small, 100, people_per_household=3)
    _add_people(township_db, big, 510, people_per_household=1)
    nodes = {n.id: n for n in areas.load_tree(township_db)}
    assert nodes[small].warning is None
    assert "多于 500 户" in nodes[big].warning


def test_area_holding_people_cannot_be_deleted_only_deactivated(township_db):
    community = _community(township_db)
    grid = _grid(township_db, community.id, "第一网格")
    micro = areas.add_area(township_db, grid, AreaInput(name="1号楼"))
    _add_people(township_db, grid, 3)
    with pytest.raises(ValidationError, match="不能删除，只能停用"):
        areas.delete_area(township_db, grid)
    assert areas.set_area_active(township_db, grid, False) == 2  # grid and its micro-grid
    nodes = {n.id: n for n in areas.load_tree(township_db)}
    assert not nodes[grid].active and not nodes[micro].active and nodes[grid].households == 3
    assert grid not in {n.id for n in areas.load_tree(township_db, include_inactive=False)}
    with pytest.raises(ValidationError, match="已停用"):
        areas.add_area(township_db, grid, AreaInput(name="2号楼"))
    with pytest.raises(ValidationError, match="请先启用上级"):
        areas.set_area_active(township_db, micro, True)
    areas.set_area_active(township_db, grid, True)
    empty = _grid(township_db, community.id, "空网格")
    areas.delete_area(township_db, empty)
    assert empty not in {n.id for n in areas.load_tree(township_db)}


def test_stale_edit_is_refused(township_db):
    community = _community(township_db)
    areas.update_area(township_db, community.id, AreaInput(name="河街社区（新）", community_kind="社区"),
                      expected_version=community.version)
    with pytest.raises(ConflictError, match="已被.*修改"):
        areas.update_area(township_db, community.id, AreaInput(name="别的名字"), expected_version=community.version)
    assert _community(township_db, "河街社区（新）").version == community.version + 1
