"""The one timing helper the engine benchmarks share (`from benchmarks._timing import ...`)."""

import statistics
import time


def median_seconds(fn, repeat=7, warmup=1):
    """Median wall time of ``fn()`` over ``repeat`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
