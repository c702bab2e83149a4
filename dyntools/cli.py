"""The ``dyntools`` command line: parse, call the library, print, save. No science here.

Heavy modules (JAX, SymPy, matplotlib) are imported inside commands so that ``--help``
answers instantly. Every user error is one line on stderr with exit code 2.
"""

from __future__ import annotations

import json
import math
import os
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
_debug = False  # --debug: let unexpected errors show their traceback


def _print_version(value: bool) -> None:
    if value:
        from .runs import package_version

        print(f"dyntools {package_version()}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an unexpected (internal) error.")] = False,
):
    global _debug
    _debug = debug

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
MAX_INPUT_SAMPLES = 10**8
INPUT_BYTES = 4 * 2**30  # the samples `inputs` holds and saves
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
MAX_ORDER = 21  # series order for derive: SymPy's series grows fast beyond this


def _with_gain(family, param, gain):
    """--gain is the NLGP's parameter: (family, param) with it applied."""
    if gain is None:
        return family, param
    if family not in ("auto", "nlgp"):
        raise DyntoolsError(f"--gain is the NLGP gain; it does not apply to family '{family}'")
    if param is not None:
        raise DyntoolsError("give --gain or --param, not both")
    return "nlgp", gain


def _task(family, kurtosis, param, gain, n_dims, xi, two_d, proportion, gaussian_clone=False):
    from .inputs import build_task

    family, param = _with_gain(family, param, gain)
    return build_task(family, kurtosis, param, n_dims, tuple(xi), two_d, proportion, gaussian_clone)


def _clone_label(clone_of: dict | None) -> str:
    """' (Gaussian clone of ...)' for a clone's description, else ''."""
    if not clone_of:
        return ""
    return (f" (Gaussian clone of {clone_of['family']} ({clone_of['parameter_name'] or 'no parameter'} = "
            f"{_num(clone_of['parameter'])}, excess kurtosis {_num(clone_of['excess_kurtosis'])}): Gaussian pixels, "
            "same covariance)")


def _emit(summary: dict, as_json: bool, lines: list[str]) -> None:
    from .runs import strict_json

    if as_json:
        print(strict_json(summary))
    else:
        print("\n".join(lines))


def _clipping_lines(clipping: dict) -> list[str]:
    return [f"kernel of {cls}: {rep['n_clipped']} negative eigenvalues clipped to zero (smallest "
            f"{rep['min_eigenvalue']:.3g}); the covariance used is the nearest valid one"
            for cls, rep in clipping.items() if rep["n_clipped"]]


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
    gaussian_clone: Clone = False,
    samples: Annotated[int, typer.Option(help="Number of (x, y) samples.")] = 100_000,
    seed: Seed = 0,
    out: Out = Path("runs/inputs"),
    force: Force = False,
    as_json: Json = False,
):
    """Sample the two-class task, check its statistics against the exact ones, plot it."""
    from . import runs

    if not 1 <= samples <= MAX_INPUT_SAMPLES:
        raise DyntoolsError(f"--samples must be at least 1 and at most {MAX_INPUT_SAMPLES} (got {samples})")
    runs.check_writable(out, force)
    task = _task(family, kurtosis, param, gain, n_dims, xi, two_d, proportion, gaussian_clone)
    if samples * task.n_pixels * 4 > INPUT_BYTES:
        raise DyntoolsError(f"{samples} samples of {task.n_pixels} pixels would take "
                            f"{samples * task.n_pixels * 4 / 2**30:.1f} GiB (at most {INPUT_BYTES / 2**30:g}); "
                            "lower --samples or --n-dims")

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
        f"({stats['parameter_name'] or 'no parameter'} = {_num(stats['parameter'])})"
        f"{_clone_label(task.describe().get('clone_of'))}, shape {tuple(task.shape)}, xi = {tuple(xi)}",
        f"excess kurtosis: exact {stats['excess_kurtosis_exact']:.4f}, sample {stats['excess_kurtosis_sample']:.4f}",
        f"max |sample - exact| covariance entry: {stats['max_covariance_error']:.4g} "
        f"({stats['covariance_estimator']}, {samples} samples)",
        f"fraction of class 1: {stats['fraction_class1']:.4f}",
    ]
    lines += _clipping_lines(clip)
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
    if not 1 <= order <= MAX_ORDER:
        raise DyntoolsError(f"--order must be between 1 and {MAX_ORDER} (got {order})")
    from .theory.report import amplifier_report

    marginal, elliptical = _marginal(family, kurtosis, param, gain, density)
    report = amplifier_report(marginal, order)
    if elliptical:
        report["exact_amplifier"] = {"kind": "linear", "slope": marginal.mean_abs(),
                                     "why": "elliptical data: E[x | w.x] is exactly linear in w.x"}
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
        "series: phi(a) = " + " + ".join(f"({v:.6g}) a^{n}" for n, v in report["series"].items())
        + (f" (stops at order {report['series_order']}: {report['series_missing_moment']} for this marginal)"
           if report["series_missing_moment"] else ""),
        "series - quadrature at a = " + ", ".join(f"{a}: {e:.3g}" for a, e in report["series_error"].items()),
        f"ODE: {report['ode']}",
        f"({report['theory_validity']})",
    ]
    if elliptical:
        lines.insert(0, f"elliptical data: the exact amplifier is linear, phi(a) = E|X| a = {marginal.mean_abs():.6g} a, "
                        "at all times; below is the pixel marginal's conditional-Gaussian amplifier, for reference")
    _emit(report, as_json, lines)


