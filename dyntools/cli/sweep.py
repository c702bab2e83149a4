"""`dyntools sweep`: theory and network over a grid of settings."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import DyntoolsError
from ..simulations.config import SWEEP_AXES, SimulationConfig
from .app import command
from .common import (
    flag,
    Force, Interrupted, Json, Out, check_out, emit, progress, run_directory, save_figures, simulation_options, with_gain,
)


def parse_values(text: str):
    """Read the values of a sweep axis from the command line.

    Arguments:
        text: ``START:STOP:COUNT`` (inclusive, evenly spaced, COUNT from 1 to
            ``dyntools.simulations.sweep.MAX_POINTS``) or ``V1,V2,...``.

    Returns:
        [COUNT] the values, as floats (a NumPy array).

    Raises:
        DyntoolsError: if the text cannot be read (numbers are ASCII: ``float`` would take other
            scripts' digits), a value is not finite, or STOP - START overflows; checked before
            any value is computed.
    """
    import numpy as np

    from ..simulations.sweep import MAX_POINTS

    spaced = ":" in text
    parts = text.split(":" if spaced else ",")
    try:
        if not text.isascii() or (spaced and (len(parts) != 3 or not 1 <= int(parts[2]) <= MAX_POINTS)):
            raise ValueError
        numbers = [float(v) for v in (parts[:2] if spaced else parts)]
    except ValueError:
        raise DyntoolsError(f"cannot read sweep values {text!r}: use START:STOP:COUNT (COUNT from 1 to {MAX_POINTS}) "
                            "or V1,V2,...") from None
    if not all(math.isfinite(v) for v in numbers):
        raise DyntoolsError(f"sweep values must be finite numbers (got {text!r})")
    if spaced and not math.isfinite(numbers[1] - numbers[0]):
        raise DyntoolsError(f"sweep range START:STOP must have a finite STOP - START (got {text!r})")
    return np.linspace(*numbers, int(parts[2])) if spaced else np.array(numbers)


_AXIS_NAMES = [name.replace("_", "-") for name in SWEEP_AXES]
GridOption = Annotated[Optional[list[str]], typer.Option(
    "--grid", help="A sweep axis AXIS=VALUES (repeat for more axes; points are all combinations). AXIS: "
                   f"{', '.join([*_AXIS_NAMES[:2], 'gain', *_AXIS_NAMES[2:]])}. VALUES: START:STOP:COUNT or V1,V2,...")]


def _grid(grid: list[str] | None, kurtosis: str | None, param: str | None, gain: str | None, family: str):
    """(family, Grid) from --grid AXIS=VALUES options and the --kurtosis/--param/--gain shorthands.

    Messages name the axes as given (gain, init-scale), quoted so that any text stays on one line."""
    from ..simulations.sweep import AXES, Grid

    pairs = [(name, text) for name, text in (("kurtosis", kurtosis), ("param", param), ("gain", gain)) if text]
    for item in grid or []:
        name, sep, text = item.partition("=")
        if not sep or not text:
            raise DyntoolsError(f"--grid takes AXIS=VALUES (got {item!r})")
        pairs.append((name.strip().replace("-", "_"), text))
    if not pairs:
        raise DyntoolsError("give the values to sweep: --grid AXIS=VALUES, or --kurtosis, --param or --gain")
    axes, given = {}, []
    for name, text in pairs:
        if name not in (*AXES, "gain"):
            raise DyntoolsError(f"unknown sweep axis {name.replace('_', '-')!r}; choose from: gain, "
                                + ", ".join(a.replace("_", "-") for a in AXES))
        if name in given:
            raise DyntoolsError(f"sweep axis {name.replace('_', '-')!r} is given twice")
        given.append(name)
        axes["param" if name == "gain" else name] = parse_values(text)  # the NLGP gain is its parameter
    marginal = [name for name in given if name in ("kurtosis", "param", "gain")]
    if len(marginal) > 1:
        raise DyntoolsError(f"sweep one of kurtosis, param and gain (each sets the pixel marginal), not "
                            f"{' and '.join(marginal)}")
    if "gain" in given:
        family, _ = with_gain(family, None, 1.0)
    return family, Grid(axes)


def _cluster(text: str):
    """Read --cluster; returns a function that connects and gives the sweep's runner (None: in
    process), called once the sweep is validated.

    Every check is made here, before any work: N in ASCII digits (``str.isdigit`` takes '²')
    and at most `max_local_workers`; a port from 1 to 65535 (a bad one would wait out the
    connection timeout)."""
    from ..simulations import cluster

    text = text.strip()
    if text == "none":
        return lambda: None
    if text.startswith("local:"):
        count = text.removeprefix("local:")
        if not (count.isascii() and count.isdigit() and 1 <= int(count) <= cluster.max_local_workers()):
            raise DyntoolsError(f"--cluster local:N needs a whole number of workers N from 1 to "
                                f"{cluster.max_local_workers()} ({cluster.WORKERS_PER_CORE} per CPU core here; "
                                f"got {text!r})")
        return lambda: cluster.DaskCluster.local(int(count))
    if not cluster.valid_address(text):
        raise DyntoolsError("--cluster must be none, local:N or tcp://HOST:PORT with PORT from 1 to 65535 "
                            f"(got {text!r})")
    return lambda: cluster.DaskCluster.remote(text)


@command()
@simulation_options(marginal=False)
def sweep(
    config: SimulationConfig,
    grid: GridOption = None,
    kurtosis: Annotated[Optional[str], typer.Option("--kurtosis", help="Excess kurtosis values (shorthand for --grid kurtosis=VALUES).")] = None,
    param: Annotated[Optional[str], typer.Option("--param", help="Family parameter values (shorthand for --grid param=VALUES).")] = None,
    gain: Annotated[Optional[str], typer.Option("--gain", help="NLGP gain values (shorthand for --grid gain=VALUES).")] = None,
    theory_only: Annotated[bool, flag("--theory-only", help="Integrate only the effective ODE (no network): "
                                                                     "phase diagrams of the theory in seconds.")] = False,
    cluster: Annotated[str, typer.Option("--cluster", help="Where points run: none (this process), local:N (N "
                                                          "single-threaded worker processes here) or tcp://HOST:PORT "
                                                          "(an existing Dask scheduler).")] = "none",
    out: Out = None,
    force: Force = False,
    as_json: Json = False,
):
    """Theory and network at every point of a grid over any numeric settings; resumable."""
    from ..simulations.sweep import partial_directory, resumable_sweep, validate_sweep

    check_out(out, force)
    family, points = _grid(grid, kurtosis, param, gain, config.task.family)
    base = replace(config, task=replace(config.task, family=family))
    connect = _cluster(cluster)
    validate_sweep(base, points, theory_only)  # every point, before any work
    total = len(points.points())
    if out is None:  # the same command again resumes its unfinished sweep
        out = resumable_sweep(Path("runs") / "sweep", base, points, theory_only)
    with run_directory(out, force, "sweep") as out:
        kept = f"finished points are kept in {partial_directory(out)}; run the same command again to resume"
        try:
            result = _run(out, base, points, theory_only, connect, total)
            _write_sweep(out, force, base, points, theory_only, result, as_json)
        except KeyboardInterrupt:
            if not partial_directory(out).exists():
                raise
            raise Interrupted(kept) from None
        except (DyntoolsError, OSError) as err:  # the run could not be written (a full disk): keep the points
            if not partial_directory(out).exists():
                raise
            raise DyntoolsError(f"{err.strerror if isinstance(err, OSError) else err}; {kept}") from None


def _run(out: Path, base, points, theory_only: bool, connect, total: int):
    """Run the sweep's points with the runner `connect` gives (a cluster is closed at the end)."""
    from ..simulations.sweep import run_sweep

    runner = connect()
    try:
        with progress(f"sweep over {total} points", total, "points") as update:
            return run_sweep(out, base, points, theory_only, progress=update, runner=runner)
    finally:
        if runner is not None:
            runner.close()


