r"""WLSC (Huml, Tasissa & Ba 2024): an unrolled sparse-coding autoencoder whose code penalty is
weighted by distance, lambda sum_j ||x - d_j||^2 z_j: the Laplacian quadratic form of the
bipartite graph between a data point and the atoms, with the codes as edge weights. Codes are
non-negative; the decoder is tied to the encoder's dictionary.

Encoder: z_0 = 0, z_t = ReLU(z_{t-1} - eta_t [(z_{t-1} D - x) D^T + lambda w(x)]), t = 1..T,
w_j(x) = ||x - d_j||^2, with learnable step sizes eta_t = softplus(theta_t). Loss:
||x - z_T D||^2 / 2 + lambda w(x) . z_T, minimized over D (rows renormalized) and theta.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Callable

import numpy as np

from .._jax import jax, jnp
from ..errors import DyntoolsError
from .lca import normalize_rows
from .optim import adam

if TYPE_CHECKING:
    from jaxtyping import Array, Float


def locality_weights(D: Float[Array, "M N"], x: Float[Array, "B N"]) -> Float[Array, "B M"]:
    r"""$w_j(x) = \lVert x - d_j\rVert^2$ for every atom j: [B, M].

    Arguments:
        D: [M, N] dictionary, atoms $d_j$ as rows.
        x: [B, N] inputs.

    Returns:
        [B, M] squared distances from each input to each atom.
    """
    return jnp.sum(x**2, axis=-1, keepdims=True) - 2 * x @ D.T + jnp.sum(D**2, axis=-1)


def encode(params: dict, x: Float[Array, "B N"], lam: float) -> Float[Array, "B M"]:
    r"""The unrolled WLSC encoder: T non-negative proximal-gradient layers from $z_0 = 0$.

    $z_t = \mathrm{ReLU}\big(z_{t-1} - \eta_t [(z_{t-1} D - x) D^\top + \lambda w(x)]\big)$ with
    $\eta_t = \mathrm{softplus}(\theta_t)$ and $w$ from
    [`locality_weights`][dyntools.baselines.wlsc.locality_weights].

    Arguments:
        params: `{"D": [M, N] dictionary, "theta": [T] raw step sizes}`.
        x: [B, N] inputs.
        lam: weight $\lambda$ of the locality penalty.

    Returns:
        [B, M] non-negative codes $z_T$.
    """
    D, steps = params["D"], jax.nn.softplus(params["theta"])
    w = locality_weights(D, x)
    z = jnp.zeros((x.shape[0], D.shape[0]), x.dtype)
    for eta in steps:  # unrolled: a fixed, small number of layers
        z = jax.nn.relu(z - eta * ((z @ D - x) @ D.T + lam * w))
    return z


def wlsc_loss(params: dict, x: Float[Array, "B N"], lam: float) -> Float[Array, ""]:
    r"""The WLSC training loss, averaged over the batch.

    $$
    L = \Big\langle \tfrac12 \lVert x - z_T D\rVert^2 + \lambda\, w(x) \cdot z_T \Big\rangle_{\text{batch}}.
    $$

    Arguments:
        params: `{"D": [M, N], "theta": [T]}` as in [`encode`][dyntools.baselines.wlsc.encode].
        x: [B, N] inputs.
        lam: weight $\lambda$ of the locality penalty.

    Returns:
        Scalar mean loss.
    """
    z = encode(params, x, lam)
    recon = 0.5 * jnp.sum((x - z @ params["D"]) ** 2, axis=-1)
    return jnp.mean(recon + lam * jnp.sum(locality_weights(params["D"], x) * z, axis=-1))


def train_wlsc(sample: Callable[[Array, int], Float[Array, "n N"]], n_pixels: int, atoms: int, lam: float, *,
               layers: int = 10, steps: int = 500, batch: int = 256, lr: float = 3e-3,
               key: Array | None = None, progress: Callable[[int, int], None] | None = None) -> tuple[dict, np.ndarray]:
    r"""Train WLSC with Adam on fresh batches `sample(key, batch) -> x`.

    $D$ starts as random unit-norm rows and is renormalized after every step; every
    $\eta_t$ starts at 0.1. All `steps` batches are drawn up front ([steps, batch, N] in memory).

    Arguments:
        sample: `sample(key, n) -> [n, N]` draws n inputs.
        n_pixels: N, the input dimension.
        atoms: M, the number of atoms, at least 1.
        lam: weight $\lambda > 0$ of the locality penalty.
        layers: T, the number of unrolled encoder layers, at least 1.
        steps: number of Adam steps.
        batch: inputs per step.
        lr: Adam learning rate.
        key: JAX PRNG key; None for `PRNGKey(0)`.
        progress: called with (steps done, steps in all) between compiled chunks of steps.

    Returns:
        params: `{"D": [M, N] learned dictionary, "theta": [T] raw step sizes}`.
        losses: [steps] loss per step.

    Raises:
        DyntoolsError: if `lam` <= 0, or `atoms` or `layers` < 1.
    """
    if not lam > 0:
        raise DyntoolsError(f"lambda must be positive (got {lam})")
    if atoms < 1 or layers < 1:
        raise DyntoolsError(f"atoms and layers must be at least 1 (got {atoms}, {layers})")
    key = jax.random.PRNGKey(0) if key is None else key
    k_init, k_data = jax.random.split(key)
    D = normalize_rows(jax.random.normal(k_init, (atoms, n_pixels)))
    # eta_t = 0.1 at the start; D's dtype, not weakly typed: the first steps' program serves them all
    params = {"D": D, "theta": jnp.full(layers, jnp.log(jnp.expm1(0.1)), D.dtype)}
    data = jax.vmap(lambda k: sample(k, batch))(jax.random.split(k_data, steps))
    # module-level loss and projection, lam bound in a Partial: every fit of these shapes and
    # settings shares one compiled program
    return adam(jax.tree_util.Partial(_batch_loss, lam), params, data, lr=lr, project=_renormalize,
                progress=progress)


def _batch_loss(lam: float, params: dict, x: Float[Array, "B N"]) -> Float[Array, ""]:
    """`wlsc_loss` with lam first, for `jax.tree_util.Partial`."""
    return wlsc_loss(params, x, lam)


def _renormalize(params: dict) -> dict:
    """The parameters with unit-norm atoms (rows of D)."""
    return {**params, "D": normalize_rows(params["D"])}