def _marginal(family, kurtosis, param, gain, density):
    """(pixel marginal, whether the data are elliptical) named by the CLI options; a user density
    takes precedence."""
    if density is not None:
        if kurtosis is not None or param is not None or gain is not None:
            raise DyntoolsError("--density fixes the marginal; drop --kurtosis/--param/--gain")
        from .inputs.density import DensityMarginal

        return DensityMarginal(density), False
    task = _task(family, kurtosis, param, gain, 40, (1.0, 2.0), False, 0.5)
    return task.pixel_marginal, task.is_elliptical


def _simulation_config(family, kurtosis, param, gain, **options):
    from .simulations import SimulationConfig

    family, param = _with_gain(family, param, gain)
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


@app.command()
def simulate(
    kurtosis: Kurtosis = None,
    family: Family = "auto",
    param: Param = None,
    gain: Gain = None,
    n_dims: NDims = 40,
    two_d: TwoD = False,
    xi: Xi = (1.0, 2.0),
    proportion: Proportion = 0.5,
    gaussian_clone: Clone = False,
    neurons: Neurons = 1,
    activation: Activation = "relu",
    bias: Bias = False,
    trainer: Trainer = "sgd",
    steps: Steps = 2000,
    lr: Lr = 0.05,
    batch: Batch = 2000,
    samples: Annotated[int, typer.Option(help="Fixed sample set for --trainer flow.")] = 20_000,
    init_scale: InitScale = 1e-3,
    seeds: Seeds = 4,
    seed: Seed = 0,
    saves: Saves = 50,
    amplifier: AmplifierKind = "quadrature",
    order: Order = 5,
    solver: Solver = "tsit5",
    precision: Precision = "float32",
    out: Out = Path("runs/simulate"),
    force: Force = False,
    as_json: Json = False,
):
    """Integrate the effective ODE and train the network from the same initial weights; compare."""
    from . import runs

    runs.check_writable(out, force)
    config = _simulation_config(
        family, kurtosis, param, gain, n_dims=n_dims, two_d=two_d, xi=tuple(xi), proportion=proportion,
        gaussian_clone=gaussian_clone, neurons=neurons, activation=activation, bias=bias, trainer=trainer, steps=steps, lr=lr, batch=batch,
        samples=samples, init_scale=init_scale, seeds=seeds, seed=seed, saves=saves, amplifier=amplifier,
        order=order, solver=solver, precision=precision)
    from .plots import receptive_fields_figure, save, theory_vs_simulation_figure
    from .simulations import run_simulation

    result = run_simulation(config)
    summary = result.summary
    with runs.staged_run(out, force) as stage:
        runs.save_arrays(stage, "trajectories.npz", **result.arrays)
        figure = theory_vs_simulation_figure(result.arrays, summary, tuple(result.task_description["shape"]),
                                             result.amplifier, result.marginal)
        save(figure, stage / "theory_vs_simulation.png")
        if config.neurons > 1:
            save(receptive_fields_figure(result.arrays, tuple(result.task_description["shape"])),
                 stage / "receptive_fields.png")
        runs.write_record(stage, "simulate", {"simulation": config.as_dict(), "task": result.task_description},
                          summary, seed)
    _emit(summary, as_json, _simulation_lines(summary, out))


