"""Timing helpers shared by the benchmark scripts (best of several repeats, after warm-up)."""

import time

import jax

jax.config.update("jax_enable_x64", True)  # dyntools's theory is float64; the library never sets this itself


def best_time(fn, repeats: int = 5, min_time: float = 0.2) -> float:
    """Best wall time of one call of ``fn`` (which must block until its result is ready)."""
    fn()  # warm-up / compile
    best = float("inf")
    for _ in range(repeats):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        best = min(best, elapsed / calls)
    return best


def interleaved_times(fns: dict, repeats: int = 5) -> dict[str, list[float]]:
    """Wall times of single calls of each of ``fns`` (name -> a blocking call), taken in turn
    ``repeats`` times after one warm-up call each, so that a noisy spell of the machine hits them
    all alike; report the best and the spread."""
    for fn in fns.values():
        fn()  # warm-up / compile
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
