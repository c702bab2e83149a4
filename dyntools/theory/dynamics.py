r"""Effective learning dynamics as vector fields ``f(t, W, args) -> dW/dt`` (Diffrax's signature).

Weights are ``W`` of shape [K, N] (2-D inputs flattened to $N = L^2$). For the committee machine
$f(x) = \frac1K \sum_k \mathrm{ReLU}(w_k\cdot x)$ with loss $\mathbb{E}(y - f)^2$, labels
$y \in \{0, 1\}$, $P(y=1) = p_1$ and class covariances $\Sigma_0, \Sigma_1$, gradient flow
($t$ = learning rate x steps) is

$$
\dot w_k = \frac{2}{K}\Big\{ \frac{p_1}{2} \mathbb{E}_1[x\,\mathrm{sign}(w_k\cdot x)]
          - \frac{1}{K}\sum_j \mathbb{E}[\mathrm{ReLU}(w_j\cdot x)\,1(w_k\cdot x>0)\,x] \Big\}.
$$

*Effective theory*: the first expectation is replaced by the amplifier $\phi(a_k)$,
$a_k = \Sigma_1 w_k / \sqrt{w_k^T \Sigma_1 w_k}$; each class's cross term by its
Gaussian-equivalent arc-cosine form
$\frac{1}{2\pi}\big[(\pi - \theta_{jk})\Sigma_c w_j + \sin\theta_{jk}\,\frac{|w_j|_c}{|w_k|_c}\Sigma_c w_k\big]$.
For $K = 1$, $p_1 = 1/2$ this is exactly Eq. 5: $\dot w = \frac12[\phi(a) - (\Sigma_0 + \Sigma_1) w]$.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, final

import equinox as eqx
import numpy as np

from .._jax import jnp
from ..inputs.kernels import Circulant
from .amplifier import Amplifier

if TYPE_CHECKING:
    from jaxtyping import Array, Float

THEORY_VALIDITY = ("the effective ODE is an early-time theory: accurate to a few percent while the receptive "
                   "field is spread out, 20-30% off once it is spike-like")


def _projections(sigma: Circulant, w):
    """(Sigma w, |w|_Sigma) for each row of w [K, N]."""
    sw = sigma.apply_flat(w)
    return sw, jnp.sqrt(jnp.sum(w * sw, axis=-1))


@final
class EffectiveDynamics(eqx.Module):
    r"""The effective ODE for K ReLU neurons without bias (K = 1, $p_1 = 1/2$: Eq. 5).

    Calling it, ``dynamics(t, w, args=None)``, returns $dW/dt$ [K, N] at weights ``w`` [K, N]
    (``t`` and ``args`` unused; Diffrax's signature):

    $$
    \frac{dw_k}{dt} = \frac{2}{K}\Big\{\frac{p_1}{2}\phi(a_k) - \frac1K \sum_{c\in\{0,1\}} p_c
      \sum_j \frac{1}{2\pi}\Big[(\pi - \theta^c_{kj})\Sigma_c w_j
      + \sin\theta^c_{kj}\,\frac{|w_j|_c}{|w_k|_c}\,\Sigma_c w_k\Big]\Big\},
    $$

    with $|w|_c = \sqrt{w^T\Sigma_c w}$ and $\cos\theta^c_{kj} = w_k^T\Sigma_c w_j / (|w_k|_c |w_j|_c)$.
    An `equinox.Module`: passed to a jitted function, its numbers (amplifier, spectra, $p_1$)
    are traced, so one program serves every task of the same shape.

    Attributes:
        amplifier: $\phi$, applied elementwise.
        sigma0: $\Sigma_0$, the covariance of class 0 (shorter correlation length).
        sigma1: $\Sigma_1$, the covariance of class 1.
        proportion: $p_1 = P(y = 1)$, in (0, 1).
    """

    amplifier: Amplifier
    sigma0: Circulant
    sigma1: Circulant
    proportion: float = 0.5

    def amplifier_argument(self, w: Float[Array, "K N"]) -> Float[Array, "K N"]:
        r"""The amplifier's argument $a_k = \Sigma_1 w_k / \sqrt{w_k^T \Sigma_1 w_k}$ for each neuron.

        Arguments:
            w: [K, N] weights, one row per neuron (nonzero rows).

        Returns:
            [K, N] $a$, each entry in $[-1, 1]$ (Cauchy-Schwarz).
        """
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


@final
class ExactSingleNeuronFlow(eqx.Module):
    r"""The exact single-neuron flow, Eq. (A), with its non-Gaussian expectation by Monte Carlo.

    $$
    \frac{dw}{dt} = p_1\,\mathbb{E}_1[x\,\mathrm{sign}(w\cdot x)] - (p_0\Sigma_0 + p_1\Sigma_1)\,w,
    $$

    the expectation averaged over a fixed sample of class-1 inputs ``x1``, the covariance term
    exact. For $p_1 = 1/2$ this is $\frac12[\mathbb{E}_1 x\,\mathrm{sign}(w\cdot x) - (\Sigma_0+\Sigma_1)w]$.
    Calling it, ``flow(t, w, args=None)``, returns $dw/dt$ [1, N] at weights ``w`` [1, N].

    Attributes:
        x1: [M, N] class-1 inputs, flattened.
        sigma0: $\Sigma_0$, the covariance of class 0.
        sigma1: $\Sigma_1$, the covariance of class 1.
        proportion: $p_1 = P(y = 1)$, in (0, 1).
    """

    x1: Float[Array, "M N"]
    sigma0: Circulant
    sigma1: Circulant
    proportion: float = 0.5

    def __call__(self, t, w: Float[Array, "1 N"], args=None) -> Float[Array, "1 N"]:
        p1 = self.proportion
        drive = jnp.mean(self.x1[None] * jnp.sign(self.x1 @ w.T).T[..., None], axis=1)
        decay = (1 - p1) * self.sigma0.apply_flat(w) + p1 * self.sigma1.apply_flat(w)
        return p1 * drive - decay


@final
class LinearSteadyState(eqx.Module):
    r"""Fixed point of the effective ODE with a linear amplifier $\phi(a) = \text{slope}\cdot a$ (K = 1).

    For Gaussian or elliptical data the flow is gradient ascent on
    $F(w) = p_1\,\text{slope}\,|w|_{\Sigma_1} - w^T M w / 2$ with $M = p_0\Sigma_0 + p_1\Sigma_1$.
    Stable fixed point: $w^* = p_1\,\text{slope}\,\mu\, v / |v|_{\Sigma_1}$, with $v$ the top
    generalized eigenvector of $\Sigma_1 v = \mu M v$. Both matrices are circulant, so $v$ is the
    Fourier mode $k^*$ maximizing $\lambda_1(k) / (p_0\lambda_0(k) + p_1\lambda_1(k))$; a mode
    $k^* \ne 0$ is a (cos, sin) pair whose phase the initial condition picks: ``weights``
    returns its cosine.

    Attributes:
        sigma0: $\Sigma_0$, the covariance of class 0.
        sigma1: $\Sigma_1$, the covariance of class 1.
        slope: the amplifier's slope ($\sqrt{2/\pi}$ for Gaussian pixels, $\mathbb{E}|X|$ for
            elliptical data).
        proportion: $p_1 = P(y = 1)$, in (0, 1).
    """

    sigma0: Circulant
    sigma1: Circulant
    slope: float
    proportion: float = 0.5

    @property
    def ratios(self) -> np.ndarray:
        r"""`[*grid]` $\lambda_1(k) / (p_0\lambda_0(k) + p_1\lambda_1(k))$ for every Fourier mode $k$."""
        p1 = self.proportion
        return self.sigma1.eigenvalues / ((1 - p1) * self.sigma0.eigenvalues + p1 * self.sigma1.eigenvalues)

    @property
    def mode(self) -> tuple[int, ...]:
        """Index of the top Fourier mode (a frequency per grid axis)."""
        return tuple(int(i) for i in np.unravel_index(np.argmax(self.ratios), self.ratios.shape))

    @property
    def mu(self) -> float:
        r"""The top generalized eigenvalue $\mu$, the largest of ``ratios``."""
        return float(self.ratios.max())

    def weights(self) -> np.ndarray:
        r"""The stable fixed point $w^*$ (the cosine phase of the top mode), flattened.

        Returns:
            [N] weights, N the number of pixels (2-D grids flattened).
        """
        shape = self.sigma1.shape
        phase = sum(2 * np.pi * k * np.arange(n).reshape([-1 if a == i else 1 for a in range(len(shape))]) / n
                    for i, (k, n) in enumerate(zip(self.mode, shape)))
        v = np.cos(phase) * np.ones(shape)
        norm1 = math.sqrt(float(np.sum(v * np.asarray(self.sigma1.apply(jnp.asarray(v))))))
        return (self.proportion * self.slope * self.mu * v / norm1).ravel()
