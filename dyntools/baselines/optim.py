"""Adam on pytrees of parameters, and the chunked scan every trained baseline runs its steps in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jaxtyping import Array, Float, PyTree

from .._jax import jax, jnp


SCAN_CHUNK = 100  # steps per compiled call: progress is reported between calls


def scan_in_chunks(step: Callable, carry: PyTree, xs: PyTree,
                   progress: Callable[[int, int], None] | None = None) -> tuple[PyTree, PyTree]:
    """``jax.lax.scan(step, carry, xs)`` in compiled chunks of `SCAN_CHUNK` steps.

    The same steps in the same order (one program for the chunk size, one for a remainder);
    between chunks ``progress(steps done, steps in all)`` is called.

    Arguments:
        step: ``step(carry, x) -> (carry, y)``.
        carry: the initial carry.
        xs: pytree whose leaves have a leading axis [S]: step t gets slice t.
        progress: called after every chunk, or None.

    Returns:
        The final carry and the stacked outputs, leaves with a leading axis [S].
    """
    total = jax.tree.leaves(xs)[0].shape[0]
    run = jax.jit(lambda c, x: jax.lax.scan(step, c, x))
    outputs = []
    for first in range(0, total, SCAN_CHUNK):
        carry, out = run(carry, jax.tree.map(lambda leaf: leaf[first:first + SCAN_CHUNK], xs))
        outputs.append(out)
        if progress is not None:
            progress(min(first + SCAN_CHUNK, total), total)
    return carry, jax.tree.map(lambda *parts: jnp.concatenate(parts), *outputs)


def adam(loss: Callable[[PyTree, Any], Float[Array, ""]], params: PyTree, batches: PyTree, *, lr: float = 1e-3,
         beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
         project: Callable[[PyTree], PyTree] = lambda p: p,
         progress: Callable[[int, int], None] | None = None) -> tuple[PyTree, Float[Array, " S"]]:
    r"""Minimize `loss(params, batch)` with Adam, one step per batch, in a `lax.scan`.

    Each step $t = 1..S$, with gradient $g$: $m \leftarrow \beta_1 m + (1 - \beta_1) g$,
    $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$,
    $p \leftarrow p - \mathrm{lr} \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t} \frac{m}{\sqrt{v} + \epsilon}$,
    then $p \leftarrow$ `project(p)` (e.g. renormalize atoms).

    Arguments:
        loss: `loss(params, batch) -> scalar`, differentiable in `params`.
        params: initial parameters, any pytree of arrays.
        batches: pytree whose leaves have a leading axis [S, ...]: step t uses slice t.
        lr: learning rate.
        beta1: decay of the first-moment average.
        beta2: decay of the second-moment average.
        eps: added to $\sqrt{v}$ in the denominator.
        project: applied to the parameters after every step.
        progress: called with (steps done, steps in all) between compiled chunks of steps.

    Returns:
        params: the final parameters (same pytree structure).
        losses: [S] loss at each step, before its update.
    """
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

    (params, _, _, _), losses = scan_in_chunks(step, (params, zeros, zeros, jnp.asarray(0)), batches, progress)
    return params, losses
