"""Benchmark runner: ``python bench/run.py [--json] [NAME ...]``.

Runs the named benchmarks (all when none is named). Each figure is
measured against a baseline measured in the same run on the same machine,
so the ratio means something on any PC. With ``--json`` one JSON object per
figure per line: name, value, unit, baseline, ratio, target.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import (  # noqa: E402
    bench_audit, bench_dashboard, bench_demo, bench_import, bench_report, bench_residents, bench_roster,
    bench_startup, bench_training,
)
from bench.common import Figure  # noqa: E402

BENCHMARKS = {
    "demo": bench_demo.run,
    "startup": bench_startup.run,
    "roster": bench_roster.run,
    "training": bench_training.run,
    "residents": bench_residents.run,
    "import": bench_import.run,
    "audit": bench_audit.run,
    "report": bench_report.run,
    "dashboard": bench_dashboard.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="GridAdmin benchmarks")
    parser.add_argument("--json", action="store_true", help="one JSON object per figure per line")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in args.names or list(BENCHMARKS):
        for figure in BENCHMARKS[name]():
            print(json.dumps(figure.as_dict(), ensure_ascii=False) if args.json else figure.describe(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Figure", "main"]
