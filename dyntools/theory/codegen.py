r"""SymPy expressions -> jit-able, vmappable JAX functions (never retyped by hand).

SymPy's ``lambdify(..., "jax")`` maps ``erf`` to the scalar ``math.erf``; here every special
function is mapped to its ``jax.scipy.special`` counterpart, plus
[`Erfcx`][dyntools.theory.codegen.Erfcx], the scaled complementary error function
$e^{z^2}\mathrm{erfc}(z)$, which keeps closed forms finite where $e^{z^2}$ alone would overflow.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import sympy as sp

from .._jax import jax, jnp


class Erfcx(sp.Function):
    r"""The scaled complementary error function $\mathrm{erfcx}(z) = e^{z^2}\,\mathrm{erfc}(z)$, as a SymPy function.

    Compiled by `to_jax` to a float64-accurate JAX version: $e^{z^2}\mathrm{erfc}(z)$ directly
    for $z < 4$, else the continued fraction
    $\sqrt{\pi}\,\mathrm{erfcx}(z) = 1/(z + \tfrac12/(z + 1/(z + \tfrac32/(z + \dots))))$.
    ``rewrite(sp.erfc)`` turns it back into $e^{z^2}\mathrm{erfc}(z)$.
    """

    def _eval_rewrite_as_erfc(self, z, **kwargs):
        return sp.exp(z**2) * sp.erfc(z)


def _erfcx_jax(z, terms: int = 80):
    """exp(z^2) erfc(z): directly for z < 4, else the continued fraction
    sqrt(pi) erfcx(z) = 1 / (z + (1/2) / (z + 1 / (z + (3/2) / (z + ...)))), full float64 accuracy."""
    safe = jnp.maximum(z, 4.0)
    fraction = safe
    for n in range(terms, 0, -1):
        fraction = safe + (n / 2) / fraction
    direct = jnp.exp(jnp.minimum(z, 4.0) ** 2) * jax.scipy.special.erfc(jnp.minimum(z, 4.0))
    return jnp.where(z < 4.0, direct, 1.0 / (math.sqrt(math.pi) * fraction))


JAX_FUNCTIONS = {
    "erf": jax.scipy.special.erf,
    "erfc": jax.scipy.special.erfc,
    "Erfcx": _erfcx_jax,
    "gamma": lambda v: jnp.exp(jax.scipy.special.gammaln(v)),
    "loggamma": jax.scipy.special.gammaln,
}


def to_jax(expr: sp.Expr, *symbols: sp.Symbol) -> Callable:
    """A JAX function of ``symbols`` evaluating ``expr`` elementwise.

    Special functions map to ``jax.scipy.special`` (erf, erfc, gammaln, ...) and `Erfcx` to its
    float64-accurate JAX version, so the result is jit-able and vmappable.

    Arguments:
        expr: the SymPy expression.
        *symbols: its free symbols, in the order of the function's positional arguments.

    Returns:
        A function taking one array per symbol (broadcastable shapes) and returning ``expr``
            evaluated elementwise, with their broadcast shape.
    """
    return sp.lambdify(symbols, expr, modules=[JAX_FUNCTIONS, "jax"])


def use_erfcx(expr: sp.Expr) -> sp.Expr:
    r"""Rewrite products $e^{z^2}\,\mathrm{erfc}(z)$ as `Erfcx(z)`.

    Arguments:
        expr: a SymPy expression.

    Returns:
        ``expr`` with every product term holding both $e^{z^2}$ and $\mathrm{erfc}(z)$ (same $z$)
            rewritten with `Erfcx(z)`; other terms unchanged.
    """

    def rewrite(term):
        exps = [f for f in term.args if isinstance(f, sp.exp)]
        for erfc in (f for f in term.args if isinstance(f, sp.erfc)):
            for e in exps:
                if sp.simplify(e.args[0] - erfc.args[0] ** 2) == 0:
                    return term / (e * erfc) * Erfcx(erfc.args[0])
        return term

    return expr.replace(lambda t: t.is_Mul and t.has(sp.exp) and t.has(sp.erfc), rewrite)
