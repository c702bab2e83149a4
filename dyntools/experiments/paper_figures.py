"""Figures of the paper reproductions, drawn only from a :class:`PaperResult` (its ``config``,
``table`` and ``arrays``), so a saved result redraws without rerunning anything.

Every function returns a matplotlib Figure (Agg backend). Receptive fields use a diverging map
centred on zero; titles state what is shown, not what it is expected to show.
"""

from __future__ import annotations

import numpy as np

from ..metrics import circular_peak
from ..plots import (
    DIVERGING,
    NETWORK,
    OTHERS,
    THEORY,
    centred,
    evolution,
    ipr_levels,
    ipr_log_axis,
    kurtosis_axis,
    legend_outside,
    peak,
    pixel_ticks,
    relative,
    show_field,
)
from .papers import PaperResult, settings_table

LUFKIN = "Lufkin, Saxe & Grant (NeurIPS 2024)"
INGROSSO_GOLDT = "Ingrosso & Goldt (PNAS 2022)"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _fmt(x) -> str:
    """A table number for a title: None (non-finite when saved) and inf read as 'inf'."""
    return "inf" if x is None or not np.isfinite(x) else f"{x:.3g}"


def _seeds(count: int) -> str:
    return f"{count} seed{'s' if count > 1 else ''}"


def _training(cfg: dict) -> str:
    """lr, steps, batch and seeds of a reproduction's settings, for a title."""
    seeds = f", {_seeds(cfg['seeds'])}" if "seeds" in cfg else ""
    return f"lr {cfg['lr']}, {cfg['steps']} steps, batch {cfg['batch']}{seeds}"


def _ipr_over_time(ax, t, curves: dict, n: int, title: str, *levels: str):
    """IPR against time: label -> (values, style); values [T] or [1, T] (a line) or [R, T]
    (median line, min-max band); the IPR reference ``levels`` labelled in place."""
    for label, (values, style) in curves.items():
        values = np.asarray(values)
        if values.ndim == 2 and len(values) == 1:
            values = values[0]
        if values.ndim == 1:
            ax.plot(t, values, **style, label=label)
        else:
            ax.plot(t, np.median(values, axis=0), **style, label=f"{label}: median")
            ax.fill_between(t, values.min(axis=0), values.max(axis=0), color=style["color"], alpha=0.2,
                            label=f"{label}: min-max")
    ipr_levels(ax, n, *levels)
    ipr_log_axis(ax)
    ax.set_xlabel("time t = lr x steps"), ax.set_ylabel("IPR")
    ax.set_title(title, fontsize=10)
    legend_outside(ax)


