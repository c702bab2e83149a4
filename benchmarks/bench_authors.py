"""`dyntools simulate` against the paper authors' own code, at the paper's sweep point, measured in one run.

The authors' research code (https://github.com/leonlufkin/Localization) is not part of this
project: pass the path of a checkout with --authors, and a Python that has its dependencies
(jax, equinox, optax, pandas, scipy, matplotlib, ipdb, wandb, ...) with --python. Nothing of theirs
is copied here; a small driver written to a temporary folder imports it from that path.

The point: one ReLU neuron (their `SimpleNet`, no bias, `xavier_normal_init` at scale 1e-3,
MSE on 0/1 labels, `optax.sgd`), NLGP inputs with gain 100, N = 40, xi = (0.3, 0.7), batch 5000,
trained by their `localization.experiments.supervise.supervise` with their `EpochSampler`
(fresh samples every step, as in their figure scripts). Their learning rate is 0.05, the value of
their single-neuron figure configs (figures/fig3a.py, fig3.ipynb, fig4.ipynb); ours is 0.1 (the
cost of a step does not depend on it). Their evaluations (1000 held-out samples) run every
steps/10 steps, like `--saves 10`. Both train in float32.

Measured, each in a new process:

- the authors' code: wall time of the driver (Python and their imports, dataset and model set-up,
  compilation, training, evaluations), one `supervise` call per seed;
- `dyntools simulate --family nlgp --gain 100 --n-dims 40 --xi 0.3 0.7 --batch 5000 --lr 0.1`
  `--steps STEPS --seeds SEEDS --saves 10`, twice, sharing a fresh DYNTOOLS_CACHE_DIR: first
  (empty persistent compilation cache) and repeat (warm cache). Its run also integrates the
  effective ODE and writes the run folder, which theirs does not;
- the training loop alone, in seed-steps/s: for the authors, the sum of their own per-interval
  timings ("Epoch k in T seconds": data generation and `train_step`, no evaluation) over all
  intervals but the first of each seed (which compiles); for dyntools, a second (warm) call of
  `sgd_trajectories` at the same point, as in bench_sweep.py.

    python benchmarks/bench_authors.py --authors PATH [--python PYTHON] [--steps 1000] [--seeds 1]

STEPS must be a multiple of 10 (`--saves 10`).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import markdown_table

AUTHORS_LR = 0.05  # their single-neuron figure configs; dyntools runs at 0.1
SIMULATE = ["simulate", "--family", "nlgp", "--gain", "100", "--n-dims", "40", "--xi", "0.3", "0.7",
            "--batch", "5000", "--lr", "0.1", "--saves", "10"]

# Run with --python: argv = checkout, steps, seeds, lr. Prints one JSON line last.
AUTHORS_DRIVER = r'''
import contextlib, io, json, os, re, sys, time, types

root, steps, seeds, lr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
# Two import problems of the checkout, worked around without touching it: samplers/__init__.py
# imports `other_sampler` as a top-level module, and experiments/__init__.py imports a module
# that is not in the repository (gabor_fit), so that package is loaded without its __init__.
sys.path[:0] = [root, os.path.join(root, "localization", "samplers")]
experiments = types.ModuleType("localization.experiments")
experiments.__path__ = [os.path.join(root, "localization", "experiments")]
sys.modules["localization.experiments"] = experiments
start = time.perf_counter()
import optax
from localization import datasets, models, samplers
from localization.experiments.supervise import supervise
imported = time.perf_counter()

config = dict(  # figures/fig3a.py's single-neuron config, at the sweep point
    num_dimensions=40, dim=1, xi=(0.3, 0.7), gain=100.0, adjust=(-1.0, 1.0), class_proportion=0.5,
    dataset_cls=datasets.NonlinearGPDataset, sampler_cls=samplers.EpochSampler,
    num_hiddens=1, init_scale=0.001, activation="relu", model_cls=models.SimpleNet,
    use_bias=False, bias_trainable=False, bias_value=0.0, init_fn=models.xavier_normal_init,
    optimizer_fn=optax.sgd, learning_rate=lr, loss_fn="mse", batch_size=5000,
    num_epochs=steps, num_steps=steps, evaluation_interval=max(steps // 10, 1),
    save_=False, wandb_=False)
loop_s, loop_steps = 0.0, 0
for seed in range(seeds):
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        supervise(seed=seed, **config)
    intervals = [float(t) for t in re.findall(r"^Epoch \d+ in ([0-9.]+) seconds", log.getvalue(), re.M)]
    loop_s += sum(intervals[1:])
    loop_steps += config["evaluation_interval"] * len(intervals[1:])
done = time.perf_counter()
print(json.dumps({"import_s": imported - start, "train_s": done - imported, "loop_s": loop_s,
                  "loop_steps": loop_steps}))
'''

# Run with this Python: argv = steps, seeds. Prints one JSON line last.
DYNTOOLS_LOOP = r'''
import json, sys, time
steps, seeds = int(sys.argv[1]), int(sys.argv[2])
from dyntools._jax import jax
jax.config.update("jax_enable_x64", True)
from dyntools.simulations import SimulationConfig
from dyntools.simulations.simulate import prepare
from dyntools.simulations.training import sgd_trajectories

task = dict(family="nlgp", param=100.0, n_dims=40)
run = dict(batch=5000, lr=0.1, steps=steps, seeds=seeds, saves=10)
from dyntools.inputs import TaskSpec
config = SimulationConfig(task=TaskSpec(**task, xi0=0.3, xi1=0.7), **run)
prepared = prepare(config)
params0 = prepared.net.init(jax.random.PRNGKey(0), 1e-3)
keys = jax.random.split(jax.random.PRNGKey(1), seeds)

def train():
    jax.block_until_ready(sgd_trajectories(prepared.task, prepared.net, params0, keys, lr=0.1, steps=steps,
                                           batch=5000, saves=10))

train()  # compile
start = time.perf_counter()
train()
print(json.dumps({"loop_s": time.perf_counter() - start, "loop_steps": steps * seeds}))
'''


def timed_run(args: list, env: dict | None = None) -> tuple[float, str]:
    """Wall seconds of one new process, and its stdout; its stderr is shown if it fails."""
    start = time.perf_counter()
    done = subprocess.run(args, check=False, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def authors_run(authors: Path, python: str, steps: int, seeds: int, tmp: Path) -> tuple[float, dict]:
    driver = tmp / "authors_driver.py"
    driver.write_text(AUTHORS_DRIVER)
    env = {**os.environ, "MPLBACKEND": "Agg", "WANDB_MODE": "disabled", "WANDB_SILENT": "true"}
    wall, stdout = timed_run([python, str(driver), str(authors.resolve()), str(steps), str(seeds), str(AUTHORS_LR)],
                             env=env)
    return wall, last_json(stdout)


def dyntools_command() -> list:
    """The `dyntools` entry point next to this Python, else the same through ``-c``."""
    script = Path(sys.executable).with_name("dyntools")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from dyntools.cli import main; main()"]


def dyntools_runs(steps: int, seeds: int, tmp: Path) -> list[float]:
    """Wall seconds of `dyntools simulate`: first (empty cache), then repeat (warm cache)."""
    args = [*dyntools_command(), *SIMULATE, "--steps", str(steps), "--seeds", str(seeds), "--out", str(tmp / "run"),
            "--force"]
    env = {**os.environ, "DYNTOOLS_CACHE_DIR": str(tmp / "cache")}
    return [timed_run(args, env=env)[0] for _ in range(2)]


def dyntools_loop(steps: int, seeds: int, tmp: Path) -> dict | None:
    """Warm `sgd_trajectories` timing, or None if this library version does not run the driver."""
    driver = tmp / "dyntools_loop.py"
    driver.write_text(DYNTOOLS_LOOP)
    env = {**os.environ, "DYNTOOLS_CACHE_DIR": str(tmp / "cache")}
    done = subprocess.run([sys.executable, str(driver), str(steps), str(seeds)], check=False, capture_output=True,
                          text=True, env=env)
    if done.returncode:
        print(f"dyntools loop timing skipped: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return last_json(done.stdout)


def rate(loop: dict | None) -> str:
    if not loop or not loop["loop_steps"] or not loop["loop_s"]:
        return "n/a"
    return f"{loop['loop_steps'] / loop['loop_s']:,.1f}"


def ratio_to(this: str, authors: str) -> str:
    if "n/a" in (this, authors):
        return "n/a"
    return f"{float(this.replace(',', '')) / float(authors.replace(',', '')):,.1f}x"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authors", type=Path, required=True, help="checkout of leonlufkin/Localization")
    parser.add_argument("--python", default=sys.executable, help="a Python with the authors' dependencies")
    parser.add_argument("--steps", type=int, default=1000, help="SGD steps, a multiple of 10")
    parser.add_argument("--seeds", type=int, default=1)
    options = parser.parse_args()
    if options.steps % 10:
        parser.error("--steps must be a multiple of 10 (--saves 10)")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        authors_wall, authors = authors_run(options.authors, options.python, options.steps, options.seeds, tmp)
        first, repeat = dyntools_runs(options.steps, options.seeds, tmp)
        ours = dyntools_loop(options.steps, options.seeds, tmp)
    their_rate, our_rate = rate(authors), rate(ours)
    work = f"{options.seeds} seed(s) x {options.steps} steps"
    rows = [[f"authors' `supervise`, {work}", f"{authors_wall:.2f}", "1.00", their_rate, "1.0x"],
            ["`dyntools simulate`, first run (empty cache)", f"{first:.2f}", f"{first / authors_wall:.2f}", "", ""],
            ["`dyntools simulate`, repeat (warm cache)", f"{repeat:.2f}", f"{repeat / authors_wall:.3f}", our_rate,
             ratio_to(our_rate, their_rate)]]
    print(markdown_table(["new process", "wall s", "/ authors' wall", "training loop alone, seed-steps/s",
                          "loop speed / authors'"], rows))
    print(f"\nauthors' wall: {authors['import_s']:.1f} s imports, {authors['train_s']:.1f} s in `supervise`; "
          f"loop rate over {authors['loop_steps']} steps ({authors['loop_s']:.1f} s, evaluations and the first "
          f"interval excluded). dyntools loop: warm `sgd_trajectories`, {work}.")
