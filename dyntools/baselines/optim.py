"""Adam on pytrees of parameters: the one optimizer the trained baselines share."""

from __future__ import annotations

from .._jax import jax, jnp


def adam(loss, params, batches, *, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
         project=lambda p: p):
    """Minimize ``loss(params, batch)`` over the leading axis of ``batches`` (one step each), then
    ``project`` the parameters (e.g. renormalize atoms). Returns (params, losses)."""
    zeros = jax.tree.map(jnp.zeros_like, params)

    def step(state, batch):
        params, m, v, t = state
        value, grads = jax.value_and_grad(loss)(params, batch)
        t = t + 1
        m = jax.tree.map(lambda m, g: beta1 * m + (1 - beta1) * g, m, grads)
        v = jax.tree.map(lambda v, g: beta2 * v + (1 - beta2) * g * g, v, grads)
        scale = lr * jnp.sqrt(1 - beta2**t) / (1 - beta1**t)
        params = jax.tree.map(lambda p, m, v: p - scale * m / (jnp.sqrt(v) + eps), params, m, v)
        return (project(params), m, v, t), value

    (params, _, _, _), losses = jax.lax.scan(step, (params, zeros, zeros, 0), batches)
    return params, losses