def _simulation_lines(s: dict, out: Path) -> list[str]:
    def when(x):
        return "not localized" if x is None else f"localized at t = {x:g}"

    inputs = (_clone_label(s["clone_of"]).strip(" ()") if s["clone_of"] else
              f"{s['family']} ({s['parameter_name'] or 'no parameter'} = {_num(s['parameter'])}), "
              f"excess kurtosis {_num(s['excess_kurtosis'])}")
    lines = [
        f"inputs: {inputs}, N = {s['n_pixels']}",
        *_clipping_lines(s["kernel_clipping"]),
        f"network IPR (final): {s['ipr_sim_final_mean']:.4f} +- {s['ipr_sim_final_std']:.4f} over seeds "
        f"(random field ~{s['ipr_random']:.3f}, localized >= {s['ipr_localized_threshold']:.3f}); "
        f"{when(s['time_to_localization_sim'])}",
    ]
    if s["theory"] is None:
        lines.append("theory: none (the effective ODE covers ReLU units without bias)")
    else:
        lines += [
            f"theory IPR (final): {s['ipr_theory_final']:.4f}; {when(s['time_to_localization_theory'])}",
            f"cosine(theory, network): final {s['cosine_final']:.3f}, lowest {s['cosine_min']:.3f}; "
            + ("at least 0.9 until never" if s["theory_agreement_time"] is None else
               f"last at least 0.9 at t = {s['theory_agreement_time']:g}"),
            f"({s['theory_validity']})",
        ]
    if "sinusoid_residual_sim_final" in s:
        lines.append(f"sinusoid-fit residual (final): network {s['sinusoid_residual_sim_final']:.3f}"
                     + (f", theory {s['sinusoid_residual_theory_final']:.3f}" if "sinusoid_residual_theory_final" in s else ""))
    figures = "theory_vs_simulation.png, receptive_fields.png" if s["neurons"] > 1 else "theory_vs_simulation.png"
    lines.append(f"wrote {out}/trajectories.npz, {figures}, run.json")
    return lines


GridOption = Annotated[Optional[list[str]], typer.Option(
    "--grid", help="A sweep axis AXIS=VALUES (repeat for more axes; points are all combinations). AXIS: kurtosis, "
                   "param, gain, xi0, xi1, lr, init-scale, proportion, seed, n-dims, neurons, batch. VALUES: "
                   "START:STOP:COUNT or V1,V2,...")]


def _grid(grid: list[str] | None, kurtosis: str | None, param: str | None, gain: str | None, family: str):
    """(family, Grid) from --grid AXIS=VALUES options and the --kurtosis/--param/--gain shorthands."""
    from .simulations.sweep import AXES, Grid, parse_values

    pairs = [(name, text) for name, text in (("kurtosis", kurtosis), ("param", param), ("gain", gain)) if text]
    for item in grid or []:
        name, sep, text = item.partition("=")
        if not sep or not text:
            raise DyntoolsError(f"--grid takes AXIS=VALUES (got '{item}')")
        pairs.append((name.strip().replace("-", "_"), text))
    if not pairs:
        raise DyntoolsError("give the values to sweep: --grid AXIS=VALUES, or --kurtosis, --param or --gain")
    axes = {}
    for name, text in pairs:
        if name == "gain":  # sweeping the NLGP gain is sweeping its parameter
            family, _ = _with_gain(family, None, 1.0)
            name = "param"
        if name not in AXES:
            raise DyntoolsError(f"unknown sweep axis '{name.replace('_', '-')}'; choose from: gain, "
                                + ", ".join(a.replace("_", "-") for a in AXES))
        if name in axes:
            raise DyntoolsError(f"sweep axis '{name.replace('_', '-')}' is given twice")
        axes[name] = parse_values(text)
    return family, Grid(axes)


