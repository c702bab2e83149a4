r"""Localization measures for receptive fields w (last axis = pixels, or last two for 2-D).

- IPR(w) = sum w_i^4 / (sum w_i^2)^2, in [1/N, 1]; about 3/N for random Gaussian w. Its
  reference levels (random field 3/N, localized 5/N, sinusoid 1.5/N, constant 1/N) are written
  once here: `IPR_LEVELS`, `random_field_ipr`, `localized_ipr`.
- Circular peak position and width: the circular mean and circular standard deviation of the
  energy profile w_i^2 on the ring, so a bump straddling the boundary is still narrow.
- Fourier pair power (the energy of each +-k pair) and the sinusoid-fit residual: the fraction
  of energy *not* captured by the best single-frequency sinusoid (k = 0, a constant, included).
- Cosine similarity along the last axis.
- Where localization sets in along a sweep (the critical excess kurtosis) and how long theory
  and network agree (the agreement time).
- 2-D Gabor fits of image-patch atoms (Ringach 2002): parameters, R^2, n_x, n_y, localized share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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


IPR_LEVELS = {"constant": 1.0, "sinusoid": 1.5, "random": 3.0, "localized": 5.0}
"""Reference IPR levels, in units of 1/N: a constant field (1/N), a pure sinusoid (1.5/N, at any
frequency but 0 and N/2), a random Gaussian field (about 3/N) and the threshold at which a field
counts as localized (5/N)."""

LOCALIZED_IPR = IPR_LEVELS["localized"]
"""A field counts as localized once its IPR is at least ``LOCALIZED_IPR / N``."""


def random_field_ipr(n_pixels: int) -> float:
    """The IPR of a random Gaussian field on N pixels, about 3/N: the level of no localization.

    Arguments:
        n_pixels: N, the number of pixels.

    Returns:
        3 / N.
    """
    return IPR_LEVELS["random"] / n_pixels


def localized_ipr(n_pixels: int) -> float:
    """The least IPR at which a field on N pixels counts as localized, `LOCALIZED_IPR` / N (5/N).

    Arguments:
        n_pixels: N, the number of pixels.

    Returns:
        5 / N.
    """
    return LOCALIZED_IPR / n_pixels


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


def pair_power(w: np.ndarray) -> np.ndarray:
    r"""Energy of each Fourier pair $\pm k$ of real fields along the last axis.

    $|\hat w_k|^2$ from the real FFT, doubled for $0 < k < N/2$ (the $\pm k$ pair); the constant
    $k = 0$ and, for even N, the Nyquist bin $k = N/2$ stand alone. Sums to $N \sum_i w_i^2$
    (Parseval).

    Arguments:
        w: [..., N] real fields.

    Returns:
        [..., N // 2 + 1] the energy of each pair k = 0, ..., N // 2.
    """
    w = np.asarray(w, dtype=float)
    power = np.abs(np.fft.rfft(w, axis=-1)) ** 2
    n = w.shape[-1]
    power[..., 1 : (n + 1) // 2] *= 2  # +-k pairs (the Nyquist bin of even n stands alone)
    return power


def sinusoid_residual(w: np.ndarray) -> np.ndarray:
    r"""1 - (energy of the best single-frequency least-squares sinusoid) / (total energy).

    From the power spectrum of `w` along its last axis, counting each $\pm k$ pair together; the
    constant (k = 0) counts as a frequency. 0 for a pure sinusoid, near 1 for a single pixel.

    Arguments:
        w: [..., N] fields.

    Returns:
        [...] residual fraction in [0, 1].
    """
    power = pair_power(w)
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


def _log_curve(kurtosis: np.ndarray, ipr_final: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points with finite kurtosis and finite positive IPR, sorted by kurtosis (stable):
    (kurtosis [P'], log IPR [P'])."""
    k, ipr = np.asarray(kurtosis, dtype=float), np.asarray(ipr_final, dtype=float)
    keep = np.isfinite(k) & np.isfinite(ipr) & (ipr > 0)
    k, ipr = k[keep], ipr[keep]
    order = np.argsort(k, kind="stable")
    return k[order], np.log(ipr[order])


def _log_level(log_ipr: np.ndarray, n_pixels: int) -> float | None:
    """log of the localization level sqrt(3/N x max IPR), the mean of log(3/N) and the largest
    log IPR; None when there is no point or none above 3/N."""
    random_level = math.log(random_field_ipr(n_pixels))
    if not log_ipr.size or log_ipr.max() <= random_level:
        return None
    return (random_level + log_ipr.max()) / 2


def localization_level(kurtosis: np.ndarray, ipr_final: np.ndarray, n_pixels: int) -> float | None:
    r"""The level whose crossing defines the critical excess kurtosis (see `critical_kurtosis`).

    $\sqrt{(3/N)\,\max \mathrm{IPR}}$, halfway on a log scale between the random-field IPR 3/N
    and the largest IPR, over the points with finite kurtosis and finite positive IPR (the ones
    `critical_kurtosis` uses).

    Arguments:
        kurtosis: [P] excess kurtosis of each point.
        ipr_final: [P] final IPR of each point.
        n_pixels: N, the number of pixels.

    Returns:
        The level, or None when no such point is above 3/N.
    """
    level = _log_level(_log_curve(kurtosis, ipr_final)[1], n_pixels)
    return None if level is None else math.exp(level)


def critical_kurtosis(kurtosis: np.ndarray, ipr_final: np.ndarray, n_pixels: int) -> tuple[float | None, str | None]:
    r"""The excess kurtosis at which localization sets in along a sweep.

    The level is halfway, on a log scale, between the random-field IPR 3/N and the largest IPR
    of the sweep: $\sqrt{(3/N)\,\max \mathrm{IPR}}$ (`localization_level`). Points are sorted by
    kurtosis, and the crossing is the first one met walking from the most localized point towards
    higher kurtosis, interpolated linearly in kurtosis against log IPR between the bracketing points.

    Arguments:
        kurtosis: [P] excess kurtosis of each point (non-finite points are ignored).
        ipr_final: [P] final IPR of each point.
        n_pixels: N, the number of pixels.

    Returns:
        critical: the critical excess kurtosis, or None if there is no crossing.
        reason: None, or why there is no crossing.
    """
    k, log_ipr = _log_curve(kurtosis, ipr_final)
    if k.size < 2:
        return None, "fewer than two points with finite kurtosis and IPR"
    level = _log_level(log_ipr, n_pixels)
    if level is None:
        return None, "no point is above the random-field level 3/N"
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


# --- 2-D Gabor fits (Ringach 2002) ----------------------------------------------------------

_GABOR_FIELDS = ("r2", "x0", "y0", "theta", "frequency", "phase", "sigma_x", "sigma_y", "amplitude")


def gabor(shape: tuple[int, int], x0: float, y0: float, theta: float, frequency: float, phase: float,
          sigma_x: float, sigma_y: float, amplitude: float) -> np.ndarray:
    r"""A 2-D Gabor function sampled on the pixels of an [h, w] patch.

    $g(x, y) = A \exp\!\big(-\tfrac{x'^2}{2\sigma_x^2} - \tfrac{y'^2}{2\sigma_y^2}\big)
    \cos(2\pi f x' + \phi)$, with $x' = (x - x_0)\cos\theta + (y - y_0)\sin\theta$ and
    $y' = -(x - x_0)\sin\theta + (y - y_0)\cos\theta$; $x$ is the column index and $y$ the row
    index, in pixels. The wave vector is $f(\cos\theta, \sin\theta)$, so $\sigma_x$ is the envelope
    s.d. across the bars (along the wave vector) and $\sigma_y$ the s.d. along the bars
    (Ringach 2002: $n_x = \sigma_x f$, $n_y = \sigma_y f$).

    Arguments:
        shape: (h, w), the patch size in pixels.
        x0: centre of the envelope, in pixels (column).
        y0: centre of the envelope, in pixels (row).
        theta: direction of the wave vector in radians, from the +x (column) axis towards +y (row).
        frequency: f, in cycles per pixel.
        phase: $\phi$ in radians.
        sigma_x: envelope s.d. across the bars, in pixels.
        sigma_y: envelope s.d. along the bars, in pixels.
        amplitude: A.

    Returns:
        [h, w] the Gabor on the pixel grid.
    """
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]].astype(float)
    dx, dy = x - x0, y - y0
    xp = dx * math.cos(theta) + dy * math.sin(theta)
    yp = -dx * math.sin(theta) + dy * math.cos(theta)
    envelope = np.exp(-(xp**2) / (2 * sigma_x**2) - yp**2 / (2 * sigma_y**2))
    return amplitude * envelope * np.cos(2 * np.pi * frequency * xp + phase)


