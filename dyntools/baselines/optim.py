"""Adam (Optax's) on pytrees of parameters, and the chunked scan every trained baseline runs its steps in."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import equinox as eqx

from .._jax import jax, jnp

if TYPE_CHECKING:
    from jaxtyping import Array, Float, PyTree


SCAN_CHUNK = 100  # steps per compiled call: progress is reported between calls


def scan_in_chunks(step: Callable, carry: PyTree, xs: PyTree,
                   progress: Callable[[int, int], None] | None = None) -> tuple[PyTree, PyTree]:
    """``jax.lax.scan(step, carry, xs)`` in compiled chunks of `SCAN_CHUNK` steps.

    The same steps in the same order (one program for the chunk size, one for a remainder);
    between chunks ``progress(steps done, steps in all)`` is called.

    The programs are kept across calls, keyed by ``step`` and the shapes: a ``step`` that is a
    module-level function, or a ``jax.tree_util.Partial`` (or an Equinox module) of one, is
    compiled once. The arrays bound in a ``Partial`` are arguments of the program, not constants
    in it; its other bound values (functions, numbers, settings) are part of the key and must be
    hashable. A ``step`` defined inside a function (a closure, whose captured values the key
    cannot see) is compiled afresh on every call and its captures are baked into the program,
    as before; it is not kept, so its captures are not held alive.

    Arguments:
        step: ``step(carry, x) -> (carry, y)``.
        carry: the initial carry.
        xs: pytree whose leaves have a leading axis [S]: step t gets slice t.
        progress: called after every chunk, or None.

    Returns:
        The final carry and the stacked outputs, leaves with a leading axis [S].
    """
    total = jax.tree.leaves(xs)[0].shape[0]
    # the shared programs; a closure's are compiled for this call only and dropped with it (see above)
    run = partial(_scan, step) if _is_stable(step) else jax.jit(partial(jax.lax.scan, step))
    outputs = []
    for first in range(0, total, SCAN_CHUNK):
        carry, out = run(carry, jax.tree.map(lambda leaf: leaf[first:first + SCAN_CHUNK], xs))
        outputs.append(out)
        if progress is not None:
            progress(min(first + SCAN_CHUNK, total), total)
    return carry, jax.tree.map(lambda *parts: jnp.concatenate(parts), *outputs)


@eqx.filter_jit
def _scan(step, carry, xs):
    """The compiled scan of one chunk: arrays in ``step``, ``carry`` and ``xs`` are traced, the
    rest of ``step`` (its function, bound settings) is static, so one program per step and shapes."""
    return jax.lax.scan(step, carry, xs)


def _is_stable(step: Any) -> bool:
    """Whether the shared cache can key ``step`` by value: no function in it is a closure, a
    lambda or defined inside another function (a ``functools.partial`` neither: it hashes by
    identity). ``jax.tree_util.Partial`` and Equinox modules are looked into."""
    if isinstance(step, jax.tree_util.Partial):
        return _is_stable(step.func) and _is_stable((step.args, step.keywords))
    if callable(step) and not isinstance(step, eqx.Module):
        name = getattr(step, "__qualname__", None)
        return (name is not None and "<locals>" not in name and "<lambda>" not in name
                and getattr(step, "__closure__", None) is None)
    inner = lambda leaf: leaf is not step and (isinstance(leaf, jax.tree_util.Partial) or callable(leaf))  # noqa: E731
    return all(_is_stable(leaf) for leaf in jax.tree.leaves(step, is_leaf=inner) if callable(leaf))


def _identity(params: PyTree) -> PyTree:
    return params


def adam(loss: Callable[[PyTree, Any], Float[Array, ""]], params: PyTree, batches: PyTree, *, lr: float = 1e-3,
         beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
         project: Callable[[PyTree], PyTree] = _identity,
         progress: Callable[[int, int], None] | None = None) -> tuple[PyTree, Float[Array, " S"]]:
    r"""Minimize `loss(params, batch)` with Adam (`optax.adam`), one step per batch, in a `lax.scan`.

    Each step $t = 1..S$, with gradient $g$: $m \leftarrow \beta_1 m + (1 - \beta_1) g$,
    $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$,
    $p \leftarrow p - \mathrm{lr}\, \hat m / (\sqrt{\hat v} + \epsilon)$ with
    $\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$, then
    $p \leftarrow$ `project(p)` (e.g. renormalize atoms). (The earlier hand-written Adam added
    $\epsilon$ to $\sqrt{v}$, not $\sqrt{\hat v}$: an $\epsilon$ larger by $1/\sqrt{1 - \beta_2^t}$;
    with $\epsilon = 10^{-8}$ its fits differ from these by about $10^{-7}$ relative, and with
    $\epsilon = 0$ only by rounding: `tests/test_compile_once.py`.)

    The steps compile once per (loss, project, settings, shapes) and are reused by later calls
    (see [`scan_in_chunks`][dyntools.baselines.optim.scan_in_chunks]) when `loss` and `project`
    are module-level functions or `jax.tree_util.Partial`s of them: bind data arrays in a
    `Partial` (`Partial(f, data)` for `f(data, params, batch)`), so they are arguments of the
    program rather than constants; a closure still works, compiled afresh on every call.

    Arguments:
        loss: `loss(params, batch) -> scalar`, differentiable in `params`.
        params: initial parameters, any pytree of arrays.
        batches: pytree whose leaves have a leading axis [S, ...]: step t uses slice t.
        lr: learning rate.
        beta1: decay of the first-moment average.
        beta2: decay of the second-moment average.
        eps: added to $\sqrt{\hat v}$ in the denominator.
        project: applied to the parameters after every step.
        progress: called with (steps done, steps in all) between compiled chunks of steps.

    Returns:
        params: the final parameters (same pytree structure).
        losses: [S] loss at each step, before its update.
    """
    import optax

    settings = (float(lr), float(beta1), float(beta2), float(eps))
    state = (params, optax.adam(*settings).init(params))
    step = jax.tree_util.Partial(_adam_step, loss, project, settings)
    (params, _), losses = scan_in_chunks(step, state, batches, progress)
    return params, losses


def _adam_step(loss, project, settings, state, batch):
    """One Adam step of `adam`: ``(params, optax state), batch -> (new state, loss before the step)``."""
    import optax

    lr, beta1, beta2, eps = settings
    params, opt_state = state
    value, grads = jax.value_and_grad(loss)(params, batch)
    updates, opt_state = optax.adam(lr, b1=beta1, b2=beta2, eps=eps).update(grads, opt_state, params)
    return (project(optax.apply_updates(params, updates)), opt_state), value
