r"""WLSC (Huml, Tasissa & Ba 2024): an unrolled sparse-coding autoencoder whose code penalty is
weighted by distance, lambda sum_j ||x - d_j||^2 z_j: the Laplacian quadratic form of the
bipartite graph between a data point and the atoms, with the codes as edge weights. Codes are
non-negative; the decoder is tied to the encoder's dictionary.

Encoder: z_0 = 0, z_t = ReLU(z_{t-1} - eta_t [(z_{t-1} D - x) D^T + lambda w(x)]), t = 1..T,
w_j(x) = ||x - d_j||^2, with learnable step sizes eta_t = softplus(theta_t). Loss:
||x - z_T D||^2 / 2 + lambda w(x) . z_T, minimized over D (rows renormalized) and theta.
"""

from __future__ import annotations

import numpy as np

from .._jax import jax, jnp
from ..errors import DyntoolsError
from .lca import normalize_rows
from .optim import adam


def locality_weights(D, x):
    """w_j(x) = ||x - d_j||^2 for every atom j: [B, M]."""
    return jnp.sum(x**2, axis=-1, keepdims=True) - 2 * x @ D.T + jnp.sum(D**2, axis=-1)


def encode(params, x, lam: float):
    D, steps = params["D"], jax.nn.softplus(params["theta"])
    w = locality_weights(D, x)
    z = jnp.zeros((x.shape[0], D.shape[0]), x.dtype)
    for eta in steps:  # unrolled: a fixed, small number of layers
        z = jax.nn.relu(z - eta * ((z @ D - x) @ D.T + lam * w))
    return z


def wlsc_loss(params, x, lam: float):
    z = encode(params, x, lam)
    recon = 0.5 * jnp.sum((x - z @ params["D"]) ** 2, axis=-1)
    return jnp.mean(recon + lam * jnp.sum(locality_weights(params["D"], x) * z, axis=-1))


def train_wlsc(sample, n_pixels: int, atoms: int, lam: float, *, layers: int = 10, steps: int = 500,
               batch: int = 256, lr: float = 3e-3, key=None) -> tuple[dict, np.ndarray]:
    """Train on fresh batches ``sample(key, batch) -> x``; returns (params, losses)."""
    if not lam > 0:
        raise DyntoolsError(f"lambda must be positive (got {lam})")
    if atoms < 1 or layers < 1:
        raise DyntoolsError(f"atoms and layers must be at least 1 (got {atoms}, {layers})")
    key = jax.random.PRNGKey(0) if key is None else key
    k_init, k_data = jax.random.split(key)
    params = {"D": normalize_rows(jax.random.normal(k_init, (atoms, n_pixels))),
              "theta": jnp.full(layers, jnp.log(jnp.expm1(0.1)))}  # eta_t = 0.1 at the start
    data = jax.vmap(lambda k: sample(k, batch))(jax.random.split(k_data, steps))
    project = lambda p: {**p, "D": normalize_rows(p["D"])}  # noqa: E731
    return adam(lambda p, x: wlsc_loss(p, x, lam), params, data, lr=lr, project=project)
