"""Theory and network side by side, from the same initial weights.

[`run_simulation`][dyntools.simulations.simulate.run_simulation] is what ``dyntools simulate`` and ``dyntools sweep`` call: it builds the
task, draws the initial weights from ``seed``, integrates the effective ODE (when the network
has one: ReLU, no bias) and trains the network (``seeds`` SGD runs that share the initial
weights and differ in their data), then measures localization.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ClassVar

import numpy as np

from .._jax import jax, jnp, require_x64, stack
from ..errors import DyntoolsError
from ..exported import cached_call
from ..inputs.task import build_task
from ..metrics import agreement_time, cosine_similarity, ipr, localized_ipr, random_field_ipr, sinusoid_residual
from ..theory import task_amplifier
from ..theory.dynamics import THEORY_VALIDITY
from ..memory import MEMORY_BUDGET
from ..registries import build_entry
from .config import SimulationConfig
from .integrate import check_solution, max_steps_for, solve
from .training import first_nonfinite_step, gradient_flow_trajectories, sgd_points
from .networks import Network, network_class

if TYPE_CHECKING:
    from jaxtyping import Float

    from ..inputs.marginals import Marginal
    from ..inputs.task import TwoClassTask
    from ..theory.amplifier import Amplifier
    from ..theory.dynamics import EffectiveDynamics
    from .networks import Network

AGREEMENT_COSINE = 0.9  # theory and network agree while their cosine similarity is at least this
LR_SEARCH_DECADES = 8  # after a divergence, try lr / 10, lr / 100, ... this many times
LR_SCREEN_STEPS = 100  # each candidate is screened on this many steps, the first survivor on the full run


@dataclass
class SimulationResult:
    r"""What [`run_simulation`][dyntools.simulations.simulate.run_simulation] returns, and what
    [`load`][dyntools.simulations.simulate.SimulationResult.load] reads back from a run directory.

    Shapes: S = ``seeds`` (1 with ``trainer="flow"``), T = ``saves + 1`` saved times (from
    $t = 0$), K = ``neurons``, N pixels (2-D inputs flattened).

    Attributes:
        config: the settings of the run.
        task_description: the task's description (family, marginal, $\xi$, kernel clipping, ...).
        t: [T] saved times.
        w_sim: [S, T, K, N] network weights (first layer: the receptive fields).
        ipr_sim: [S, T, K] their inverse participation ratios.
        sigma0: `[*grid]` the first row of class 0's covariance (the theory's).
        sigma1: `[*grid]` the first row of class 1's covariance.
        w_theory: [T, K, N] the effective ODE's weights, or None without a theory.
        ipr_theory: [T, K] their IPRs, or None.
        cosine: [S, T, K] cosine similarity of theory and network per neuron, or None.
        params_sim: the network's other parameters over training, ``{name: [S, T, ...]}``
            (biases ``b``, the two-layer readout ``a``), saved as ``NAME_sim``.
        summary: the scalar results (a [`SimulationSummary`][dyntools.simulations.simulate.SimulationSummary]).
        amplifier: the theory's [`Amplifier`][dyntools.theory.amplifiers._base.Amplifier], or None
            without an effective theory.
        marginal: the pixel marginal of class 1.
    """

    config: SimulationConfig
    task_description: dict
    t: Float[np.ndarray, " T"]
    w_sim: Float[np.ndarray, "S T K N"] = field(repr=False)
    ipr_sim: Float[np.ndarray, "S T K"] = field(repr=False)
    sigma0: Float[np.ndarray, "*grid"] = field(repr=False)
    sigma1: Float[np.ndarray, "*grid"] = field(repr=False)
    w_theory: Float[np.ndarray, "T K N"] | None = field(default=None, repr=False)
    ipr_theory: Float[np.ndarray, "T K"] | None = field(default=None, repr=False)
    cosine: Float[np.ndarray, "S T K"] | None = field(default=None, repr=False)
    params_sim: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    summary: SimulationSummary | None = None
    amplifier: Amplifier | None = field(default=None, repr=False)
    marginal: Marginal | None = field(default=None, repr=False)

    ARRAYS: ClassVar[tuple[str, ...]] = ("t", "w_sim", "ipr_sim", "sigma0", "sigma1", "w_theory", "ipr_theory",
                                         "cosine")

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays, as ``trajectories.npz`` holds them (those that exist)."""
        arrays = {name: getattr(self, name) for name in self.ARRAYS if getattr(self, name) is not None}
        return {**arrays, **{f"{name}_sim": value for name, value in self.params_sim.items()}}

    @classmethod
    def load(cls, directory: Path | str) -> SimulationResult:
        """A finished ``dyntools simulate`` run, read back (its amplifier and marginal rebuilt
        from its settings).

        Arguments:
            directory: the run directory.

        Returns:
            The result, equal to the one the run saved.

        Raises:
            DyntoolsError: if ``directory`` is not a finished simulate run, or is a corrupt one
                (see [`dyntools.records`][dyntools.records]: e.g. an unknown settings key, named,
                or arrays that do not match the settings).
        """
        from ..runs import load_run

        record, files = load_run(directory, command="simulate")
        return cls.from_saved(record, files["trajectories"])

    @classmethod
    def from_saved(cls, record: dict, arrays: dict[str, np.ndarray]) -> SimulationResult:
        """The result of a run record and its ``trajectories.npz`` arrays (see `load`)."""
        prepared = prepare(SimulationConfig.from_dict(record["config"]["simulation"]))
        known = {name: arrays[name] for name in cls.ARRAYS if name in arrays}
        params = {name.removesuffix("_sim"): value for name, value in arrays.items()
                  if name.endswith("_sim") and name not in cls.ARRAYS}
        return cls(prepared.config, record["config"]["task"], **known, params_sim=params,
                   summary=SimulationSummary.from_dict(record["summary"]),
                   amplifier=prepared.amplifier, marginal=prepared.task.pixel_marginal)


