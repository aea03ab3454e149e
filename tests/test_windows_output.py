"""What a Windows caller reads from the program. Python writes to a pipe or a
file in the ANSI code page (cp936, GBK, on a Chinese Windows) unless told
otherwise; the command line and the window's entry point (``--help``)
both write UTF-8, so a script, the Task Scheduler's log or
a test reading the output gets one encoding. The code page is simulated here
with PYTHONIOENCODING=cp936, as the Windows CI job (.ci/windows.sh) found
it under the Windows Python. And the console executable GridAdmin-cli.exe
is the command line whatever its arguments. A clerk's files lie in folders
with Chinese names and spaces (桌面, 文档, 网格 数据): the commands take and
print such paths (the Windows CI job runs these tests from such folders, with
the Chinese code page)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_in_code_page(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="cp936", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, timeout=120)


def test_command_line_writes_utf8_whatever_the_code_page():
    done = _run_in_code_page("-m", "gridadmin", "check-id", "110105194912310021")  # wrong check digit
    assert done.returncode == 1
    text = done.stdout.decode("utf-8")  # strict: GBK bytes would not decode
    assert "110105194912310021：无效，校验码错误" in text
    assert "校验码".encode("gbk") not in done.stdout


def test_window_entry_point_writes_utf8_whatever_the_code_page():
    helped = _run_in_code_page("main.py", "--help")
    assert helped.returncode == 0
    assert "数据库文件路径或 SQLAlchemy URL" in helped.stdout.decode("utf-8")
    assert "备份文件（双击 .gadb 文件时）" in helped.stdout.decode("utf-8")


def test_console_executable_is_the_command_line(monkeypatch):
    sys.path.insert(0, str(ROOT))
    try:
        import main
    finally:
        sys.path.remove(str(ROOT))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", r"C:\Users\文员\AppData\Local\Programs\GridAdmin\GridAdmin-cli.exe")
    assert main.cli_command(["--help"]) and main.cli_command([]) and main.cli_command(["--version"])
    monkeypatch.setattr(sys, "executable", r"C:\Users\文员\AppData\Local\Programs\GridAdmin\GridAdmin.exe")
    assert not main.cli_command(["--help"]) and not main.cli_command([])
    assert main.cli_command(["demo", "--db", "x.db"])


def test_commands_take_and_print_folders_with_chinese_names_and_spaces(tmp_path, capsys):
    from gridadmin.cli import main

    database = tmp_path / "桌面" / "网格 数据" / "演示 数据.db"
    database.parent.mkdir(parents=True)
    documents = tmp_path / "文档" / "网格 报表"
    documents.mkdir(parents=True)
    assert main(["demo", "--db", str(database), "--size", "small", "--as-system"]) == 0
    assert f"数据库：{database}" in capsys.readouterr().out
    report = documents / "月报 2026年11月.pdf"
    assert main(["report", "monthly", "--db", str(database), "--month", "2026-11", "--out", str(report),
                 "--as-system"]) == 0
    assert str(report) in capsys.readouterr().out
    assert report.read_bytes().startswith(b"%PDF")
    # a child's output through a pipe, in the code page's place: UTF-8, path and all
    backup = documents / "备份 副本.gadb"
    done = _run_in_code_page("-m", "gridadmin", "backup", "--db", str(database), "--out", str(backup), "--as-system")
    assert done.returncode == 0, done.stderr.decode("utf-8")
    assert f"已备份到 {backup}：" in done.stdout.decode("utf-8")
    assert backup.stat().st_size > 0
