"""Shared pieces of the benchmarks: the Figure record and timing helpers."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure; ``baseline`` is the reference measured in the
    same run (None when there is none) and ``ratio`` = value / baseline."""

    name: str
    value: float
    unit: str
    baseline: float | None
    target: str

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return round(self.value / self.baseline, 3)

    def as_dict(self) -> dict:
        return {"name": self.name, "value": round(self.value, 4), "unit": self.unit,
                "baseline": None if self.baseline is None else round(self.baseline, 4),
                "ratio": self.ratio, "target": self.target}

    def describe(self) -> str:
        base = "" if self.baseline is None else f"  baseline {self.baseline:.3f} {self.unit}  ratio {self.ratio}"
        return f"{self.name:<28} {self.value:10.3f} {self.unit}{base}  target {self.target}"


def reset_peak_memory() -> bool:
    """Start this process's high-water mark afresh (Linux: writing 5 to
    ``/proc/self/clear_refs`` sets ``VmHWM`` to the current RSS). False
    where it cannot be reset."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def peak_memory_mb() -> float:
    """This process's own peak resident memory in MB: ``VmHWM`` on Linux;
    elsewhere ``ru_maxrss`` (macOS counts bytes, Linux KiB) or the
    Windows peak working set."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource  # noqa: PLC0415
    except ImportError:  # Windows
        import ctypes
        from ctypes import wintypes

        class Counters(ctypes.Structure):
            _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD),
                        ("PeakWorkingSetSize", ctypes.c_size_t), ("WorkingSetSize", ctypes.c_size_t)]

        counters = Counters()
        counters.cb = ctypes.sizeof(counters)
        ctypes.windll.psapi.GetProcessMemoryInfo(ctypes.windll.kernel32.GetCurrentProcess(), ctypes.byref(counters),
                                                 counters.cb)
        return counters.PeakWorkingSetSize / 1_048_576
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1_048_576 if sys.platform == "darwin" else peak / 1024


def median_time(action: Callable[[], object], repeat: int = 3) -> float:
    """Median wall time of ``action`` in seconds over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def demo_databases(folder: str) -> tuple[str, str]:
    """Paths of a township (≈50,000 residents) and a county (≈500,000) demo
    database, generated in ``folder`` (seed 1) unless the environment names
    existing ones: ``GRIDADMIN_BENCH_TOWNSHIP`` / ``GRIDADMIN_BENCH_COUNTY``
    (the county takes about 1.5 minutes to generate)."""
    import os
    from pathlib import Path

    from gridadmin.services.demo import create_demo_database

    town = os.environ.get("GRIDADMIN_BENCH_TOWNSHIP") or str(Path(folder) / "town.db")
    county = os.environ.get("GRIDADMIN_BENCH_COUNTY") or str(Path(folder) / "county.db")
    for path, size in ((town, "township"), (county, "county")):
        if not Path(path).exists():
            create_demo_database(path, size, seed=1)
    return town, county
