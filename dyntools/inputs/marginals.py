r"""Symmetric, unit-variance pixel marginals.

Every family is a Gaussian-copula marginal: a pixel is $X = g(Z) = Q(\Phi(Z))/s$ with
$Z \sim N(0, 1)$, $Q$ the family's quantile function and $s$ its standard deviation.
Each family knows its exact even moments, its copula correlation map
$\rho_x(\rho_z) = E[g(Z_1) g(Z_2)]$, its density, and solves for the parameter that gives a
requested excess kurtosis (``m4 - 3``; 0 is Gaussian, -2 is the smallest possible).

Densities and absolute moments are written once, in SymPy (``density_formula`` and
``abs_moment_formula`` of each family), and compiled to NumPy/SciPy by
[`formula_codegen`][dyntools.inputs.formula_codegen] into the generated module
``dyntools/inputs/_formulas.py``: evaluating them never imports SymPy, and the symbolic theory
reads the same formulas.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, ClassVar, final

import equinox as eqx
import numpy as np

from .._jax import jax, jnp, require_x64
from ..errors import DyntoolsError
from .quadrature import half_line_rule, odd_hermite_coefficients
from .spec import check_excess_kurtosis

if TYPE_CHECKING:
    from jaxtyping import Array, Float

HERMITE_ORDER = 601
TABLE_Z_MAX = 10.0  # beyond |z| = 10 (probability 1.5e-23) tabulated transforms are clamped
TABLE_Z = np.linspace(0.0, TABLE_Z_MAX, 20001)
NU_MAX = 1e15  # Student-t: beyond, its moments and density are the Gaussian's to float64 precision


class Marginal(eqx.Module):
    r"""A symmetric pixel marginal with unit variance: $X = g(Z) = Q(\Phi(Z))/s$, $Z \sim N(0, 1)$.

    Subclasses are final `equinox.Module`s holding the family's parameter (if any) and the
    numbers derived from it that `transform` reads under `jit` (a scale, a table), computed once
    when the object is built from concrete numbers; all are leaves, so one compiled program
    serves every member of a family. Two members are equal, and hash alike, when their
    parameters are. Every statistic the theory needs (even moments, $E|X|$, the copula
    correlation map, the density) comes from the family, exactly or by quadrature, never from
    samples.

    Attributes:
        family: the family's name, as accepted by `make_marginal`.
        parameter_name: name of the family's parameter field (``None`` for fixed families).
        kurtosis_range: open interval of excess kurtosis the family reaches by varying its
            parameter, or ``(value, value)`` for a fixed family.
        parameter_range: open interval of valid parameter values (``None`` for fixed families).
        finite_kurtosis_range: parameter interval where the excess kurtosis is finite, used
            when solving for a requested kurtosis (``None``: all of ``parameter_range``).
        atoms: ``(values, probabilities)`` of a discrete marginal, else ``None``.
        symbolic_integrable: whether SymPy finds the closed-form amplifier quickly.
    """

    family: ClassVar[str]
    parameter_name: ClassVar[str | None] = None
    # open interval of excess kurtosis the family reaches by varying its parameter,
    # or a single attainable value for fixed families
    kurtosis_range: ClassVar[tuple[float, float]]
    parameter_range: ClassVar[tuple[float, float] | None] = None
    # where the excess kurtosis is finite, for solving the parameter from a kurtosis
    finite_kurtosis_range: ClassVar[tuple[float, float] | None] = None

    # --- the copula map -------------------------------------------------------------------
    @abstractmethod
    def transform(self, z: Float[Array, "*s"]) -> Float[Array, "*s"]:
        """g(z) = Q(Phi(z)) / s in JAX, finite for every finite z in the dtype of z."""

    def transform_np(self, z: np.ndarray) -> np.ndarray:
        """g(z) in float64 NumPy (exact; used by quadratures)."""
        require_x64()
        return np.asarray(self.transform(jnp.asarray(z, dtype=jnp.float64)))

    # --- formulas, written once in SymPy ---------------------------------------------------
    density_formula: ClassVar[Callable | None] = None
    r"""``(x, *parameter) -> (p(x), upper)``: the density of the standardized pixel for
    $|x| < \text{upper}$ (zero beyond) as SymPy expressions in the SymPy symbols given; ``None``
    for a discrete marginal (see ``atoms``)."""
    abs_moment_formula: ClassVar[Callable | None] = None
    r"""``(p, *parameter) -> E|X|^p`` as a SymPy expression (``oo`` where it diverges), for real
    $p > -1$; ``None`` where there is no closed form (moments come from quadrature)."""
    scale_formula: ClassVar[Callable | None] = None
    r"""``(*parameter) -> s``: the standard deviation of the family's unscaled law, which its
    transform divides by (SymPy; compiled for ``scale``); ``None`` where the transform needs none."""

    @property
    def parameter(self) -> float | None:
        return getattr(self, self.parameter_name) if self.parameter_name else None

    def _identity(self) -> tuple:
        """What makes two members equal: the family and its parameter (not the derived numbers)."""
        return (type(self), *self._parameters)

    def __eq__(self, other) -> bool:
        return isinstance(other, Marginal) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    @property
    def _parameters(self) -> tuple:
        """The arguments after x or p of this family's formulas."""
        return () if self.parameter_name is None else (self.parameter,)

    # --- exact statistics -----------------------------------------------------------------
    def pixel_quadrature(self) -> tuple[np.ndarray, np.ndarray]:
        r"""Nodes $x_j \ge 0$ and weights $W_j$ with $E f(X) = \sum_j W_j f(x_j)$ for even $f$.

        Default: the Gaussian half-line rule mapped through the copula transform.

        Returns:
            x: [M] nodes.
            W: [M] weights.
        """
        z, weights = half_line_rule()
        return self.transform_np(z), weights

    def quadrature_moment(self, order: float) -> float:
        r"""$E|X|^p$ by the pixel quadrature (independent of the family's formulas).

        Arguments:
            order: the power $p \ge 0$.

        Returns:
            The absolute moment.
        """
        x, w = self.pixel_quadrature()
        return float(np.sum(w * np.abs(x) ** order))

    def abs_moment(self, order: float) -> float:
        r"""$E|X|^p$: the family's formula, else the pixel quadrature.

        Arguments:
            order: the power $p \ge 0$.

        Returns:
            The absolute moment (``inf`` where it does not exist).
        """
        if self.abs_moment_formula is None:
            return self.quadrature_moment(order)
        with np.errstate(all="ignore"):
            return float(_compiled("ABS_MOMENT", type(self))(order, *self._parameters))

    def moment(self, order: int) -> float:
        r"""Standardized even moment $E X^p$ (``inf`` where it does not exist).

        Arguments:
            order: the even order $p \ge 0$.

        Returns:
            The moment; 1 for ``order = 2`` (unit variance), 0 for odd orders (symmetric law).
        """
        return 0.0 if order % 2 else self.abs_moment(order)

    def sympy_moment(self, order: int):
        """E X^order as a SymPy number: exact where the formula gives a rational number, else a
        30-digit Float (from the formula, or from quadrature without one)."""
        import sympy as sp

        if self.abs_moment_formula is None:
            return sp.Float(self.moment(order), 30)
        value = self.abs_moment_formula(sp.Integer(order), *self._sympy_parameters())
        return value if value.is_Rational or value.is_infinite else value.evalf(30)

    @property
    def excess_kurtosis(self) -> float:
        return self.moment(4) - 3.0

    def moments(self, orders=(4, 6)) -> dict[str, float]:
        return {f"m{p}": self.moment(p) for p in orders}

    def mean_abs(self) -> float:
        """E|X|."""
        return self.abs_moment(1)

    def correlation_map(self, rho_z: np.ndarray) -> np.ndarray:
        r"""Pixel correlation for latent correlation $\rho_z$: $\rho_x = \sum_n c_n^2 \rho_z^n$.

        Mehler expansion with $c_n = E[g(Z) h_n(Z)]$ (orthonormal Hermite coefficients, by
        quadrature, odd $n$ up to 601); exactly 1 at $\rho_z = 1$.

        Arguments:
            rho_z: latent correlations, any shape, in $[-1, 1]$.

        Returns:
            Pixel correlations $\rho_x$, same shape as ``rho_z``.
        """
        c2 = _hermite_power(self)
        rho = np.asarray(rho_z, dtype=float)
        out = np.polynomial.polynomial.polyval(rho, c2)
        return np.where(rho >= 1.0, 1.0, out)

    # --- densities, for plots and the symbolic theory --------------------------------------
    def pdf(self, x: np.ndarray) -> np.ndarray | None:
        """Density of the standardized pixel (the compiled ``density_formula``).

        Arguments:
            x: pixel values, any shape.

        Returns:
            $p(x)$, same shape as ``x``; ``None`` for discrete marginals (see ``atoms``).
        """
        if self.density_formula is None:
            return None
        density, upper = _compiled("PDF", type(self))
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            values = density(x, *self._parameters)
            # NaN only within an ulp of a support edge (NLGP: erfinv(1)); count it as outside
            return np.where((np.abs(x) < upper(*self._parameters)) & ~np.isnan(values), values, 0.0)

    atoms: ClassVar[tuple[tuple[float, ...], tuple[float, ...]] | None] = None
    # whether SymPy is worth asking for a closed-form amplifier (it finishes quickly)
    symbolic_integrable: ClassVar[bool] = False

    def sympy_density(self, x):
        """(density expression in x, lower, upper) for SymPy, or None for a discrete marginal."""
        if self.density_formula is None:
            return None
        density, upper = self.density_formula(x, *self._sympy_parameters())
        return density, -upper, upper

    def _compiled_scale(self) -> float:
        return float(_compiled("SCALE", type(self))(*self._parameters))

    def _sympy_parameters(self) -> tuple:
        import sympy as sp

        return tuple(sp.nsimplify(v) for v in self._parameters)

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_excess_kurtosis(cls, excess: float) -> "Marginal":
        """The family member with the requested excess kurtosis.

        The parameter is solved by Brent's method (closed form for Student-t).

        Arguments:
            excess: excess kurtosis $m_4 - 3$, inside the family's ``kurtosis_range``
                (equal to its single value for a fixed family).

        Returns:
            The marginal.

        Raises:
            DyntoolsError: if the family does not reach ``excess`` or ``excess < -2``.
        """
        check_excess_kurtosis(excess)
        lo, hi = cls.kurtosis_range
        if cls.parameter_name is None:
            if abs(excess - lo) > 1e-9:
                raise DyntoolsError(
                    f"family '{cls.family}' has excess kurtosis {lo:g} only (got {excess:g})"
                )
            return cls()
        if not lo < excess < hi:
            raise DyntoolsError(
                f"family '{cls.family}' reaches excess kurtosis in ({lo:g}, {_fmt(hi)}) only "
                f"(got {excess:g})"
            )
        return cls(cls._solve_parameter(excess))

    @classmethod
    def _solve_parameter(cls, excess: float) -> float:
        """Brent's method on log(parameter) over the parameters with finite excess kurtosis."""
        plo, phi = cls.finite_kurtosis_range or cls.parameter_range
        lo, hi = math.log(plo), math.log(min(phi, 1e8))
        f = lambda t: cls._excess_kurtosis_at(math.exp(t)) - excess  # noqa: E731
        a, b = lo + 1e-9, hi
        ends = sorted(cls._excess_kurtosis_at(math.exp(t)) for t in (a, b))
        if not ends[0] <= excess <= ends[1]:  # inside the open range, beyond what float64 resolves
            raise DyntoolsError(f"family '{cls.family}' reaches excess kurtosis {ends[0]:.10g} to {ends[1]:.10g} "
                                f"numerically (got {excess:.10g})")
        import scipy.optimize  # here, not at import: only solving for a parameter needs it (0.1-0.4 s to load)

        return math.exp(scipy.optimize.brentq(f, a, b, xtol=1e-13, rtol=1e-13))

    @classmethod
    def _excess_kurtosis_at(cls, parameter: float) -> float:
        """The excess kurtosis of the member with this parameter (what the solve evaluates)."""
        return cls(parameter).excess_kurtosis

    @classmethod
    def check_parameter(cls, value: float) -> None:
        """Validate a raw family parameter against ``parameter_range``.

        Arguments:
            value: the parameter (k, beta, nu, gain, ...).

        Raises:
            DyntoolsError: if ``value`` is outside the open interval ``parameter_range``.
        """
        plo, phi = cls.parameter_range
        if not plo < value < phi:
            why = " (finite variance)" if cls.finite_kurtosis_range else ""
            raise DyntoolsError(
                f"{cls.parameter_name} for family '{cls.family}' must be in ({plo:g}, {_fmt(phi)}){why} "
                f"(got {value:g})"
            )

    def describe(self) -> dict:
        return {
            "family": self.family,
            "parameter_name": self.parameter_name,
            "parameter": self.parameter,
            "excess_kurtosis": self.excess_kurtosis,
        }


