"""Sweep engine against its references, measured in the same run (issue 8's targets):

- SGD seed-steps/s at the paper's sweep point (NLGP g = 100, N = 40, xi = (0.3, 0.7), batch
  5000) against the random-number floor: drawing the same Gaussian numbers with jax.random
  alone (target: SGD within 1.3x of the floor);
- repeat wall time of `dyntools simulate` at that point with 1 seed, as a new process
  (target: under 4 s including start-up);
- a 20-point x 2-seed sweep against one point (target: at most 2x), and against 20 warm points
  (the work itself);
- a theory-only grid of 200 points (target: under 60 s);
- the same 20-point sweep on `--cluster local:2` against in process;
- the cost of reporting progress (a callback after every compiled chunk of steps).

    python benchmarks/bench_sweep.py [--steps 200] [--seeds 30]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import interleaved_times, markdown_table  # noqa: E402

from dyntools._jax import jax, jnp  # noqa: E402
from dyntools.inputs import TaskSpec  # noqa: E402
from dyntools.simulations import SimulationConfig, run_simulation  # noqa: E402
from dyntools.simulations.simulate import prepare  # noqa: E402
from dyntools.simulations.cluster import DaskCluster  # noqa: E402
from dyntools.simulations.sweep import Grid, point_config, run_sweep  # noqa: E402
from dyntools.simulations.training import seed_group, sgd_trajectories  # noqa: E402

warnings.simplefilter("ignore")
TASK = TaskSpec(family="nlgp", param=100.0, n_dims=40, xi0=0.3, xi1=0.7)
POINT = dict(task=TASK, batch=5000, lr=0.1)
FLOOR_REPEATS = 7  # SGD and its floor timed in turn: the floor alone varied 1.7x on a noisy day


def rng_floor_row(steps: int, seeds: int) -> list:
    prepared = prepare(SimulationConfig(**POINT, steps=steps, seeds=seeds, saves=1))
    params0 = prepared.net.init(jax.random.PRNGKey(0), 1e-3)
    keys = jax.random.split(jax.random.PRNGKey(1), seeds)

    def sgd():
        jax.block_until_ready(sgd_trajectories(prepared.task, prepared.net, params0, keys, lr=0.1, steps=steps,
                                               batch=POINT["batch"], saves=1))

    group = seed_group(seeds, POINT["batch"], TASK.n_dims, 4)

    @jax.jit
    def draw_all(key):  # the same Gaussian numbers, summed so none is skipped, in SGD's seed groups
        def seed_total(seed_key):
            def body(i, total):
                return total + jax.random.normal(jax.random.fold_in(seed_key, i), (POINT["batch"], TASK.n_dims),
                                                 jnp.float32).sum()
            return jax.lax.fori_loop(0, steps, body, jnp.float32(0))
        return jax.lax.map(seed_total, jax.random.split(key, seeds), batch_size=group).sum()

    def floor():
        draw_all(jax.random.PRNGKey(2)).block_until_ready()

    times = interleaved_times({"sgd": sgd, "floor": floor}, repeats=FLOOR_REPEATS)
    rates = {name: sorted(seeds * steps / t for t in ts) for name, ts in times.items()}
    spread = lambda r: f"{r[-1]:,.0f} seed-steps/s (best of {len(r)}; worst {r[0]:,.0f})"  # noqa: E731
    return [f"SGD, {seeds} seeds x {steps} steps", spread(rates["sgd"]), spread(rates["floor"]),
            f"{min(times['sgd']) / min(times['floor']):.2f}x the floor (bests)"]


def cli_repeat_row(steps: int) -> list:
    with tempfile.TemporaryDirectory() as tmp:
        args = [sys.executable, "-c", "from dyntools.cli import main; main()", "simulate", "--family", "nlgp",
                "--param", "100", "--n-dims", "40", "--xi", "0.3", "0.7", "--batch", "5000", "--lr", "0.1",
                "--steps", str(steps), "--seeds", "1", "--saves", "10", "--out", f"{tmp}/r", "--force"]
        env = {**os.environ, "DYNTOOLS_CACHE_DIR": f"{tmp}/cache"}  # cold first run, then the warm cache
        times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            times.append(time.perf_counter() - start)
    return [f"`dyntools simulate`, 1 seed x {steps} steps, new process", f"repeat {min(times[1:]):.1f} s",
            f"first (empty cache) {times[0]:.1f} s", "target < 4 s"]


def progress_row(steps: int) -> list:
    """Best of 4 runs each, alternating which goes first (the second of a pair runs warmer)."""
    config = SimulationConfig(**POINT, steps=steps, seeds=4, saves=10)
    run_simulation(config)
    times = {"quiet": [], "reported": []}
    for repeat in range(4):
        order = ("quiet", "reported") if repeat % 2 else ("reported", "quiet")
        for name in order:
            report = (lambda done, total: None) if name == "reported" else None
            times[name].append(timed(lambda: run_simulation(config, progress=report)))
    quiet, reported = min(times["quiet"]), min(times["reported"])
    return [f"progress callback, 4 seeds x {steps} steps (a call per compiled chunk)", f"{reported:.2f} s with",
            f"{quiet:.2f} s without", f"{100 * (reported / quiet - 1):+.1f}%"]


def timed(run) -> float:
    """Seconds one call of ``run`` takes (compilation included, if any)."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def sweep_rows(steps: int) -> list:
    base = SimulationConfig(**{**POINT, "task": replace(TASK, param=None)}, steps=steps, seeds=2, saves=10)
    gains = Grid({"param": np.logspace(-2, 2, 20)})
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        one = timed(lambda: run_sweep(Path(tmp) / "one", base, Grid({"param": [100.0]})))
        warm = timed(lambda: run_simulation(point_config(base, {"param": 50.0})))
        twenty = timed(lambda: run_sweep(Path(tmp) / "twenty", base, gains))
        rows.append([f"sweep, 20 points x 2 seeds x {steps} steps", f"{twenty:.1f} s",
                     f"one point {one:.1f} s (compiling); warm {warm:.2f} s",
                     f"{twenty / one:.1f}x one point (target <= 2x); {twenty / (20 * warm):.2f}x 20 warm points"])
        start = time.perf_counter()
        cluster = DaskCluster.local(2)
        started = time.perf_counter() - start
        on_two = timed(lambda: run_sweep(Path(tmp) / "cluster", base, gains, runner=cluster))
        cluster.close()
        rows.append(["the same sweep, `--cluster local:2`", f"{on_two:.1f} s (+ {started:.1f} s to start workers)",
                     f"in process {twenty:.1f} s", f"{twenty / on_two:.2f}x faster"])
        grid = Grid({"param": np.logspace(-2, 2, 20), "xi1": np.linspace(0.5, 1.4, 10)})
        theory = timed(lambda: run_sweep(Path(tmp) / "theory", base, grid, theory_only=True))
        rows.append(["theory-only grid, 200 points (compile included)", f"{theory:.1f} s",
                     f"{theory / 200 * 1000:.0f} ms a point", "target < 60 s"])
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=30)
    options = parser.parse_args()
    rows = [rng_floor_row(options.steps, options.seeds), cli_repeat_row(options.steps), progress_row(options.steps),
            *sweep_rows(options.steps)]
    print(markdown_table(["what", "measured", "reference", "ratio / target"], rows))
