"""App start to first window, against a bare PySide6 window (same run).

Both are measured as whole processes (interpreter start, imports, window
shown and painted once), since that is what a clerk waits for.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Figure, median_time

ROOT = Path(__file__).resolve().parent.parent

BARE = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1280, 800); w.show(); app.processEvents(); w.grab()
"""

APP = """
import sys
from gridadmin.ui.shell.app import create_application
from gridadmin.db import open_database
from gridadmin.ui.shell.main_window import MainWindow
app = create_application()
db = open_database(sys.argv[1])
w = MainWindow(db); w.show(); app.processEvents(); w.grab()
"""


# The clerk's wait after pressing 登录: the password check (argon2 at its
# real, memory-hard cost), then the main window built, shown and painted.
LOGIN = """
import sys, time
from gridadmin.ui.shell.app import create_application
from gridadmin.db import open_database
from gridadmin.services.access.users import authenticate
from gridadmin.ui.shell.main_window import MainWindow
app = create_application()
db = open_database(sys.argv[1])
start = time.perf_counter()
actor = authenticate(db, "admin", "guanli2026")
w = MainWindow(db.as_actor(actor)); w.show(); app.processEvents(); w.grab()
print(time.perf_counter() - start)
"""

BARE_WINDOW = """
import time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
start = time.perf_counter()
w = QMainWindow(); w.resize(1280, 800); w.show(); app.processEvents(); w.grab()
print(time.perf_counter() - start)
"""


def _timed(script: str, *args: str) -> float:
    """The seconds a child process measured itself (printed last)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", script, *args], check=True, cwd=ROOT, env=env,
                         capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def _run(script: str, *args: str) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([sys.executable, "-c", script, *args], check=True, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run() -> list[Figure]:
    from gridadmin.db import open_database
    from gridadmin.services.demo import generate_demo
    from gridadmin.services.common.progress import run_to_end
    from gridadmin.services.access.users import create_user

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "start.db")
        db = open_database(path)
        run_to_end(generate_demo(db, size="township", seed=1))
        create_user(db, "admin", "管理员", "guanli2026", ["admin"])
        db.dispose()
        _run(APP, path)  # warm the file cache once
        baseline = median_time(lambda: _run(BARE), repeat=5)
        value = median_time(lambda: _run(APP, path), repeat=5)
        login = sorted(_timed(LOGIN, path) for _ in range(3))[1]
        bare = sorted(_timed(BARE_WINDOW) for _ in range(3))[1]
    return [Figure("startup_first_window", value, "s", baseline, "≤ 2 s on the township demo database"),
            Figure("login_to_main_window", login, "s", bare, "report (issue 8); baseline: a bare window shown")]
