"""The quadrature form of the amplifier: any marginal."""

from __future__ import annotations

from typing import ClassVar, final

import equinox as eqx
import numpy as np

from ..._jax import jax, jnp
from ...inputs.marginals import Marginal
from ._base import A_MAX, MarginalAmplifier, erf_argument_scale


@final
class QuadratureAmplifier(MarginalAmplifier):
    r"""$\phi(a) = \sum_j W_j x_j \,\mathrm{erf}(x_j c(a))$ by quadrature over the pixel marginal.

    Uses the marginal's half-line rule (nodes $x_j \ge 0$, weights $W_j$, exact for even
    integrands), zeroing nodes with $W_j (1 + x_j^2) \le 10^{-22}$ (they cannot matter in
    float64; zeroed rather than dropped, so every member of a family has the same J and one
    compiled program serves them all). Works for any marginal; ~1e-12 accurate in float64 away
    from $|a| = 1$; $a$ is clipped to $|a| \le 1 - 10^{-12}$.

    Attributes:
        marginal: the unit-variance pixel marginal.
        nodes: [J] the quadrature nodes $x_j$, zero where dropped (computed, not passed).
        weights: [J] the weights times their nodes, $W_j x_j$, zero where dropped (computed,
            not passed).
    """

    marginal: Marginal
    nodes: np.ndarray = eqx.field(repr=False)
    weights: np.ndarray = eqx.field(repr=False)
    kind: ClassVar[str] = "quadrature"
    description: ClassVar[str] = "quadrature over the pixel marginal (any marginal)"

    def __init__(self, marginal: Marginal):
        self.marginal = marginal
        x, w = marginal.pixel_quadrature()
        keep = w * (1 + x * x) > 1e-22  # nodes that can matter in float64
        self.nodes = np.where(keep, x, 0.0)
        self.weights = np.where(keep, w * x, 0.0)

    def __call__(self, a):
        a = jnp.clip(a, -A_MAX, A_MAX)
        nodes = jnp.asarray(self.nodes, a.dtype)
        weights = jnp.asarray(self.weights, a.dtype)
        return jnp.sum(weights * jax.scipy.special.erf(nodes * erf_argument_scale(a)[..., None]), axis=-1)

    def describe(self) -> dict:
        """A JSON-ready description of the form (saved in run.json).

        Returns:
            ``{"kind": ...}`` with the number of quadrature nodes.
        """
        return {"kind": self.kind, "nodes": int(np.count_nonzero(self.weights))}