def _write_sweep(out: Path, force: bool, base, grid, theory_only: bool, result, as_json: bool) -> None:
    from .. import runs
    from ..plots import sweep_figure_name
    from ..simulations.sweep import finish, sweep_summary

    ds = result.dataset
    summary = sweep_summary(ds, grid, base, theory_only)
    figure_name = sweep_figure_name(ds)
    with runs.staged_run(out, force) as stage:
        netcdf = ds.to_netcdf(engine="h5netcdf")  # in memory, then written whole like every file of a run
        runs.atomic_write(stage / "sweep.nc", lambda file: file.write(netcdf))
        runs.write_record(stage, "sweep", {"base": base.as_dict(), "grid": dict(grid.axes), "theory_only": theory_only},
                          summary, base.seed)
        save_figures(stage)
    finish(out)
    lines = []  # what happened to this run, then what any run of it reports
    if result.recomputed_points:
        lines.append(f"recomputed {result.recomputed_points} finished points whose files were damaged")
    if result.discarded_points:
        lines.append(f"discarded {result.discarded_points} finished points of an unfinished sweep with other settings")
    lines += _report(ds, grid, summary, base.task.gaussian_clone)
    lines.append(f"wrote {out}/sweep.nc, " + (f"{figure_name}, " if figure_name else "(no figure for 3+ axes) ")
                 + "run.json")
    emit(summary, as_json, lines)