def _fields_image(ax, fields: np.ndarray, title: str):
    """Rows of 1-D fields sorted by circular peak position, each centred on its peak and scaled
    to max |w| = 1 (the peak positions as tick labels)."""
    fields = fields[np.argsort(circular_peak(fields)[0])]
    n = fields.shape[1]
    peaks = [peak(w, (n,))[0] for w in fields]
    scaled = np.array([centred(w, (n,), (p,)) for w, p in zip(fields, peaks)]) / np.abs(fields).max(axis=1, keepdims=True)
    im = ax.imshow(scaled, aspect="auto", cmap=DIVERGING, vmin=-1, vmax=1, interpolation="nearest",
                   extent=(-(n // 2) - 0.5, n - n // 2 - 0.5, len(fields) - 0.5, -0.5))
    step = max(1, len(fields) // 12)
    ax.set_yticks(range(0, len(fields), step), [str(p) for p in peaks[::step]])
    ax.set_xlabel("pixel relative to the unit's peak"), ax.set_ylabel("unit, by peak position (its peak pixel)")
    pixel_ticks(ax)
    ax.set_title(title, fontsize=10)
    ax.figure.colorbar(im, ax=ax, shrink=0.85, label="w / max|w| (each unit)")


def _field_grid(subfig, fields: np.ndarray, title: str, values: np.ndarray):
    """2-D fields [K, L, L] in a grid filling ``subfig``, each centred on its peak and scaled to
    max |w| = 1, its IPR above it."""
    cols = int(np.ceil(np.sqrt(len(fields))))
    rows = int(np.ceil(len(fields) / cols))
    axes = np.ravel(subfig.subplots(rows, cols, squeeze=False))
    shape = fields.shape[1:]
    for ax, w, value in zip(axes, fields, values):
        im = show_field(ax, np.ravel(w) / np.abs(w).max(), shape, 1.0, ticks=False)
        ax.set_title(f"IPR {value:.3f}", fontsize=9)
    for ax in axes[len(fields):]:
        ax.set_axis_off()
    subfig.colorbar(im, ax=axes, shrink=0.8, label="w / max|w| (each field, centred on its peak)")
    subfig.suptitle(title, fontsize=10)


def _marginal(ax, arrays: dict, key: str, label: str, kurtosis):
    """The pixel law of one row: probabilities of a discrete law, or the density on a log axis (its tails)."""
    if f"{key}/atoms_x" in arrays:
        ax.vlines(arrays[f"{key}/atoms_x"], 0, arrays[f"{key}/atoms_p"], color=OTHERS[0], lw=4)
        ax.set_xlim(-2, 2), ax.set_ylim(0, 1)
        ax.set_ylabel("probability P(X = x)")
    else:
        density = arrays[f"{key}/density"]
        ax.plot(arrays[f"{key}/density_x"], density, color=OTHERS[0])
        ax.set_yscale("log"), ax.set_ylim(max(density.max() * 1e-5, 1e-300), density.max() * 2)
        ax.set_ylabel("density p(x) (log scale)")
    ax.set_xlabel("pixel value x (unit variance)")
    ax.set_title(f"{label}: pixel marginal,\nexcess kurtosis {_fmt(kurtosis)}", fontsize=10)


def _amplifier(ax, a: np.ndarray, arrays: dict, key: str, title: str):
    """phi(a) by quadrature, its cubic approximation and the Gaussian line."""
    ax.plot(a, arrays[f"{key}/phi"], "k", lw=2, label="phi(a), quadrature")
    ax.plot(a, arrays[f"{key}/phi_cubic"], ls="--", color=OTHERS[1], lw=1.5, label="cubic approximation")
    ax.plot(a, np.sqrt(2 / np.pi) * a, ":", color="gray", label="Gaussian: sqrt(2/pi) a")
    ax.set_xlabel("a"), ax.set_ylabel("phi(a)")
    ax.set_title(title, fontsize=10)
    legend_outside(ax)


def lufkin_fig3_figure(result: PaperResult):
    """Lufkin et al., Fig. 3: one row per pixel law.

    Columns: marginal (density on a log axis); amplifier (quadrature, cubic, Gaussian line);
    effective-ODE field over time; SGD field over time (seed 0); IPR over time. Fields are
    centred on their final peak.

    Arguments:
        result: a result of `lufkin_fig3` (or read back by ``load_result``).

    Returns:
        figure (matplotlib.figure.Figure): the figure, Agg backend.
    """
    plt = _pyplot()
    table, arrays, cfg = result.table, result.arrays, settings_table(result.config)
    keys, a, t, n = table["key"], arrays["a"], arrays["t"], table["n_pixels"]
    fig, axes = plt.subplots(len(keys), 5, figsize=(27, 4.4 * len(keys)), constrained_layout=True, squeeze=False)
    for row, key in enumerate(keys):
        label = table["label"][row]
        _marginal(axes[row, 0], arrays, key, label, table["excess_kurtosis"][row])
        _amplifier(axes[row, 1], a, arrays, key, f"{label}: amplifier;\nmax |cubic - phi| = "
                   f"{table['cubic_max_error'][row]:.2g} for |a| <= 0.5")
        limit = float(max(np.abs(arrays[f"{key}/w_theory"]).max(), np.abs(arrays[f"{key}/w_sim"]).max())) or 1.0
        evolution(axes[row, 2], arrays[f"{key}/w_theory"], t, f"{label}: effective ODE (Eq. 5)", limit)
        evolution(axes[row, 3], arrays[f"{key}/w_sim"], t, f"{label}: SGD, seed 0", limit)
        _ipr_over_time(axes[row, 4], t, {"effective ODE": (arrays[f"{key}/ipr_theory"], THEORY),
                                         f"SGD ({_seeds(cfg.get('seeds', 1))})": (arrays[f"{key}/ipr_sim"], NETWORK)}, n,
                       f"{label}: IPR;\nfinal SGD {table['ipr_sim_final'][row]:.3f}, ODE "
                       f"{table['ipr_theory_final'][row]:.3f}")
    fig.suptitle(f"{LUFKIN}, Fig. 3: single ReLU neuron, N = {n}, xi = {tuple(cfg['xi'])}, {_training(cfg)}")
    return fig


def _unit(w: np.ndarray, at: tuple[int]) -> np.ndarray:
    """A 1-D field scaled to unit norm (shapes are compared, not sizes), centred on pixel ``at``."""
    return centred(w / np.linalg.norm(w), (len(w),), at)


def lufkin_fig4_figure(result: PaperResult):
    """Lufkin et al., Fig. 4: one row per elliptical law.

    Columns: SGD field over time; final fields (SGD, best sinusoid, effective ODE), each scaled
    to unit norm and centred on the SGD field's peak; IPR over time.

    Arguments:
        result: a result of `lufkin_fig4` (or read back by ``load_result``).

    Returns:
        figure (matplotlib.figure.Figure): the figure, Agg backend.
    """
    plt = _pyplot()
    table, arrays, cfg = result.table, result.arrays, settings_table(result.config)
    keys, t, n = table["key"], arrays["t"], table["n_pixels"]
    fig, axes = plt.subplots(len(keys), 3, figsize=(21, 4.4 * len(keys)), constrained_layout=True, squeeze=False)
    for row, key in enumerate(keys):
        label = table["label"][row]
        evolution(axes[row, 0], arrays[f"{key}/w_sim"], t, f"{label}: SGD, seed 0")
        ax = axes[row, 1]
        sgd = arrays[f"{key}/w_final"][0]
        at = peak(sgd, (n,))
        ax.plot(relative(n), _unit(sgd, at), marker="o", ms=3, **NETWORK, label="SGD, seed 0")
        ax.plot(relative(n), _unit(arrays[f"{key}/fit"], at), ":", color=OTHERS[0], lw=2,
                label=f"best sinusoid (k = {table['frequency'][row]})")
        ax.plot(relative(n), _unit(arrays[f"{key}/w_theory_final"], at), **THEORY, label="effective ODE")
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_xlabel(f"pixel relative to the SGD field's peak (at {at[0]})"), ax.set_ylabel("w / |w|")
        pixel_ticks(ax)
        ax.set_title(f"{label}: final fields; sinusoid-fit residual SGD {table['sinusoid_residual_sim'][row]:.3f}, "
                     f"ODE {table['sinusoid_residual_theory'][row]:.1e};\nSGD energy in |k| <= 2: "
                     f"{table['low_frequency_energy_sim'][row]:.2f}", fontsize=10)
        legend_outside(ax)
        _ipr_over_time(axes[row, 2], t, {"effective ODE": (arrays[f"{key}/ipr_theory"], THEORY),
                                         f"SGD ({_seeds(cfg.get('seeds', 1))})": (arrays[f"{key}/ipr_sim"], NETWORK)}, n,
                       f"{label}: IPR, final SGD {table['ipr_sim_final'][row]:.3f}", "random", "localized",
                       "sinusoid", "constant")
    fig.suptitle(f"{LUFKIN}, Fig. 4: elliptical inputs, single ReLU neuron, N = {n}, xi = {tuple(cfg['xi'])}, "
                 f"{_training(cfg)}")
    return fig


def lufkin_fig5_figure(result: PaperResult):
    """Lufkin et al., Fig. 5: final IPR against excess kurtosis.

    SGD (median, min-max over seeds) and the effective ODE, NLGP and Kur(k) points marked
    apart, the crossing kurtosis where there is one.

    Arguments:
        result: a result of `lufkin_fig5` (or read back by ``load_result``).

    Returns:
        figure (matplotlib.figure.Figure): the figure, Agg backend.
    """
    plt = _pyplot()
    table, arrays, cfg = result.table, result.arrays, settings_table(result.config)
    k, sims, theory, nlgp = arrays["excess_kurtosis"], arrays["ipr_sim"], arrays["ipr_theory"], arrays["is_nlgp"]
    fig, ax = plt.subplots(figsize=(12, 6), constrained_layout=True)
    for mask, marker, name in ((nlgp, "o", "NLGP"), (~nlgp, "s", "Kur(k)")):
        if mask.any():
            median = np.median(sims[mask], axis=1)
            spread = [median - sims[mask].min(axis=1), sims[mask].max(axis=1) - median]
            ax.errorbar(k[mask], median, yerr=spread, fmt=marker, color=NETWORK["color"], capsize=3,
                        label=f"{name}: SGD median, min-max over {_seeds(sims.shape[1])}")
            ax.plot(k[mask], theory[mask], marker, color=THEORY["color"], mfc="none", label=f"{name}: effective ODE")
    ipr_levels(ax, table["n_pixels"])
    if table["critical_kurtosis"] is not None:
        ax.axvline(table["critical_kurtosis"], color="k", ls="-.", lw=1)
        ax.annotate(f"crossing excess kurtosis {table['critical_kurtosis']:.2f}", xy=(table["critical_kurtosis"], 1),
                    xycoords=("data", "axes fraction"), xytext=(3, -12), textcoords="offset points", fontsize=8)
    kurtosis_axis(ax, k, "pixel excess kurtosis m4 - 3")
    ipr_log_axis(ax), ax.set_ylabel("final IPR")
    ax.set_title(f"{LUFKIN}, Fig. 5: final IPR vs pixel excess kurtosis; Spearman rank correlation "
                 f"{_fmt(table['spearman'])}\nsingle ReLU neuron, N = {table['n_pixels']}, xi = {tuple(cfg['xi'])}, "
                 f"{_training(cfg)}", fontsize=10)
    legend_outside(ax)
    return fig


def lufkin_fig6_figure(result: PaperResult):
    """Lufkin et al., Fig. 6: final fields of the SGD units and ICA filters, and their IPR.

    Final fields of each SGD run and of ICA (units x pixels, sorted by peak, each centred on
    its peak), IPR over time of the SGD runs, and the final IPR of every unit / filter.

    Arguments:
        result: a result of `lufkin_fig6` (or read back by ``load_result``).

    Returns:
        figure (matplotlib.figure.Figure): the figure, Agg backend.
    """
    plt = _pyplot()
    table, arrays, cfg = result.table, result.arrays, settings_table(result.config)
    keys, n = table["key"], table["n_pixels"]
    fig = plt.figure(figsize=(6 * len(keys), 10), constrained_layout=True)
    grid = fig.add_gridspec(2, 2 * len(keys))
    units = {"sgd": f"{cfg['neurons']} sigmoid units with bias (SGD)", "ica": f"{cfg['ica_atoms']} ICA filters"}
    for i, (key, label, method) in enumerate(zip(keys, table["label"], table["method"])):
        _fields_image(fig.add_subplot(grid[0, 2 * i:2 * i + 2]), arrays[f"{key}/w_final"], f"{label}: {units[method]}")
    sgd = [i for i, m in enumerate(table["method"]) if m == "sgd"]
    colours = {i: {**NETWORK, "color": c} for i, c in zip(sgd, (NETWORK["color"], *OTHERS))}
    _ipr_over_time(fig.add_subplot(grid[1, :len(keys)]), arrays["t"],
                   {table["label"][i] + " units": (arrays[f"{keys[i]}/ipr_t"].T, colours[i]) for i in sgd}, n,
                   "IPR of the SGD units over time")
    ax = fig.add_subplot(grid[1, len(keys):])
    for i, key in enumerate(keys):
        values = arrays[f"{key}/ipr_final"]
        colour = colours[i]["color"] if i in colours else OTHERS[-1 - i % 3]
        ax.plot(np.full(values.size, i) + np.linspace(-0.15, 0.15, values.size), values, "o", color=colour,
                label=f"{table['label'][i]}: median {table['ipr_median'][i]:.3f}")
    ipr_levels(ax, n)
    ax.set_xticks(range(len(keys)), table["label"], fontsize=9)
    ax.set_xlabel("inputs and method")
    ipr_log_axis(ax), ax.set_ylabel("final IPR (one point per unit / filter)")
    ax.set_title("final IPR of every unit / filter", fontsize=10)
    legend_outside(ax)
    fig.suptitle(f"{LUFKIN}, Fig. 6: Kur(k) inputs, N = {n}, xi = {tuple(cfg['xi'])}; SGD {_training(cfg)}, "
                 f"init scale {cfg['init_scale']}; ICA on {cfg['ica_samples']} samples")
    return fig


def _two_d_figure(result: PaperResult, heading: str):
    """One row per gain: the final 2-D fields in a grid, and the units' IPR over time."""
    plt = _pyplot()
    table, arrays, cfg = result.table, result.arrays, settings_table(result.config)
    keys, n = table["key"], table["n_pixels"]
    fig = plt.figure(figsize=(15, 5.5 * len(keys)), layout="constrained")
    cells = fig.subfigures(len(keys), 2, width_ratios=(1.2, 1), squeeze=False)
    for row, key in enumerate(keys):
        name = f"NLGP g = {table['gain'][row]:g} (excess kurtosis {_fmt(table['excess_kurtosis'][row])})"
        values = arrays[f"{key}/ipr_t"][-1]
        _field_grid(cells[row, 0], arrays[f"{key}/w_final"], f"{name}: final fields", values)
        _ipr_over_time(cells[row, 1].subplots(), arrays["t"], {"units": (arrays[f"{key}/ipr_t"].T, NETWORK)}, n,
                       f"{name}: IPR over time;\nfinal median {table['ipr_median'][row]:.4f} "
                       f"= {table['ipr_median_over_random'][row]:.2g} x 3/N")
    activation = {"relu": "ReLU"}.get(cfg["activation"], cfg["activation"])
    units = f"{cfg['neurons']} {activation} units{' with bias' if cfg['bias'] else ''}"
    fig.suptitle(f"{heading}\n{cfg['n_dims']} x {cfg['n_dims']} torus, xi = {tuple(cfg['xi'])}, {units}, "
                 f"{_training(cfg)}")
    return fig


def lufkin_fig1_right_figure(result: PaperResult):
    """Lufkin et al., Fig. 1 (right): final 2-D fields in a grid and the units' IPR over time.

    Arguments:
        result: a result of `lufkin_fig1_right` (or read back by ``load_result``).

    Returns:
        figure (matplotlib.figure.Figure): the figure, Agg backend.
    """
    return _two_d_figure(result, f"{LUFKIN}, Fig. 1 (right): 2-D NLGP")


def ingrosso_goldt_2d_figure(result: PaperResult):
    """Ingrosso & Goldt, 2-D: per gain, the final fields in a grid and the units' IPR over time.

    Arguments:
        result: a result of `ingrosso_goldt_2d` (or read back by ``load_result``).

    Returns:
        figure (matplotlib.figure.Figure): the figure, Agg backend.
    """
    return _two_d_figure(result, f"{INGROSSO_GOLDT}, 2-D NLGP at two gains (dyntools' g; their gain = sqrt(2) g)")
