"""Run part of the test suite under the Windows Python of .ci/windows.sh.

    python.exe run_tests.py TEST-SITE TEMP-FOLDER PYTEST-ARGS...

TEST-SITE holds pytest and its plugins (win_amd64 wheels unpacked by the
Linux pip), kept out of the Windows Python's site-packages so that nothing
of the tests can reach the bundle built from it. TEMP-FOLDER becomes TEMP
and TMP for the tests and every program they start: the job names it like a
clerk's folders, in Chinese and with spaces (…\\文档\\临时 文件). The job runs
this under a Chinese locale (ANSI and OEM code page 936), so a child's output
read with the code page's default decoding fails here as on a Chinese Windows.
"""

import os
import sys

test_site, temp_folder, *pytest_args = sys.argv[1:]
sys.path.insert(0, test_site)
os.makedirs(temp_folder, exist_ok=True)
os.environ["TEMP"] = os.environ["TMP"] = temp_folder
# pytest's own report goes to the job's log in UTF-8 (the tests' captured
# output is theirs: this only changes the runner's stream)
sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
sys.stderr.reconfigure(encoding="utf-8", errors="backslashreplace")

import pytest  # noqa: E402

sys.exit(pytest.main(["-p", "no:cacheprovider", *pytest_args]))
