r"""Translation-invariant input models: one class of the two-class task.

Each model samples in JAX (jit-able, so simulations draw fresh batches inside ``lax.scan``),
and knows its *exact* pixel covariance (a :class:`Circulant`) and pixel marginal, so the
theory never estimates covariances from samples.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from functools import cache
from typing import TYPE_CHECKING, ClassVar, final

import equinox as eqx
import numpy as np

from .._jax import jax, jnp
from ..errors import DyntoolsError
from .kernels import Circulant, gaussian_kernel, ring_distance
from .marginals import FAMILIES, Binary, Gaussian, Marginal, Shell, StudentT, make_marginal
from .spec import ELLIPTICAL_FAMILIES, plugin_family_parameters

if TYPE_CHECKING:
    from jaxtyping import Array, Float, PRNGKeyArray


class InputModel(eqx.Module):
    r"""A stationary random field on a ring or torus with unit-variance pixels.

    Models are `equinox.Module`s: their numbers (correlation lengths, kernels, marginals) are
    leaves, the grid shape and names static, so one compiled sampler serves every model of one
    structure and models of one structure stack for `vmap`. What sampling reads under `jit` is
    computed in ``__init__``, from concrete numbers.

    Attributes:
        shape: the grid, ``(N,)`` (ring) or ``(L, L)`` (torus).
        is_elliptical: whether the law is elliptical ($E[x \mid w \cdot x]$ linear in $w \cdot x$).
    """

    shape: eqx.AbstractVar[tuple[int, ...]]
    is_elliptical: ClassVar[bool] = False
    families: ClassVar[tuple[str, ...]] = ()  # the task families this model serves (see MODELS)

    @classmethod
    def for_family(cls, family: str, shape: tuple[int, ...], xi: tuple[float, float],
                   excess_kurtosis: float | None, parameter: float | None) -> tuple[InputModel, InputModel]:
        r"""The two classes of a task of one of `families`, differing only in $\xi$.

        Arguments:
            family: one of this model's `families`.
            shape: the grid.
            xi: $(\xi_0, \xi_1)$, the correlation lengths of classes 0 and 1.
            excess_kurtosis: the requested pixel excess kurtosis, or None.
            parameter: the family's raw parameter, or None.

        Returns:
            (class 0, class 1).

        Raises:
            DyntoolsError: when the family cannot have this kurtosis or parameter.
        """
        raise NotImplementedError(f"{cls.__name__} serves no task family")

    @abstractmethod
    def sample(self, key: PRNGKeyArray, n: int, dtype=jnp.float32) -> Float[Array, "n *grid"]:
        """``n`` independent samples (jit-able).

        Arguments:
            key: JAX PRNG key.
            n: number of samples.
            dtype (jnp.dtype): floating dtype of the samples.

        Returns:
            [n, *grid] samples.
        """

    @property
    @abstractmethod
    def covariance(self) -> Circulant:
        """The exact pixel covariance."""

    @property
    @abstractmethod
    def pixel_marginal(self) -> Marginal:
        """The law of one pixel."""

    @abstractmethod
    def describe(self) -> dict:
        """The model's configuration, for run records."""

    @property
    def clipping(self) -> dict:
        """Eigenvalue clipping of the latent kernel (zero when none)."""
        return {"n_clipped": 0, "min_eigenvalue": None}


def _latent(shape, xi):
    kernel = gaussian_kernel(shape, xi)
    return kernel, kernel.nearest_correlation()


class LatentGaussianModel(InputModel):
    r"""A model $x = T(z, \varepsilon, \text{key})$ with $z = C^{1/2} \varepsilon$, $\varepsilon$ white noise.

    The kernel enters only through $z$, so two classes that share $T$ can be sampled from one
    noise draw.

    Attributes:
        kernel: the Gaussian kernel as built (before clipping).
        latent: the covariance of $z$ as realized (``kernel.nearest_correlation()``).
    """

    latent: eqx.AbstractVar[Circulant]
    kernel: eqx.AbstractVar[Circulant]

    @abstractmethod
    def from_latent(self, key: PRNGKeyArray, z, eps):
        """The samples, given the correlated latent field z and its white noise eps."""

    @abstractmethod
    def shares_transform(self, other: InputModel) -> bool:
        """Whether ``other`` differs from this model only in its kernel."""

    def sample(self, key, n, dtype=jnp.float32):
        k_eps, k_rest = jax.random.split(key)
        eps = jax.random.normal(k_eps, (n, *self.shape), dtype=dtype)
        return self.from_latent(k_rest, self.latent.apply_sqrt(eps), eps)

    @property
    def clipping(self):
        return self.kernel.clipping_report()