@dataclass(frozen=True)
class Prepared:
    """A validated configuration with everything built before the first sample is drawn.

    Attributes:
        config: the settings.
        task: the two-class task ([`TwoClassTask`][dyntools.inputs.task.TwoClassTask]).
        net: the network.
        theory: the network's effective ODE on the task
            ([`EffectiveDynamics`][dyntools.theory.dynamics.EffectiveDynamics]), or None when
            it has none (see [`Network.effective_theory`][dyntools.simulations.networks._base.Network.effective_theory]).
    """

    config: SimulationConfig
    task: TwoClassTask
    net: Network
    theory: EffectiveDynamics | None

    @property
    def amplifier(self) -> Amplifier | None:
        """The theory's amplifier, or None without a theory."""
        return None if self.theory is None else self.theory.amplifier


@lru_cache(maxsize=512)  # a sweep prepares every point up front, then runs them
def prepare(config: SimulationConfig, network: bool = True) -> Prepared:
    """Validate ``config`` and build its task, network and theory, without drawing a sample.

    Cached (512 configurations): a sweep prepares every point up front, then runs them.

    Arguments:
        config: the settings.
        network: whether the network will be trained (a theory-only sweep's is not: its batch
            size is not checked against the memory budget).

    Returns:
        The [`Prepared`][dyntools.simulations.simulate.Prepared] run.

    Raises:
        DyntoolsError: a one-line error for any invalid setting, task or theory, or when JAX's
            64-bit floats are off (see `dyntools._jax.require_x64`).
    """
    require_x64()
    config.validate(network=network)
    task = build_task(config.task)
    given = dict(zip(Network.GIVEN, (task.n_pixels, config.neurons, config.activation, config.bias)))
    net = build_entry(network_class(config.network), "network", config.network, given, dict(config.network_options))
    options = dict(config.amplifier_options)
    theory = net.effective_theory(task, lambda: task_amplifier(task, config.amplifier, config.order, options))
    return Prepared(config, task, net, theory)


