"""Every figure the CLI writes. Functions take plain arrays and return a matplotlib Figure."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .inputs.statistics import sample_covariance_row
from .metrics import IPR_LEVELS, localization_level, random_field_ipr

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.image import AxesImage

    from .inputs.kernels import Circulant
    from .inputs.marginals import Marginal
    from .metrics import GaborFits
    from .theory.amplifier import Amplifier


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


DIVERGING = "RdBu_r"
THEORY = {"color": "tab:red", "ls": "--", "lw": 2.0}
"""Line style of every theory curve (the effective ODE): red dashed."""
NETWORK = {"color": "tab:blue", "ls": "-", "lw": 1.5}
"""Line style of every network curve (SGD): blue solid."""
OTHERS = ("tab:green", "tab:purple", "tab:orange", "tab:brown", "tab:pink", "tab:olive", "tab:cyan", "tab:gray")
"""Colours of everything else (baselines, runs, drives): never the theory's red or the network's blue."""
LEVELS = {"random": ("random field 3/N", ":"), "localized": ("localized 5/N", "-."),
          "sinusoid": ("pure sinusoid 1.5/N", (0, (5, 2, 1, 2))), "constant": ("constant field 1/N", (0, (1, 3)))}
"""IPR reference levels: label and line style (all grey, labelled in place, never in a legend); the
values are [`IPR_LEVELS`][dyntools.metrics.IPR_LEVELS]."""


def legend_outside(ax, **kw) -> None:
    """A legend to the right of ``ax``, off its data."""
    ax.legend(**{"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0, "fontsize": 8, **kw})


def level_line(ax, y: float, text: str, ls="--", color: str = "dimgray") -> None:
    """A horizontal reference line at ``y``, labelled in place (not in the legend): at its right end above
    the line or, where that would cover data, at the first free place of its ends (above or below it)
    or along it (chosen when drawn, after the layout; see `dyntools._level_label.PLACES`)."""
    from ._level_label import LevelLabel

    ax.axhline(y, color=color, ls=ls, lw=1)
    ax.add_artist(LevelLabel(text, y, fontsize=8, color=color))


def ipr_levels(ax, n_pixels: int, *names: str) -> None:
    """The IPR reference levels ``names`` (default: random field 3/N and localized 5/N) for N pixels."""
    for name in names or ("random", "localized"):
        text, style = LEVELS[name]
        level_line(ax, IPR_LEVELS[name] / n_pixels, text, ls=style)


def ipr_log_axis(ax) -> None:
    """A logarithmic IPR axis labelled in plain numbers (0.05, 0.1, 0.2), not powers of ten."""
    from matplotlib.ticker import FuncFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.2g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: f"{value:.2g}" if f"{value:.1e}"[0] in "25" else ""))


def peak(w: np.ndarray, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The grid position of the largest |w| of a flat field ``w`` [N] on ``shape``."""
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(w))), shape))


