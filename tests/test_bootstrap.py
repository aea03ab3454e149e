"""bootstrap.py installs the dependencies once per pyproject.toml change:
``start`` and ``test`` alternate without reinstalling."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bootstrap(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("bootstrap_under_test", ROOT / "bootstrap.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    venv_dir = tmp_path / ".venv"
    venv_dir.mkdir()
    python = venv_dir / "python"
    python.write_text("")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "VENV", venv_dir)
    monkeypatch.setattr(module, "STAMP", venv_dir / ".installed-from")
    monkeypatch.setattr(module, "venv_python", lambda: python)
    installs: list[str] = []

    def fake_run(command, **kwargs):
        if "-e" in command:
            installs.append(command[-1])
    monkeypatch.setattr(module.subprocess, "run", fake_run)
    return module, installs


def test_start_and_test_alternate_without_reinstalling(tmp_path, monkeypatch):
    bootstrap, installs = _bootstrap(tmp_path, monkeypatch)
    bootstrap.ensure_venv("test")
    bootstrap.ensure_venv("")
    bootstrap.ensure_venv("test")
    bootstrap.ensure_venv("")
    assert installs == [".[test]"]


def test_start_first_then_test_installs_the_test_extras_once(tmp_path, monkeypatch):
    bootstrap, installs = _bootstrap(tmp_path, monkeypatch)
    bootstrap.ensure_venv("")
    bootstrap.ensure_venv("test")
    bootstrap.ensure_venv("")
    bootstrap.ensure_venv("test")
    assert installs == [".", ".[test]"]


def test_a_changed_pyproject_reinstalls_with_the_extras_already_there(tmp_path, monkeypatch):
    bootstrap, installs = _bootstrap(tmp_path, monkeypatch)
    bootstrap.ensure_venv("test")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '2'\n")
    bootstrap.ensure_venv("")
    bootstrap.ensure_venv("test")
    assert installs == [".[test]", ".[test]"]
