"""Packaging: the PyInstaller spec, the build script, the Inno Setup script and
the entry point the frozen executable runs (the bundle itself is built and
started by .ci/bundle.sh, too slow for the test suite)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import gridadmin
from gridadmin.paths import resource, resources_dir
from gridadmin.services.maintenance.backup import BACKUP_SUFFIX

ROOT = Path(__file__).resolve().parent.parent
ISS = ROOT / "installer" / "gridadmin.iss"


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_code_version_is_the_project_version():
    assert gridadmin.__version__ == project_version()


def test_resources_are_found_the_same_way_frozen(monkeypatch, tmp_path):
    assert resource("fonts", "wqy-microhei.ttc").is_file()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"
    assert resource("i18n", "gridadmin_en.qm") == tmp_path / "resources" / "i18n" / "gridadmin_en.qm"


def test_spec_bundles_resources_and_leaves_out_unused_qt():
    spec = (ROOT / "installer" / "gridadmin.spec").read_text(encoding="utf-8")
    assert 'ROOT / "resources"), "resources"' in spec
    assert "pyproject.toml" in spec
    for module in ("QtWebEngineCore", "QtQml", "QtQuick", "Qt3DCore", "QtMultimedia"):
        assert f'"PySide6.{module}"' in spec
    # the PDF viewer (every printout's preview) needs QtPdf and QtPdfWidgets in the bundle
    for module in ("QtPdf", "QtPdfWidgets", "QtPrintSupport"):
        assert f'"PySide6.{module}"' not in spec


def test_frozen_entry_point_runs_commands_and_answers_version(tmp_path):
    sys.path.insert(0, str(ROOT))
    try:
        import main
    finally:
        sys.path.remove(str(ROOT))
    assert main.cli_command(["demo", "--db", "x.db"])
    assert main.cli_command(["screenshot", "--db", "x.db"])
    assert main.cli_command(["verify-backup", "x.gadb"])
    assert not main.cli_command(["--db", "x.db"])
    assert not main.cli_command([])
    assert not main.cli_command([f"备份{BACKUP_SUFFIX}"])  # a double-clicked backup opens the window
    run = subprocess.run([sys.executable, str(ROOT / "main.py"), "--version"],
                         capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=120)
    assert run.stdout.strip() == f"GridAdmin {project_version()}"
    run = subprocess.run([sys.executable, str(ROOT / "main.py"), "check-id", "11010519491231002X"],
                         capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr


def test_build_script_versions():
    sys.path.insert(0, str(ROOT / "installer"))
    try:
        import build
    finally:
        sys.path.remove(str(ROOT / "installer"))
    assert build.numeric_version("0.1.0") == "0.1.0.0"
    assert build.numeric_version("1.2.3rc1") == "1.2.3.1"
    assert build.project_version() == project_version()


@pytest.fixture(scope="module")
def iss() -> str:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads Chinese texts only from UTF-8 with BOM"
    return raw.decode("utf-8-sig")


def sections(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        line = line.strip()
        if re.fullmatch(r"\[[A-Za-z]+\]", line):
            current = line[1:-1]
            found.setdefault(current, [])
        elif line and not line.startswith((";", "#")):
            found.setdefault(current, []).append(line)
    return found


def test_inno_script_per_user_upgradable_with_backup_association(iss):
    setup = dict(line.split("=", 1) for line in sections(iss)["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"].startswith("{userpf}")
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["AppVersion"] == "{#AppVersion}"
    assert setup["ChangesAssociations"] == "yes"
    assert f'#define BackupExt "{BACKUP_SUFFIX}"' in iss
    assert '"..\\dist\\GridAdmin\\*"' in iss
    icons = "\n".join(sections(iss)["Icons"])
    assert "{autoprograms}" in icons and "{autodesktop}" in icons
    assert "{userappdata}\\GridAdmin" in iss  # the data folder of gridadmin.paths.data_dir()


def test_inno_script_has_every_custom_message_it_uses(iss):
    defined = {line.split("=", 1)[0] for line in sections(iss)["CustomMessages"]}
    used = set(re.findall(r"\{cm:([A-Za-z]+)", iss)) | set(re.findall(r"CustomMessage\('([A-Za-z]+)'\)", iss))
    assert used <= defined, used - defined
    for message in sections(iss)["Messages"] + sections(iss)["CustomMessages"]:
        assert re.search(r"[\u4e00-\u9fff]", message), f"not Chinese: {message}"


def test_inno_uninstall_leaves_no_registry_key(iss):
    """Inno Setup undoes [Registry] from the last line to the first. Every key
    the setup writes goes at uninstall: with its own or an ancestor's
    ``uninsdeletekey``, or with ``uninsdeletekeyifempty`` on a line above the
    lines of its subkeys (undone after them, when it is empty). The Windows CI
    job (.ci/windows.sh) checks the real uninstall under wine; it found the
    empty ``.gadb\\OpenWithProgids`` and ``Applications\\GridAdmin.exe`` keys
    this rule now forbids."""
    entries = []
    for line in sections(iss)["Registry"]:
        fields = dict(part.strip().split(": ", 1) for part in line.split(";"))
        entries.append((fields["Subkey"].strip('"'), fields.get("Flags", "").split()))
    shared = {"Software", "Software\\Classes", "Software\\Classes\\Applications"}  # Windows' own keys
    keys = {key for key, _ in entries}

    def deleted_whole(key: str) -> bool:
        return any((key == k or key.startswith(k + "\\")) and "uninsdeletekey" in f for k, f in entries)

    for key in keys:
        parts = key.split("\\")
        for depth in range(1, len(parts)):
            parent = "\\".join(parts[:depth])
            assert parent in shared or parent in keys or deleted_whole(parent), \
                f"{parent} (made for {key}) has no line that removes it"
    for index, (key, flags) in enumerate(entries):
        if deleted_whole(key):
            continue
        assert "uninsdeletekeyifempty" in flags, f"{key} stays in the registry after uninstall"
        for sub_index, (sub, _) in enumerate(entries):
            if sub.startswith(key + "\\"):
                assert index < sub_index, f"{key} is undone before its subkey {sub}: it is not empty yet"
