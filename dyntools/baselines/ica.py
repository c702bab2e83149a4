r"""FastICA (Hyvarinen 1999), symmetric version with the log-cosh contrast.

Data X [B, N] are centred and whitened (PCA, keeping ``components`` directions); the unmixing
rows W are updated as W <- E[g(W z) z^T] - diag(E g'(W z)) W with g = tanh, then symmetrically
decorrelated, W <- (W W^T)^{-1/2} W, until |diag(W_new W_old^T)| is within tol of 1.
Filters in pixel space: W V (V the whitening matrix); basis functions: its pseudo-inverse.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from .._jax import jax, jnp
from ..errors import DyntoolsError

RANK_TOL = 1e-6  # a PCA direction with variance below this fraction of the largest is not in the data
CHUNK = 25  # fixed-point iterations per compiled call: progress is reported between calls
MAX_ITER = 1000


def _sym_decorrelate(W):
    vals, vecs = jnp.linalg.eigh(W @ W.T)
    vals = jnp.maximum(vals, jnp.finfo(W.dtype).tiny)  # rounding can make a near-zero eigenvalue negative
    return (vecs / jnp.sqrt(vals)) @ vecs.T @ W


@partial(jax.jit, static_argnames=("iterations",))
def _iterate(Z, W, tol, iterations: int):
    """Up to ``iterations`` fixed-point updates of W, stopping once the change is below ``tol``."""
    def update(state):
        W, k, _ = state
        Y = jnp.tanh(Z @ W.T)
        W_new = _sym_decorrelate(Y.T @ Z / Z.shape[0] - (1 - Y**2).mean(axis=0)[:, None] * W)
        return W_new, k + 1, jnp.max(jnp.abs(jnp.abs(jnp.sum(W_new * W, axis=1)) - 1))

    return jax.lax.while_loop(lambda state: (state[1] < iterations) & (state[2] >= tol), update,
                              (W, 0, jnp.asarray(jnp.inf, Z.dtype)))


def fast_ica(X: np.ndarray, components: int | None = None, *, max_iter: int = MAX_ITER, tol: float = 1e-4,
             seed: int = 0, progress: Callable[[int, int], None] | None = None) -> dict:
    r"""Symmetric FastICA with the log-cosh contrast ($g = \tanh$), in float32.

    The data are centred and whitened by PCA onto their `components` leading directions,
    $z = V (x - \bar x)$ with $V$ [C, N]; the unmixing matrix $W$ [C, C] (random start) is
    iterated as $W \leftarrow \mathbb{E}[g(W z) z^\top] - \mathrm{diag}(\mathbb{E}\, g'(W z))\, W$
    followed by $W \leftarrow (W W^\top)^{-1/2} W$, until
    $\max_i \big| |(W_\text{new} W^\top)_{ii}| - 1 \big| <$ `tol`.

    Arguments:
        X: [B, N] data, one sample per row.
        components: C, the number of independent components, in [1, rank]; None for the rank of
            the data (complete ICA: N, or N - 1 when every sample's mean was removed). The rank
            counts PCA variances above `RANK_TOL` times the largest.
        max_iter: the most fixed-point iterations.
        tol: convergence tolerance on the change of the unmixing rows.
        seed: seed of the random initial unmixing matrix.
        progress: called with (iterations run, max_iter) between compiled chunks of iterations.

    Returns:
        A dict: `"filters"` [C, N] the unmixing filters in pixel space ($W V$), `"basis"`
            [N, C] their pseudo-inverse (the mixing basis functions, one per column), `"rank"`
            (int) the data's rank, `"iterations"` (int) the iterations run, `"converged"`
            (bool) whether the tolerance was met before `max_iter`.

    Raises:
        DyntoolsError: if `components` is not in [1, rank].
    """
    X = np.asarray(X, dtype=float)
    variances, axes = _principal_axes(X)
    rank = len(variances)
    components = rank if components is None else components
    if not 1 <= components <= rank:
        raise DyntoolsError(f"ICA components must be in [1, {rank}]: the data span {rank} of {X.shape[1]} dimensions "
                            f"(got {components})", arguments=("components",))
    V = axes[:components] / np.sqrt(variances[:components])[:, None]  # whitening [C, N]
    Z = jnp.asarray((X - X.mean(axis=0)) @ V.T, jnp.float32)  # [n, C], identity covariance
    W = _sym_decorrelate(jnp.asarray(np.random.default_rng(seed).standard_normal((components, components)),
                                     jnp.float32))
    done, change = 0, np.inf
    while done < max_iter and not change < tol:
        W, k, change = _iterate(Z, W, tol, min(CHUNK, max_iter - done))
        done, change = done + int(k), float(change)
        if progress is not None:
            progress(done, max_iter)
    filters = np.asarray(W, dtype=float) @ V
    return {"filters": filters, "basis": np.linalg.pinv(filters), "rank": rank, "iterations": done,
            "converged": change < tol}


def principal_components(data: np.ndarray) -> np.ndarray:
    """The principal components of ``data`` [P, N] that carry variance, largest first.

    Returns:
        [C, N] unit-norm components, one per row; C the data's rank (variances above
            `RANK_TOL` times the largest), as in `fast_ica`.
    """
    return _principal_axes(np.asarray(data, dtype=float))[1]


def _principal_axes(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(variances [C], axes [C, N]) of the centred data, largest first, only those in the data."""
    centred = X - X.mean(axis=0)
    vals, vecs = np.linalg.eigh(centred.T @ centred / len(X))
    order = np.argsort(vals)[::-1]
    keep = order[vals[order] > RANK_TOL * vals.max()]
    return vals[keep], vecs[:, keep].T


def amari_index(W: np.ndarray, A: np.ndarray) -> float:
    r"""Amari distance of $P = W A$ from a scaled permutation: 0 for perfect separation.

    With $C$ the number of rows of $P$,

    $$
    d(P) = \frac{1}{2 C (C - 1)} \Big[\sum_i \Big(\frac{\sum_j |P_{ij}|}{\max_j |P_{ij}|} - 1\Big)
         + \sum_j \Big(\frac{\sum_i |P_{ij}|}{\max_i |P_{ij}|} - 1\Big)\Big] \in [0, 1].
    $$

    Arguments:
        W: [C, N] estimated unmixing matrix (e.g. `fast_ica(...)["filters"]`).
        A: [N, C] true mixing matrix, so that $W A$ is square [C, C] (C >= 2).

    Returns:
        The Amari index, a float in [0, 1].
    """
    P = np.abs(W @ A)
    c = P.shape[0]
    rows = (P.sum(axis=1) / P.max(axis=1) - 1).sum()
    cols = (P.sum(axis=0) / P.max(axis=0) - 1).sum()
    return float((rows + cols) / (2 * c * (c - 1)))