@dataclass(frozen=True, eq=False)
class GaborFits:
    r"""Best-fitting Gabor parameters of M atoms (see [`gabor`][dyntools.metrics.gabor]), each a float array [M].

    `theta` is in $[0, \pi)$, `phase` in $[0, 2\pi)$, `amplitude` $\ge 0$; `r2` is the coefficient of
    determination $R^2 = 1 - \sum (a - g)^2 / \sum (a - \bar a)^2$ of atom $a$ and fit $g$ (NaN,
    like every field, for a constant atom).
    """

    r2: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    theta: np.ndarray
    frequency: np.ndarray
    phase: np.ndarray
    sigma_x: np.ndarray
    sigma_y: np.ndarray
    amplitude: np.ndarray

    @property
    def nx(self) -> np.ndarray:
        r"""[M] $n_x = \sigma_x f$: envelope s.d. across the bars in carrier periods (Ringach 2002)."""
        return self.sigma_x * self.frequency

    @property
    def ny(self) -> np.ndarray:
        r"""[M] $n_y = \sigma_y f$: envelope s.d. along the bars in carrier periods (Ringach 2002)."""
        return self.sigma_y * self.frequency

    @property
    def orientation_deg(self) -> np.ndarray:
        """[M] `theta` in degrees, in [0, 180)."""
        return np.degrees(self.theta)

    def localized(self, shape: tuple[int, int], r2_min: float = 0.7) -> np.ndarray:
        r"""Which atoms are Gabor-like and localized in an [h, w] patch.

        Gabor-like: $R^2 \ge$ `r2_min`. Localized: the centre lies inside the patch
        ($0 \le x_0 \le w - 1$, $0 \le y_0 \le h - 1$) and $\max(\sigma_x, \sigma_y) \le \min(h, w)/2$.
        A global Fourier mode fits as a Gabor with a huge envelope, so it is not localized.

        Arguments:
            shape: (h, w), the patch size.
            r2_min: the least $R^2$ that counts as Gabor-like.

        Returns:
            [M] bool.
        """
        h, w = shape
        with np.errstate(invalid="ignore"):
            return ((self.r2 >= r2_min) & (self.x0 >= 0) & (self.x0 <= w - 1) & (self.y0 >= 0)
                    & (self.y0 <= h - 1) & (np.maximum(self.sigma_x, self.sigma_y) <= min(h, w) / 2))


