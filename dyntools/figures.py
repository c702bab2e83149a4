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
    from .plots import drawing

    record, arrays = load_run(directory)
    command = record["command"]
    reproduction = command.split()[-1] if command.startswith("reproduce ") else None
    draw = DRAWERS.get(command)
    if draw is None and reproduction is None:
        raise DyntoolsError(f"{directory}: a '{command}' run has no figures to draw")
    with drawing():  # the settings every figure is built under (see dyntools.plots.drawing)
        return _reproduction(directory, reproduction) if reproduction else draw(record, arrays)


def _simulate(record: dict, arrays: dict) -> dict:
    from .plots import (
        describe_task,
        describe_training,
        receptive_fields_figure,
        theory_vs_simulation_figure,
    )
    from .simulations import SimulationResult

    result = SimulationResult.from_saved(record, arrays["trajectories"])  # rebuilds phi and the marginal
    shape = tuple(result.task_description["shape"])
    task = {**result.task_description, "clone_of": result.summary.clone_of}
    heading = f"{describe_task(task)}\n{describe_training(result.config)}"
    figures = {"theory_vs_simulation.png": theory_vs_simulation_figure(
        result.arrays, result.summary.as_dict(), shape, result.amplifier, result.marginal, heading)}
    if result.config.neurons > 1:
        figures["receptive_fields.png"] = receptive_fields_figure(result.arrays, shape, heading)
    return figures


def _sweep(record: dict, arrays: dict) -> dict:
    from .plots import sweep_figure, sweep_figure_name

    dataset = arrays["sweep"]
    name = sweep_figure_name(dataset)
    return {name: sweep_figure(dataset)} if name else {}


def _inputs(record: dict, arrays: dict) -> dict:
    from .inputs import TaskSpec, build_task
    from .plots import describe_task, inputs_figure

    config = record["config"]
    if "spec" in config:
        task = build_task(TaskSpec(**config["spec"]))
    elif "options" in config:  # dyntools 0.x records: build_task's keyword arguments then
        task = build_task(TaskSpec.from_options(config["options"]))
    else:
        raise DyntoolsError("this inputs run predates redrawing (its record lacks the task options)")
    samples = arrays["samples"]
    heading = describe_task(config["task"]) if "task" in config else ""
    return {"inputs.png": inputs_figure(samples["x"], samples["y"], task.sigma0, task.sigma1, task.pixel_marginal,
                                        heading)}


def _baseline(record: dict, arrays: dict) -> dict:
    from .baselines.run import BaselineResult
    from .plots import atoms_figure, describe_task, tuning_figure

    result = BaselineResult.from_saved(record, arrays["dictionary"])
    config, summary = result.config, result.summary
    patches = "patch_size" in result.inputs
    training = f"{config.samples} samples" if config.method == "ica" else f"{config.steps} steps, batch {config.batch}"
    penalty = "" if summary.get("lambda") is None else f", lambda {summary['lambda']:g}"
    run = f"{training}{penalty}, seed {config.seed}"
    what = "basis functions" if config.method == "ica" else "atoms"
    if not patches:
        inputs = describe_task(result.inputs) if result.inputs else f"N = {result.atoms.shape[1]} pixels"
        title = (f"{config.method.upper()}: {len(result.atoms)} {what} sorted by IPR (median {summary['ipr_median']:.3f})"
                 f"\n{inputs}; {run}")
        return {"atoms.png": atoms_figure(result.atoms, result.shape, title)}
    inputs = _patches_heading(result.inputs)
    figures = {"atoms.png": atoms_figure(result.atoms, result.shape, f"{config.method.upper()}: {len(result.atoms)} "
                                         f"{what} of {inputs}\n{run}", periodic=False)}
    if result.gabor_fits is not None:
        title = f"{config.method.upper()} on {inputs}: Gabor fits of {len(result.atoms)} {what}; {run}"
        figures["tuning.png"] = tuning_figure(*result.gabor_fits, result.shape, title)
    return figures


def _patches_heading(inputs: dict) -> str:
    """E.g. "12 x 12 whitened patches of scikit-image's 8 photographs"."""
    size, images = inputs["patch_size"], inputs.get("images", [])
    source = "scikit-image's" if inputs.get("source") == "scikit-image" else f"{inputs.get('source', 'the')}:"
    count = f"{len(images)} image{'s' if len(images) != 1 else ''}" if images else "natural images"
    return f"{size} x {size} whitened patches of {source} {count}"


def _localization_map(record: dict, arrays: dict) -> dict:
    from .inputs.spec import TaskSpec
    from .plots import localization_map_figure

    config = record["config"]
    n_pixels = TaskSpec(**config["task"]).n_pixels if "task" in config else config["n_dims"]  # 0.x: n_dims
    return {"localization_map.png": localization_map_figure(record["summary"], n_pixels, _map_heading(config))}


def _map_heading(config: dict) -> str:
    """What a localization map ran: the inputs, the baselines' settings, the supervised neuron's training."""
    from .plots import describe_training

    task = config.get("task", config)
    grid = f"{task['n_dims']} x {task['n_dims']} torus" if task.get("two_d") else f"N = {task['n_dims']} ring"
    xi = f", xi = ({task['xi0']:g}, {task['xi1']:g})" if "xi0" in task else ""
    atoms = f"{config['atoms']} atoms" if config.get("atoms") else "as many atoms as pixels"
    line = f"Localization map: {grid}{xi}; baselines {', '.join(config.get('methods', []))}: {atoms}, " \
           f"{config.get('steps')} steps"
    supervised = config.get("supervised")
    return f"{line}\nsupervised neuron: {describe_training(supervised)}" if supervised else line


def _reproduction(directory: Path | str, name: str) -> dict:
    from .experiments import REPRODUCTIONS, load_result

    if name not in REPRODUCTIONS:
        raise DyntoolsError(f"{directory}: unknown reproduction '{name}'")
    return {f"{name}.png": REPRODUCTIONS[name].figure(load_result(directory))}


DRAWERS: dict[str, Callable[[dict, dict], dict]] = {
    "simulate": _simulate, "sweep": _sweep, "inputs": _inputs, "baseline": _baseline,
    "localization-map": _localization_map,
}
