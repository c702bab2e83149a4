"""Figures of the paper reproductions, drawn only from a :class:`PaperResult` (its ``config``,
``table`` and ``arrays``), so a saved result redraws without rerunning anything.

Every function returns a matplotlib Figure (Agg backend). Receptive fields use a diverging map
centred on zero; titles state what is shown, not what it is expected to show.
"""

from __future__ import annotations

import numpy as np

from ..metrics import circular_peak
from .papers import PaperResult, settings_table

DIVERGING = "RdBu_r"


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


def _evolution(ax, w_t: np.ndarray, t: np.ndarray, title: str, limit: float | None = None):
    """One receptive field over time: pixels across, time down, colour centred on zero, on
    +-``limit`` (default: the field's own largest |w|; pass one limit to panels compared)."""
    limit = limit or float(np.abs(w_t).max()) or 1.0
    im = ax.imshow(w_t, aspect="auto", cmap=DIVERGING, vmin=-limit, vmax=limit,
                   extent=(-0.5, w_t.shape[1] - 0.5, t[-1], t[0]), interpolation="nearest")
    ax.set_xlabel("pixel i"), ax.set_ylabel("time t = lr x steps")
    ax.set_title(title, fontsize=9)
    ax.figure.colorbar(im, ax=ax, shrink=0.85, label="weight w_i")


def _reference_levels(ax, n: int, sinusoid: bool = False):
    """Horizontal IPR references: random Gaussian field 3/N, localized threshold 5/N; with
    ``sinusoid``, also a pure sinusoid 1.5/N and a constant field 1/N."""
    ax.axhline(3 / n, color="grey", ls="--", lw=1, label="random field, 3/N")
    ax.axhline(5 / n, color="grey", ls=":", lw=1, label="localized threshold, 5/N")
    if sinusoid:
        ax.axhline(1.5 / n, color="C2", ls="-.", lw=1, label="pure sinusoid (k >= 1), 1.5/N")
        ax.axhline(1 / n, color="C4", ls="-.", lw=1, label="constant field (k = 0), 1/N")


def _ipr_over_time(ax, t, curves: dict, n: int, title: str, sinusoid: bool = False):
    """IPR against time: each entry label -> [T] or [1, T] (a line) or [R, T] (median line, min-max band)."""
    for i, (label, values) in enumerate(curves.items()):
        values = np.asarray(values)
        if values.ndim == 2 and len(values) == 1:
            values = values[0]
        if values.ndim == 1:
            ax.plot(t, values, color=f"C{i}", lw=1.5, label=label)
        else:
            ax.plot(t, np.median(values, axis=0), color=f"C{i}", lw=1.5, label=f"{label}: median")
            ax.fill_between(t, values.min(axis=0), values.max(axis=0), color=f"C{i}", alpha=0.2,
                            label=f"{label}: min-max")
    _reference_levels(ax, n, sinusoid)
    ax.set_yscale("log")
    ax.set_xlabel("time t = lr x steps"), ax.set_ylabel("IPR")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)


def _fields_image(ax, fields: np.ndarray, title: str, xlabel: str):
    """Rows of 1-D fields, each scaled to max |w| = 1 and sorted by circular peak position."""
    fields = fields[np.argsort(circular_peak(fields)[0])]
    scaled = fields / np.abs(fields).max(axis=1, keepdims=True)
    im = ax.imshow(scaled, aspect="auto", cmap=DIVERGING, vmin=-1, vmax=1, interpolation="nearest")
    ax.set_xlabel(xlabel), ax.set_ylabel("unit (sorted by peak position)")
    ax.set_title(title, fontsize=9)
    ax.figure.colorbar(im, ax=ax, shrink=0.85, label="w / max|w| (each unit)")


def _field_grid(subfig, fields: np.ndarray, title: str, values: np.ndarray):
    """2-D fields [K, L, L] in a grid filling ``subfig``, each scaled to max |w| = 1, its IPR above it."""
    cols = int(np.ceil(np.sqrt(len(fields))))
    rows = int(np.ceil(len(fields) / cols))
    axes = np.ravel(subfig.subplots(rows, cols, squeeze=False))
    for ax, w, value in zip(axes, fields, values):
        im = ax.imshow(w / np.abs(w).max(), cmap=DIVERGING, vmin=-1, vmax=1, interpolation="nearest")
        ax.set_title(f"IPR {value:.3f}", fontsize=7)
    for ax in axes:
        ax.set_xticks([]), ax.set_yticks([])
    for ax in axes[len(fields):]:
        ax.set_axis_off()
    subfig.colorbar(im, ax=axes, shrink=0.8, label="w / max|w| (each field)")
    subfig.suptitle(title, fontsize=9)


