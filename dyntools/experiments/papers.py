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
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..inputs.spec import TaskSpec
from ..metrics import IPR_LEVELS, critical_kurtosis, ipr, localized_ipr, pair_power, random_field_ipr
from ..simulations.config import SimulationConfig

if TYPE_CHECKING:
    from ..simulations.simulate import Prepared

A_GRID = np.linspace(-0.99, 0.99, 199)  # amplifier argument a = Sigma_1 w / |w|_{Sigma_1}, |a| < 1
CUBIC_RANGE = 0.5  # the cubic approximation's error is reported for |a| <= this (the early-time range)
DENSITY_RANGE = 4.0  # pixel densities are drawn on [-4, 4] (unit variance)
LOW_FREQUENCIES = 2  # "slow" Fourier pairs |k| <= 2: oscillatory fields that mix a few slow modes


@dataclass(frozen=True)
class PaperConfig:
    """Settings shared by every reproduction.

    ``quick=True`` replaces the scale settings named in the class's ``QUICK`` by small ones
    (`resolved`); the result records what ran.

    Attributes:
        quick: run at the small scale of ``QUICK``.
        seed: base random seed (initial weights; data and other draws use keys derived from it).
        QUICK: the small-scale settings used with ``quick=True``.
    """

    quick: bool = False
    seed: int = 0
    QUICK: ClassVar[dict] = {}

    def resolved(self) -> "PaperConfig":
        """The settings that run.

        Returns:
            A copy with ``QUICK`` applied when ``quick`` (nested settings by nested dicts), else
            this config.
        """
        return _replace_nested(self, self.QUICK) if self.quick else self

    def as_dict(self) -> dict:
        """The settings as a dict.

        Returns:
            Field name -> value (``dataclasses.asdict``).
        """
        return asdict(self)


def _replace_nested(settings, changes: dict):
    """``settings`` with ``changes``; a dict replaces inside a nested dataclass field."""
    return replace(settings, **{name: _replace_nested(getattr(settings, name), value) if isinstance(value, dict)
                                else value for name, value in changes.items()})


@dataclass(frozen=True)
class TrainingConfig(PaperConfig):
    """A reproduction that trains networks: their settings, shared by every input it tries.

    Attributes:
        simulation: the network, its training and the task's size and correlation lengths (a
            [`SimulationConfig`][dyntools.simulations.config.SimulationConfig]); the family and
            parameter are set per input, the seed is the reproduction's ``seed``.
    """

    simulation: SimulationConfig = field(default_factory=SimulationConfig)

    def resolved(self) -> "TrainingConfig":
        """As [`PaperConfig.resolved`][dyntools.experiments.papers.PaperConfig.resolved], with
        the simulation's seed set to ``seed``."""
        c = super().resolved()
        return replace(c, simulation=replace(c.simulation, seed=c.seed))


def settings_table(config: dict) -> dict:
    """A reproduction's recorded settings as one flat dict (the simulation's and its task's
    fields beside the others, ``xi`` a pair), for figure titles; flat records of dyntools 0.x
    runs are returned as they are."""
    if "simulation" not in config:
        return config
    simulation = config["simulation"]
    task = simulation.get("task", {})
    return {**config, **simulation, **task, "xi": (task.get("xi0"), task.get("xi1"))}


@dataclass
class PaperResult:
    """What a reproduction returns: the settings that ran, the measured numbers, the figure's arrays.

    Attributes:
        name: the reproduction's name, a key of ``REPRODUCTIONS`` (e.g. ``'lufkin-fig3'``).
        config: the settings that ran (``PaperConfig.as_dict`` of the resolved config).
        table: measured numbers: columns as lists, one entry per row, plus scalars.
        arrays: name -> NumPy array, what the figure draws.
    """

    name: str
    config: dict
    table: dict
    arrays: dict = field(repr=False)


