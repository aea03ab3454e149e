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
from gridadmin.ui.app import create_application
from gridadmin.db import open_database
from gridadmin.ui.main_window import MainWindow
app = create_application()
db = open_database(sys.argv[1])
w = MainWindow(db); w.show(); app.processEvents(); w.grab()
"""


def _run(script: str, *args: str) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([sys.executable, "-c", script, *args], check=True, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run() -> list[Figure]:
    from gridadmin.db import open_database
    from gridadmin.services.demo import generate_demo
    from gridadmin.services.progress import run_to_end

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "start.db")
        db = open_database(path)
        run_to_end(generate_demo(db, size="township", seed=1))
        db.dispose()
        _run(APP, path)  # warm the file cache once
        baseline = median_time(lambda: _run(BARE), repeat=5)
        value = median_time(lambda: _run(APP, path), repeat=5)
    return [Figure("startup_first_window", value, "s", baseline, "≤ 2 s on the township demo database")]