def _fmt(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:g}"


@cache
def _hermite_power(marginal: Marginal) -> np.ndarray:
    z, _ = half_line_rule()
    return odd_hermite_coefficients(marginal.transform_np(z), HERMITE_ORDER) ** 2


def _sign(z):
    return jnp.where(z >= 0, 1.0, -1.0).astype(z.dtype)


# --------------------------------------------------------------------------------------------
# Families with closed-form transforms
# --------------------------------------------------------------------------------------------


@final
class Gaussian(Marginal):
    r"""Standard normal: $X = Z$, density $e^{-x^2/2}/\sqrt{2\pi}$; excess kurtosis 0.

    Its correlation map is the identity and $E|X|^p = 2^{p/2}\Gamma(\tfrac{p+1}{2})/\sqrt\pi$.
    """

    symbolic_integrable: ClassVar[bool] = True
    family: ClassVar[str] = "gaussian"
    kurtosis_range: ClassVar = (0.0, 0.0)

    @staticmethod
    def density_formula(x):
        import sympy as sp

        return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi), sp.oo

    @staticmethod
    def abs_moment_formula(p):
        import sympy as sp

        return 2 ** (p / 2) * sp.rf(sp.Rational(1, 2), p / 2)  # Gamma((p + 1)/2) / sqrt(pi), exact in floats

    def transform(self, z):
        return z

    def correlation_map(self, rho_z):
        return np.asarray(rho_z, dtype=float)