def _key(family: str, parameter: float | None) -> str:
    """Array-name prefix of one input family member, e.g. 'alg-5', 'nlgp-0.01', 'ising'."""
    return family if parameter is None else f"{family}-{parameter:g}"


def _label(family: str, parameter: float | None) -> str:
    """A member's name in tables and figures, e.g. 'Kur(5)', 'NLGP g=0.01', 'Ising chain'."""
    if parameter is None:
        return {"ising": "Ising chain"}.get(family, family)
    names = {"alg": "Kur({:g})", "nlgp": "NLGP g={:g}", "elliptical-t": "elliptical t, nu={:g}"}
    return names.get(family, family + " {:g}").format(parameter)


def _simulation(c: TrainingConfig, family: str, parameter: float | None) -> SimulationConfig:
    """The SimulationConfig of resolved reproduction settings ``c`` for one input family member."""
    return replace(c.simulation, task=replace(c.simulation.task, family=family, param=parameter))


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


def low_frequency_energy(w: np.ndarray, k_max: int = LOW_FREQUENCIES) -> np.ndarray:
    r"""Fraction of the energy of each field in the Fourier pairs $|k| \le k_{\max}$.

    $\sum_{|k| \le k_{\max}} |\hat w_k|^2 / \sum_k |\hat w_k|^2$: near 1 for a slow oscillation
    or a mixture of a few slow modes, about $(2 k_{\max} + 1)/N$ for a one-pixel spike.

    Arguments:
        w: [..., N] real fields on a ring.
        k_max: highest frequency counted as slow.

    Returns:
        [...] energy fractions in $[0, 1]$.
    """
    power = pair_power(w)
    return power[..., : k_max + 1].sum(axis=-1) / power.sum(axis=-1)


