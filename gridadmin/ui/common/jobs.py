"""Running a long job (a generator of ``Progress``) off the UI thread with a
cancellable progress dialog; the result or error arrives on the main thread.

The job factory is called inside the worker thread, so database
connections are created and closed there. Cancelling stops iterating and
closes the generator, which rolls back its transaction.

The worker touches no Qt object but its own signals: a factory captures
plain values (a ``Database``, a path), not widgets to read them from. And
while a job runs, Python's cyclic garbage collector runs only in this (the
GUI) thread: left automatic, it runs in whichever thread allocates when a
threshold is crossed — in a worker generating demo data, mostly — and
there it would run the finalizers of any garbage it finds, a Python-owned
dialog, model or timer of the GUI thread among them, destroying Qt objects
from the wrong thread (``gui_thread_collects``).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QThread, QTimer, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from gridadmin.services.common.progress import Job


@dataclass
class JobOutcome:
    """How a job ended: ``result`` when it finished, ``error`` when it
    raised, ``cancelled`` when the user stopped it."""

    result: Any = None
    error: BaseException | None = None
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled


COLLECT_EVERY_MS = 500
_collect_holds = 0  # holds under way: nested run_job calls, background calls
_enabled_before = True  # the collector's state when the first of them began


@contextmanager
def gui_thread_collects() -> Iterator[None]:
    """Automatic cyclic garbage collection off, the young generations
    collected here every ``COLLECT_EVERY_MS`` instead (see the module doc);
    everything as before afterwards. The importer's own pause
    (``importing.pipeline.gc_paused``) finds the collector off and leaves
    it so."""
    global _collect_holds, _enabled_before
    _collect_holds += 1
    if _collect_holds == 1:
        _enabled_before = gc.isenabled()
        gc.disable()
    timer = QTimer()
    timer.setInterval(COLLECT_EVERY_MS)
    timer.timeout.connect(lambda: gc.collect(1))
    timer.start()
    try:
        yield
    finally:
        try:
            timer.stop()
        finally:
            # Holds may end in any order (background calls finish when they
            # finish): the state before the first hold comes back with the
            # last one, whichever that is.
            _collect_holds -= 1
            if _collect_holds == 0 and _enabled_before:
                gc.enable()


class JobThread(QThread):
    """Drives one job in a worker thread; touches no Qt object but emits its
    own signals."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, job_factory: Callable[[], Job], parent=None):
        super().__init__(parent)
        self._factory = job_factory
        self._cancel_requested = False

    def request_cancel(self) -> None:
        self._cancel_requested = True

    def run(self) -> None:  # noqa: D401 - Qt override
        try:
            job = self._factory()
            while True:
                if self._cancel_requested:
                    job.close()
                    self.cancelled.emit()
                    return
                try:
                    step = next(job)
                except StopIteration as stop:
                    self.succeeded.emit(stop.value)
                    return
                self.progressed.emit(step.done, step.total, step.message)
        except Exception as exc:  # delivered to the main thread
            self.failed.emit(exc)


def run_job(parent: QWidget | None, title: str, job_factory: Callable[[], Job]) -> JobOutcome:
    """Run a job with a modal progress dialog (rows done, rate, time left and
    a 取消 button) and wait for it while the UI stays responsive."""
    outcome = JobOutcome()
    dialog = QProgressDialog(title, QCoreApplication.translate("jobs", "取消"), 0, 1000, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setMinimumWidth(420)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    thread = JobThread(job_factory)
    loop = QEventLoop()
    clock = RateClock()

    def on_progress(done: int, total: int, message: str) -> None:
        if total > 0:
            dialog.setRange(0, 1000)
            dialog.setValue(int(1000 * min(done, total) / total))
        else:  # a step that cannot count: a busy bar
            dialog.setRange(0, 0)
        elapsed, counted = clock.update(done, total)
        dialog.setLabelText(progress_text(message, done, total, elapsed, counted))

    def on_success(result: object) -> None:
        outcome.result = result

    def on_failure(error: BaseException) -> None:
        outcome.error = error

    def on_cancelled() -> None:
        outcome.cancelled = True

    def on_cancel_clicked() -> None:
        dialog.setLabelText(QCoreApplication.translate("jobs", "正在取消，已写入的内容将全部撤回…"))
        thread.request_cancel()

    thread.progressed.connect(on_progress)
    thread.succeeded.connect(on_success)
    thread.failed.connect(on_failure)
    thread.cancelled.connect(on_cancelled)
    thread.finished.connect(loop.quit)
    dialog.canceled.connect(on_cancel_clicked)
    # Widgets closed earlier may still sit in reference cycles: free them here,
    # on the GUI thread, before the worker starts (``gui_thread_collects``
    # then keeps collection off the worker while it runs).
    gc.collect()
    with gui_thread_collects():
        thread.start()
        loop.exec()
        thread.wait()
    thread.deleteLater()
    dialog.close()
    dialog.deleteLater()
    return outcome


class RateClock:
    """The time and rows a job's rate is measured over. The clock starts at
    the first progress that counts rows and restarts when a new phase
    begins (the total changes or the count goes back), so the time spent
    reading and checking a file before the first row is written does not
    make the writing look slow (an import once showed 约剩 80 秒 for a
    3-second write)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._base: tuple[float, int] | None = None
        self._total = self._done = -1

    def update(self, done: int, total: int) -> tuple[float, int]:
        """(seconds, rows) counted since the phase's first counted row."""
        now = self._clock()
        if self._base is None or total != self._total or done < self._done:
            self._base = (now, done) if done > 0 else None
        self._total, self._done = total, done
        if self._base is None:
            return 0.0, 0
        return now - self._base[0], done - self._base[1]


def progress_text(message: str, done: int, total: int, elapsed: float, counted: int | None = None) -> str:
    """``正在生成住户… 12,000 / 50,000，每秒 8,000 条，约剩 5 秒``; the rate
    is ``counted`` rows (default ``done``) over ``elapsed`` seconds."""
    counted = done if counted is None else counted
    text = message
    if total > 0:
        text += f"\n{done:,} / {total:,}"
        if elapsed > 0.5 and counted > 0:
            rate = counted / elapsed
            text += f"，每秒 {rate:,.0f} 条"
            remaining = max(total - done, 0) / rate if rate else 0
            text += f"，约剩 {remaining:.0f} 秒"
    return text
