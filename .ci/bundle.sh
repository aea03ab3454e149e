#!/usr/bin/env bash
# CI: build the one-folder bundle with PyInstaller and start the frozen
# executable offscreen — `--version`, a demo database made by the bundle
# itself, and a screenshot of the main window that must not be blank — so
# packaging never breaks silently. Run after bootstrap.py made .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
[ -x "$py" ] || { echo "no .venv: run python3 bootstrap.py test first" >&2; exit 1; }
echo "== bundle: PyInstaller build =="
"$py" -m pip install -q "pyinstaller==6.22.3"
start=$(date +%s)
"$py" installer/build.py >/tmp/gridadmin-bundle-build.log 2>&1 || { tail -n 60 /tmp/gridadmin-bundle-build.log >&2; exit 1; }
tail -n 2 /tmp/gridadmin-bundle-build.log
echo "built in $(( $(date +%s) - start )) s; $(du -sh dist/GridAdmin | cut -f1) in dist/GridAdmin"

exe=dist/GridAdmin/GridAdmin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen GRIDADMIN_HOME="$work/home" HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"

echo "== bundle: start the frozen executable =="
version=$("$py" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
answer=$("$exe" --version)
echo "$answer"
[ "$answer" = "GridAdmin $version" ] || { echo "expected 'GridAdmin $version'" >&2; exit 1; }
# nothing from QML/Quick/WebEngine may be in the bundle
if find dist/GridAdmin \( -iname '*Qt6Quick*' -o -iname '*Qt6Qml*' -o -iname '*WebEngine*' \) | grep -q .; then
  echo "QML/Quick/WebEngine found in the bundle" >&2; exit 1
fi
# 帮助 → 使用手册 reads the manual and its screenshots from the bundle
find dist/GridAdmin -path '*docs/manual.md' | grep -q . || { echo "docs/manual.md missing from the bundle" >&2; exit 1; }
find dist/GridAdmin -path '*docs/screenshots/1366x768/dashboard.png' | grep -q . || { echo "manual screenshots missing from the bundle" >&2; exit 1; }
"$exe" demo --db "$work/demo.db" --size small --as-system 2>/dev/null
"$exe" screenshot --db "$work/demo.db" --page dashboard --out "$work/main.png" --size 1366x768 --as-system
"$py" - "$work/main.png" <<'PY'
import sys
from PySide6.QtGui import QImage

image = QImage(sys.argv[1])
assert not image.isNull(), "screenshot is not a readable PNG"
assert (image.width(), image.height()) == (1366, 768), (image.width(), image.height())
colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
assert len(colours) > 50, f"screenshot looks blank ({len(colours)} colours)"
print(f"screenshot {image.width()}x{image.height()}, {len(colours)} colours sampled: ok")
PY
echo "== bundle: ok =="
