"""Build the one-folder bundle: ``python installer/build.py``.

Produces ``dist/GridAdmin/`` (executable ``GridAdmin``, which answers
``--version``) and ``dist/GridAdmin-<version>-<platform>.tar.gz``. Needs
PyInstaller in the environment (``pip install pyinstaller``).
"""

from __future__ import annotations

import platform
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "build"),
                    str(ROOT / "installer" / "gridadmin.spec")], check=True, cwd=ROOT)
    bundle = ROOT / "dist" / "GridAdmin"
    archive = ROOT / "dist" / f"GridAdmin-{version}-{platform.system().lower()}-{platform.machine()}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bundle, arcname="GridAdmin")
    print(f"bundle: {bundle}\narchive: {archive}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
