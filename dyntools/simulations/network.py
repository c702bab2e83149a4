r"""The soft committee machine f(x) = (1/K) sum_k sigma(w_k . x + b_k), trained on the two-class
task with loss E (y - f(x))^2 (no 1/2, no 1/sqrt(N) input scaling, second layer fixed at 1/K).

Two trainers share the loss: SGD on fresh mini-batches (``lax.scan``, vmapped over seeds; time
t = learning rate x steps) and deterministic gradient flow on a fixed sample set (Diffrax).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray

from .._jax import jax, jnp
from ..errors import DyntoolsError
from .integrate import check_solution, solve

ACTIVATIONS = {
    "relu": jax.nn.relu,
    "sigmoid": jax.nn.sigmoid,
    "erf": jax.scipy.special.erf,
}


@dataclass(frozen=True)
class CommitteeMachine:
    n_inputs: int
    neurons: int = 1
    activation: str = "relu"
    bias: bool = False

    def __post_init__(self):
        if self.activation not in ACTIVATIONS:
            raise DyntoolsError(f"unknown activation '{self.activation}'; choose one of: {', '.join(ACTIVATIONS)}")
        if self.neurons < 1:
            raise DyntoolsError(f"--neurons must be at least 1 (got {self.neurons})")

    @property
    def has_effective_theory(self) -> bool:
        """The effective ODE covers ReLU units without bias."""
        return self.activation == "relu" and not self.bias

    def init(self, key: PRNGKeyArray, init_scale: float, dtype=jnp.float64) -> dict:
        """Xavier-normal weights times sqrt(init_scale); zero biases."""
        std = math.sqrt(2.0 / (self.n_inputs + self.neurons)) * math.sqrt(init_scale)
        params = {"w": std * jax.random.normal(key, (self.neurons, self.n_inputs), dtype=dtype)}
        if self.bias:
            params["b"] = jnp.zeros(self.neurons, dtype=dtype)
        return params

    def __call__(self, params: dict, x: Float[Array, "B N"]) -> Float[Array, " B"]:
        pre = x @ params["w"].T + params.get("b", 0.0)
        return jnp.mean(ACTIVATIONS[self.activation](pre), axis=-1)

    def loss(self, params: dict, x, y) -> Float[Array, ""]:
        return jnp.mean((y - self(params, x)) ** 2)


def sgd_trajectories(task, net: CommitteeMachine, params0: dict, keys: PRNGKeyArray, *, lr: float, steps: int,
                     batch: int, saves: int, dtype=jnp.float32) -> dict:
    """SGD on fresh batches from ``task``, one run per key (vmapped), all from ``params0``.

    Returns parameters at ``saves + 1`` equally spaced steps (including step 0), each leaf with
    leading axes [seeds, saves + 1]. ``steps`` must be a multiple of ``saves``."""
    if steps % saves:
        raise DyntoolsError(f"--steps ({steps}) must be a multiple of the number of saved points ({saves})")
    start = jax.tree.map(lambda p: p.astype(dtype), params0)
    return _sgd_scan(start, keys, task, net, lr, steps // saves, saves, batch, jnp.dtype(dtype).name)


@partial(jax.jit, static_argnums=range(2, 9))
def _sgd_scan(start, keys, task, net, lr, every, saves, batch, dtype_name):
    dtype = jnp.dtype(dtype_name)
    n = task.n_pixels

    def step(params, key):
        x, y = task.sample(key, batch, dtype)
        grads = jax.grad(net.loss)(params, x.reshape(batch, n), y.astype(dtype))
        return jax.tree.map(lambda p, g: p - lr * g, params, grads), None

    def block(params, key):
        params, _ = jax.lax.scan(step, params, jax.random.split(key, every))
        return params, params

    def one_seed(key):
        _, saved = jax.lax.scan(block, start, jax.random.split(key, saves))
        return jax.tree.map(lambda s0, s: jnp.concatenate([s0[None], s]), start, saved)

    return jax.vmap(one_seed)(keys)


def first_nonfinite_step(weights: np.ndarray, save_every: int) -> int | None:
    """The first saved step whose weights are not all finite (weights [seeds, T, ...])."""
    finite = np.isfinite(weights.reshape(weights.shape[0], weights.shape[1], -1)).all(axis=(0, 2))
    return None if finite.all() else int(np.argmin(finite)) * save_every


def gradient_flow_trajectories(task, net: CommitteeMachine, params0: dict, key: PRNGKeyArray, *, samples: int,
                               t_save: np.ndarray, solver: str = "tsit5") -> dict:
    """Deterministic gradient flow d params/dt = -grad L on one fixed sample set, by Diffrax."""
    x, y = task.sample(key, samples, jnp.float64)
    x, y = x.reshape(samples, -1), y.astype(jnp.float64)
    field = lambda t, params, args: jax.tree.map(jnp.negative, jax.grad(net.loss)(params, x, y))  # noqa: E731
    stiffness = float(jnp.linalg.eigvalsh(x.T @ x / samples).max())
    ys, ok = jax.jit(lambda p: solve(field, p, t_save, stiffness=stiffness, solver=solver))(params0)
    check_solution(ys["w"], ok, "gradient flow")
    return ys
