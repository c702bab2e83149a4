r"""Translation-invariant covariances on a ring (1-D) or torus (2-D).

Every covariance in dyntools is *circulant*: it is fixed by its first row ``r`` (an array of the
grid's shape), its eigenvalues are the DFT of ``r``, and ``C v`` or ``C^{1/2} v`` cost
$O(N \log N)$ with FFTs (on grids of at most `DENSE_MAX` pixels, a dense product with the same
matrix, measured faster there).
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import TYPE_CHECKING, final

import equinox as eqx
import numpy as np

from .._jax import jnp
from ..errors import DyntoolsError, KernelClippingWarning
from .spec import MAX_PIXELS, XI_RANGE, grid_shape  # noqa: F401 - grid_shape: re-exported

if TYPE_CHECKING:
    from jaxtyping import Array, Float


def ring_distance(n: int) -> np.ndarray:
    r"""Distance on a ring of ``n`` sites from site 0 to every site.

    $d(0, i) = \min(i, n - i)$ for $i = 0, \dots, n - 1$.

    Arguments:
        n: number of sites on the ring.

    Returns:
        [n] integer distances.
    """
    i = np.arange(n)
    return np.minimum(i, n - i)


def squared_distance(shape: tuple[int, ...]) -> np.ndarray:
    r"""Squared ring/torus distance from site 0 to every site.

    On a torus the squared distances of the axes add: $d^2 = \sum_a d_a(0, i_a)^2$.

    Arguments:
        shape: grid shape, ``(N,)`` or ``(L, L)``.

    Returns:
        [*shape] float squared distances.
    """
    d2 = np.zeros(shape)
    for axis, n in enumerate(shape):
        d = ring_distance(n).astype(float) ** 2
        d2 = d2 + d.reshape([-1 if a == axis else 1 for a in range(len(shape))])
    return d2


DENSE_MAX = 64  # grids of at most this many pixels multiply by a dense matrix (measured faster on CPU)


@cache
def _offset_index(shape: tuple[int, ...]) -> np.ndarray:
    """[N, N] the flat index of the offset (j - i) mod shape between sites i and j."""
    idx = np.indices(shape).reshape(len(shape), -1)
    diff = (idx[:, None, :] - idx[:, :, None]) % np.array(shape)[:, None, None]
    return np.ravel_multi_index(tuple(diff), shape)


@final
class Circulant(eqx.Module):
    r"""A symmetric circulant covariance on a ring or torus, stored by its first row.

    $C_{ij} = r_{(j - i) \bmod \text{shape}}$, so $C$ is diagonalized by the DFT and its
    eigenvalues are $\hat r$. Negative ones, which truncated kernels can have when the
    correlation length is large relative to the grid, are clipped by `nearest_correlation`
    and *reported*: ``n_clipped`` and ``min_eigenvalue`` say how much, and a
    `KernelClippingWarning` is issued when it happens.

    An `equinox.Module`: its three arrays are leaves, so covariances of one grid share one
    compiled program.

    Attributes:
        first_row: [*grid] the covariance between site 0 and every site (``grid`` is ``(N,)``
            or ``(L, L)``); stored as float64.
        eigenvalues: [*grid] the real part of the DFT of ``first_row`` (computed, not passed).
        sqrt_eigenvalues: [*grid] their square roots, negative ones counting as zero (computed,
            not passed).
    """

    first_row: np.ndarray
    eigenvalues: np.ndarray = eqx.field(repr=False)
    sqrt_eigenvalues: np.ndarray = eqx.field(repr=False)

    def __init__(self, first_row: np.ndarray):
        self.first_row = np.asarray(first_row, dtype=float)
        self.eigenvalues = np.fft.fftn(self.first_row).real
        self.sqrt_eigenvalues = np.sqrt(np.clip(self.eigenvalues, 0.0, None))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.first_row.shape

    @property
    def size(self) -> int:
        return self.first_row.size

    @property
    def n_clipped(self) -> int:
        """Eigenvalues below zero beyond round-off."""
        return int(np.sum(self.eigenvalues < -1e-12 * np.abs(self.eigenvalues).max()))

    @property
    def min_eigenvalue(self) -> float:
        return float(self.eigenvalues.min())

    def clipping_report(self) -> dict:
        return {"n_clipped": self.n_clipped, "min_eigenvalue": self.min_eigenvalue}

    def nearest_correlation(self) -> "Circulant":
        """The covariance a sampler actually realizes: negative eigenvalues clipped, unit diagonal.

        This matrix with negative eigenvalues set to zero and the diagonal rescaled to one.
        Issues a `KernelClippingWarning` when anything was clipped.

        Returns:
            This matrix if nothing is clipped, else the clipped `Circulant`.
        """
        if not self.n_clipped:
            return self
        warnings.warn(
            f"kernel had {self.n_clipped} negative eigenvalues (smallest {self.min_eigenvalue:.3g}); "
            "clipped to zero and renormalized to unit diagonal",
            KernelClippingWarning,
            stacklevel=2,
        )
        row = np.fft.ifftn(np.clip(self.eigenvalues, 0.0, None)).real
        return Circulant(row / row.flat[0])

    def _axes(self) -> tuple[int, ...]:
        return tuple(range(-len(self.shape), 0))

    def _matrix(self, spectrum, dtype) -> Float[Array, "N N"]:
        """The dense symmetric circulant matrix with the given eigenvalues [*grid] (traced)."""
        row = jnp.fft.ifftn(jnp.asarray(spectrum, dtype), axes=self._axes()).real.reshape(-1)
        return row[_offset_index(self.shape)].astype(dtype)

    def _multiply(self, spectrum, v: Float[Array, "... *grid"]) -> Float[Array, "... *grid"]:
        """Multiply by the circulant matrix with the given eigenvalues: a dense product on grids of
        at most `DENSE_MAX` pixels, else real FFTs (O(N log N)). ``spectrum`` may carry leading
        axes (one spectrum per sample; FFTs then)."""
        if self.size <= DENSE_MAX and spectrum.ndim == len(self.shape):
            flat = v.reshape(v.shape[: v.ndim - len(self.shape)] + (self.size,))
            return (flat @ self._matrix(spectrum, v.dtype)).reshape(v.shape)
        axes = self._axes()
        half = jnp.asarray(spectrum[..., : self.shape[-1] // 2 + 1], dtype=v.dtype)
        out = jnp.fft.irfftn(jnp.fft.rfftn(v, axes=axes) * half, s=self.shape, axes=axes)
        return out.astype(v.dtype)

    def apply(self, v: Float[Array, "... *grid"]) -> Float[Array, "... *grid"]:
        """C v over the trailing grid axes."""
        return self._multiply(self.eigenvalues, v)

    def apply_sqrt(self, v: Float[Array, "... *grid"]) -> Float[Array, "... *grid"]:
        """C^{1/2} v over the trailing grid axes (negative eigenvalues count as zero)."""
        return self._multiply(self.sqrt_eigenvalues, v)

    def apply_sqrt_mixed(self, other: "Circulant", use_other, v: Float[Array, "n *grid"]) -> Float[Array, "n *grid"]:
        """Row $i$ of ``v`` times ``other``$^{1/2}$ where ``use_other[i]``, else times this $C^{1/2}$.

        One FFT pair for a batch drawn from two classes (two dense products on small grids).

        Arguments:
            other: the second covariance, on the same grid.
            use_other (Array): [n] booleans, which rows use ``other``.
            v: [n, *grid] vectors (white noise).

        Returns:
            [n, *grid] the products.
        """
        mask = jnp.reshape(use_other, (-1,) + (1,) * len(self.shape))
        if self.size <= DENSE_MAX:  # two dense products beat an FFT pair on small grids
            return jnp.where(mask, other.apply_sqrt(v), self.apply_sqrt(v))
        spectra = jnp.where(mask, jnp.asarray(other.sqrt_eigenvalues, v.dtype), jnp.asarray(self.sqrt_eigenvalues, v.dtype))
        return self._multiply(spectra, v)

    def apply_flat(self, v: Float[Array, "... n"]) -> Float[Array, "... n"]:
        """C v for vectors flattened to length N = prod(shape)."""
        lead = v.shape[:-1]
        return self.apply(v.reshape(lead + self.shape)).reshape(lead + (self.size,))

    def dense(self) -> np.ndarray:
        """The full N x N matrix (N = prod(shape)); for references and small problems."""
        return self.first_row.reshape(-1)[_offset_index(self.shape)]


def gaussian_kernel(shape: tuple[int, ...], xi: float) -> Circulant:
    r"""The Gaussian kernel $C_{ij} = \exp(-d(i, j)^2 / \xi^2)$ on a ring or torus.

    $d$ is the ring/torus distance. The kernel is not clipped here: see
    `Circulant.nearest_correlation`.

    Arguments:
        shape: grid shape, ``(N,)`` or ``(L, L)``.
        xi: correlation length $\xi$, in sites, within `dyntools.inputs.spec.XI_RANGE`.

    Returns:
        The kernel, a `Circulant` with first row [*shape].

    Raises:
        DyntoolsError: if ``xi`` is outside `XI_RANGE` (where the kernel's numbers overflow).
    """
    if not XI_RANGE[0] <= xi <= XI_RANGE[1]:
        raise DyntoolsError(f"correlation length xi must be from {XI_RANGE[0]:g} to {XI_RANGE[1]:g} (got {xi:g})",
                            arguments=("xi",))
    return Circulant(np.exp(-squared_distance(shape) / xi**2))