@final
class Copula(LatentGaussianModel):
    r"""Gaussian copula ("NORTA"): $x_i = g(z_i)$, $z \sim N(0, C)$, $g = Q(\Phi(\cdot))/s$.

    $g$ comes from the marginal. With the NLGP marginal this is the nonlinear Gaussian process.
    Pixel covariance: $\rho_x(C_{ij})$ through the marginal's correlation map.

    Attributes:
        shape: the grid, ``(N,)`` or ``(L, L)``.
        xi: correlation length $\xi$ of the latent Gaussian kernel, in sites.
        marginal: the pixel marginal.
        kernel: the latent Gaussian kernel (computed).
        latent: the latent covariance after eigenvalue clipping (computed).
    """

    shape: tuple[int, ...] = eqx.field(static=True)
    xi: float
    marginal: Marginal
    kernel: Circulant = eqx.field(repr=False)
    latent: Circulant = eqx.field(repr=False)
    families: ClassVar = tuple(FAMILIES)

    def __init__(self, shape: tuple[int, ...], xi: float, marginal: Marginal):
        self.shape, self.xi, self.marginal = tuple(shape), xi, marginal
        self.kernel, self.latent = _latent(self.shape, xi)

    @classmethod
    def for_family(cls, family, shape, xi, excess_kurtosis, parameter):
        marginal = make_marginal(family, excess_kurtosis, parameter)
        return cls(shape, xi[0], marginal), cls(shape, xi[1], marginal)

    def from_latent(self, key, z, eps):
        return self.marginal.transform(z)

    def shares_transform(self, other):
        return isinstance(other, Copula) and other.marginal == self.marginal

    @property
    def covariance(self):
        return Circulant(self.marginal.correlation_map(self.latent.first_row))

    @property
    def pixel_marginal(self):
        return self.marginal

    def describe(self):
        return {"model": "copula", "xi": self.xi, **self.marginal.describe()}


@final
class Elliptical(LatentGaussianModel):
    r"""Elliptical field $x = R\, C^{1/2} u$, $u$ uniform on the sphere, with covariance exactly $C$.

    ``radial='t'``: multivariate Student-t with $\nu > 2$ degrees of freedom,
    $x = \sqrt{(\nu - 2)/V}\, C^{1/2} \varepsilon$, $V \sim \chi^2_\nu$;
    ``radial='shell'``: $R = \sqrt N$, $x = \sqrt N\, C^{1/2} \varepsilon / |\varepsilon|$.
    $E[x \mid w \cdot x]$ is linear in $w \cdot x$: never localizes.

    Attributes:
        shape: the grid, ``(N,)`` or ``(L, L)``.
        xi: correlation length $\xi$ of the Gaussian kernel $C$, in sites.
        radial: ``'t'`` or ``'shell'``.
        nu: degrees of freedom of the Student-t law (unused for the shell).
        kernel: the Gaussian kernel (computed).
        latent: the covariance after eigenvalue clipping (computed).

    Raises:
        DyntoolsError: for another ``radial``, or $\nu \le 2$ with ``radial='t'``.
    """

    shape: tuple[int, ...] = eqx.field(static=True)
    xi: float
    radial: str = eqx.field(static=True)
    nu: float
    kernel: Circulant = eqx.field(repr=False)
    latent: Circulant = eqx.field(repr=False)
    is_elliptical: ClassVar[bool] = True
    families: ClassVar = tuple(ELLIPTICAL_FAMILIES)

    @classmethod
    def for_family(cls, family, shape, xi, excess_kurtosis, parameter):
        radial = ELLIPTICAL_FAMILIES[family]
        nu = _elliptical_nu(radial, shape, excess_kurtosis, parameter)
        return cls(shape, xi[0], radial, nu), cls(shape, xi[1], radial, nu)

    def __init__(self, shape: tuple[int, ...], xi: float, radial: str = "t", nu: float = 3.0):
        if radial not in ("t", "shell"):
            raise DyntoolsError(f"radial law must be 't' or 'shell' (got '{radial}')")
        if radial == "t" and not nu > 2:
            raise DyntoolsError(f"nu for elliptical Student-t data must exceed 2 (got {nu:g})")
        self.shape, self.xi, self.radial, self.nu = tuple(shape), xi, radial, nu
        self.kernel, self.latent = _latent(self.shape, xi)

    def from_latent(self, key, z, eps):
        n = z.shape[0]
        axes = tuple(range(1, 1 + len(self.shape)))
        if self.radial == "t":
            v = 2.0 * jax.random.gamma(key, self.nu / 2, (n,), dtype=z.dtype)
            scale = jnp.sqrt((self.nu - 2) / v)
        else:
            scale = math.sqrt(math.prod(self.shape)) / jnp.sqrt(jnp.sum(eps**2, axis=axes))
        return z * scale.reshape((n,) + (1,) * len(self.shape))

    def shares_transform(self, other):
        return isinstance(other, Elliptical) and (other.radial, other.nu) == (self.radial, self.nu)

    @property
    def covariance(self):
        return self.latent

    @property
    def pixel_marginal(self):
        return _elliptical_marginal(self.radial, self.nu, math.prod(self.shape))

    def describe(self):
        return {"model": "elliptical", "xi": self.xi, "radial": self.radial,
                **self.pixel_marginal.describe()}


