"""Undoing a whole import batch: created records removed, updated ones
restored, refused after later changes, twice, or without permission."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from gridadmin.models import Area, AuditLog, Household, ImportBatch, Person, PersonEvent
from gridadmin.services.access.permissions import ROLE_OFFICIAL, Actor, PermissionDeniedError
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree, update_area
from gridadmin.services.access.audit import ACTION_UNDO
from gridadmin.services.common.errors import ConflictError
from gridadmin.services.importing.history import list_batches, undo_batch
from gridadmin.services.importing import import_job
from gridadmin.services.common.progress import run_to_end
from tests.test_import_grids import _code, _grids_file
from tests.test_import_support import HEADERS, person, write_workbook


def _setup_grid(db):
    community = next(n for n in load_tree(db) if n.name == "河街社区")
    add_area(db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))


def _people(db):
    with db.session() as s:
        return {p.id_number: (p.name, p.phone, p.household_id, p.name_pinyin, p.version)
                for p in s.scalars(select(Person))}


def _import(db, path, **kw):
    result = run_to_end(import_job(db, path, "residents", **kw))
    assert result.committed, [e.message for e in result.plan.errors]
    return result.batch_id


def test_undo_restores_updates_and_removes_created(township_db, tmp_path):
    _setup_grid(township_db)
    first = [person("H1", "户主", "李云", date(1980, 1, 2), 11), person("H1", "妻", "王芳", date(1981, 3, 4), 22)]
    b1 = _import(township_db, write_workbook(tmp_path / "a.xlsx", first))
    before = _people(township_db)
    second = [person("H1", "户主", "李运", date(1980, 1, 2), 11, 联系电话="13900139000", 曾用名="李云"),
              person("H2", "户主", "王芳", date(1981, 3, 4), 22),
              person("H3", "户主", "赵四", date(1990, 5, 6), 33)]
    b2 = _import(township_db, write_workbook(tmp_path / "b.xlsx", second, headers=[*HEADERS, "曾用名"]))
    assert len(_people(township_db)) == 3

    result = undo_batch(township_db, b2)
    assert (result.removed, result.restored) == (3, 2)  # 赵四, households H2 and H3 / 李运, 王芳
    after = _people(township_db)
    assert {k: v[:4] for k, v in after.items()} == {k: v[:4] for k, v in before.items()}
    assert all(after[k][4] == before[k][4] + 2 for k in before)  # updated, then restored
    with township_db.session() as s:
        assert sorted(s.scalars(select(Household.household_no))) == ["H1"]
        assert s.scalar(select(func.count()).select_from(PersonEvent).where(PersonEvent.note == f"导入批次 {b2}")) == 0
        assert s.get(ImportBatch, b2).undone_at is not None
        undo_rows = s.scalars(select(AuditLog).where(AuditLog.action == ACTION_UNDO)).all()
        assert {r.import_batch_id for r in undo_rows} == {b2} and len(undo_rows) == 6
    assert list_batches(township_db)[0].undone_at is not None

    with pytest.raises(ConflictError, match="已于 .* 撤销，不能再次撤销"):
        undo_batch(township_db, b2)
    # b2 is undone, so b1 can be undone too: everything goes.
    assert undo_batch(township_db, b1).removed == 3
    assert _people(township_db) == {}


def test_undo_refused_after_a_later_change_naming_the_record(township_db, tmp_path):
    code = _code(township_db)
    rows = [("河街社区", "一网格", code + "001", "城市"), ("河街社区", "二网格", code + "002", "城市")]
    batch = run_to_end(import_job(township_db, _grids_file(tmp_path / "g.xlsx", rows), "grids")).batch_id
    with township_db.session() as s:
        grid = s.scalar(select(Area).where(Area.grid_code == code + "002"))
        grid_id, version = grid.id, grid.version
    update_area(township_db, grid_id, AreaInput("第二网格", grid_code=code + "002", grid_type="城市社区网格"),
                expected_version=version)
    with pytest.raises(ConflictError, match="网格“第二网格”在本批导入之后已被 系统 于 .* 修改") as refused:
        undo_batch(township_db, batch)
    assert refused.value.entity == "area" and refused.value.entity_id == grid_id
    with township_db.session() as s:  # nothing changed
        assert s.scalar(select(func.count()).select_from(Area).where(Area.level == "grid")) == 2
        assert s.get(ImportBatch, batch).undone_at is None


def test_undo_refused_when_a_later_import_changed_the_record(township_db, tmp_path):
    _setup_grid(township_db)
    b1 = _import(township_db, write_workbook(tmp_path / "a.xlsx", [person("H1", "户主", "李云", date(1980, 1, 2), 11)]))
    _import(township_db, write_workbook(tmp_path / "b.xlsx", [person("H1", "户主", "李运", date(1980, 1, 2), 11,
                                                                     曾用名="李云")], headers=[*HEADERS, "曾用名"]))
    with pytest.raises(ConflictError, match=r"居民“李运”在本批导入之后已被 导入批次 \d+ 于"):
        undo_batch(township_db, b1)


def test_undo_refused_when_others_refer_to_a_created_record(township_db, tmp_path):
    _setup_grid(township_db)
    b1 = _import(township_db, write_workbook(tmp_path / "a.xlsx", [person("H1", "户主", "李云", date(1980, 1, 2), 11)]))
    with township_db.session() as s:  # a member added to the household without an audit row
        hh = s.scalar(select(Household.id))
        s.add(Person(name="外来", household_id=hh))
    with pytest.raises(ConflictError, match="住户“H1”是本批导入新增的，但之后已有居民“外来”关联到它"):
        undo_batch(township_db, b1)
    assert len(_people(township_db)) == 2


def test_undo_needs_the_import_permission(township_db, tmp_path):
    _setup_grid(township_db)
    b1 = _import(township_db, write_workbook(tmp_path / "a.xlsx", [person("H1", "户主", "李云", date(1980, 1, 2), 11)]))
    reader = township_db.as_actor(Actor(5, "boss", "领导甲", frozenset({ROLE_OFFICIAL})))
    with pytest.raises(PermissionDeniedError, match="无权导入户籍人口数据"):
        undo_batch(reader, b1)


def test_import_audit_rows_name_the_importing_user(tmp_path, township_db):
    """Every audit row of a batch says who imported it (bulk writers add
    them without a user; the pipeline fills it in)."""
    from sqlalchemy import select

    from gridadmin.models import AuditLog, ImportBatch
    from gridadmin.services.access.permissions import Actor
    from gridadmin.services.importing.pipeline import import_job
    from gridadmin.services.common.progress import run_to_end

    path = tmp_path / "grids.csv"
    path.write_text("社区,网格名称,网格编码\n河街社区,审计网格,411302001001099\n", encoding="utf-8")
    clerk = township_db.as_actor(Actor(None, "clerk9", "李文员", frozenset({"admin"})))
    result = run_to_end(import_job(clerk, path, "grids"))
    assert result.committed
    with township_db.session() as s:
        names = set(s.scalars(select(AuditLog.username).where(AuditLog.import_batch_id == result.batch_id)))
        assert names == {"clerk9"}
        assert s.get(ImportBatch, result.batch_id) is not None


def _legacy_import(db, path, monkeypatch):
    """An import committed by a version that did not check the households
    the batch moves members out of."""
    from gridadmin.services.importing import resident_plan

    with monkeypatch.context() as m:
        m.setattr(resident_plan, "_head_rules", lambda *a, **k: False)
        return _import(db, path)


def _household_heads(db, household_no):
    with db.session() as s:
        return sorted(s.scalars(select(Person.name).join(Household, Household.id == Person.household_id).where(
            Household.household_no == household_no, Person.relation.in_(("01", "02")))))


def _family(tmp_path, db):
    _setup_grid(db)
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11), person("H1", "妻", "王芳", date(1981, 3, 4), 22)]
    return _import(db, write_workbook(tmp_path / "a.xlsx", rows))


def test_undo_refused_when_a_later_import_gave_the_household_a_new_head(township_db, tmp_path, monkeypatch):
    _family(tmp_path, township_db)
    moved = [person("H2", "户主", "李云", date(1980, 1, 2), 11)]  # H1 keeps 王芳 and no head
    b1 = _legacy_import(township_db, write_workbook(tmp_path / "b.xlsx", moved), monkeypatch)
    b2 = _import(township_db, write_workbook(tmp_path / "c.xlsx", [person("H1", "户主", "赵六", date(1970, 2, 3), 55)]))
    with pytest.raises(ConflictError) as refused:
        undo_batch(township_db, b1)
    message = str(refused.value)
    assert message.startswith(f"不能撤销导入批次 {b1}：撤销后户号 H1 将有 2 位户主（李云、赵六），一户只能有一个户主。")
    assert f"居民“赵六”于" in message and f"被 导入批次 {b2}修改（导入新增 赵六）" in message
    assert refused.value.entity == "household"
    with township_db.session() as s:  # rolled back as a whole
        assert s.get(ImportBatch, b1).undone_at is None
    assert _household_heads(township_db, "H1") == ["赵六"] and _household_heads(township_db, "H2") == ["李云"]


def test_undo_refused_when_the_household_card_named_a_new_head(township_db, tmp_path, monkeypatch):
    from dataclasses import replace

    from gridadmin.services.register.households import load_household, save_household

    _family(tmp_path, township_db)
    moved = [person("H2", "户主", "李云", date(1980, 1, 2), 11)]
    b1 = _legacy_import(township_db, write_workbook(tmp_path / "b.xlsx", moved), monkeypatch)
    with township_db.session() as s:
        h1 = s.scalar(select(Household.id).where(Household.household_no == "H1"))
    card = load_household(township_db, h1)
    save_household(township_db, h1, card.data, [replace(m, relation="02") for m in card.members],
                   expected_version=card.version, confirmed=True)
    with pytest.raises(ConflictError, match="撤销后户号 H1 将有 2 位户主（李云、王芳）.*居民“王芳”于 .* 被 系统修改"):
        undo_batch(township_db, b1)


def test_undo_refused_when_it_would_leave_a_household_without_a_head(township_db, tmp_path, monkeypatch):
    _family(tmp_path, township_db)
    _import(township_db, write_workbook(tmp_path / "b.xlsx", [person("H2", "户主", "张三", date(1960, 5, 6), 35)]))
    legacy = [person("H3", "户主", "李云", date(1980, 1, 2), 11)]  # leaves H1 with 王芳 only
    _legacy_import(township_db, write_workbook(tmp_path / "c.xlsx", legacy), monkeypatch)
    # 张三 becomes H1's head (H2, left empty, is dissolved); undoing that would leave H1 headless again
    b3 = _import(township_db, write_workbook(tmp_path / "d.xlsx", [person("H1", "户主", "张三", date(1960, 5, 6), 35)]))
    with pytest.raises(ConflictError, match="撤销后户号 H1 还有 1 位成员，却没有户主"):
        undo_batch(township_db, b3)
    assert _household_heads(township_db, "H1") == ["张三"]


def test_undo_of_a_valid_move_with_a_new_head_goes_through(township_db, tmp_path):
    _family(tmp_path, township_db)
    rows = [person("H2", "户主", "李云", date(1980, 1, 2), 11), person("H1", "户主", "王芳", date(1981, 3, 4), 22)]
    b2 = _import(township_db, write_workbook(tmp_path / "b.xlsx", rows))
    _import(township_db, write_workbook(tmp_path / "c.xlsx", [person("H1", "子", "李小云", date(2010, 5, 6), 33)]))
    undo_batch(township_db, b2)
    assert _household_heads(township_db, "H1") == ["李云"]
    with township_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Household).where(Household.household_no == "H2")) == 0


def test_undo_reopens_the_household_the_import_dissolved(township_db, tmp_path):
    _family(tmp_path, township_db)
    _import(township_db, write_workbook(tmp_path / "b.xlsx", [person("H2", "户主", "张三", date(1960, 5, 6), 35)]))
    b3 = _import(township_db, write_workbook(tmp_path / "c.xlsx", [person("H1", "父", "张三", date(1960, 5, 6), 35)]))
    with township_db.session() as s:
        assert s.scalar(select(Household.dissolved_on).where(Household.household_no == "H2")) is not None
    undo_batch(township_db, b3)
    with township_db.session() as s:
        assert s.scalar(select(Household.dissolved_on).where(Household.household_no == "H2")) is None
    assert _household_heads(township_db, "H2") == ["张三"]