@app.command()
def sweep(
    grid: GridOption = None,
    kurtosis: Annotated[Optional[str], typer.Option("--kurtosis", help="Excess kurtosis values (shorthand for --grid kurtosis=VALUES).")] = None,
    family: Family = "auto",
    param: Annotated[Optional[str], typer.Option("--param", help="Family parameter values (shorthand for --grid param=VALUES).")] = None,
    gain: Annotated[Optional[str], typer.Option("--gain", help="NLGP gain values (shorthand for --grid gain=VALUES).")] = None,
    theory_only: Annotated[bool, typer.Option("--theory-only", help="Integrate only the effective ODE (no network): "
                                                                     "phase diagrams of the theory in seconds.")] = False,
    n_dims: NDims = 40,
    two_d: TwoD = False,
    xi: Xi = (1.0, 2.0),
    proportion: Proportion = 0.5,
    gaussian_clone: Clone = False,
    neurons: Neurons = 1,
    activation: Activation = "relu",
    bias: Bias = False,
    trainer: Trainer = "sgd",
    steps: Steps = 1000,
    lr: Lr = 0.05,
    batch: Batch = 2000,
    samples: Annotated[int, typer.Option(help="Fixed sample set for --trainer flow.")] = 20_000,
    init_scale: InitScale = 1e-3,
    seeds: Seeds = 4,
    seed: Seed = 0,
    saves: Saves = 20,
    amplifier: AmplifierKind = "quadrature",
    order: Order = 5,
    solver: Solver = "tsit5",
    precision: Precision = "float32",
    out: Out = Path("runs/sweep"),
    force: Force = False,
    as_json: Json = False,
):
    """Theory and network at every point of a grid over any numeric settings; resumable."""
    from . import runs
    from .simulations.sweep import partial_directory, run_sweep, validate_sweep

    runs.check_writable(out, force)
    family, points = _grid(grid, kurtosis, param, gain, family)
    base = _simulation_config(family, None, None, None, n_dims=n_dims, two_d=two_d, xi=tuple(xi),
                              proportion=proportion, gaussian_clone=gaussian_clone, neurons=neurons,
                              activation=activation, bias=bias, trainer=trainer, steps=steps, lr=lr, batch=batch,
                              samples=samples, init_scale=init_scale, seeds=seeds, seed=seed, saves=saves,
                              amplifier=amplifier, order=order, solver=solver, precision=precision)
    validate_sweep(base, points, theory_only)  # every point, before any work
    from rich.progress import Progress

    total = len(points.points())
    try:
        with Progress(transient=True) as bar:
            task_id = bar.add_task(f"sweep over {total} points", total=total)
            result = run_sweep(out, base, points, theory_only,
                               progress=lambda done, _: bar.update(task_id, completed=done))
    except KeyboardInterrupt:
        raise _Interrupted(f"finished points are kept in {partial_directory(out)}; "
                           "run the same command again to resume") from None
    _write_sweep(out, force, base, points, theory_only, result, as_json)


def _write_sweep(out: Path, force: bool, base, grid, theory_only: bool, result, as_json: bool) -> None:
    from . import runs
    from .plots import save, sweep_figure, sweep_figure_name
    from .simulations.sweep import critical_summary, finish

    ds = result.dataset
    summary = {"axes": {name: list(values) for name, values in grid.axes}, "family": base.family,
               "gaussian_clone": base.gaussian_clone, "theory_only": theory_only,
               "excess_kurtosis": ds["excess_kurtosis"].values, "ipr_theory": ds["ipr_theory"].values}
    if not theory_only:
        summary.update(ipr_sim_mean=ds["ipr_sim"].mean("seed").values, ipr_sim_std=ds["ipr_sim"].std("seed").values,
                       theory_agreement_time=ds["agreement_time"].values)
    summary.update(critical_summary(ds, grid, base))
    figure_name = sweep_figure_name(ds)
    with runs.staged_run(out, force) as stage:
        ds.to_netcdf(stage / "sweep.nc", engine="h5netcdf")
        if figure_name:  # drawn from the saved run
            save(sweep_figure(runs.load_dataset(stage / "sweep.nc")), stage / figure_name)
        runs.write_record(stage, "sweep", {"base": base.as_dict(), "grid": dict(grid.axes), "theory_only": theory_only},
                          summary, base.seed)
    finish(out)
    lines = []
    if result.discarded_points:
        lines.append(f"discarded {result.discarded_points} finished points of an unfinished sweep with other settings")
    if base.gaussian_clone:
        lines.append("Gaussian clones: Gaussian pixels with each point's covariance; kurtosis is the original's")
    lines += _sweep_table(ds, grid)
    if grid.kurtosis_axis and len(grid.names) == 1:
        lines += _critical_lines(summary)
    elif grid.kurtosis_axis:
        lines += _critical_grid_lines(ds, summary["critical_over"])
    lines.append(f"wrote {out}/sweep.nc, " + (f"{figure_name}, " if figure_name else "(no figure for 3+ axes) ")
                 + "run.json")
    _emit(summary, as_json, lines)


def _critical_grid_lines(ds, over: list[str]) -> list[str]:
    """The critical excess kurtosis at every combination of the other axes (a phase boundary)."""
    import itertools

    lines = ["localization sets in (IPR crosses sqrt(3/N x max IPR)) at excess kurtosis:"]
    for index in itertools.islice(itertools.product(*(range(ds.sizes[d]) for d in over)), SWEEP_TABLE_ROWS):
        at = dict(zip(over, index))
        where = ", ".join(f"{d} = {ds[d].values[i]:g}" for d, i in at.items())
        value = lambda name: float(ds[name].isel(at))  # noqa: E731
        text = f"  {where}: theory " + ("none" if math.isnan(value("critical_excess_kurtosis_theory"))
                                        else f"{value('critical_excess_kurtosis_theory'):.3g}")
        if "critical_excess_kurtosis_network" in ds:
            network = value("critical_excess_kurtosis_network")
            low, high = ds["critical_excess_kurtosis_network_interval"].isel(at).values
            text += ", network " + ("none" if math.isnan(network) else f"{network:.3g}") + (
                "" if math.isnan(low) else f" (95% bootstrap {low:.3g} to {high:.3g})")
        lines.append(text)
    return lines


