"""Timing shared by the benchmarks, imported as `_timing` (each benchmark runs as `python benchmarks/X.py`)."""
import time


def best_time(call, repeats):
    """Best wall time of `call()` over `repeats` runs, in seconds (after one warm-up)."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)
