r"""The localization amplifier, derived symbolically from its one definition

.. math::  \phi(a) = E_X\left[X \,\mathrm{erf}\!\left(\frac{X a}{\sqrt{2(1 - a^2)}}\right)\right]

(X one unit-variance pixel): its series in odd powers of a with coefficients in the moments
m_4, m_6, ... (m_2 = 1), and its closed form where SymPy can integrate.
"""

from __future__ import annotations

import math
import signal
import threading
from functools import cache

import sympy as sp

from ..inputs.marginals import Marginal
from .codegen import use_erfcx

a = sp.Symbol("a", positive=True)  # phi is odd: derived for 0 < a < 1, extended by symmetry
x = sp.Symbol("x", real=True)
c = sp.Symbol("c", positive=True)  # c = a / sqrt(2 (1 - a^2))
C_OF_A = a / sp.sqrt(2 * (1 - a**2))
CLOSED_FORM_SECONDS = 20


def moment_symbol(order: int) -> sp.Symbol:
    return sp.Symbol(f"m{order}", positive=True)


def amplifier_integrand() -> sp.Expr:
    """X erf(X a / sqrt(2 (1 - a^2))), the quantity whose expectation is phi(a)."""
    return x * sp.erf(x * C_OF_A)


@cache
def series_in_moments(order: int) -> dict[int, sp.Expr]:
    """{n: coefficient of a^n} for odd n <= order, in the symbols m4, m6, ... (m2 = 1).

    Series-expand the integrand in a, then take the expectation term by term: E X^{2j} = m_{2j}."""
    expansion = sp.expand(sp.series(amplifier_integrand(), a, 0, order + 1).removeO())
    coefficients = {}
    for n in range(1, order + 1, 2):
        in_x = sp.Poly(expansion.coeff(a, n), x)
        coefficients[n] = sp.nsimplify(0) + sum(
            coeff * (1 if power == 2 else moment_symbol(power)) for (power,), coeff in in_x.terms()
        )
    return coefficients


def series_coefficients(marginal: Marginal, order: int) -> dict[int, sp.Expr]:
    """The series coefficients with the marginal's moments substituted (exact where known)."""
    moments = {moment_symbol(p): marginal.sympy_moment(p) for p in range(4, order + 2, 2)}
    return {n: sp.simplify(coeff.subs(moments)) for n, coeff in series_in_moments(order).items()}


def finite_series_order(marginal, order: int) -> tuple[int, int | None]:
    """The highest odd order <= ``order`` whose coefficients need only finite moments (the a^n
    coefficient needs m_{n+1} = E X^{n+1}), and the order of the first infinite moment that
    stops it (None if none does)."""
    usable = 1
    for n in range(3, order + 1, 2):
        if not math.isfinite(marginal.moment(n + 1)):
            return usable, n + 1
        usable = n
    return usable, None


def expectation(marginal: Marginal, integrand: sp.Expr):
    """E[integrand(X)] as an unevaluated SymPy expression, or None without a density.
    The integrand must be even in x."""
    if marginal.atoms is not None:
        values, probs = marginal.atoms
        return sum(sp.nsimplify(p) * integrand.subs(x, sp.nsimplify(v)) for v, p in zip(values, probs))
    density = marginal.sympy_density(x)
    if density is None:
        return None
    pdf, _, upper = density
    return 2 * sp.Integral(integrand * pdf, (x, 0, upper))


@cache
def closed_form(marginal: Marginal) -> sp.Expr | None:
    """phi(a) for 0 < a < 1 in closed form, or None when SymPy cannot integrate (or takes longer
    than CLOSED_FORM_SECONDS). Only tried for families marked ``symbolic_integrable`` (others,
    like alg, give Meijer-G functions at best, after minutes). Products exp(z^2) erfc(z) are
    rewritten as Erfcx(z)."""
    unevaluated = expectation(marginal, x * sp.erf(c * x)) if marginal.symbolic_integrable else None
    if unevaluated is None:
        return None
    result = _with_timeout(CLOSED_FORM_SECONDS, unevaluated.doit)
    if result is None or result.has(sp.Integral) or _has_giant_numbers(result):
        return None
    return use_erfcx(sp.simplify(result.subs(c, C_OF_A)))


def _has_giant_numbers(expr: sp.Expr, bits: int = 1000) -> bool:
    """Whether an exact number in ``expr`` has more than ``bits`` bits: such a 'closed form'
    (e.g. Student-t with nu ~ 6000, whose gamma factors are exact giant rationals) cannot be
    printed or evaluated usefully."""
    return any(max(abs(r.p).bit_length(), r.q.bit_length()) > bits for r in expr.atoms(sp.Rational))


def _with_timeout(seconds: int, compute):
    """compute() or None after ``seconds`` (enforced in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return compute()

    def expire(signum, frame):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        return compute()
    except TimeoutError:
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