@final
class Binary(Marginal):
    r"""Binary pixels: $X = \mathrm{sign}(Z) = \pm 1$ with probability 1/2 each.

    Discrete (no density; ``atoms``), excess kurtosis -2 (the smallest possible, $m_4 = 1$);
    correlation map $\rho_x = \tfrac{2}{\pi} \arcsin \rho_z$.
    """

    symbolic_integrable: ClassVar[bool] = True
    family: ClassVar[str] = "binary"
    kurtosis_range: ClassVar = (-2.0, -2.0)
    atoms: ClassVar = ((-1.0, 1.0), (0.5, 0.5))

    @staticmethod
    def abs_moment_formula(p):
        import sympy as sp

        return sp.Integer(1)

    def transform(self, z):
        return _sign(z)

    def pixel_quadrature(self):
        return np.array([1.0]), np.array([1.0])

    def correlation_map(self, rho_z):
        return 2 / np.pi * np.arcsin(np.clip(rho_z, -1, 1))


@final
class Uniform(Marginal):
    r"""Uniform on $[-\sqrt 3, \sqrt 3]$: $X = \sqrt 3\, \mathrm{erf}(Z / \sqrt 2)$.

    Density $1/(2\sqrt 3)$ on that interval, $E|X|^p = 3^{p/2}/(p + 1)$; excess kurtosis -1.2;
    correlation map $\rho_x = \tfrac{6}{\pi} \arcsin(\rho_z / 2)$.
    """

    symbolic_integrable: ClassVar[bool] = True
    family: ClassVar[str] = "uniform"
    kurtosis_range: ClassVar = (-1.2, -1.2)

    @staticmethod
    def density_formula(x):
        import sympy as sp

        return 1 / (2 * sp.sqrt(3)), sp.sqrt(3)

    @staticmethod
    def abs_moment_formula(p):
        return 3 ** (p / 2) / (p + 1)

    def transform(self, z):
        return math.sqrt(3) * jax.scipy.special.erf(z / math.sqrt(2))

    def correlation_map(self, rho_z):
        rho = np.asarray(rho_z, dtype=float)
        return 6 / np.pi * np.arcsin(rho / 2)


