"""Opening an .xls workbook in a child process first.

calamine reads every sheet of an .xls when it opens the file, into a
dense range from the first to the farthest cell: a cell record at row
65535, column 65535 asks for 137 GB and aborts the process (a Rust abort,
no exception). The child opens the workbook and reports each sheet's
farthest cell; when it dies, the file is refused, and the app lives on.
"""

from __future__ import annotations

import multiprocessing
import os

import python_calamine as calamine

CHILD_MEMORY = 3 * 1024 ** 3  # address space for the child (POSIX), bytes
TIMEOUT = 120  # seconds


class ProbeFailed(Exception):
    """The child died or did not answer (``reason`` in Chinese)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def sheet_ends(path: str | os.PathLike) -> dict[str, tuple[int, int]] | None:
    """sheet name → (rows, columns) from A1 to its farthest cell, read by a
    child process; None when calamine itself refuses the file (the caller
    opens it again to get the message). ``ProbeFailed`` when it dies."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_probe, args=(str(path), sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(TIMEOUT):
            raise ProbeFailed(f"读取超时（超过 {TIMEOUT} 秒）")
        status, payload = receiver.recv()
    except (EOFError, OSError):
        child.join(10)
        raise ProbeFailed(f"读取时所需内存超出限制（读取进程退出，代码 {child.exitcode}）") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(10)
    return payload if status == "ok" else None


def _probe(path: str, sender) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    except (ImportError, ValueError, OSError):  # Windows: no limit, the allocation fails alone
        pass
    try:
        workbook = calamine.CalamineWorkbook.from_path(path)
        ends = {}
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            end = sheet.end
            ends[name] = (end[0] + 1, end[1] + 1) if end is not None else (0, 0)
        workbook.close()
        sender.send(("ok", ends))
    except Exception as exc:  # noqa: BLE001 - any refusal: the parent opens the file and words it
        sender.send(("error", str(exc)))
    finally:
        sender.close()
