r"""The derivation of the effective dynamics, step by step, as SymPy objects.

Each [`Step`][dyntools.theory.derivation.Step] holds a title, a SymPy expression or equation and a short explanation, so a
reader can print the chain in LaTeX (``dyntools derive --latex``, ``examples/derive_amplifier.py``)
and modify any step.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..inputs.marginals import Marginal
from .symbolic import C_OF_A, a, closed_form, moment_symbol, series_coefficients, series_in_moments, x

EQ5_TEXT = "dw/dt = (1/2) [ phi(a) - (Sigma_0 + Sigma_1) w ],  a = Sigma_1 w / sqrt(w^T Sigma_1 w)"


@dataclass(frozen=True)
class Step:
    """One step of the derivation: a titled SymPy expression or equation with its explanation.

    Attributes:
        title: a short title, e.g. ``"exact gradient flow (A)"``.
        expression: the SymPy expression or equation (``sp.Eq``) of the step.
        explanation: one or two plain-text sentences saying where it comes from.
        tex: LaTeX to print instead of ``sp.latex(expression)``, for steps stated in vector
            notation (which SymPy symbols print poorly); None to use SymPy's.
    """

    title: str
    expression: sp.Basic
    explanation: str
    tex: str | None = None  # for steps stated in vector notation, which SymPy symbols print poorly

    def latex(self) -> str:
        """The step in LaTeX: ``tex`` if given, else SymPy's LaTeX of ``expression``.

        Returns:
            A LaTeX string without math delimiters.
        """
        return self.tex or sp.latex(self.expression)


def general_steps(order: int = 5) -> list[Step]:
    r"""The general derivation: loss -> exact flow (A) -> conditional-Gaussian step -> $\phi$ -> series -> Eq. 5.

    For one ReLU neuron and equiprobable classes: the loss, the exact gradient flow
    $\dot w = \frac12[\mathbb{E}_1[x\,\mathrm{sign}(w\cdot x)] - (\Sigma_0 + \Sigma_1)w]$,
    $\mathbb{E}\,\mathrm{sign}(S)$ for a Gaussian $S$ (integrated by SymPy), the conditional-Gaussian
    step, the amplifier $\phi(a) = \mathbb{E}_X[X\,\mathrm{erf}(X c(a))]$, its series in the
    moments, and the effective ODE $\dot w = \frac12[\phi(a) - (\Sigma_0 + \Sigma_1)w]$.

    Arguments:
        order: the highest power of $a$ in the series step (odd, 1 or more).

    Returns:
        The seven [`Step`][dyntools.theory.derivation.Step]s, in order.
    """
    w_norm, e_abs, q0, q1 = sp.symbols("wnorm Eabs q0 q1", positive=True)
    loss = sp.Rational(1, 2) - sp.Rational(1, 2) * e_abs + (q0 + q1) / 4
    mu, s = sp.symbols("mu s", real=True)
    sigma = sp.Symbol("sigma", positive=True)
    gauss = sp.exp(-((s - mu) ** 2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)
    mean_sign = sp.simplify(sp.integrate(gauss, (s, 0, sp.oo)) - sp.integrate(gauss, (s, -sp.oo, 0)))
    conditional = sp.simplify(mean_sign.subs({mu: x * a * w_norm, sigma: w_norm * sp.sqrt(1 - a**2)}))
    phi = sp.Function("phi")(a)
    series = sum(coeff * a**n for n, coeff in series_in_moments(order).items())
    return [
        Step("loss of one ReLU neuron, equiprobable classes",
             sp.Eq(sp.Symbol("L"), loss),
             "E(y - ReLU(w.x))^2 with E ReLU(s)^2 = E s^2 / 2 and E[y ReLU(w.x)] = E_1|w.x| / 4",
             r"L = \frac{1}{2} - \frac{1}{2}\mathbb{E}_1|w\cdot x| + \frac{1}{4} w^T(\Sigma_0+\Sigma_1)w"),
        Step("exact gradient flow (A)",
             sp.Eq(sp.Symbol("wdot"), sp.Rational(1, 2) * (sp.Symbol("E1xsign") - sp.Symbol("Sw"))),
             "minus the gradient of L: d E_1|w.x| / dw = E_1[x sign(w.x)], d w^T S w / dw = 2 S w",
             r"\dot w = \frac{1}{2}\left[\mathbb{E}_1[x\,\mathrm{sign}(w\cdot x)] - (\Sigma_0+\Sigma_1)w\right]"),
        Step("E[sign(S)] for S ~ N(mu, sigma^2)", sp.Eq(sp.Symbol("Esign"), mean_sign), "integrated by SymPy",
             r"\mathbb{E}\,\mathrm{sign}(S) = " + sp.latex(mean_sign)),
        Step("conditional-Gaussian step",
             sp.Eq(sp.Symbol("E1sign"), conditional),
             "w.x given x_i = x treated as Gaussian: mean x (Sigma_1 w)_i, variance w^T Sigma_1 w - (Sigma_1 w)_i^2; "
             "a_i = (Sigma_1 w)_i / |w|_{Sigma_1}",
             r"\mathbb{E}_1[\mathrm{sign}(w\cdot x)\mid x_i = x] = " + sp.latex(conditional)),
        Step("the localization amplifier",
             sp.Eq(phi, sp.Symbol("E_X") * x * sp.erf(x * C_OF_A)),
             "E_1[x_i sign(w.x)] ~ phi(a_i): depends only on the pixel marginal"),
        Step(f"series to order {order} in the moments (m2 = 1)", sp.Eq(phi, series),
             "erf expanded in a, then E X^{2j} = m_{2j}; the cubic coefficient is -(m4 - 3)/6 sqrt(2/pi)"),
        Step("effective ODE (Eq. 5)",
             sp.Eq(sp.Symbol("wdot"), sp.Rational(1, 2) * (sp.Function("phi")(a) - sp.Symbol("Sw"))),
             "a = Sigma_1 w / sqrt(w^T Sigma_1 w), elementwise in phi; an early-time theory",
             r"\dot w = \frac{1}{2}\left[\phi(a) - (\Sigma_0+\Sigma_1)w\right], \quad "
             r"a = \frac{\Sigma_1 w}{\sqrt{w^T\Sigma_1 w}}"),
    ]


def marginal_steps(marginal: Marginal, order: int = 5) -> list[Step]:
    r"""The steps specific to one marginal: its moments, closed form and series.

    Arguments:
        marginal: the unit-variance pixel marginal.
        order: the highest power of $a$ in the series; moments $m_4, \dots, m_{\text{order}+1}$
            are listed.

    Returns:
        Two or three [`Step`][dyntools.theory.derivation.Step]s: the moments, the closed form
            of $\phi$ for $0 < a < 1$ (only when SymPy finds one), and the series with the
            moments substituted.
    """
    moments = [sp.Eq(moment_symbol(p), marginal.sympy_moment(p)) for p in range(4, order + 2, 2)]
    steps = [Step("moments of the pixel marginal", sp.Tuple(*moments), marginal.family)]
    closed = closed_form(marginal)
    if closed is not None:
        steps.append(Step("closed form (0 < a < 1; phi is odd)", sp.Eq(sp.Function("phi")(a), closed),
                          "SymPy integrate, Meijer-G method"))
    coeffs = series_coefficients(marginal, order)
    steps.append(Step("series", sp.Eq(sp.Function("phi")(a), sum(c * a**n for n, c in coeffs.items())), "moments substituted"))
    return steps