@final
class Laplace(Marginal):
    r"""Laplace with $b = 1/\sqrt 2$ (unit variance): $X = -\mathrm{sign}(Z)\, b \log(2 \Phi(-|Z|))$.

    Density $e^{-\sqrt 2 |x|}/\sqrt 2$; excess kurtosis 3; $E|X|^p = \Gamma(p + 1) / 2^{p/2}$.
    """

    symbolic_integrable: ClassVar[bool] = True
    family: ClassVar[str] = "laplace"
    kurtosis_range: ClassVar = (3.0, 3.0)

    @staticmethod
    def density_formula(x):
        import sympy as sp

        return sp.exp(-sp.sqrt(2) * sp.Abs(x)) / sp.sqrt(2), sp.oo

    @staticmethod
    def abs_moment_formula(p):
        import sympy as sp

        return sp.rf(1, p) / 2 ** (p / 2)  # Gamma(p + 1), exact in floats

    def transform(self, z):
        b = 1 / math.sqrt(2)
        return -_sign(z) * b * (math.log(2) + jax.scipy.special.log_ndtr(-jnp.abs(z)))


def _beta(a, b):
    import sympy as sp

    return sp.gamma(a) * sp.gamma(b) / sp.gamma(a + b)


@final
class Alg(Marginal):
    r"""The paper's Kur(k), an algebraic-tailed law, scaled to unit variance.

    CDF $F_k(x) = \tfrac12 (1 + x / (1 + |x|^k)^{1/k})$, quantile
    $Q_k(p) = (2p - 1) / (1 - |2p - 1|^k)^{1/k}$, density $\tfrac12 (1 + |x|^k)^{-1-1/k}$
    (before scaling by $s$), tails $\sim |x|^{-(k+1)}$.
    $E|X|^p = B((p + 1)/k, 1 - p/k) / (k s^p)$ for $p < k$ (infinite otherwise), with
    $s^2 = B(3/k, 1 - 2/k)/k$; $k \to \infty$ is uniform. Every $k > 2$ has a finite variance;
    for $2 < k \le 4$ the kurtosis is infinite (excess kurtosis ``inf``), and a requested finite
    kurtosis is solved for among $k > 4$. Excess kurtosis range $(-1.2, \infty)$. The transform
    is evaluated in log space so that it cannot overflow near $p = 0$ or 1. Beyond
    $k$ = `uniform_k` the moments and the scale are the uniform limit's: they differ from it
    by $O(1/k^2)$, below float64's resolution, while the gamma functions of $1/k$ in the formulas
    lose digits and overflow near $k = 10^{308}$.

    Attributes:
        k: tail exponent, $k > 2$.
        scale: $s$, the standard deviation of the unscaled law (the compiled `scale_formula`;
            $1/\sqrt 3$, the uniform limit's, beyond `uniform_k`; computed, not passed).

    Raises:
        DyntoolsError: if $k \le 2$.
    """

    k: float
    scale: float = eqx.field(repr=False)
    family: ClassVar[str] = "alg"
    parameter_name: ClassVar[str] = "k"
    parameter_range: ClassVar = (2.0, math.inf)
    finite_kurtosis_range: ClassVar = (4.0, math.inf)
    kurtosis_range: ClassVar = (-1.2, math.inf)
    uniform_k: ClassVar[float] = 1e10  # beyond, the moments are the uniform limit's to float64 (they differ by O(1/k^2))

    def __init__(self, k: float):
        if not k > 2:
            raise DyntoolsError(f"k for family 'alg' must exceed 2 for finite variance (got {k:g})")
        self.k = k
        self.scale = self._compiled_scale() if k <= self.uniform_k else 1 / math.sqrt(3)

    @staticmethod
    def scale_formula(k):
        import sympy as sp

        return sp.sqrt(_beta(3 / k, 1 - 2 / k) / k)

    @staticmethod
    def density_formula(x, k):
        import sympy as sp

        s = Alg.scale_formula(k)
        return s / 2 * (1 + (s * sp.Abs(x)) ** k) ** (-1 - 1 / k), sp.oo

    @staticmethod
    def abs_moment_formula(p, k):
        import sympy as sp

        moment = _beta((p + 1) / k, 1 - p / k) / (k * Alg.scale_formula(k) ** p)
        return sp.Piecewise((moment, p < k), (sp.oo, True))

    def abs_moment(self, order: float) -> float:
        r"""$E|X|^p$: the compiled formula, or the uniform limit $3^{p/2}/(p + 1)$ beyond `uniform_k`.

        Arguments:
            order: the power $p \ge 0$.

        Returns:
            The absolute moment (``inf`` for $p \ge k$).
        """
        return super().abs_moment(order) if self.k <= self.uniform_k else Uniform().abs_moment(order)

    def transform(self, z):
        k = self.k
        # |z| is clamped where erfc(|z|/sqrt 2) is still a normal number (probability ~1e-33 in
        # float32), so the log-space form below is exact without a tail branch and never overflows.
        a = jnp.minimum(jnp.abs(z), 12.0 if z.dtype == jnp.float32 else 37.0) / math.sqrt(2)
        u, e = jax.scipy.special.erf(a), jax.scipy.special.erfc(a)  # u = |2 Phi(z) - 1|, e = 1 - u
        log_1m_uk = jnp.log(-jnp.expm1(k * jnp.log1p(-e)))  # log(1 - u^k), accurate for tiny e
        return (_sign(z) * u * jnp.exp(-log_1m_uk / k) / self.scale).astype(z.dtype)


