"""Sweeps of theory and network over a grid of any numeric settings, resumable.

A [`Grid`][dyntools.simulations.sweep.Grid] names its axes (excess ``kurtosis``, the family ``param``, ``xi0``, ``xi1``,
``lr``, ``init_scale``, ``proportion``, ``seed``, ``n_dims``, ``neurons``, ``batch``) and
their values; its points are their Cartesian product, each one a
[`SimulationConfig`][dyntools.simulations.config.SimulationConfig] that ``dyntools simulate`` would run with the same numbers. Results are an xarray Dataset with
one dimension per axis (the axis ``seed`` is named ``base_seed`` there, because ``seed``
counts the SGD runs of a point).

Every point is validated (its task and theory built) before the first one runs. Points run in
chunks (of `SAVE_EVERY` in process): those that share a structure (family form, grid, network,
batch, seeds, steps) train in one compiled, vmapped program whose numbers are traced, so a sweep
compiles once per structure, not once per point. Where chunks run is the caller's choice of
[`Runner`][dyntools.simulations.runners.Runner] object
([`InProcess`][dyntools.simulations.runners.InProcess] by default, or
[`DaskCluster`][dyntools.simulations.cluster.DaskCluster]); what a chunk computes is
[`chunk_arrays`][dyntools.simulations.sweep.chunk_arrays] either way. Each finished point is
saved on its own, as its chunk comes back, in a
[`ChunkStore`][dyntools.simulations.chunks.ChunkStore] (by default a hidden sibling of the run
directory): a sweep that fails removes them; one that is interrupted (Ctrl-C, a killed process)
keeps them for the next run of the same sweep, which skips them.

The values of a grid are typed numbers; reading them from command-line text
(``START:STOP:COUNT``) is the command line's job (``dyntools.cli.sweep``).
"""

from __future__ import annotations

import itertools
import json
import math
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from ..errors import DyntoolsError
from ..metrics import critical_kurtosis, critical_kurtosis_bootstrap
from ..runs import jsonable, package_version, reserve
from .chunks import ChunkStore
from .config import SWEEP_AXES, TASK_FIELDS, SimulationConfig
from .runners import SAVE_EVERY, InProcess, Runner, Work
from .simulate import prepare, run_simulations, run_theories, save_steps

if TYPE_CHECKING:
    import xarray as xr

    from .simulate import Prepared

AXES = SWEEP_AXES
KURTOSIS_AXES = ("kurtosis", "param")  # axes along which excess kurtosis changes monotonically
MAX_POINTS = 100_000


