"""Sweep engine against its references, measured in the same run (issue 8's targets):

- SGD seed-steps/s at the paper's sweep point (NLGP g = 100, N = 40, xi = (0.3, 0.7), batch
  5000) against the random-number floor: drawing the same Gaussian numbers with jax.random
  alone (target: SGD within 1.3x of the floor);
- repeat wall time of `dyntools simulate` at that point with 1 seed, as a new process
  (target: under 4 s including start-up);
- a 20-point x 2-seed sweep against one point (target: at most 2x);
- a theory-only grid, per point (target: 200 points under 60 s).

    python benchmarks/bench_sweep.py [--steps 200]
"""

import argparse
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import best_time, markdown_table  # noqa: E402

from dyntools._jax import jax, jnp  # noqa: E402
from dyntools.simulations import SimulationConfig  # noqa: E402
from dyntools.simulations.simulate import prepare  # noqa: E402
from dyntools.simulations.sweep import Grid, run_sweep  # noqa: E402
from dyntools.simulations.network import sgd_trajectories  # noqa: E402

warnings.simplefilter("ignore")
POINT = dict(family="nlgp", param=100.0, n_dims=40, xi=(0.3, 0.7), batch=5000, lr=0.1)


def rng_floor_row(steps: int, seeds: int) -> list:
    prepared = prepare(SimulationConfig(**POINT, steps=steps, seeds=seeds, saves=1))
    params0 = prepared.net.init(jax.random.PRNGKey(0), 1e-3)
    keys = jax.random.split(jax.random.PRNGKey(1), seeds)

    def sgd():
        jax.block_until_ready(sgd_trajectories(prepared.task, prepared.net, params0, keys, lr=0.1, steps=steps,
                                               batch=POINT["batch"], saves=1))

    @jax.jit
    def draw_all(key):  # the same Gaussian numbers, one compiled loop, summed so none is skipped
        def body(i, total):
            return total + jax.random.normal(jax.random.fold_in(key, i), (seeds, POINT["batch"], POINT["n_dims"]),
                                          jnp.float32).sum()
        return jax.lax.fori_loop(0, steps, body, jnp.float32(0))

    def floor():
        draw_all(jax.random.PRNGKey(2)).block_until_ready()

    t_sgd, t_floor = best_time(sgd, repeats=2, min_time=0), best_time(floor, repeats=2, min_time=0)
    rate = seeds * steps / t_sgd
    return [f"SGD, {seeds} seeds x {steps} steps", f"{rate:,.0f} seed-steps/s",
            f"{seeds * steps / t_floor:,.0f} seed-steps/s", f"{t_sgd / t_floor:.2f}x the floor"]


def cli_repeat_row(steps: int) -> list:
    with tempfile.TemporaryDirectory() as tmp:
        args = [sys.executable, "-c", "from dyntools.cli import main; main()", "simulate", "--family", "nlgp",
                "--param", "100", "--n-dims", "40", "--xi", "0.3", "0.7", "--batch", "5000", "--lr", "0.1",
                "--steps", str(steps), "--seeds", "1", "--saves", "10", "--out", f"{tmp}/r", "--force"]
        times = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
    return [f"`dyntools simulate`, 1 seed x {steps} steps, new process", f"first {times[0]:.1f} s",
            f"repeat {times[1]:.1f} s", "target < 4 s"]


def sweep_rows(steps: int) -> list:
    base = SimulationConfig(**{**POINT, "family": "nlgp", "param": None}, steps=steps, seeds=2, saves=10)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_sweep(Path(tmp) / "one", base, Grid({"param": [100.0]}))
        one = time.perf_counter() - start
        start = time.perf_counter()
        run_sweep(Path(tmp) / "twenty", base, Grid({"param": np.logspace(-2, 2, 20)}))
        twenty = time.perf_counter() - start
        rows.append([f"sweep, 20 points x 2 seeds x {steps} steps", f"{twenty:.1f} s", f"one point {one:.1f} s",
                     f"{twenty / one:.1f}x one point (target <= 2x)"])
        start = time.perf_counter()
        run_sweep(Path(tmp) / "theory", base, Grid({"param": np.logspace(-2, 2, 10), "xi1": [0.5, 0.7]}),
                  theory_only=True)
        per_point = (time.perf_counter() - start) / 20
        rows.append(["theory-only grid, 20 points", f"{per_point:.2f} s a point",
                     f"200 points: ~{200 * per_point:.0f} s", "target < 60 s"])
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=30)
    options = parser.parse_args()
    rows = [rng_floor_row(options.steps, options.seeds), cli_repeat_row(options.steps), *sweep_rows(options.steps)]
    print(markdown_table(["what", "measured", "reference", "ratio / target"], rows))
