"""Sample statistics of generated inputs, checked against the exact ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .kernels import Circulant

DENSE_CHECK_MAX_PIXELS = 256


def sample_excess_kurtosis(x: np.ndarray) -> float:
    r"""Sample excess kurtosis of all entries, pooled: $\overline{x^4} / (\overline{x^2})^2 - 3$.

    Moments are about zero (the pixels have mean zero).

    Arguments:
        x: samples, any shape (flattened).

    Returns:
        The excess kurtosis.
    """
    x = np.asarray(x, dtype=float).ravel()
    return float(np.mean(x**4) / np.mean(x**2) ** 2 - 3)


def sample_covariance_row(x: np.ndarray) -> np.ndarray:
    r"""The translation-averaged sample covariance of stationary samples, as a first row, by FFT.

    $\hat C(d) = \frac{1}{nN} \sum_{s} \sum_{i} x_{s,i}\, x_{s,i+d}$ (indices wrap around the ring
    or torus; moments about zero: the pixels have mean zero), from the mean power spectrum of the
    samples in $O(n N \log N)$.

    Arguments:
        x: [n, *grid] samples (grid [N] on a ring, [L, L] on a torus).

    Returns:
        [*grid] the covariance of pixel 0 with the pixel at each displacement.
    """
    x = np.asarray(x, dtype=float)
    axes = tuple(range(1, x.ndim))
    spectrum = np.mean(np.abs(np.fft.fftn(x, axes=axes)) ** 2, axis=0)
    return np.fft.ifftn(spectrum).real / np.prod(x.shape[1:])


def max_covariance_error(x: np.ndarray, exact: Circulant) -> tuple[float, str]:
    r"""Largest |sample - exact| covariance entry, and the estimator used.

    Up to 256 pixels: the full sample covariance $x^\top x / n$ (about zero). Above: the
    translation-averaged sample covariance (all models are stationary; `sample_covariance_row`)
    compared with the exact first row.

    Arguments:
        x: [n, *grid] samples.
        exact: the exact covariance on the same grid.

    Returns:
        error: the largest absolute entry-wise difference.
        estimator: ``'dense'`` or ``'translation-averaged'``.
    """
    n = x.shape[0]
    flat = np.asarray(x, dtype=float).reshape(n, -1)
    if flat.shape[1] <= DENSE_CHECK_MAX_PIXELS:
        sample = flat.T @ flat / n
        return float(np.abs(sample - exact.dense()).max()), "dense"
    return float(np.abs(sample_covariance_row(x) - exact.first_row).max()), "translation-averaged"


def input_statistics(task, x: np.ndarray, y: np.ndarray) -> dict:
    """Exact vs sample excess kurtosis and covariance, per class and overall.

    Arguments:
        task (TwoClassTask): the task that generated the samples.
        x: [n, *grid] samples.
        y: [n] labels in {0, 1}.

    Returns:
        A JSON-friendly dict: model, family, parameter, exact and sample excess kurtosis, exact
            moments, the largest covariance error (overall and per class, see
            `max_covariance_error`), the estimator, the fraction of class 1, kernel clipping
            and whether every sample is finite.
    """
    marginal = task.pixel_marginal
    errors = {}
    for cls, cov in ((0, task.sigma0), (1, task.sigma1)):
        xc = x[y == cls]
        errors[f"class{cls}"], method = max_covariance_error(xc, cov) if len(xc) else (float("nan"), "none")
    return {
        "model": task.describe()["model"],
        "family": marginal.family,
        "parameter_name": marginal.parameter_name,
        "parameter": marginal.parameter,
        "excess_kurtosis_exact": marginal.excess_kurtosis,
        "excess_kurtosis_sample": sample_excess_kurtosis(x),
        "moments_exact": marginal.moments(),
        "max_covariance_error": max(errors.values()),
        "max_covariance_error_by_class": errors,
        "covariance_estimator": method,
        "fraction_class1": float(np.mean(y)),
        "kernel_clipping": task.describe()["clipping"],
        "finite": bool(np.isfinite(x).all()),
    }
