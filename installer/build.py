"""Build the one-folder bundle: ``python installer/build.py [--installer]``.

Produces ``dist/GridAdmin/`` (executable ``GridAdmin``, which answers
``--version`` and runs the command-line commands, e.g. ``GridAdmin demo``),
``dist/GridAdmin-<version>-<platform>.tar.gz`` and ``dist/version.iss`` (the
version from pyproject.toml for the Inno Setup script). With
``--installer`` (Windows, Inno Setup 6.3+ installed) it then compiles
``installer/gridadmin.iss`` into ``dist/GridAdmin-<version>-setup.exe``.
Needs PyInstaller in the environment (``pip install pyinstaller``).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def numeric_version(version: str) -> str:
    """``1.2.3rc1`` → ``1.2.3.0`` (Windows file versions are four numbers)."""
    numbers = [int(n) for n in re.findall(r"\d+", version)[:4]]
    return ".".join(str(n) for n in numbers + [0] * (4 - len(numbers)))


def write_version_iss(version: str) -> Path:
    path = DIST / "version.iss"
    path.write_text(f'; written by installer/build.py from pyproject.toml\n'
                    f'#define AppVersion "{version}"\n'
                    f'#define AppNumericVersion "{numeric_version(version)}"\n', encoding="utf-8")
    return path


def find_iscc() -> str | None:
    found = shutil.which("ISCC") or shutil.which("iscc")
    if found:
        return found
    for base in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles"),
                 os.environ.get("LOCALAPPDATA") and str(Path(os.environ["LOCALAPPDATA"]) / "Programs")):
        if base and (Path(base) / "Inno Setup 6" / "ISCC.exe").exists():
            return str(Path(base) / "Inno Setup 6" / "ISCC.exe")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the GridAdmin bundle (and the Windows installer).")
    parser.add_argument("--installer", action="store_true",
                        help="also compile installer/gridadmin.iss with Inno Setup (Windows)")
    args = parser.parse_args(argv)
    version = project_version()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(ROOT / "build"),
                    str(ROOT / "installer" / "gridadmin.spec")], check=True, cwd=ROOT)
    bundle = DIST / "GridAdmin"
    archive = DIST / f"GridAdmin-{version}-{platform.system().lower()}-{platform.machine().lower()}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bundle, arcname="GridAdmin")
    version_iss = write_version_iss(version)
    print(f"bundle: {bundle}\narchive: {archive}\nversion for Inno Setup: {version_iss}")
    if args.installer:
        iscc = find_iscc()
        if iscc is None:
            print("找不到 Inno Setup 6 的 ISCC.exe：请安装 Inno Setup 6.3 或更新版本。", file=sys.stderr)
            return 1
        subprocess.run([iscc, str(ROOT / "installer" / "gridadmin.iss")], check=True, cwd=ROOT)
        print(f"installer: {DIST / f'GridAdmin-{version}-setup.exe'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