@final
class IsingChain(InputModel):
    r"""Periodic Ising chain of $\pm 1$ spins with coupling $J = \operatorname{artanh}(e^{-1/\xi})$.

    Correlations decay as $(a^d + a^{N-d}) / (1 + a^N)$, $a = \tanh J = e^{-1/\xi}$.
    Sampled exactly: bonds $b_i = s_i s_{i+1}$ are independent with $E b = a$, conditioned on
    $\prod_i b_i = 1$ (the ring closes); drawn one by one with that conditioning, $s_0 = \pm 1$
    at random.

    Attributes:
        shape: ``(N,)``: a 1-D ring only.
        xi: correlation length $\xi > 0$, in sites.
        tanh_coupling: $a = \tanh J = e^{-1/\xi}$ (computed, not passed).

    Raises:
        DyntoolsError: for a 2-D shape or $\xi \le 0$.
    """

    shape: tuple[int, ...] = eqx.field(static=True)
    xi: float
    tanh_coupling: float = eqx.field(repr=False)
    families: ClassVar = ("ising",)

    @classmethod
    def for_family(cls, family, shape, xi, excess_kurtosis, parameter):
        if parameter is not None or excess_kurtosis not in (None, -2.0):
            raise DyntoolsError("the Ising chain has binary pixels: excess kurtosis -2, no parameter")
        return cls(shape, xi[0]), cls(shape, xi[1])

    def __init__(self, shape: tuple[int, ...], xi: float):
        if len(shape) != 1:
            raise DyntoolsError("the Ising model is a 1-D chain; drop --2d")
        if not xi > 0:
            raise DyntoolsError(f"correlation length xi must be positive (got {xi})")
        self.shape, self.xi = tuple(shape), xi
        self.tanh_coupling = math.exp(-1.0 / xi)

    def sample(self, key, n, dtype=jnp.float32):
        (size,) = self.shape
        a = self.tanh_coupling
        k_s0, k_bonds = jax.random.split(key)
        uniforms = jax.random.uniform(k_bonds, (size, n), dtype=jnp.float64)
        remaining = a ** np.arange(size - 1, -1, -1.0)  # a^m, m bonds left after this one

        def draw_bond(q, inputs):
            u, a_m = inputs
            plus = (1 + a) * (1 + q * a_m)
            minus = (1 - a) * (1 - q * a_m)
            bond = jnp.where(u * (plus + minus) < plus, 1.0, -1.0)
            return q * bond, bond

        _, bonds = jax.lax.scan(draw_bond, jnp.ones(n), (uniforms, jnp.asarray(remaining)))
        s0 = jnp.where(jax.random.bernoulli(k_s0, 0.5, (n,)), 1.0, -1.0)
        spins = s0[:, None] * jnp.cumprod(bonds[:-1].T, axis=1)
        return jnp.concatenate([s0[:, None], spins], axis=1).astype(dtype)

    @property
    def covariance(self):
        (size,) = self.shape
        a = self.tanh_coupling
        d = ring_distance(size)
        return Circulant((a**d + a ** (size - d)) / (1 + a**size))

    @property
    def pixel_marginal(self):
        return Binary()

    def describe(self):
        return {"model": "ising", "xi": self.xi, "coupling": math.atanh(self.tanh_coupling),
                **Binary().describe()}