@final
class NLGP(Marginal):
    r"""Nonlinear Gaussian process pixel: $X = \mathrm{erf}(g Z) / \mathcal Z(g)$.

    $\mathcal Z(g)^2 = \tfrac{2}{\pi} \arcsin(2 g^2 / (1 + 2 g^2))$ normalizes the variance;
    correlation map $\rho_x = \tfrac{2}{\pi \mathcal Z^2} \arcsin(2 g^2 \rho_z / (1 + 2 g^2))$.
    Density $\tfrac{\mathcal Z}{2\sqrt 2 g} e^{(g^2 - 1/2) z^2}$ with
    $z = \mathrm{erfinv}(\mathcal Z x)/g$, on $|x| < 1/\mathcal Z$; moments by quadrature.
    (Ingrosso & Goldt write $\mathrm{erf}(g' Z / \sqrt 2)$: their gain $g' = \sqrt 2 g$.)
    $g \to 0$ is Gaussian, $g \to \infty$ binary: excess kurtosis in $(-2, 0)$.

    Attributes:
        gain: the gain $g > 0$ (raw parameters are accepted in $(10^{-4}, 10^4)$).
        normalization: $\mathcal Z(g)$, the standard deviation of $\mathrm{erf}(g Z)$ (the
            compiled `scale_formula`; computed, not passed).

    Raises:
        DyntoolsError: if ``gain`` is not positive.
    """

    gain: float
    normalization: float = eqx.field(repr=False)
    family: ClassVar[str] = "nlgp"
    parameter_name: ClassVar[str] = "gain"
    parameter_range: ClassVar = (1e-4, 1e4)
    kurtosis_range: ClassVar = (-2.0, 0.0)

    def __init__(self, gain: float):
        if not gain > 0:
            raise DyntoolsError(f"gain for family 'nlgp' must be positive (got {gain:g})")
        self.gain = gain
        self.normalization = self._compiled_scale()

    @staticmethod
    def scale_formula(gain):
        import sympy as sp

        return sp.sqrt(2 / sp.pi * sp.asin(2 * gain**2 / (1 + 2 * gain**2)))

    @staticmethod
    def density_formula(x, gain):
        import sympy as sp

        normalization = NLGP.scale_formula(gain)
        z = sp.erfinv(normalization * x) / gain
        return normalization / (2 * sp.sqrt(2) * gain) * sp.exp((gain**2 - sp.Rational(1, 2)) * z**2), 1 / normalization

    def transform(self, z):
        return jax.scipy.special.erf(self.gain * z) / self.normalization

    def transform_np(self, z):
        import scipy.special as sc

        return sc.erf(self.gain * np.asarray(z)) / self.normalization

    def correlation_map(self, rho_z):
        g2 = self.gain**2
        rho = np.clip(np.asarray(rho_z, dtype=float), -1, 1)
        return 2 / (np.pi * self.normalization**2) * np.arcsin(2 * g2 * rho / (1 + 2 * g2))


