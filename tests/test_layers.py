"""Architecture: only ``gridadmin/ui`` (and the entry points that start the
window) may import Qt; models and services stay usable headless."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gridadmin"
# The screenshot command renders the window, so it imports Qt lazily inside run().
ALLOWED_OUTSIDE_UI = {PACKAGE / "cli" / "screenshot.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_qt_outside_ui():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if PACKAGE / "ui" in path.parents or path in ALLOWED_OUTSIDE_UI:
            continue
        qt = {name for name in _imports(path) if name.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph")}
        if qt:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(qt)}")
    assert offenders == []


def test_services_import_without_loading_qt():
    code = (
        "import sys, pkgutil, importlib, gridadmin.services as s, gridadmin.models, gridadmin.db, gridadmin.cli\n"
        "[importlib.import_module(m.name) for m in pkgutil.iter_modules(s.__path__, 'gridadmin.services.')]\n"
        "gridadmin.cli.build_parser()\n"
        "assert 'PySide6' not in sys.modules, 'PySide6 loaded'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