SWEEP_TABLE_ROWS = 40  # a longer sweep prints its first rows; sweep.nc has them all


def _sweep_table(ds, grid) -> list[str]:
    names = [name.replace("_", "-") for name in grid.names]
    header = "".join(f"{n:>12}" for n in names) + f"{'exc. kurt.':>11} {'IPR theory':>11}"
    has_sim = "ipr_sim" in ds
    if has_sim:
        header += f" {'IPR network':>18} {'agree until t':>14}"
    lines = [header]
    flat = {k: ds[k].values.reshape(-1, *ds[k].shape[len(grid.names):])
            for k in ("excess_kurtosis", "ipr_theory", "ipr_sim", "agreement_time") if k in ds}
    for i, point in enumerate(grid.points()[:SWEEP_TABLE_ROWS]):
        row = "".join(f"{v:12.4g}" for v in point.values())
        row += f"{flat['excess_kurtosis'][i]:11.3f} {flat['ipr_theory'][i]:11.4f}"
        if has_sim:
            row += f" {flat['ipr_sim'][i].mean():11.4f} +- {flat['ipr_sim'][i].std():.4f} {flat['agreement_time'][i]:14.4g}"
        lines.append(row)
    if len(grid.points()) > SWEEP_TABLE_ROWS:
        lines.append(f"... {len(grid.points()) - SWEEP_TABLE_ROWS} more points in sweep.nc")
    return lines


def _critical_lines(s: dict) -> list[str]:
    theory = s["critical_excess_kurtosis_theory"]
    line = "localization sets in (IPR crosses sqrt(3/N x max IPR)) at excess kurtosis: "
    if "critical_excess_kurtosis_network" in s:
        network, interval = s["critical_excess_kurtosis_network"], s["critical_excess_kurtosis_network_interval"]
        line += "network " + (
            f"{network:.3g}" + (f" (95% bootstrap over seeds {interval[0]:.3g} to {interval[1]:.3g})" if interval else "")
            if network is not None else f"none ({s['critical_excess_kurtosis_network_reason']})") + ", "
    return [line + "theory " + (f"{theory:.3g}" if theory is not None else
                                f"none ({s['critical_excess_kurtosis_theory_reason']})")]


@app.command()
def compare(
    run_dirs: Annotated[list[Path], typer.Argument(help="Finished simulate or sweep runs.")],
    out: Annotated[Path, typer.Option("--out", help="Figure to write.")] = Path("compare.png"),
    force: Force = False,
):
    """Overlay several simulate runs (IPR over time) or sweep runs (IPR vs kurtosis)."""
    from .plots import compare_figure, save
    from .runs import check_creatable, load_run

    if out.suffix.lower() not in FIGURE_SUFFIXES:
        raise DyntoolsError(f"--out must name a figure file ending in {', '.join(FIGURE_SUFFIXES)} (got {out})")
    if out.is_dir():
        raise DyntoolsError(f"--out {out} is a directory; name a figure file")
    if out.exists() and not force:
        raise DyntoolsError(f"{out} exists; use --force to overwrite it")
    check_creatable(out)
    loaded = [(path, *load_run(path)) for path in run_dirs]
    kinds = {record["command"] for _, record, _ in loaded}
    if len(kinds) != 1 or kinds - {"simulate", "sweep"}:
        raise DyntoolsError(f"compare needs runs of one kind, simulate or sweep (got {sorted(kinds)})")
    for path, record, _ in loaded:
        if record["command"] == "sweep" and len(record["summary"]["axes"]) != 1:
            raise DyntoolsError(f"compare overlays one-axis sweeps; {path} has axes {', '.join(record['summary']['axes'])}")
    figure = compare_figure(loaded)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.stem}.partial{out.suffix}")
    try:
        save(figure, staging)
        os.replace(staging, out)
    finally:
        staging.unlink(missing_ok=True)
    for path, record, _ in loaded:
        s = record["summary"]
        if record["command"] == "simulate":
            theory = s.get("ipr_theory_final")
            print(f"{path}: excess kurtosis {_num(s['excess_kurtosis'], '.3g')}, IPR network "
                  f"{s['ipr_sim_final_mean']:.4f}, theory {_num(theory, '.4f')}")
        else:
            axis, values = next(iter(s["axes"].items()))
            print(f"{path}: sweep over {axis} ({len(values)} points)")
    print(f"wrote {out}")


