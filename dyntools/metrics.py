r"""Localization measures for receptive fields w (last axis = pixels, or last two for 2-D).

- IPR(w) = sum w_i^4 / (sum w_i^2)^2, in [1/N, 1]; about 3/N for random Gaussian w.
- Circular peak position and width: the circular mean and circular standard deviation of the
  energy profile w_i^2 on the ring, so a bump straddling the boundary is still narrow.
- Sinusoid-fit residual: the fraction of energy *not* captured by the best single-frequency
  sinusoid (k = 0, a constant, included).
- Cosine similarity along the last axis.
"""

from __future__ import annotations

import numpy as np


def ipr(w: np.ndarray, axis=-1) -> np.ndarray:
    """Inverse participation ratio over ``axis`` (a tuple of axes for 2-D fields)."""
    w2 = np.asarray(w, dtype=float) ** 2
    return np.sum(w2**2, axis=axis) / np.sum(w2, axis=axis) ** 2


def circular_peak(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position, width) in pixels of the energy profile w^2 on a ring (last axis).

    position = N/(2 pi) arg(sum_i w_i^2 e^{2 pi i i/N}) in [0, N);
    width = N/(2 pi) sqrt(-2 log R), R the mean resultant length (circular std)."""
    w2 = np.asarray(w, dtype=float) ** 2
    n = w2.shape[-1]
    phase = np.exp(2j * np.pi * np.arange(n) / n)
    resultant = np.sum(w2 * phase, axis=-1) / np.sum(w2, axis=-1)
    position = (np.angle(resultant) * n / (2 * np.pi)) % n
    width = n / (2 * np.pi) * np.sqrt(-2 * np.log(np.clip(np.abs(resultant), 1e-300, 1.0)))
    return position, width


def sinusoid_residual(w: np.ndarray) -> np.ndarray:
    """1 - (energy of the best single-frequency least-squares sinusoid) / (total energy)."""
    w = np.asarray(w, dtype=float)
    power = np.abs(np.fft.rfft(w, axis=-1)) ** 2
    n = w.shape[-1]
    power[..., 1 : (n + 1) // 2] *= 2  # +-k pairs (the Nyquist bin of even n stands alone)
    return 1 - power.max(axis=-1) / power.sum(axis=-1)


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