def centred(w: np.ndarray, shape: tuple[int, ...], at: tuple[int, ...]) -> np.ndarray:
    """Fields ``w`` [..., N] on a ring or torus ``shape``, grid-shaped and rolled so that pixel
    ``at`` sits at the centre (index n // 2 along each axis)."""
    grid = np.reshape(w, np.shape(w)[:-1] + tuple(shape))
    axes = tuple(range(-len(shape), 0))
    return np.roll(grid, [n // 2 - p for n, p in zip(shape, at)], axis=axes)


def pixel_ticks(ax, *which: str) -> None:
    """Whole-pixel ticks on the named axes (``"x"``, ``"y"``): positions are pixels, never 2.5."""
    from matplotlib.ticker import MaxNLocator

    for name in which or ("x",):
        getattr(ax, f"{name}axis").set_major_locator(MaxNLocator(integer=True))


def relative(n: int) -> np.ndarray:
    """Pixel positions relative to the centre of ``centred`` fields on n pixels."""
    return np.arange(n) - n // 2


def _relative_extent(shape: tuple[int, ...]) -> tuple[float, float, float, float]:
    """imshow extent of a centred 2-D field: columns then rows, relative to the peak (rows down)."""
    rows, cols = shape
    return (-(cols // 2) - 0.5, cols - cols // 2 - 0.5, rows - rows // 2 - 0.5, -(rows // 2) - 0.5)


def show_field(ax, w: np.ndarray, shape: tuple[int, ...], limit: float | None = None, label: str | None = None,
               ticks: bool = True):
    """A receptive field centred on its peak: a line on a ring; on a torus an image in a diverging
    map centred on zero (+-limit, default the field's own largest |w|), with a colourbar when
    ``label`` names its values. Returns the image (2-D) or None."""
    at = peak(w, shape)
    field = centred(w, shape, at)
    if len(shape) == 1:
        ax.plot(relative(shape[0]), field, **NETWORK)
        ax.set_xlabel(f"pixel relative to the peak (at {at[0]})"), pixel_ticks(ax)
        return None
    limit = limit or float(np.abs(w).max()) or 1.0
    im = ax.imshow(field, cmap=DIVERGING, vmin=-limit, vmax=limit, extent=_relative_extent(shape),
                   interpolation="nearest")
    if ticks:
        ax.set_xlabel(f"column relative to the peak (at {at[1]})"), ax.set_ylabel(f"row relative to the peak (at {at[0]})")
        pixel_ticks(ax, "x", "y")
    else:
        ax.set_xticks([]), ax.set_yticks([])
    if label:
        ax.figure.colorbar(im, ax=ax, shrink=0.8, label=label)
    return im


def evolution(ax, w_t: np.ndarray, t: np.ndarray, title: str, limit: float | None = None) -> None:
    """One receptive field on a ring over time: pixels across (centred on the final peak), time
    down; a diverging map centred on zero, +-``limit`` (default: its own largest |w|; pass one
    limit to panels compared)."""
    limit = limit or float(np.abs(w_t).max()) or 1.0
    n = w_t.shape[1]
    at = peak(w_t[-1], (n,))
    im = ax.imshow(centred(w_t, (n,), at), aspect="auto", cmap=DIVERGING, vmin=-limit, vmax=limit,
                   extent=(-(n // 2) - 0.5, n - n // 2 - 0.5, t[-1], t[0]), interpolation="nearest")
    ax.set_xlabel(f"pixel relative to the final peak (at {at[0]})"), ax.set_ylabel("time t = lr x steps")
    pixel_ticks(ax)
    ax.set_title(title, fontsize=10)
    ax.figure.colorbar(im, ax=ax, shrink=0.85, label="weight w_i")


def kurtosis_axis(ax, kurtosis: np.ndarray, label: str = "excess kurtosis of the pixel marginal") -> None:
    """An excess-kurtosis x axis: linear over [-2, 2], logarithmic beyond when the values reach
    past 4 (heavy tails: Kur(4.1) reaches ~26); a thin line at the Gaussian's 0."""
    ax.axvline(0, color="k", lw=0.5)
    top = float(np.nanmax(kurtosis)) if np.size(kurtosis) else 0.0
    if top > 4:
        ax.set_xscale("symlog", linthresh=2.0, linscale=2.0)
        ticks = [t for t in (-2, -1, 0, 1, 2, 5, 10, 20, 50, 100) if t <= max(2.0, top)]
        ax.set_xticks(ticks, [str(t) for t in ticks])
        label += " (linear in [-2, 2], log beyond)"
    ax.set_xlabel(label)


def describe_task(task: dict) -> str:
    """What the inputs were, for a title: family (parameter), excess kurtosis, N or L x L, xi.

    Arguments:
        task: a task's description as runs record it (``family``, ``parameter_name``,
            ``parameter``, ``excess_kurtosis``, ``xi``, ``shape``, and ``clone_of`` for a
            Gaussian clone), or natural-image patches (``patch_size``).
    """
    if "patch_size" in task:
        return f"whitened natural-image patches, {task['patch_size']} x {task['patch_size']}"
    original = task.get("clone_of")
    law = _law(original or task)
    if original:
        law = f"Gaussian clone of {law} (its pixels Gaussian, excess kurtosis 0)"
    shape = task.get("shape")
    grid = "" if shape is None else (f", N = {shape[0]} ring" if len(shape) == 1 else f", {shape[0]} x {shape[1]} torus")
    xi = "" if task.get("xi") is None else f", xi = {tuple(np.atleast_1d(task['xi']).tolist())}"
    return law + grid + xi


def _law(member: dict) -> str:
    """``family (name = value), excess kurtosis k`` of a task description."""
    value = "" if member.get("parameter") is None else f" ({member.get('parameter_name') or 'param'} = {member['parameter']:.4g})"
    return f"{member['family']}{value}, excess kurtosis {round(member['excess_kurtosis'], 6) + 0.0:.3g}"


def describe_training(config) -> str:
    """The network and its training, for a title: K units, activation, network, trainer, lr,
    steps, batch, seeds (``config``: a SimulationConfig or its dict)."""
    get = config.get if isinstance(config, dict) else lambda key, default=None: getattr(config, key, default)
    units = f"{get('neurons', 1)} {get('activation', 'relu')} unit{'s' if get('neurons', 1) > 1 else ''}"
    bias = " with bias" if get("bias", False) else ""
    seeds = get("seeds", 1)
    return (f"{get('network', 'committee')} network, {units}{bias}; {get('trainer', 'sgd')} lr {get('lr'):g}, "
            f"{get('steps')} steps, batch {get('batch')}, {seeds} seed{'s' if seeds > 1 else ''}")


def _show_covariance(ax, cov: Circulant, title: str):
    """A class's exact covariance: the matrix (ring) or its first row by displacement (torus)."""
    if len(cov.shape) == 1:
        im = ax.imshow(cov.dense(), cmap="viridis")
        ax.set_xlabel("pixel j"), ax.set_ylabel("pixel i")
        label = "covariance C_ij"
    else:  # 2-D: the covariance as a function of displacement (its first row), centred on zero
        im = ax.imshow(np.fft.fftshift(cov.first_row), cmap="viridis", extent=_relative_extent(cov.shape))
        ax.set_xlabel("displacement x (pixels)"), ax.set_ylabel("displacement y (pixels)")
        label = "covariance with the pixel at displacement 0"
    ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label=label)


def plot_marginal(ax: Axes, marginal: Marginal, samples: np.ndarray | None = None, log: bool = False) -> None:
    """Histogram of pixel samples with the exact density over it.

    For discrete marginals: the sample frequency of each value next to its exact probability.

    Arguments:
        ax: the axes to draw into.
        marginal: the pixel marginal.
        samples: [n] pixel values, or None to draw the exact law alone.
        log: a logarithmic density axis (for tails).
    """
    if marginal.atoms is not None:
        values, probs = marginal.atoms
        if samples is not None:
            freq = [np.mean(samples == v) for v in values]
            ax.bar(values, freq, width=0.3, alpha=0.5, color=OTHERS[0], label="sample frequency")
        ax.plot(values, probs, "k_", markersize=40, mew=2, label="exact probability")
        ax.set_ylim(0, 1), ax.set_xlim(min(values) - 0.5, max(values) + 0.5)
        ax.set_ylabel("probability")
    else:
        lo, hi = np.quantile(samples, [0.0005, 0.9995]) if samples is not None else (-4.0, 4.0)
        grid = np.linspace(lo, hi, 600)
        density = marginal.pdf(grid)
        label = "exact density"
        if samples is not None:
            heights, edges = np.histogram(samples, bins=120, range=(lo, hi), density=True)
            ax.stairs(heights, edges, fill=True, alpha=0.5, color=OTHERS[0], label="samples")  # one artist, not 120 bars
            top = 1.2 * max(heights.max(), np.median(density))
            if density.max() > top and not log:  # e.g. NLGP at a high gain: the density diverges at its support's edge
                ax.set_ylim(0, top)
                label += f" (cut at {top:.3g}, peaks {density.max():.2g})"
        ax.plot(grid, density, "k", lw=1.5, label=label)
        if log:
            ax.set_yscale("log"), ax.set_ylim(max(density.max() * 1e-5, 1e-300), None)
        ax.set_ylabel("density p(x)" + (" (log scale)" if log else ""))
    ax.set_xlabel("pixel value x (unit variance)")
    ax.set_title(f"pixel marginal: {_law({'family': marginal.family, 'excess_kurtosis': marginal.excess_kurtosis})}")
    if samples is not None:
        legend_outside(ax)


def inputs_figure(x: np.ndarray, y: np.ndarray, sigma0: Circulant, sigma1: Circulant,
                  marginal: Marginal, heading: str = "") -> Figure:
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
        heading: what the inputs are (see [`describe_task`][dyntools.plots.describe_task]).

    Returns:
        The figure (2 x 3 panels).
    """
    plt = _pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(15, 8), constrained_layout=True)
    shape = sigma0.shape
    for cls, ax in zip((0, 1), axes[0, :2]):
        idx = np.flatnonzero(y == cls)
        if idx.size and len(shape) == 2:
            limit = float(np.abs(x[idx[0]]).max()) or 1.0
            im = ax.imshow(x[idx[0]], cmap=DIVERGING, vmin=-limit, vmax=limit, interpolation="nearest")
            ax.set_xlabel("pixel column"), ax.set_ylabel("pixel row")
            fig.colorbar(im, ax=ax, shrink=0.8, label="pixel value")
        elif idx.size:
            ax.plot(np.ravel(x[idx[0]]), color=OTHERS[cls])
            ax.set_xlabel("pixel i"), ax.set_ylabel("pixel value x_i")
        ax.set_title(f"one sample of class y = {cls} (xi{cls})")
    _show_covariance(axes[1, 0], sigma0, "exact covariance, class 0")
    _show_covariance(axes[1, 1], sigma1, "exact covariance, class 1")
    plot_marginal(axes[0, 2], marginal, np.ravel(x)[:2_000_000])
    ax = axes[1, 2]
    d = np.arange(min(shape[0] // 2 + 1, 30))
    for cls, sigma in ((0, sigma0), (1, sigma1)):
        ax.plot(d, _along_first_axis(sigma.first_row)[d], "-", color=OTHERS[cls], label=f"class {cls}: exact")
        if np.any(y == cls):
            sample = sample_covariance_row(x[y == cls][:20_000])
            ax.plot(d, _along_first_axis(sample)[d], "x", color=OTHERS[cls], ms=6, label=f"class {cls}: sample")
    ax.set_xlabel("offset (pixels, along the first axis)"), ax.set_ylabel("covariance")
    ax.set_title("covariance vs offset")
    legend_outside(ax)
    fig.suptitle(f"Inputs: {heading}; {len(y)} samples" if heading else f"Inputs: {len(y)} samples")
    return fig


def _along_first_axis(row: np.ndarray) -> np.ndarray:
    return row[(slice(None),) + (0,) * (row.ndim - 1)]


def save(fig: Figure, path: Path | str) -> None:
    """Write `fig` to `path` (at 110 dpi; the format from the suffix) and close it.

    Arguments:
        fig: the figure.
        path: the image file to write.
    """
    from .files import atomic_write

    path = Path(path)
    fmt = path.suffix[1:].lower()
    atomic_write(path, (lambda file: _print_png(fig, file, DPI)) if fmt == "png" else
                 (lambda file: fig.savefig(file, format=fmt, dpi=DPI)))
    _pyplot().close(fig)


DPI = 110
"""Resolution of every figure written."""


def _print_png(fig: Figure, file, dpi: float) -> None:
    """``fig.savefig(file, format="png", dpi=dpi)`` in one draw, the same bytes.

    With a layout engine, `savefig` draws the figure twice: once without rendering, to lay it
    out, then for real with the layout frozen. The Agg canvas's own PNG writer draws once,
    laying the figure out at the start of that draw, at the same dpi and canvas size: the same
    pixels, 12-15% less time (every figure the CLI writes was checked byte for byte)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    before = fig.dpi
    fig.dpi = dpi
    try:
        canvas.print_png(file)
    finally:
        fig.dpi = before


def drawing():
    """The settings under which dyntools builds its figures (a context manager; see
    [`run_figures`][dyntools.figures.run_figures]).

    Titles sit at the top of their axes (``axes.titley`` 1.0) instead of being placed anew at
    every layout pass and draw above whatever sticks out of the axes' top: no dyntools axes has
    tick labels or an axis label on top, so the places are the same, and this saves a few
    percent of every save. Axes made under these settings keep them."""
    import matplotlib

    return matplotlib.rc_context({"axes.titley": 1.0})


def plot_amplifier(ax: Axes, amplifier: Amplifier | None) -> None:
    r"""$\varphi(a)$ against the linear (Gaussian) amplifier $\sqrt{2/\pi}\, a$, for $a \in (-1, 1)$.

    Arguments:
        ax: the axes to draw into.
        amplifier: the localization amplifier, or None (Gaussian line only).
    """
    a = np.linspace(-0.999, 0.999, 401)
    gaussian = np.sqrt(2 / np.pi) * a
    phi = None if amplifier is None else amplifier.values(a)
    if phi is not None and np.allclose(phi, gaussian, rtol=0, atol=1e-9):  # Gaussian pixels: one line, said so
        ax.plot(a, phi, "k", lw=2, label=f"phi(a) ({amplifier.kind}) = the Gaussian's sqrt(2/pi) a")
    else:
        if phi is not None:
            ax.plot(a, phi, "k", lw=2, label=f"phi(a) ({amplifier.kind})")
        ax.plot(a, gaussian, ":", color="gray", lw=1.5, label="Gaussian: sqrt(2/pi) a")
    ax.set_xlabel("a = (Sigma_1 w)_i / sqrt(w . Sigma_1 w)"), ax.set_ylabel("phi(a)")
    ax.set_title("localization amplifier")
    legend_outside(ax)


def theory_vs_simulation_figure(arrays: dict, summary: dict, shape: tuple[int, ...], amplifier: Amplifier | None,
                                marginal: Marginal, heading: str = "") -> Figure:
    """The figure of `dyntools simulate`: theory against network for neuron 1.

    Top: the receptive field of theory and network (seed 1) over time (1-D) or at the end
    (2-D), and the final profiles, each centred on its peak. Bottom: the IPR over time, the
    cosine of theory and network over time, the pixel marginal and the amplifier
    ([`plot_amplifier`][dyntools.plots.plot_amplifier]). Without `"w_theory"` the theory panels
    say why.

    Arguments:
        arrays: a simulation's arrays: `"t"` [T], `"w_sim"` [S, T, K, N], `"ipr_sim"` [S, T, K],
            and with a theory `"w_theory"` [T, K, N], `"ipr_theory"` [T, K], `"cosine"` [S, T, K].
        summary: the simulation's summary (IPR levels, final IPRs).
        shape: the pixel grid, (N,) or (L, L).
        amplifier: the localization amplifier, or None.
        marginal: the pixel marginal.
        heading: what ran (inputs and training; see [`describe_task`][dyntools.plots.describe_task]
            and [`describe_training`][dyntools.plots.describe_training]).

    Returns:
        The figure (3 panels above 4).
    """
    plt = _pyplot()
    fig = plt.figure(figsize=(21, 10), layout="constrained")
    upper, lower = fig.subfigures(2, 1)
    top, bottom = upper.subplots(1, 3), lower.subplots(1, 4)
    has_theory = "w_theory" in arrays
    _field_panels(top, arrays, shape)
    _ipr_panel(bottom[0], arrays, summary)
    _cosine_panel(bottom[1], arrays)
    plot_marginal(bottom[2], marginal)
    plot_amplifier(bottom[3], amplifier)
    result = f"final IPR network {summary['ipr_sim_final_mean']:.3f}" + (
        f", theory {summary['ipr_theory_final']:.3f}" if has_theory else "")
    fig.suptitle(f"{heading}\n{result}" if heading else result)
    return fig


def _field_panels(axes, arrays: dict, shape: tuple[int, ...]) -> None:
    """Neuron 1's field of theory and network over time (1-D) or at the end (2-D), on one
    colour scale, and the final profiles (2-D: the row through the peak), each centred on its peak."""
    t, sim = arrays["t"], arrays["w_sim"][0, :, 0]
    theory = arrays["w_theory"][:, 0] if "w_theory" in arrays else None
    if theory is None:
        axes[0].text(0.5, 0.5, "no effective theory\n(it covers the committee machine\nof ReLU units without bias)",
                     ha="center", va="center", transform=axes[0].transAxes)
        axes[0].set_axis_off()
    shown = [sim] + ([theory] if theory is not None else [])
    limit = max(float(np.abs(w[-1] if len(shape) == 2 else w).max()) for w in shown) or 1.0
    for ax, w, name in zip(axes[:2], (theory, sim), ("theory (effective ODE)", "network (SGD, seed 1)")):
        if w is None:
            continue
        if len(shape) == 1:
            evolution(ax, w, t, f"{name}, neuron 1", limit)
        else:
            show_field(ax, w[-1], shape, limit, label="weight w_i")
            ax.set_title(f"{name}: field of neuron 1 at t = {t[-1]:g}")
    ax = axes[2]
    for w, style, name in ((sim[-1], NETWORK, "network (seed 1)"), (None if theory is None else theory[-1], THEORY, "theory")):
        if w is None:
            continue
        at = peak(w, shape)
        row = centred(w, shape, at)
        row = row if len(shape) == 1 else row[shape[0] // 2]
        scale = np.abs(row).max() or 1.0  # an all-zero field is drawn as it is
        ax.plot(relative(shape[-1]), row / scale, **style, label=f"{name}, peak at {at[0] if len(shape) == 1 else at}")
    ax.axhline(0, color="gray", lw=0.5)
    along = "pixel" if len(shape) == 1 else "column (row through the peak)"
    ax.set_xlabel(f"{along} relative to the peak"), ax.set_ylabel("w_i / max |w|")
    pixel_ticks(ax)
    ax.set_title(f"final receptive field, neuron 1, t = {t[-1]:g}")
    legend_outside(ax)


def _ipr_panel(ax, arrays: dict, summary: dict) -> None:
    """IPR over time: network (mean and s.d. over seeds), theory, the reference levels."""
    t = arrays["t"]
    ipr_sim = arrays["ipr_sim"].mean(axis=-1)  # over neurons
    mean, sd = ipr_sim.mean(axis=0), ipr_sim.std(axis=0)
    ax.plot(t, mean, **NETWORK, label=f"network (mean of {len(ipr_sim)} seeds)")
    ax.fill_between(t, np.maximum(mean - sd, mean.min() / 2), mean + sd, color=NETWORK["color"], alpha=0.2,
                    label="network +- 1 s.d.")
    if "ipr_theory" in arrays:
        ax.plot(t, arrays["ipr_theory"].mean(axis=-1), **THEORY, label="theory")
    ipr_levels(ax, arrays["w_sim"].shape[-1])  # N from the arrays (checked against the config)
    ipr_log_axis(ax)
    ax.set_xlabel("time t = lr x steps"), ax.set_ylabel("IPR (mean over neurons)"), ax.set_title("localization over time")
    legend_outside(ax)


def _cosine_panel(ax, arrays: dict) -> None:
    """Cosine of theory and network over time: mean over seeds, band min-max."""
    if "cosine" in arrays:
        t, cos = arrays["t"], arrays["cosine"].mean(axis=-1)
        ax.plot(t, cos.mean(axis=0), "k", lw=1.5)
        ax.fill_between(t, cos.min(axis=0), cos.max(axis=0), color="k", alpha=0.15)
        ax.set_ylim(min(0.0, float(cos.min())), 1.02)
    else:
        ax.text(0.5, 0.5, "no theory to compare with", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("time t = lr x steps"), ax.set_ylabel("cosine(theory, network)")
    ax.set_title("theory vs network (mean; band min-max over seeds)\nthe theory is early-time", fontsize=10)


def receptive_fields_figure(arrays: dict, shape: tuple[int, ...], heading: str = "", most: int = 10) -> Figure:
    """The final receptive fields of all K neurons (at most `most`), theory beside network (seed 1).

    Neurons are sorted by the circular peak position of the network's field (in 2-D, along the
    first axis); each field is centred on its own peak (its position in the tick labels or
    titles), on one diverging colour scale centred on zero. 1-D: one row per neuron; 2-D: one
    image per neuron.

    Arguments:
        arrays: a simulation's arrays: `"t"` [T], `"w_sim"` [S, T, K, N] and, if there is a
            theory, `"w_theory"` [T, K, N].
        shape: the pixel grid, (N,) or (L, L).
        heading: what ran, for the title.
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
        fig, axes = plt.subplots(1, len(fields), figsize=(6 * len(fields), 0.5 * len(order) + 2.5),
                                 squeeze=False, constrained_layout=True)
        for ax, (title, w) in zip(axes[0], fields):
            peaks = [peak(w[k], shape)[0] for k in order]
            rows = np.array([centred(w[k], shape, (p,)) for k, p in zip(order, peaks)])
            n = shape[0]
            im = ax.imshow(rows, aspect="auto", cmap=DIVERGING, vmin=-limit, vmax=limit, interpolation="nearest",
                           extent=(-(n // 2) - 0.5, n - n // 2 - 0.5, len(order) - 0.5, -0.5))
            ax.set_xlabel("pixel relative to the neuron's peak"), ax.set_ylabel("neuron (peak pixel)")
            pixel_ticks(ax)
            ax.set_yticks(range(len(order)), [f"{k + 1} ({p})" for k, p in zip(order, peaks)])
            ax.set_title(title)
        fig.colorbar(im, ax=axes[0], shrink=0.8, label="weight w_i")
    else:
        fig, axes = plt.subplots(len(fields), len(order), figsize=(max(2 * len(order) + 1.5, 11), 2.2 * len(fields) + 1.2),
                                 squeeze=False, constrained_layout=True)
        for row, (title, w) in zip(axes, fields):
            for ax, k in zip(row, order):
                im = show_field(ax, w[k], shape, limit, ticks=False)
                ax.set_title(f"{title.split()[0]} {k + 1}\npeak {peak(w[k], shape)}", fontsize=9)
        fig.colorbar(im, ax=axes, shrink=0.8, label="weight w_i (each field centred on its peak)")
    what = f"final receptive fields of {len(order)} of {len(sim)} neurons, t = {arrays['t'][-1]:g}"
    fig.suptitle(f"{heading}\n{what}" if heading else what)
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
    r"""A sweep's figure from its saved Dataset.

    One axis: final IPR along it (against excess kurtosis for a kurtosis or param axis, with
    the level that defines the critical excess kurtosis, $\sqrt{3/N \times \max \mathrm{IPR}}$,
    and the critical excess kurtosis of network and theory marked on it). Two axes: heat maps of
    theory and network on one colour scale, with the critical line when one axis is kurtosis or param.

    Arguments:
        ds: a sweep's Dataset with one or two grid axes: `"excess_kurtosis"` and `"ipr_theory"`
            [*axes], optionally `"ipr_sim"` [*axes, seed] and the critical-kurtosis variables.

    Returns:
        The figure.
    """
    axes = _grid_dims(ds)
    fig = _sweep_curve(ds, axes[0]) if len(axes) == 1 else _sweep_heat_maps(ds, *axes)
    fig.suptitle(_sweep_heading(ds))
    return fig


def _sweep_heading(ds) -> str:
    """What a sweep ran: its axes, the inputs (family, N, xi) and the training."""
    import json

    config = json.loads(ds.attrs["config"])
    base, task = config["base"], config["base"]["task"]
    family = "pixel law picked by kurtosis" if task["family"] == "auto" else f"family {task['family']}"
    if task.get("gaussian_clone"):
        family = f"Gaussian clones ({family}; kurtosis axis: the originals')"
    grid = f"{task['n_dims']} x {task['n_dims']} torus" if task.get("two_d") else f"N = {task['n_dims']} ring"
    axes = " x ".join(f"{_axis_name(name, task['family'])} ({len(values)} values)" for name, values in config["grid"].items())
    training = "theory only" if config.get("theory_only") else describe_training(base)
    return f"Sweep over {axes}: {family}, {grid}, xi = ({task['xi0']:g}, {task['xi1']:g})\n{training}"


def _axis_name(axis: str, family: str) -> str:
    """A sweep axis as a heading names it: the family's parameter by its own name ("the gain")."""
    from .inputs.spec import family_parameters

    parameter = family_parameters().get(family) if axis == "param" else None
    return f"the {parameter}" if parameter else axis


def _sweep_curve(ds, axis: str):
    """Final IPR along one axis: network (mean +- s.d. over seeds) and theory."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 5), constrained_layout=True)
    along_kurtosis = axis in ("kurtosis", "param")
    x = ds["excess_kurtosis"].values if along_kurtosis else ds[axis].values
    n_pixels = _sweep_pixels(ds)
    curves = []
    if "ipr_sim" in ds:
        sim = ds["ipr_sim"].values
        ax.errorbar(x, sim.mean(axis=1), yerr=sim.std(axis=1), fmt="o", capsize=3, **NETWORK,
                    label=f"network (mean +- s.d. over {sim.shape[1]} seeds)")
        curves.append(("network", sim.mean(axis=1), NETWORK, "critical_excess_kurtosis_network"))
    if np.isfinite(ds["ipr_theory"].values).any():
        ax.plot(x, ds["ipr_theory"].values, marker="s", **THEORY, label="theory (effective ODE)")
        curves.append(("theory", ds["ipr_theory"].values, THEORY, "critical_excess_kurtosis_theory"))
    smoother = any(np.nanmin(ipr) < random_field_ipr(n_pixels) for _, ipr, _, _ in curves)
    ipr_levels(ax, n_pixels, "random", "localized", *(("sinusoid", "constant") if smoother else ()))
    if along_kurtosis:
        for name, ipr, style, key in curves:
            _critical_mark(ax, ds, name, x, ipr, style, key, n_pixels)
        kurtosis_axis(ax, x)
        if "critical_excess_kurtosis_network_interval" in ds and np.isfinite(ds["critical_excess_kurtosis_network_interval"]).all():
            ax.axvspan(*ds["critical_excess_kurtosis_network_interval"].values, color=NETWORK["color"], alpha=0.1,
                       label="critical (network): 95% bootstrap interval over seeds")
    else:
        ax.set_xlabel(AXIS_LABELS[axis])
    ipr_log_axis(ax), ax.set_ylabel("final IPR")
    ax.set_title(f"final IPR at {len(x)} points" + ("\nbelow 3/N a field is smoother than a random one\n(a sinusoid "
                                                   "has 1.5/N, a constant field 1/N)" if smoother else ""), fontsize=10)
    legend_outside(ax)
    return fig


def _critical_mark(ax, ds, name: str, kurtosis: np.ndarray, ipr: np.ndarray, style: dict, key: str,
                   n_pixels: int) -> None:
    """The level sqrt(3/N x max IPR) of one curve ([`localization_level`][dyntools.metrics.localization_level])
    and, where it crosses, the critical excess kurtosis the run recorded (``ds[key]``)."""
    level = localization_level(kurtosis, ipr, n_pixels)
    if level is None:
        return
    critical = float(ds[key]) if key in ds else np.nan
    ax.axhline(level, color=style["color"], ls=(0, (1, 2)), lw=1,
               label=f"{name}: level sqrt(3/N x max IPR)" + ("" if np.isfinite(critical) else ", no crossing"))
    if np.isfinite(critical):
        ax.plot([critical], [level], marker="X", ms=11, color=style["color"], mec="k", ls="none",
                label=f"critical excess kurtosis ({name}): {critical:.2g}")


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
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 5.5), squeeze=False, constrained_layout=True)
    n_pixels = _sweep_pixels(ds)
    for ax, (title, field) in zip(axes[0], panels):
        field = field.transpose(y_axis, x_axis)
        mesh = ax.pcolormesh(ds[x_axis].values, ds[y_axis].values, field.values, norm=norm, cmap="viridis",
                             shading="nearest")
        if x_axis in ("kurtosis", "param"):  # the phase boundary: the critical value along x at each y
            for name, source, style in (("theory", panels[0][1], {**THEORY, "color": "white"}),
                                        ("network", panels[-1][1], {**NETWORK, "color": "black"}))[:len(panels)]:
                crossing = _critical_line(ds, source, x_axis, y_axis, n_pixels)
                ax.plot(crossing, ds[y_axis].values, marker="o", ms=4, **style,
                        label=f"critical {x_axis}, {name} (no marker: no crossing)")
        ax.set_xlabel(AXIS_LABELS[x_axis]), ax.set_ylabel(AXIS_LABELS[y_axis])
        ax.set_title(f"final IPR, {title}", fontsize=10)
    fig.colorbar(mesh, ax=axes[0], label="final IPR (log scale; random field 3/N = " f"{random_field_ipr(n_pixels):.3g})")
    if x_axis in ("kurtosis", "param"):
        fig.legend(*axes[0, -1].get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=8,
                   facecolor="lightgray")
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


def compare_figure(loaded: list) -> Figure:
    """Overlay runs: IPR over time (simulate runs) or IPR vs kurtosis (sweep runs).

    One colour per run; network solid, theory dashed.

    Arguments:
        loaded: (path, record, arrays) per run, as from [`load_run`][dyntools.runs.load_run]:
            simulate runs with a `"trajectories"` file, or one-axis sweep runs with a `"sweep"`
            Dataset.

    Returns:
        The figure.
    """
    from pathlib import PurePath

    plt = _pyplot()
    with drawing():
        fig, ax = plt.subplots(figsize=(10, 5.5), constrained_layout=True)
    pixels = set()
    for i, (path, record, arrays) in enumerate(loaded):
        color, name = OTHERS[i % len(OTHERS)], PurePath(path).name
        if record["command"] == "simulate":
            traj, summary = arrays["trajectories"], record["summary"]
            n = traj["w_sim"].shape[-1]
            pixels.add(n)
            clone = summary.get("clone_of")
            inputs = f"Gaussian clone of {_law(clone)}" if clone else _law(summary)
            per_seed = traj["ipr_sim"].mean(axis=2)  # [seeds, T], mean over neurons
            ax.plot(traj["t"], per_seed.mean(axis=0), color=color, label=f"{name}: network ({inputs}; N = {n})")
            if len(per_seed) > 1:
                ax.fill_between(traj["t"], per_seed.min(axis=0), per_seed.max(axis=0), color=color, alpha=0.15, lw=0)
            if "ipr_theory" in traj:
                ax.plot(traj["t"], traj["ipr_theory"].mean(axis=-1), "--", color=color, label=f"{name}: theory")
            ax.set_xlabel("time t = lr x steps")
        else:
            data = arrays["sweep"]
            pixels.add(_sweep_pixels(data))
            if "ipr_sim" in data:
                sim = data["ipr_sim"].values
                ax.errorbar(data["excess_kurtosis"], sim.mean(axis=1), yerr=sim.std(axis=1),
                            fmt="o-", color=color, capsize=3, label=f"{name}: network (mean +- s.d.)")
            ax.plot(data["excess_kurtosis"], data["ipr_theory"], "s--", color=color, label=f"{name}: theory")
            ax.set_xlabel("excess kurtosis of the pixel marginal")
    if len(pixels) == 1:
        ipr_levels(ax, pixels.pop())
    ipr_log_axis(ax), ax.set_ylabel("IPR" if loaded[0][1]["command"] == "simulate" else "final IPR")
    what = "IPR over time" if loaded[0][1]["command"] == "simulate" else "final IPR against excess kurtosis"
    band = ", band: min-max over seeds" if loaded[0][1]["command"] == "simulate" else ""
    differ = ("" if len(pixels) <= 1 else
              f"\nthe runs differ in N ({', '.join(map(str, sorted(pixels)))}): IPRs scale as 1/N; no 3/N level drawn")
    fig.suptitle(f"{what} of {len(loaded)} {loaded[0][1]['command']} runs\n(solid: network, dashed: theory{band}){differ}")
    legend_outside(ax)
    return fig


def atoms_figure(atoms: np.ndarray, shape: tuple[int, ...], title: str, most: int = 48,
                 periodic: bool = True) -> Figure:
    """Atoms sorted by IPR (most localized first), scaled to max |w| = 1, each centred on its
    peak when the pixels lie on a ring or torus (`periodic`); image patches are drawn as learned.

    1-D: the atoms as rows of an image beside their IPRs; 2-D: one image per atom (8 per row),
    its IPR above it.

    Arguments:
        atoms: [M, N] learned atoms, one per row.
        shape: the pixel grid, (N,) or (L, L) (then each atom is an image).
        title: the figure title.
        most: the most atoms shown.
        periodic: whether the grid wraps around (the task's ring or torus; not image patches).

    Returns:
        The figure.
    """
    from .metrics import ipr

    plt = _pyplot()
    values = ipr(atoms)
    if not periodic:
        cols = int(np.ceil(np.sqrt(len(atoms))))
        side = min(9.0, 0.45 * cols + 2)
        fig, ax = plt.subplots(figsize=(side + 1.6, side * np.ceil(len(atoms) / cols) / cols + 1.2),
                               constrained_layout=True)
        fig.colorbar(atom_mosaic(ax, atoms, shape), ax=ax, shrink=0.8, label="w / max |w| (each atom)")
        fig.suptitle(f"{title} (each atom as learned)", fontsize=10)
        return fig
    order = np.argsort(values)[::-1][:most]
    scaled = atoms[order] / np.maximum(np.abs(atoms[order]).max(axis=1, keepdims=True), 1e-300)
    label = "w / max |w| (each atom, centred on its peak)"
    if len(shape) == 1:
        fig, (ax, side) = plt.subplots(1, 2, figsize=(12, 0.25 * len(order) + 3), width_ratios=(2, 1),
                                       constrained_layout=True)
        n = shape[0]
        rows = np.array([centred(w, shape, peak(w, shape)) for w in scaled])
        im = ax.imshow(rows, aspect="auto", cmap=DIVERGING, vmin=-1, vmax=1, interpolation="nearest",
                       extent=(-(n // 2) - 0.5, n - n // 2 - 0.5, len(order) + 0.5, 0.5))
        ax.set_xlabel("pixel relative to the atom's peak"), ax.set_ylabel("atom rank (1: highest IPR)")
        pixel_ticks(ax)
        ax.set_title("atoms")
        fig.colorbar(im, ax=ax, shrink=0.8, label=label)
        side.plot(np.arange(1, len(order) + 1), values[order], "o", color=OTHERS[0])
        ipr_levels(side, n)
        ipr_log_axis(side), side.set_xlabel("atom rank"), side.set_ylabel("IPR")
        side.set_title("IPR of each atom")
    else:
        cols = min(8, len(order))
        rows = int(np.ceil(len(order) / cols))
        fig, axes = plt.subplots(rows, cols, figsize=(max(2 * cols + 1.5, 11), 2 * rows + 1.6), squeeze=False,
                                 constrained_layout=True)
        for ax in axes.ravel():
            ax.set_axis_off()
        for ax, w, j in zip(axes.ravel(), scaled, order):
            ax.set_axis_on()
            im = show_field(ax, w, shape, 1.0, ticks=False)
            ax.set_title(f"IPR {values[j]:.2f}", fontsize=9)
        fig.colorbar(im, ax=axes, shrink=0.8, label="w / max |w| (each atom)")
        title += " (each atom centred on its peak)"
    fig.suptitle(title)
    return fig


def atom_mosaic(ax: Axes, atoms: np.ndarray, shape: tuple[int, int]) -> AxesImage:
    """Every atom of an image patch as learned (a patch has edges: rolled, its structure would
    wrap around them), in learned order, tiled into one image with one-pixel gaps, each on its
    own symmetric scale (w / max |w|); one artist, so it draws fast.

    Arguments:
        ax: the axes to draw in.
        atoms: [M, h * w] atoms, one per row.
        shape: (h, w), the patch.

    Returns:
        The image (for a colourbar).
    """
    h, w = shape
    cols = int(np.ceil(np.sqrt(len(atoms))))
    rows = int(np.ceil(len(atoms) / cols))
    mosaic = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    scaled = atoms / np.maximum(np.abs(atoms).max(axis=1, keepdims=True), 1e-300)
    for k, atom in enumerate(scaled):
        r, c = divmod(k, cols)
        mosaic[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = atom.reshape(shape)
    image = ax.imshow(mosaic, cmap=DIVERGING, vmin=-1, vmax=1, interpolation="nearest")
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_xlabel(f"{len(atoms)} atoms, {h} x {w} pixels each, in learned order (row by row)")
    return image


def tuning_figure(fits: GaborFits, control: GaborFits, shape: tuple[int, int], title: str) -> Figure:
    """How Gabor-like the atoms are (Ringach 2002's measures), beside the PCA control.

    Four panels: $n_y$ against $n_x$ (envelope s.d. along and across the bars, in carrier
    periods); orientation and spatial frequency histograms; envelope s.d. across against along
    the bars, with the localization limit (half the patch side). Scatter panels show every atom
    that fits (R^2 >= 0.7), filled when it is also localized; histograms count those that fit.

    Arguments:
        fits: Gabor fits of the atoms.
        control: Gabor fits of the principal components of the same patches.
        shape: (h, w), the patch.
        title: the figure title.

    Returns:
        The figure.
    """
    plt = _pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.6), constrained_layout=True)
    limit = min(shape) / 2
    groups = [(f"atoms ({100 * np.mean(fits.localized(shape)):.0f}% localized Gabors)", fits, OTHERS[0], "o"),
              (f"PCA control ({100 * np.mean(control.localized(shape)):.0f}%)", control, OTHERS[2], "s")]
    for label, group, colour, marker in groups:
        with np.errstate(invalid="ignore"):
            good, local = group.r2 >= 0.7, group.localized(shape)
        for ax, x, y in ((axes[0], group.nx, group.ny), (axes[3], group.sigma_y, group.sigma_x)):
            ax.scatter(x[good & ~local], y[good & ~local], s=14, facecolors="none", edgecolors=colour, marker=marker)
            ax.scatter(x[local], y[local], s=14, color=colour, marker=marker, label=label)
        axes[1].hist(group.orientation_deg[good], bins=np.arange(0, 181, 15), histtype="step", color=colour, lw=1.5)
        axes[2].hist(group.frequency[good], bins=np.linspace(0, 0.5, 21), histtype="step", color=colour, lw=1.5)
    axes[0].set_xlabel("$n_x = \\sigma_x f$ (across the bars)"), axes[0].set_ylabel("$n_y = \\sigma_y f$ (along the bars)")
    axes[0].set_xlim(0, 1.5), axes[0].set_ylim(0, 1.5)
    axes[0].set_title("envelope in carrier periods")
    axes[1].set_xlabel("orientation (degrees)"), axes[1].set_ylabel("atoms that fit (R² ≥ 0.7)")
    axes[1].set_xticks(range(0, 181, 45)), axes[1].set_title("orientation")
    axes[2].set_xlabel("spatial frequency (cycles/pixel)"), axes[2].set_ylabel("atoms that fit (R² ≥ 0.7)")
    axes[2].set_title("spatial frequency")
    axes[3].axvline(limit, color="dimgray", ls=":", lw=1), axes[3].axhline(limit, color="dimgray", ls=":", lw=1)
    axes[3].annotate("localized: s.d. ≤ half the patch", xy=(limit, limit), xytext=(3, 3), textcoords="offset points",
                     fontsize=8, color="dimgray")
    axes[3].set_xscale("log"), axes[3].set_yscale("log")
    axes[3].set_xlabel("envelope s.d. along the bars $\\sigma_y$ (pixels)")
    axes[3].set_ylabel("envelope s.d. across the bars $\\sigma_x$ (pixels)")
    axes[3].set_title("envelope size")
    legend_outside(axes[3])
    fig.suptitle(title + "\nfilled: fits (R² ≥ 0.7) and localized (centre inside, s.d. ≤ half the patch); "
                 "open: fits, not localized", fontsize=10)
    return fig


def localization_map_figure(table: dict, n_pixels: int, heading: str = "") -> Figure:
    """Final IPR of each method against excess kurtosis (the figure of `dyntools localization-map`).

    The supervised neuron in the network's blue, the theory in red dashed, baselines in other colours.

    Arguments:
        table: `{"excess_kurtosis": [P], "median_ipr": {method name: [P] values}}` and, in
            newer records, `"spread"`: `{method name: [P, 2]}` (atom quartiles; the neuron's
            mean +- s.d.), drawn as bands.
        n_pixels: N, for the random-field level 3/N.
        heading: what ran (inputs, settings), for the title.

    Returns:
        The figure.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10, 5.5), constrained_layout=True)
    kurt = np.asarray(table["excess_kurtosis"], dtype=float)
    others = iter(OTHERS)
    for name, values in table["median_ipr"].items():
        style = {"supervised neuron": NETWORK, "theory": THEORY}.get(name) or {"color": next(others), "ls": "-"}
        ax.plot(kurt, values, marker="o", **style, label=name)
        if name in table.get("spread", {}):
            low, high = np.asarray(table["spread"][name], dtype=float).T
            ax.fill_between(kurt, low, high, color=style["color"], alpha=0.15, lw=0)
    ipr_levels(ax, n_pixels)
    kurtosis_axis(ax, kurt)
    ipr_log_axis(ax), ax.set_ylabel("final IPR (baselines: median over atoms, band: quartiles;\n"
                                        "neuron: mean over seeds, band: +- 1 s.d.)")
    ax.set_title(f"final IPR of each method at {len(kurt)} excess kurtosis values", fontsize=10)
    legend_outside(ax)
    if heading:
        fig.suptitle(heading)
    return fig
