r"""The papers' figures, reproduced with the public library: one function per figure.

Each reproduction takes a frozen config (every setting, with ``quick`` selecting a small scale)
and returns a :class:`PaperResult`: the settings actually run, a JSON-friendly ``table`` of the
measured numbers, and the ``arrays`` its figure draws (:mod:`dyntools.experiments.paper_figures`
draws from those alone, so a saved result redraws without rerunning anything).

Localization is measured by the inverse participation ratio
IPR(w) = sum_i w_i^4 / (sum_i w_i^2)^2 in [1/N, 1]: about 3/N for a random Gaussian field,
1/N for a constant field, 1.5/N for a pure sinusoid; a field counts as localized once
IPR >= 5/N (as in ``dyntools simulate``).

Sources: Lufkin, Saxe & Grant, "Nonlinear dynamics of localization in neural receptive fields"
(NeurIPS 2024, arXiv 2501.17284), Figs. 1 (right), 3-6; Ingrosso & Goldt, "Data-driven emergence
of convolutional structure in neural networks" (PNAS 2022).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from typing import ClassVar

import numpy as np

from .._jax import jnp
from ..baselines.run import BaselineConfig, task_sampler, train_baseline
from ..inputs import build_task
from ..metrics import ipr, sinusoid_residual
from ..simulations import SimulationConfig, run_simulation
from ..simulations.simulate import LOCALIZED_IPR
from ..theory import SeriesAmplifier

A_GRID = np.linspace(-0.99, 0.99, 199)  # amplifier argument a = Sigma_1 w / |w|_{Sigma_1}, |a| < 1
CUBIC_RANGE = 0.5  # the cubic approximation's error is reported for |a| <= this (the early-time range)
DENSITY_RANGE = 4.0  # pixel densities are drawn on [-4, 4] (unit variance)


@dataclass(frozen=True)
class PaperConfig:
    """Settings shared by every reproduction. ``quick=True`` replaces the scale settings named
    in the class's ``QUICK`` by small ones (:meth:`resolved`); the result records what ran."""

    quick: bool = False
    seed: int = 0
    QUICK: ClassVar[dict] = {}

    def resolved(self) -> "PaperConfig":
        return replace(self, **self.QUICK) if self.quick else self

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class PaperResult:
    """``config``: the settings that ran (a dict); ``table``: measured numbers (columns as
    lists, one entry per row, plus scalars); ``arrays``: what the figure draws."""

    name: str
    config: dict
    table: dict
    arrays: dict = field(repr=False)


def _key(family: str, parameter: float | None) -> str:
    """Array-name prefix of one input family member, e.g. 'alg-5', 'nlgp-0.01', 'ising'."""
    return family if parameter is None else f"{family}-{parameter:g}"


def _label(family: str, parameter: float | None) -> str:
    names = {"alg": "Kur({:g})", "nlgp": "NLGP g={:g}", "elliptical-t": "elliptical t, nu={:g}"}
    return family if parameter is None else names.get(family, family + " {:g}").format(parameter)


def _simulation(c, family: str, parameter: float | None, **network) -> SimulationConfig:
    """The SimulationConfig of reproduction settings ``c`` for one input family member."""
    return SimulationConfig(family=family, param=parameter, n_dims=c.n_dims, xi=c.xi, lr=c.lr, steps=c.steps,
                            batch=c.batch, seeds=c.seeds, saves=c.saves, init_scale=c.init_scale, seed=c.seed,
                            **network)


def _finish(name: str, c: PaperConfig, table: dict, arrays: dict, start: float) -> PaperResult:
    table["seconds"] = round(time.perf_counter() - start, 1)
    return PaperResult(name, c.as_dict(), table, arrays)


def _columns(rows: list[dict]) -> dict:
    """A list of row dicts as a dict of columns."""
    return {k: [row[k] for row in rows] for k in rows[0]}


def _marginal_arrays(key: str, marginal) -> dict:
    """The pixel law for drawing: atoms (values, probabilities) or a density on a grid."""
    if marginal.atoms is not None:
        values, probs = marginal.atoms
        return {f"{key}/atoms_x": np.asarray(values, float), f"{key}/atoms_p": np.asarray(probs, float)}
    x = np.linspace(-DENSITY_RANGE, DENSITY_RANGE, 401)
    return {f"{key}/density_x": x, f"{key}/density": np.asarray(marginal.pdf(x), float)}


