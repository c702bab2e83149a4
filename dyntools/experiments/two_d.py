r"""Why the effective ODE (Eq. 5) fails on 2-D inputs: its approximations, one at a time.

The exact single-neuron flow (A) is $\dot w = \tfrac12[E_1(x\,\mathrm{sign}(w\cdot x)) -
(\Sigma_0+\Sigma_1) w]$. Eq. 5 writes the first term pixel by pixel as
$E_{x_i}[x_i\,E(\mathrm{sign}(w\cdot x)\mid x_i)]$ and replaces the law of
$h = w\cdot x$ given $x_i$ by a Gaussian with

* mean $m_i(x_i) = x_i (\Sigma_1 w)_i$ (linear in $x_i$), and
* variance $v_i = w^\top\Sigma_1 w - (\Sigma_1 w)_i^2$ (the same for every $x_i$),

so that $E(\mathrm{sign}\,h\mid x_i) = \mathrm{erf}(m_i / \sqrt{2 v_i})$, which gives the
amplifier $\phi(a_i)$. Here each step is replaced in turn by its exact value, estimated
on a fixed Monte-Carlo sample of class 1: $x_i$ is cut into quantile bins and
$E(h\mid x_i)$, $\mathrm{Var}(h\mid x_i)$ are the bin means. Every variant drives
the same Euler flow from the network's initial weights, so the one that recovers the exact
flow's localization names the approximation that fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from ..inputs.spec import TaskSpec
from ..metrics import cosine_similarity, ipr, random_field_ipr
from ..simulations.config import SimulationConfig
from .papers import PaperConfig, PaperResult

if TYPE_CHECKING:
    from ..theory.amplifier import Amplifier

DRIVES = {  # name: what replaces E_1[x_i sign(w.x)]
    "exact": "Monte-Carlo mean of x sign(w.x): the exact flow (A)",
    "gaussian-exact-moments": "h | x_i Gaussian with its exact conditional mean and variance",
    "exact-mean": "exact conditional mean, Eq. 5's constant variance",
    "exact-variance": "Eq. 5's linear mean, exact conditional variance",
    "eq5-binned": "Eq. 5's mean and variance on the same bins (checks the binning)",
    "eq5": "Eq. 5: the amplifier phi(a)",
}


@dataclass(frozen=True)
class TwoDConfig(PaperConfig):
    r"""Settings of `two_d_discrepancy`: a ring against a torus, SGD and the drives' Euler flows.

    SGD runs as ``dyntools simulate`` does; the drives are estimated on ``samples`` class-1
    samples and integrated by linearly implicit Euler steps.

    Attributes:
        task: the ring's task ([`TaskSpec`][dyntools.inputs.spec.TaskSpec]: family, kurtosis,
            N = ``n_dims`` pixels, $\xi_0, \xi_1$ in sites); the torus task is the same on
            ``side`` x ``side`` pixels.
        side: L, side of the L x L torus.
        steps: SGD steps.
        lr: SGD learning rate (time t = lr x steps).
        batch: samples per SGD step.
        seeds: SGD runs that share the initial weights (at least 2: seed cosines are reported).
        samples: M, class-1 Monte-Carlo samples for the drives.
        bins: quantile bins per pixel.
        dt: Euler step of the flows, in time units.
        horizon: end time of the flows.
        QUICK: the small-scale settings used with ``quick=True``.
    """

    task: TaskSpec = field(default_factory=lambda: TaskSpec(kurtosis=-1.5, n_dims=40))
    side: int = 10
    steps: int = 1200
    lr: float = 0.05
    batch: int = 2000
    seeds: int = 3
    samples: int = 400_000
    bins: int = 40
    dt: float = 0.25
    horizon: float = 60.0
    QUICK = {"task": {"n_dims": 24}, "side": 10, "steps": 400, "seeds": 2, "samples": 30_000, "bins": 20, "dt": 0.5,
             "horizon": 20.0}


class BinnedSample:
    """Class-1 samples with each pixel cut into quantile bins, for conditional means given $x_i$.

    Arguments:
        x: [M, N] samples (flattened pixels).
        bins: quantile bins per pixel (each holds about M / bins samples).

    Attributes:
        x: [M, N] the samples.
        bins: quantile bins per pixel.
        index: [M * N] flat bin index (pixel i's bins are i * bins ... (i + 1) * bins - 1).
        counts: [N * bins] samples per bin.
        x_bar: [N, bins] mean of $x_i$ in each bin.
    """

    def __init__(self, x: np.ndarray, bins: int):
        m_samples, n = x.shape
        rank = np.argsort(np.argsort(x, axis=0), axis=0)
        self.x, self.bins = x, bins
        self.index = ((rank * bins) // m_samples + bins * np.arange(n)).ravel()
        self.counts = np.bincount(self.index, minlength=bins * n)
        self.x_bar = self.bin_mean(x)  # [N, bins]

    def bin_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` over the samples in each bin of $x_i$.

        Arguments:
            values: [M, N] or broadcastable to it (e.g. [M, 1]).

        Returns:
            [N, bins] bin means.
        """
        n = self.x.shape[1]
        total = np.bincount(self.index, np.broadcast_to(values, self.x.shape).ravel(), self.bins * n)
        return (total / self.counts).reshape(n, self.bins)

    def drive(self, name: str, w: np.ndarray, sigma1_w: np.ndarray, amplifier: Amplifier) -> np.ndarray:
        r"""The variant ``name`` of $E_1[x_i\, \mathrm{sign}(w \cdot x)]$ (see ``DRIVES``).

        Arguments:
            name: a key of ``DRIVES``.
            w: [N] weights.
            sigma1_w: [N] the exact $\Sigma_1 w$.
            amplifier: $\phi$, applied to $a = \Sigma_1 w / \sqrt{w^\top \Sigma_1 w}$ (``'eq5'`` only).

        Returns:
            [N] the drive.
        """
        from scipy.special import erf

        q = w @ sigma1_w
        if name == "eq5":
            return amplifier.values(sigma1_w / np.sqrt(q))
        h = self.x @ w
        if name == "exact":
            return self.x.T @ np.sign(h) / len(h)
        mean = self.bin_mean(h[:, None])
        exact = {"mean": mean, "variance": self.bin_mean(h[:, None] ** 2) - mean**2}
        eq5 = {"mean": self.x_bar * sigma1_w[:, None], "variance": (q - sigma1_w**2)[:, None]}
        m, v = {"gaussian-exact-moments": (exact["mean"], exact["variance"]),
                "exact-mean": (exact["mean"], eq5["variance"]),
                "exact-variance": (eq5["mean"], exact["variance"]),
                "eq5-binned": (eq5["mean"], eq5["variance"])}[name]
        return (self.x_bar * erf(m / np.sqrt(2 * v))).mean(axis=1)


def _geometry(config: TwoDConfig, two_d: bool) -> dict:
    """SGD, then every drive's Euler flow from the network's initial weights, on one geometry."""
    from .._jax import jnp
    from ..simulations.simulate import prepare, run_simulation

    task = replace(config.task, n_dims=config.side, two_d=True) if two_d else config.task
    sim_config = SimulationConfig(task=task, steps=config.steps, lr=config.lr, batch=config.batch,
                                  seeds=config.seeds, seed=config.seed, saves=config.steps // 100)
    prepared = prepare(sim_config)
    task, amplifier = prepared.task, prepared.amplifier
    network = run_simulation(prepared).arrays["w_sim"][:, :, 0]  # [seeds, T, N]
    x = np.asarray(task.class1.sample(_key(config.seed + 2), config.samples), dtype=float).reshape(config.samples, -1)
    sample = BinnedSample(x, config.bins)

    def sigma(cov, w):
        return np.asarray(cov.apply_flat(jnp.asarray(w)[None]))[0]

    # linearly implicit Euler: the stiff term -(Sigma_0 + Sigma_1) w / 2 is taken at the new step
    # (its largest eigenvalue is ~15 on the 10 x 10 torus), solved in Fourier space
    shape = task.shape
    damping = 1 + config.dt / 2 * np.real(np.fft.fftn(task.sigma0.first_row + task.sigma1.first_row))

    def step(w, drive):
        rhs = np.fft.fftn((w + config.dt / 2 * drive).reshape(shape))
        return np.real(np.fft.ifftn(rhs / damping)).ravel()

    every = max(1, round(config.horizon / config.dt / 30))
    flows = {name: [] for name in DRIVES}
    finals = {}
    for name in DRIVES:
        w = network[0, 0].copy()
        for i in range(round(config.horizon / config.dt) + 1):
            if i % every == 0:
                flows[name].append(w.copy())
            w = step(w, sample.drive(name, w, sigma(task.sigma1, w), amplifier))
        finals[name] = np.array(flows[name])
    exact_final = finals["exact"][-1]
    s1w = sigma(task.sigma1, exact_final)
    exact_drive = sample.drive("exact", exact_final, s1w, amplifier)
    error = {name: float(np.linalg.norm(sample.drive(name, exact_final, s1w, amplifier) - exact_drive)
                         / np.linalg.norm(exact_drive)) for name in DRIVES}
    return {"t": np.arange(len(finals["exact"])) * every * config.dt, "flows": finals, "drive_error": error,
            "network_ipr": ipr(network).mean(axis=0), "network_t": config.lr * np.arange(network.shape[1]) * 100,
            "network_final": network[:, -1], "n_pixels": task.n_pixels}


def _key(seed: int):
    from .._jax import jax

    return jax.random.PRNGKey(seed)


def two_d_discrepancy(config: TwoDConfig) -> PaperResult:
    """Run the comparison of the drives on the ring and on the torus.

    On each geometry: SGD, then every drive's Euler flow from the network's initial weights.

    Arguments:
        config: the settings (resolved here: ``quick`` applies ``QUICK``).

    Returns:
        The `PaperResult` ``'two-d-discrepancy'``. Its table has one row per geometry and
            drive (columns ``geometry, drive, final_ipr, cosine_with_exact_flow,
            drive_error_at_exact_end``: the flow's final IPR, its cosine with the exact flow at
            the end, the drive's relative error against the exact one at the exact flow's final
            weights) and per geometry G in {1-D, 2-D} scalars ``network_final_ipr_G``,
            ``network_seed_cosine_G``, ``random_field_ipr_G`` (3/N); arrays ``G-t`` [T],
            ``G-DRIVE-ipr`` [T], ``G-network-t`` and ``G-network-ipr`` [steps // 100 + 1].
    """
    config = config.resolved()
    table = {"geometry": [], "drive": [], "final_ipr": [], "cosine_with_exact_flow": [], "drive_error_at_exact_end": []}
    arrays = {}
    for two_d in (False, True):
        label = "2-D" if two_d else "1-D"
        result = _geometry(config, two_d)
        exact = result["flows"]["exact"][-1]
        for name, flow in result["flows"].items():
            table["geometry"].append(label)
            table["drive"].append(name)
            table["final_ipr"].append(float(ipr(flow[-1])))
            table["cosine_with_exact_flow"].append(float(cosine_similarity(flow[-1], exact)))
            table["drive_error_at_exact_end"].append(result["drive_error"][name])
            arrays[f"{label}-{name}-ipr"] = ipr(flow)
        seeds = result["network_final"]
        table[f"network_final_ipr_{label}"] = float(ipr(seeds).mean())
        table[f"network_seed_cosine_{label}"] = float(cosine_similarity(seeds[0], seeds[1]))
        table[f"random_field_ipr_{label}"] = random_field_ipr(result["n_pixels"])
        arrays[f"{label}-t"] = result["t"]
        arrays[f"{label}-network-ipr"] = result["network_ipr"]
        arrays[f"{label}-network-t"] = result["network_t"]
    return PaperResult("two-d-discrepancy", config.as_dict(), table, arrays)


def two_d_discrepancy_figure(result: PaperResult):
    """IPR over time of every drive's flow and of the network (mean over seeds), ring and torus.

    The exact flow in black, Eq. 5 (the theory) red dashed, the network blue solid with markers,
    the other drives in other colours; the random-field level labelled in place.

    Arguments:
        result: a result of `two_d_discrepancy`.

    Returns:
        figure (matplotlib.figure.Figure): two panels (1-D, 2-D), Agg backend.
    """
    from ..plots import NETWORK, OTHERS, THEORY, _pyplot, ipr_log_axis, level_line

    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.5), sharey=True, layout="constrained")
    styles = {"exact": {"color": "k", "ls": "-", "lw": 2}, "gaussian-exact-moments": {"color": OTHERS[2], "ls": "--"},
              "exact-mean": {"color": OTHERS[0], "ls": "--"}, "exact-variance": {"color": OTHERS[1], "ls": "-"},
              "eq5-binned": {"color": OTHERS[3], "ls": ":", "lw": 2}, "eq5": THEORY}
    a, table = result.arrays, result.table
    settings = _settings(result.config)
    for ax, label in zip(axes, ("1-D", "2-D")):
        for name, style in styles.items():
            ax.plot(a[f"{label}-t"], a[f"{label}-{name}-ipr"], **style, label=f"{name}: {DRIVES[name]}")
        ax.plot(a[f"{label}-network-t"], a[f"{label}-network-ipr"], marker="o", ms=4, **NETWORK,
                label="network (SGD, mean over seeds)")
        level_line(ax, table[f"random_field_ipr_{label}"], "random field 3/N", ls=":")
        ipr_log_axis(ax), ax.set_xlabel("time t = lr x steps"), ax.set_ylabel("IPR")
        pixels = f"{settings['side']} x {settings['side']} torus" if label == "2-D" else f"N = {settings['ring']} ring"
        ax.set_title(f"{label}: {pixels}", fontsize=11)
    fig.legend(*axes[1].get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=9)
    training = "".join(f", {key} {settings[key]}" for key in ("lr", "steps", "batch", "seeds", "samples") if key in settings)
    fig.suptitle(f"Why Eq. 5 fails on a torus (two-d-discrepancy): each drive's flow against the network\n"
                 f"{settings['law']}, xi = {tuple(settings['xi'])}{training}")
    return fig


def _settings(config: dict) -> dict:
    """A recorded config (flat in dyntools 0.x runs) with ``ring``, ``xi`` and the pixel ``law``
    added, for titles."""
    if "task" not in config:
        return {**config, "law": f"excess kurtosis {config['kurtosis']:g}"}
    task = config["task"]
    law = (f"excess kurtosis {task['kurtosis']:g}" if task["kurtosis"] is not None
           else f"{task['family']}, param {task['param']:g}")
    return {**config, "ring": task["n_dims"], "law": law, "xi": (task["xi0"], task["xi1"])}
