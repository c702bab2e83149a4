"""Every figure the CLI writes. Functions take plain arrays and return a matplotlib Figure."""

from __future__ import annotations

import numpy as np

from .inputs.kernels import Circulant
from .inputs.marginals import Marginal


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _show_field(ax, w: np.ndarray, shape: tuple[int, ...], **kw):
    """A receptive field or sample: line on a ring, image on a torus."""
    if len(shape) == 2:
        ax.imshow(np.reshape(w, shape), cmap="RdBu_r", **kw)
        ax.set_xticks([]), ax.set_yticks([])
    else:
        ax.plot(np.ravel(w), **kw)
        ax.set_xlabel("pixel")


def _show_covariance(ax, cov: Circulant, title: str):
    if len(cov.shape) == 1:
        im = ax.imshow(cov.dense(), cmap="viridis")
        ax.set_xlabel("pixel j"), ax.set_ylabel("pixel i")
    else:  # 2-D: the covariance as a function of displacement (its first row), centred
        im = ax.imshow(np.fft.fftshift(cov.first_row), cmap="viridis")
        ax.set_xlabel("displacement x"), ax.set_ylabel("displacement y")
    ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, shrink=0.8)


def plot_marginal(ax, marginal: Marginal, samples: np.ndarray | None = None):
    """Histogram of pixel samples with the exact density (or point masses) over it."""
    if samples is not None:
        lo, hi = np.quantile(samples, [0.0005, 0.9995])
        ax.hist(samples, bins=120, range=(lo, hi), density=True, alpha=0.5, label="samples")
    else:
        lo, hi = -4.0, 4.0
    if marginal.atoms is not None:
        values, probs = marginal.atoms
        ax.vlines(values, 0, probs, colors="k", lw=2, label="exact (point masses)")
    else:
        grid = np.linspace(lo, hi, 600)
        ax.plot(grid, marginal.pdf(grid), "k", lw=1.5, label="exact density")
    ax.set_xlabel("pixel value x")
    ax.set_title(f"{marginal.family}: excess kurtosis {marginal.excess_kurtosis:.3g}")
    ax.legend(fontsize=8)


def inputs_figure(x: np.ndarray, y: np.ndarray, sigma0: Circulant, sigma1: Circulant, marginal: Marginal):
    plt = _pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(14, 8), constrained_layout=True)
    shape = sigma0.shape
    for cls, ax in zip((0, 1), axes[0, :2]):
        idx = np.flatnonzero(y == cls)
        if idx.size:
            _show_field(ax, x[idx[0]], shape)
        ax.set_title(f"one sample of class y={cls}")
    _show_covariance(axes[1, 0], sigma0, "exact covariance, class 0")
    _show_covariance(axes[1, 1], sigma1, "exact covariance, class 1")
    plot_marginal(axes[0, 2], marginal, np.ravel(x)[:2_000_000])
    rows = [sigma0.first_row.ravel(), sigma1.first_row.ravel()]
    d = np.arange(rows[0].size)[: min(rows[0].size, 30)]
    for r, cls in zip(rows, (0, 1)):
        axes[1, 2].plot(d, r[d], "o-", ms=3, label=f"class {cls}")
    axes[1, 2].set_xlabel("offset (pixels, along the first axis)")
    axes[1, 2].set_title("pixel covariance vs offset")
    axes[1, 2].legend()
    return fig


def save(fig, path) -> None:
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
