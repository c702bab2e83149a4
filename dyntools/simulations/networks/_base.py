"""The interface every network implements (see [`networks`][dyntools.simulations.networks])."""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

import equinox as eqx

from ..._jax import jax, jnp
from ...errors import DyntoolsError

if TYPE_CHECKING:
    from jax.typing import DTypeLike
    from jaxtyping import Array, Float, PRNGKeyArray

    from ...inputs.task import TwoClassTask
    from ...theory.amplifier import Amplifier
    from ...theory.dynamics import EffectiveDynamics

ACTIVATIONS = {
    "relu": jax.nn.relu,
    "sigmoid": jax.nn.sigmoid,
    "erf": jax.scipy.special.erf,
}


class Network(eqx.Module):
    r"""What every network is: $K$ hidden units $\sigma(w_k\cdot x + b_k)$ read out to one output.

    Subclasses are final `equinox.Module`s whose fields are all static (hashable: a network is
    a static argument of the compiled SGD step; its parameters are a separate pytree) and define
    `init` and `apply`; `effective_theory` is optional.

    Attributes:
        n_inputs: N, the number of pixels (2-D inputs flattened).
        neurons: K, the number of hidden units.
        activation: $\sigma$, a name from `ACTIVATIONS` (``relu``, ``sigmoid``, ``erf``).
        bias: whether the units have trainable biases $b_k$.

    Raises:
        DyntoolsError: for an unknown activation or ``neurons < 1``.
    """

    n_inputs: int = eqx.field(static=True)
    neurons: int = eqx.field(static=True, default=1)
    activation: str = eqx.field(static=True, default="relu")
    bias: bool = eqx.field(static=True, default=False)
    description: ClassVar[str]  # one line for tables and help texts
    GIVEN: ClassVar[tuple[str, ...]] = ("n_inputs", "neurons", "activation", "bias")  # not options: every network's

    def __check_init__(self):
        if self.activation not in ACTIVATIONS:
            raise DyntoolsError(f"unknown activation '{self.activation}'; choose one of: {', '.join(ACTIVATIONS)}",
                                arguments=("activation",))
        if self.neurons < 1:
            raise DyntoolsError(f"neurons must be at least 1 (got {self.neurons})", arguments=("neurons",))

    @abstractmethod
    def init(self, key: PRNGKeyArray, init_scale: float, dtype: DTypeLike = jnp.float64) -> dict:
        r"""Initial parameters, a dict with at least ``"w"`` [K, N] (plus ``"b"`` [K] with ``bias``).

        Arguments:
            key: the JAX random key.
            init_scale: the variance factor of the first-layer weights.
            dtype: the parameters' dtype.
        """

    @abstractmethod
    def apply(self, params: dict, x: Float[Array, "B N"]) -> Float[Array, " B"]:
        """The network's output $f(x)$ [B] for inputs ``x`` [B, N]."""

    def __call__(self, params: dict, x: Float[Array, "B N"]) -> Float[Array, " B"]:
        return self.apply(params, x)

    def loss(self, params: dict, x: Float[Array, "B N"], y: Float[Array, " B"]) -> Float[Array, ""]:
        r"""The mean squared error $\frac1B \sum_b (y_b - f(x_b))^2$ over a batch (no 1/2).

        Arguments:
            params: the parameters (see `init`).
            x: [B, N] inputs.
            y: [B] labels in {0, 1}, as floats.

        Returns:
            The scalar loss.
        """
        return jnp.mean((y - self.apply(params, x)) ** 2)

    def effective_theory(self, task: TwoClassTask, amplifier: Callable[[], Amplifier]) -> EffectiveDynamics | None:
        """The effective ODE of the first-layer weights ``w`` on ``task``, or None (the default)
        when this network has none.

        Arguments:
            task: the two-class task.
            amplifier: builds the localization amplifier $\\phi$ of the task (called only by a
                network that has a theory: deriving it costs time).
        """
        return None

    def hidden(self, params: dict, x: Float[Array, "B N"]) -> Float[Array, "B K"]:
        r"""The hidden units' activities $\sigma(w_k\cdot x + b_k)$ [B, K]."""
        return ACTIVATIONS[self.activation](x @ params["w"].T + params.get("b", 0.0))

    def xavier(self, key: PRNGKeyArray, init_scale: float, dtype: DTypeLike) -> dict:
        r"""First-layer parameters: Xavier-normal weights times $\sqrt{\text{init\_scale}}$
        (standard deviation $\sqrt{2/(N + K)}\sqrt{\text{init\_scale}}$), zero biases with ``bias``."""
        std = math.sqrt(2.0 / (self.n_inputs + self.neurons)) * math.sqrt(init_scale)
        params = {"w": std * jax.random.normal(key, (self.neurons, self.n_inputs), dtype=dtype)}
        if self.bias:
            params["b"] = jnp.zeros(self.neurons, dtype=dtype)
        return params
