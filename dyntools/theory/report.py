"""What ``dyntools derive`` reports about one marginal, as a plain dict."""

from __future__ import annotations

import numpy as np

from .._jax import jnp
from .amplifier import QuadratureAmplifier
from .derivation import EQ5_TEXT
from .symbolic import closed_form, series_coefficients

CHECK_POINTS = (0.3, 0.6)


def amplifier_report(marginal, order: int) -> dict:
    coefficients = {str(n): float(c) for n, c in series_coefficients(marginal, order).items()}
    quadrature = QuadratureAmplifier(marginal)
    points = jnp.asarray(CHECK_POINTS, dtype=jnp.float64)
    exact = np.asarray(quadrature(points))
    powers = np.array([int(n) for n in coefficients])
    series_values = np.array([sum(c * p**n for n, c in zip(powers, coefficients.values())) for p in CHECK_POINTS])
    closed = closed_form(marginal)
    moments = {f"m{p}": marginal.moment(p) for p in range(4, order + 2, 2)}
    return {
        **marginal.describe(),
        "moments": moments,
        "closed_form": None if closed is None else str(closed),
        "series": coefficients,
        "series_error": {str(p): float(s - e) for p, s, e in zip(CHECK_POINTS, series_values, exact)},
        "quadrature": {str(p): float(e) for p, e in zip(CHECK_POINTS, exact)},
        "ode": EQ5_TEXT,
    }
