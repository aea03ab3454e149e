"""One call off the UI thread, its result delivered through a signal.

``call_in_background(fn, signal, tag)`` runs ``fn()`` in a worker thread
and emits ``signal(tag, result)`` — ``result`` being the exception when
``fn`` raised — which a widget connects to a method of its own, so the
result is handled on the UI thread (a queued connection). ``fn`` must
touch no widget: it captures plain values (a ``Database``) and opens its
own session. While a call runs, Python's cyclic collector runs on the UI
thread only (``jobs.gui_thread_collects``). ``wait_for_background`` waits
for every call still running (tests, the screenshot command, exit).
Used by the lazy tables' exact counts and the dashboard's figures.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable
from contextlib import ExitStack

from PySide6.QtCore import QThread

from gridadmin.ui.common.jobs import gui_thread_collects

_RUNNING: dict[QThread, ExitStack] = {}  # calls under way (kept alive until they finish), their clean-up


class _CallThread(QThread):
    def __init__(self, fn: Callable[[], object], signal, tag: object):
        super().__init__()
        self._fn, self._signal, self._tag = fn, signal, tag

    def run(self) -> None:  # noqa: D401 - Qt override
        try:
            result: object = self._fn()
        except Exception as exc:  # delivered to the UI thread
            result = exc
        try:
            self._signal.emit(self._tag, result)
        except RuntimeError:  # the widget was deleted meanwhile: nobody waits for the result
            pass


def call_in_background(fn: Callable[[], object], signal, tag: object) -> QThread:
    """Start ``fn()`` in a worker thread; ``signal.emit(tag, result)`` when done."""
    worker = _CallThread(fn, signal, tag)
    collecting = ExitStack()
    collecting.enter_context(gui_thread_collects())
    _RUNNING[worker] = collecting

    def done() -> None:
        collecting.close()
        _RUNNING.pop(worker, None)
        worker.deleteLater()

    worker.finished.connect(done)
    worker.start()
    return worker


def wait_for_background(timeout_ms: int = 60_000) -> None:
    """Wait until every call started here has finished; their results still
    arrive through the event loop."""
    for worker, collecting in list(_RUNNING.items()):
        if worker.wait(timeout_ms):
            # the collector back as it was now, not when ``finished`` is delivered: at exit
            # no event loop delivers it any more
            collecting.close()


atexit.register(wait_for_background)  # a thread still running must not be destroyed at exit
