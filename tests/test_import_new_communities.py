"""The grids import and communities/villages the tree does not have: an
error naming the nearest names, or — chosen explicitly — created
(新建社区/村), audited and undone with the batch."""

from __future__ import annotations

import json

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select

from gridadmin.cli import main
from gridadmin.models import Area, AuditLog
from gridadmin.services.areas.setup import init_township
from gridadmin.services.common.errors import ValidationError
from gridadmin.services.common.nearest import edit_distance, nearest_names
from gridadmin.services.common.progress import run_to_end
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.importing.undo import undo_batch


def _grids_file(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["西塘镇网格划分表"])
    ws.append(["所属社区*", "网格名称*", "网格编码", "网格类型", "所属网格"])
    for row in rows:
        ws.append(list(row) + [None] * (5 - len(row)))
    wb.save(path)
    return path


@pytest.fixture
def xitang(db):
    """西塘镇 (浙江 嘉兴 嘉善) with its 24 official communities/villages."""
    init_township(db, "330421103")
    return db


@pytest.fixture
def bare_xitang(db):
    """西塘镇 set up without its communities (a database from before the
    country-wide list, or one whose tree was never filled)."""
    init_township(db, "330421103", with_communities=False)
    return db


def _communities(db) -> dict[str, tuple]:
    with db.session() as s:
        return {r.name: (r.division_code, r.community_kind, r.id) for r in s.execute(
            select(Area.name, Area.division_code, Area.community_kind, Area.id).where(Area.level == "community"))}


def test_nearest_names():
    names = ["河街社区", "西街社区", "塘东社区", "荷池村", "平川社区"]
    assert nearest_names("和街社区", names)[0] == "河街社区"  # same pinyin
    assert nearest_names("荷驰村", names) == ["荷池村"]  # same pinyin, another character
    assert nearest_names("西街村", names)[0] == "西街社区"  # same name but for 社区/村
    assert nearest_names("平川新社区", names) == ["平川社区"]  # one character apart
    assert nearest_names("火星社区", names) == []
    assert edit_distance("kitten", "sitting") == 3 and edit_distance("", "ab") == 2


def test_unknown_community_is_an_error_naming_the_nearest(xitang, tmp_path):
    path = _grids_file(tmp_path / "g.xlsx", [("西街社区", "一网格"), ("荷驰村", "二网格"), ("火星社区", "三网格")])
    plan = plan_import(xitang, path, "grids")
    messages = {e.row: (e.column, e.value, e.message) for e in plan.errors}
    assert set(messages) == {4, 5}
    column, value, message = messages[4]
    assert (column, value) == ("所属社区*", "荷驰村")
    assert message.startswith("本乡镇/街道没有名为“荷驰村”的社区/村（相近的有：荷池村")
    assert "--create-communities" in message and "新建文件中的社区/村" in message
    assert "相近的有" not in messages[5][2]
    assert plan.extra["new_communities"] == {}


