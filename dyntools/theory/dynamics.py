r"""Effective learning dynamics as vector fields ``f(t, W, args) -> dW/dt`` (Diffrax's signature).

Weights are ``W`` of shape [K, N] (2-D inputs flattened to N = L*L). For the committee machine
f(x) = (1/K) sum_k ReLU(w_k . x) with loss E (y - f)^2, labels y in {0, 1}, P(y=1) = p1 and
class covariances Sigma_0, Sigma_1, gradient flow (t = learning rate x steps) is

.. math::
    \dot w_k = \frac{2}{K}\Big\{ \frac{p_1}{2} E_1[x\,\mathrm{sign}(w_k\cdot x)]
              - \frac{1}{K}\sum_j E[\mathrm{ReLU}(w_j\cdot x)\,1(w_k\cdot x>0)\,x] \Big\}.

*Effective theory*: the first expectation is replaced by the amplifier phi(a_k),
a_k = Sigma_1 w_k / sqrt(w_k^T Sigma_1 w_k); each class's cross term by its Gaussian-equivalent
arc-cosine form (1/2pi)[(pi - theta_jk) Sigma_c w_j + sin(theta_jk) |w_j|_c/|w_k|_c Sigma_c w_k].
For K = 1, p1 = 1/2 this is exactly Eq. 5: dw/dt = (1/2)[phi(a) - (Sigma_0 + Sigma_1) w].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from jaxtyping import Array, Float

from .._jax import jnp
from ..inputs.kernels import Circulant
from .amplifier import Amplifier


def _projections(sigma: Circulant, w):
    """(Sigma w, |w|_Sigma) for each row of w [K, N]."""
    sw = sigma.apply_flat(w)
    return sw, jnp.sqrt(jnp.sum(w * sw, axis=-1))


@dataclass(frozen=True, eq=False)  # static in Diffrax: hashed by identity
class EffectiveDynamics:
    """The effective ODE for K ReLU neurons (K = 1: Eq. 5)."""

    amplifier: Amplifier
    sigma0: Circulant
    sigma1: Circulant
    proportion: float = 0.5

    def amplifier_argument(self, w: Float[Array, "K N"]) -> Float[Array, "K N"]:
        s1w, norm1 = _projections(self.sigma1, w)
        return s1w / norm1[:, None]

    def __call__(self, t, w: Float[Array, "K N"], args=None) -> Float[Array, "K N"]:
        k = w.shape[0]
        drive = self.proportion / 2 * self.amplifier(self.amplifier_argument(w))
        interaction = sum(
            p * _relu_interaction(*_projections(sigma, w), w)
            for p, sigma in ((1 - self.proportion, self.sigma0), (self.proportion, self.sigma1))
        )
        return 2.0 / k * (drive - interaction / k)


def _relu_interaction(sw, norms, w):
    """sum_j E[ReLU(w_j.x) 1(w_k.x > 0) x] for x ~ N(0, Sigma), row k, by the arc-cosine kernel."""
    gram = w @ sw.T  # w_k^T Sigma w_j
    cos = jnp.clip(gram / (norms[:, None] * norms[None, :]), -1.0, 1.0)
    theta = jnp.arccos(cos)
    same_direction = (math.pi - theta) @ sw  # row k: sum_j (pi - theta_kj) Sigma w_j
    own = (jnp.sin(theta) @ norms) / norms  # row k: sum_j sin(theta_kj) |w_j| / |w_k|
    return (same_direction + own[:, None] * sw) / (2 * math.pi)


@dataclass(frozen=True, eq=False)
class ExactSingleNeuronFlow:
    """Eq. (A): dw/dt = p1 E_1[x sign(w.x)] - (p0 Sigma_0 + p1 Sigma_1) w, with the non-Gaussian
    expectation averaged over a fixed sample of class-1 inputs ``x1`` [M, N] (Monte Carlo) and
    the covariance term exact. For p1 = 1/2 this is (1/2)[E_1 x sign(w.x) - (Sigma_0+Sigma_1) w]."""

    x1: Float[Array, "M N"]
    sigma0: Circulant
    sigma1: Circulant
    proportion: float = 0.5

    def __call__(self, t, w: Float[Array, "1 N"], args=None) -> Float[Array, "1 N"]:
        p1 = self.proportion
        drive = jnp.mean(self.x1[None] * jnp.sign(self.x1 @ w.T).T[..., None], axis=1)
        decay = (1 - p1) * self.sigma0.apply_flat(w) + p1 * self.sigma1.apply_flat(w)
        return p1 * drive - decay


@dataclass(frozen=True, eq=False)
class LinearSteadyState:
    """Fixed point of the effective ODE with a linear amplifier phi(a) = slope a (Gaussian or
    elliptical data, K = 1): gradient ascent on F(w) = p1 slope |w|_{Sigma_1} - w^T M w / 2 with
    M = p0 Sigma_0 + p1 Sigma_1. Stable fixed point: w* = p1 slope mu v / |v|_{Sigma_1}, with v the
    top generalized eigenvector of Sigma_1 v = mu M v. Both matrices are circulant, so v is the
    Fourier mode k* maximizing lambda1(k) / (p0 lambda0(k) + p1 lambda1(k)); a mode k* != 0 is
    a (cos, sin) pair whose phase the initial condition picks: ``weights`` returns its cosine."""

    sigma0: Circulant
    sigma1: Circulant
    slope: float
    proportion: float = 0.5

    @property
    def ratios(self) -> np.ndarray:
        p1 = self.proportion
        return self.sigma1.eigenvalues / ((1 - p1) * self.sigma0.eigenvalues + p1 * self.sigma1.eigenvalues)

    @property
    def mode(self) -> tuple[int, ...]:
        """Index of the top Fourier mode (a frequency per grid axis)."""
        return tuple(int(i) for i in np.unravel_index(np.argmax(self.ratios), self.ratios.shape))

    @property
    def mu(self) -> float:
        return float(self.ratios.max())

    def weights(self) -> np.ndarray:
        shape = self.sigma1.shape
        phase = sum(2 * np.pi * k * np.arange(n).reshape([-1 if a == i else 1 for a in range(len(shape))]) / n
                    for i, (k, n) in enumerate(zip(self.mode, shape)))
        v = np.cos(phase) * np.ones(shape)
        norm1 = math.sqrt(float(np.sum(v * np.asarray(self.sigma1.apply(jnp.asarray(v))))))
        return (self.proportion * self.slope * self.mu * v / norm1).ravel()
