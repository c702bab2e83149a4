r"""A network whose output is its most active unit, $f(x) = \max_k \sigma(w_k \cdot x + b_k)$."""

from __future__ import annotations

from typing import ClassVar, final

import jax.numpy as jnp

from dyntools.simulations.networks import Network


@final
class MaxReadout(Network):
    r"""$f(x) = \max_k \sigma(w_k \cdot x + b_k)$: the units compete for each input (no effective
    theory). Parameters: ``{"w": [K, N]}``, plus ``"b": [K]`` with ``bias``."""

    description: ClassVar[str] = "max over the units (winner takes all; no effective theory)"

    def init(self, key, init_scale, dtype=jnp.float64):
        return self.xavier(key, init_scale, dtype)

    def apply(self, params, x):
        return jnp.max(self.hidden(params, x), axis=-1)
