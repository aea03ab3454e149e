"""Importing grids, and the ``import`` command (JSON, exit codes)."""

from __future__ import annotations

import json
import os
from datetime import date

import openpyxl
from sqlalchemy import select

from gridadmin.cli import main
from gridadmin.models import Area
from gridadmin.services.areas.tree import load_tree
from gridadmin.services.importing import import_job, plan_import
from gridadmin.services.common.progress import run_to_end
from tests.test_import_support import person, write_workbook


def _grids_file(path, rows, titles=("东关街道网格划分表",)):
    wb = openpyxl.Workbook()
    ws = wb.active
    for title in titles:
        ws.append([title])
    ws.append(["序号", "所属社区*", "网格名称*", "网格编码", "网格类型"])
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    wb.save(path)
    return path


def _code(db, name="河街社区") -> str:
    return next(n for n in load_tree(db) if n.name == name).division_code


def test_grids_insert_then_update_by_code(township_db, tmp_path):
    code = _code(township_db)
    rows = [("河街社区", "一网格", float(code + "001"), "城市"), (None, "二网格", code + "002", "城市社区网格"),
            ("河街", "市场专属网格", None, "专属")]
    result = run_to_end(import_job(township_db, _grids_file(tmp_path / "g.xlsx", rows), "grids"))
    assert result.committed and result.to_dict()["inserted"] == 3
    with township_db.session() as s:
        grids = s.execute(select(Area.name, Area.grid_code, Area.grid_type).where(Area.level == "grid")
                          .order_by(Area.sort_order)).all()
    assert grids == [("一网格", code + "001", "城市社区网格"), ("二网格", code + "002", "城市社区网格"),
                     ("市场专属网格", None, "专属网格")]
    renamed = [("河街社区", "第一网格", code + "001", "城市")]
    plan = plan_import(township_db, _grids_file(tmp_path / "h.xlsx", renamed), "grids")
    assert plan.rows[0].status == "update"
    assert plan.rows[0].changes == {"name": ("网格名称", "一网格", "第一网格")}
    assert run_to_end(import_job(township_db, tmp_path / "h.xlsx", "grids")).committed
    with township_db.session() as s:
        assert s.scalar(select(Area.name).where(Area.grid_code == code + "001")) == "第一网格"


def test_grid_errors(township_db, tmp_path):
    code = _code(township_db)
    rows = [("河街社区", "一网格", code + "001", "城市"), ("河街社区", "一网格", code + "002", "城市"),
            ("火星社区", "三网格", None, None), ("河街社区", "四网格", "12 34/5", "大网格")]
    plan = plan_import(township_db, _grids_file(tmp_path / "g.xlsx", rows), "grids")
    messages = [(e.row, e.column, e.message) for e in plan.errors]
    assert (3, "网格名称*", "与第 4 行重复（社区/村和网格名称相同），同一文件中只能出现一次") in messages
    assert plan.rows[0].errors[0].value == "一网格"  # the name, not an internal key
    assert any(r == 5 and c == "所属社区*" and m.startswith("本乡镇/街道没有名为“火星社区”的社区/村；如确需新建")
               for r, c, m in messages)
    assert any(r == 6 and c == "网格编码" for r, c, _m in messages)
    assert any(r == 6 and c == "网格类型" for r, c, _m in messages)