# --------------------------------------------------------------------------------------------
# Families whose quantile needs special functions: the JAX transform interpolates a float64
# table of g(z) computed with SciPy (error ~1e-7 relative); quadratures use SciPy directly.
# --------------------------------------------------------------------------------------------


class TabulatedMarginal(Marginal):
    r"""A family whose JAX transform interpolates an exact SciPy table of $|g(z)|$, $z \ge 0$.

    Subclasses implement `abs_transform_np` and set the field ``table`` in their ``__init__``
    (with `tabulate`); the JAX transform interpolates it on $0 \le z \le 10$ (relative error
    about $10^{-7}$), clamped beyond.

    Attributes:
        table: [20001] $|g(z)|$ on `TABLE_Z` (equally spaced $0 \le z \le$ `TABLE_Z_MAX`).
    """

    table: eqx.AbstractVar[np.ndarray]

    @abstractmethod
    def abs_transform_np(self, z: np.ndarray) -> np.ndarray:
        """|g(z)| for z >= 0, exact in float64 (upper-tail quantile of Phi(-z))."""

    def transform_np(self, z):
        z = np.asarray(z, dtype=float)
        return np.sign(z) * self.abs_transform_np(np.abs(z))

    def tabulate(self) -> np.ndarray:
        r"""[20001] $|g(z)|$ on `TABLE_Z`, for ``table``."""
        return self.abs_transform_np(TABLE_Z)

    def transform(self, z):
        mag = jnp.interp(jnp.abs(z), jnp.asarray(TABLE_Z, z.dtype), jnp.asarray(self.table, z.dtype))
        return _sign(z) * mag


@final
class GeneralizedNormal(TabulatedMarginal):
    r"""Generalized normal, density $\propto \exp(-|x|^\beta)$, scaled to unit variance.

    Density $\tfrac{s\beta}{2\Gamma(1/\beta)} e^{-|s x|^\beta}$ with
    $s^2 = \Gamma(3/\beta)/\Gamma(1/\beta)$; $E|X|^p = \Gamma((p+1)/\beta) / (\Gamma(1/\beta) s^p)$.
    $\beta = 2$ is Gaussian, 1 Laplace, $\beta \to \infty$ uniform. Excess kurtosis
    $\Gamma(5/\beta) \Gamma(1/\beta) / \Gamma(3/\beta)^2 - 3$, in $(-1.2, \infty)$.

    Attributes:
        beta: shape $\beta > 0$ (raw parameters are accepted above 0.05).

    Raises:
        DyntoolsError: if ``beta`` is not positive.
    """

    beta: float
    table: np.ndarray = eqx.field(repr=False)
    family: ClassVar[str] = "gennorm"
    parameter_name: ClassVar[str] = "beta"
    parameter_range: ClassVar = (0.05, math.inf)
    kurtosis_range: ClassVar = (-1.2, math.inf)

    def __init__(self, beta: float):
        if not beta > 0:
            raise DyntoolsError(f"beta for family 'gennorm' must be positive (got {beta:g})")
        self.beta = beta
        self.table = self.tabulate()

    @classmethod
    def _excess_kurtosis_at(cls, beta):
        return float(_compiled("ABS_MOMENT", cls)(4, beta)) - 3.0  # the formula: no table needed

    @staticmethod
    def scale_formula(beta):
        import sympy as sp

        return sp.sqrt(sp.gamma(3 / beta) / sp.gamma(1 / beta))

    @staticmethod
    def density_formula(x, beta):
        import sympy as sp

        s = GeneralizedNormal.scale_formula(beta)
        return s * beta / (2 * sp.gamma(1 / beta)) * sp.exp(-((s * sp.Abs(x)) ** beta)), sp.oo

    @staticmethod
    def abs_moment_formula(p, beta):
        import sympy as sp

        return sp.gamma((p + 1) / beta) / (sp.gamma(1 / beta) * GeneralizedNormal.scale_formula(beta) ** p)

    @property
    def scale(self) -> float:
        """s, the standard deviation of the unscaled law (the compiled `scale_formula`)."""
        return self._compiled_scale()

    def abs_transform_np(self, z):
        import scipy.special as sc
        import scipy.stats

        return scipy.stats.gennorm.isf(sc.ndtr(-z), self.beta) / self.scale


