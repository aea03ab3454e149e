"""Progress reports yielded by long jobs (demo generation, import, export).

A long job is a generator that yields ``Progress`` and returns its result
(``StopIteration.value``); the UI drives it in a worker thread with a
cancellable dialog, the command line drives it with ``run_to_end``. To
cancel, the driver stops iterating and calls ``close()``: the job must do
its writes in one transaction so that closing rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    message: str

    @property
    def fraction(self) -> float:
        return 0.0 if self.total <= 0 else min(1.0, self.done / self.total)


Job = Generator[Progress, None, T]


def run_to_end(job: Job[T], on_progress: Callable[[Progress], None] | None = None) -> T:
    """Drive ``job`` to completion and return its result."""
    while True:
        try:
            step = next(job)
        except StopIteration as stop:
            return stop.value
        if on_progress is not None:
            on_progress(step)
