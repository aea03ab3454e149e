"""Set up a fresh machine and start GridAdmin or run its tests.

    python bootstrap.py start   # venv + dependencies, demo database, open the app
    python bootstrap.py test    # venv + dependencies, the whole test suite

Works on Windows and Debian/Ubuntu with Python 3.11+. On Linux the Qt
system libraries are installed with apt-get when missing and running as
root; otherwise the exact command to run is printed. Only the standard
library is used here, since nothing else is installed yet.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-from"

# Shared libraries PySide6 needs on Linux (offscreen and a real X11 window).
QT_DEBIAN_PACKAGES = [
    "libegl1", "libgl1", "libxkbcommon0", "libfontconfig1", "libdbus-1-3", "libglib2.0-0",
    "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1",
    "libxcb-randr0", "libxcb-render-util0", "libxcb-shape0", "libxcb-xinerama0", "libxcb-xkb1",
]


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def say(message: str) -> None:
    print(f"[bootstrap] {message}", flush=True)


def ensure_python() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"需要 Python 3.11 或更高版本，当前为 {sys.version.split()[0]}。")


def ensure_system_libraries() -> None:
    """Install the Qt runtime libraries on Debian/Ubuntu when missing."""
    if not sys.platform.startswith("linux") or not shutil.which("dpkg-query"):
        return
    missing = [pkg for pkg in QT_DEBIAN_PACKAGES if not _dpkg_installed(pkg)]
    if not missing:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        say("缺少 Qt 运行所需的系统库，请以 root 身份执行：")
        say("  apt-get update && " + " ".join(command))
        sys.exit(1)
    say("安装 Qt 系统库：" + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*command, "-qq"], check=True, env=env)


def _dpkg_installed(package: str) -> bool:
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return result.returncode == 0 and "install ok installed" in result.stdout


def ensure_venv(extras: str) -> Path:
    """Create .venv and install the project (editable) with ``extras``.
    Installs only when pyproject.toml changed or ``extras`` were not yet
    installed for it, so ``start`` and ``test`` can alternate without
    reinstalling: the stamp keeps the pyproject digest and the extras
    installed for it."""
    python = venv_python()
    if not python.exists():
        say(f"创建虚拟环境 {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamped_digest, _, stamped_extras = (STAMP.read_text().partition("\n") if STAMP.exists() else ("", "", ""))
    installed = set(filter(None, stamped_extras.strip().split(",")))
    wanted = set(filter(None, extras.split(",")))
    if stamped_digest == digest and wanted <= installed:
        return python
    wanted |= installed  # a changed pyproject updates the extras installed before too
    say("安装依赖（首次需要几分钟）…")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    target = f".[{','.join(sorted(wanted))}]" if wanted else "."
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", target], check=True, cwd=ROOT)
    STAMP.write_text(digest + "\n" + ",".join(sorted(wanted)))
    return python


def start(args: list[str]) -> int:
    python = ensure_venv("")
    if not any(a == "--db" or a.startswith("--db=") for a in args):
        demo = _demo_path(python)
        if not demo.exists():
            say(f"生成演示数据库 {demo}")
            subprocess.run([str(python), "-m", "gridadmin", "demo", "--db", str(demo), "--size", "township",
                            "--as-system"],
                           check=True, cwd=ROOT)
        args = ["--db", str(demo), *args]
    return subprocess.run([str(python), str(ROOT / "main.py"), *args], cwd=ROOT).returncode


def _demo_path(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "from gridadmin.paths import data_dir; print(data_dir())"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return Path(out.stdout.strip()) / "demo.db"


def test(args: list[str]) -> int:
    python = ensure_venv("test")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([str(python), "-m", "pytest", *args], cwd=ROOT, env=env).returncode


def main() -> int:
    ensure_python()
    if len(sys.argv) < 2 or sys.argv[1] not in ("start", "test"):
        print(__doc__)
        return 2
    ensure_system_libraries()
    command, rest = sys.argv[1], sys.argv[2:]
    return start(rest) if command == "start" else test(rest)


if __name__ == "__main__":
    sys.exit(main())
