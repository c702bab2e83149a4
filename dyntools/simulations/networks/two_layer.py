r"""A two-layer network with a trainable readout, $f(x) = \sum_k a_k\,\sigma(w_k\cdot x + b_k)$."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, final


from ..._jax import jnp
from ._base import Network

if TYPE_CHECKING:
    from jax.typing import DTypeLike
    from jaxtyping import Array, Float, PRNGKeyArray


@final
class TwoLayerNetwork(Network):
    r"""$f(x) = \sum_{k=1}^K a_k\,\sigma(w_k\cdot x + b_k)$ with the readout $a$ trained too.

    The readout starts at $a_k = 1/K$, so at $t = 0$ the network is the soft committee machine
    with the same first-layer weights; training then moves both layers. There is no effective
    theory (the committee machine's assumes a fixed readout).

    Parameters are ``{"w": [K, N], "a": [K]}``, plus ``"b": [K]`` with ``bias``.

    Attributes:
        n_inputs: N, the number of pixels (2-D inputs flattened).
        neurons: K, the number of hidden units.
        activation: $\sigma$, a name from `ACTIVATIONS` (``relu``, ``sigmoid``, ``erf``).
        bias: whether the units have trainable biases $b_k$.
    """

    description: ClassVar[str] = "two layers: readout a_k trained, from 1/K (no effective theory)"

    def init(self, key: PRNGKeyArray, init_scale: float, dtype: DTypeLike = jnp.float64) -> dict:
        """Xavier-normal first-layer weights times sqrt(init_scale) (as the committee machine's,
        from the same key), zero biases, readout 1/K.

        Returns:
            ``{"w": [K, N], "a": [K]}``, plus ``"b": [K]`` with ``bias``.
        """
        return {**self.xavier(key, init_scale, dtype), "a": jnp.full(self.neurons, 1.0 / self.neurons, dtype=dtype)}

    def apply(self, params: dict, x: Float[Array, "B N"]) -> Float[Array, " B"]:
        return self.hidden(params, x) @ params["a"]
