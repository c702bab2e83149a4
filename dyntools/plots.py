"""Every figure the CLI writes. Functions take plain arrays and return a matplotlib Figure."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .inputs.kernels import Circulant
from .inputs.marginals import Marginal

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .theory.amplifier import Amplifier


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _show_field(ax, w: np.ndarray, shape: tuple[int, ...], label: str | None = None, limit: float | None = None,
                **kw):
    """A receptive field or sample: line on a ring; on a torus an image in a diverging map centred
    on zero (+-limit, default the field's own largest |w|), with a colourbar when ``label``
    names its values."""
    if len(shape) == 2:
        limit = limit or float(np.abs(w).max()) or 1.0
        im = ax.imshow(np.reshape(w, shape), cmap="RdBu_r", vmin=-limit, vmax=limit, **kw)
        ax.set_xticks([]), ax.set_yticks([])
        if label:
            ax.figure.colorbar(im, ax=ax, shrink=0.8, label=label)
    else:
        ax.plot(np.ravel(w), **kw)
        ax.set_xlabel("pixel")


def _show_covariance(ax, cov: Circulant, title: str):
    if len(cov.shape) == 1:
        im = ax.imshow(cov.dense(), cmap="viridis")
        ax.set_xlabel("pixel j"), ax.set_ylabel("pixel i")
        label = "covariance C_ij"
    else:  # 2-D: the covariance as a function of displacement (its first row), centred on zero
        rows, cols = cov.shape
        extent = (-(cols // 2) - 0.5, cols - cols // 2 - 0.5, rows - rows // 2 - 0.5, -(rows // 2) - 0.5)
        im = ax.imshow(np.fft.fftshift(cov.first_row), cmap="viridis", extent=extent)
        ax.set_xlabel("displacement x (pixels)"), ax.set_ylabel("displacement y (pixels)")
        label = "covariance with the pixel at displacement 0"
    ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label=label)


def plot_marginal(ax: Axes, marginal: Marginal, samples: np.ndarray | None = None) -> None:
    """Histogram of pixel samples with the exact density over it.

    For discrete marginals: the sample frequency of each value next to its exact probability.

    Arguments:
        ax: the axes to draw into.
        marginal: the pixel marginal.
        samples: [n] pixel values, or None to draw the exact law alone.
    """
    if marginal.atoms is not None:
        values, probs = marginal.atoms
        if samples is not None:
            freq = [np.mean(samples == v) for v in values]
            ax.bar(values, freq, width=0.3, alpha=0.5, label="sample frequency")
        ax.plot(values, probs, "k_", markersize=40, mew=2, label="exact probability")
        ax.set_ylim(0, 1)
    else:
        lo, hi = np.quantile(samples, [0.0005, 0.9995]) if samples is not None else (-4.0, 4.0)
        grid = np.linspace(lo, hi, 600)
        density = marginal.pdf(grid)
        label = "exact density"
        if samples is not None:
            heights = ax.hist(samples, bins=120, range=(lo, hi), density=True, alpha=0.5, label="samples")[0]
            top = 1.2 * max(heights.max(), np.median(density))
            if density.max() > top:  # e.g. NLGP at a high gain: the density diverges at its support's edge
                ax.set_ylim(0, top)
                label += f" (cut at {top:.3g}, peaks {density.max():.2g})"
        ax.plot(grid, density, "k", lw=1.5, label=label)
    ax.set_xlabel("pixel value x")
    ax.set_title(f"{marginal.family}: excess kurtosis {round(marginal.excess_kurtosis, 6) + 0.0:g}")  # no -1e-13 from the solver
    ax.legend(fontsize=8)


def inputs_figure(x: np.ndarray, y: np.ndarray, sigma0: Circulant, sigma1: Circulant,
                  marginal: Marginal) -> Figure:
    """The figure of `dyntools inputs`: samples, covariances and the pixel marginal.

    One sample of each class, the exact covariance of each class, the marginal
    ([`plot_marginal`][dyntools.plots.plot_marginal]), and the exact against the sample covariance
    as a function of the offset along the first axis.

    Arguments:
        x: [n, *grid] samples (grid [N] on a ring, [L, L] on a torus).
        y: [n] class labels, 0 or 1.
        sigma0: exact covariance of class 0.
        sigma1: exact covariance of class 1.
        marginal: the pixel marginal.

    Returns:
        The figure (2 x 3 panels).
    """
    plt = _pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(14, 8), constrained_layout=True)
    shape = sigma0.shape
    for cls, ax in zip((0, 1), axes[0, :2]):
        idx = np.flatnonzero(y == cls)
        if idx.size:
            _show_field(ax, x[idx[0]], shape, label="pixel value")
        ax.set_title(f"one sample of class y={cls}")
    _show_covariance(axes[1, 0], sigma0, "exact covariance, class 0")
    _show_covariance(axes[1, 1], sigma1, "exact covariance, class 1")
    plot_marginal(axes[0, 2], marginal, np.ravel(x)[:2_000_000])
    d = np.arange(min(shape[0] // 2 + 1, 30))
    for cls, sigma in ((0, sigma0), (1, sigma1)):
        axes[1, 2].plot(d, _along_first_axis(sigma.first_row)[d], "-", color=f"C{cls}", label=f"class {cls}: exact")
        if np.any(y == cls):
            sample = _sample_covariance_row(x[y == cls][:20_000])
            axes[1, 2].plot(d, _along_first_axis(sample)[d], "x", color=f"C{cls}", ms=6, label=f"class {cls}: sample")
    axes[1, 2].set_xlabel("offset (pixels, along the first axis)"), axes[1, 2].set_ylabel("covariance")
    axes[1, 2].set_title("pixel covariance vs offset: exact and sample")
    axes[1, 2].legend(fontsize=8)
    return fig


def _along_first_axis(row: np.ndarray) -> np.ndarray:
    return row[(slice(None),) + (0,) * (row.ndim - 1)]


def _sample_covariance_row(x: np.ndarray) -> np.ndarray:
    """The translation-averaged sample covariance (a first row, grid-shaped) of stationary
    samples x [n, *grid], by FFT."""
    axes = tuple(range(1, x.ndim))
    power = np.mean(np.abs(np.fft.fftn(np.asarray(x, dtype=float), axes=axes)) ** 2, axis=0)
    return np.fft.ifftn(power).real / np.prod(x.shape[1:])


def save(fig: Figure, path: Path | str) -> None:
    """Write `fig` to `path` (at 110 dpi; the format from the suffix) and close it.

    Arguments:
        fig: the figure.
        path: the image file to write.
    """
    from .files import atomic_write

    path = Path(path)
    atomic_write(path, lambda file: fig.savefig(file, format=path.suffix[1:].lower(), dpi=110))
    _pyplot().close(fig)


def _evolution(ax, w_t: np.ndarray, t: np.ndarray, title: str, limit: float):
    """Receptive field (one neuron) over time: pixels across, time down; a diverging map
    centred on zero, +-limit (one scale for theory and network)."""
    im = ax.imshow(w_t, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit,
                   extent=(-0.5, w_t.shape[1] - 0.5, t[-1], t[0]))
    ax.set_xlabel("pixel"), ax.set_ylabel("time t = lr x steps")
    ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label="weight w_i")


def plot_amplifier(ax: Axes, amplifier: Amplifier | None, marginal: Marginal) -> None:
    r"""$\varphi(a)$ against the linear (Gaussian) amplifier, with the pixel density on a twin axis.

    Draws $\sqrt{2/\pi}\, a$ and, when there is one, $\varphi(a)$ for $a \in (-1, 1)$; the pixel
    density is drawn for $x / 3$ (or the atoms of a discrete marginal).

    Arguments:
        ax: the axes to draw into.
        amplifier: the localization amplifier, or None (Gaussian line only).
        marginal: the pixel marginal.
    """
    from ._jax import jnp

    a = np.linspace(-0.999, 0.999, 401)
    ax.plot(a, np.sqrt(2 / np.pi) * a, "k--", lw=1, label="Gaussian: sqrt(2/pi) a")
    if amplifier is not None:
        ax.plot(a, np.asarray(amplifier(jnp.asarray(a))), "C3", lw=2, label=f"phi(a) ({amplifier.kind})")
    ax.set_xlabel("a"), ax.set_ylabel("phi(a)")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("localization amplifier")
    twin = ax.twinx()
    if marginal.atoms is not None:
        values, probs = marginal.atoms
        twin.vlines(values, 0, probs, colors="C0", alpha=0.5)
    else:
        x = np.linspace(-1, 1, 401)
        twin.fill_between(x, marginal.pdf(x * 3) * 3, color="C0", alpha=0.15)
        twin.text(0.98, 0.02, "pixel density (x / 3)", transform=twin.transAxes, ha="right", fontsize=7, color="C0")
    twin.set_yticks([])


def theory_vs_simulation_figure(arrays: dict, summary: dict, shape: tuple[int, ...], amplifier: Amplifier | None,
                                marginal: Marginal) -> Figure:
    """The figure of `dyntools simulate`: theory against network for neuron 1.

    Panels: the receptive field of theory and network (seed 1) over time (1-D) or at the end (2-D),
    the final profiles, the IPR over time, the cosine of theory and network over time, and the
    amplifier ([`plot_amplifier`][dyntools.plots.plot_amplifier]). Without `"w_theory"` the theory
    panels say why.

    Arguments:
        arrays: a simulation's arrays: `"t"` [T], `"w_sim"` [S, T, K, N], `"ipr_sim"` [S, T, K],
            and with a theory `"w_theory"` [T, K, N], `"ipr_theory"` [T, K], `"cosine"` [S, T, K].
        summary: the simulation's summary (IPR levels, marginal family and parameter, final IPRs).
        shape: the pixel grid, (N,) or (L, L).
        amplifier: the localization amplifier, or None.
        marginal: the pixel marginal.

    Returns:
        The figure (2 x 3 panels).
    """
    plt = _pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5), constrained_layout=True)
    t = arrays["t"]
    has_theory = "w_theory" in arrays
    sim = arrays["w_sim"][0, :, 0]
    final_only = len(shape) == 2  # 2-D: the final fields as images; 1-D: the whole evolution
    shown = [sim[-1:] if final_only else sim] + ([arrays["w_theory"][-1:, 0] if final_only else arrays["w_theory"][:, 0]]
                                                 if has_theory else [])
    limit = max(float(np.abs(w).max()) for w in shown) or 1.0  # one colour scale for theory and network
    if len(shape) == 1:
        if has_theory:
            _evolution(axes[0, 0], arrays["w_theory"][:, 0], t, "theory (effective ODE), neuron 1", limit)
        _evolution(axes[0, 1], sim, t, "network (SGD, seed 1), neuron 1", limit)
    else:
        if has_theory:
            _show_field(axes[0, 0], arrays["w_theory"][-1, 0], shape, label="weight w_i", limit=limit)
            axes[0, 0].set_title("theory: final receptive field")
        _show_field(axes[0, 1], sim[-1], shape, label="weight w_i", limit=limit)
        axes[0, 1].set_title("network: final receptive field")
    if not has_theory:
        axes[0, 0].text(0.5, 0.5, "no effective theory\n(it covers the committee machine\nof ReLU units without bias)", ha="center",
                        va="center", transform=axes[0, 0].transAxes)
        axes[0, 0].set_axis_off()

    ax = axes[0, 2]
    final = arrays["w_sim"][0, -1, 0]
    profile, where = lambda w: w, "pixel"
    if len(shape) == 2:  # a line through the network's peak, not the field flattened
        peak_row = int(np.unravel_index(np.argmax(np.abs(final)), shape)[0])
        profile, where = (lambda w: np.reshape(w, shape)[peak_row]), f"pixel along row {peak_row} (the network's peak row)"
    ax.plot(profile(final) / np.abs(final).max(), "C0", label="network (seed 1)")
    if has_theory:
        th = arrays["w_theory"][-1, 0]
        ax.plot(profile(th) / np.abs(th).max(), "C3--", label="theory")
    ax.set_xlabel(where), ax.set_ylabel("w_i / max |w|")
    ax.set_title(f"final receptive field, neuron 1, t = {t[-1]:g}")
    ax.legend(fontsize=8)

    ax = axes[1, 0]
    ipr_sim = arrays["ipr_sim"].mean(axis=-1)
    mean, std = ipr_sim.mean(axis=0), ipr_sim.std(axis=0)
    ax.plot(t, mean, "C0", label=f"network (mean of {ipr_sim.shape[0]} seeds)")
    ax.fill_between(t, mean - std, mean + std, color="C0", alpha=0.2, label="network +- 1 s.d. over seeds")
    if has_theory:
        ax.plot(t, arrays["ipr_theory"].mean(axis=-1), "C3--", label="theory")
    ax.axhline(summary["ipr_random"], color="gray", lw=0.8, ls=":", label="random field (3/N)")
    ax.axhline(summary["ipr_localized_threshold"], color="k", lw=0.8, ls="-.", label="localized (5/N)")
    ax.set_xlabel("time t"), ax.set_ylabel("IPR"), ax.set_title("localization over time")
    ax.legend(fontsize=8)

    ax = axes[1, 1]
    if has_theory:
        cos = arrays["cosine"].mean(axis=-1)
        ax.plot(t, cos.mean(axis=0), "C2", label="mean over seeds (and neurons)")
        ax.fill_between(t, cos.min(axis=0), cos.max(axis=0), color="C2", alpha=0.2, label="min-max over seeds")
        ax.set_ylim(min(0.0, float(cos.min())), 1.02)
        ax.legend(fontsize=8, loc="lower left")
    else:
        ax.text(0.5, 0.5, "no theory to compare with", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("time t"), ax.set_ylabel("cosine(theory, network)")
    ax.set_title("theory vs network (the theory is early-time)")

    plot_amplifier(axes[1, 2], amplifier, marginal)
    member = summary.get("clone_of") or summary
    value = "-" if member["parameter"] is None else f"{member['parameter']:.4g}"
    inputs = f"{member['family']} ({member['parameter_name'] or '-'} = {value}), excess kurtosis {member['excess_kurtosis']:.3g}"
    if summary.get("clone_of"):
        inputs = f"Gaussian clone of {inputs} (Gaussian pixels, same covariance)"
    network = summary.get("network", "committee")  # runs before the network registry were committee machines
    units = f"{summary['neurons']} unit{'s' if summary['neurons'] > 1 else ''}"
    fig.suptitle(f"{inputs}; {network} network, {units}: final IPR {summary['ipr_sim_final_mean']:.3f}"
                 + (f", theory {summary['ipr_theory_final']:.3f}" if has_theory else ""))
    return fig


def receptive_fields_figure(arrays: dict, shape: tuple[int, ...], most: int = 10) -> Figure:
    """The final receptive fields of all K neurons (at most `most`), theory beside network (seed 1).

    Neurons are sorted by the circular peak position of the network's field (in 2-D, along the
    first axis), on one diverging colour scale centred on zero. 1-D: one row per neuron; 2-D:
    one image per neuron.

    Arguments:
        arrays: a simulation's arrays: `"t"` [T], `"w_sim"` [S, T, K, N] and, if there is a
            theory, `"w_theory"` [T, K, N].
        shape: the pixel grid, (N,) or (L, L).
        most: the most neurons shown.

    Returns:
        The figure.
    """
    from .metrics import circular_peak

    plt = _pyplot()
    sim = arrays["w_sim"][0, -1]  # [K, N]
    theory = arrays["w_theory"][-1] if "w_theory" in arrays else None
    flat = sim if len(shape) == 1 else sim.reshape(len(sim), *shape).sum(axis=1)  # peak along the first axis
    order = np.argsort(circular_peak(flat)[0])[:most]
    limit = max(np.abs(sim).max(), np.abs(theory).max() if theory is not None else 0.0) or 1.0
    fields = [("network (SGD, seed 1)", sim)] + ([("theory (effective ODE)", theory)] if theory is not None else [])
    if len(shape) == 1:
        fig, axes = plt.subplots(1, len(fields), figsize=(6 * len(fields), 0.5 * len(order) + 2),
                                 squeeze=False, constrained_layout=True)
        for ax, (title, w) in zip(axes[0], fields):
            im = ax.imshow(w[order], aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_xlabel("pixel"), ax.set_ylabel("neuron (sorted by peak position)")
            ax.set_yticks(range(len(order)), [str(k + 1) for k in order])
            ax.set_title(title)
        fig.colorbar(im, ax=axes[0], shrink=0.8, label="weight w_i")
    else:
        fig, axes = plt.subplots(len(fields), len(order), figsize=(1.8 * len(order) + 1, 2 * len(fields) + 0.6),
                                 squeeze=False, constrained_layout=True)
        for row, (title, w) in zip(axes, fields):
            for ax, k in zip(row, order):
                im = ax.imshow(w[k].reshape(shape), cmap="RdBu_r", vmin=-limit, vmax=limit)
                ax.set_xticks([]), ax.set_yticks([])
                ax.set_title(f"{title.split()[0]} {k + 1}", fontsize=8)
        fig.colorbar(im, ax=axes, shrink=0.8, label="weight w_i")
    fig.suptitle(f"final receptive fields of {len(order)} of {len(sim)} neurons, t = {arrays['t'][-1]:g}")
    return fig


AXIS_LABELS = {"kurtosis": "excess kurtosis of the pixel marginal", "param": "family parameter",
               "xi0": "correlation length xi0 (class 0)", "xi1": "correlation length xi1 (class 1)",
               "lr": "learning rate", "init_scale": "initial weight scale", "proportion": "P(y = 1)",
               "base_seed": "seed", "n_dims": "N (pixels per side with 2-D)", "neurons": "hidden units K",
               "batch": "batch size"}


def sweep_figure_name(ds: xr.Dataset) -> str | None:
    """The file name of a sweep's figure (None for grids of three or more axes).

    Arguments:
        ds: a sweep's Dataset.

    Returns:
        `"ipr_vs_<axis>[_<axis>].png"`, or None.
    """
    axes = _grid_dims(ds)
    return f"ipr_vs_{'_'.join(axes)}.png" if len(axes) <= 2 else None


def _grid_dims(ds) -> list[str]:
    return [d for d in ds["excess_kurtosis"].dims]


def _sweep_pixels(ds) -> int:
    import json

    from .simulations.config import SimulationConfig

    return SimulationConfig.from_dict(json.loads(ds.attrs["config"])["base"]).n_pixels


def sweep_figure(ds: xr.Dataset) -> Figure:
    """A sweep's figure from its saved Dataset.

    One axis: final IPR along it (against excess kurtosis for a kurtosis or param axis, with
    the critical excess kurtosis of network and theory). Two axes: heat maps of theory and
    network on one colour scale, with the critical line when one axis is kurtosis or param.

    Arguments:
        ds: a sweep's Dataset with one or two grid axes: `"excess_kurtosis"` and `"ipr_theory"`
            [*axes], optionally `"ipr_sim"` [*axes, seed] and the critical-kurtosis variables.

    Returns:
        The figure.
    """
    axes = _grid_dims(ds)
    return _sweep_curve(ds, axes[0]) if len(axes) == 1 else _sweep_heat_maps(ds, *axes)


def _sweep_curve(ds, axis: str):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
    along_kurtosis = axis in ("kurtosis", "param")
    x = ds["excess_kurtosis"].values if along_kurtosis else ds[axis].values
    if "ipr_sim" in ds:
        sim = ds["ipr_sim"].values
        ax.errorbar(x, sim.mean(axis=1), yerr=sim.std(axis=1), fmt="o-", color="C0", capsize=3,
                    label=f"network (mean +- s.d. over {sim.shape[1]} seeds)")
    if np.isfinite(ds["ipr_theory"].values).any():
        ax.plot(x, ds["ipr_theory"].values, "s--", color="C3", label="theory (effective ODE)")
    n_pixels = _sweep_pixels(ds)
    clone = " (Gaussian clones; kurtosis of the originals)" if '"gaussian_clone": true' in ds.attrs["config"] else ""
    title = f"final IPR over {len(x)} points{clone}"
    if along_kurtosis:
        _critical_lines(ax, ds)
        _kurtosis_axes(ax, n_pixels, "final IPR", title)
    else:
        ax.axhline(3 / n_pixels, color="gray", ls=":", lw=0.8, label="random field (3/N)")
        ax.set_xlabel(AXIS_LABELS[axis]), ax.set_ylabel("final IPR"), ax.set_title(title)
        ax.legend(fontsize=8)
    ax.set_yscale("log")
    return fig


def _critical_lines(ax, ds):
    """Where the IPR crosses sqrt(3/N x max IPR): the critical excess kurtosis."""
    if "critical_excess_kurtosis_network" in ds:
        network = float(ds["critical_excess_kurtosis_network"])
        if np.isfinite(network):
            ax.axvline(network, color="C0", lw=1, ls="-.", label=f"critical (network): {network:.2g}")
        interval = ds["critical_excess_kurtosis_network_interval"].values
        if np.isfinite(interval).all():
            ax.axvspan(*interval, color="C0", alpha=0.1, label="95% bootstrap interval over seeds")
    theory = float(ds["critical_excess_kurtosis_theory"])
    if np.isfinite(theory):
        ax.axvline(theory, color="C3", lw=1, ls=":", label=f"critical (theory): {theory:.2g}")


def _sweep_heat_maps(ds, first: str, second: str):
    """Theory and network final IPR over two axes (x: the kurtosis-like axis if there is one)."""
    from matplotlib.colors import LogNorm

    x_axis, y_axis = (second, first) if second in ("kurtosis", "param") else (first, second)
    panels = [("theory (effective ODE)", ds["ipr_theory"])]
    if "ipr_sim" in ds:
        panels.append((f"network (mean over {ds.sizes['seed']} seeds)", ds["ipr_sim"].mean("seed")))
    values = np.concatenate([p.values.ravel() for _, p in panels])
    values = values[np.isfinite(values) & (values > 0)]
    norm = LogNorm(vmin=values.min(), vmax=values.max()) if values.size else None
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.5), squeeze=False, constrained_layout=True)
    n_pixels = _sweep_pixels(ds)
    for ax, (title, field) in zip(axes[0], panels):
        field = field.transpose(y_axis, x_axis)
        mesh = ax.pcolormesh(ds[x_axis].values, ds[y_axis].values, field.values, norm=norm, cmap="viridis",
                             shading="nearest")
        if x_axis in ("kurtosis", "param"):  # the phase boundary: the critical value along x at each y
            for name, source, color, style in (("theory", panels[0][1], "tab:red", "--"),
                                               ("network", panels[-1][1], "white", "-"))[:len(panels)]:
                crossing = _critical_line(ds, source, x_axis, y_axis, n_pixels)
                ax.plot(crossing, ds[y_axis].values, ls=style, color=color, marker="o", ms=3,
                        label=f"critical {x_axis} ({name}; no marker: no crossing)")
            ax.legend(fontsize=7, loc="upper right")
        ax.set_xlabel(AXIS_LABELS[x_axis]), ax.set_ylabel(AXIS_LABELS[y_axis])
        ax.set_title(f"final IPR, {title}", fontsize=10)
    fig.colorbar(mesh, ax=axes[0], label="final IPR (log scale; random field 3/N = " f"{3 / n_pixels:.3g})")
    return fig


def _critical_line(ds, ipr, x_axis: str, y_axis: str, n_pixels: int) -> np.ndarray:
    """At each value of ``y_axis``, where localization sets in along ``x_axis`` (kurtosis or
    param): the critical excess kurtosis, mapped back to ``x_axis`` units; NaN if none."""
    from .metrics import critical_kurtosis

    kurtosis = ds["excess_kurtosis"].transpose(y_axis, x_axis).values
    x = ds[x_axis].values
    line = []
    for k_row, ipr_row in zip(kurtosis, ipr.transpose(y_axis, x_axis).values):
        critical, _ = critical_kurtosis(k_row, ipr_row, n_pixels)
        order = np.argsort(k_row)
        line.append(np.nan if critical is None else np.interp(critical, k_row[order], x[order]))
    return np.array(line)


def _kurtosis_axes(ax, n_pixels: int, ylabel: str, title: str):
    """IPR against excess kurtosis: the random-field level, the Gaussian line, labels."""
    ax.axhline(3 / n_pixels, color="gray", ls=":", lw=0.8, label="random field (3/N)")
    ax.axvline(0, color="k", lw=0.5, label="Gaussian (excess kurtosis 0)")
    ax.set_xlabel("excess kurtosis of the pixel marginal"), ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)


def compare_figure(loaded: list) -> Figure:
    """Overlay runs: IPR over time (simulate runs) or IPR vs kurtosis (sweep runs).

    Arguments:
        loaded: (path, record, arrays) per run, as from [`load_run`][dyntools.runs.load_run]:
            simulate runs with a `"trajectories"` file, or one-axis sweep runs with a `"sweep"`
            Dataset.

    Returns:
        The figure.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
    for i, (path, record, arrays) in enumerate(loaded):
        color = f"C{i % 10}"
        if record["command"] == "simulate":
            traj = arrays["trajectories"]
            kurt = record["summary"]["excess_kurtosis"]
            ax.plot(traj["t"], traj["ipr_sim"].mean(axis=(0, 2)), color=color, label=f"{path} network (kurtosis {kurt:.3g})")
            if "ipr_theory" in traj:
                ax.plot(traj["t"], traj["ipr_theory"].mean(axis=-1), "--", color=color, label=f"{path} theory")
            ax.set_xlabel("time t"), ax.set_ylabel("IPR")
        else:
            data = arrays["sweep"]
            if "ipr_sim" in data:
                sim = data["ipr_sim"].values
                ax.errorbar(data["excess_kurtosis"], sim.mean(axis=1), yerr=sim.std(axis=1),
                            fmt="o-", color=color, capsize=3, label=f"{path} network")
            ax.plot(data["excess_kurtosis"], data["ipr_theory"], "s--", color=color, label=f"{path} theory")
            ax.set_xlabel("excess kurtosis"), ax.set_ylabel("final IPR")
    ax.legend(fontsize=7)
    return fig


