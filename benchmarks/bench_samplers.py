"""Samples/s of the FFT samplers (NLGP and copula) against a dense matrix-square-root reference
measured in the same run. Target: >= 10x the dense reference at N = 400, growth ~ N log N.

    python benchmarks/bench_samplers.py [--quick]
"""

import argparse
import math
import sys
import warnings
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import best_time, markdown_table  # noqa: E402

from dyntools._jax import jax, jnp  # noqa: E402
from dyntools.inputs import NLGP, Alg, Copula  # noqa: E402


def dense_sampler(model: Copula):
    """Reference: x = g(C^{1/2} eps) with the dense symmetric square root (eigh)."""
    vals, vecs = np.linalg.eigh(model.latent.dense())
    root = jnp.asarray((vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T, dtype=jnp.float32)
    shape = model.shape

    @partial(jax.jit, static_argnums=1)
    def sample(key, n):
        eps = jax.random.normal(key, (n, root.shape[0]), dtype=jnp.float32)
        return model.marginal.transform(eps @ root).reshape((n, *shape))

    return sample


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes only (smoke test)")
    args = parser.parse_args()
    sizes = [((40,), 20000), ((400,), 5000)] if args.quick else [
        ((40,), 20000), ((400,), 5000), ((4096,), 500), ((64, 64), 500)]
    rows = []
    warnings.simplefilter("ignore")
    key = jax.random.PRNGKey(0)
    for name, marginal in (("nlgp g=1", NLGP(1.0)), ("copula alg k=8", Alg(8.0))):
        for shape, batch in sizes:
            model = Copula(shape, 2.0, marginal)
            fft = jax.jit(model.sample, static_argnums=1)
            dense = dense_sampler(model)
            t_fft = best_time(lambda: fft(key, batch).block_until_ready())
            t_dense = best_time(lambda: dense(key, batch).block_until_ready())
            n = math.prod(shape)
            rows.append([name, "x".join(map(str, shape)), n, f"{batch / t_fft:,.0f}", f"{batch / t_dense:,.0f}",
                         f"{t_dense / t_fft:.1f}x"])
            print(rows[-1], flush=True)
    print()
    print(markdown_table(["sampler", "grid", "N", "FFT samples/s", "dense samples/s", "speed-up"], rows))


if __name__ == "__main__":
    main()