@dataclass(frozen=True)
class Grid:
    """Named sweep axes and their values; the points are the Cartesian product, first axis slowest.

    Arguments:
        axes: ``{axis name: values}``, names from `AXES` (``kurtosis``, ``param``, ``xi0``,
            ``xi1``, ``lr``, ``init_scale``, ``proportion``, ``seed``, ``n_dims``, ``neurons``,
            ``batch``; at most one of ``kurtosis`` and ``param``), each with a scalar or a 1-D
            sequence of finite values; integer axes take whole numbers.

    Attributes:
        axes: ``((name, values), ...)`` in the order given, values converted to the axis's
            type (float or int).

    Raises:
        DyntoolsError: for an unknown axis, empty or non-finite values, non-integral values of
            an integer axis, no axis, both ``kurtosis`` and ``param``, or more than
            `MAX_POINTS` points.
    """

    axes: tuple[tuple[str, tuple], ...]

    def __init__(self, axes: dict):
        checked = []
        for name, values in axes.items():
            if name not in AXES:
                raise DyntoolsError(f"unknown sweep axis {name!r}; choose from: {', '.join(AXES)}")
            values = np.atleast_1d(np.asarray(values, dtype=float))
            if values.ndim != 1 or not values.size or not np.isfinite(values).all():
                raise DyntoolsError(f"sweep axis {name} needs finite values (got {values.tolist()})")
            if AXES[name] is int and not (values == np.round(values)).all():
                raise DyntoolsError(f"sweep axis {name} takes whole numbers (got {values.tolist()})")
            checked.append((name, tuple(AXES[name](v) for v in values)))
        if not checked:
            raise DyntoolsError("a sweep needs at least one axis")
        if set(KURTOSIS_AXES) <= set(axes):
            raise DyntoolsError("sweep either kurtosis or param, not both (each sets the pixel marginal)")
        object.__setattr__(self, "axes", tuple(checked))
        if math.prod(self.shape) > MAX_POINTS:
            raise DyntoolsError(f"the grid has {math.prod(self.shape)} points; at most {MAX_POINTS}")

    @property
    def names(self) -> tuple[str, ...]:
        """The axis names, in order."""
        return tuple(name for name, _ in self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """The number of values along each axis."""
        return tuple(len(values) for _, values in self.axes)

    @property
    def kurtosis_axis(self) -> str | None:
        """The axis that sets the pixel marginal (kurtosis or param), if the grid has one."""
        return next((name for name in self.names if name in KURTOSIS_AXES), None)

    def points(self) -> list[dict]:
        """Every point of the grid, first axis slowest.

        Returns:
            ``prod(shape)`` dicts ``{axis name: value}``.
        """
        return [dict(zip(self.names, values)) for values in itertools.product(*(v for _, v in self.axes))]

    def configs(self, base: SimulationConfig) -> list[SimulationConfig]:
        """The settings of every point, in the order of `points`.

        Arguments:
            base: the settings the grid's values replace (see `point_config`).

        Returns:
            One [`SimulationConfig`][dyntools.simulations.config.SimulationConfig] per point
                (not validated).
        """
        return [point_config(base, point) for point in self.points()]


def point_config(base: SimulationConfig, point: dict) -> SimulationConfig:
    """``base`` with a grid point's values.

    Arguments:
        base: the settings of the sweep.
        point: ``{axis name: value}``; a field of the task
            ([`TaskSpec`][dyntools.inputs.spec.TaskSpec]: ``kurtosis``, ``param``, ``xi0``,
            ``n_dims``, ...) or of the config (``lr``, ``seed``, ...).

    Returns:
        The point's settings (not validated).

    Raises:
        DyntoolsError: for a task value that is invalid on its own (``xi0 = -1``).
    """
    task = {name: value for name, value in point.items() if name in TASK_FIELDS}
    rest = {name: value for name, value in point.items() if name not in TASK_FIELDS}
    return replace(base, task=replace(base.task, **task), **rest)


def partial_directory(directory: Path | str) -> Path:
    """Where the finished points of an unfinished sweep into ``directory`` are kept by default.

    Arguments:
        directory: the sweep's run directory.

    Returns:
        The hidden sibling ``.<name>.sweep-points`` of ``directory`` (the directory of
            [`ChunkStore.beside`][dyntools.simulations.chunks.ChunkStore.beside]).
    """
    return ChunkStore.beside(directory).directory


def resumable_sweep(root: Path | str, base: SimulationConfig, grid: Grid, theory_only: bool = False) -> Path | None:
    """The run directory under `root` of an unfinished sweep with exactly these settings, whose
    finished points are kept (see `partial_directory`): running it there resumes it.

    Arguments:
        root: where sweeps without a directory of their own go (``runs/sweep``).
        base: the settings of every point.
        grid: the axes and values.
        theory_only: whether only the effective ODE is integrated.

    Returns:
        The directory (it does not exist yet), or None.
    """
    definition = _definition(base, grid, theory_only)
    for directory, store in ChunkStore.unfinished_under(root):
        if store.definition() == definition and not os.path.lexists(directory):
            return directory
    return None


def _definition(base: SimulationConfig, grid: Grid, theory_only: bool) -> dict:
    """What makes two sweeps the same sweep (as JSON)."""
    return jsonable({"base": base.as_dict(), "grid": dict(grid.axes), "theory_only": theory_only})


def _label(point: dict) -> str:
    return ", ".join(f"{name} = {value:g}" for name, value in point.items())


def validate_sweep(base: SimulationConfig, grid: Grid, theory_only: bool = False) -> list[Prepared]:
    """Every point's task and theory, built (so every error is raised) before any work.

    Arguments:
        base: the settings of every point, before the grid's values replace some of them.
        grid: the axes and values.
        theory_only: require an effective theory (ReLU units, no bias) at every point.

    Returns:
        One [`Prepared`][dyntools.simulations.simulate.Prepared] run per point, in the order of
            [`Grid.points`][dyntools.simulations.sweep.Grid.points].

    Raises:
        DyntoolsError: the first point's error, prefixed with the point's values.
    """
    prepared = []
    for point in grid.points():
        try:
            prepared.append(prepare(point_config(base, point), network=not theory_only))
            if theory_only and prepared[-1].theory is None:
                raise DyntoolsError("theory_only needs a network with an effective theory (ReLU units, no bias)",
                                    arguments=("theory_only",))
        except DyntoolsError as err:
            # no flags here: the message names the settings as the grid's axes do (xi0, lr)
            raise DyntoolsError(f"sweep point {_label(point)}: {err}") from None
    return prepared


@dataclass(frozen=True)
class SweepResult:
    """The sweep's labelled results and what happened to a leftover partial sweep.

    Attributes:
        dataset: the ``xarray.Dataset`` of results (see
            [`run_sweep`][dyntools.simulations.sweep.run_sweep]).
        discarded_points: finished points of an earlier sweep with other settings, discarded.
        recomputed_points: finished points of this sweep whose files could not be read (a
            damaged disk, a truncated copy), run again.
    """

    dataset: xr.Dataset
    discarded_points: int  # finished points of an earlier sweep with other settings, discarded
    recomputed_points: int = 0  # finished points whose files could not be read, run again


def run_sweep(directory: Path, base: SimulationConfig, grid: Grid, theory_only: bool = False,
              progress: Callable[[float, int], None] | None = None, runner: Runner | None = None,
              store: ChunkStore | None = None) -> SweepResult:
    """Run every point not yet done (see the module docstring).

    Arguments:
        directory: the run directory the sweep will be written to (locked while the sweep runs).
        base: the settings of every point, before the grid's values replace some of them.
        grid: the axes and values.
        theory_only: integrate only the effective ODE (no network is trained).
        progress: called with (points done, points in all) at the start, during training
            (fractional: the chunk's share of SGD steps done; in process only) and after each
            saved chunk.
        runner: where the chunks of points run: a [`Runner`][dyntools.simulations.runners.Runner]
            such as [`InProcess`][dyntools.simulations.runners.InProcess] (the default, chunks of
            `SAVE_EVERY`) or [`DaskCluster`][dyntools.simulations.cluster.DaskCluster]. The
            numbers are the same whichever runs them.
        store: where the finished points are kept until the run directory is written (default
            ``ChunkStore.beside(directory)``, see
            [`partial_directory`][dyntools.simulations.sweep.partial_directory]): a
            [`ChunkStore`][dyntools.simulations.chunks.ChunkStore]. The points stay there after
            the sweep; [`finish`][dyntools.simulations.sweep.finish] (or ``store.remove()``)
            removes them.

    Returns:
        A [`SweepResult`][dyntools.simulations.sweep.SweepResult] whose dataset has dims
            `[*axes, seed, time]` (the axis ``seed`` named ``base_seed``, see `dataset_dim`) and
            variables ``excess_kurtosis``, ``parameter``, ``ipr_theory`` `[*axes]`,
            ``ipr_theory_t`` and ``t`` `[*axes, time]` (IPRs are means over neurons), and unless
            ``theory_only`` ``ipr_sim`` `[*axes, seed]` (final IPR), ``ipr_sim_t``
            `[*axes, seed, time]`, ``cosine_final`` and ``agreement_time`` `[*axes]`; with a
            kurtosis or param axis, the critical excess kurtosis along it for every combination
            of the other axes (see [`critical_variables`][dyntools.simulations.sweep.critical_variables]).

    Raises:
        DyntoolsError: for an invalid point or runner (before any work), or a point whose run
            fails (its finished points are then removed).
    """
    runner = InProcess(SAVE_EVERY) if runner is None else runner  # SAVE_EVERY read now (tests shrink it)
    if not isinstance(runner, Runner):  # a Dask Client has a run method too: it is not a runner
        raise DyntoolsError(f"a sweep's runner is a Runner object such as InProcess() or DaskCluster(client) "
                            f"(got {type(runner).__name__})")
    prepared = validate_sweep(base, grid, theory_only)
    store = ChunkStore.beside(directory) if store is None else store
    with reserve(directory, force=True):  # held already when the command line runs it
        discarded = store.claim(_definition(base, grid, theory_only))
        todo, damaged = store.unfinished(len(prepared), _point_keys(base, theory_only))
        points = _run_points(store, Work(prepared, todo, theory_only, chunk_arrays), runner, progress)
    return SweepResult(_dataset(points, base, grid, theory_only), discarded, damaged)


def _run_points(store: ChunkStore, work: Work, runner: Runner,
                progress: Callable[[float, int], None] | None) -> list[dict]:
    """Run the points of `work` with `runner`, saving each chunk as it comes, and read every point
    back. An interrupt keeps the finished points for the next run of the same sweep; any other
    failure removes them."""
    total = len(work.points)
    try:
        if progress is not None:
            progress(work.done, total)
        pending, done = set(work.todo), work.done
        chunks = runner.run(work, progress)
        try:
            for indices, arrays in chunks:
                indices = [int(i) for i in indices]
                if not set(indices) <= pending or len(set(indices)) != len(indices):
                    raise DyntoolsError(f"runner {runner!r} returned points it was not asked to run")
                store.save(indices, arrays)
                pending.difference_update(indices)
                done += len(indices)
                if progress is not None:
                    progress(done, total)
        finally:
            if callable(getattr(chunks, "close", None)):  # a generator: let the runner release its work
                chunks.close()
        if pending:
            raise DyntoolsError(f"runner {runner!r} stopped with {len(pending)} of {len(work.todo)} points not run")
        return [store.read(i) for i in range(total)]
    except (KeyboardInterrupt, SystemExit):
        raise  # interrupted: the finished points stay for the next run of the same sweep
    except BaseException:
        store.remove()
        raise


def _point_keys(base: SimulationConfig, theory_only: bool) -> dict[str, tuple[int, ...]]:
    """The arrays a finished point's file holds, and their shapes."""
    times = len(save_steps(base))
    keys = {"t": (times,), "ipr_theory_t": (times,), "excess_kurtosis": (), "parameter": ()}
    if not theory_only:
        keys.update(ipr_sim_t=(base.seeds, times), cosine_final=(), agreement_time=())
    return keys


def chunk_arrays(points: list[Prepared], theory_only: bool,
                 progress: Callable[[int, int], None] | None = None) -> list[dict[str, np.ndarray]]:
    """Run points together (vmapped where they share a structure): the arrays saved per point.

    The sweep's [`Work.compute`][dyntools.simulations.runners.Work]: every runner computes a
    chunk with it, in this process or on a worker.

    Arguments:
        points: the prepared points.
        theory_only: integrate only the effective ODE.
        progress: passed to [`run_simulations`][dyntools.simulations.simulate.run_simulations].

    Returns:
        Per point: ``t``, ``ipr_theory_t`` (means over neurons), ``excess_kurtosis``,
            ``parameter`` and, unless ``theory_only``, ``ipr_sim_t``, ``cosine_final``,
            ``agreement_time``, all float arrays.
    """
    if theory_only:
        runs = [{"t": theory["t"], "ipr_theory_t": theory["ipr_theory"].mean(axis=-1)}
                for theory in run_theories(points)]
    else:
        runs = [_point_arrays(result) for result in run_simulations(points, progress)]
    for point, arrays in zip(points, runs):
        member = point.task.describe().get("clone_of") or point.task.pixel_marginal.describe()  # a clone sits at its original
        arrays.update(excess_kurtosis=member["excess_kurtosis"],
                      parameter=math.nan if member.get("parameter") is None else member["parameter"])
    return [{k: np.asarray(v, dtype=float) for k, v in arrays.items()} for arrays in runs]


def _point_arrays(result) -> dict:
    a, s = result.arrays, result.summary
    nan_t = np.full(len(a["t"]), math.nan)
    return {"t": a["t"], "ipr_theory_t": a["ipr_theory"].mean(axis=-1) if "ipr_theory" in a else nan_t,
            "ipr_sim_t": a["ipr_sim"].mean(axis=-1), "cosine_final": _number(s.cosine_final),
            "agreement_time": _number(s.theory_agreement_time)}


def _number(value: float | None) -> float:
    return math.nan if value is None else value


def _dataset(points: list[dict], base: SimulationConfig, grid: Grid, theory_only: bool):
    import xarray as xr

    dims = [dataset_dim(name) for name in grid.names]
    stack = lambda key: np.stack([p[key] for p in points]).reshape(*grid.shape, *points[0][key].shape)  # noqa: E731
    variables = {
        "excess_kurtosis": (dims, stack("excess_kurtosis")),
        "parameter": (dims, stack("parameter")),
        "t": ([*dims, "time"], stack("t")),
        "ipr_theory_t": ([*dims, "time"], stack("ipr_theory_t")),
        "ipr_theory": (dims, stack("ipr_theory_t")[..., -1]),
    }
    if not theory_only:
        variables.update(
            ipr_sim_t=([*dims, "seed", "time"], stack("ipr_sim_t")),
            ipr_sim=([*dims, "seed"], stack("ipr_sim_t")[..., -1]),
            cosine_final=(dims, stack("cosine_final")),
            agreement_time=(dims, stack("agreement_time")),
        )
    coords = {dataset_dim(name): list(values) for name, values in grid.axes}
    coords["step"] = ("time", save_steps(base))
    if not theory_only:
        coords["seed"] = np.arange(base.seeds)
    config = {"base": base.as_dict(), "grid": dict(grid.axes), "theory_only": theory_only}
    ds = xr.Dataset(variables, coords=coords,
                    attrs={"config": json.dumps(jsonable(config)), "dyntools_version": package_version()})
    return ds.assign(critical_variables(ds, grid, base))


def dataset_dim(axis: str) -> str:
    """The Dataset dimension of a grid axis (``seed`` is taken by the SGD runs of a point).

    Arguments:
        axis: a grid axis name.

    Returns:
        ``"base_seed"`` for ``seed``, the name itself otherwise.
    """
    return "base_seed" if axis == "seed" else axis


def n_pixels(ds: xr.Dataset, base: SimulationConfig) -> xr.DataArray | int:
    """N, the number of pixels, at every point (it changes along an ``n_dims`` axis).

    Arguments:
        ds: the sweep's dataset.
        base: the sweep's settings (``n_dims``, ``two_d``).

    Returns:
        ``base.n_pixels``, or a DataArray over ``n_dims`` when the grid has that axis.
    """
    if "n_dims" in ds.dims:
        return ds["n_dims"] ** (2 if base.task.two_d else 1)
    return base.n_pixels


def critical_variables(ds: xr.Dataset, grid: Grid, base: SimulationConfig) -> dict:
    """The excess kurtosis where localization sets in along the grid's kurtosis (or param) axis.

    Computed for every combination of the other axes with
    [`critical_kurtosis`][dyntools.metrics.critical_kurtosis] (theory) and
    [`critical_kurtosis_bootstrap`][dyntools.metrics.critical_kurtosis_bootstrap] (network, over
    seeds); NaN where there is no crossing.

    Arguments:
        ds: the sweep's dataset (``excess_kurtosis``, ``ipr_theory``, and ``ipr_sim`` with a
            network).
        grid: the sweep's grid.
        base: the sweep's settings (for N).

    Returns:
        ``{}`` without a kurtosis or param axis; otherwise DataArrays
            ``critical_excess_kurtosis_theory`` `[*other axes]` and, with a network,
            ``critical_excess_kurtosis_network`` `[*other axes]` and its bootstrap
            ``critical_excess_kurtosis_network_interval`` `[*other axes, bound]`.
    """
    import xarray as xr

    axis = grid.kurtosis_axis
    if axis is None:
        return {}
    pixels = xr.DataArray(n_pixels(ds, base))
    theory = xr.apply_ufunc(
        lambda k, ipr, n: _none_to_nan(critical_kurtosis(k, ipr, int(n))[0]),
        ds["excess_kurtosis"], ds["ipr_theory"], pixels,
        input_core_dims=[[axis], [axis], []], vectorize=True)
    out = {"critical_excess_kurtosis_theory": theory}
    if "ipr_sim" in ds:
        def network(k, ipr, n):
            found = critical_kurtosis_bootstrap(k, ipr, int(n))
            return (_none_to_nan(found["value"]), *(found["interval"] or (math.nan, math.nan)))

        value, low, high = xr.apply_ufunc(
            network, ds["excess_kurtosis"], ds["ipr_sim"], pixels,
            input_core_dims=[[axis], [axis, "seed"], []], output_core_dims=[[], [], []], vectorize=True)
        out["critical_excess_kurtosis_network"] = value
        out["critical_excess_kurtosis_network_interval"] = xr.concat([low, high], dim="bound").transpose(..., "bound")
    return out


def _none_to_nan(value):
    return math.nan if value is None else value


def sweep_summary(ds: xr.Dataset, grid: Grid, base: SimulationConfig, theory_only: bool) -> dict:
    """What a sweep reports (run.json's summary, the command's output).

    Arguments:
        ds: the sweep's dataset (see [`run_sweep`][dyntools.simulations.sweep.run_sweep]).
        grid: the sweep's grid.
        base: the sweep's settings.
        theory_only: whether the network was trained.

    Returns:
        ``axes`` ({name: values}), ``family`` (as given), ``point_family`` (at every point, in
            the order of `Grid.points`: ``auto`` resolved), ``gaussian_clone``, ``theory_only``,
            ``excess_kurtosis`` and ``ipr_theory`` [axes...]; with a network ``ipr_sim_mean`` and
            ``ipr_sim_std`` (over seeds) and ``theory_agreement_time`` [axes...]; and the entries
            of `critical_summary`.
    """
    summary = {"axes": {name: list(values) for name, values in grid.axes}, "family": base.task.family,
               "point_family": point_families(base, grid),
               "gaussian_clone": base.task.gaussian_clone, "theory_only": theory_only,
               "excess_kurtosis": ds["excess_kurtosis"].values, "ipr_theory": ds["ipr_theory"].values}
    if not theory_only:
        summary.update(ipr_sim_mean=ds["ipr_sim"].mean("seed").values, ipr_sim_std=ds["ipr_sim"].std("seed").values,
                       theory_agreement_time=ds["agreement_time"].values)
    return {**summary, **critical_summary(ds, grid, base)}


def point_families(base: SimulationConfig, grid: Grid) -> list[str]:
    """The pixel marginal's family at every point of the grid (``auto`` resolved for the point's
    kurtosis, see [`resolve_family`][dyntools.inputs.task.resolve_family]).

    Arguments:
        base: the sweep's settings.
        grid: the axes and values.

    Returns:
        One family name per point, in the order of [`Grid.points`][dyntools.simulations.sweep.Grid.points].
    """
    from ..inputs.task import resolve_family

    tasks = [point_config(base, point).task for point in grid.points()]
    return [resolve_family(task.family, task.kurtosis) for task in tasks]


def critical_summary(ds: xr.Dataset, grid: Grid, base: SimulationConfig) -> dict:
    """The critical excess kurtosis for run.json.

    Arguments:
        ds: the sweep's dataset, with the variables of
            [`critical_variables`][dyntools.simulations.sweep.critical_variables].
        grid: the sweep's grid.
        base: the sweep's settings (for N).

    Returns:
        ``{}`` without a kurtosis or param axis. For a one-axis sweep, numbers:
            ``critical_excess_kurtosis_theory`` with its ``..._reason`` when there is no
            crossing, and with a network ``..._network``, its ``..._network_interval``,
            ``..._network_reason`` and ``critical_no_crossing_fraction`` (of bootstrap
            resamples). Otherwise ``critical_over`` (the other axes' dimensions) and every
            ``critical_*`` variable as an array over them.
    """
    axis = grid.kurtosis_axis
    if axis is None:
        return {}
    if len(grid.names) > 1:
        keys = [k for k in ds.data_vars if k.startswith("critical_")]
        return {"critical_over": [dataset_dim(n) for n in grid.names if n != axis],
                **{k: ds[k].values for k in keys}}
    kurtosis = ds["excess_kurtosis"].values
    network = critical_kurtosis_bootstrap(kurtosis, ds["ipr_sim"].values, base.n_pixels) if "ipr_sim" in ds else None
    theory, theory_reason = critical_kurtosis(kurtosis, ds["ipr_theory"].values, base.n_pixels)
    summary = {"critical_excess_kurtosis_theory": theory, "critical_excess_kurtosis_theory_reason": theory_reason}
    if network is not None:
        summary.update(
            critical_excess_kurtosis_network=network["value"],
            critical_excess_kurtosis_network_interval=network["interval"],
            critical_excess_kurtosis_network_reason=network["reason"],
            critical_no_crossing_fraction=network["no_crossing_fraction"],
        )
    return summary


def finish(directory: Path) -> None:
    """Remove the finished points once the sweep's run directory is written.

    Arguments:
        directory: the sweep's run directory (see `partial_directory`).
    """
    ChunkStore.beside(directory).remove()