@final
class StudentT(TabulatedMarginal):
    r"""Student-t with $\nu > 2$ degrees of freedom, scaled to unit variance.

    Density $s \frac{\Gamma((\nu + 1)/2)}{\sqrt{\nu\pi}\,\Gamma(\nu/2)} (1 + y^2/\nu)^{-(\nu + 1)/2}$
    with $y = s x$, $s = \sqrt{\nu / (\nu - 2)}$;
    $E|X|^p = \nu^{p/2} \Gamma(\tfrac{p+1}{2}) \Gamma(\tfrac{\nu-p}{2}) / (\sqrt\pi\, \Gamma(\tfrac\nu2) s^p)$
    for $p < \nu$. Excess kurtosis $6 / (\nu - 4)$ for $\nu > 4$, in $(0, \infty)$ (infinite for
    $2 < \nu \le 4$).

    Attributes:
        nu: degrees of freedom $\nu > 2$.

    Raises:
        DyntoolsError: if $\nu \le 2$.
    """

    nu: float
    table: np.ndarray = eqx.field(repr=False)
    symbolic_integrable: ClassVar[bool] = True
    family: ClassVar[str] = "t"
    parameter_name: ClassVar[str] = "nu"
    parameter_range: ClassVar = (2.0, math.inf)
    finite_kurtosis_range: ClassVar = (4.0, math.inf)
    kurtosis_range: ClassVar = (0.0, math.inf)

    def __init__(self, nu: float):
        if not nu > 2:
            raise DyntoolsError(f"nu for family 't' must exceed 2 for finite variance (got {nu:g})")
        if nu > NU_MAX:
            raise DyntoolsError(f"nu for family 't' above {NU_MAX:g} is Gaussian to float64 precision (excess "
                                f"kurtosis {6 / (NU_MAX - 4):.0e}); use family 'gaussian' (got {nu:g})")
        self.nu = nu
        self.table = self.tabulate()

    @staticmethod
    def scale_formula(nu):
        import sympy as sp

        return sp.sqrt(nu / (nu - 2))

    @staticmethod
    def density_formula(x, nu):
        import sympy as sp

        s = StudentT.scale_formula(nu)
        norm = sp.gamma((nu + 1) / 2) / (sp.sqrt(nu * sp.pi) * sp.gamma(nu / 2))
        return s * norm * (1 + (s * x) ** 2 / nu) ** (-(nu + 1) / 2), sp.oo

    @staticmethod
    def abs_moment_formula(p, nu):
        import sympy as sp

        raw = nu ** (p / 2) * sp.rf(sp.Rational(1, 2), p / 2) / sp.rf((nu - p) / 2, p / 2)
        return sp.Piecewise((raw / StudentT.scale_formula(nu) ** p, p < nu), (sp.oo, True))

    @classmethod
    def _solve_parameter(cls, excess):
        return 4.0 + 6.0 / excess

    @property
    def scale(self) -> float:
        """s, the standard deviation of the unscaled t (the compiled `scale_formula`)."""
        return self._compiled_scale()

    def abs_transform_np(self, z):
        import scipy.special as sc
        import scipy.stats

        return scipy.stats.t.isf(sc.ndtr(-z), self.nu) / self.scale


@final
class Shell(TabulatedMarginal):
    r"""One coordinate of $\sqrt n\, u$ with $u$ uniform on the sphere $S^{n-1}$.

    The pixel marginal of elliptical 'shell' data. Density
    $\frac{\Gamma(n/2)}{\Gamma((n-1)/2)\sqrt{n\pi}} (1 - x^2/n)^{(n-3)/2}$ on $|x| < \sqrt n$;
    $E|X|^p = n^{p/2} \Gamma(\tfrac{p+1}{2}) \Gamma(\tfrac n2) / (\sqrt\pi\, \Gamma(\tfrac{n+p}{2}))$,
    so $m_4 = 3n/(n+2)$ and the excess kurtosis is $-6/(n + 2)$, in $(-1.2, 0)$.

    Attributes:
        n: the sphere's dimension (the number of pixels), $n > 3$.
    """

    n: int = eqx.field(static=True)
    table: np.ndarray = eqx.field(repr=False)
    family: ClassVar[str] = "shell"
    parameter_name: ClassVar[str] = "n"
    parameter_range: ClassVar = (3, math.inf)
    kurtosis_range: ClassVar = (-1.2, 0.0)

    @staticmethod
    def density_formula(x, n):
        import sympy as sp

        norm = sp.gamma(n / 2) / (sp.gamma((n - 1) / 2) * sp.sqrt(n * sp.pi))
        return norm * (1 - x**2 / n) ** ((n - 3) / 2), sp.sqrt(n)

    @staticmethod
    def abs_moment_formula(p, n):
        import sympy as sp

        return n ** (p / 2) * sp.rf(sp.Rational(1, 2), p / 2) / sp.rf(n / 2, p / 2)

    def __init__(self, n: int):
        self.n = n
        self.table = self.tabulate()

    def abs_transform_np(self, z):
        import scipy.special as sc
        import scipy.stats

        a = (self.n - 1) / 2
        return math.sqrt(self.n) * (2 * scipy.stats.beta.isf(sc.ndtr(-z), a, a) - 1)