def test_created_with_official_codes_audited_and_undone(bare_xitang, tmp_path):
    db = bare_xitang
    path = _grids_file(tmp_path / "g.xlsx", [
        ("西街社区", "西街一网格", None, "城市"), (None, "西街二网格", None, "城市"),
        ("荷池村", "荷池村网格", None, "农村"), ("荷池村", "一号楼", None, None, "荷池村网格"),
        ("东门社区", "东门网格", "330421103901001", "城市")])
    plan = plan_import(db, path, "grids")
    assert len(plan.errors) == 5 and _communities(db) == {}  # not chosen: errors, nothing created
    plan = plan_import(db, path, "grids", create_communities=True)
    assert not plan.errors and plan.counts()["inserted"] == 5
    assert plan.extra["notes"] == ["新建社区/村 3 个：西街社区（330421103001）、荷池村（330421103200）、东门社区"]
    warnings = {w.row: w.message for r in plan.rows for w in r.warnings}
    assert warnings == {3: "新建社区/村“西街社区”（官方代码 330421103001）",
                        5: "新建社区/村“荷池村”（官方代码 330421103200）",
                        7: "新建社区/村“东门社区”（官方名单中没有，无区划代码）"}
    assert _communities(db) == {}  # the dry run writes nothing

    result = run_to_end(import_job(db, path, "grids", create_communities=True))
    assert result.committed
    assert result.to_dict()["new_communities"] == [
        {"name": "西街社区", "division_code": "330421103001"}, {"name": "荷池村", "division_code": "330421103200"},
        {"name": "东门社区", "division_code": None}]
    found = _communities(db)
    assert {k: v[:2] for k, v in found.items()} == {"西街社区": ("330421103001", "社区"),
                                                     "荷池村": ("330421103200", "村"), "东门社区": (None, "社区")}
    with db.session() as s:
        township = s.scalar(select(Area.id).where(Area.level == "township"))
        assert set(s.scalars(select(Area.parent_id).where(Area.level == "community"))) == {township}
        grids = dict(s.execute(select(Area.name, Area.parent_id).where(Area.level == "grid")).all())
        micro = s.execute(select(Area.name, Area.parent_id).where(Area.level == "microgrid")).one()
        audit = s.scalars(select(AuditLog.summary).where(AuditLog.import_batch_id == result.batch_id,
                                                         AuditLog.summary.like("导入新建社区/村%"))).all()
    assert grids == {"西街一网格": found["西街社区"][2], "西街二网格": found["西街社区"][2],
                     "荷池村网格": found["荷池村"][2], "东门网格": found["东门社区"][2]}
    assert micro == ("一号楼", next(i for i in _grid_ids(db) if i[0] == "荷池村网格")[1])
    assert sorted(audit) == ["导入新建社区/村 东门社区", "导入新建社区/村 荷池村", "导入新建社区/村 西街社区"]

    again = plan_import(db, path, "grids", create_communities=True)  # a second time: nothing new
    assert again.extra["new_communities"] == {} and again.counts()["unchanged"] == 5

    undone = undo_batch(db, result.batch_id)
    assert undone.removed == 8
    assert _communities(db) == {} and _grid_ids(db) == []


def _grid_ids(db):
    with db.session() as s:
        return s.execute(select(Area.name, Area.id).where(Area.level == "grid")).all()


def test_create_communities_only_for_grids(bare_xitang, tmp_path):
    path = tmp_path / "p.xlsx"
    _grids_file(path, [("西街社区", "一网格")])
    with pytest.raises(ValidationError, match="只有网格导入可以新建社区/村"):
        plan_import(bare_xitang, path, "staff", create_communities=True)


def test_existing_grid_cannot_move_into_a_new_community(xitang, tmp_path):
    first = _grids_file(tmp_path / "a.xlsx", [("西街社区", "一网格", "330421103001001", "城市")])
    assert run_to_end(import_job(xitang, first, "grids")).committed
    moved = _grids_file(tmp_path / "b.xlsx", [("新华社区", "一网格", "330421103001001", "城市")])
    plan = plan_import(xitang, moved, "grids", create_communities=True)
    assert [(e.column, e.message) for e in plan.errors] == [
        ("网格编码", "网格编码已被“西街社区”的“一网格”使用，已有的网格不能移入新建的社区/村")]
    assert plan.extra["new_communities"] == {}


def test_cli_create_communities(bare_xitang, tmp_path, capsys, cli_login):
    login = cli_login(bare_xitang)
    path = _grids_file(tmp_path / "g.xlsx", [("西街社区", "一网格"), ("东门社区", "二网格")])
    url = bare_xitang.url
    assert main(["import", "--db", url, "--kind", "grids", str(path), "--json", *login]) == 1
    out = json.loads(capsys.readouterr().out)
    assert not out["committed"] and "--create-communities" in out["errors"][0]["message"]
    assert main(["import", "--db", url, "--kind", "grids", str(path), "--create-communities", *login]) == 0
    text = capsys.readouterr().out
    assert "新建社区/村 2 个：西街社区（330421103001）、东门社区。" in text
    assert "第 3 行“所属社区*”（西街社区）：提示：新建社区/村“西街社区”（官方代码 330421103001）" in text
    assert set(_communities(bare_xitang)) == {"西街社区", "东门社区"}