def _marginal(ax, arrays: dict, key: str, label: str, kurtosis):
    if f"{key}/atoms_x" in arrays:
        ax.vlines(arrays[f"{key}/atoms_x"], 0, arrays[f"{key}/atoms_p"], color="C0", lw=4, label="P(X = x)")
        ax.set_xlim(-2, 2), ax.set_ylim(0, 1)
        ax.set_ylabel("probability")
    else:
        ax.plot(arrays[f"{key}/density_x"], arrays[f"{key}/density"], color="C0", label="density p(x)")
        ax.set_ylabel("density")
    ax.set_xlabel("pixel value x (unit variance)")
    ax.set_title(f"{label}: pixel marginal, excess kurtosis {_fmt(kurtosis)}", fontsize=9)
    ax.legend(fontsize=7)


def lufkin_fig3_figure(result: PaperResult):
    """Lufkin et al., Fig. 3: one row per pixel law.

    Columns: marginal; amplifier (quadrature, cubic, Gaussian line); effective-ODE field over time; SGD field over time (seed 0); IPR over time.

    Arguments:
        result: a result of `lufkin_fig3` (or read back by ``load_result``).

    Returns:
        figure (matplotlib.figure.Figure): the figure, Agg backend.
    """
    plt = _pyplot()
    table, arrays, cfg = result.table, result.arrays, settings_table(result.config)
    keys, a, t, n = table["key"], arrays["a"], arrays["t"], table["n_pixels"]
    fig, axes = plt.subplots(len(keys), 5, figsize=(24, 4.2 * len(keys)), constrained_layout=True, squeeze=False)
    for row, key in enumerate(keys):
        label = table["label"][row]
        _marginal(axes[row, 0], arrays, key, label, table["excess_kurtosis"][row])
        ax = axes[row, 1]
        ax.plot(a, arrays[f"{key}/phi"], "C3", lw=2, label="phi(a), quadrature")
        ax.plot(a, arrays[f"{key}/phi_cubic"], "k--", lw=1.5, label="cubic approximation")
        ax.plot(a, np.sqrt(2 / np.pi) * a, ":", color="grey", label="Gaussian: sqrt(2/pi) a")
        ax.set_xlabel("a"), ax.set_ylabel("phi(a)")
        ax.set_title(f"{label}: amplifier; max |cubic - phi| = {table['cubic_max_error'][row]:.2g} "
                     f"for |a| <= 0.5", fontsize=9)
        ax.legend(fontsize=7)
        limit = float(max(np.abs(arrays[f"{key}/w_theory"]).max(), np.abs(arrays[f"{key}/w_sim"]).max())) or 1.0
        _evolution(axes[row, 2], arrays[f"{key}/w_theory"], t, f"{label}: effective ODE (Eq. 5)", limit)
        _evolution(axes[row, 3], arrays[f"{key}/w_sim"], t, f"{label}: SGD, seed 0", limit)
        _ipr_over_time(axes[row, 4], t, {"effective ODE": arrays[f"{key}/ipr_theory"],
                                         f"SGD ({_seeds(cfg['seeds'])})": arrays[f"{key}/ipr_sim"]}, n,
                       f"{label}: IPR, final SGD {table['ipr_sim_final'][row]:.3f}, ODE "
                       f"{table['ipr_theory_final'][row]:.3f}")
    fig.suptitle(f"Single ReLU neuron, N = {n}, xi = {tuple(cfg['xi'])}, lr {cfg['lr']}, {cfg['steps']} steps, "
                 f"batch {cfg['batch']}")
    return fig


