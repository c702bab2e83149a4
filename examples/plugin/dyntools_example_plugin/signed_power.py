r"""A pixel marginal family: $X = \mathrm{sign}(Z)\,|Z|^q / s$, $Z \sim N(0, 1)$, $s^2 = E|Z|^{2q}$."""

from __future__ import annotations

import math
from typing import ClassVar, final

import equinox as eqx
import jax.numpy as jnp

from dyntools.errors import DyntoolsError
from dyntools.inputs.marginals import Marginal


@final
class SignedPower(Marginal):
    r"""$X = \mathrm{sign}(Z)\,|Z|^q / s$ with $s^2 = E|Z|^{2q} = 2^q\,\Gamma(q + \tfrac12)/\sqrt\pi$.

    $q = 1$ is Gaussian; $q < 1$ is lighter-tailed (binary as $q \to 0$), $q > 1$ heavier:
    excess kurtosis $E|Z|^{4q} / s^4 - 3$, in $(-2, \infty)$. Density
    $\frac{s}{q}(s|x|)^{1/q - 1}\varphi((s|x|)^{1/q})$;
    $E|X|^p = 2^{pq/2}\,\Gamma(\tfrac{pq + 1}{2}) / (\sqrt\pi\, s^p)$.

    Attributes:
        q: the power, $q > 0$.
        scale: $s$ (computed, not passed).
    """

    q: float
    scale: float = eqx.field(repr=False)
    family: ClassVar[str] = "signed-power"
    parameter_name: ClassVar[str] = "q"
    parameter_range: ClassVar = (0.05, 20.0)
    kurtosis_range: ClassVar = (-2.0, math.inf)

    def __init__(self, q: float):
        if not q > 0:
            raise DyntoolsError(f"q for family 'signed-power' must be positive (got {q:g})")
        self.q = q
        self.scale = self._compiled_scale()

    @staticmethod
    def scale_formula(q):
        import sympy as sp

        return sp.sqrt(2**q * sp.gamma(q + sp.Rational(1, 2)) / sp.sqrt(sp.pi))

    @staticmethod
    def density_formula(x, q):
        import sympy as sp

        s = SignedPower.scale_formula(q)
        z = (s * sp.Abs(x)) ** (1 / q)
        return s / q * (s * sp.Abs(x)) ** (1 / q - 1) * sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi), sp.oo

    @staticmethod
    def abs_moment_formula(p, q):
        import sympy as sp

        return 2 ** (p * q / 2) * sp.gamma((p * q + 1) / 2) / (sp.sqrt(sp.pi) * SignedPower.scale_formula(q) ** p)

    def transform(self, z):
        return (jnp.sign(z) * jnp.abs(z) ** self.q / self.scale).astype(z.dtype)