def best_sinusoid(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""The least-squares single-frequency sinusoid closest to each field.

    $A \cos(2\pi k i / N + \theta)$, $k = 0$ (a constant) included: the Fourier pair of largest
    energy, all else zeroed.

    Arguments:
        w: [..., N] real fields on a ring.

    Returns:
        fit: [..., N] the best sinusoid of each field.
        k: [...] its frequency, $0 \le k \le N/2$.
    """
    w = np.asarray(w, dtype=float)
    n = w.shape[-1]
    coeffs = np.fft.rfft(w, axis=-1)
    k = pair_power(w).argmax(axis=-1)
    kept = np.where(np.arange(coeffs.shape[-1]) == k[..., None], coeffs, 0)
    return np.fft.irfft(kept, n=n, axis=-1), k


# ---------------------------------------------------------------------------------------------
# Lufkin, Saxe & Grant, Fig. 3: marginal, amplifier and its cubic, theory vs SGD


# Figs. 3 and 4: one ReLU neuron on the ring of 40 pixels, four SGD runs
RING_NEURON = SimulationConfig(task=TaskSpec(n_dims=40, xi0=1.0, xi1=3.0), lr=0.05, steps=2000, batch=2000, seeds=4,
                               saves=50)
RING_NEURON_QUICK = {"simulation": {"task": {"n_dims": 20}, "steps": 500, "batch": 500, "seeds": 1, "saves": 25}}


@dataclass(frozen=True)
class Fig3Config(TrainingConfig):
    r"""Settings of `lufkin_fig3`: a single ReLU neuron (no bias) on the ring.

    Attributes:
        marginals: the pixel laws, ``(family, parameter)`` pairs (parameter ``None`` for fixed families).
        simulation: the network, its training and the task's size and correlation lengths
            (family and parameter set per input; see `TrainingConfig`).
        QUICK: the small-scale settings used with ``quick=True``.
    """

    marginals: tuple = (("ising", None), ("nlgp", 0.01), ("alg", 5.0))
    simulation: SimulationConfig = field(default_factory=lambda: RING_NEURON)
    QUICK: ClassVar[dict] = RING_NEURON_QUICK


def lufkin_fig3(config: Fig3Config) -> PaperResult:
    r"""Lufkin et al., Fig. 3: amplifier, effective ODE and SGD for each pixel law.

    For each pixel law: its marginal, the amplifier $\phi(a)$ by quadrature next to its cubic
    approximation $\sqrt{2/\pi}\,[a + (1/2 - m_4/6) a^3]$, and the receptive field of the
    effective ODE $\dot w = \tfrac12[\phi(a) - (\Sigma_0 + \Sigma_1) w]$ against SGD from the
    same initial weights.

    Arguments:
        config: the settings (resolved here: ``quick`` applies ``QUICK``).

    Returns:
        The `PaperResult` ``'lufkin-fig3'``, described below.

    The PaperResult has table columns ``label, family, parameter, excess_kurtosis,
    ipr_sim_final`` (mean over seeds), ``ipr_sim_final_std, ipr_theory_final, cosine_final,
    cubic_max_error`` (max |phi_3 - phi| for |a| <= 0.5), ``localized`` (IPR >= 5/N),
    ``kernel_eigenvalues_clipped`` (negative kernel eigenvalues set to zero, both classes) and scalars
    ``n_pixels, ipr_random`` (3/N), ``seconds``; arrays ``a`` [A], ``t`` [T] and per member
    ``KEY/phi, KEY/phi_cubic`` [A], ``KEY/w_theory, KEY/w_sim`` [T, N] (seed 0),
    ``KEY/ipr_theory`` [T], ``KEY/ipr_sim`` [seeds, T], and the marginal (``KEY/density_x``,
    ``KEY/density`` or ``KEY/atoms_x``, ``KEY/atoms_p``)."""
    from ..simulations.simulate import run_simulation
    from ..theory import SeriesAmplifier

    start = time.perf_counter()
    c = config.resolved()
    arrays, rows = {"a": A_GRID}, []
    for family, parameter in c.marginals:
        result = run_simulation(_simulation(c, family, parameter))
        s, sim, key = result.summary, result.arrays, _key(family, parameter)
        phi = result.amplifier.values(A_GRID)
        phi3 = SeriesAmplifier(result.marginal, 3).values(A_GRID)
        arrays.update(_marginal_arrays(key, result.marginal))
        arrays.update({"t": sim["t"], f"{key}/phi": phi, f"{key}/phi_cubic": phi3,
                       f"{key}/w_theory": sim["w_theory"][:, 0], f"{key}/w_sim": sim["w_sim"][0, :, 0],
                       f"{key}/ipr_theory": sim["ipr_theory"][:, 0], f"{key}/ipr_sim": sim["ipr_sim"][:, :, 0]})
        rows.append({"label": _label(family, parameter), "key": key, "family": family, "parameter": parameter,
                     "excess_kurtosis": s.excess_kurtosis, "ipr_sim_final": s.ipr_sim_final_mean,
                     "ipr_sim_final_std": s.ipr_sim_final_std, "ipr_theory_final": s.ipr_theory_final,
                     "cosine_final": s.cosine_final,
                     "cubic_max_error": float(np.abs(phi3 - phi)[np.abs(A_GRID) <= CUBIC_RANGE].max()),
                     "localized": s.ipr_sim_final_mean >= s.ipr_localized_threshold,
                     "kernel_eigenvalues_clipped": sum(part["n_clipped"] for part in s.kernel_clipping.values())})
    n = c.simulation.task.n_pixels
    return _finish("lufkin-fig3", c, {**_columns(rows), "n_pixels": n, "ipr_random": random_field_ipr(n)}, arrays, start)


# ---------------------------------------------------------------------------------------------
# Lufkin, Saxe & Grant, Fig. 4: elliptical data give sinusoids


@dataclass(frozen=True)
class Fig4Config(TrainingConfig):
    r"""Settings of `lufkin_fig4`: a single ReLU neuron on elliptical inputs (Student-t and shell).

    Attributes:
        marginals: ``(family, parameter)`` pairs: ``('elliptical-t', nu)``, ``('shell', None)``.
        simulation: the network, its training and the task's size and correlation lengths
            (family and parameter set per input; see `TrainingConfig`).
        QUICK: the small-scale settings used with ``quick=True``.
    """

    marginals: tuple = (("elliptical-t", 3.0), ("shell", None))
    simulation: SimulationConfig = field(default_factory=lambda: RING_NEURON)
    QUICK: ClassVar[dict] = RING_NEURON_QUICK


def lufkin_fig4(config: Fig4Config) -> PaperResult:
    r"""Lufkin et al., Fig. 4: elliptical inputs give sinusoids, not localized fields.

    Elliptical inputs $x = R A u$ have $E[x \mid w \cdot x]$ linear in $w \cdot x$, so
    $\phi(a) = E|X|\, a$ exactly and the fixed points are Fourier modes: the trained field should be a sinusoid (small sinusoid-fit
    residual 1 - max_k E_k / E) and not localized (IPR near 1/N for the constant mode k = 0 or
    1.5/N for k >= 1, below the random 3/N). With infinite-kurtosis data (Student-t, nu <= 4)
    SGD noise keeps mixing the slowest modes, so the energy fraction in |k| <= 2 is reported too.

    Arguments:
        config: the settings (resolved here: ``quick`` applies ``QUICK``).

    Returns:
        The `PaperResult` ``'lufkin-fig4'``, described below.

    The PaperResult has table columns ``label, family, parameter, excess_kurtosis,
    sinusoid_residual_sim`` (mean over seeds), ``sinusoid_residual_theory, frequency`` (k of the
    best sinusoid, seed 0), ``low_frequency_energy_sim`` (energy fraction in |k| <= 2, mean over
    seeds), ``ipr_sim_final, ipr_theory_final, cosine_final`` and scalars
    ``n_pixels, ipr_random, ipr_sinusoid`` (1.5/N); arrays ``t`` [T] and per member
    ``KEY/w_sim`` [T, N] (seed 0), ``KEY/w_final`` [seeds, N], ``KEY/fit`` [N] (best sinusoid to
    seed 0), ``KEY/w_theory_final`` [N], ``KEY/ipr_sim`` [seeds, T], ``KEY/ipr_theory`` [T]."""
    from ..simulations.simulate import run_simulation

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
                     "excess_kurtosis": s.excess_kurtosis,
                     "sinusoid_residual_sim": s.sinusoid_residual_sim_final,
                     "sinusoid_residual_theory": s.sinusoid_residual_theory_final, "frequency": int(k),
                     "low_frequency_energy_sim": float(low_frequency_energy(final).mean()),
                     "ipr_sim_final": s.ipr_sim_final_mean, "ipr_theory_final": s.ipr_theory_final,
                     "cosine_final": s.cosine_final})
    n = c.simulation.task.n_pixels
    table = {**_columns(rows), "n_pixels": n, "ipr_random": random_field_ipr(n), "ipr_sinusoid": IPR_LEVELS["sinusoid"] / n}
    return _finish("lufkin-fig4", c, table, arrays, start)


# ---------------------------------------------------------------------------------------------
# Lufkin, Saxe & Grant, Fig. 5: final IPR against excess kurtosis


@dataclass(frozen=True)
class Fig5Config(TrainingConfig):
    r"""Settings of `lufkin_fig5`: a single ReLU neuron on NLGP and Kur(k) pixels.

    NLGP gains give excess kurtosis in (-2, 0), Kur(k) members from -1.2 up to large positive
    values.

    Attributes:
        gains: NLGP gains g.
        ks: Kur(k) exponents k (> 4 for a finite kurtosis).
        simulation: the network, its training and the task's size and correlation lengths
            (family and parameter set per input; see `TrainingConfig`).
        QUICK: the small-scale settings used with ``quick=True``.
    """

    gains: tuple = tuple(float(g) for g in np.logspace(-2, 2, 10))
    ks: tuple = (4.1, 4.3, 4.5, 4.74, 5.0, 5.4, 6.1, 7.7, 10.0, 50.0)
    simulation: SimulationConfig = field(default_factory=lambda: SimulationConfig(
        task=TaskSpec(n_dims=40, xi0=0.3, xi1=0.7),
        lr=0.1, steps=2000, batch=5000, seeds=30, saves=20))
    QUICK: ClassVar[dict] = {"gains": (100.0,), "ks": (6.1, 5.0),
                             "simulation": {"task": {"n_dims": 20}, "steps": 500, "batch": 500, "seeds": 1, "saves": 5}}


def lufkin_fig5(config: Fig5Config) -> PaperResult:
    r"""Lufkin et al., Fig. 5: final IPR against the pixels' excess kurtosis.

    Final IPR of SGD and of the effective ODE at each pixel law, against its excess kurtosis
    $m_4 - 3$. The claim: IPR decreases with excess kurtosis (negative excess localizes).

    Arguments:
        config: the settings (resolved here: ``quick`` applies ``QUICK``).

    Returns:
        The `PaperResult` ``'lufkin-fig5'``, described below.

    The PaperResult has table columns (one row per point, sorted by excess kurtosis)
    ``label, family, parameter, excess_kurtosis, ipr_sim_final`` (mean over seeds),
    ``ipr_sim_final_std, ipr_theory_final`` and scalars ``spearman`` (rank correlation of excess
    kurtosis and mean final IPR), ``critical_kurtosis`` (where the IPR crosses halfway, on a
    log scale, from 3/N to its largest value: :func:`dyntools.metrics.critical_kurtosis`; None
    with ``critical_kurtosis_reason`` when there is no crossing), ``n_pixels, ipr_random``;
    arrays ``excess_kurtosis`` [P], ``ipr_sim`` [P, seeds], ``ipr_theory`` [P], ``is_nlgp`` [P]."""
    from scipy.stats import spearmanr

    from ..simulations.simulate import run_simulation

    start = time.perf_counter()
    c = config.resolved()
    rows, ipr_sim, ipr_theory = [], [], []
    for family, parameter in [("nlgp", g) for g in c.gains] + [("alg", k) for k in c.ks]:
        result = run_simulation(_simulation(c, family, parameter))
        s = result.summary
        ipr_sim.append(result.arrays["ipr_sim"][:, -1, 0])
        ipr_theory.append(s.ipr_theory_final)
        rows.append({"label": _label(family, parameter), "family": family, "parameter": parameter,
                     "excess_kurtosis": s.excess_kurtosis, "ipr_sim_final": s.ipr_sim_final_mean,
                     "ipr_sim_final_std": s.ipr_sim_final_std, "ipr_theory_final": s.ipr_theory_final})
    order = np.argsort([row["excess_kurtosis"] for row in rows], kind="stable")
    rows = [rows[i] for i in order]
    kurtosis = np.array([row["excess_kurtosis"] for row in rows])
    mean_ipr = np.array([row["ipr_sim_final"] for row in rows])
    n = c.simulation.task.n_pixels
    critical, reason = critical_kurtosis(kurtosis, mean_ipr, n)
    table = {**_columns(rows), "spearman": float(spearmanr(kurtosis, mean_ipr)[0]) if len(rows) > 1 else None,
             "critical_kurtosis": critical, "critical_kurtosis_reason": reason, "n_pixels": n, "ipr_random": random_field_ipr(n)}
    arrays = {"excess_kurtosis": kurtosis, "ipr_sim": np.array(ipr_sim)[order],
              "ipr_theory": np.array(ipr_theory)[order], "is_nlgp": np.array([r["family"] == "nlgp" for r in rows])}
    return _finish("lufkin-fig5", c, table, arrays, start)


# ---------------------------------------------------------------------------------------------
# Lufkin, Saxe & Grant, Fig. 6: many sigmoid neurons; ICA for contrast


@dataclass(frozen=True)
class Fig6Config(TrainingConfig):
    r"""Settings of `lufkin_fig6`: K sigmoid units with bias on Kur(k) inputs, and FastICA on Kur(``ica_k``).

    Attributes:
        ks: Kur(k) exponents of the SGD runs.
        ica_k: Kur(k) exponent of FastICA's data.
        ica_atoms: FastICA filters.
        ica_samples: FastICA's training samples.
        simulation: the network, its training and the task's size and correlation lengths
            (family and parameter set per input; see `TrainingConfig`).
        QUICK: the small-scale settings used with ``quick=True``.
    """

    ks: tuple = (10.0, 4.0)
    simulation: SimulationConfig = field(default_factory=lambda: SimulationConfig(
        task=TaskSpec(n_dims=100, xi0=1.0, xi1=3.0),
        neurons=10, activation="sigmoid", bias=True, lr=100.0, steps=5000, batch=1000, seeds=1, saves=50,
        init_scale=0.1))
    ica_k: float = 3.0
    ica_atoms: int = 40
    ica_samples: int = 20_000
    QUICK: ClassVar[dict] = {"simulation": {"task": {"n_dims": 60}, "steps": 2000, "batch": 300, "saves": 10},
                             "ica_atoms": 10, "ica_samples": 2000}


def lufkin_fig6(config: Fig6Config) -> PaperResult:
    r"""Lufkin et al., Fig. 6: many sigmoid units on Kur(k) inputs, and ICA for contrast.

    The committee machine $f(x) = \frac1K \sum_k \sigma(w_k \cdot x + b_k)$ trained by SGD on each
    Kur(k), and FastICA's filters on Kur(ica_k) (positive excess kurtosis: sparse pixels).
    Claims: Kur(10) (excess kurtosis -0.93) localizes, Kur(4) (infinite kurtosis) does not;
    ICA on Kur(3) localizes.

    Arguments:
        config: the settings (resolved here: ``quick`` applies ``QUICK``).

    Returns:
        The `PaperResult` ``'lufkin-fig6'``, described below.

    Raises:
        DyntoolsError: if a setting is invalid.

    The PaperResult has table columns (one row per Kur(k), then ICA) ``label, method,
    k, excess_kurtosis, ipr_median`` (over units / filters), ``ipr_mean, fraction_localized``
    (IPR >= 5/N) and scalars ``n_pixels, ipr_random``; arrays ``t`` [T] and per row
    ``KEY/w_final`` [K, N], ``KEY/ipr_final`` [K], plus ``KEY/ipr_t`` [T, K] for SGD rows
    (KEY: 'alg-10', ..., 'ica-alg-3')."""
    from ..baselines.run import BaselineConfig, task_sampler, train_baseline
    from ..inputs.task import build_task
    from ..simulations.simulate import run_simulation

    start = time.perf_counter()
    c = config.resolved()
    n = c.simulation.task.n_pixels
    threshold = localized_ipr(n)
    arrays, rows = {}, []

    def row(label, method, k, kurtosis, key, w):
        values = ipr(w)
        arrays.update({f"{key}/w_final": w, f"{key}/ipr_final": values})
        rows.append({"label": label, "key": key, "method": method, "k": k, "excess_kurtosis": kurtosis,
                     "ipr_median": float(np.median(values)), "ipr_mean": float(values.mean()),
                     "fraction_localized": float(np.mean(values >= threshold))})

    for k in c.ks:
        result = run_simulation(_simulation(c, "alg", k))
        key = _key("alg", k)
        arrays.update({"t": result.arrays["t"], f"{key}/ipr_t": result.arrays["ipr_sim"][0]})
        row(_label("alg", k), "sgd", k, result.summary.excess_kurtosis, key, result.arrays["w_sim"][0, -1])
    task = build_task(replace(c.simulation.task, family="alg", param=c.ica_k))
    filters = train_baseline(task_sampler(task), n, BaselineConfig("ica", atoms=c.ica_atoms, samples=c.ica_samples,
                                                                   seed=c.seed)).atoms
    row(f"ICA on {_label('alg', c.ica_k)}", "ica", c.ica_k, task.pixel_marginal.excess_kurtosis,
        f"ica-{_key('alg', c.ica_k)}", filters)
    return _finish("lufkin-fig6", c, {**_columns(rows), "n_pixels": n, "ipr_random": random_field_ipr(n)}, arrays, start)


# ---------------------------------------------------------------------------------------------
# 2-D NLGP: Lufkin, Saxe & Grant, Fig. 1 (right), and Ingrosso & Goldt's gain dependence


def _two_d_rows(c: TrainingConfig, gains) -> tuple[list[dict], dict]:
    """Train the network of ``c.simulation`` on the L x L NLGP at each gain through
    [`run_simulations`][dyntools.simulations.simulate.run_simulations] (seed 0 of
    ``c.simulation.seeds`` is reported); rows of final-IPR statistics and arrays ``t`` [T],
    ``KEY/w_final`` [K, L, L], ``KEY/ipr_t`` [T, K] (KEY = 'nlgp-GAIN').

    The network alone is run (see `_network_only`): for ReLU units without bias run_simulation
    would also integrate the K-unit effective ODE on L^2 pixels, which costs more than the
    network here and is not what these figures show (and on 2-D inputs that early-time theory
    does not follow the network; see docs/simulations.md)."""
    from ..simulations.simulate import run_simulations

    n, side, arrays, rows = c.simulation.task.n_pixels, c.simulation.task.n_dims, {}, []
    results = run_simulations([_network_only(_simulation(c, "nlgp", gain)) for gain in gains])
    for gain, result in zip(gains, results):
        key, values = _key("nlgp", gain), result.ipr_sim[0, -1]
        arrays.update({"t": result.t, f"{key}/w_final": result.w_sim[0, -1].reshape(-1, side, side),
                       f"{key}/ipr_t": result.ipr_sim[0]})
        rows.append({"gain": gain, "key": key, "excess_kurtosis": result.marginal.excess_kurtosis,
                     "ipr_median": float(np.median(values)), "ipr_mean": float(values.mean()),
                     "ipr_median_over_random": float(np.median(values) * n / IPR_LEVELS["random"]),
                     "fraction_localized": float(np.mean(values >= localized_ipr(n)))})
    return rows, arrays


def _network_only(settings: SimulationConfig) -> Prepared:
    """``settings`` prepared for [`run_simulations`][dyntools.simulations.simulate.run_simulations]
    without the effective theory: the network ``settings.network`` is trained as
    ``dyntools simulate`` trains it (same initial weights, same batches), and no ODE is solved."""
    from ..simulations.simulate import prepare

    return replace(prepare(settings), theory=None)


@dataclass(frozen=True)
class Fig1RightConfig(TrainingConfig):
    r"""Settings of `lufkin_fig1_right`: K units on the L x L NLGP torus at one gain.

    The gain is dyntools' (x = erf(g z) / Z(g)).

    Attributes:
        gain: NLGP gain g.
        simulation: the network, its training and the task's size and correlation lengths
            (family and parameter set per input; see `TrainingConfig`).
        QUICK: the small-scale settings used with ``quick=True``.
    """

    gain: float = 100.0
    simulation: SimulationConfig = field(default_factory=lambda: SimulationConfig(
        task=TaskSpec(n_dims=30, two_d=True, xi0=1.0, xi1=2.0),
        neurons=20, lr=1.0, steps=20_000, batch=500, seeds=1, saves=50))
    QUICK: ClassVar[dict] = {"simulation": {"task": {"n_dims": 10}, "neurons": 2, "lr": 0.1, "steps": 1000,
                                            "saves": 10}}


def lufkin_fig1_right(config: Fig1RightConfig) -> PaperResult:
    r"""Lufkin et al., Fig. 1 (right): receptive fields on the 2-D NLGP at a large gain.

    Receptive fields of a committee machine trained on the 2-D NLGP with a large gain
    (nearly binary pixels, excess kurtosis near -2), measured against the random level
    IPR = 3/N (N = L^2 pixels).

    Arguments:
        config: the settings (resolved here: ``quick`` applies ``QUICK``).

    Returns:
        The `PaperResult` ``'lufkin-fig1-right'``, described below.

    Raises:
        DyntoolsError: if a setting is invalid or SGD diverges.

    The PaperResult has one table row (columns ``gain, key, excess_kurtosis,
    ipr_median`` over units, ``ipr_mean, ipr_median_over_random`` (median IPR / (3/N)),
    ``fraction_localized`` (IPR >= 5/N)) and scalars ``n_pixels, ipr_random``; arrays ``t`` [T],
    ``KEY/w_final`` [K, L, L], ``KEY/ipr_t`` [T, K] (KEY = 'nlgp-GAIN')."""
    start = time.perf_counter()
    c = config.resolved()
    rows, arrays = _two_d_rows(c, (c.gain,))
    n = c.simulation.task.n_pixels
    return _finish("lufkin-fig1-right", c, {**_columns(rows), "n_pixels": n, "ipr_random": random_field_ipr(n)}, arrays, start)


@dataclass(frozen=True)
class IngrossoGoldtConfig(TrainingConfig):
    r"""Settings of `ingrosso_goldt_2d`: K units on the L x L NLGP torus at a small and a large gain.

    Gains are dyntools' (x = erf(g z) / Z(g)); Ingrosso & Goldt write erf(g z / sqrt 2): their
    gain is sqrt(2) g.

    Attributes:
        gains: NLGP gains g.
        simulation: the network, its training and the task's size and correlation lengths
            (family and parameter set per input; see `TrainingConfig`).
        QUICK: the small-scale settings used with ``quick=True``.
    """

    gains: tuple = (0.01, 3.0)
    simulation: SimulationConfig = field(default_factory=lambda: SimulationConfig(
        task=TaskSpec(n_dims=20, two_d=True, xi0=1.0, xi1=2.0),
        neurons=4, activation="sigmoid", bias=True, lr=50.0, steps=6000, batch=1000, seeds=1, saves=30,
        init_scale=0.1))
    QUICK: ClassVar[dict] = {"simulation": {"task": {"n_dims": 10}, "steps": 1000, "batch": 1000, "saves": 10}}  # batch 300: too noisy


def ingrosso_goldt_2d(config: IngrossoGoldtConfig) -> PaperResult:
    r"""Ingrosso & Goldt's 2-D result: localized fields at a large NLGP gain, not at a small one.

    Localized receptive fields emerge from the NLGP
    $x = \mathrm{erf}(g z) / \mathcal Z(g)$ at a large gain (nearly binary pixels) and not at a small one (nearly
    Gaussian pixels), with the same correlation lengths at both gains.

    Arguments:
        config: the settings (resolved here: ``quick`` applies ``QUICK``).

    Returns:
        The `PaperResult` ``'ingrosso-goldt-2d'``, described below.

    Raises:
        DyntoolsError: if a setting is invalid or SGD diverges.

    The PaperResult has table columns (one row per gain) ``gain, gain_ingrosso_goldt``
    (sqrt(2) g), ``key, excess_kurtosis, ipr_median, ipr_mean, ipr_median_over_random,
    fraction_localized`` and scalars ``n_pixels, ipr_random``; arrays ``t`` [T] and per gain
    ``KEY/w_final`` [K, L, L], ``KEY/ipr_t`` [T, K]."""
    start = time.perf_counter()
    c = config.resolved()
    rows, arrays = _two_d_rows(c, c.gains)
    for row in rows:
        row["gain_ingrosso_goldt"] = float(np.sqrt(2) * row["gain"])
    n = c.simulation.task.n_pixels
    return _finish("ingrosso-goldt-2d", c, {**_columns(rows), "n_pixels": n, "ipr_random": random_field_ipr(n)}, arrays, start)
