"""A job's worker thread touches no Qt object (issue 19: the first-run demo
job segfaulted now and then). Python's cyclic garbage collector runs in
whichever thread allocates when a threshold is crossed: in a worker it
would destroy the GUI thread's Python-owned Qt objects found in garbage
cycles, from the wrong thread. While a job runs it collects in the GUI
thread only."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread

from gridadmin.services.common.progress import Progress
from gridadmin.ui.common.jobs import run_job


def test_garbage_of_the_gui_thread_is_never_collected_in_a_worker(qtbot, qapp):
    destroyed_in: list[bool] = []
    gui = QCoreApplication.instance().thread()

    def gui_garbage() -> None:
        """A Python-owned QObject in a reference cycle, unreachable."""
        holder: dict = {"object": QObject()}
        holder["self"] = holder
        holder["object"].destroyed.connect(lambda *_: destroyed_in.append(QThread.currentThread() is gui),
                                           Qt.ConnectionType.DirectConnection)

    def job():
        for step in range(20):
            for _ in range(5_000):  # cyclic garbage of its own: crosses the collector's thresholds
                cycle: list = []
                cycle.append(cycle)
            yield Progress(step, 20, "…")
        return "done"

    assert gc.isenabled()
    gui_garbage()
    outcome = run_job(None, "test", job)
    assert outcome.ok and outcome.result == "done"
    assert gc.isenabled()  # automatic collection is back
    gc.collect()
    assert destroyed_in == [True]  # destroyed once, in the GUI thread



def test_the_collector_comes_back_when_holds_end_in_any_order(qapp):
    """Background calls finish when they finish: the first hold may end
    before the second. The collector is back on after the last one."""
    from gridadmin.ui.common.jobs import gui_thread_collects

    assert gc.isenabled()
    first, second = gui_thread_collects(), gui_thread_collects()
    first.__enter__()
    second.__enter__()
    assert not gc.isenabled()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second still runs
    second.__exit__(None, None, None)
    assert gc.isenabled()