def test_wizard_checkbox_creates_them(qtbot, bare_xitang, tmp_path, monkeypatch):
    from gridadmin.ui.importing.import_page import ImportPage
    from gridadmin.ui.importing.wizard import STEP_MAPPING, STEP_PREVIEW, STEP_RESULT

    path = _grids_file(tmp_path / "g.xlsx", [("西街社区", "一网格", None, "城市"), ("东门社区", "二网格", None, "城市")])
    page = ImportPage(bare_xitang)
    qtbot.addWidget(page)
    page.resize(1024, 700)
    page.show()
    wizard = page.wizard
    wizard.file_step.kind_buttons["grids"].click()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    wizard.file_step.choose_button.click()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_MAPPING
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_PREVIEW
    preview = wizard.preview_step
    box = preview.create_communities
    assert box.isVisible() and not box.isChecked()
    assert preview.counts["error"] == 2
    model = preview.model
    texts = [model.index(r, c).data() for r in range(model.rowCount()) for c in range(model.columnCount())]
    assert any("相近的有" not in (t or "") and "没有名为“东门社区”" in (t or "") for t in texts)
    box.click()  # replans
    assert preview.counts["error"] == 0 and preview.counts["new"] == 2
    assert "新建社区/村 2 个：西街社区（330421103001）、东门社区" in preview.intro.text()
    texts = [model.index(r, c).data() for r in range(model.rowCount()) for c in range(model.columnCount())]
    assert any("新建社区/村“东门社区”" in (t or "") for t in texts)
    page.grab().save(str(tmp_path / "preview.png"))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step() == STEP_RESULT
    assert set(_communities(bare_xitang)) == {"西街社区", "东门社区"}


def test_a_clerk_limited_to_one_community_cannot_create_communities(xitang, tmp_path):
    from gridadmin.services.access.users import authenticate, create_user

    create_user(xitang, "admin", "王管理", "wangge2026", ["admin"])
    admin = xitang.as_actor(authenticate(xitang, "admin", "wangge2026"))
    create_user(admin, "xijie", "西街业务员", "wangge2026", ["clerk"], scope=[_communities(xitang)["西街社区"][2]])
    clerk = xitang.as_actor(authenticate(xitang, "xijie", "wangge2026"))
    path = _grids_file(tmp_path / "g.xlsx", [("西街社区", "一网格"), ("东门社区", "二网格")])
    plan = plan_import(clerk, path, "grids", create_communities=True)
    assert [(e.row, e.message) for e in plan.errors] == [(4, "“西塘镇”不在当前用户负责的区域内")]
    assert plan.extra["new_communities"] == {} and not plan.extra.get("notes")  # nothing to create any more
    assert run_to_end(import_job(clerk, path, "grids", create_communities=True, skip_errors=True)).committed
    assert "东门社区" not in _communities(xitang)


def test_two_spellings_of_one_official_community_create_it_once(bare_xitang, tmp_path):
    path = _grids_file(tmp_path / "g.xlsx", [("西街", "一网格"), ("西街社区", "二网格"), ("荷池村委会", "三网格")])
    result = run_to_end(import_job(bare_xitang, path, "grids", create_communities=True))
    assert result.committed and result.to_dict()["new_communities"] == [
        {"name": "西街社区", "division_code": "330421103001"}, {"name": "荷池村", "division_code": "330421103200"}]
    found = _communities(bare_xitang)
    with bare_xitang.session() as s:
        parents = s.scalars(select(Area.parent_id).where(Area.level == "grid").order_by(Area.name)).all()
    assert sorted(parents) == sorted([found["西街社区"][2]] * 2 + [found["荷池村"][2]])
