"""Theory and network side by side, from the same initial weights.

:func:`run_simulation` is what ``dyntools simulate`` and ``dyntools sweep`` call: it builds the
task, draws the initial weights from ``seed``, integrates the effective ODE (when the network
has one: ReLU, no bias) and trains the network (``seeds`` SGD runs that share the initial
weights and differ in their data), then measures localization.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from .._jax import jax, jnp
from ..errors import DyntoolsError
from ..inputs import build_task
from ..metrics import cosine_similarity, ipr, sinusoid_residual
from ..theory import EffectiveDynamics, task_amplifier
from .integrate import check_solution, solve
from .network import CommitteeMachine, first_nonfinite_step, gradient_flow_trajectories, sgd_trajectories

LOCALIZED_IPR = 5.0  # a field counts as localized once IPR >= 5/N (random Gaussian fields: ~3/N)


@dataclass(frozen=True)
class SimulationConfig:
    """Everything that defines a simulation (saved in run.json)."""

    family: str = "auto"
    kurtosis: float | None = None
    param: float | None = None
    n_dims: int = 40
    two_d: bool = False
    xi: tuple[float, float] = (1.0, 2.0)
    proportion: float = 0.5
    neurons: int = 1
    activation: str = "relu"
    bias: bool = False
    trainer: str = "sgd"
    steps: int = 2000
    lr: float = 0.05
    batch: int = 2000
    samples: int = 20_000
    init_scale: float = 1e-3
    seeds: int = 4
    seed: int = 0
    saves: int = 50
    amplifier: str = "quadrature"
    order: int = 5
    solver: str = "tsit5"
    precision: str = "float32"

    def validate(self) -> None:
        checks = [
            (self.steps >= 1, f"--steps must be at least 1 (got {self.steps})"),
            (self.lr > 0 and math.isfinite(self.lr), f"--lr must be positive (got {self.lr})"),
            (self.batch >= 1, f"--batch must be at least 1 (got {self.batch})"),
            (self.seeds >= 1, f"--seeds must be at least 1 (got {self.seeds})"),
            (self.init_scale > 0, f"--init-scale must be positive (got {self.init_scale})"),
            (self.saves >= 1, f"--saves must be at least 1 (got {self.saves})"),
            (self.trainer in ("sgd", "flow"), f"--trainer must be sgd or flow (got '{self.trainer}')"),
            (self.precision in ("float32", "float64"), f"--precision must be float32 or float64 (got '{self.precision}')"),
            (self.samples >= 1, f"--samples must be at least 1 (got {self.samples})"),
        ]
        for ok, message in checks:
            if not ok:
                raise DyntoolsError(message)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SimulationResult:
    config: SimulationConfig
    task_description: dict
    arrays: dict = field(repr=False)
    summary: dict = field(default_factory=dict)
    amplifier: object = field(default=None, repr=False)
    marginal: object = field(default=None, repr=False)


def save_steps(config: SimulationConfig) -> np.ndarray:
    """Step indices of the saved points (saves + 1 of them, from 0)."""
    saves = min(config.saves, config.steps)
    return np.arange(saves + 1) * (config.steps // saves)


def run_simulation(config: SimulationConfig) -> SimulationResult:
    config.validate()
    task = build_task(config.family, config.kurtosis, config.param, config.n_dims, config.xi, config.two_d,
                      config.proportion)
    net = CommitteeMachine(task.n_pixels, config.neurons, config.activation, config.bias)
    if config.steps % min(config.saves, config.steps):
        raise DyntoolsError(f"--steps ({config.steps}) must be a multiple of --saves ({config.saves})")
    steps = save_steps(config)
    t = config.lr * steps
    params0 = net.init(jax.random.PRNGKey(config.seed), config.init_scale)

    w_sim = _train(task, net, params0, config, t)
    arrays = {"t": t, "w_sim": w_sim, "ipr_sim": ipr(w_sim), "sigma0": task.sigma0.first_row,
              "sigma1": task.sigma1.first_row}
    amplifier = None
    if net.has_effective_theory:
        amplifier = task_amplifier(task, config.amplifier, config.order)
        w_theory = _theory(task, amplifier, params0["w"], t, config)
        arrays.update(w_theory=w_theory, ipr_theory=ipr(w_theory), cosine=cosine_similarity(w_sim, w_theory[None]))
    result = SimulationResult(config, task.describe(), arrays, amplifier=amplifier, marginal=task.pixel_marginal)
    result.summary = summarize(result, task.is_elliptical, amplifier)
    return result


def _train(task, net, params0, config, t) -> np.ndarray:
    if config.trainer == "flow":
        flow = gradient_flow_trajectories(task, net, params0, jax.random.PRNGKey(config.seed + 1),
                                          samples=config.samples, t_save=t, solver=config.solver)
        return np.asarray(flow["w"])[None]
    keys = jax.random.split(jax.random.PRNGKey(config.seed + 1), config.seeds)
    dtype = jnp.float32 if config.precision == "float32" else jnp.float64
    saved = sgd_trajectories(task, net, params0, keys, lr=config.lr, steps=config.steps, batch=config.batch,
                             saves=len(t) - 1, dtype=dtype)
    w = np.asarray(saved["w"], dtype=float)
    bad_step = first_nonfinite_step(w, config.steps // (len(t) - 1))
    if bad_step is not None:
        raise DyntoolsError(
            f"SGD diverged: the weights became non-finite by step {bad_step} (t = {bad_step * config.lr:g}); "
            f"lower --lr (now {config.lr:g}, try {config.lr / 10:g})"
        )
    return w


def _theory(task, amplifier, w0, t, config) -> np.ndarray:
    dynamics = EffectiveDynamics(amplifier, task.sigma0, task.sigma1, task.proportion)
    stiffness = float((task.sigma0.eigenvalues + task.sigma1.eigenvalues).max())
    ys, ok = jax.jit(lambda w: solve(dynamics, w, t, stiffness=stiffness, solver=config.solver,
                                     dt0=config.lr if config.solver == "euler" else None))(w0)
    check_solution(ys, ok, "effective ODE")
    return np.asarray(ys)


def localization_time(t: np.ndarray, ipr_curve: np.ndarray, n: int) -> float | None:
    """First saved time at which IPR >= LOCALIZED_IPR / N (None if never)."""
    hit = np.flatnonzero(ipr_curve >= LOCALIZED_IPR / n)
    return float(t[hit[0]]) if hit.size else None


def summarize(result: SimulationResult, elliptical: bool, amplifier) -> dict:
    a, n = result.arrays, result.arrays["w_sim"].shape[-1]
    final_sim = a["ipr_sim"][:, -1].mean(axis=-1)  # per seed, mean over neurons
    marginal = result.marginal
    summary = {
        "family": marginal.family,
        "parameter_name": marginal.parameter_name,
        "parameter": marginal.parameter,
        "excess_kurtosis": marginal.excess_kurtosis,
        "n_pixels": n,
        "ipr_random": 3.0 / n,
        "ipr_localized_threshold": LOCALIZED_IPR / n,
        "ipr_sim_final_mean": float(final_sim.mean()),
        "ipr_sim_final_std": float(final_sim.std()),
        "time_to_localization_sim": localization_time(a["t"], a["ipr_sim"].mean(axis=(0, 2)), n),
        "theory": amplifier.describe() if amplifier is not None else None,
    }
    if "w_theory" in a:
        cosine_t = a["cosine"].mean(axis=(0, 2))
        summary.update(
            ipr_theory_final=float(a["ipr_theory"][-1].mean()),
            cosine_final=float(cosine_t[-1]),
            cosine_min=float(cosine_t.min()),
            cosine_over_time=cosine_t,
            time_to_localization_theory=localization_time(a["t"], a["ipr_theory"].mean(axis=-1), n),
        )
    if elliptical:
        summary["sinusoid_residual_sim_final"] = float(sinusoid_residual(a["w_sim"][:, -1]).mean())
        if "w_theory" in a:
            summary["sinusoid_residual_theory_final"] = float(sinusoid_residual(a["w_theory"][-1]).mean())
    return summary
