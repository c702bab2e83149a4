r"""The localization amplifier $\phi(a)$ as JAX functions, in interchangeable forms.

All forms come from the one definition in [`dyntools.theory.symbolic`][dyntools.theory.symbolic],
$\phi(a) = \mathbb{E}_X[X\,\mathrm{erf}(X c(a))]$ with $c(a) = a/\sqrt{2(1 - a^2)}$:

- [`QuadratureAmplifier`][dyntools.theory.amplifier.QuadratureAmplifier]: the expectation by
  quadrature over the pixel law (any marginal; ~1e-12 accurate in float64 away from $|a| = 1$);
- [`SeriesAmplifier`][dyntools.theory.amplifier.SeriesAmplifier]: the SymPy series in odd powers
  of $a$, to a chosen order;
- [`ClosedFormAmplifier`][dyntools.theory.amplifier.ClosedFormAmplifier]: SymPy's closed form
  where it compiles to JAX (gaussian, binary, uniform, Laplace, ...), with the order-9 series
  below $|a| = 0.02$, where closed forms cancel;
- [`LinearAmplifier`][dyntools.theory.amplifier.LinearAmplifier]: $\phi(a) = \text{slope}\cdot a$,
  exact for Gaussian and elliptical data.

Each is a callable ``phi(a)``: elementwise, jit-able and vmappable.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from jaxtyping import Array, Float

from .._jax import jax, jnp, require_x64
from ..errors import DyntoolsError
from ..inputs.marginals import Gaussian, Marginal
from ..pytrees import WHOLE, pytree
from .series_cache import cached_series

if TYPE_CHECKING:  # SymPy is imported only where something is derived
    import sympy as sp

    from ..inputs.task import TwoClassTask

A_MAX = 1 - 1e-12  # |a| <= 1 by Cauchy-Schwarz; keep c(a) finite
SMALL_A = 0.02
KINDS = ("quadrature", "series", "closed")


def erf_argument_scale(a: Float[Array, "*s"]) -> Float[Array, "*s"]:
    r"""The scale $c(a) = a / \sqrt{2(1 - a^2)}$ inside the erf of the amplifier.

    Arguments:
        a: amplifier arguments of any shape, in $(-1, 1)$ (infinite at $|a| = 1$).

    Returns:
        $c(a)$, elementwise, with the shape of ``a``.
    """
    return a / jnp.sqrt(2 * (1 - a * a))


class Amplifier(ABC):
    r"""Base class of the amplifier forms: $\phi: [-1, 1] \to \mathbb{R}$, odd, with slope $\sqrt{2/\pi}$ at 0.

    Calling an amplifier, ``phi(a)``, evaluates it elementwise on an array ``a`` of any shape
    `[*s]` with entries in $[-1, 1]$, returning an array of the same shape and dtype; it is
    jit-able and vmappable.

    Attributes:
        kind: the form's name (``"quadrature"``, ``"series"``, ``"closed"`` or ``"linear"``).
    """

    kind: ClassVar[str]

    @abstractmethod
    def __call__(self, a: Float[Array, "*s"]) -> Float[Array, "*s"]: ...

    def describe(self) -> dict:
        """A JSON-ready description of the form (saved in run.json).

        Returns:
            ``{"kind": ...}`` and the form's own settings.
        """
        return {"kind": self.kind}


def finite_series_order(marginal: Marginal, order: int) -> tuple[int, int | None]:
    r"""How far the series of $\phi$ can go for a marginal whose high moments may be infinite.

    The coefficient of $a^n$ needs $m_{n+1} = \mathbb{E} X^{n+1}$, so a heavy-tailed marginal
    (e.g. Student-t, or Kur($k$) with small $k$) has a series only up to some order.

    Arguments:
        marginal: the unit-variance pixel marginal.
        order: the requested highest power of $a$.

    Returns:
        `(usable, missing)`: the highest odd order `<= order` whose coefficients need only finite
            moments (at least 1), and the order of the first infinite moment that stops it
            (`None` if none does).
    """
    usable = 1
    for n in range(3, order + 1, 2):
        if not math.isfinite(marginal.moment(n + 1)):
            return usable, n + 1
        usable = n
    return usable, None


@pytree()
@dataclass(frozen=True, eq=False)
class QuadratureAmplifier(Amplifier):
    r"""$\phi(a) = \sum_j W_j x_j \,\mathrm{erf}(x_j c(a))$ by quadrature over the pixel marginal.

    Uses the marginal's half-line rule (nodes $x_j \ge 0$, weights $W_j$, exact for even
    integrands), zeroing nodes with $W_j (1 + x_j^2) \le 10^{-22}$ (they cannot matter in
    float64; zeroed rather than dropped, so every member of a family has the same J and one
    compiled program serves them all). Works for any marginal; ~1e-12 accurate in float64 away
    from $|a| = 1$; $a$ is clipped to $|a| \le 1 - 10^{-12}$.

    Attributes:
        marginal: the unit-variance pixel marginal.
        nodes: [J] the quadrature nodes $x_j$, zero where dropped (computed, not passed).
        weights: [J] the weights times their nodes, $W_j x_j$, zero where dropped (computed,
            not passed).
    """

    marginal: Marginal
    kind: ClassVar[str] = "quadrature"
    nodes: np.ndarray = field(init=False, repr=False)
    weights: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        x, w = self.marginal.pixel_quadrature()
        keep = w * (1 + x * x) > 1e-22  # nodes that can matter in float64
        object.__setattr__(self, "nodes", np.where(keep, x, 0.0))
        object.__setattr__(self, "weights", np.where(keep, w * x, 0.0))

    def __call__(self, a):
        a = jnp.clip(a, -A_MAX, A_MAX)
        nodes = jnp.asarray(self.nodes, a.dtype)
        weights = jnp.asarray(self.weights, a.dtype)
        return jnp.sum(weights * jax.scipy.special.erf(nodes * erf_argument_scale(a)[..., None]), axis=-1)

    def describe(self) -> dict:
        """A JSON-ready description of the form (saved in run.json).

        Returns:
            ``{"kind": ...}`` with the number of quadrature nodes.
        """
        return {"kind": self.kind, "nodes": int(np.count_nonzero(self.weights))}


@pytree(static=("order",))
@dataclass(frozen=True)
class SeriesAmplifier(Amplifier):
    r"""$\phi(a) \approx \sum_{n \le \text{order}} b_n a^n$, the SymPy series in odd powers of $a$.

    The coefficients $b_n$ come from
    [`series_coefficients`][dyntools.theory.symbolic.series_coefficients], exact in the marginal's
    moments; the cubic one is $-\sqrt{2/\pi}\,(m_4 - 3)/6$.

    Attributes:
        marginal: the unit-variance pixel marginal.
        order: the highest power of $a$ kept (1 or more).
        coefficients: the `order + 1` coefficients of $a^0, \dots, a^{\text{order}}$ as floats (even
            ones zero; computed, not passed).

    Raises:
        DyntoolsError: if ``order < 1``, or if a coefficient up to ``order`` needs a moment that
            is infinite for this marginal (the message names the highest usable order).
    """

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
        object.__setattr__(self, "coefficients", cached_series(self.marginal, self.order))

    def __call__(self, a):
        return jnp.polyval(jnp.asarray(self.coefficients[::-1], a.dtype), a)

    def describe(self) -> dict:
        """A JSON-ready description of the form (saved in run.json).

        Returns:
            ``{"kind": ...}`` with the order and the coefficients.
        """
        return {"kind": self.kind, "order": self.order, "coefficients": list(self.coefficients)}


@pytree(static=WHOLE)  # a compiled SymPy expression: one program per marginal
@dataclass(frozen=True, eq=False)
class ClosedFormAmplifier(Amplifier):
    r"""$\phi(a)$ from SymPy's closed form, compiled to JAX.

    The closed form (see [`closed_form`][dyntools.theory.symbolic.closed_form]) is derived for
    $a > 0$ and extended by oddness, $\phi(a) = \mathrm{sign}(a)\,\phi(|a|)$. Below
    $|a| = 0.02$, where closed forms lose precision to cancellation, the order-9 series is used
    instead (when the marginal's moments up to $m_{10}$ are finite).

    Attributes:
        marginal: the unit-variance pixel marginal.
        expression: the SymPy closed form in the symbol ``a`` (computed, not passed).

    Raises:
        DyntoolsError: if the family has no closed form, or none that compiles to JAX.
    """

    marginal: Marginal
    kind: ClassVar[str] = "closed"
    expression: sp.Expr = field(init=False, repr=False)

    def __post_init__(self):
        from .codegen import to_jax
        from .symbolic import a as a_symbol
        from .symbolic import closed_form

        expr = closed_form(self.marginal)
        if expr is None or not compiles_to_jax(expr):
            raise DyntoolsError(
                f"no closed form of phi that compiles to JAX for family '{self.marginal.family}'; "
                "use the quadrature or series amplifier"
            )
        object.__setattr__(self, "expression", expr)
        object.__setattr__(self, "_positive", to_jax(expr, a_symbol))
        object.__setattr__(self, "_series", SeriesAmplifier(self.marginal, 9) if finite_series_order(self.marginal, 9)[1] is None else None)

    def __call__(self, a):
        magnitude = jnp.clip(jnp.abs(a), SMALL_A / 2, A_MAX)  # the closed form is derived for a > 0
        closed = jnp.sign(a) * self._positive(magnitude)
        if self._series is None:
            return closed
        return jnp.where(jnp.abs(a) < SMALL_A, self._series(a), closed)

    def describe(self) -> dict:
        """A JSON-ready description of the form (saved in run.json).

        Returns:
            ``{"kind": ...}`` with the closed form as a string.
        """
        return {"kind": self.kind, "expression": str(self.expression)}


@pytree()
@dataclass(frozen=True)
class LinearAmplifier(Amplifier):
    r"""$\phi(a) = \text{slope}\cdot a$: exact for Gaussian pixels and for elliptical data.

    Gaussian pixels have slope $\sqrt{2/\pi}$; elliptical data have slope $\mathbb{E}|X|$, at all
    times, since $\mathbb{E}[x \mid w\cdot x]$ is linear in $w\cdot x$.

    Attributes:
        slope: the slope of $\phi$.
    """

    slope: float
    kind: ClassVar[str] = "linear"

    def __call__(self, a):
        return self.slope * a

    def describe(self) -> dict:
        """A JSON-ready description of the form (saved in run.json).

        Returns:
            ``{"kind": ...}`` with the slope.
        """
        return {"kind": self.kind, "slope": self.slope}


def compiles_to_jax(expr: sp.Expr) -> bool:
    r"""Whether every function in a SymPy expression has a JAX counterpart.

    Arguments:
        expr: a SymPy expression (e.g. a closed form of $\phi$).

    Returns:
        True if each of its function atoms is in `JAX_FUNCTIONS` of
            [`codegen`][dyntools.theory.codegen] or is elementary (exp, log, sqrt, Abs, sign).
    """
    import sympy as sp

    from .codegen import JAX_FUNCTIONS

    known = set(JAX_FUNCTIONS) | {"exp", "log", "sqrt", "Abs", "sign", "Pow", "Mul", "Add"}
    return all(type(f).__name__ in known for f in expr.atoms(sp.Function))


def make_amplifier(marginal: Marginal, kind: str = "quadrature", order: int = 5) -> Amplifier:
    """The amplifier of ``marginal`` in the requested form.

    Arguments:
        marginal: the unit-variance pixel marginal.
        kind: ``"quadrature"``, ``"series"`` or ``"closed"`` (see `KINDS`).
        order: the series order, with ``kind="series"`` only.

    Returns:
        A [`QuadratureAmplifier`][dyntools.theory.amplifier.QuadratureAmplifier],
            [`SeriesAmplifier`][dyntools.theory.amplifier.SeriesAmplifier] or
            [`ClosedFormAmplifier`][dyntools.theory.amplifier.ClosedFormAmplifier].

    Raises:
        DyntoolsError: for an unknown ``kind``, or when the form is not available for this
            marginal (an infinite moment for the series, no closed form), or when JAX's 64-bit
            floats are off.
    """
    require_x64()
    if kind == "quadrature":
        return QuadratureAmplifier(marginal)
    if kind == "series":
        return SeriesAmplifier(marginal, order)
    if kind == "closed":
        return ClosedFormAmplifier(marginal)
    raise DyntoolsError(f"unknown amplifier '{kind}'; choose one of: {', '.join(KINDS)}")


def task_amplifier(task: TwoClassTask, kind: str = "quadrature", order: int = 5) -> Amplifier:
    r"""The amplifier for a two-class task.

    Linear with slope $\mathbb{E}|X|$ for elliptical data (exact, at all times), linear with slope
    $\sqrt{2/\pi}$ for Gaussian pixels (a Gaussian clone included), otherwise the pixel
    marginal's amplifier in the requested form (see `make_amplifier`).

    Arguments:
        task: the two-class task ([`TwoClassTask`][dyntools.inputs.task.TwoClassTask]); its
            class-1 pixel marginal decides.
        kind: ``"quadrature"``, ``"series"`` or ``"closed"``, for non-Gaussian, non-elliptical
            pixels.
        order: the series order, with ``kind="series"`` only.

    Returns:
        An [`Amplifier`][dyntools.theory.amplifier.Amplifier].

    Raises:
        DyntoolsError: as `make_amplifier`, for non-Gaussian, non-elliptical pixels.
    """
    if task.is_elliptical:
        return LinearAmplifier(task.pixel_marginal.mean_abs())
    if isinstance(task.pixel_marginal, Gaussian):  # Gaussian pixels, a Gaussian clone included
        return LinearAmplifier(math.sqrt(2 / math.pi))
    return make_amplifier(task.pixel_marginal, kind, order)