def lufkin_fig4_figure(result: PaperResult):
    """Lufkin et al., Fig. 4: one row per elliptical law.

    Columns: SGD field over time; final fields (SGD, best sinusoid, effective ODE), each scaled
    to unit norm; IPR over time.

    Arguments:
        result: a result of `lufkin_fig4` (or read back by ``load_result``).

    Returns:
        figure (matplotlib.figure.Figure): the figure, Agg backend.
    """
    plt = _pyplot()
    table, arrays, cfg = result.table, result.arrays, settings_table(result.config)
    keys, t, n = table["key"], arrays["t"], table["n_pixels"]
    fig, axes = plt.subplots(len(keys), 3, figsize=(17, 4.2 * len(keys)), constrained_layout=True, squeeze=False)
    unit = lambda w: w / np.linalg.norm(w)  # noqa: E731  (shapes are compared, not sizes)
    for row, key in enumerate(keys):
        label = table["label"][row]
        _evolution(axes[row, 0], arrays[f"{key}/w_sim"], t, f"{label}: SGD, seed 0")
        ax = axes[row, 1]
        ax.plot(unit(arrays[f"{key}/w_final"][0]), "C0o-", ms=3, label="SGD, seed 0")
        ax.plot(unit(arrays[f"{key}/fit"]), "k--", label=f"best sinusoid (k = {table['frequency'][row]})")
        ax.plot(unit(arrays[f"{key}/w_theory_final"]), "C3", lw=1, label="effective ODE")
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_xlabel("pixel i"), ax.set_ylabel("w / |w|")
        ax.set_title(f"{label}: final fields; sinusoid-fit residual SGD {table['sinusoid_residual_sim'][row]:.3f}, "
                     f"ODE {table['sinusoid_residual_theory'][row]:.1e};\nSGD energy in |k| <= 2: "
                     f"{table['low_frequency_energy_sim'][row]:.2f}", fontsize=9)
        ax.legend(fontsize=7)
        _ipr_over_time(axes[row, 2], t, {"effective ODE": arrays[f"{key}/ipr_theory"],
                                         f"SGD ({_seeds(cfg['seeds'])})": arrays[f"{key}/ipr_sim"]}, n,
                       f"{label}: IPR, final SGD {table['ipr_sim_final'][row]:.3f}", sinusoid=True)
    fig.suptitle(f"Elliptical inputs, single ReLU neuron, N = {n}, xi = {tuple(cfg['xi'])}, lr {cfg['lr']}, "
                 f"{cfg['steps']} steps, batch {cfg['batch']}")
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
    fig, ax = plt.subplots(figsize=(10, 6), constrained_layout=True)
    for mask, marker, name in ((nlgp, "o", "NLGP"), (~nlgp, "s", "Kur(k)")):
        if mask.any():
            median = np.median(sims[mask], axis=1)
            spread = [median - sims[mask].min(axis=1), sims[mask].max(axis=1) - median]
            ax.errorbar(k[mask], median, yerr=spread, fmt=marker, color="C0", capsize=3,
                        label=f"{name}: SGD median, min-max over {_seeds(sims.shape[1])}")
            ax.plot(k[mask], theory[mask], marker, color="C3", mfc="none", label=f"{name}: effective ODE")
    _reference_levels(ax, table["n_pixels"])
    if table["critical_kurtosis"] is not None:
        ax.axvline(table["critical_kurtosis"], color="C2", lw=1,
                   label=f"crossing excess kurtosis {table['critical_kurtosis']:.2f}")
    ax.axvline(0, color="k", lw=0.5, label="Gaussian (excess kurtosis 0)")
    # linear over the sub-Gaussian range [-2, 2], logarithmic beyond (Kur(4.1) reaches ~26)
    ax.set_xscale("symlog", linthresh=2.0, linscale=2.0)
    ticks = [t for t in (-2, -1, 0, 1, 2, 5, 10, 20, 50, 100) if t <= max(2.0, k.max())]
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_yscale("log")
    ax.set_xlabel("pixel excess kurtosis m4 - 3 (linear in [-2, 2], logarithmic beyond)"), ax.set_ylabel("final IPR")
    ax.set_title(f"Final IPR vs pixel excess kurtosis; Spearman rank correlation {_fmt(table['spearman'])}\n"
                 f"single ReLU neuron, N = {table['n_pixels']}, xi = {tuple(cfg['xi'])}, lr {cfg['lr']}, "
                 f"{cfg['steps']} steps, batch {cfg['batch']}", fontsize=10)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def lufkin_fig6_figure(result: PaperResult):
    """Lufkin et al., Fig. 6: final fields of the SGD units and ICA filters, and their IPR.

    Final fields of each SGD run and of ICA (units x pixels, sorted by peak), IPR over time
    of the SGD runs, and the final IPR of every unit / filter.

    Arguments:
        result: a result of `lufkin_fig6` (or read back by ``load_result``).

    Returns:
        figure (matplotlib.figure.Figure): the figure, Agg backend.
    """
    plt = _pyplot()
    table, arrays, cfg = result.table, result.arrays, settings_table(result.config)
    keys, n = table["key"], table["n_pixels"]
    fig = plt.figure(figsize=(5.5 * len(keys), 9.5), constrained_layout=True)
    grid = fig.add_gridspec(2, 2 * len(keys))
    units = {"sgd": f"{cfg['neurons']} sigmoid units with bias (SGD)", "ica": f"{cfg['ica_atoms']} ICA filters"}
    for i, (key, label, method) in enumerate(zip(keys, table["label"], table["method"])):
        _fields_image(fig.add_subplot(grid[0, 2 * i:2 * i + 2]), arrays[f"{key}/w_final"], f"{label}: {units[method]}",
                      "pixel i")
    sgd = [i for i, m in enumerate(table["method"]) if m == "sgd"]
    _ipr_over_time(fig.add_subplot(grid[1, :len(keys)]), arrays["t"],
                   {table["label"][i] + " units": arrays[f"{keys[i]}/ipr_t"].T for i in sgd}, n,
                   "IPR of the SGD units over time")
    ax = fig.add_subplot(grid[1, len(keys):])
    for i, key in enumerate(keys):
        values = arrays[f"{key}/ipr_final"]
        ax.plot(np.full(values.size, i) + np.linspace(-0.15, 0.15, values.size), values, "o", color=f"C{i}",
                label=f"{table['label'][i]}: median {table['ipr_median'][i]:.3f}")
    _reference_levels(ax, n)
    ax.set_xticks(range(len(keys)), table["label"], fontsize=8)
    ax.set_yscale("log"), ax.set_ylabel("final IPR (one point per unit / filter)")
    ax.set_title("final IPR of every unit / filter", fontsize=9)
    ax.legend(fontsize=7)
    fig.suptitle(f"Kur(k) inputs, N = {n}, xi = {tuple(cfg['xi'])}; SGD lr {cfg['lr']}, {cfg['steps']} steps, "
                 f"batch {cfg['batch']}, init scale {cfg['init_scale']}; ICA on {cfg['ica_samples']} samples")
    return fig