Atoms = Annotated[int, typer.Option("--atoms", help="Dictionary size (ICA: components).")]
Lambda = Annotated[Optional[float], typer.Option("--lambda", help="Sparsity penalty (default: LCA 1.0, WLSC 0.003).")]
Threshold = Annotated[str, typer.Option(help="LCA threshold: soft (l1) or hard (l0).")]


def _baseline_inputs(images, patch_size, family, kurtosis, param, gain, n_dims, xi, two_d, proportion, gaussian_clone,
                     seed):
    """(sampler, grid shape, description) for the task's inputs or natural-image patches."""
    if images and gaussian_clone:
        raise DyntoolsError("--gaussian-clone applies to the task's inputs, not to --images")
    from .baselines import array_sampler, task_sampler

    if images:
        from .inputs.images import natural_patches

        patches = natural_patches(patch_size, 50_000, seed)
        return array_sampler(patches), (patch_size, patch_size), {"inputs": "natural-image patches", "patch_size": patch_size}
    task = _task(family, kurtosis, param, gain, n_dims, xi, two_d, proportion, gaussian_clone)
    return task_sampler(task), task.shape, {"inputs": "task", **task.describe()}


@app.command()
def baseline(
    method: Annotated[str, typer.Argument(help="lca, warp-lca, wlsc or ica.")],
    family: Family = "auto",
    kurtosis: Kurtosis = None,
    param: Param = None,
    gain: Gain = None,
    n_dims: NDims = 40,
    xi: Xi = (1.0, 2.0),
    two_d: TwoD = False,
    proportion: Proportion = 0.5,
    gaussian_clone: Clone = False,
    images: Annotated[bool, typer.Option("--images", help="Train on whitened natural-image patches instead.")] = False,
    patch_size: Annotated[int, typer.Option("--patch-size", help="Patch side with --images (8-16 typical).")] = 8,
    atoms: Atoms = 40,
    lam: Lambda = None,
    threshold: Threshold = "soft",
    nonneg: Annotated[bool, typer.Option("--nonneg", help="Non-negative LCA codes.")] = False,
    steps: Annotated[int, typer.Option(help="Training steps (dictionary updates).")] = 1000,
    batch: Batch = 256,
    lr: Annotated[Optional[float], typer.Option("--lr", help="Dictionary learning rate (default: LCA 0.2, WLSC Adam 3e-3).")] = None,
    samples: Annotated[int, typer.Option(help="ICA data set / WARP-LCA training set size.")] = 20_000,
    seed: Seed = 0,
    out: Out = Path("runs/baseline"),
    force: Force = False,
    as_json: Json = False,
):
    """Train a sparse-coding or ICA baseline; report how localized its atoms are."""
    import numpy as np

    from . import runs
    from .baselines import BaselineConfig, train_baseline

    runs.check_writable(out, force)
    config = BaselineConfig(method, atoms, lam, threshold, nonneg, steps, batch, samples, seed, lr)
    config.validate()
    sampler, shape, description = _baseline_inputs(images, patch_size, family, kurtosis, param, gain, n_dims, xi,
                                                   two_d, proportion, gaussian_clone, seed)
    config.check_size(int(np.prod(shape)))
    dictionary, summary = train_baseline(sampler, int(np.prod(shape)), config)
    from .plots import atoms_figure, save

    with runs.staged_run(out, force) as stage:
        runs.save_arrays(stage, "dictionary.npz", atoms=dictionary)
        save(atoms_figure(dictionary, shape, f"{method} atoms sorted by IPR"), stage / "atoms.png")
        runs.write_record(stage, "baseline", {"baseline": config.as_dict(), "inputs": description}, summary, seed)
    lines = [f"{method}{_clone_label(description.get('clone_of'))}: {summary['atoms']} atoms, "
             f"IPR median {summary['ipr_median']:.4f} "
             f"(quartiles {summary['ipr_q1']:.4f} - {summary['ipr_q3']:.4f}, range {summary['ipr_min']:.4f} - {summary['ipr_max']:.4f})"]
    if method == "warp-lca":
        lines.append(f"to reach cold-start LCA's energy (+{100 * summary['target_rel_tol']:g}%) on 1000 held-out inputs: "
                     f"cold {summary['iterations_cold']:.1f} iterations / {1e3 * summary['wall_time_cold_s']:.1f} ms, "
                     f"warm {summary['iterations_warm']:.1f} iterations / {1e3 * summary['wall_time_warm_s']:.1f} ms")
        lines.append(f"final energy: cold {summary['final_energy_cold']:.4f}, warm {summary['final_energy_warm']:.4f}")
    if summary.get("converged") is False:
        lines.append(f"warning: ICA did not converge in {summary['iterations']} iterations; its filters are not final")
    if summary.get("inference_converged") is False:
        lines.append(f"warning: LCA inference with the final dictionary did not converge in "
                     f"{summary['inference_iterations']} iterations (held-out batch); codes are approximate")
    lines += _clipping_lines(description.get("clipping", {}))
    lines.append(f"wrote {out}/dictionary.npz, atoms.png, run.json")
    _emit(summary, as_json, lines)