def _compiled(table: str, cls: type[Marginal]):
    """A family's NumPy function(s) of ``table`` (``PDF``, ``ABS_MOMENT`` or ``SCALE``): the
    shipped ``_formulas.py`` for the built-in families, compiled on first use (SymPy) for a
    plug-in's."""
    if cls in FORMULA_FAMILIES:
        from . import _formulas

        return getattr(_formulas, table)[cls.family]
    from .formula_codegen import compile_now

    return compile_now(cls)[table]


FORMULA_FAMILIES: tuple[type[Marginal], ...] = (Gaussian, Binary, Uniform, Laplace, Alg, GeneralizedNormal, StudentT,
                                                NLGP, Shell)
"""Every final marginal class whose formulas are compiled into ``_formulas.py``."""

# the copula families a task can name; Shell is reached through the elliptical family 'shell'
FAMILIES: dict[str, type[Marginal]] = {cls.family: cls for cls in FORMULA_FAMILIES if cls is not Shell}


def marginal_family(name: str) -> type[Marginal]:
    """The marginal class of a family name: a built-in family, or one another package adds
    through the entry-point group ``dyntools.families`` (loaded now).

    Arguments:
        name: a key of `FAMILIES` (``gaussian``, ``binary``, ``uniform``, ``laplace``, ``alg``,
            ``gennorm``, ``t``, ``nlgp``) or a plug-in family's name.

    Returns:
        The class (not an instance).

    Raises:
        DyntoolsError: if the family is unknown, or its plug-in cannot be loaded, is not a final
            `Marginal` subclass or names another family.
    """
    if name in FAMILIES:
        return FAMILIES[name]
    from ..registries import FAMILY_GROUP, _plugins

    entry = _plugins(FAMILY_GROUP).get(name)
    if entry is None:
        raise DyntoolsError(f"unknown family '{name}'; choose one of: {', '.join([*FAMILIES, *_plugins(FAMILY_GROUP)])}")
    try:
        cls = entry.load()
    except Exception as error:  # the plug-in's own import error, named, not a dyntools crash
        raise DyntoolsError(f"plug-in family '{name}' ({entry.value}) cannot be loaded: {type(error).__name__}: {error}") from None
    if not (isinstance(cls, type) and issubclass(cls, Marginal) and getattr(cls, "__final__", False)
            and getattr(cls, "family", None) == name):
        raise DyntoolsError(f"plug-in family '{name}' ({entry.value}) must be a final Marginal subclass whose "
                            f"family is '{name}'")
    return cls


def make_marginal(family: str, excess_kurtosis: float | None = None, parameter: float | None = None) -> Marginal:
    """A marginal by family and either excess kurtosis or raw parameter (not both).

    Fixed families (no parameter) need neither.

    Arguments:
        family: a key of `FAMILIES`.
        excess_kurtosis: requested excess kurtosis $m_4 - 3$; the parameter is solved for.
        parameter: the family's raw parameter (k, beta, nu, gain), within its ``parameter_range``.

    Returns:
        The marginal.

    Raises:
        DyntoolsError: for an unknown family, both or (for a parametric family) neither of
            ``excess_kurtosis`` and ``parameter``, a parameter given to a fixed family, or a
            value out of the family's range.
    """
    cls = marginal_family(family)
    if excess_kurtosis is not None and parameter is not None:
        raise DyntoolsError("give either a kurtosis or a param, not both", arguments=("kurtosis", "param"))
    if parameter is not None:
        if cls.parameter_name is None:
            raise DyntoolsError(f"family '{family}' has no parameter")
        cls.check_parameter(parameter)
        return cls(parameter)
    if excess_kurtosis is not None:
        return cls.from_excess_kurtosis(excess_kurtosis)
    if cls.parameter_name is None:
        return cls()
    raise DyntoolsError(f"family '{family}' needs a kurtosis or a param (its {cls.parameter_name})",
                        arguments=("kurtosis", "param"))
