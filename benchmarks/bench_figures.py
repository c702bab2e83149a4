"""Time to draw and to save every figure of saved runs, against the floor: saving an empty
figure of the same size (same dpi, same PNG writer).

For each run directory: `run_figures(dir)` (the draw, which reads the run back; the read alone
is shown apart) and `dyntools.plots.save` of each figure (the savefig: layout, rendering, PNG).
Best of ``--repeats`` in this process after one warm-up (fonts and mathtext cached), as wall
time and CPU time (``time.process_time``, steadier on a shared machine); and "cold": draw and
save once in a fresh Python process, as `dyntools plot` pays them (matplotlib's import shown
apart; the draw then includes importing what the run's kind needs and, for simulate runs,
rebuilding the amplifier with JAX; a command that just ran has all of that already).

    python benchmarks/bench_figures.py DIR [DIR ...] [--repeats 3] [--no-cold]
    python benchmarks/bench_figures.py --make /tmp/fig    # write the standard runs there first (~4 min)

The standard runs (``--make``, ~4 min): simulate (K = 1, K = 4, 2-D), sweeps over one and two
axes, LCA atoms, ICA on image patches (atoms and Gabor tuning), inputs (discrete and continuous
pixels), a localization map, and every paper reproduction ``--quick``.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import markdown_table  # noqa: E402

RUNS = {
    "sim": ["simulate", "--kurtosis", "-1.0"],
    "sim4": ["simulate", "--kurtosis", "-1.0", "--neurons", "4"],
    "sim2d": ["simulate", "--gain", "3", "--2d", "--n-dims", "12", "--steps", "300"],
    "sweep": ["sweep", "--family", "alg", "--kurtosis", "-1.0:3.0:5", "--seeds", "2", "--steps", "300"],
    "lca": ["baseline", "lca", "--kurtosis", "2", "--n-dims", "40", "--steps", "200"],
    "icaimg": ["baseline", "ica", "--images", "--samples", "5000"],
    "inputs": ["inputs", "--kurtosis", "-1"],
    "inputs2": ["inputs", "--kurtosis", "2"],  # a continuous law: the sample histogram
    "sweep2": ["sweep", "--grid", "kurtosis=-1,1,3", "--grid", "xi1=2,3", "--steps", "200", "--seeds", "2"],
    "map": ["localization-map", "--kurtosis", "-1,3", "--n-dims", "16", "--atoms", "16", "--steps", "100"],
    **{name: ["reproduce", name, "--quick"] for name in (
        "lufkin-fig3", "lufkin-fig4", "lufkin-fig5", "lufkin-fig6", "lufkin-fig1-right", "ingrosso-goldt-2d",
        "two-d-discrepancy", "olshausen-field")},
}

COLD = """
import sys, time, tempfile, os
import jax; jax.config.update("jax_enable_x64", True)  # as the dyntools command does
start = time.perf_counter()
import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot
from dyntools.figures import run_figures
from dyntools.plots import save
imported = time.perf_counter()
figures = run_figures(sys.argv[1])
drawn = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    for name, fig in figures.items():
        save(fig, os.path.join(tmp, name))
end = time.perf_counter()
print(imported - start, drawn - imported, end - drawn)
"""


def make_runs(root: Path) -> list[Path]:
    """The standard runs under ``root`` (those already there are kept)."""
    dirs = []
    for name, args in RUNS.items():
        out = root / name
        if not (out / "run.json").exists():
            print(f"making {name}: dyntools {' '.join(args)}", file=sys.stderr)
            subprocess.run(["dyntools", *args, "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
        dirs.append(out)
    return dirs


def best(fn, repeats: int) -> tuple[float, float]:
    """Best wall and best CPU time of ``fn()`` over ``repeats`` calls."""
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w), cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, help="run directories")
    parser.add_argument("--make", type=Path, help="write the standard runs under this directory and time them")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-cold", action="store_true", help="skip the fresh-process timings")
    args = parser.parse_args()
    dirs = [*(make_runs(args.make) if args.make else []), *args.dirs]
    if not dirs:
        parser.error("give run directories or --make DIR")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dyntools.figures import run_figures
    from dyntools.plots import save
    from dyntools.runs import load_run

    tmp = Path(tempfile.mkdtemp(prefix="bench-figures-"))
    floors: dict = {}

    def floor(size) -> tuple[float, float]:
        """Wall and CPU time of saving an empty figure of ``size`` inches."""
        key = tuple(round(float(s), 3) for s in size)
        if key not in floors:
            floors[key] = best(lambda: save(plt.figure(figsize=key), tmp / "empty.png"), args.repeats + 1)
        return floors[key]

    def save_one(directory: Path, name: str) -> tuple[float, float]:
        """Wall and CPU time of saving figure ``name`` of a run, freshly drawn."""
        figures = run_figures(directory)
        fig = figures.pop(name)
        for other in figures.values():
            plt.close(other)
        wall, cpu = time.perf_counter(), time.process_time()
        save(fig, tmp / name)
        return time.perf_counter() - wall, time.process_time() - cpu

    def close_all(figures: dict) -> None:
        for fig in figures.values():
            plt.close(fig)

    rows, totals = [], [0.0, 0.0, 0.0, 0.0]
    for directory in dirs:
        for name, fig in run_figures(directory).items():  # warm-up: fonts, mathtext, imports
            save(fig, tmp / name)
        read_wall, _ = best(partial(load_run, directory), args.repeats)
        draw_wall, draw_cpu = best(lambda d=directory: close_all(run_figures(d)), args.repeats)
        totals[0] += draw_wall
        totals[1] += draw_cpu
        cold = ""
        if not args.no_cold:
            out = subprocess.run([sys.executable, "-c", COLD, str(directory)], capture_output=True, text=True,
                                 check=False)
            if out.returncode:
                sys.exit(f"{directory}: {out.stderr}")
            imported, cold_draw, cold_save = map(float, out.stdout.split())
            cold = f"{cold_draw:.2f} + {cold_save:.2f} s (import {imported:.2f} s)"
        probe = run_figures(directory)
        sizes = {name: fig.get_size_inches() for name, fig in probe.items()}
        close_all(probe)
        for i, (name, size) in enumerate(sizes.items()):
            timings = [save_one(directory, name) for _ in range(args.repeats)]
            save_wall, save_cpu = min(t[0] for t in timings), min(t[1] for t in timings)
            totals[2] += save_wall
            totals[3] += save_cpu
            floor_wall, floor_cpu = floor(size)
            first = i == 0
            rows.append([directory.name, name, f"{size[0]:g} x {size[1]:g}", f"{read_wall:.3f}" if first else "",
                         f"{draw_wall:.3f} / {draw_cpu:.3f}" if first else "", f"{save_wall:.3f} / {save_cpu:.3f}",
                         f"{floor_wall:.3f} / {floor_cpu:.3f}", f"{save_cpu / floor_cpu:.1f}x", cold if first else ""])
    print(f"Figures: draw (run_figures, incl. reading the run) and save (plots.save, 110 dpi PNG); "
          f"best of {args.repeats}, wall / CPU seconds; floor: saving an empty figure of the same size; "
          f"cold: draw + save in a fresh process\n")
    print(markdown_table(["run", "figure", "inches", "read (s)", "draw wall / CPU (s)", "save wall / CPU (s)",
                          "floor wall / CPU (s)", "save / floor (CPU)", "cold: draw + save"], rows))
    print(f"\ntotal: draw {totals[0]:.2f} / {totals[1]:.2f} s, save {totals[2]:.2f} / {totals[3]:.2f} s (wall / CPU)")


if __name__ == "__main__":
    main()
