"""Regenerate the translation sources: ``python installer/update_translations.py [--release]``.

Runs pyside6-lupdate over gridadmin/ui and updates
``resources/i18n/gridadmin_<lang>.ts`` (default: ``en``), keeping the
translations already made and dropping texts no longer in the code. The
source language is Chinese (zh_CN). With ``--release`` it also compiles the
.ts into the .qm the application loads (pyside6-lrelease). Edit the .ts with
``pyside6-linguist``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "resources" / "i18n"


def tool(name: str) -> str:
    """The PySide6 tool next to this Python (the venv's bin or Scripts)."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    return name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", action="append", help="target language (default: en); may repeat")
    parser.add_argument("--release", action="store_true", help="also compile .qm files")
    args = parser.parse_args(argv)
    I18N.mkdir(parents=True, exist_ok=True)
    for lang in args.lang or ["en"]:
        ts = I18N / f"gridadmin_{lang}.ts"
        subprocess.run([tool("pyside6-lupdate"), "-extensions", "py", "-source-language", "zh_CN",
                        "-target-language", lang, "-no-obsolete", "-locations", "relative",
                        "gridadmin/ui", "-ts", str(ts.relative_to(ROOT))], check=True, cwd=ROOT)
        if args.release:
            subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))],
                           check=True, cwd=ROOT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
