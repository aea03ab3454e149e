"""Architecture: only ``gridadmin/ui`` (and the entry points that start the
window) may import Qt; models and services stay usable headless; services
never reach up into the UI or the command line; the UI never builds a
query; no import circles; modules stay small; every domain package says
what it holds."""

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
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(s.__path__, 'gridadmin.services.')]\n"
        "gridadmin.cli.build_parser()\n"
        "assert 'PySide6' not in sys.modules, 'PySide6 loaded'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _modules(folder: Path):
    for path in sorted(folder.rglob("*.py")):
        yield path, _imports(path)


def test_services_do_not_import_ui_or_cli():
    offenders = [f"{path.relative_to(ROOT)}: {sorted(bad)}"
                 for path, names in _modules(PACKAGE / "services")
                 if (bad := {n for n in names if n.startswith(("gridadmin.ui", "gridadmin.cli"))})]
    assert offenders == []


def _opens_session(path: Path) -> bool:
    """True when the module calls ``<something>.session()`` (a unit of work
    of ``gridadmin.db.Database``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "session":
            return True
    return False


def test_ui_builds_no_queries():
    """The UI calls services; it neither imports SQLAlchemy nor opens a
    database session itself."""
    offenders = []
    for path, names in _modules(PACKAGE / "ui"):
        if any(n.split(".")[0] == "sqlalchemy" for n in names):
            offenders.append(f"{path.relative_to(ROOT)}: imports sqlalchemy")
        if _opens_session(path):
            offenders.append(f"{path.relative_to(ROOT)}: opens db.session()")
    assert offenders == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_circles():
    """No two modules of ``gridadmin`` import each other, directly or round
    a longer loop (imports inside functions count too: a circle hidden in a
    function is still a knot in the design)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        graph[name] = {t for t in targets if t in modules and t != name}

    circles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    assert circles == []


MAX_LINES = 600
# Alembic revisions are history, written once and never edited.
LONG_ALLOWED = {PACKAGE / "migrations" / "versions" / "0001_initial_schema.py"}


def test_no_module_over_600_lines():
    long = [f"{p.relative_to(ROOT)}: {n}" for p in PACKAGE.rglob("*.py")
            if p not in LONG_ALLOWED and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert long == []


DOMAINS = {"services": {"common", "areas", "roster", "training", "register", "access", "maintenance",
                        "importing", "reports", "demo"},
           "ui": {"shell", "common", "areas", "roster", "training", "register", "importing", "reports",
                  "settings", "access"}}


def test_the_tree_reads_as_the_product():
    """services/ and ui/ hold one package per domain and nothing loose but
    their ``__init__``; each package's docstring says what it holds."""
    for layer, expected in DOMAINS.items():
        folder = PACKAGE / layer
        packages = {p.name for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
        assert expected <= packages, f"{layer}: missing {sorted(expected - packages)}"
        loose = sorted(p.name for p in folder.glob("*.py") if p.name != "__init__.py")
        assert loose == [], f"{layer}/ has loose modules: {loose}"
        for name in packages:
            doc = ast.get_docstring(ast.parse((folder / name / "__init__.py").read_text(encoding="utf-8")))
            assert doc and len(doc) > 20, f"{layer}/{name}/__init__.py says nothing about what it holds"
