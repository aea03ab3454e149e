"""Start the GridAdmin desktop application: ``python main.py [--db DB]``.

The same entry point is the executable of the frozen bundle
(``dist/GridAdmin/GridAdmin``), which has no ``python -m gridadmin``: when the
first argument names a command of the command line (``demo``,
``screenshot``, ``backup`` …), the command line runs instead of the
window, so ``GridAdmin demo --db x.db`` works frozen as well as from source.
On Windows the bundle also has ``GridAdmin-cli.exe``, a console executable
for scripts and the Task Scheduler: it is the command line whatever its
arguments (``GridAdmin-cli.exe --help`` lists the commands).

Every output of this entry point is UTF-8, as the command line's is: on a
Chinese Windows, Python would otherwise write the window's ``--help`` and
argument errors to a pipe or file in the ANSI code page (GBK), and a caller
reading the program's output would get two encodings.
"""

import sys
from pathlib import Path


def cli_command(argv: list[str]) -> bool:
    """True when ``argv`` (without the program name) starts with a command
    of ``gridadmin.cli`` rather than the window's options, or when this is
    the frozen console executable ``GridAdmin-cli``."""
    if getattr(sys, "frozen", False) and Path(sys.executable).stem.lower().endswith("-cli"):
        return True
    if not argv or argv[0].startswith("-"):
        return False
    from gridadmin.cli import build_parser

    commands = {name for action in build_parser()._subparsers._group_actions  # noqa: SLF001
                for name in getattr(action, "choices", {}) or {}}
    return argv[0] in commands


def run(argv: list[str]) -> int:
    from gridadmin.cli import force_utf8_output

    force_utf8_output()
    if cli_command(argv):
        from gridadmin.cli import main as cli_main

        return cli_main(argv)
    from gridadmin.ui.shell.app import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    # The frozen bundle starts itself again as the child that opens an .xls
    # (services.common.sheetprobe); that start must end here, in the child.
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(run(sys.argv[1:]))
