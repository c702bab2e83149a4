r"""The soft committee machine $f(x) = \frac1K \sum_k \sigma(w_k\cdot x + b_k)$: the second layer is
fixed at $1/K$ (no $1/\sqrt N$ input scaling); for ReLU units without bias it has an effective theory."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, final


from ..._jax import jnp
from ._base import Network

if TYPE_CHECKING:
    from jax.typing import DTypeLike
    from jaxtyping import Array, Float, PRNGKeyArray

    from ...inputs.task import TwoClassTask
    from ...theory.amplifier import Amplifier
    from ...theory.dynamics import EffectiveDynamics


@final
class CommitteeMachine(Network):
    r"""The soft committee machine $f(x) = \frac1K \sum_{k=1}^K \sigma(w_k\cdot x + b_k)$.

    Parameters are ``{"w": [K, N]}``, plus ``"b": [K]`` with ``bias``. For ReLU units without
    bias, the first-layer weights follow the effective ODE
    ([`EffectiveDynamics`][dyntools.theory.dynamics.EffectiveDynamics]) early in training.

    Attributes:
        n_inputs: N, the number of pixels (2-D inputs flattened).
        neurons: K, the number of hidden units (1 = the single neuron).
        activation: $\sigma$, a name from `ACTIVATIONS` (``relu``, ``sigmoid``, ``erf``).
        bias: whether the units have trainable biases $b_k$ (no effective theory then).
    """

    description: ClassVar[str] = "soft committee machine: readout fixed at 1/K (effective theory: ReLU, no bias)"

    def init(self, key: PRNGKeyArray, init_scale: float, dtype: DTypeLike = jnp.float64) -> dict:
        r"""Xavier-normal weights times $\sqrt{\text{init\_scale}}$, zero biases.

        Arguments:
            key: the JAX random key.
            init_scale: the variance factor (positive; 1e-3 keeps a single neuron in the
                early-time regime).
            dtype: the parameters' dtype.

        Returns:
            ``{"w": [K, N]}``, plus ``"b": [K]`` zeros with ``bias``.
        """
        return self.xavier(key, init_scale, dtype)

    def apply(self, params: dict, x: Float[Array, "B N"]) -> Float[Array, " B"]:
        return jnp.mean(self.hidden(params, x), axis=-1)

    def effective_theory(self, task: TwoClassTask, amplifier: Callable[[], Amplifier]) -> EffectiveDynamics | None:
        """The effective ODE of K ReLU units without bias; None otherwise."""
        if self.activation != "relu" or self.bias:
            return None
        from ...theory.dynamics import EffectiveDynamics

        return EffectiveDynamics(amplifier(), task.sigma0, task.sigma1, task.proportion)