def _micro_file(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["社区/村", "网格名称", "网格编码", "网格类型", "所属网格"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def test_micro_grids_under_a_grid_of_the_same_file_then_undo(township_db, tmp_path):
    """A micro-grid row names its grid in 所属网格; the grid may be new in
    the same file (a centre importing its whole tree at once)."""
    from gridadmin.services.importing.undo import undo_batch

    code = _code(township_db)
    rows = [("河街社区", "一网格", code + "001", "城市", None),
            ("河街社区", "1号楼微网格", code + "00101", None, "一网格"),
            ("河街社区", "2号楼微网格", code + "00102", None, "一网格")]
    result = run_to_end(import_job(township_db, _micro_file(tmp_path / "g.xlsx", rows), "grids"))
    assert result.committed and result.to_dict()["inserted"] == 3
    with township_db.session() as s:
        grid_id = s.scalar(select(Area.id).where(Area.name == "一网格"))
        micro = s.execute(select(Area.name, Area.level, Area.parent_id).where(Area.level == "microgrid")
                          .order_by(Area.sort_order)).all()
    assert micro == [("1号楼微网格", "microgrid", grid_id), ("2号楼微网格", "microgrid", grid_id)]
    again = plan_import(township_db, tmp_path / "g.xlsx", "grids")
    assert [r.status for r in again.rows] == ["unchanged"] * 3
    undo_batch(township_db, result.batch_id)
    with township_db.session() as s:
        assert s.scalar(select(Area.id).where(Area.level.in_(("grid", "microgrid")))) is None


def test_micro_grid_errors_name_the_cell(township_db, tmp_path):
    code = _code(township_db)
    run_to_end(import_job(township_db, _micro_file(tmp_path / "a.xlsx", [
        ("河街社区", "一网格", code + "001", "城市", None), ("河街社区", "1号楼微网格", code + "00101", None, "一网格")]),
        "grids"))
    rows = [("河街社区", "3号楼微网格", None, None, "九网格"),  # no such grid
            ("河街社区", "1号楼微网格", code + "00101", None, None),  # a micro-grid's code as a grid
            ("河街社区", "一网格", code + "001", None, "一网格"),  # a grid's code as a micro-grid
            ("河街社区", "五网格", code + "005", "大网格", None), ("河街社区", "5号楼", None, None, "五网格")]
    plan = plan_import(township_db, _micro_file(tmp_path / "b.xlsx", rows), "grids")
    issues = {(e.row, e.column): e.message for e in plan.errors}
    assert issues[(2, "所属网格")] == "“河街社区”下没有名为“九网格”的网格"
    assert "微网格“1号楼微网格”" in issues[(3, "网格编码")] and "所属网格" in issues[(3, "网格编码")]
    assert "网格“一网格”" in issues[(4, "网格编码")]
    # the new grid of row 5 has an error, so its micro-grid cannot be written either
    assert plan.rows[3].status == "error" and "第 5 行" in issues[(6, "所属网格")]
    skipped = plan_import(township_db, tmp_path / "b.xlsx", "grids", mode="update").rows[4]
    assert skipped.status == "skip" and "仅更新" in skipped.warnings[0].message


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_cli_import_json_and_exit_codes(township_db, tmp_path, capsys, cli_login):
    login = cli_login(township_db)
    db_path = township_db.url.split("sqlite:///", 1)[-1] if township_db.url.startswith("sqlite") else township_db.url
    code = _code(township_db)
    grids = _grids_file(tmp_path / "g.xlsx", [("河街社区", "一网格", code + "001", "城市")])
    assert main(["import", "--db", db_path, "--kind", "grids", str(grids), "--dry-run", "--json", *login]) == 0
    out = _json(capsys)
    assert out == {"rows": 1, "inserted": 1, "updated": 0, "unchanged": 0, "skipped": 0, "committed": False,
                   "batch_id": None, "errors": [], "warnings": []}
    assert main(["import", "--db", db_path, "--kind", "grids", str(grids), "--json", *login]) == 0
    assert _json(capsys)["committed"] is True

    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11), person("H1", "妻", "王芳", date(1981, 3, 4), 22,
                                                                    **{"公民身份号码*": "41130219810304022X"})]
    residents = write_workbook(tmp_path / "r.xlsx", rows)
    report = tmp_path / "错误行.xlsx"
    assert main(["import", "--db", db_path, "--kind", "residents", str(residents), "--json",
                 "--error-report", str(report), *login]) == 1
    out = _json(capsys)
    assert out["committed"] is False and out["batch_id"] is None
    assert {"row", "column", "value", "message"} == set(out["errors"][0])
    assert report.exists()

    junk = tmp_path / "人口.xlsx"
    junk.write_bytes(os.urandom(4096))
    assert main(["import", "--db", db_path, "--kind", "residents", str(junk), *login]) == 2
    assert "不是表格文件" in capsys.readouterr().err


def test_cli_shows_why_rows_were_skipped(township_db, tmp_path, capsys, cli_login):
    """Insert-only over grids that exist: the text output says why each row
    was skipped, and the JSON carries the same lines as warnings."""
    login = cli_login(township_db)
    db_path = township_db.url.split("sqlite:///", 1)[-1]
    code = _code(township_db)
    grids = _grids_file(tmp_path / "g.xlsx", [("河街社区", "一网格", code + "001", "城市")])
    assert main(["import", "--db", db_path, "--kind", "grids", str(grids), *login]) == 0
    capsys.readouterr()
    renamed = _grids_file(tmp_path / "h.xlsx", [("河街社区", "第一网格", code + "001", "城市")])
    assert main(["import", "--db", db_path, "--kind", "grids", str(renamed), "--mode", "insert", *login]) == 0
    out = capsys.readouterr().out
    assert "跳过 1" in out and "第 3 行：跳过：网格已存在，“仅新增”模式不更新" in out
    assert main(["import", "--db", db_path, "--kind", "grids", str(renamed), "--mode", "insert", "--json", *login]) == 0
    assert _json(capsys)["warnings"] == [{"row": 3, "column": "", "value": "", "message": "网格已存在，“仅新增”模式不更新"}]


def test_cli_skip_errors_with_every_row_wrong(township_db, tmp_path, capsys, cli_login):
    login = cli_login(township_db)
    db_path = township_db.url.split("sqlite:///", 1)[-1]
    grids = _grids_file(tmp_path / "g.xlsx", [("火星社区", "一网格", None, None)])
    assert main(["import", "--db", db_path, "--kind", "grids", str(grids), "--skip-errors", *login]) == 1
    err = capsys.readouterr().err
    assert "没有可导入的行" in err and "--skip-errors 只导入" not in err
