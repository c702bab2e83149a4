r"""The localization amplifier phi(a) as JAX functions, in interchangeable forms.

All forms come from the one definition in :mod:`dyntools.theory.symbolic`:

- :class:`QuadratureAmplifier`: E[X erf(X c(a))] by quadrature over the pixel law (any
  marginal; ~1e-12 accurate in float64 away from |a| = 1);
- :class:`SeriesAmplifier`: the SymPy series in odd powers of a, to a chosen order;
- :class:`ClosedFormAmplifier`: SymPy's closed form where it compiles to JAX (gaussian, binary,
  uniform, Laplace, ...), with the order-9 series below |a| = 0.02, where closed forms cancel;
- :class:`LinearAmplifier`: phi(a) = slope * a, exact for Gaussian and elliptical data.

Each is a callable ``phi(a)``: elementwise, jit-able and vmappable.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import sympy as sp
from jaxtyping import Array, Float

from .._jax import jax, jnp
from ..errors import DyntoolsError
from ..inputs.marginals import Gaussian, Marginal
from .codegen import JAX_FUNCTIONS, to_jax
from .symbolic import a as A_SYMBOL
from .symbolic import closed_form, finite_series_order, series_coefficients

A_MAX = 1 - 1e-12  # |a| <= 1 by Cauchy-Schwarz; keep c(a) finite
SMALL_A = 0.02
KINDS = ("quadrature", "series", "closed")


def erf_argument_scale(a):
    """c(a) = a / sqrt(2 (1 - a^2))."""
    return a / jnp.sqrt(2 * (1 - a * a))


class Amplifier(ABC):
    """phi: [-1, 1] -> R, odd, with slope sqrt(2/pi) at 0."""

    kind: ClassVar[str]

    @abstractmethod
    def __call__(self, a: Float[Array, "*s"]) -> Float[Array, "*s"]: ...

    def describe(self) -> dict:
        return {"kind": self.kind}


@dataclass(frozen=True, eq=False)
class QuadratureAmplifier(Amplifier):
    marginal: Marginal
    kind: ClassVar[str] = "quadrature"
    nodes: np.ndarray = field(init=False, repr=False)
    weights: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        x, w = self.marginal.pixel_quadrature()
        keep = w * (1 + x * x) > 1e-22  # drop nodes that cannot matter in float64
        object.__setattr__(self, "nodes", x[keep])
        object.__setattr__(self, "weights", w[keep] * x[keep])

    def __call__(self, a):
        a = jnp.clip(a, -A_MAX, A_MAX)
        nodes = jnp.asarray(self.nodes, a.dtype)
        weights = jnp.asarray(self.weights, a.dtype)
        return jnp.sum(weights * jax.scipy.special.erf(nodes * erf_argument_scale(a)[..., None]), axis=-1)

    def describe(self):
        return {"kind": self.kind, "nodes": int(self.nodes.size)}


@dataclass(frozen=True)
class SeriesAmplifier(Amplifier):
    marginal: Marginal
    order: int = 5
    kind: ClassVar[str] = "series"
    coefficients: tuple[float, ...] = field(init=False, repr=False)

    def __post_init__(self):
        if self.order < 1:
            raise DyntoolsError(f"series order must be at least 1 (got {self.order})")
        usable, missing = finite_series_order(self.marginal, self.order)
        if missing:
            raise DyntoolsError(
                f"the order-{self.order} series needs m{missing} = E X^{missing}, which is infinite for "
                f"{self.marginal.family} ({self.marginal.parameter_name} = {self.marginal.parameter:g}); "
                f"use order {usable} or the quadrature amplifier"
            )
        exact = series_coefficients(self.marginal, self.order)
        values = tuple(float(exact.get(n, 0.0)) for n in range(self.order + 1))
        object.__setattr__(self, "coefficients", values)

    def __call__(self, a):
        return jnp.polyval(jnp.asarray(self.coefficients[::-1], a.dtype), a)

    def describe(self):
        return {"kind": self.kind, "order": self.order, "coefficients": list(self.coefficients)}


@dataclass(frozen=True, eq=False)
class ClosedFormAmplifier(Amplifier):
    marginal: Marginal
    kind: ClassVar[str] = "closed"
    expression: sp.Expr = field(init=False, repr=False)

    def __post_init__(self):
        expr = closed_form(self.marginal)
        if expr is None or not compiles_to_jax(expr):
            raise DyntoolsError(
                f"no closed form of phi that compiles to JAX for family '{self.marginal.family}'; "
                "use the quadrature or series amplifier"
            )
        object.__setattr__(self, "expression", expr)
        object.__setattr__(self, "_positive", to_jax(expr, A_SYMBOL))
        object.__setattr__(self, "_series", SeriesAmplifier(self.marginal, 9) if finite_series_order(self.marginal, 9)[1] is None else None)

    def __call__(self, a):
        magnitude = jnp.clip(jnp.abs(a), SMALL_A / 2, A_MAX)  # the closed form is derived for a > 0
        closed = jnp.sign(a) * self._positive(magnitude)
        if self._series is None:
            return closed
        return jnp.where(jnp.abs(a) < SMALL_A, self._series(a), closed)

    def describe(self):
        return {"kind": self.kind, "expression": str(self.expression)}


@dataclass(frozen=True)
class LinearAmplifier(Amplifier):
    """phi(a) = slope a: exact for Gaussian pixels (slope sqrt(2/pi)) and for elliptical data
    (slope E|X|, since E[x | w.x] is linear in w.x)."""

    slope: float
    kind: ClassVar[str] = "linear"

    def __call__(self, a):
        return self.slope * a

    def describe(self):
        return {"kind": self.kind, "slope": self.slope}


def compiles_to_jax(expr: sp.Expr) -> bool:
    known = set(JAX_FUNCTIONS) | {"exp", "log", "sqrt", "Abs", "sign", "Pow", "Mul", "Add"}
    return all(type(f).__name__ in known for f in expr.atoms(sp.Function))


def make_amplifier(marginal: Marginal, kind: str = "quadrature", order: int = 5) -> Amplifier:
    """The amplifier of ``marginal`` in the requested form."""
    if kind == "quadrature":
        return QuadratureAmplifier(marginal)
    if kind == "series":
        return SeriesAmplifier(marginal, order)
    if kind == "closed":
        return ClosedFormAmplifier(marginal)
    raise DyntoolsError(f"unknown amplifier '{kind}'; choose one of: {', '.join(KINDS)}")


def task_amplifier(task, kind: str = "quadrature", order: int = 5) -> Amplifier:
    """The amplifier for a two-class task: linear with slope E|X| for elliptical data (exact, at
    all times), sqrt(2/pi) for Gaussian pixels (a Gaussian clone included), otherwise the
    marginal's amplifier in the requested form."""
    if task.is_elliptical:
        return LinearAmplifier(task.pixel_marginal.mean_abs())
    if isinstance(task.pixel_marginal, Gaussian):  # Gaussian pixels, a Gaussian clone included
        return LinearAmplifier(math.sqrt(2 / math.pi))
    return make_amplifier(task.pixel_marginal, kind, order)
