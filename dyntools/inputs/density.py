"""A pixel marginal from the user's own SymPy density."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import numpy as np
import scipy.integrate

from ..errors import DyntoolsError
from .marginals import TabulatedMarginal


@dataclass(frozen=True)
class DensityMarginal(TabulatedMarginal):
    """A symmetric density p(x), given as SymPy text in ``x`` (e.g. ``"exp(-x**4)*2/gamma(1/4)"``),
    which must integrate to one. It is standardized to unit variance: X = Y / sd(Y).

    Moments and the amplifier use quadrature in x (substitution x = u / (1 - u) for the tails);
    sampling inverts the tabulated CDF through the copula transform."""

    expression: str
    family: ClassVar[str] = "density"
    symbolic_integrable: ClassVar[bool] = True
    kurtosis_range: ClassVar = (-2.0, math.inf)
    _raw_pdf: object = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        import sympy as sp

        x = sp.Symbol("x", real=True)
        try:
            expr = sp.sympify(self.expression, locals={"x": x})
        except (sp.SympifyError, SyntaxError, TypeError):
            raise DyntoolsError(f"could not parse density '{self.expression}' as a SymPy expression in x") from None
        if expr.free_symbols - {x}:
            raise DyntoolsError(f"density may only depend on x (found {sorted(map(str, expr.free_symbols - {x}))})")
        pdf = sp.lambdify(x, expr, "numpy")
        object.__setattr__(self, "_raw_pdf", lambda v: np.asarray(pdf(np.asarray(v, dtype=float)), dtype=float) * np.ones_like(v, dtype=float))
        probe = np.array([0.0, 0.13, 0.71, 1.37, 2.9, 5.3, 11.0])
        left, right = self._raw_pdf(-probe), self._raw_pdf(probe)
        if not np.all(np.isfinite(right)) or np.any(right < 0):
            raise DyntoolsError("density must be finite and non-negative")
        if not np.allclose(left, right, rtol=1e-10, atol=1e-14):
            raise DyntoolsError("density is not symmetric: p(x) != p(-x)")
        total = self._raw_integral(0)
        if not abs(total - 1) < 1e-6:
            raise DyntoolsError(f"density integrates to {total:.6g}, not 1")
        if not math.isfinite(self._raw_integral(2)):
            raise DyntoolsError("density has infinite variance")

    def _raw_integral(self, order: int) -> float:
        f = lambda v: v**order * self._raw_pdf(v)  # noqa: E731
        value, _ = scipy.integrate.quad(f, 0, np.inf, limit=500, epsabs=1e-13, epsrel=1e-12)
        return 2 * value

    @cached_property
    def scale(self) -> float:
        return math.sqrt(self._raw_integral(2))

    def pdf(self, x):
        return self.scale * self._raw_pdf(np.asarray(x, dtype=float) * self.scale)

    def moment(self, order):
        return self._raw_integral(order) / self.scale**order

    def pixel_quadrature(self):
        u, w = _unit_interval_rule()
        x = u / (1 - u)
        return x, 2 * w * self.pdf(x) / (1 - u) ** 2

    @cached_property
    def _upper_tail(self) -> tuple[np.ndarray, np.ndarray]:
        """Grid x >= 0 and S(x) = P(X > x), by cumulative quadrature."""
        u = np.linspace(0, 1, 200_001)[:-1]
        x = u / (1 - u)
        density = self.pdf(x) / (1 - u) ** 2
        tail = 0.5 - scipy.integrate.cumulative_trapezoid(density, u, initial=0.0)
        return x, np.clip(tail, 1e-300, 0.5)

    def abs_transform_np(self, z):
        x, tail = self._upper_tail
        target = np.log(scipy.special.ndtr(-np.asarray(z, dtype=float)))
        return np.interp(target, np.log(tail[::-1]), x[::-1])

    def sympy_density(self, x):
        import sympy as sp

        s = sp.Float(self.scale, 30)
        return s * sp.sympify(self.expression, locals={"x": sp.Symbol("x", real=True)}).subs("x", s * x), -sp.oo, sp.oo

    def describe(self):
        return {**super().describe(), "density": self.expression}


def _unit_interval_rule(panels: int = 400, nodes: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre on [0, 1), graded towards both ends."""
    breaks = np.unique(np.concatenate([np.geomspace(1e-8, 0.5, panels // 2), 1 - np.geomspace(1e-10, 0.5, panels // 2), [0.0]]))
    t, w = np.polynomial.legendre.leggauss(nodes)
    lo, hi = breaks[:-1, None], breaks[1:, None]
    return (lo + (hi - lo) * (t + 1) / 2).ravel(), ((hi - lo) * w / 2).ravel()
