"""Row-level area checks: a clerk limited to 河街社区 importing rows for
粮行社区 gets row errors naming the row and the community — in the dry
run already — and nothing outside their areas is written."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from gridadmin.models import Area, Person
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.access.users import authenticate, create_user
from tests import staffdata
from tests.test_import_support import person, write_workbook

PASSWORD = "wangge2026"


@pytest.fixture
def clerk(township_db):
    places = staffdata.grids(township_db)
    create_user(township_db, "admin", "王管理", PASSWORD, ["admin"])
    admin = township_db.as_actor(authenticate(township_db, "admin", PASSWORD))
    create_user(admin, "clerk", "李业务", PASSWORD, ["clerk"], scope=[places["河街社区"]])
    return township_db.as_actor(authenticate(township_db, "clerk", PASSWORD)), places


def test_residents_outside_the_clerks_area_are_row_errors(clerk, tmp_path):
    db, places = clerk
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11),
            person("H2", "户主", "张三", date(1960, 5, 6), 35, **{"社区*": "粮行社区", "网格*": "粮行网格"}),
            person("H2", "妻", "王芳", date(1962, 3, 4), 22)]
    path = write_workbook(tmp_path / "r.xlsx", rows, community=("河街社区", "第一网格"), merge_community=False)
    plan = plan_import(db, path, "residents", today=staffdata.TODAY)
    assert [r.status for r in plan.rows] == ["new", "error", "error"]
    first = plan.rows[1].errors[0]
    assert (first.row, first.column, first.value, first.message) == \
        (5, "社区*", "粮行社区", "“粮行社区”不在当前用户负责的区域内")
    assert plan.rows[2].errors[0].message == "“粮行社区”不在当前用户负责的区域内"  # filled down
    result = run_to_end(import_job(db, path, "residents", skip_errors=True, today=staffdata.TODAY))
    assert result.committed
    with db.session() as s:
        assert list(s.scalars(select(Person.name))) == ["李云"]


def test_grids_outside_the_clerks_area_are_row_errors(clerk, tmp_path):
    db, _places = clerk
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["社区/村", "网格名称", "网格类型"])
    ws.append(["河街社区", "第三网格", "城市"])
    ws.append(["粮行社区", "粮行二网格", "城市"])
    wb.save(tmp_path / "g.xlsx")
    result = run_to_end(import_job(db, tmp_path / "g.xlsx", "grids"))
    assert not result.committed
    assert [e.to_dict() for e in result.plan.errors] == [
        {"row": 3, "column": "社区/村", "value": "粮行社区", "message": "“粮行社区”不在当前用户负责的区域内"}]
    with db.session() as s:
        assert s.scalar(select(Area.id).where(Area.name == "粮行二网格")) is None


def test_a_clerk_cannot_undo_a_batch_outside_their_areas(clerk, tmp_path):
    """The undo checks the areas of every record it would delete or
    restore, as the import checked each row."""
    from gridadmin.services.access.permissions import PermissionDeniedError
    from gridadmin.services.importing.undo import undo_batch

    db, places = clerk
    admin = db.as_actor(authenticate(db, "admin", PASSWORD))
    create_user(admin, "clerk2", "赵业务", PASSWORD, ["clerk"], scope=[places["粮行社区"]])
    other = db.as_actor(authenticate(db, "clerk2", PASSWORD))
    path = write_workbook(tmp_path / "r.xlsx", [person("H1", "户主", "李云", date(1980, 1, 2), 11)],
                          community=("河街社区", "第一网格"))
    result = run_to_end(import_job(db, path, "residents", today=staffdata.TODAY))
    assert result.committed
    with pytest.raises(PermissionDeniedError, match="不在当前用户“赵业务”负责的区域内"):
        undo_batch(other, result.batch_id)
    with db.session() as s:
        assert list(s.scalars(select(Person.name))) == ["李云"]
    assert undo_batch(db, result.batch_id).removed == 2  # the clerk who imported it may


def test_a_clerk_may_not_even_preview_a_kind_they_may_not_import(clerk, tmp_path):
    from gridadmin.services.access.permissions import PermissionDeniedError
    from gridadmin.services.importing import plan_import as dry_run
    from tests.test_import_staff import roster, row

    db, _places = clerk
    path = roster(tmp_path / "花名册.xlsx", [row("李云", date(1985, 3, 2), 11)])
    with pytest.raises(PermissionDeniedError, match="无权修改网格员信息"):
        dry_run(db, path, "staff", today=staffdata.TODAY)
    with pytest.raises(PermissionDeniedError):
        run_to_end(import_job(db, path, "staff", dry_run=True, today=staffdata.TODAY))