def best_sinusoid(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The least-squares single-frequency sinusoid A cos(2 pi k i / N + theta) closest to each
    field (k = 0, a constant, included): the Fourier pair of largest energy, all else zeroed.

    Arguments: w [..., N]. Returns (fit [..., N], k [...])."""
    w = np.asarray(w, dtype=float)
    n = w.shape[-1]
    coeffs = np.fft.rfft(w, axis=-1)
    power = np.abs(coeffs) ** 2
    power[..., 1 : (n + 1) // 2] *= 2  # +-k pairs (the Nyquist bin of even n stands alone)
    k = power.argmax(axis=-1)
    kept = np.where(np.arange(coeffs.shape[-1]) == k[..., None], coeffs, 0)
    return np.fft.irfft(kept, n=n, axis=-1), k


# ---------------------------------------------------------------------------------------------
# Lufkin, Saxe & Grant, Fig. 3: marginal, amplifier and its cubic, theory vs SGD


@dataclass(frozen=True)
class Fig3Config(PaperConfig):
    """Single ReLU neuron (no bias) on the ring; inputs: (family, parameter) pairs."""

    marginals: tuple = (("ising", None), ("nlgp", 0.01), ("alg", 5.0))
    n_dims: int = 40
    xi: tuple = (1.0, 3.0)
    lr: float = 0.05
    steps: int = 2000
    batch: int = 2000
    seeds: int = 4
    saves: int = 50
    init_scale: float = 1e-3
    QUICK: ClassVar[dict] = {"n_dims": 20, "steps": 500, "batch": 500, "seeds": 1, "saves": 25}


def lufkin_fig3(config: Fig3Config) -> PaperResult:
    r"""For each pixel law: its marginal, the amplifier phi(a) by quadrature next to its cubic
    approximation sqrt(2/pi) [a + (1/2 - m4/6) a^3], and the receptive field of the effective
    ODE dw/dt = (1/2)[phi(a) - (Sigma_0 + Sigma_1) w] against SGD from the same initial weights.

    Returns a PaperResult with table columns ``label, family, parameter, excess_kurtosis,
    ipr_sim_final`` (mean over seeds), ``ipr_sim_final_std, ipr_theory_final, cosine_final,
    cubic_max_error`` (max |phi_3 - phi| for |a| <= 0.5), ``localized`` (IPR >= 5/N) and scalars
    ``n_pixels, ipr_random`` (3/N), ``seconds``; arrays ``a`` [A], ``t`` [T] and per member
    ``KEY/phi, KEY/phi_cubic`` [A], ``KEY/w_theory, KEY/w_sim`` [T, N] (seed 0),
    ``KEY/ipr_theory`` [T], ``KEY/ipr_sim`` [seeds, T], and the marginal (``KEY/density_x``,
    ``KEY/density`` or ``KEY/atoms_x``, ``KEY/atoms_p``)."""
    start = time.perf_counter()
    c = config.resolved()
    a = jnp.asarray(A_GRID)
    arrays, rows = {"a": A_GRID}, []
    for family, parameter in c.marginals:
        result = run_simulation(_simulation(c, family, parameter))
        s, sim, key = result.summary, result.arrays, _key(family, parameter)
        phi = np.asarray(result.amplifier(a))
        phi3 = np.asarray(SeriesAmplifier(result.marginal, 3)(a))
        arrays.update(_marginal_arrays(key, result.marginal))
        arrays.update({"t": sim["t"], f"{key}/phi": phi, f"{key}/phi_cubic": phi3,
                       f"{key}/w_theory": sim["w_theory"][:, 0], f"{key}/w_sim": sim["w_sim"][0, :, 0],
                       f"{key}/ipr_theory": sim["ipr_theory"][:, 0], f"{key}/ipr_sim": sim["ipr_sim"][:, :, 0]})
        rows.append({"label": _label(family, parameter), "key": key, "family": family, "parameter": parameter,
                     "excess_kurtosis": s["excess_kurtosis"], "ipr_sim_final": s["ipr_sim_final_mean"],
                     "ipr_sim_final_std": s["ipr_sim_final_std"], "ipr_theory_final": s["ipr_theory_final"],
                     "cosine_final": s["cosine_final"],
                     "cubic_max_error": float(np.abs(phi3 - phi)[np.abs(A_GRID) <= CUBIC_RANGE].max()),
                     "localized": s["ipr_sim_final_mean"] >= s["ipr_localized_threshold"],
                     "kernel_clipping": s["kernel_clipping"]})
    n = c.n_dims
    return _finish("lufkin-fig3", c, {**_columns(rows), "n_pixels": n, "ipr_random": 3 / n}, arrays, start)


# ---------------------------------------------------------------------------------------------
# Lufkin, Saxe & Grant, Fig. 4: elliptical data give sinusoids


@dataclass(frozen=True)
class Fig4Config(PaperConfig):
    """Single ReLU neuron on elliptical inputs: multivariate Student-t (nu) and the shell."""

    marginals: tuple = (("elliptical-t", 3.0), ("shell", None))
    n_dims: int = 40
    xi: tuple = (1.0, 3.0)
    lr: float = 0.05
    steps: int = 2000
    batch: int = 2000
    seeds: int = 4
    saves: int = 50
    init_scale: float = 1e-3
    QUICK: ClassVar[dict] = {"n_dims": 20, "steps": 500, "batch": 500, "seeds": 1, "saves": 25}


def lufkin_fig4(config: Fig4Config) -> PaperResult:
    r"""Elliptical inputs x = R A u have E[x | w.x] linear in w.x, so phi(a) = E|X| a exactly and
    the fixed points are Fourier modes: the trained field should be a sinusoid (small sinusoid-fit
    residual 1 - max_k E_k / E) and not localized (IPR near 1.5/N, below the random 3/N).

    Returns a PaperResult with table columns ``label, family, parameter, excess_kurtosis,
    sinusoid_residual_sim`` (mean over seeds), ``sinusoid_residual_theory, frequency`` (k of the
    best sinusoid, seed 0), ``ipr_sim_final, ipr_theory_final, cosine_final`` and scalars
    ``n_pixels, ipr_random, ipr_sinusoid`` (1.5/N); arrays ``t`` [T] and per member
    ``KEY/w_sim`` [T, N] (seed 0), ``KEY/w_final`` [seeds, N], ``KEY/fit`` [N] (best sinusoid to
    seed 0), ``KEY/w_theory_final`` [N], ``KEY/ipr_sim`` [seeds, T], ``KEY/ipr_theory`` [T]."""
    start = time.perf_counter()
    c = config.resolved()
    arrays, rows = {}, []
    for family, parameter in c.marginals:
        result = run_simulation(_simulation(c, family, parameter))
        s, sim, key = result.summary, result.arrays, _key(family, parameter)
        final = sim["w_sim"][:, -1, 0]
        fit, k = best_sinusoid(final[0])
        arrays.update({"t": sim["t"], f"{key}/w_sim": sim["w_sim"][0, :, 0], f"{key}/w_final": final,
                       f"{key}/fit": fit, f"{key}/w_theory_final": sim["w_theory"][-1, 0],
                       f"{key}/ipr_sim": sim["ipr_sim"][:, :, 0], f"{key}/ipr_theory": sim["ipr_theory"][:, 0]})
        rows.append({"label": _label(family, parameter), "key": key, "family": family, "parameter": parameter,
                     "excess_kurtosis": s["excess_kurtosis"],
                     "sinusoid_residual_sim": s["sinusoid_residual_sim_final"],
                     "sinusoid_residual_theory": s["sinusoid_residual_theory_final"], "frequency": int(k),
                     "ipr_sim_final": s["ipr_sim_final_mean"], "ipr_theory_final": s["ipr_theory_final"],
                     "cosine_final": s["cosine_final"]})
    n = c.n_dims
    table = {**_columns(rows), "n_pixels": n, "ipr_random": 3 / n, "ipr_sinusoid": 1.5 / n}
    return _finish("lufkin-fig4", c, table, arrays, start)