def _two_d_figure(result: PaperResult, heading: str):
    """One row per gain: the final 2-D fields in a grid, and the units' IPR over time."""
    plt = _pyplot()
    table, arrays, cfg = result.table, result.arrays, settings_table(result.config)
    keys, n = table["key"], table["n_pixels"]
    fig = plt.figure(figsize=(14, 5.5 * len(keys)), layout="constrained")
    cells = fig.subfigures(len(keys), 2, width_ratios=(1.2, 1), squeeze=False)
    for row, key in enumerate(keys):
        name = f"NLGP g = {table['gain'][row]:g} (excess kurtosis {_fmt(table['excess_kurtosis'][row])})"
        values = arrays[f"{key}/ipr_t"][-1]
        _field_grid(cells[row, 0], arrays[f"{key}/w_final"], f"{name}: final fields", values)
        _ipr_over_time(cells[row, 1].subplots(), arrays["t"], {"units": arrays[f"{key}/ipr_t"].T}, n,
                       f"{name}: IPR over time;\nfinal median {table['ipr_median'][row]:.4f} "
                       f"= {table['ipr_median_over_random'][row]:.2g} x 3/N")
    activation = {"relu": "ReLU"}.get(cfg["activation"], cfg["activation"])
    units = f"{cfg['neurons']} {activation} units{' with bias' if cfg['bias'] else ''}"
    fig.suptitle(f"{heading}: {cfg['n_dims']}x{cfg['n_dims']} torus, xi = {tuple(cfg['xi'])}, {units}, lr {cfg['lr']}, "
                 f"{cfg['steps']} steps, batch {cfg['batch']}")
    return fig


def lufkin_fig1_right_figure(result: PaperResult):
    """Lufkin et al., Fig. 1 (right): final 2-D fields in a grid and the units' IPR over time.

    Arguments:
        result: a result of `lufkin_fig1_right` (or read back by ``load_result``).

    Returns:
        figure (matplotlib.figure.Figure): the figure, Agg backend.
    """
    return _two_d_figure(result, "2-D NLGP")


def ingrosso_goldt_2d_figure(result: PaperResult):
    """Ingrosso & Goldt, 2-D: per gain, the final fields in a grid and the units' IPR over time.

    Arguments:
        result: a result of `ingrosso_goldt_2d` (or read back by ``load_result``).

    Returns:
        figure (matplotlib.figure.Figure): the figure, Agg backend.
    """
    return _two_d_figure(result, "2-D NLGP at two gains (dyntools' g; Ingrosso & Goldt's gain = sqrt(2) g)")
