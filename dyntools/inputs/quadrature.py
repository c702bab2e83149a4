r"""Quadrature rules: Gaussian expectations of even functions, and moments of a density at any scale.

`half_line_rule`: a composite Gauss-Legendre rule on the half line ``0 <= z <= z_max``, graded
geometrically towards ``z = 0`` so that kinks and steep steps there (Laplace, NLGP at large
gain) are resolved; for even $f$, $E f(Z) = \sum_j W_j f(z_j)$ with $W_j$ including the
factor $2\varphi(z_j)$ (~1e-12 in float64).

`log_line_rule` and `log_half_line_moment`: moments $2\int_0^\infty v^n p(v)\,dv$ of a
symmetric density whose scale is not known beforehand (a user's density may have its mass at
$|x| \sim 10^{-3}$ or $10^{40}$), by uniform panels in $\ln v$ over `LOG10_RANGE`, in
logarithms, with divergent power-law tails told apart from converging ones.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..errors import DyntoolsError

Z_MAX = 16.0  # phi(16) ~ 1e-56: negligible even against heavy-tailed integrands


@cache
def half_line_rule(z_max: float = Z_MAX, nodes_per_panel: int = 12) -> tuple[np.ndarray, np.ndarray]:
    r"""Nodes $z_j \ge 0$ and weights $W_j$ with $E f(Z) = \sum_j W_j f(z_j)$ for even $f$.

    Composite Gauss-Legendre on $[0, z_{\max}]$: panels graded geometrically on $[10^{-7}, 1]$,
    uniform on $[1, z_{\max}]$; the factor $2\varphi(z_j)$ is folded into $W_j$ (cached).

    Arguments:
        z_max: upper end of the half line.
        nodes_per_panel: Gauss-Legendre nodes in each panel.

    Returns:
        z: [M] nodes.
        W: [M] weights.
    """
    breaks = np.concatenate([[0.0], np.geomspace(1e-7, 1.0, 30), np.linspace(1.0, z_max, 121)[1:]])
    x, w = np.polynomial.legendre.leggauss(nodes_per_panel)
    lo, hi = breaks[:-1, None], breaks[1:, None]
    z = (lo + (hi - lo) * (x + 1) / 2).ravel()
    wz = ((hi - lo) * w / 2).ravel()
    return z, wz * 2 * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)


def odd_hermite_coefficients(g_values: np.ndarray, order: int) -> np.ndarray:
    r"""Hermite coefficients $c_n = E[g(Z) h_n(Z)]$ of an odd function $g$.

    $h_n = \mathrm{He}_n / \sqrt{n!}$ are the orthonormal Hermite polynomials, built by their
    three-term recurrence; even $n$ vanish by symmetry.

    Arguments:
        g_values: [M] values $g(z_j)$ at the nodes of `half_line_rule()` (default arguments).
        order: highest order $n$.

    Returns:
        [order + 1] coefficients $c_0, \dots, c_{\text{order}}$ (zero at even $n$).
    """
    z, weights = half_line_rule()
    coeffs = np.zeros(order + 1)
    h_prev, h = np.zeros_like(z), np.ones_like(z)
    for n in range(order + 1):
        if n % 2 == 1:
            coeffs[n] = np.sum(weights * g_values * h)
        h_prev, h = h, (z * h - np.sqrt(n) * h_prev) / np.sqrt(n + 1)
    return coeffs


LOG10_RANGE = (-150.0, 150.0)  # decades of |x| over which a user density's moments are integrated
TINY = 1e-280  # density values below this lose precision to underflow: the tail beyond is extrapolated
NEGLIGIBLE = 1e-10  # relative size of an integrand at the end of the density that may be dropped
DIVERGENT_SLOPE = -1e-6  # a tail v^(n+1) p(v) ~ v^slope with slope above this diverges
POWER_LAW_AGREEMENT = 1e-3  # slopes of a power-law tail over its last two decades agree to this


@cache
def log_line_rule(panel_decades: float, nodes_per_panel: int = 10) -> tuple[np.ndarray, np.ndarray]:
    r"""Composite Gauss-Legendre in $t = \ln v$ over `LOG10_RANGE`: $\int_0^\infty f(v)\,dv \approx \sum_j W_j\, v_j f(v_j)$.

    Uniform panels in $\ln v$ resolve a density at any scale in the range alike, and a kink at
    $v = 0$ (``Abs``) lies at $t = -\infty$, outside it.

    Arguments:
        panel_decades: width of a panel, in decades of $v$.
        nodes_per_panel: Gauss-Legendre nodes in each panel.

    Returns:
        log_v: [M] nodes $t_j = \ln v_j$, increasing.
        log_w: [M] $\ln W_j$, the logarithms of the weights in $t$.
    """
    lo, hi = LOG10_RANGE
    breaks = np.log(10.0) * np.linspace(lo, hi, round((hi - lo) / panel_decades) + 1)
    t, w = np.polynomial.legendre.leggauss(nodes_per_panel)
    left, right = breaks[:-1, None], breaks[1:, None]
    return (left + (right - left) * (t + 1) / 2).ravel(), np.log((right - left) * w / 2).ravel()


def log_half_line_moment(log_v: np.ndarray, log_w: np.ndarray, p: np.ndarray, order: int) -> float:
    r"""$\ln\big(2\int_0^\infty v^n p(v)\,dv\big)$ from the density's values on a `log_line_rule`.

    The sum runs over the stretch of finite values around the peak of the integrand, up to the
    last value above `TINY`. Where the integrand is not negligible there, the moment is infinite
    if the integrand does not decay over its last two decades (a divergent moment), else the
    tail beyond is the power law fitted there, integrated exactly; a tail that is neither is an
    error, never a number.
    Computed in logarithms, so no power of $v$ overflows.

    Arguments:
        log_v: [M] nodes $\ln v_j$ of the rule.
        log_w: [M] logarithms of its weights.
        p: [M] the density at $v_j$ (NaN or inf where it is not finite).
        order: the power $n \ge 0$.

    Returns:
        The logarithm of the integral: ``inf`` if it diverges, ``-inf`` if it is zero.

    Raises:
        DyntoolsError: if the density's mass reaches below the range (``10**LOG10_RANGE[0]``), or
            its tail matters but is neither decaying as a power law nor growing.
    """
    finite = np.isfinite(p)
    with np.errstate(divide="ignore"):
        log_f = (order + 1) * log_v + np.log(np.where(finite & (p > 0), p, 0.0))  # v^(n+1) p(v): the integrand in ln v
    if not np.any(np.isfinite(log_f)):
        return -np.inf
    peak = int(np.argmax(log_f))
    start, stop = _finite_stretch(finite, peak)
    significant = np.nonzero(p[start:stop] >= TINY)[0]
    last = start + int(significant[-1]) if significant.size else peak
    terms = log_f[start:last + 1] + log_w[start:last + 1]
    log_total = np.log(2.0) + np.logaddexp.reduce(terms)
    if log_f[start] + np.log(2.0) > log_total + np.log(NEGLIGIBLE):
        raise DyntoolsError(f"the density's mass reaches below |x| = {np.exp(log_v[start]):.3g}, beyond what "
                            f"quadrature resolves (|x| from 1e{LOG10_RANGE[0]:g} to 1e{LOG10_RANGE[1]:g})")
    log_end = np.log(2.0) + log_f[last]
    if log_end < log_total + np.log(NEGLIGIBLE) and last < len(p) - 1:  # the density ends before the range does
        return float(log_total)
    slopes = _end_slopes(log_v[start:last + 1], log_f[start:last + 1])
    if slopes is not None and min(slopes) >= DIVERGENT_SLOPE:  # not decaying over two decades: diverges
        return np.inf
    if slopes is None or not abs(slopes[0] - slopes[1]) <= POWER_LAW_AGREEMENT * (1 + abs(slopes[0])):
        raise DyntoolsError(f"the density's tail beyond |x| = {np.exp(log_v[last]):.3g} is neither negligible nor a "
                            f"power law, so E X^{order} cannot be computed (values lost to rounding?)")
    return float(np.logaddexp(log_total, log_end - np.log(-slopes[0])))


def _end_slopes(log_v: np.ndarray, log_f: np.ndarray) -> tuple[float, float] | None:
    r"""The slopes $d\ln f/d\ln v$ over the last decade of an integrand and over the decade before.

    A power law $f \propto v^\sigma$ has both equal to $\sigma$.

    Arguments:
        log_v: [M] increasing $\ln v$.
        log_f: [M] $\ln f$ there.

    Returns:
        ``(last, before)``, or ``None`` if the stretch spans less than two decades or a slope is
            not finite.
    """
    decade = np.log(10.0)
    if log_v[-1] - log_v[0] < 2 * decade:
        return None
    ends = [len(log_v) - 1, *(int(np.searchsorted(log_v, log_v[-1] - k * decade)) for k in (1, 2))]
    slopes = tuple(float((log_f[i] - log_f[j]) / (log_v[i] - log_v[j])) for i, j in zip(ends, ends[1:]))
    return slopes if np.all(np.isfinite(slopes)) else None


def _finite_stretch(finite: np.ndarray, peak: int) -> tuple[int, int]:
    """The slice ``start:stop`` of consecutive finite values around index ``peak``.

    Arguments:
        finite: [M] whether each value is finite.
        peak: an index where it is.

    Returns:
        ``(start, stop)``.
    """
    before, after = np.nonzero(~finite[:peak])[0], np.nonzero(~finite[peak:])[0]
    return (int(before[-1]) + 1 if before.size else 0), (peak + int(after[0]) if after.size else len(finite))
