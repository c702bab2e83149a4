r"""Localization measures for receptive fields w (last axis = pixels, or last two for 2-D).

- IPR(w) = sum w_i^4 / (sum w_i^2)^2, in [1/N, 1]; about 3/N for random Gaussian w.
- Circular peak position and width: the circular mean and circular standard deviation of the
  energy profile w_i^2 on the ring, so a bump straddling the boundary is still narrow.
- Sinusoid-fit residual: the fraction of energy *not* captured by the best single-frequency
  sinusoid (k = 0, a constant, included).
- Cosine similarity along the last axis.
- Where localization sets in along a sweep (the critical excess kurtosis) and how long theory
  and network agree (the agreement time).
"""

from __future__ import annotations

import math

import numpy as np


def ipr(w: np.ndarray, axis: int | tuple[int, ...] = -1) -> np.ndarray:
    r"""Inverse participation ratio over `axis` (a tuple of axes for 2-D fields).

    $\mathrm{IPR}(w) = \sum_i w_i^4 / (\sum_i w_i^2)^2$, in $[1/N, 1]$: $1/N$ for a flat field,
    1 for a single pixel, about $3/N$ for a random Gaussian field.

    Arguments:
        w: [..., N] fields (or [..., H, W] with `axis=(-2, -1)`).
        axis: the pixel axis or axes.

    Returns:
        [...] the IPR of each field (the shape of `w` without `axis`).
    """
    w2 = np.asarray(w, dtype=float) ** 2
    return np.sum(w2**2, axis=axis) / np.sum(w2, axis=axis) ** 2