@final
class GaussianClone(LatentGaussianModel):
    r"""Gaussian pixels with exactly the pixel covariance of ``original`` (the "Gaussian clone").

    $x = \Sigma^{1/2} \varepsilon$ by FFT, $\Sigma$ = ``original.covariance`` (the copula's pixel
    covariance, the NLGP arcsin covariance, the elliptical $C$, the Ising covariance). Only the
    higher-order statistics differ from ``original``: the control that shows they, not the
    covariance, drive localization. Its amplifier is linear, $\sqrt{2/\pi}\, a$.

    Attributes:
        original: the model whose covariance is cloned (not itself a clone).
        kernel: ``original.covariance`` (computed).
        latent: that covariance after eigenvalue clipping (computed).

    Raises:
        DyntoolsError: if ``original`` is already a `GaussianClone`.
    """

    original: InputModel
    kernel: Circulant = eqx.field(repr=False)
    latent: Circulant = eqx.field(repr=False)

    def __init__(self, original: InputModel):
        if isinstance(original, GaussianClone):
            raise DyntoolsError("a Gaussian clone is already Gaussian; clone the original model instead")
        self.original = original
        self.kernel = original.covariance
        self.latent = self.kernel.nearest_correlation()

    @property
    def shape(self) -> tuple[int, ...]:
        return self.original.shape

    @property
    def xi(self) -> float:
        return self.original.xi

    def from_latent(self, key, z, eps):
        return z

    def shares_transform(self, other):
        return isinstance(other, GaussianClone)

    @property
    def covariance(self):
        return self.latent

    @property
    def pixel_marginal(self):
        return Gaussian()

    def describe(self):
        return {"model": "gaussian-clone", "xi": self.xi, **Gaussian().describe(), "clone_of": self.original.describe()}


@cache
def _elliptical_marginal(radial: str, nu: float, n_pixels: int) -> Marginal:
    """The pixel marginal of elliptical data (built once: its table costs a SciPy quantile)."""
    return StudentT(nu) if radial == "t" else Shell(n_pixels)


def _elliptical_nu(radial, shape, excess_kurtosis, parameter) -> float:
    if radial == "shell":
        n = math.prod(shape)
        fixed = 6.0 / (n + 2) * -1
        if parameter is not None or (excess_kurtosis is not None and abs(excess_kurtosis - fixed) > 1e-9):
            raise DyntoolsError(f"shell data on {n} pixels have excess kurtosis {fixed:.4g} only, and no parameter")
        return 3.0
    if excess_kurtosis is not None:
        return StudentT.from_excess_kurtosis(excess_kurtosis).nu
    if parameter is not None:
        StudentT.check_parameter(parameter)
        return parameter
    return 3.0


MODELS: tuple[type[InputModel], ...] = (Copula, Elliptical, IsingChain)
"""The input models a task family names, one class an entry (each lists its ``families``)."""


def model_for(family: str) -> type[InputModel]:
    """The input model of a (resolved) task family; a plug-in marginal family is a `Copula` one.

    Raises:
        DyntoolsError: for a family no model serves.
    """
    for model in MODELS:
        if family in model.families:
            return model
    if family in plugin_family_parameters():
        return Copula
    raise DyntoolsError(f"unknown family '{family}'; choose one of: {', '.join(f for m in MODELS for f in m.families)}")
