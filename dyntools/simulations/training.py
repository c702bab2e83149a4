r"""Training a network ([`networks`][dyntools.simulations.networks]) on the two-class task with
its loss $\mathbb{E}(y - f(x))^2$ (no 1/2).

Two trainers share the loss: SGD on fresh mini-batches (``lax.scan``, vmapped over seeds; time
$t$ = learning rate x steps) and deterministic gradient flow on a fixed sample set (Diffrax).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from .._jax import jax, jnp, require_x64, stack
from ..errors import DyntoolsError
from .integrate import check_solution, max_steps_for, solve
from .solvers import check_solver

if TYPE_CHECKING:
    from jax.typing import DTypeLike
    from jaxtyping import Array, Float, PRNGKeyArray

    from ..inputs.task import TwoClassTask
    from .networks import Network

CHUNK_STEPS = 500  # SGD steps per compiled call: Ctrl-C is honoured between calls
CPU_GROUP_BYTES = 2 * 2**20  # on CPU, seeds are vmapped in groups whose batches fit this (the caches)


def seed_group(seeds: int, batch: int, n_pixels: int, itemsize: int) -> int:
    """How many seeds one SGD step vmaps at a time; the groups run one after another.

    On an accelerator every seed is vmapped. On a CPU, vmapping all of them makes each step's
    batch outgrow the caches: at the paper's sweep point (batch 5000, N = 40, 30 seeds) groups of
    2-6 seeds ran 1.8x faster than all 30 at once, with identical numbers.

    Arguments:
        seeds: the runs of a point.
        batch: samples per step.
        n_pixels: N.
        itemsize: bytes per number.

    Returns:
        The group size, from 1 to ``seeds``.
    """
    if jax.default_backend() != "cpu":
        return seeds
    return max(1, min(seeds, CPU_GROUP_BYTES // (batch * n_pixels * itemsize)))


def sgd_trajectories(task: TwoClassTask, net: Network, params0: dict, keys: PRNGKeyArray, *, lr: float,
                     steps: int, batch: int, saves: int, dtype: DTypeLike = jnp.float32) -> dict:
    r"""SGD on fresh batches from ``task``, one run per key (vmapped), all from ``params0``.

    Each step draws a fresh batch and takes $\theta \leftarrow \theta - \text{lr}\,\nabla L$
    ([`Network.loss`][dyntools.simulations.networks._base.Network.loss]), so time is
    $t = \text{lr} \times \text{steps}$. Seed ``s`` splits its key into one key per saved block and
    each block key into one key per step. This is [`sgd_points`][dyntools.simulations.training.sgd_points]
    with one point.

    Arguments:
        task: the two-class task the batches are drawn from.
        net: the network.
        params0: the initial parameters, ``{"w": [K, N]}`` (plus ``"b": [K]``), shared by all
            runs.
        keys: [seeds] JAX random keys, one per run.
        lr: the learning rate.
        steps: the number of SGD steps, a multiple of ``saves``.
        batch: fresh samples per step.
        saves: the number of saved points after step 0.
        dtype: the dtype of the parameters and the data.

    Returns:
        The parameters at ``saves + 1`` equally spaced steps (step 0 included), each leaf with
            leading axes [seeds, saves + 1]: ``"w"`` [seeds, saves + 1, K, N] (and ``"b"``
            [seeds, saves + 1, K]).

    Raises:
        DyntoolsError: if ``steps`` is not a multiple of ``saves``.
    """
    one = partial(jax.tree.map, lambda leaf: leaf[None])
    saved = sgd_points(stack([task]), net, one(params0), keys[None], lr=np.asarray([lr]), steps=steps, batch=batch,
                       saves=saves, dtype=dtype)
    return jax.tree.map(lambda leaf: leaf[0], saved)


def sgd_points(tasks: TwoClassTask, net: Network, params0: dict, keys: PRNGKeyArray, *, lr: Float[Array, " P"],
               steps: int, batch: int, saves: int, dtype: DTypeLike = jnp.float32,
               progress: Callable[[int], None] | None = None) -> dict:
    r"""SGD at P points at once (tasks of one structure, vmapped), ``seeds`` runs per point.

    Point ``p`` is exactly [`sgd_trajectories`][dyntools.simulations.training.sgd_trajectories]
    with task ``p``, ``params0[p]``, ``keys[p]`` and ``lr[p]``: the same keys draw the same
    batches. The steps run in compiled chunks of at most `CHUNK_STEPS` (one program for the
    chunk size, one for a remainder), so an interrupt takes effect between chunks; the task's
    numbers are traced, so points of one structure and shape share one program.

    Arguments:
        tasks: the P tasks, stacked (see `dyntools._jax.stack`).
        net: the network (the same at every point).
        params0: the initial parameters of each point, ``{"w": [P, K, N]}`` (plus ``"b": [P, K]``).
        keys: [P, seeds] JAX random keys, one per run.
        lr: [P] the learning rates.
        steps: the number of SGD steps, a multiple of ``saves``.
        batch: fresh samples per step.
        saves: the number of saved points after step 0.
        dtype: the dtype of the parameters and the data.
        progress: called after every compiled chunk with the number of steps each run took in
            it (between compiled calls: it costs the run nothing measurable).

    Returns:
        The parameters at ``saves + 1`` equally spaced steps, each leaf with leading axes
            [P, seeds, saves + 1]: ``"w"`` [P, seeds, saves + 1, K, N] (and ``"b"``).

    Raises:
        DyntoolsError: if ``steps`` is not a multiple of ``saves``.
    """
    if steps % saves:
        raise DyntoolsError(f"steps ({steps}) must be a multiple of saves ({saves})", arguments=("steps", "saves"))
    every = steps // saves
    per_run = lambda f: jax.vmap(jax.vmap(f))  # noqa: E731  over points, then seeds
    seeds = keys.shape[1]
    group = seed_group(seeds, batch, tasks.n_pixels, jnp.dtype(dtype).itemsize)
    params = jax.tree.map(lambda p: jnp.repeat(p.astype(dtype)[:, None], seeds, axis=1), params0)
    block_keys = per_run(lambda k: jax.random.split(k, saves))(keys)
    lr = jnp.asarray(lr, dtype)
    saved = [params]
    for block in range(saves):
        step_keys = per_run(lambda k: jax.random.split(k, every))(block_keys[:, :, block])
        for first in range(0, every, CHUNK_STEPS):
            chunk = step_keys[:, :, first:first + CHUNK_STEPS]
            params = jax.block_until_ready(_sgd_chunk(params, chunk, lr, tasks, net=net, batch=batch,
                                                      dtype_name=jnp.dtype(dtype).name, group=group))
            if progress is not None:
                progress(chunk.shape[2])
        saved.append(params)
    return jax.tree.map(lambda *leaves: jnp.stack(leaves, axis=2), *saved)


@partial(jax.jit, static_argnames=("net", "batch", "dtype_name", "group"))
def _sgd_chunk(params, step_keys, lr, tasks, *, net, batch, dtype_name, group):
    """One SGD step per key of step_keys [P, seeds, C], vmapped over points and over seeds in groups
    of ``group`` (see `seed_group`); tasks and lr are traced, so one program serves a structure
    and shape. (Not an exported program: measured, the exported SGD ran 27% slower than this
    jitted one, 345 against 471 seed-steps/s.)"""
    dtype = jnp.dtype(dtype_name)

    def point(params, keys, lr, task):
        def step(params, key):
            x, y = task.sample(key, batch, dtype)
            grads = jax.grad(net.loss)(params, x.reshape(batch, task.n_pixels), y.astype(dtype))
            return jax.tree.map(lambda p, g: p - lr * g, params, grads), None

        return jax.lax.map(lambda pk: jax.lax.scan(step, *pk)[0], (params, keys), batch_size=group)

    return jax.vmap(point)(params, step_keys, lr, tasks)


def first_nonfinite_step(weights: np.ndarray, save_every: int) -> int | None:
    """The first saved step whose weights are not all finite, in any run.

    Arguments:
        weights: `[seeds, T, ...]` saved weights (e.g. [seeds, T, K, N]).
        save_every: SGD steps between saved points.

    Returns:
        The step number (save index times ``save_every``), or None if every save is finite.
    """
    finite = np.isfinite(weights.reshape(weights.shape[0], weights.shape[1], -1)).all(axis=(0, 2))
    return None if finite.all() else int(np.argmin(finite)) * save_every


def gradient_flow_trajectories(task: TwoClassTask, net: Network, params0: dict, key: PRNGKeyArray, *,
                               samples: int, t_save: np.ndarray, solver: str = "tsit5",
                               dt0: float | None = None) -> dict:
    r"""Deterministic gradient flow $d\theta/dt = -\nabla L(\theta)$ on one fixed sample set, by Diffrax.

    The loss is the empirical mean over ``samples`` inputs drawn once from ``key`` (float64); the
    largest eigenvalue of their second-moment matrix sets the solver's step budget.

    Arguments:
        task: the two-class task the samples are drawn from.
        net: the network.
        params0: the initial parameters, ``{"w": [K, N]}`` (plus ``"b": [K]``).
        key: the JAX random key of the sample set.
        samples: the number of (x, y) samples.
        t_save: [T] increasing save times (continuous time, the last one the horizon).
        solver: a Diffrax solver name from [`SOLVERS`][dyntools.simulations.solvers.SOLVERS].
        dt0: the fixed step of ``euler`` (required there: then the flow is full-batch gradient
            descent at learning rate ``dt0``); None for an adaptive solver.

    Returns:
        The parameters at each save time, each leaf with a leading axis [T]: ``"w"`` [T, K, N]
            (and ``"b"`` [T, K]).

    Raises:
        DyntoolsError: if the solver fails or the solution is not finite.
    """
    require_x64()
    check_solver(solver)
    x, y = task.sample(key, samples, jnp.float64)
    x, y = x.reshape(samples, -1), y.astype(jnp.float64)
    stiffness = float(jnp.linalg.eigvalsh(x.T @ x / samples).max())
    t_save = np.asarray(t_save, dtype=np.float64)
    budget = max_steps_for(float(t_save[-1]), stiffness, dt0)  # a power of two: nearby sample sets share it
    ys, ok = _gradient_flow(params0, x, y, jnp.asarray(t_save), None if dt0 is None else jnp.asarray(dt0),
                            net=net, solver=solver, max_steps=budget)
    check_solution(ys["w"], ok, "gradient flow")
    return ys


@partial(jax.jit, static_argnames=("net", "solver", "max_steps"))
def _gradient_flow(params0, x, y, t_save, dt0, *, net, solver, max_steps):
    """The gradient-flow solve of `gradient_flow_trajectories`: the samples and save times are
    arguments (traced), so one program serves a network, solver, step budget and shapes."""
    field = lambda t, params, args: jax.tree.map(jnp.negative, jax.grad(net.loss)(params, *args))  # noqa: E731
    return solve(field, params0, t_save, max_steps=max_steps, solver=solver, dt0=dt0, args=(x, y))