def circular_peak(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""(position, width) in pixels of the energy profile $w^2$ on a ring (last axis).

    With the mean resultant $\rho = \sum_j w_j^2 e^{2\pi i j/N} / \sum_j w_j^2$:
    position $= \frac{N}{2\pi} \arg \rho$ in $[0, N)$, the circular mean; width
    $= \frac{N}{2\pi} \sqrt{-2 \log |\rho|}$, the circular standard deviation.

    Arguments:
        w: [..., N] fields on a ring of N pixels.

    Returns:
        position: [...] peak position in pixels, in [0, N).
        width: [...] width in pixels (0 for a single pixel).
    """
    w2 = np.asarray(w, dtype=float) ** 2
    n = w2.shape[-1]
    phase = np.exp(2j * np.pi * np.arange(n) / n)
    resultant = np.sum(w2 * phase, axis=-1) / np.sum(w2, axis=-1)
    position = (np.angle(resultant) * n / (2 * np.pi)) % n
    width = n / (2 * np.pi) * np.sqrt(-2 * np.log(np.clip(np.abs(resultant), 1e-300, 1.0)))
    return position, width


def sinusoid_residual(w: np.ndarray) -> np.ndarray:
    r"""1 - (energy of the best single-frequency least-squares sinusoid) / (total energy).

    From the power spectrum of `w` along its last axis, counting each $\pm k$ pair together; the
    constant (k = 0) counts as a frequency. 0 for a pure sinusoid, near 1 for a single pixel.

    Arguments:
        w: [..., N] fields.

    Returns:
        [...] residual fraction in [0, 1].
    """
    w = np.asarray(w, dtype=float)
    power = np.abs(np.fft.rfft(w, axis=-1)) ** 2
    n = w.shape[-1]
    power[..., 1 : (n + 1) // 2] *= 2  # +-k pairs (the Nyquist bin of even n stands alone)
    return 1 - power.max(axis=-1) / power.sum(axis=-1)


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""Cosine similarity $a \cdot b / (\lVert a\rVert \lVert b\rVert)$ along the last axis.

    Arguments:
        a: [..., N] vectors.
        b: [..., N] vectors, broadcastable against `a`.

    Returns:
        [...] cosines in [-1, 1] (the broadcast shape without the last axis).
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def agreement_time(t: np.ndarray, cosine: np.ndarray, level: float = 0.9) -> float | None:
    """The last saved time at which cosine(theory, network) >= `level`: how long the early-time theory holds.

    Arguments:
        t: [T] saved times.
        cosine: [T] cosine similarity of theory and network at each time.
        level: the agreement threshold.

    Returns:
        The last time with cosine >= `level`, or None if there is none.
    """
    above = np.flatnonzero(np.asarray(cosine) >= level)
    return float(np.asarray(t)[above[-1]]) if above.size else None


def critical_kurtosis(kurtosis: np.ndarray, ipr_final: np.ndarray, n_pixels: int) -> tuple[float | None, str | None]:
    r"""The excess kurtosis at which localization sets in along a sweep.

    The level is halfway, on a log scale, between the random-field IPR 3/N and the largest IPR
    of the sweep: $\sqrt{(3/N)\,\max \mathrm{IPR}}$. Points are sorted by kurtosis, and the
    crossing is the first one met walking from the most localized point towards higher
    kurtosis, interpolated linearly in kurtosis against log IPR between the bracketing points.

    Arguments:
        kurtosis: [P] excess kurtosis of each point (non-finite points are ignored).
        ipr_final: [P] final IPR of each point.
        n_pixels: N, the number of pixels.

    Returns:
        critical: the critical excess kurtosis, or None if there is no crossing.
        reason: None, or why there is no crossing.
    """
    k, ipr = np.asarray(kurtosis, dtype=float), np.asarray(ipr_final, dtype=float)
    keep = np.isfinite(k) & np.isfinite(ipr) & (ipr > 0)
    k, ipr = k[keep], ipr[keep]
    if k.size < 2:
        return None, "fewer than two points with finite kurtosis and IPR"
    order = np.argsort(k, kind="stable")
    k, log_ipr = k[order], np.log(ipr[order])
    random_level = math.log(3.0 / n_pixels)
    if log_ipr.max() <= random_level:
        return None, "no point is above the random-field level 3/N"
    level = (random_level + log_ipr.max()) / 2
    peak = int(np.argmax(log_ipr))
    below = np.flatnonzero(log_ipr[peak:] < level)
    if not below.size:
        return None, "the IPR stays above the level at every kurtosis above the most localized point"
    j = peak + int(below[0])
    fraction = (log_ipr[j - 1] - level) / (log_ipr[j - 1] - log_ipr[j])
    return float(k[j - 1] + fraction * (k[j] - k[j - 1])), None


def critical_kurtosis_bootstrap(kurtosis: np.ndarray, ipr_sim: np.ndarray, n_pixels: int, resamples: int = 1000,
                                seed: int = 0) -> dict:
    """Critical excess kurtosis of the network with a bootstrap interval over seeds.

    The value comes from the seed-mean IPR curve ([`critical_kurtosis`][dyntools.metrics.critical_kurtosis]);
    the interval from `resamples` resamplings of the seeds with replacement.

    Arguments:
        kurtosis: [P] excess kurtosis of each point.
        ipr_sim: [P, S] final IPR per point and seed.
        n_pixels: N, the number of pixels.
        resamples: number of bootstrap resamples.
        seed: seed of the resampling.

    Returns:
        A dict: `"value"` from the seed-mean curve (None if no crossing), `"reason"` why not (or
            None), `"interval"` the [2.5%, 97.5%] percentiles over resamples (None if fewer than
            half the resamples cross), `"no_crossing_fraction"` the fraction of resamples without one.
    """
    ipr_sim = np.asarray(ipr_sim, dtype=float)
    value, reason = critical_kurtosis(kurtosis, ipr_sim.mean(axis=1), n_pixels)
    rng = np.random.default_rng(seed)
    draws = rng.integers(ipr_sim.shape[1], size=(resamples, ipr_sim.shape[1]))
    crossings = [critical_kurtosis(kurtosis, ipr_sim[:, d].mean(axis=1), n_pixels)[0] for d in draws]
    found = np.array([c for c in crossings if c is not None])
    no_crossing = 1 - found.size / resamples
    interval = [float(q) for q in np.percentile(found, [2.5, 97.5])] if found.size >= resamples / 2 else None
    return {"value": value, "reason": reason, "interval": interval, "no_crossing_fraction": float(no_crossing)}