def atoms_figure(atoms: np.ndarray, shape: tuple[int, ...], title: str, most: int = 48) -> Figure:
    """Atoms sorted by IPR (most localized first), each labelled with its IPR.

    Arguments:
        atoms: [M, N] learned atoms, one per row.
        shape: the pixel grid, (N,) or (L, L) (then each atom is an image).
        title: the figure title.
        most: the most atoms shown (8 per row).

    Returns:
        The figure.
    """
    from .metrics import ipr

    plt = _pyplot()
    values = ipr(atoms)
    order = np.argsort(values)[::-1][:most]
    cols = 8
    rows = int(np.ceil(len(order) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2 * cols, 1.6 * rows), squeeze=False, constrained_layout=True)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, j in zip(axes.ravel(), order):
        ax.set_axis_on()
        if len(shape) == 2:
            _show_field(ax, atoms[j], shape)
        else:
            ax.plot(atoms[j], lw=1)
            ax.axhline(0, color="gray", lw=0.5)
            ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(f"IPR {values[j]:.2f}", fontsize=8)
    if len(shape) == 1:
        axes[0, 0].set_xlabel("pixel"), axes[0, 0].set_ylabel("weight")
        title += " (grey line: weight 0)"
    else:
        title += " (red positive, blue negative, white 0; each atom on its own scale, +-max |weight|)"
    fig.suptitle(title)
    return fig


def localization_map_figure(table: dict, n_pixels: int) -> Figure:
    """Final IPR of each method against excess kurtosis (the figure of `dyntools localization-map`).

    Arguments:
        table: `{"excess_kurtosis": [P], "median_ipr": {method name: [P] values}}`.
        n_pixels: N, for the random-field level 3/N.

    Returns:
        The figure.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
    kurt = table["excess_kurtosis"]
    for i, (name, values) in enumerate(table["median_ipr"].items()):
        ax.plot(kurt, values, "o-", color=f"C{i}", label=name)
    _kurtosis_axes(ax, n_pixels, "IPR (baselines: median over atoms; neuron: mean over seeds)",
                   f"final IPR of each method at {len(kurt)} excess kurtosis values")
    return fig