def _gabor_batch(p: np.ndarray, x: np.ndarray, y: np.ndarray, atoms: np.ndarray, jacobian: bool = False):
    r"""Variable-projection residuals of K Gabor fits, the linear pair solved exactly.

    With $u = 2\pi f x'$ and envelope $E$ (see [`gabor`][dyntools.metrics.gabor]), the model is
    $g = a\,E\cos u + b\,E\sin u$ ($A = \sqrt{a^2 + b^2}$, $\phi = \operatorname{atan2}(-b, a)$);
    for the nonlinear parameters p the pair (a, b) is the least-squares one, and the Jacobian is
    Kaufman's: $(I - P_\Phi)\,\partial g/\partial p$ at fixed (a, b), $P_\Phi$ the projector on
    $\{E\cos u, E\sin u\}$.

    Arguments:
        p: [K, 6] nonlinear parameters (x0, y0, theta, f, sigma_x, sigma_y).
        x, y: [N] column and row of each pixel.
        atoms: [K, N] the data.
        jacobian: also return the residuals and the Jacobian.

    Returns:
        cost: [K] half the sum of squared residuals.
        coef: [K, 2] the linear pair (a, b).
        And with `jacobian`: residual [K, N] (model - atom) and Jacobian [K, N, 6].
    """
    x0, y0, theta, f, sx, sy = (p[:, i : i + 1] for i in range(6))
    c, s = np.cos(theta), np.sin(theta)
    dx, dy = x - x0, y - y0
    xp, yp = dx * c + dy * s, -dx * s + dy * c
    envelope = np.exp(-(xp**2) / (2 * sx**2) - yp**2 / (2 * sy**2))
    arg = 2 * np.pi * f * xp
    phi_c, phi_s = envelope * np.cos(arg), envelope * np.sin(arg)
    gcc, gss, gcs = (np.sum(u * v, axis=1) for u, v in ((phi_c, phi_c), (phi_s, phi_s), (phi_c, phi_s)))
    rc, rs = np.sum(phi_c * atoms, axis=1), np.sum(phi_s * atoms, axis=1)
    ridge = 1e-12 * (gcc + gss) + 1e-150  # f = 0 leaves E sin u = 0 (then b = 0); E = 0 gives a = b = 0
    gcc, gss = gcc + ridge, gss + ridge
    det = gcc * gss - gcs**2
    a, b = (gss * rc - gcs * rs) / det, (gcc * rs - gcs * rc) / det
    model = a[:, None] * phi_c + b[:, None] * phi_s
    residual = model - atoms
    cost = 0.5 * np.sum(residual**2, axis=1)
    coef = np.stack([a, b], axis=1)
    if not jacobian:
        return cost, coef
    dwave = a[:, None] * -phi_s + b[:, None] * phi_c  # d model / d u
    d_xp = -model * xp / sx**2 + 2 * np.pi * f * dwave  # at fixed y'
    d_yp = -model * yp / sy**2  # at fixed x'
    d = np.stack([-c * d_xp + s * d_yp, -s * d_xp - c * d_yp, yp * d_xp - xp * d_yp,
                  2 * np.pi * xp * dwave, model * xp**2 / sx**3, model * yp**2 / sy**3], axis=2)
    q1 = phi_c / np.sqrt(np.sum(phi_c**2, axis=1, keepdims=True) + 1e-300)
    q2 = phi_s - np.sum(q1 * phi_s, axis=1, keepdims=True) * q1
    q2 /= np.sqrt(np.sum(q2**2, axis=1, keepdims=True) + 1e-300)
    for q in (q1, q2):
        d -= q[:, :, None] * (q[:, None, :] @ d)
    return cost, coef, residual, d


