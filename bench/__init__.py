"""GridAdmin benchmarks (run with ``python bench/run.py``)."""
