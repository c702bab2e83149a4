"""Options shared by the commands, and helpers that turn them into library objects and print results."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import DyntoolsError

# ---- options shared by every command that builds inputs --------------------------------------
Family = Annotated[str, typer.Option(help="Pixel marginal family: auto, gaussian, binary, uniform, laplace, alg (the paper's Kur(k)), gennorm, t, nlgp, elliptical-t, shell, ising.")]
Kurtosis = Annotated[Optional[float], typer.Option("--kurtosis", help="Requested EXCESS kurtosis (0 = Gaussian, >= -2).")]
Param = Annotated[Optional[float], typer.Option("--param", help="Raw family parameter (alg: k, gennorm: beta, t/elliptical-t: nu, nlgp: gain).")]
Gain = Annotated[Optional[float], typer.Option("--gain", help="NLGP gain g in erf(g z) (implies --family nlgp).")]
NDims = Annotated[int, typer.Option("--n-dims", help="Pixels N on the ring, or side L of the L x L torus with --2d.")]
Xi = Annotated[tuple[float, float], typer.Option("--xi", help="Correlation lengths XI0 XI1 of class 0 and class 1 (pixels).")]
TwoD = Annotated[bool, typer.Option("--2d", help="L x L images on a torus instead of a ring.")]
Proportion = Annotated[float, typer.Option("--proportion", help="P(y = 1).")]
Clone = Annotated[bool, typer.Option("--gaussian-clone", help="Gaussian pixels with exactly the chosen model's pixel "
                                                             "covariance: the control without higher-order statistics.")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed.")]
Out = Annotated[Path, typer.Option("--out", help="Output run directory.")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite a finished run in --out.")]
Json = Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object (strict JSON: "
                                                   "non-finite numbers are null, listed under non_finite).")]
# one set of task defaults for every command (the same flags build the same task everywhere)
N_DIMS = 40
XI = (1.0, 2.0)
PROPORTION = 0.5
MAX_INPUT_SAMPLES = 10**8
INPUT_BYTES = 4 * 2**30  # the samples `inputs` holds and saves
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
MAX_ORDER = 21  # series order for derive: SymPy's series grows fast beyond this


def with_gain(family, param, gain):
    """--gain is the NLGP's parameter: (family, param) with it applied."""
    if gain is None:
        return family, param
    if family not in ("auto", "nlgp"):
        raise DyntoolsError(f"--gain is the NLGP gain; it does not apply to family '{family}'")
    if param is not None:
        raise DyntoolsError("give --gain or --param, not both")
    return "nlgp", gain


def options_task(family, kurtosis, param, gain, n_dims, xi, two_d, proportion, gaussian_clone=False):
    from ..inputs import build_task

    family, param = with_gain(family, param, gain)
    return build_task(family, kurtosis, param, n_dims, tuple(xi), two_d, proportion, gaussian_clone)


def clone_label(clone_of: dict | None) -> str:
    """' (Gaussian clone of ...)' for a clone's description, else ''."""
    if not clone_of:
        return ""
    return (f" (Gaussian clone of {clone_of['family']} ({clone_of['parameter_name'] or 'no parameter'} = "
            f"{num(clone_of['parameter'])}, excess kurtosis {num(clone_of['excess_kurtosis'])}): Gaussian pixels, "
            "same covariance)")


def emit(summary: dict, as_json: bool, lines: list[str]) -> None:
    from ..runs import strict_json

    if as_json:
        print(strict_json(summary))
    else:
        print("\n".join(lines))


def clipping_lines(clipping: dict) -> list[str]:
    return [f"kernel of {cls}: {rep['n_clipped']} negative eigenvalues clipped to zero (smallest "
            f"{rep['min_eigenvalue']:.3g}); the covariance used is the nearest valid one"
            for cls, rep in clipping.items() if rep["n_clipped"]]


def num(x, fmt=".4g") -> str:
    return "none" if x is None else format(x, fmt)


def simulation_config(family, kurtosis, param, gain, **options):
    from ..simulations import SimulationConfig

    family, param = with_gain(family, param, gain)
    return SimulationConfig(family=family, kurtosis=kurtosis, param=param, **options)


Neurons = Annotated[int, typer.Option(help="Hidden units K (1 = the single neuron).")]
Activation = Annotated[str, typer.Option(help="relu, sigmoid or erf.")]
Bias = Annotated[bool, typer.Option("--bias", help="Trainable biases (no effective theory then).")]
Steps = Annotated[int, typer.Option(help="SGD steps (t = lr x steps).")]
Lr = Annotated[float, typer.Option("--lr", help="Learning rate.")]
Batch = Annotated[int, typer.Option(help="Fresh samples per SGD step.")]
InitScale = Annotated[float, typer.Option("--init-scale", help="Initial weights: Xavier normal x sqrt(init-scale).")]
Seeds = Annotated[int, typer.Option(help="Network runs (they share the initial weights, differ in data).")]
AmplifierKind = Annotated[str, typer.Option("--amplifier", help="Theory amplifier: quadrature, series or closed.")]
Order = Annotated[int, typer.Option(help="Series order with --amplifier series.")]
Solver = Annotated[str, typer.Option(help="Diffrax solver: tsit5, dopri5, dopri8, bosh3, heun, euler.")]
Trainer = Annotated[str, typer.Option(help="sgd (fresh batches) or flow (gradient flow on --samples fixed samples).")]
Saves = Annotated[int, typer.Option(help="Saved time points.")]
Precision = Annotated[str, typer.Option(help="Network precision: float32 or float64 (theory: float64).")]



class Interrupted(Exception):
    """Ctrl-C, with a note on what was kept."""


def save_figures(directory: Path) -> list[str]:
    """Draw a run's figures from its saved files and write them beside them; their names."""
    from ..figures import run_figures
    from ..plots import save

    figures = run_figures(directory)
    for name, figure in figures.items():
        save(figure, Path(directory) / name)
    return list(figures)


STATUS_ENV = "DYNTOOLS_STATUS_SECONDS"  # seconds between status lines when stderr is not a terminal
STATUS_SECONDS = 30.0


@contextmanager
def progress(description: str, total: float, unit: str) -> Iterator[Callable[[float, float], None]]:
    """Report a long job's progress on stderr; yields ``update(done, total)``.

    A rich bar in a terminal (gone when the job ends); otherwise (logs, Slurm) one status line
    every `STATUS_SECONDS` (``$DYNTOOLS_STATUS_SECONDS``), so a log shows the job is alive.
    """
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            job = bar.add_task(description, total=total)
            yield lambda done, total: bar.update(job, completed=done, total=total)
        return
    every = float(os.environ.get(STATUS_ENV) or STATUS_SECONDS)
    start = last = time.monotonic()

    def status(done: float, total: float) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= every:
            last = now
            print(f"dyntools: {description}: {done:,.0f} of {total:,.0f} {unit} ({100 * done / max(total, 1):.0f}%), "
                  f"{now - start:.0f} s", file=sys.stderr, flush=True)

    yield status
