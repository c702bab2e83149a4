"""The ``dyntools`` command line: parse, call the library, print, save. No science here.

Heavy modules (JAX, SymPy, matplotlib) are imported inside commands so that ``--help``
answers instantly. Every user error is one line on stderr with exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import DyntoolsError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Learning dynamics of receptive-field localization: inputs, theory, simulations, baselines.",
)

# ---- options shared by every command that builds inputs --------------------------------------
Family = Annotated[str, typer.Option(help="Pixel marginal family: auto, gaussian, binary, uniform, laplace, alg (the paper's Kur(k)), gennorm, t, nlgp, elliptical-t, shell, ising.")]
Kurtosis = Annotated[Optional[float], typer.Option("--kurtosis", help="Requested EXCESS kurtosis (0 = Gaussian, >= -2).")]
Param = Annotated[Optional[float], typer.Option("--param", help="Raw family parameter (alg: k, gennorm: beta, t/elliptical-t: nu, nlgp: gain).")]
Gain = Annotated[Optional[float], typer.Option("--gain", help="NLGP gain g in erf(g z) (implies --family nlgp).")]
NDims = Annotated[int, typer.Option("--n-dims", help="Pixels N on the ring, or side L of the L x L torus with --2d.")]
Xi = Annotated[tuple[float, float], typer.Option("--xi", help="Correlation lengths XI0 XI1 of class 0 and class 1 (pixels).")]
TwoD = Annotated[bool, typer.Option("--2d", help="L x L images on a torus instead of a ring.")]
Proportion = Annotated[float, typer.Option("--proportion", help="P(y = 1).")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed.")]
Out = Annotated[Path, typer.Option("--out", help="Output run directory.")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite a finished run in --out.")]
Json = Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")]


def _task(family, kurtosis, param, gain, n_dims, xi, two_d, proportion):
    from .inputs import build_task

    if gain is not None:
        if family not in ("auto", "nlgp"):
            raise DyntoolsError(f"--gain is the NLGP gain; it does not apply to family '{family}'")
        if param is not None:
            raise DyntoolsError("give --gain or --param, not both")
        family, param = "nlgp", gain
    return build_task(family, kurtosis, param, n_dims, tuple(xi), two_d, proportion)


def _emit(summary: dict, as_json: bool, lines: list[str]) -> None:
    from .runs import jsonable

    if as_json:
        print(json.dumps(jsonable(summary)))
    else:
        print("\n".join(lines))


def _num(x, fmt=".4g") -> str:
    return "none" if x is None else format(x, fmt)


@app.command()
def inputs(
    family: Family = "auto",
    kurtosis: Kurtosis = None,
    param: Param = None,
    gain: Gain = None,
    n_dims: NDims = 40,
    xi: Xi = (1.0, 3.0),
    two_d: TwoD = False,
    proportion: Proportion = 0.5,
    samples: Annotated[int, typer.Option(help="Number of (x, y) samples.")] = 100_000,
    seed: Seed = 0,
    out: Out = Path("runs/inputs"),
    force: Force = False,
    as_json: Json = False,
):
    """Sample the two-class task, check its statistics against the exact ones, plot it."""
    from . import runs

    if samples < 1:
        raise DyntoolsError(f"--samples must be at least 1 (got {samples})")
    runs.check_writable(out, force)
    task = _task(family, kurtosis, param, gain, n_dims, xi, two_d, proportion)

    import numpy as np

    from ._jax import jax
    from .inputs.statistics import input_statistics
    from .plots import inputs_figure, save

    x, y = task.sample(jax.random.PRNGKey(seed), samples)
    x, y = np.asarray(x, dtype=np.float32), np.asarray(y)
    stats = input_statistics(task, x, y)
    if not stats["finite"]:
        raise DyntoolsError("sampling produced non-finite values; please report this as a bug")
    config = {"task": task.describe(), "samples": samples, "seed": seed}
    with runs.staged_run(out, force) as stage:
        runs.save_arrays(stage, "samples.npz", x=x, y=y)
        save(inputs_figure(x, y, task.sigma0, task.sigma1, task.pixel_marginal), stage / "inputs.png")
        runs.write_record(stage, "inputs", config, stats, seed)
    clip = stats["kernel_clipping"]
    lines = [
        f"{stats['model']} inputs, pixel marginal {stats['family']} "
        f"({stats['parameter_name'] or 'no parameter'} = {_num(stats['parameter'])}), "
        f"shape {tuple(task.shape)}, xi = {tuple(xi)}",
        f"excess kurtosis: exact {stats['excess_kurtosis_exact']:.4f}, sample {stats['excess_kurtosis_sample']:.4f}",
        f"max |sample - exact| covariance entry: {stats['max_covariance_error']:.4g} "
        f"({stats['covariance_estimator']}, {samples} samples)",
        f"fraction of class 1: {stats['fraction_class1']:.4f}",
    ]
    for cls, rep in clip.items():
        if rep["n_clipped"]:
            lines.append(f"kernel of {cls}: {rep['n_clipped']} negative eigenvalues clipped (smallest {rep['min_eigenvalue']:.3g})")
    lines.append(f"wrote {out}/samples.npz, inputs.png, run.json")
    _emit(stats, as_json, lines)


@app.command()
def derive(
    family: Family = "auto",
    kurtosis: Kurtosis = None,
    param: Param = None,
    gain: Gain = None,
    density: Annotated[Optional[str], typer.Option(help="Your own symmetric density in x (SymPy syntax), integrating to one.")] = None,
    order: Annotated[int, typer.Option(help="Highest power of a in the series.")] = 7,
    latex: Annotated[bool, typer.Option("--latex", help="Print every derivation step in LaTeX.")] = False,
    as_json: Json = False,
):
    """Derive the localization amplifier and effective ODE for a pixel marginal."""
    if order < 1:
        raise DyntoolsError(f"--order must be at least 1 (got {order})")
    from .theory.report import amplifier_report

    marginal = _marginal(family, kurtosis, param, gain, density)
    report = amplifier_report(marginal, order)
    if latex:
        from .theory.derivation import general_steps, marginal_steps

        for step in general_steps(order) + marginal_steps(marginal, order):
            print(f"% {step.title}: {step.explanation}\n{step.latex()}\n")
        return
    lines = [
        f"marginal: {report['family']} ({report['parameter_name'] or 'no parameter'} = {_num(report['parameter'])}), "
        f"excess kurtosis {report['excess_kurtosis']:.6g}",
        "moments: " + ", ".join(f"{k} = {v:.6g}" for k, v in report["moments"].items()),
        f"closed form: {report['closed_form'] or 'none found'}",
        "series: phi(a) = " + " + ".join(f"({v:.6g}) a^{n}" for n, v in report["series"].items()),
        "series - quadrature at a = " + ", ".join(f"{a}: {e:.3g}" for a, e in report["series_error"].items()),
        f"ODE: {report['ode']}",
        "(an early-time theory: accurate to a few percent while w is spread out, 20-30% once it is spike-like)",
    ]
    _emit(report, as_json, lines)


def _marginal(family, kurtosis, param, gain, density):
    """The pixel marginal named by the CLI options (a user density takes precedence)."""
    if density is not None:
        if kurtosis is not None or param is not None or gain is not None:
            raise DyntoolsError("--density fixes the marginal; drop --kurtosis/--param/--gain")
        from .inputs.density import DensityMarginal

        return DensityMarginal(density)
    return _task(family, kurtosis, param, gain, 8, (1.0, 2.0), False, 0.5).pixel_marginal


@app.command()
def show(run_dir: Annotated[Path, typer.Argument(help="A run directory.")], as_json: Json = False):
    """Print the summary of a finished run."""
    from .runs import load_run

    record, arrays = load_run(run_dir)
    if as_json:
        print(json.dumps(record))
        return
    print(f"{record['command']} run in {run_dir} (dyntools {record['version']}, {record['created']}, seed {record['seed']})")
    for key, value in record["summary"].items():
        print(f"  {key}: {json.dumps(value) if isinstance(value, (dict, list)) else value}")
    for stem, content in arrays.items():
        shapes = ", ".join(f"{k} {list(v.shape)}" for k, v in content.items())
        print(f"  {stem}.npz: {shapes}")


def main() -> None:
    """Entry point: one-line errors, exit code 2."""
    import warnings

    warnings.simplefilter("ignore", category=UserWarning)  # clipping is reported in the output
    try:
        code = typer.main.get_command(app).main(prog_name="dyntools", standalone_mode=False)
    except DyntoolsError as err:
        print(f"dyntools: error: {err}", file=sys.stderr)
        sys.exit(2)
    except typer.TyperException as err:  # usage errors: unknown option, bad type, ...
        print(f"dyntools: error: {err.format_message()}", file=sys.stderr)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        print("dyntools: aborted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
