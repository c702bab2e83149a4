"""The closed form of the amplifier, where SymPy finds one that compiles to JAX."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from ..._jax import jnp
from ...errors import DyntoolsError
from ...inputs.marginals import Marginal
from ...pytrees import WHOLE, pytree
from ._base import A_MAX, SMALL_A, MarginalAmplifier, finite_series_order
from .series import SeriesAmplifier

if TYPE_CHECKING:  # SymPy is imported only where something is derived
    import sympy as sp


@pytree(static=WHOLE)  # a compiled SymPy expression: one program per marginal
@dataclass(frozen=True, eq=False)
class ClosedFormAmplifier(MarginalAmplifier):
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
        from ..codegen import to_jax
        from ..symbolic import a as a_symbol
        from ..symbolic import closed_form

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
