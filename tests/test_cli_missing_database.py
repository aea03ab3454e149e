"""A mistyped ``--db`` path: commands that read or change existing data
refuse it (exit 2, naming the path) instead of creating an empty database
and answering from it; ``init`` and ``demo`` still create one."""

from __future__ import annotations

import json

import openpyxl
import pytest

from gridadmin.cli import main

MESSAGE = "数据库文件不存在"


def _sheet(path):
    wb = openpyxl.Workbook()
    wb.active.append(["社区", "网格名称", "网格编码"])
    wb.active.append(["河街社区", "一网格", "411302001001001"])
    wb.save(path)
    return path


@pytest.mark.parametrize("command", [
    ["import", "--kind", "grids", "{file}", "--dry-run"],
    ["import", "--kind", "grids", "{file}"],
    ["export", "--kind", "grids", "--out", "{out}"],
    ["export", "--kind", "residents", "--out", "{out}", "--full-numbers"],
    ["template", "--kind", "residents", "--out", "{out}"],
    ["report", "monthly", "--month", "2026-03", "--out", "{pdf}"],
    ["backup", "--out", "{backup}"],
])
def test_a_missing_database_file_is_refused(tmp_path, capsys, command):
    missing = tmp_path / "错的路径" / "twon.db"
    values = {"file": str(_sheet(tmp_path / "g.xlsx")), "out": str(tmp_path / "x.xlsx"),
              "pdf": str(tmp_path / "m.pdf"), "backup": str(tmp_path / "b.gadb")}
    argv = [part.format(**values) for part in command]
    assert main([*argv, "--db", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "twon.db" in err and ("找不到数据库文件" in err or MESSAGE in err)
    if command[0] != "backup":
        assert MESSAGE in err and "init" in err and "demo" in err
    assert not missing.exists() and not missing.parent.exists()
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "m.pdf").exists()


def test_import_json_reports_the_missing_database(tmp_path, capsys):
    missing = tmp_path / "nope.db"
    code = main(["import", "--db", str(missing), "--kind", "grids", str(_sheet(tmp_path / "g.xlsx")), "--json"])
    assert code == 2
    out = json.loads(capsys.readouterr().out.strip())
    assert out["committed"] is False and MESSAGE in out["error"] and "nope.db" in out["error"]
    assert not missing.exists()


def test_init_creates_a_new_database(tmp_path):
    target = tmp_path / "new" / "town.db"
    assert main(["init", "--db", str(target), "--township", "411302001"]) == 0
    assert target.exists()
    out = tmp_path / "g.xlsx"
    assert main(["export", "--db", str(target), "--kind", "grids", "--out", str(out)]) == 2  # who exports?
    assert main(["export", "--db", str(target), "--kind", "grids", "--out", str(out), "--as-system"]) == 0
    assert out.exists()


def test_demo_creates_a_new_database(tmp_path):
    target = tmp_path / "demo" / "demo.db"
    assert main(["demo", "--db", str(target), "--size", "small", "--seed", "1"]) == 0
    assert target.exists()