@app.command("localization-map")
def localization_map(
    kurtosis: Annotated[str, typer.Option("--kurtosis", help="Excess kurtosis values: START:STOP:COUNT or V1,V2,...")] = "-1.5:4:6",
    methods: Annotated[str, typer.Option(help="Comma-separated baselines (lca, wlsc, ica).")] = "lca,wlsc,ica",
    n_dims: NDims = 40,
    xi: Xi = (1.0, 2.0),
    atoms: Atoms = 40,
    lam: Lambda = None,
    steps: Annotated[int, typer.Option(help="Training steps per baseline.")] = 1000,
    seed: Seed = 0,
    out: Out = Path("runs/localization-map"),
    force: Force = False,
    as_json: Json = False,
):
    """Median atom IPR of every baseline next to the supervised neuron's IPR, across kurtosis."""
    import numpy as np

    from . import runs
    from .baselines import BaselineConfig, task_sampler, train_baseline
    from .inputs import build_task
    from .simulations import SimulationConfig, run_simulation
    from .simulations.simulate import prepare
    from .simulations.sweep import parse_values

    runs.check_writable(out, force)
    values = parse_values(kurtosis)
    configs = {name: BaselineConfig(name, atoms, lam, steps=steps, seed=seed)
               for name in (m.strip() for m in methods.split(",")) if name}
    if not configs:
        raise DyntoolsError("--methods names no baseline; choose from: lca, warp-lca, wlsc, ica")
    for config in configs.values():
        config.validate()
    tasks = [build_task("auto", float(value), None, n_dims, tuple(xi)) for value in values]  # every point first
    for config in configs.values():
        config.check_size(tasks[0].n_pixels)
    supervised = [prepare(SimulationConfig(kurtosis=float(value), n_dims=n_dims, xi=tuple(xi), steps=1000, lr=0.1,
                                           batch=1000, seeds=2, saves=10, seed=seed)) for value in values]
    names = list(configs)
    table = {"excess_kurtosis": values, "median_ipr": {"supervised neuron": [], "theory": [], **{n: [] for n in names}}}
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        job = bar.add_task("localization map", total=len(values))
        for task, point in zip(tasks, supervised):
            for name, config in configs.items():
                table["median_ipr"][name].append(train_baseline(task_sampler(task), task.n_pixels, config)[1]["ipr_median"])
            sim = run_simulation(point)
            table["median_ipr"]["supervised neuron"].append(sim.summary["ipr_sim_final_mean"])
            table["median_ipr"]["theory"].append(sim.summary["ipr_theory_final"])
            bar.update(job, advance=1)
    from .plots import localization_map_figure, save

    with runs.staged_run(out, force) as stage:
        runs.save_arrays(stage, "localization_map.npz", excess_kurtosis=values,
                         **{name.replace(" ", "_"): np.array(v) for name, v in table["median_ipr"].items()})
        save(localization_map_figure(table, n_dims), stage / "localization_map.png")
        runs.write_record(stage, "localization-map", {"methods": names, "n_dims": n_dims, "xi": list(xi),
                                                      "atoms": atoms, "lambda": lam, "steps": steps}, table, seed)
    header = f"{'excess kurtosis':>16}" + "".join(f"{name:>19}" for name in table["median_ipr"])
    lines = [header] + [f"{k:16.2f}" + "".join(f"{table['median_ipr'][n][i]:19.4f}" for n in table["median_ipr"])
                        for i, k in enumerate(values)]
    lines.append(f"(random field IPR ~ {3 / n_dims:.3f}); wrote {out}/localization_map.npz, localization_map.png, run.json")
    _emit(table, as_json, lines)


