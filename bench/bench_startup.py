"""App start to first window, against a bare PySide6 window (same run).

Both are measured as whole processes (interpreter start, imports, window
shown and painted once), since that is what a clerk waits for.

At county size (issue 21; the county demo database, see
``bench.common.demo_databases``): from the process start to the login
dialog painted (the database chosen and opened as the app does), and to
the main window painted (the same, then the demo account's password
checked, the main window built, shown and painted; the typing excluded),
each against a bare window painted from its process start; and the
memory of those processes once the dialog / the main window is painted
(their own peak, ``VmHWM``) against a bare window's. Every child reads an empty settings
folder, never the user's.
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


# From the process start (argv[1]: the parent's clock at spawn) to the
# login dialog painted, the way ``app.main`` gets there.
START_TO_LOGIN = """
import sys, time
from gridadmin.ui.shell.app import create_application
from gridadmin.ui.shell.start_dialog import choose_database
from gridadmin.ui.shell.login import LoginDialog
from bench.common import peak_memory_mb
app = create_application()
db = choose_database(sys.argv[2])
dialog = LoginDialog(db); dialog.show(); app.processEvents(); dialog.grab()
print(time.time() - float(sys.argv[1]), peak_memory_mb())
"""

# ... then on to the main window: the password checked (the demo account),
# the window built, shown and painted. Prints the seconds and the peak MB.
START_TO_MAIN = """
import sys, time
from gridadmin.ui.shell.app import create_application
from gridadmin.ui.shell.start_dialog import choose_database
from gridadmin.ui.shell.login import LoginDialog
from gridadmin.services.access.users import authenticate
from gridadmin.ui.shell.main_window import MainWindow
from bench.common import peak_memory_mb
app = create_application()
db = choose_database(sys.argv[2])
dialog = LoginDialog(db); dialog.show(); app.processEvents(); dialog.grab()
actor = authenticate(db, dialog.username.text(), dialog.password.text()); dialog.close()
w = MainWindow(db.as_actor(actor)); w.restore_placement(); w.show(); app.processEvents(); w.grab()
print(time.time() - float(sys.argv[1]), peak_memory_mb())
"""

BARE_FROM_START = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
from bench.common import peak_memory_mb
app = QApplication([])
w = QMainWindow(); w.resize(1280, 800); w.show(); app.processEvents(); w.grab()
print(time.time() - float(sys.argv[1]), peak_memory_mb())
"""


def _from_start(script: str, *args: str, home: str) -> list[float]:
    """What a child printed last (seconds from its start, …); argv[1] is
    the clock at spawn; its settings and data folder are ``home``."""
    import time

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GRIDADMIN_HOME=home, XDG_CONFIG_HOME=str(Path(home) / "cfg"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    out = subprocess.run([sys.executable, "-c", script, repr(time.time()), *args], check=True, cwd=ROOT, env=env,
                         capture_output=True, text=True).stdout
    return [float(v) for v in out.strip().splitlines()[-1].split()]


def county_start(folder: str, repeat: int = 3) -> list[Figure]:
    """Start to login, start to main window and its memory at county size
    (medians, alternating app and bare runs)."""
    import statistics

    from bench.common import demo_databases

    _town, county = demo_databases(folder)
    home = str(Path(folder) / "home")
    _from_start(START_TO_MAIN, county, home=home)  # warm the file cache once
    login, login_memory, main, memory, bare, bare_memory = [], [], [], [], [], []
    for _ in range(repeat):
        seconds, peak = _from_start(START_TO_LOGIN, county, home=home)
        login.append(seconds)
        login_memory.append(peak)
        seconds, peak = _from_start(START_TO_MAIN, county, home=home)
        main.append(seconds)
        memory.append(peak)
        seconds, peak = _from_start(BARE_FROM_START, home=home)
        bare.append(seconds)
        bare_memory.append(peak)
    base = statistics.median(bare)
    return [Figure("start_to_login_county", statistics.median(login), "s", base,
                   "≤ 1.0 s; baseline: a bare window painted from its process start"),
            Figure("start_to_main_window_county", statistics.median(main), "s", base,
                   "≤ 1.5 s (password check included, typing excluded)"),
            Figure("login_memory_county", statistics.median(login_memory), "MB", statistics.median(bare_memory),
                   "report: the process's peak with the login dialog painted"),
            Figure("start_memory_county", statistics.median(memory), "MB", statistics.median(bare_memory),
                   "report: the process's peak once the main window is painted; proportional to what is shown")]


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
        county = county_start(tmp)
    return county + [Figure("startup_first_window", value, "s", baseline, "≤ 2 s on the township demo database"),
            Figure("login_to_main_window", login, "s", bare, "report (issue 8); baseline: a bare window shown")]
