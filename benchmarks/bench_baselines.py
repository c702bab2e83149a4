"""LCA iterations/s and dictionary-learning time against a NumPy reference implementation in
the same run, and WARP-LCA's speed-up (iterations and wall time) over cold-start LCA.

    python benchmarks/bench_baselines.py
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import best_time, markdown_table  # noqa: E402

from dyntools._jax import jax, jnp  # noqa: E402
from dyntools.baselines import LCASettings, compare_cold_warm, lca, learn_dictionary, train_predictor  # noqa: E402
from dyntools.baselines.run import array_sampler  # noqa: E402
from dyntools.inputs.images import natural_patches  # noqa: E402

warnings.simplefilter("ignore")
LAM, ETA = 1.0, 0.1


def numpy_lca(D, s, iterations):
    """Reference: the same Euler steps in NumPy (soft threshold)."""
    b, gram = s @ D.T, D @ D.T - np.eye(D.shape[0])
    u = np.zeros_like(b)
    for _ in range(iterations):
        a = np.sign(u) * np.maximum(np.abs(u) - LAM, 0)
        u = u + ETA * (b - u - a @ gram)
    return np.sign(u) * np.maximum(np.abs(u) - LAM, 0)


def numpy_dictionary(data, atoms, steps, batch, iterations, lr, rng):
    D = rng.standard_normal((atoms, data.shape[1]))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    for _ in range(steps):
        s = data[rng.integers(len(data), size=batch)]
        a = numpy_lca(D, s, iterations)
        D += lr * a.T @ (s - a @ D) / batch
        D /= np.linalg.norm(D, axis=1, keepdims=True)
    return D


def main():
    patches = natural_patches(8, 20_000).reshape(20_000, 64).astype(np.float64)
    rng = np.random.default_rng(0)
    D = rng.standard_normal((128, 64))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    s = patches[:256]
    iterations = 200
    settings = LCASettings(LAM, eta=ETA, max_iter=iterations, tol=0.0, record_energy=False)
    Dj, sj = jnp.asarray(D), jnp.asarray(s)
    t_jax = best_time(lambda: jax.block_until_ready(lca(Dj, sj, settings)), repeats=3)
    t_np = best_time(lambda: numpy_lca(D, s, iterations), repeats=3)
    assert np.allclose(np.asarray(lca(Dj, sj, settings)[0]), numpy_lca(D, s, iterations), atol=1e-8)
    rows = [["LCA inference, 256 patches, 128 atoms, 200 iterations (no energy trace)", f"{iterations / t_jax:,.0f} it/s",
             f"{iterations / t_np:,.0f} it/s", f"{t_np / t_jax:.1f}x"]]

    steps, batch, inner = 100, 256, 200
    sample = array_sampler(patches)
    dl_settings = LCASettings(LAM, eta=ETA, max_iter=inner, tol=0.0)
    run = lambda: jax.block_until_ready(learn_dictionary(sample, 64, 128, dl_settings, steps=steps, batch=batch, lr=0.2))  # noqa: E731
    run()
    start = time.perf_counter()
    run()
    t_dl_jax = time.perf_counter() - start
    start = time.perf_counter()
    numpy_dictionary(patches, 128, steps, batch, inner, 0.2, rng)
    t_dl_np = time.perf_counter() - start
    rows.append([f"dictionary learning, {steps} steps x batch {batch}, {inner} LCA iterations each",
                 f"{t_dl_jax:.2f} s", f"{t_dl_np:.2f} s", f"{t_dl_np / t_dl_jax:.1f}x"])
    print(markdown_table(["LCA", "dyntools (JAX)", "NumPy reference", "speed-up"], rows))

    warm_rows = []
    settings = LCASettings(LAM, eta=ETA, max_iter=1000)
    for threshold in ("soft", "hard"):
        settings = LCASettings(LAM, threshold, eta=ETA, max_iter=1000)
        Dl, _ = learn_dictionary(sample, 64, 128, settings, steps=300, batch=256, lr=0.2)
        predictor, _ = train_predictor(Dl, sample(jax.random.PRNGKey(1), 20_000), settings, epochs=200)
        r = compare_cold_warm(Dl, predictor, sample(jax.random.PRNGKey(2), 1000), settings)
        warm_rows.append([threshold, f"{r['iterations_cold']:.1f}", f"{r['iterations_warm']:.1f}",
                          f"{r['iterations_cold'] / max(r['iterations_warm'], 1e-9):.1f}x",
                          f"{1e3 * r['wall_time_cold_s']:.1f} / {1e3 * r['wall_time_warm_s']:.1f} ms",
                          f"{r['final_energy_cold']:.3f} / {r['final_energy_warm']:.3f}"])
    print()
    print(markdown_table(["threshold", "iterations cold", "iterations warm", "speed-up (iterations)",
                          "wall time cold / warm", "final energy cold / warm"], warm_rows))


if __name__ == "__main__":
    main()