@app.command()
def reproduce(
    name: Annotated[str, typer.Argument(help="The figure to reproduce: lufkin-fig3, lufkin-fig4, lufkin-fig5, "
                                             "lufkin-fig6, lufkin-fig1-right or ingrosso-goldt-2d.")],
    quick: Annotated[bool, typer.Option("--quick", help="A small scale that checks the claim in seconds to a "
                                                        "minute (the test suite runs it).")] = False,
    seed: Seed = 0,
    out: Annotated[Optional[Path], typer.Option("--out", help="Output run directory (default runs/NAME).")] = None,
    force: Force = False,
    as_json: Json = False,
):
    """Reproduce a figure of the papers: its settings, a table of the measured numbers, the figure."""
    from . import runs

    out = Path("runs") / name if out is None else out
    runs.check_writable(out, force)
    if seed < 0:
        raise DyntoolsError(f"--seed must be non-negative (got {seed})")
    from .experiments import REPRODUCTIONS, write_run

    if name not in REPRODUCTIONS:
        raise DyntoolsError(f"unknown figure '{name}'; choose one of: {', '.join(REPRODUCTIONS)}")
    config_class, run, _ = REPRODUCTIONS[name]
    result = run(config_class(quick=quick, seed=seed))
    write_run(result, out, force)
    _emit(result.table, as_json, [*_table_lines(result.table), f"wrote {out}/run.json, arrays.npz, {name}.png"])


def _table_lines(table: dict) -> list[str]:
    """Columns (equal-length lists) as an aligned table, then the scalars as 'key: value'."""
    columns = {k: v for k, v in table.items() if isinstance(v, list)}
    cell = lambda v: _num(v, ".4g") if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)  # noqa: E731
    lines = []
    if columns:
        widths = {k: max(len(k), *(len(cell(v)) for v in col)) for k, col in columns.items()}
        lines.append("  ".join(k.rjust(widths[k]) for k in columns))
        for row in zip(*columns.values()):
            lines.append("  ".join(cell(v).rjust(widths[k]) for k, v in zip(columns, row)))
    lines += [f"{k}: {cell(v)}" for k, v in table.items() if k not in columns]
    return lines


@app.command()
def show(run_dir: Annotated[Path, typer.Argument(help="A run directory.")], as_json: Json = False):
    """Print the summary of a finished run."""
    from .runs import load_run

    from .runs import strict_json

    record, arrays = load_run(run_dir)
    if as_json:
        print(strict_json(record))
        return
    print(f"{record['command']} run in {run_dir} (dyntools {record['version']}, {record['created']}, seed {record['seed']})")
    for key, value in record["summary"].items():
        print(f"  {key}: {json.dumps(value) if isinstance(value, (dict, list)) else value}")
    for stem, content in arrays.items():
        shapes = ", ".join(f"{k} {list(v.shape)}" for k, v in content.items())
        print(f"  {stem}.{'npz' if isinstance(content, dict) else 'nc'}: {shapes}")


INTERRUPTED = 130  # the shell's code for Ctrl-C


class _Interrupted(Exception):
    """Ctrl-C, with a note on what was kept."""


def main() -> None:
    """Entry point. Bad input: one line on stderr, exit code 2. Ctrl-C: one line, exit 130,
    nothing half written. Anything else is a bug: one line (the traceback with --debug), exit 1."""
    import warnings

    from .errors import KernelClippingWarning

    warnings.simplefilter("ignore", category=KernelClippingWarning)  # every command reports clipping itself
    try:
        code = typer.main.get_command(app).main(prog_name="dyntools", standalone_mode=False)
    except DyntoolsError as err:
        _fail(f"error: {err}", 2)
    except typer.TyperException as err:  # usage errors: unknown option, bad type, ...
        _fail(f"error: {err.format_message()}", 2)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted; nothing was written", INTERRUPTED)
    except _Interrupted as note:
        _fail(f"interrupted; {note}", INTERRUPTED)
    except OSError as err:  # the file system said no: full disk, permissions, a vanished directory
        _fail(f"error: {err.strerror or err}{f': {err.filename}' if err.filename else ''}", 2)
    except Exception as err:  # noqa: BLE001 - the one place that turns bugs into one line
        if _debug:
            raise
        message = " ".join(str(err).split())[:300]
        _fail(f"internal error ({type(err).__name__}: {message}); this is a bug, please report it; "
              "rerun with --debug for the traceback", 1)
    if code == INTERRUPTED:  # typer turns Ctrl-C into this return code, silently
        _fail("interrupted; nothing was written", INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int):
    print(f"dyntools: {message}", file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
