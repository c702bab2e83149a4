"""Every run's figures, drawn from its directory alone.

Commands write a run's arrays and record first and then draw its figures from them with
:func:`run_figures`, so `dyntools plot DIR` redraws exactly the figures the run wrote (tested
byte for byte).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .errors import DyntoolsError
from .runs import load_run

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def run_figures(directory: Path | str) -> dict[str, Figure]:
    """The figures of a finished run (or of a staged one whose record is written).

    Arguments:
        directory: the run directory.

    Returns:
        {file name: matplotlib Figure}, e.g. {"theory_vs_simulation.png": ...}; empty for runs
        without a figure (a sweep over three or more axes).

    Raises:
        DyntoolsError: not a run, a corrupt run, or a kind of run without figures.
    """
    record, arrays = load_run(directory)
    command = record["command"]
    if command.startswith("reproduce "):
        return _reproduction(directory, command.split()[-1])
    draw = DRAWERS.get(command)
    if draw is None:
        raise DyntoolsError(f"{directory}: a '{command}' run has no figures to draw")
    return draw(record, arrays)


def _simulate(record: dict, arrays: dict) -> dict:
    from .plots import receptive_fields_figure, theory_vs_simulation_figure
    from .simulations import SimulationResult

    result = SimulationResult.from_saved(record, arrays["trajectories"])  # rebuilds phi and the marginal
    shape = tuple(result.task_description["shape"])
    figures = {"theory_vs_simulation.png": theory_vs_simulation_figure(
        result.arrays, result.summary, shape, result.amplifier, result.marginal)}
    if result.config.neurons > 1:
        figures["receptive_fields.png"] = receptive_fields_figure(result.arrays, shape)
    return figures


def _sweep(record: dict, arrays: dict) -> dict:
    from .plots import sweep_figure, sweep_figure_name

    dataset = arrays["sweep"]
    name = sweep_figure_name(dataset)
    return {name: sweep_figure(dataset)} if name else {}


def _inputs(record: dict, arrays: dict) -> dict:
    from .inputs import TaskSpec, build_task
    from .plots import inputs_figure

    config = record["config"]
    if "spec" in config:
        task = TaskSpec(**config["spec"]).build()
    elif "options" in config:  # dyntools 0.x records: the options as build_task's arguments
        task = build_task(**config["options"])
    else:
        raise DyntoolsError("this inputs run predates redrawing (its record lacks the task options)")
    samples = arrays["samples"]
    return {"inputs.png": inputs_figure(samples["x"], samples["y"], task.sigma0, task.sigma1, task.pixel_marginal)}


def _baseline(record: dict, arrays: dict) -> dict:
    from .baselines.run import BaselineResult
    from .plots import atoms_figure

    result = BaselineResult.from_saved(record, arrays["dictionary"])
    return {"atoms.png": atoms_figure(result.atoms, result.shape, f"{result.config.method} atoms sorted by IPR")}


def _localization_map(record: dict, arrays: dict) -> dict:
    from .inputs.spec import TaskSpec
    from .plots import localization_map_figure

    config = record["config"]
    n_pixels = TaskSpec(**config["task"]).n_pixels if "task" in config else config["n_dims"]  # 0.x: n_dims
    return {"localization_map.png": localization_map_figure(record["summary"], n_pixels)}


def _reproduction(directory: Path | str, name: str) -> dict:
    from .experiments import REPRODUCTIONS, load_result

    if name not in REPRODUCTIONS:
        raise DyntoolsError(f"{directory}: unknown reproduction '{name}'")
    return {f"{name}.png": REPRODUCTIONS[name].figure(load_result(directory))}


DRAWERS: dict[str, Callable[[dict, dict], dict]] = {
    "simulate": _simulate, "sweep": _sweep, "inputs": _inputs, "baseline": _baseline,
    "localization-map": _localization_map,
}
