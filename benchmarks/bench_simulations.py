"""Simulation throughput against plain references measured in the same run:

- SGD steps/s (single neuron and K = 10, N = 100, batch 10000; and a small-batch case): jit +
  lax.scan (one seed, and vmapped over 4 seeds) against a plain per-step Python loop calling a
  jitted step;
- effective-ODE trajectories/s: Diffrax Tsit5 (adaptive, vmapped over initial conditions)
  against a fixed-step NumPy Euler reference of comparable accuracy.

    python benchmarks/bench_simulations.py
"""

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import best_time, markdown_table  # noqa: E402

from dyntools._jax import jax, jnp  # noqa: E402
from dyntools.inputs import TaskSpec, build_task  # noqa: E402
from dyntools.simulations import CommitteeMachine, sgd_trajectories, solve  # noqa: E402
from dyntools.theory import EffectiveDynamics, task_amplifier  # noqa: E402

warnings.simplefilter("ignore")


def sgd_rows():
    rows = []
    for neurons, n, batch, steps in ((1, 100, 10_000, 100), (10, 100, 10_000, 100), (1, 40, 100, 2000)):
        task = build_task(TaskSpec(family="alg", kurtosis=-1.0, n_dims=n, xi0=1.0, xi1=2.0))
        net = CommitteeMachine(n, neurons)
        p0 = net.init(jax.random.PRNGKey(0), 1e-3)

        def scan(seeds):
            keys = jax.random.split(jax.random.PRNGKey(1), seeds)
            run = lambda: jax.block_until_ready(sgd_trajectories(task, net, p0, keys, lr=0.05, steps=steps,  # noqa: E731
                                                                 batch=batch, saves=1))
            return steps * seeds / best_time(run, repeats=3, min_time=0.5)

        @jax.jit
        def step(params, key):
            x, y = task.sample(key, batch)
            g = jax.grad(net.loss)(params, x.reshape(batch, -1), y.astype(jnp.float32))
            return jax.tree.map(lambda p, gg: p - 0.05 * gg, params, g)

        start = jax.tree.map(lambda p: p.astype(jnp.float32), p0)

        def loop():
            params = start
            for key in jax.random.split(jax.random.PRNGKey(2), steps):
                params = step(params, key)
            jax.block_until_ready(params)

        looped = steps / best_time(loop, repeats=3, min_time=0.5)
        single = scan(1)
        rows.append([f"K = {neurons}, N = {n}, batch {batch}", f"{single:,.0f}", f"{scan(4):,.0f}", f"{looped:,.0f}",
                     f"{single / looped:.2f}x"])
    return rows


def ode_rows():
    task = build_task(TaskSpec(family="alg", kurtosis=-1.0, n_dims=40, xi0=1.0, xi1=2.0))
    phi = task_amplifier(task)
    dyn = EffectiveDynamics(phi, task.sigma0, task.sigma1)
    n_traj, horizon = 16, 100.0
    w0 = 0.007 * jax.random.normal(jax.random.PRNGKey(0), (n_traj, 1, 40))
    t = np.linspace(0, horizon, 11)
    stiffness = float((task.sigma0.eigenvalues + task.sigma1.eigenvalues).max())
    run = jax.jit(jax.vmap(lambda w: solve(dyn, w, t, stiffness=stiffness)[0]))
    t_dfx = best_time(lambda: run(w0).block_until_ready(), repeats=3, min_time=0.5)
    reference = np.asarray(jax.jit(jax.vmap(lambda w: solve(dyn, w, t, stiffness=stiffness, rtol=1e-10,
                                                            atol=1e-13)[0]))(w0))[:, -1]

    s0, s1 = task.sigma0.dense(), task.sigma1.dense()
    phi_np = jax.jit(phi)
    dt = 0.01

    def euler():
        w = np.asarray(w0)[:, 0]
        for _ in range(int(horizon / dt)):
            a = w @ s1 / np.sqrt(np.einsum("ij,jk,ik->i", w, s1, w))[:, None]
            w = w + dt * 0.5 * (np.asarray(phi_np(a)) - w @ (s0 + s1))
        return w

    t_euler = best_time(euler, repeats=1, min_time=0.1)
    err = lambda w: float(np.max(np.linalg.norm(w - reference[:, 0], axis=-1) / np.linalg.norm(reference[:, 0], axis=-1)))  # noqa: E731
    e_dfx = err(np.asarray(run(w0))[:, -1, 0])
    e_euler = err(euler())
    return [[f"{n_traj} trajectories, N = 40, t = {horizon:g}", f"{n_traj / t_dfx:,.1f} ({e_dfx:.1e})",
             f"{n_traj / t_euler:,.1f} ({e_euler:.1e})", f"{t_euler / t_dfx:.1f}x"]]


def main():
    print(markdown_table(["SGD", "lax.scan, 1 seed (steps/s)", "lax.scan vmapped, 4 seeds (seed-steps/s)",
                          "Python loop, 1 seed (steps/s)", "scan / loop"], sgd_rows()))
    print()
    print(markdown_table(["effective ODE", "Diffrax Tsit5 traj/s (rel. error)", "NumPy Euler dt=0.01 traj/s (rel. error)",
                          "speed-up"], ode_rows()))


if __name__ == "__main__":
    main()