def _gabor_starts(image: np.ndarray, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """Initial guesses [6] (x0, y0, theta, f, sigma_x, sigma_y) for one [h, w] atom.

    Wave vector from the peak of the zero-padded FFT magnitude; centre from the energy centroid and
    from the peak of the smoothed energy; envelope s.d. from the energy second moments about the
    centroid (a Gaussian envelope of s.d. sigma has energy s.d. sigma / sqrt 2); and a low-frequency
    start along the principal axes of the energy, for blob-like atoms.
    """
    from scipy.ndimage import gaussian_filter

    h, w = image.shape
    pad = max(64, 4 * max(h, w))
    spectrum = np.abs(np.fft.rfft2(image, s=(pad, pad)))  # axis 0: f_y (rows), axis 1: f_x >= 0
    iy, ix = np.unravel_index(np.argmax(spectrum), spectrum.shape)
    fy, fx = np.fft.fftfreq(pad)[iy], np.fft.rfftfreq(pad)[ix]
    theta, f = math.atan2(fy, fx), math.hypot(fx, fy)

    energy = image.ravel() ** 2
    total = energy.sum()
    xc, yc = energy @ x / total, energy @ y / total
    cxx = energy @ (x - xc) ** 2 / total
    cyy = energy @ (y - yc) ** 2 / total
    cxy = energy @ ((x - xc) * (y - yc)) / total

    def spread(direction: float) -> float:
        c, s = math.cos(direction), math.sin(direction)
        return math.sqrt(2 * max(c * c * cxx + 2 * c * s * cxy + s * s * cyy, 0.0))

    smooth = gaussian_filter(image**2, sigma=min(2.0, max(1.0, 0.25 / max(f, 1e-3))), mode="constant")
    ypeak, xpeak = np.unravel_index(np.argmax(smooth), smooth.shape)
    sigmas = (spread(theta), spread(theta + np.pi / 2))
    axis = 0.5 * math.atan2(2 * cxy, cxx - cyy)  # major axis of the energy
    return [np.array([xc, yc, theta, f, *sigmas]), np.array([xpeak, ypeak, theta, f, *sigmas]),
            np.array([xc, yc, axis, 0.02, spread(axis), spread(axis + np.pi / 2)])]


def _gabor_lm(p: np.ndarray, x: np.ndarray, y: np.ndarray, atoms: np.ndarray, lower: np.ndarray,
              upper: np.ndarray, iterations: int = 100) -> tuple[np.ndarray, np.ndarray]:
    r"""Batched Levenberg-Marquardt on K variable-projection Gabor fits (`_gabor_batch`).

    Each problem has its own damping $\lambda$: the step solves
    $(J^\top J + \lambda\,\mathrm{diag}\,J^\top J)\,\delta = -J^\top r$ and is clipped into the bounds;
    it is kept if the cost falls ($\lambda / 3$), else refused ($2\lambda$). A problem stops when
    an accepted step lowers the cost by less than $10^{-10}$ of it, or $\lambda > 10^{10}$.

    Arguments:
        p: [K, 6] starting nonlinear parameters, within the bounds.
        x, y: [N] column and row of each pixel.
        atoms: [K, N] the data.
        lower, upper: [6] bounds.
        iterations: the most steps.

    Returns:
        p: [K, 6] the fitted parameters.
        cost: [K] half the sum of squared residuals.
    """
    p = p.copy()
    cost, _, residual, jac = _gabor_batch(p, x, y, atoms, jacobian=True)
    floor = 1e-24 * np.sum(atoms**2, axis=1)  # an exact fit, to rounding
    damping = np.full(len(p), 1e-3)
    active = np.arange(len(p))
    eye = np.eye(p.shape[1])
    for _ in range(iterations):
        if not active.size:
            break
        jac_t = jac.transpose(0, 2, 1)
        jtj, grad = jac_t @ jac, jac_t @ residual[:, :, None]
        diag = np.einsum("kii->ki", jtj)
        diag = np.maximum(diag, 1e-9 * diag.max(axis=1, keepdims=True) + 1e-300)
        step = np.linalg.solve(jtj + damping[active, None, None] * diag[:, :, None] * eye, -grad)
        trial = np.clip(p[active] + step[:, :, 0], lower, upper)
        trial_cost, _ = _gabor_batch(trial, x, y, atoms[active])
        better = trial_cost < cost[active]
        done = better & ((cost[active] - trial_cost <= 1e-10 * cost[active]) | (trial_cost <= floor[active]))
        damping[active] = np.where(better, damping[active] / 3, damping[active] * 2)
        p[active[better]] = trial[better]
        cost[active[better]] = trial_cost[better]
        keep = ~done & (damping[active] <= 1e10)
        changed = better[keep]
        active = active[keep]
        residual, jac = residual[keep], jac[keep]
        if changed.any():
            _, _, r_new, j_new = _gabor_batch(p[active[changed]], x, y, atoms[active[changed]], jacobian=True)
            residual[changed], jac[changed] = r_new, j_new
    return p, cost


def _gabor_polish(q: np.ndarray, x: np.ndarray, y: np.ndarray, atom: np.ndarray, lower: np.ndarray,
                  upper: np.ndarray, max_nfev: int) -> np.ndarray:
    """One bounded `scipy.optimize.least_squares` (trf) fit of `_gabor_batch` from q ([6]); the fitted [6]."""
    from scipy.optimize import least_squares

    last = {}

    def evaluate(q: np.ndarray) -> tuple:
        if "q" not in last or not np.array_equal(last["q"], q):
            last.update(q=q.copy(), parts=_gabor_batch(q[None], x, y, atom[None], jacobian=True))
        return last["parts"]

    return least_squares(lambda q: evaluate(q)[2][0], q, jac=lambda q: evaluate(q)[3][0], bounds=(lower, upper),
                         max_nfev=max_nfev).x


def gabor_fit(atoms: np.ndarray, shape: tuple[int, int], max_nfev: int = 30) -> GaborFits:
    r"""Least-squares fit of a 2-D Gabor ([`gabor`][dyntools.metrics.gabor]) to each atom (Ringach 2002).

    The amplitude and phase enter as a linear pair, $A\cos(u + \phi) = a\cos u + b\sin u$, solved
    exactly for each $(x_0, y_0, \theta, f, \sigma_x, \sigma_y)$ (variable projection), under the
    bounds $f \in [0, 1/2]$, $\sigma_{x,y} \in [1/2, 2\max(h, w)]$, $x_0 \in [-w/2, 3w/2]$,
    $y_0 \in [-h/2, 3h/2]$. Three deterministic starts per atom: the wave vector at the peak of the
    zero-padded FFT magnitude with the centre at the energy centroid, the same with the centre at
    the peak of the smoothed energy, and a low-frequency start ($f = 0.02$) along the principal
    axes of the energy for blob-like atoms; the envelope s.d. from the energy second moments. All
    starts of all atoms run together through a batched Levenberg-Marquardt; the best one of each
    atom is then polished by `scipy.optimize.least_squares` (trust-region reflective, bounded).
    Finally $\theta$ is brought into $[0, \pi)$ (a shift by $\pi$ flips $x'$ and $y'$, so
    $\phi \to -\phi$), $\phi$ into $[0, 2\pi)$, and
    $R^2 = 1 - \sum_i (a_i - g_i)^2 / \sum_i (a_i - \bar a)^2$ over the pixels i of atom a and fit g.

    Arguments:
        atoms: [M, h*w] atoms, each a row-major patch, or [M, h, w].
        shape: (h, w), the patch size.
        max_nfev: the most function evaluations (>= 1) of the `least_squares` polish of each atom.

    Returns:
        A [`GaborFits`][dyntools.metrics.GaborFits] with [M] arrays; all NaN for a constant or
            non-finite atom.
    """
    h, w = shape
    atoms = np.asarray(atoms, dtype=float).reshape(-1, h * w)
    y, x = (grid.ravel() for grid in np.mgrid[0:h, 0:w].astype(float))
    side = max(h, w)
    lower = np.array([-w / 2, -h / 2, -np.inf, 0.0, 0.5, 0.5])
    upper = np.array([1.5 * w, 1.5 * h, np.inf, 0.5, 2.0 * side, 2.0 * side])
    inner_lower = np.where(np.isfinite(lower), lower + 1e-6, lower)
    inner_upper = np.where(np.isfinite(upper), upper - 1e-6, upper)
    out = {name: np.full(len(atoms), np.nan) for name in _GABOR_FIELDS}
    total = np.sum((atoms - atoms.mean(axis=1, keepdims=True)) ** 2, axis=1)
    fitted = np.flatnonzero(np.all(np.isfinite(atoms), axis=1) & (total > 0))
    if not fitted.size:
        return GaborFits(**out)
    scale = np.sqrt(total[fitted] / (h * w))  # fit atoms of unit s.d.: the tolerances are then scale-free
    unit = atoms[fitted] / scale[:, None]
    starts = [_gabor_starts(atom.reshape(h, w), x, y) for atom in unit]
    n_starts = len(starts[0])
    p0 = np.clip(np.concatenate(starts), inner_lower, inner_upper)
    p, cost = _gabor_lm(p0, x, y, np.repeat(unit, n_starts, axis=0), lower, upper)
    best = np.argmin(cost.reshape(-1, n_starts), axis=1)
    p = p.reshape(-1, n_starts, 6)[np.arange(len(fitted)), best]
    for m, atom, atom_scale, q in zip(fitted, unit, scale, p):
        q = _gabor_polish(np.clip(q, inner_lower, inner_upper), x, y, atom, lower, upper, max_nfev)
        x0, y0, theta, f, sx, sy = q
        a, b = atom_scale * _gabor_batch(q[None], x, y, atom[None])[1][0]
        turns = math.floor(theta / math.pi)
        theta -= turns * math.pi
        if theta >= math.pi:  # rounding, e.g. theta = -1e-17
            theta, turns = theta - math.pi, turns + 1
        phase = math.atan2(-b, a) * (-1 if turns % 2 else 1)
        params = {"x0": x0, "y0": y0, "theta": max(theta, 0.0), "frequency": f, "phase": phase % (2 * math.pi),
                  "sigma_x": sx, "sigma_y": sy, "amplitude": math.hypot(a, b)}
        model = gabor((h, w), **params)
        params["r2"] = 1 - np.sum((atoms[m] - model.ravel()) ** 2) / total[m]
        for name, value in params.items():
            out[name][m] = value
    return GaborFits(**out)


def gabor_summary(fits: GaborFits, shape: tuple[int, int], r2_min: float = 0.7) -> dict:
    r"""Plain-float summary of Gabor fits of atoms on [h, w] patches.

    Arguments:
        fits: the fits of M atoms.
        shape: (h, w), the patch size.
        r2_min: the least $R^2$ that counts as Gabor-like.

    Returns:
        A dict: `"gabor_share"` the fraction of atoms that are Gabor-like and localized
            ([`GaborFits.localized`][dyntools.metrics.GaborFits.localized]); `"gabor_r2_median"`
            the median $R^2$ over all atoms (NaN if none can be fitted); `"gabor_nx_median"`,
            `"gabor_ny_median"` the medians of $n_x$, $n_y$ over the atoms with $R^2 \ge$ `r2_min`
            (NaN if there are none).
    """
    with np.errstate(invalid="ignore"):
        good = fits.r2 >= r2_min
    share = float(np.mean(fits.localized(shape, r2_min))) if fits.r2.size else math.nan

    def median(values: np.ndarray) -> float:
        return float(np.median(values[good])) if np.any(good) else math.nan

    fitted = fits.r2[np.isfinite(fits.r2)]
    r2_median = float(np.median(fitted)) if fitted.size else math.nan
    return {"gabor_share": share, "gabor_r2_median": r2_median, "gabor_nx_median": median(fits.nx),
            "gabor_ny_median": median(fits.ny)}
