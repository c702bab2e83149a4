"""The closed form of the amplifier, where SymPy finds one that compiles to JAX."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, ClassVar, final

import equinox as eqx

from ..._jax import jnp
from ...errors import DyntoolsError
from ...inputs.marginals import Marginal
from ._base import A_MAX, SMALL_A, MarginalAmplifier, finite_series_order
from .series import SeriesAmplifier

if TYPE_CHECKING:  # SymPy is imported only where something is derived
    import sympy as sp


@dataclass(frozen=True)
class CompiledExpression:
    """A SymPy expression in ``a`` compiled to JAX, equal (and hashed) by its text: a static
    field, so amplifiers with one closed form share one compiled program.

    Attributes:
        text: the expression as SymPy prints it.
        function: the JAX function of ``a``.
    """

    text: str
    function: Callable = field(compare=False, repr=False)


@cache
def _compile(text: str, expression: sp.Expr) -> CompiledExpression:
    """The expression compiled once per text."""
    from ..codegen import to_jax
    from ..symbolic import a as a_symbol

    return CompiledExpression(text, to_jax(expression, a_symbol))


@final
class ClosedFormAmplifier(MarginalAmplifier):
    r"""$\phi(a)$ from SymPy's closed form, compiled to JAX.

    The closed form (see [`closed_form`][dyntools.theory.symbolic.closed_form]) is derived for
    $a > 0$ and extended by oddness, $\phi(a) = \mathrm{sign}(a)\,\phi(|a|)$. Below
    $|a| = 0.02$, where closed forms lose precision to cancellation, the order-9 series is used
    instead (when the marginal's moments up to $m_{10}$ are finite).

    Attributes:
        marginal: the unit-variance pixel marginal.
        positive: the closed form in the symbol ``a``, compiled (static; computed, not passed).
        series: the order-9 series used below $|a| = 0.02$, or ``None`` where a moment up to
            $m_{10}$ is infinite (computed, not passed).

    Raises:
        DyntoolsError: if the family has no closed form, or none that compiles to JAX.
    """

    marginal: Marginal
    positive: CompiledExpression = eqx.field(static=True, repr=False)
    series: SeriesAmplifier | None = eqx.field(repr=False)
    kind: ClassVar[str] = "closed"
    description: ClassVar[str] = "SymPy's closed form for the marginal, compiled to JAX"

    def __init__(self, marginal: Marginal):
        from ..symbolic import closed_form

        expr = closed_form(marginal)
        if expr is None or not compiles_to_jax(expr):
            raise DyntoolsError(
                f"no closed form of phi that compiles to JAX for family '{marginal.family}'; "
                "use the quadrature or series amplifier"
            )
        self.marginal = marginal
        self.positive = _compile(str(expr), expr)
        self.series = SeriesAmplifier(marginal, 9) if finite_series_order(marginal, 9)[1] is None else None

    def __call__(self, a):
        magnitude = jnp.clip(jnp.abs(a), SMALL_A / 2, A_MAX)  # the closed form is derived for a > 0
        closed = jnp.sign(a) * self.positive.function(magnitude)
        if self.series is None:
            return closed
        return jnp.where(jnp.abs(a) < SMALL_A, self.series(a), closed)

    def describe(self) -> dict:
        """A JSON-ready description of the form (saved in run.json).

        Returns:
            ``{"kind": ...}`` with the closed form as a string.
        """
        return {"kind": self.kind, "expression": self.positive.text}


def compiles_to_jax(expr: sp.Expr) -> bool:
    r"""Whether every function in a SymPy expression has a JAX counterpart.

    Arguments:
        expr: a SymPy expression (e.g. a closed form of $\phi$).

    Returns:
        True if each of its function atoms is in `JAX_FUNCTIONS` of
            [`codegen`][dyntools.theory.codegen] or is elementary (exp, log, sqrt, Abs, sign).
    """
    import sympy as sp

    from ..codegen import JAX_FUNCTIONS

    known = set(JAX_FUNCTIONS) | {"exp", "log", "sqrt", "Abs", "sign", "Pow", "Mul", "Add"}
    return all(type(f).__name__ in known for f in expr.atoms(sp.Function))