def save_steps(config: SimulationConfig) -> np.ndarray:
    r"""Step indices of the saved points.

    Arguments:
        config: the settings (``steps``, ``saves``).

    Returns:
        [T] integer steps $0, e, 2e, \dots$ with $e$ = ``steps // saves``, T = ``min(saves, steps) + 1``.
    """
    saves = min(config.saves, config.steps)
    return np.arange(saves + 1) * (config.steps // saves)


def run_simulation(config: SimulationConfig | Prepared,
                   progress: Callable[[int, int], None] | None = None) -> SimulationResult:
    """Integrate the effective ODE and train the network from the same initial weights.

    Draws the initial weights from ``seed``, trains ``seeds`` networks (SGD runs that share them
    and differ in their data, or one gradient flow), integrates the effective ODE when the
    network has one (ReLU, no bias), and measures localization (IPR) and agreement (cosine).

    Arguments:
        config: the settings, or a [`Prepared`][dyntools.simulations.simulate.Prepared] run.
        progress: called with (SGD steps done, steps in all) after every compiled chunk of
            steps (see [`run_simulations`][dyntools.simulations.simulate.run_simulations]).

    Returns:
        The [`SimulationResult`][dyntools.simulations.simulate.SimulationResult], summary
            included.

    Raises:
        DyntoolsError: for invalid settings, SGD that diverges (with a learning rate that
            does not, if one is found), or an ODE solve that fails.
    """
    return run_simulations([config], progress)[0]


def run_simulations(configs: list[SimulationConfig | Prepared],
                    progress: Callable[[int, int], None] | None = None) -> list[SimulationResult]:
    """[`run_simulation`][dyntools.simulations.simulate.run_simulation] at many points, vmapped.

    SGD points of one structure (family form, grid, network, batch, seeds, steps, saves,
    precision) share one compiled program (their numbers are traced) and, on an accelerator,
    train together in it, vmapped in chunks that fit `MEMORY_BUDGET` (on CPU one after another,
    which measured faster); their effective ODEs are solved together by
    [`run_theories`][dyntools.simulations.simulate.run_theories]. Each point's numbers are those
    of its run on its own (the same keys draw the same batches).

    Arguments:
        configs: settings or [`Prepared`][dyntools.simulations.simulate.Prepared] runs.
        progress: called with (SGD steps done, steps in all), summed over points, after every
            compiled chunk of steps.

    Returns:
        One [`SimulationResult`][dyntools.simulations.simulate.SimulationResult] per point, in
            order.

    Raises:
        DyntoolsError: as `run_simulation`, for the first point that fails.
    """
    points = [config if isinstance(config, Prepared) else prepare(config) for config in configs]
    trained = _train_all(points, progress)
    with_theory = [i for i, point in enumerate(points) if point.theory is not None]
    theories = dict(zip(with_theory, run_theories([points[i] for i in with_theory])))
    return [_result(point, params, theories.get(i)) for i, (point, params) in enumerate(zip(points, trained))]


def _result(prepared: Prepared, params: dict[str, np.ndarray], theory: dict | None) -> SimulationResult:
    config, task, amplifier = prepared.config, prepared.task, prepared.amplifier
    w_sim = params["w"]
    fields = {}
    if theory is not None:
        fields = {"w_theory": theory["w_theory"], "ipr_theory": theory["ipr_theory"],
                  "cosine": cosine_similarity(w_sim, theory["w_theory"][None])}
    result = SimulationResult(config, task.describe(), config.lr * save_steps(config), w_sim, ipr(w_sim),
                              task.sigma0.first_row, task.sigma1.first_row, **fields,
                              params_sim={name: value for name, value in params.items() if name != "w"},
                              amplifier=amplifier, marginal=task.pixel_marginal)
    result.summary = summarize(result, task.is_elliptical, amplifier)
    return result


def run_theory(config: SimulationConfig | Prepared) -> dict:
    """The effective ODE alone, from the initial weights `run_simulation` would draw.

    Arguments:
        config: the settings, or a [`Prepared`][dyntools.simulations.simulate.Prepared] run.

    Returns:
        ``{"t": [T] saved times, "w_theory": [T, K, N] weights, "ipr_theory": [T, K]}``.

    Raises:
        DyntoolsError: for invalid settings, a network without an effective theory (not ReLU,
            or with bias), or an ODE solve that fails.
    """
    return run_theories([config])[0]


THEORY_CHUNK = 256  # runs per vmapped solve (a few MB of solver state each at N = 1600)


def run_theories(configs: list[SimulationConfig | Prepared]) -> list[dict]:
    """The effective ODE of many runs, vmapped: runs of one structure share one compiled solve.

    Runs whose dynamics have the same structure (family form, grid, neurons, saves, solver and
    step budget) are integrated together in chunks of `THEORY_CHUNK` (the last chunk padded with
    copies of its last run, so every chunk reuses one program); each run's adaptive steps are
    its own, so the numbers are those of a solve on its own.

    Arguments:
        configs: settings or [`Prepared`][dyntools.simulations.simulate.Prepared] runs.

    Returns:
        One dict per run, in order: ``{"t": [T] saved times, "w_theory": [T, K, N] weights,
            "ipr_theory": [T, K]}``.

    Raises:
        DyntoolsError: for invalid settings, a network without an effective theory, JAX's
            64-bit floats off, or an ODE solve that fails.
    """
    require_x64()
    runs = [_theory_run(config if isinstance(config, Prepared) else prepare(config)) for config in configs]
    results = [None] * len(runs)
    for key, members in _groups(runs, lambda run: run[-1]).items():
        for first in range(0, len(members), THEORY_CHUNK):
            chunk = members[first:first + THEORY_CHUNK]
            padded = chunk + [chunk[-1]] * (min(len(members), THEORY_CHUNK) - len(chunk))
            dynamics, w0, t, dt0 = (stack([runs[i][j] for i in padded]) for j in range(4))
            ys, ok = _integrate_effective(dynamics, w0, t, dt0, **dict(key[1]))
            for row, i in enumerate(chunk):
                check_solution(ys[row], ok[row], "effective ODE")
                w_theory = np.asarray(ys[row])
                results[i] = {"t": np.asarray(runs[i][2]), "w_theory": w_theory, "ipr_theory": ipr(w_theory)}
    return results


def _theory_run(prepared: Prepared) -> tuple:
    """(dynamics, w0, t, dt0, group key) of one run's effective ODE; the key holds its solve options."""
    config, task, net, dynamics = prepared.config, prepared.task, prepared.net, prepared.theory
    if dynamics is None:
        raise DyntoolsError(f"the {config.network} network of {config.activation} units"
                            f"{' with bias' if config.bias else ''} has no effective theory; the effective ODE "
                            "covers the committee machine of ReLU units without bias")
    t = config.lr * save_steps(config)
    w0 = net.init(jax.random.PRNGKey(config.seed), config.init_scale)["w"]
    dt0 = config.lr if config.solver == "euler" else None
    options = tuple(sorted(theory_solve_options(task, config, t).items()))
    return dynamics, w0, t, dt0, (jax.tree.structure((dynamics, dt0)), options, w0.shape, t.shape)


def _groups(items: list, key) -> dict:
    """Indices of ``items`` grouped by ``key(item)``, in first-seen order."""
    groups = {}
    for i, item in enumerate(items):
        groups.setdefault(key(item), []).append(i)
    return groups


def _train_all(points: list[Prepared], progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """The trained parameters of every point (``{"w": [S, T, K, N], ...}``, each leaf with leading
    axes [S, T]): SGD points grouped and vmapped, flows alone."""
    trained = [None] * len(points)
    done, total = 0, sum(point.config.steps for point in points if point.config.trainer == "sgd")

    def advanced(steps: int, n_points: int) -> None:
        nonlocal done
        done += steps * n_points
        if progress is not None:
            progress(done, total)

    for i, point in enumerate(points):
        if point.config.trainer == "flow":
            trained[i] = _gradient_flow(point)
    sgd = [i for i, point in enumerate(points) if point.config.trainer == "sgd"]
    for members in _groups([points[i] for i in sgd], _sgd_structure).values():
        members = [sgd[j] for j in members]
        size = _points_per_program(points[members[0]].config)
        for first in range(0, len(members), size):
            chunk = members[first:first + size]
            advance = partial(advanced, n_points=len(chunk))
            for i, params in zip(chunk, _sgd_params([points[i] for i in chunk], progress=advance)):
                if not _finite(params):
                    _diverged(points[i], params)
                trained[i] = params
    return trained


def _finite(params: dict) -> bool:
    return all(np.isfinite(leaf).all() for leaf in params.values())


def _sgd_structure(point: Prepared) -> tuple:
    """What must agree for points to share one compiled SGD program."""
    c = point.config
    return jax.tree.structure(point.task), point.net, c.batch, c.seeds, c.steps, c.saves, c.precision


def _points_per_program(config: SimulationConfig) -> int:
    """SGD points trained by one vmapped call. On CPU one: the program is the same for every point
    (numbers are traced), and measured, 20 points vmapped ran 1.2x slower than one after another
    (batches outgrow the caches). On an accelerator as many as fit `MEMORY_BUDGET`."""
    if jax.default_backend() == "cpu":
        return 1
    return max(1, MEMORY_BUDGET // _point_bytes(config))


def _point_bytes(config: SimulationConfig) -> int:
    itemsize = 4 if config.precision == "float32" else 8
    return config.seeds * (config.batch * 3 * itemsize + (min(config.saves, config.steps) + 1) * config.neurons * 8) \
        * config.n_pixels


def _gradient_flow(prepared: Prepared) -> dict[str, np.ndarray]:
    """One point's gradient-flow parameters, each leaf with leading axes [1, T]."""
    config, net = prepared.config, prepared.net
    params0 = net.init(jax.random.PRNGKey(config.seed), config.init_scale)
    flow = gradient_flow_trajectories(prepared.task, net, params0, jax.random.PRNGKey(config.seed + 1),
                                      samples=config.samples, t_save=config.lr * save_steps(config), solver=config.solver,
                                      dt0=config.lr if config.solver == "euler" else None)  # euler: full-batch GD at lr
    return {name: np.asarray(leaf)[None] for name, leaf in flow.items()}


def _diverged(prepared: Prepared, params: dict[str, np.ndarray]) -> None:
    """Raise for SGD parameters that became non-finite, naming a learning rate that trains finitely."""
    config = prepared.config
    saves = len(save_steps(config)) - 1
    train = lambda lr, steps, saves: _sgd_params([prepared], lr, steps, saves)[0]  # noqa: E731
    safe = _stable_learning_rate(train, config)
    advice = (f"lr {safe:g} trains these settings without diverging" if safe is not None else
              f"no learning rate down to {config.lr / 10**LR_SEARCH_DECADES:g} trains finitely")
    bad_step = min(step for step in (first_nonfinite_step(leaf, config.steps // saves) for leaf in params.values())
                   if step is not None)
    raise DyntoolsError(
        f"SGD diverged: the weights became non-finite by step {bad_step} (t = {bad_step * config.lr:g}) "
        f"with lr {config.lr:g}; lower lr ({advice})", arguments=("lr",))


def _sgd_params(points: list[Prepared], lr: float | None = None, steps: int | None = None,
                saves: int | None = None, progress: Callable[[int], None] | None = None) -> list[dict]:
    """The parameters of points of one SGD structure (``{"w": [S, T, K, N], ...}``), trained
    together (``lr``, ``steps``, ``saves`` override every point's own, for the learning-rate
    search)."""
    first = points[0].config
    steps = steps or first.steps
    saves = saves or len(save_steps(first)) - 1
    keys = jnp.stack([jax.random.split(jax.random.PRNGKey(p.config.seed + 1), p.config.seeds) for p in points])
    params0 = stack([p.net.init(jax.random.PRNGKey(p.config.seed), p.config.init_scale) for p in points])
    lrs = np.asarray([lr or p.config.lr for p in points])
    dtype = jnp.float32 if first.precision == "float32" else jnp.float64
    saved = sgd_points(stack([p.task for p in points]), points[0].net, params0, keys, lr=lrs, steps=steps,
                       batch=first.batch, saves=saves, dtype=dtype, progress=progress)
    return [{name: np.asarray(leaf[p], dtype=float) for name, leaf in saved.items()} for p in range(len(points))]


def _stable_learning_rate(train, config) -> float | None:
    """The largest of lr/10, lr/100, ... that keeps the weights finite over the whole run (same
    seeds, same data). Candidates are screened on a short run first; the full run confirms."""
    screen = min(config.steps, LR_SCREEN_STEPS)
    for decade in range(1, LR_SEARCH_DECADES + 1):
        lr = config.lr / 10**decade
        if not _finite(train(lr, screen, 1)):
            continue
        if _finite(train(lr, config.steps, 1)):
            return lr
    return None


def theory_solve_options(task: TwoClassTask, config: SimulationConfig, t: np.ndarray) -> dict:
    """The static options of the effective ODE's compiled solve: the solver and its step budget.

    Arguments:
        task: the two-class task (its spectra set the stiffness).
        config: the settings (``solver``, ``lr``).
        t: [T] the saved times (the last one the horizon).

    Returns:
        ``{"solver": ..., "max_steps": ...}``.
    """
    stiffness = float((task.sigma0.eigenvalues + task.sigma1.eigenvalues).max())
    fixed = config.lr if config.solver == "euler" else None
    return {"solver": config.solver, "max_steps": max_steps_for(float(t[-1]), stiffness, fixed)}


def _integrate_effective(dynamics, w0, t, dt0, *, solver, max_steps):
    """Vmapped solves [P]: one program per structure, solver, budget and P (all numbers traced),
    traced once and kept on disk (see [`cached_call`][dyntools.exported.cached_call])."""
    return cached_call("effective-ode", _solve_effective, (dynamics, w0, t, dt0),
                       {"solver": solver, "max_steps": max_steps})


def _solve_effective(dynamics, w0, t, dt0, *, solver, max_steps):
    one = lambda d, w, ts, h: solve(d, w, ts, max_steps=max_steps, solver=solver, dt0=h)  # noqa: E731
    return jax.vmap(one)(dynamics, w0, t, dt0)


def localization_time(t: np.ndarray, ipr_curve: np.ndarray, n: int) -> float | None:
    """First saved time at which the IPR reaches the localized level 5/N (`metrics.localized_ipr`;
    random fields: about 3/N).

    Arguments:
        t: [T] saved times.
        ipr_curve: [T] IPR at those times.
        n: N, the number of pixels.

    Returns:
        The time, or None if the IPR never reaches the threshold.
    """
    hit = np.flatnonzero(ipr_curve >= localized_ipr(n))
    return float(t[hit[0]]) if hit.size else None


@dataclass(frozen=True, eq=False)  # holds an array: compared by identity
class SimulationSummary:
    r"""The scalar results of a simulation; run.json holds them as `as_dict` gives them.

    Attributes:
        family: the pixel marginal's family.
        parameter_name: the name of its parameter (None for a fixed family).
        parameter: its value.
        excess_kurtosis: the pixels' excess kurtosis $m_4 - 3$.
        n_pixels: N.
        network: the network's name.
        neurons: K.
        ipr_random: the IPR of a random Gaussian field, 3/N.
        ipr_localized_threshold: the IPR a localized field reaches, 5/N.
        ipr_sim_final_mean: the network's final IPR (mean over neurons), mean over seeds.
        ipr_sim_final_std: its standard deviation over seeds.
        t_final: lr x steps.
        time_to_localization_sim: when the network's mean IPR first reaches 5/N (None: never).
        gaussian_clone: whether the inputs are a Gaussian clone.
        clone_of: the cloned task's description (None without a clone).
        theory: the amplifier's description (None without an effective theory).
        theory_validity: the theory's stated range of validity (None without one).
        kernel_clipping: the kernels' clipped eigenvalues, per class.
        ipr_theory_final: the theory's final IPR (mean over neurons); with a theory only, as the
            five below.
        cosine_final: the final cosine of theory and network (mean over seeds and neurons).
        cosine_min: its smallest value over time.
        cosine_over_time: [T] that cosine at every saved time.
        time_to_localization_theory: when the theory's IPR first reaches 5/N (None: never).
        theory_agreement_time: the last time the cosine is at least `AGREEMENT_COSINE`.
        sinusoid_residual_sim_final: elliptical data only: the final sinusoid-fit residual of
            the network's fields.
        sinusoid_residual_theory_final: elliptical data with a theory: the theory's.
    """

    family: str
    parameter_name: str | None
    parameter: float | None
    excess_kurtosis: float
    n_pixels: int
    network: str
    neurons: int
    ipr_random: float
    ipr_localized_threshold: float
    ipr_sim_final_mean: float
    ipr_sim_final_std: float
    t_final: float
    time_to_localization_sim: float | None
    gaussian_clone: bool
    clone_of: dict | None
    theory: dict | None
    theory_validity: str | None
    kernel_clipping: dict
    ipr_theory_final: float | None = None
    cosine_final: float | None = None
    cosine_min: float | None = None
    cosine_over_time: Float[np.ndarray, " T"] | None = field(default=None, repr=False)
    time_to_localization_theory: float | None = None
    theory_agreement_time: float | None = None
    sinusoid_residual_sim_final: float | None = None
    sinusoid_residual_theory_final: float | None = None

    THEORY: ClassVar[tuple[str, ...]] = ("ipr_theory_final", "cosine_final", "cosine_min", "cosine_over_time",
                                         "time_to_localization_theory", "theory_agreement_time")
    ELLIPTICAL: ClassVar[tuple[str, ...]] = ("sinusoid_residual_sim_final", "sinusoid_residual_theory_final")

    def as_dict(self) -> dict:
        """The entries as run.json holds them, in order: the theory's only with a theory, the
        sinusoid residuals only for elliptical data."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if not (f.name in self.THEORY and self.theory is None)
                and not (f.name in self.ELLIPTICAL and getattr(self, f.name) is None)}

    @classmethod
    def from_dict(cls, saved: dict) -> SimulationSummary:
        """A summary as run.json holds it (entries an older record lacks are None)."""
        return cls(**{f.name: saved.get(f.name) for f in fields(cls)})


def summarize(result: SimulationResult, elliptical: bool, amplifier: Amplifier | None) -> SimulationSummary:
    """The scalar results of a simulation.

    Arguments:
        result: the simulation's result (its ``arrays`` are read).
        elliptical: whether the data are elliptical (adds sinusoid-fit residuals).
        amplifier: the theory's amplifier, or None without an effective theory.

    Returns:
        The [`SimulationSummary`][dyntools.simulations.simulate.SimulationSummary].
    """
    a, n = result.arrays, result.arrays["w_sim"].shape[-1]
    final_sim = a["ipr_sim"][:, -1].mean(axis=-1)  # per seed, mean over neurons
    marginal = result.marginal
    theory, elliptical_fits = {}, {}
    if "w_theory" in a:
        cosine_t = a["cosine"].mean(axis=(0, 2))
        theory = dict(
            ipr_theory_final=float(a["ipr_theory"][-1].mean()),
            cosine_final=float(cosine_t[-1]),
            cosine_min=float(cosine_t.min()),
            cosine_over_time=cosine_t,
            time_to_localization_theory=localization_time(a["t"], a["ipr_theory"].mean(axis=-1), n),
            theory_agreement_time=agreement_time(a["t"], cosine_t, AGREEMENT_COSINE),
        )
    if elliptical:
        elliptical_fits["sinusoid_residual_sim_final"] = float(sinusoid_residual(a["w_sim"][:, -1]).mean())
        if "w_theory" in a:
            elliptical_fits["sinusoid_residual_theory_final"] = float(sinusoid_residual(a["w_theory"][-1]).mean())
    return SimulationSummary(
        family=marginal.family,
        parameter_name=marginal.parameter_name,
        parameter=marginal.parameter,
        excess_kurtosis=marginal.excess_kurtosis,
        n_pixels=n,
        network=result.config.network,
        neurons=result.config.neurons,
        ipr_random=random_field_ipr(n),
        ipr_localized_threshold=localized_ipr(n),
        ipr_sim_final_mean=float(final_sim.mean()),
        ipr_sim_final_std=float(final_sim.std()),
        t_final=float(a["t"][-1]),
        time_to_localization_sim=localization_time(a["t"], a["ipr_sim"].mean(axis=(0, 2)), n),
        gaussian_clone=result.config.task.gaussian_clone,
        clone_of=result.task_description["clone_of"] if result.config.task.gaussian_clone else None,
        theory=amplifier.describe() if amplifier is not None else None,
        theory_validity=THEORY_VALIDITY if amplifier is not None else None,
        kernel_clipping=result.task_description["clipping"],
        **theory,
        **elliptical_fits,
    )
