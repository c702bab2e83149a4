r"""A network whose output is its most active unit, $f(x) = \max_k \sigma(w_k \cdot x + b_k)$, or
its smooth version $T \log \sum_k e^{\sigma(w_k \cdot x + b_k)/T}$ with an option of its own."""

from __future__ import annotations

from typing import ClassVar, final

import equinox as eqx
import jax
import jax.numpy as jnp

from dyntools.errors import DyntoolsError
from dyntools.simulations.networks import Network


@final
class MaxReadout(Network):
    r"""$f(x) = \max_k \sigma(w_k \cdot x + b_k)$: the units compete for each input (no effective
    theory). Parameters: ``{"w": [K, N]}``, plus ``"b": [K]`` with ``bias``.

    Attributes:
        temperature: its own option (``--network-option temperature=T``): with $T > 0$ the
            output is the soft maximum $T \log \sum_k e^{h_k / T}$; 0 (the default) is the
            maximum itself.
    """

    temperature: float = eqx.field(static=True, default=0.0)
    description: ClassVar[str] = "max over the units (winner takes all; no effective theory)"

    def __check_init__(self):
        if not self.temperature >= 0:
            raise DyntoolsError(f"the max-readout's temperature must be at least 0 (got {self.temperature:g})",
                                arguments=("network_options",))

    def init(self, key, init_scale, dtype=jnp.float64):
        return self.xavier(key, init_scale, dtype)

    def apply(self, params, x):
        hidden = self.hidden(params, x)
        if self.temperature == 0:
            return jnp.max(hidden, axis=-1)
        return self.temperature * jax.nn.logsumexp(hidden / self.temperature, axis=-1)
