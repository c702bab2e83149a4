r"""The localization amplifier, derived symbolically from its one definition

$$\phi(a) = \mathbb{E}_X\left[X \,\mathrm{erf}\!\left(\frac{X a}{\sqrt{2(1 - a^2)}}\right)\right]$$

($X$ one unit-variance pixel): its series in odd powers of $a$ with coefficients in the moments
$m_4, m_6, \dots$ ($m_2 = 1$), and its closed form where SymPy can integrate.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..inputs.marginals import Marginal
from .codegen import use_erfcx

a = sp.Symbol("a", positive=True)  # phi is odd: derived for 0 < a < 1, extended by symmetry
x = sp.Symbol("x", real=True)
c = sp.Symbol("c", positive=True)  # c = a / sqrt(2 (1 - a^2))
C_OF_A = a / sp.sqrt(2 * (1 - a**2))
ELEMENTARY = {"exp", "log", "Abs", "sign", "erf", "erfc", "Erfcx", "gamma"}  # functions a closed form may use


def moment_symbol(order: int) -> sp.Symbol:
    r"""The positive SymPy symbol ``m<order>`` standing for the moment $m_p = \mathbb{E} X^p$.

    Arguments:
        order: the moment's order $p$ (even, 4 or more in the series).

    Returns:
        The symbol ``m<order>``.
    """
    return sp.Symbol(f"m{order}", positive=True)


def amplifier_integrand() -> sp.Expr:
    r"""The integrand $X\,\mathrm{erf}\big(X a / \sqrt{2(1 - a^2)}\big)$, whose expectation is $\phi(a)$.

    Returns:
        A SymPy expression in the module's symbols ``x`` (the pixel value) and ``a`` (positive).
    """
    return x * sp.erf(x * C_OF_A)


@cache
def series_in_moments(order: int) -> dict[int, sp.Expr]:
    r"""The series of $\phi(a)$ in odd powers of $a$, with coefficients in the moments.

    Series-expand the integrand in $a$, then take the expectation term by term:
    $\mathbb{E} X^{2j} = m_{2j}$ ($m_2 = 1$). To order 5,

    $$
    \phi(a) = \sqrt{2/\pi}\,\Big[a + \big(\tfrac12 - \tfrac{m_4}{6}\big)a^3
      + \big(\tfrac38 - \tfrac{m_4}{4} + \tfrac{m_6}{40}\big)a^5 + O(a^7)\Big].
    $$

    Arguments:
        order: the highest power of $a$ kept (1 or more).

    Returns:
        `{n: coefficient of a^n}` for every odd `n <= order`, SymPy expressions in the
            symbols `m4`, `m6`, ... (see `moment_symbol`). Cached.
    """
    expansion = sp.expand(sp.series(amplifier_integrand(), a, 0, order + 1).removeO())
    coefficients = {}
    for n in range(1, order + 1, 2):
        in_x = sp.Poly(expansion.coeff(a, n), x)
        coefficients[n] = sp.nsimplify(0) + sum(
            coeff * (1 if power == 2 else moment_symbol(power)) for (power,), coeff in in_x.terms()
        )
    return coefficients


def series_coefficients(marginal: Marginal, order: int) -> dict[int, sp.Expr]:
    r"""The series coefficients of $\phi$ for one marginal, its moments substituted.

    The coefficients of [`series_in_moments`][dyntools.theory.symbolic.series_in_moments] with
    $m_p$ replaced by the marginal's exact (SymPy) moments.

    Arguments:
        marginal: the unit-variance pixel marginal.
        order: the highest power of $a$ kept (1 or more).

    Returns:
        `{n: coefficient of a^n}` for every odd `n <= order`, simplified SymPy numbers (exact
            where the marginal knows its moments exactly; infinite where a moment is).
    """
    moments = {moment_symbol(p): marginal.sympy_moment(p) for p in range(4, order + 2, 2)}
    return {n: sp.simplify(coeff.subs(moments)) for n, coeff in series_in_moments(order).items()}


def expectation(marginal: Marginal, integrand: sp.Expr) -> sp.Expr | None:
    r"""$\mathbb{E}[\text{integrand}(X)]$ over a symmetric pixel marginal, as an unevaluated SymPy expression.

    For a discrete marginal the sum over its atoms; otherwise
    $2\int_0^{\text{upper}} \text{integrand}(x)\,p(x)\,dx$, which uses the symmetry of the
    density $p$, so the integrand must be even in $x$.

    Arguments:
        marginal: the pixel marginal (its ``atoms`` or ``sympy_density``).
        integrand: a SymPy expression in the module's symbol ``x``, even in ``x``.

    Returns:
        An unevaluated SymPy ``Integral`` (or an exact sum for atoms), or `None` when the marginal
            has neither atoms nor a SymPy density.
    """
    if marginal.atoms is not None:
        values, probs = marginal.atoms
        return sum(sp.nsimplify(p) * integrand.subs(x, sp.nsimplify(v)) for v, p in zip(values, probs))
    density = marginal.sympy_density(x)
    if density is None:
        return None
    pdf, _, upper = density
    return 2 * sp.Integral(integrand * pdf, (x, 0, upper))


@cache
def closed_form_search(marginal: Marginal) -> tuple[sp.Expr | None, str | None]:
    r"""$\phi(a)$ for $0 < a < 1$ in closed form, or why there is none.

    Only tried for families marked ``symbolic_integrable`` (others, like alg, give Meijer-G
    functions at best). The integral is done by SymPy's Meijer-G method alone
    (``meijerg=True``): a table-driven rewrite that terminates, so the same marginal gives the
    same answer on every machine, quickly, with no time limit (the heuristic Risch and
    pattern methods can run for minutes). A result in anything but elementary functions, erf
    and gamma (a Meijer-G or hypergeometric function) is "no elementary closed form"; one with
    exact numbers of more than 1000 bits (Student-t with $\nu \approx 6000$) is dropped.
    Products $e^{z^2}\mathrm{erfc}(z)$ are rewritten as `Erfcx(z)` (see
    [`use_erfcx`][dyntools.theory.codegen.use_erfcx]).

    Arguments:
        marginal: the unit-variance pixel marginal.

    Returns:
        ``(expression, None)``: the closed form in the symbol ``a`` (extend to $a < 0$ by
            oddness); or ``(None, why)``, ``why`` one line. Cached per marginal.
    """
    unevaluated = expectation(marginal, x * sp.erf(c * x)) if marginal.symbolic_integrable else None
    if unevaluated is None:
        return None, f"not attempted for family '{marginal.family}' (Meijer-G functions at best)"
    result = unevaluated.doit(meijerg=True)
    if result.has(sp.Integral):
        return None, "none found (SymPy's Meijer-G integration leaves the integral unevaluated)"
    special = sorted({type(f).__name__ for f in result.atoms(sp.Function)} - ELEMENTARY)
    if special:
        return None, f"no elementary closed form (SymPy finds one only in terms of {', '.join(special)})"
    if _has_giant_numbers(result):
        return None, "none printable (SymPy's form has exact numbers of more than 1000 bits)"
    return use_erfcx(sp.simplify(result.subs(c, C_OF_A))), None


def closed_form(marginal: Marginal) -> sp.Expr | None:
    r"""$\phi(a)$ for $0 < a < 1$ in closed form, when SymPy finds an elementary one (see `closed_form_search`).

    Arguments:
        marginal: the unit-variance pixel marginal.

    Returns:
        A SymPy expression in the symbol ``a`` (extend to $a < 0$ by oddness), or `None`.
    """
    return closed_form_search(marginal)[0]


def _has_giant_numbers(expr: sp.Expr, bits: int = 1000) -> bool:
    """Whether an exact number in ``expr`` has more than ``bits`` bits: such a 'closed form'
    (e.g. Student-t with nu ~ 6000, whose gamma factors are exact giant rationals) cannot be
    printed or evaluated usefully."""
    return any(max(abs(r.p).bit_length(), r.q.bit_length()) > bits for r in expr.atoms(sp.Rational))