def summary_lines(record: dict, directory: Path) -> list[str]:
    """What a sweep run reports (the command prints it; so does ``dyntools show``)."""
    from ..runs import load_dataset
    from ..simulations.sweep import Grid

    config = record["config"]
    return _report(load_dataset(Path(directory) / "sweep.nc"), Grid(config["grid"]), record["summary"],
                   config["base"]["task"]["gaussian_clone"])


def _report(ds, grid, summary: dict, gaussian_clone: bool) -> list[str]:
    lines = ["Gaussian clones: Gaussian pixels with each point's covariance; kurtosis is the original's"] if gaussian_clone else []
    lines += _sweep_table(ds, grid, summary.get("point_family"))
    if grid.kurtosis_axis and len(grid.names) == 1:
        lines += _critical_lines(summary)
    elif grid.kurtosis_axis:
        lines += _critical_grid_lines(ds, summary["critical_over"])
    return lines


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


def _sweep_table(ds, grid, families: list[str] | None) -> list[str]:
    """The first `SWEEP_TABLE_ROWS` points; a family column where the family varies (auto)."""
    names = [name.replace("_", "-") for name in grid.names]
    families = families if families and len(set(families)) > 1 else None
    header = "".join(f"{n:>12}" for n in names) + (f"{'family':>9}" if families else "")
    header += f"{'exc. kurt.':>11} {'IPR theory':>11}"
    has_sim = "ipr_sim" in ds
    if has_sim:
        header += f" {'IPR network':>18} {'agree until t':>14}"
    lines = [header]
    flat = {k: ds[k].values.reshape(-1, *ds[k].shape[len(grid.names):])
            for k in ("excess_kurtosis", "ipr_theory", "ipr_sim", "agreement_time") if k in ds}
    end = float(ds["t"].values.reshape(-1, ds["t"].shape[-1])[0, -1])
    for i, point in enumerate(grid.points()[:SWEEP_TABLE_ROWS]):
        row = "".join(f"{v:12.4g}" for v in point.values()) + (f"{families[i]:>9}" if families else "")
        row += f"{flat['excess_kurtosis'][i]:11.3f} {flat['ipr_theory'][i]:11.4f}"
        if has_sim:
            row += f" {flat['ipr_sim'][i].mean():11.4f} +- {flat['ipr_sim'][i].std():.4f} {_until(flat['agreement_time'][i], end):>14}"
        lines.append(row)
    if len(grid.points()) > SWEEP_TABLE_ROWS:
        lines.append(f"... {len(grid.points()) - SWEEP_TABLE_ROWS} more points in sweep.nc")
    return lines


def _until(time: float, end: float) -> str:
    """When theory and network last agreed (cosine >= 0.9): a time, "the end" or "never"."""
    return "never" if math.isnan(time) else "the end" if time >= end else f"{time:.4g}"


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


