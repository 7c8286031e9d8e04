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


def ms_per_step(step, steps):
    """Mean wall time of `step()` over `steps` runs, in milliseconds (after two warm-ups)."""
    step()
    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps * 1e3
