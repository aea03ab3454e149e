"""Static check: can wine load these Windows binaries?

    python3 check_imports.py --wine DIR [--standin DLL ...] [--gaps wine-gaps.txt] TREE ...

Reads the imports of every .exe/.dll/.pyd under the TREEs (the Windows
Python and its site-packages, or the frozen bundle) and looks each
imported function up where wine would find it: a DLL of the trees
themselves, one of the stand-in DLLs of the test environment, or a wine
builtin DLL (API-set names through wine's apisetschema.dll). A function that
wine does not export, or exports only as a stub that aborts the process
when called, is listed, and the check fails (exit 1) with that list, so a
dependency upgrade that needs another bridge fails here, by name, instead
of later inside a crash dump. ``--gaps`` names the gaps that are accepted,
each with its reason (wine-gaps.txt: Qt's ``qwindows.dll`` platform plugin,
modules the bundle leaves out …).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from fnmatch import fnmatch
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pe  # noqa: E402

SUFFIXES = {".exe", ".dll", ".pyd"}


def binaries(trees: list[Path]) -> list[Path]:
    return sorted(p for tree in trees for p in tree.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())


class Wine:
    def __init__(self, folder: Path, standins: list[Path]):
        self.folder = folder
        self.apisets = pe.apisets(folder / "apisetschema.dll")
        self._cache: dict[str, tuple[set[str], set[str]] | None] = {}
        self.standins = {p.name.lower(): p for p in standins}

    def exports(self, dll: str) -> tuple[set[str], set[str]] | None:
        """(exported names, stub names) of the DLL wine loads for ``dll``."""
        if dll not in self._cache:
            if dll in self.standins:
                image = pe.read(self.standins[dll])
                self._cache[dll] = (set(image.exports), set())
            elif (self.folder / dll).is_file():
                image = pe.read(self.folder / dll)
                self._cache[dll] = (set(image.exports), pe.wine_stubs(image))
            else:
                self._cache[dll] = None
        return self._cache[dll]


def read_gaps(path: Path | None) -> list[tuple[str, str, str]]:
    """(file glob, DLL glob, function glob) of the accepted gaps (wine-gaps.txt)."""
    gaps = []
    for line in (path.read_text(encoding="utf-8").splitlines() if path else []):
        rule = line.split("|", 1)[0].split()
        if rule and not line.startswith("#"):
            gaps.append((rule[0], rule[1].lower(), rule[2]))
    return gaps


def accepted(gaps: list[tuple[str, str, str]], path: str, dll: str, name: str) -> bool:
    return any(fnmatch(path, f) and fnmatch(dll, d) and fnmatch(name, n) for f, d, n in gaps)


def check(trees: list[Path], wine: Wine, gaps: list[tuple[str, str, str]]
          ) -> tuple[int, int, dict[str, dict[str, set[str]]]]:
    """(files read, gaps accepted, {file: {dll: missing names}})."""
    files = binaries(trees)
    local = {p.name.lower() for p in files}
    problems: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    read = known = 0
    for path in files:
        shown = "/" + path.as_posix()
        try:
            image = pe.read(path)
        except pe.NotPE:
            continue
        if image.machine != 0x8664:  # 32-bit helpers (e.g. PyInstaller's other bootloaders) are not loaded
            continue
        read += 1
        def missing(dll: str, name: str) -> None:
            nonlocal known
            if accepted(gaps, shown, dll, name.split(" ")[0]):
                known += 1
            else:
                problems[str(path)][dll].add(name)

        for dll, names in image.imports.items():
            if dll in local:
                continue
            target = dll
            if dll.startswith(("api-ms-", "ext-ms-")):
                target = pe.resolve_apiset(dll, wine.apisets) or ""
                if not target:
                    missing(dll, "(API set unknown to wine)")
                    continue
            found = wine.exports(target)
            if found is None:
                missing(dll, "(DLL not in wine)")
                continue
            exported, stubs = found
            for name in names:
                if name.startswith("#"):
                    continue
                if name not in exported:
                    missing(dll, name)
                elif name in stubs:
                    missing(dll, f"{name} (stub)")
    return read, known, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wine", required=True, type=Path, help="wine's x86_64-windows folder")
    parser.add_argument("--standin", action="append", default=[], type=Path)
    parser.add_argument("--gaps", type=Path, help="accepted gaps (wine-gaps.txt)")
    parser.add_argument("trees", nargs="+", type=Path)
    args = parser.parse_args(argv)
    wine = Wine(args.wine, args.standin)
    read, known, problems = check(args.trees, wine, read_gaps(args.gaps))
    if not problems:
        print(f"PE imports: {read} files, every imported function is in wine or a stand-in"
              f" ({known} accepted gaps of {args.gaps.name if args.gaps else 'none'})")
        return 0
    total = sum(len(n) for dlls in problems.values() for n in dlls.values())
    print(f"PE imports: {total} functions missing in wine 8.0 ({len(problems)} of {read} files):", file=sys.stderr)
    for path in sorted(problems):
        for dll in sorted(problems[path]):
            print(f"  {path}: {dll}: {', '.join(sorted(problems[path][dll]))}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
