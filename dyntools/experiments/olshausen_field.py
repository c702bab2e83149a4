r"""Olshausen & Field (1996), Bell & Sejnowski (1997): sparse coding and ICA learn localized,
oriented, band-pass (Gabor-like) atoms from whitened natural-image patches.

Each method is trained on `seeds` seeds of the default images' patches
([`train_on_images`][dyntools.baselines.run.train_on_images]); every atom is fitted with a
Gabor ([`gabor_fit`][dyntools.metrics.gabor_fit]). The claim holds when, on every seed, at
least `target_share` of each method's atoms are Gabor-like and localized, their median fit
$R^2$ is at least 0.7, and at most `control_share` of the principal components (the
non-localized control) are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .papers import PaperConfig, PaperResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SOURCE = "Olshausen & Field (1996); Bell & Sejnowski (1997)"
COLUMNS = ("gabor_share", "gabor_r2_median", "gabor_nx_median", "gabor_ny_median", "ipr_median", "pca_gabor_share")


@dataclass(frozen=True)
class OlshausenFieldConfig(PaperConfig):
    """Settings of `olshausen_field`.

    Attributes:
        methods: the baselines trained (names of [`BASELINES`][dyntools.registries.BASELINES]).
        patch_size: side of the square patches, in pixels.
        seeds: seeds per method (``seed``, ``seed + 1``, ...).
        steps: dictionary updates of LCA, WARP-LCA and WLSC.
        samples: ICA's data set.
        target_share: the least share of Gabor-like, localized atoms the claim asks of each method.
        control_share: the most share the PCA control may reach.
        QUICK: the small-scale settings used with ``quick=True``.
    """

    methods: tuple[str, ...] = ("ica", "lca")
    patch_size: int = 12
    seeds: int = 3
    steps: int = 1000
    samples: int = 20_000
    target_share: float = 0.4
    control_share: float = 0.1
    QUICK = {"seeds": 1, "steps": 500}


def olshausen_field(config: OlshausenFieldConfig) -> PaperResult:
    """Train every method on every seed and measure its atoms as Gabors.

    Arguments:
        config: the settings (``quick`` resolved here).

    Returns:
        The result: a table with one row per method and seed (``method``, ``seed``,
            ``gabor_share``, ``gabor_r2_median``, ``gabor_nx_median``, ``gabor_ny_median``,
            ``ipr_median``, ``pca_gabor_share``), ``claim_holds`` and ``patch_size``; arrays
            ``METHOD/atoms`` (the first seed's atoms) and ``METHOD/share`` [seeds].
    """
    from ..baselines import BaselineConfig, train_on_images

    config = config.resolved()
    rows, arrays = [], {}
    for method in config.methods:
        shares = []
        for seed in range(config.seed, config.seed + config.seeds):
            result = train_on_images(BaselineConfig(method, steps=config.steps, samples=config.samples, seed=seed),
                                     config.patch_size)
            rows.append({"method": method, "seed": seed, **{key: result.summary[key] for key in COLUMNS}})
            shares.append(result.summary["gabor_share"])
            arrays.setdefault(f"{method}/atoms", result.atoms)
        arrays[f"{method}/share"] = np.array(shares)
    holds = all(row["gabor_share"] >= config.target_share and row["gabor_r2_median"] >= 0.7
                and row["pca_gabor_share"] <= config.control_share for row in rows)
    table = {key: [row[key] for row in rows] for key in ("method", "seed", *COLUMNS)}
    table |= {"claim_holds": holds, "patch_size": config.patch_size}
    return PaperResult("olshausen-field", config.as_dict(), table, arrays)


def olshausen_field_figure(result: PaperResult) -> Figure:
    """The first seed's atoms of every method, and the share of Gabor-like, localized atoms of
    every method and seed beside the PCA control and the target.

    Arguments:
        result: a result of `olshausen_field` (or read back by ``load_result``).

    Returns:
        The figure (Agg backend).
    """
    from ..plots import OTHERS, _pyplot, atom_mosaic, level_line

    plt = _pyplot()
    table, config = result.table, result.config
    methods = list(dict.fromkeys(table["method"]))
    size = table["patch_size"]
    fig, axes = plt.subplots(1, len(methods) + 1, figsize=(5.2 * len(methods) + 5, 5.6), constrained_layout=True,
                             width_ratios=[1.3] * len(methods) + [1])
    for ax, method in zip(axes, methods):
        image = atom_mosaic(ax, result.arrays[f"{method}/atoms"], (size, size))
        ax.set_title(f"{method.upper()}: {len(result.arrays[f'{method}/atoms'])} atoms, seed {config['seed']}")
    fig.colorbar(image, ax=axes[:-1], shrink=0.7, label="w / max |w| (each atom)")
    bars = axes[-1]
    for i, method in enumerate(methods):
        shares = result.arrays[f"{method}/share"]
        bars.bar(i, np.mean(shares), color=OTHERS[i], alpha=0.5)
        bars.plot(np.full(len(shares), i), shares, "o", color=OTHERS[i])
    control = [s for s, m in zip(table["pca_gabor_share"], table["method"]) if m == methods[0]]
    bars.bar(len(methods), np.mean(control), color="tab:gray", alpha=0.5)
    bars.plot(np.full(len(control), len(methods)), control, "o", color="tab:gray")
    level_line(bars, config["target_share"], f"target {config['target_share']:.0%}")
    bars.set_xticks(range(len(methods) + 1), [m.upper() for m in methods] + ["PCA\n(control)"])
    bars.set_xlabel("method (PCA: the patches' principal components)")
    bars.set_ylim(0, 1), bars.set_ylabel("share of atoms Gabor-like and localized")
    seeds = "the seed" if config["seeds"] == 1 else f"the {config['seeds']} seeds"
    bars.set_title(f"Gabor fits: bars the mean,\ndots {seeds}")
    verdict = "holds" if table["claim_holds"] else "does NOT hold"
    fig.suptitle(f"{SOURCE}: {size} x {size} whitened patches of scikit-image's photographs\n"
                 f"LCA: {config['steps']} dictionary steps at the defaults; ICA on {config['samples']} patches; "
                 f"claim {verdict}")
    return fig
