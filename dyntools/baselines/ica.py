r"""FastICA (Hyvarinen 1999), symmetric version with the log-cosh contrast.

Data X [B, N] are centred and whitened (PCA, keeping ``components`` directions); the unmixing
rows W are updated as W <- E[g(W z) z^T] - diag(E g'(W z)) W with g = tanh, then symmetrically
decorrelated, W <- (W W^T)^{-1/2} W, until |diag(W_new W_old^T)| is within tol of 1.
Filters in pixel space: W V (V the whitening matrix); basis functions: its pseudo-inverse.
"""

from __future__ import annotations

import numpy as np

from ..errors import DyntoolsError


def _sym_decorrelate(W):
    vals, vecs = np.linalg.eigh(W @ W.T)
    return (vecs / np.sqrt(vals)) @ vecs.T @ W


def fast_ica(X: np.ndarray, components: int | None = None, *, max_iter: int = 500, tol: float = 1e-6,
             seed: int = 0) -> dict:
    r"""Symmetric FastICA with the log-cosh contrast ($g = \tanh$).

    The data are centred and whitened by PCA onto their `components` leading directions,
    $z = V (x - \bar x)$ with $V$ [C, N]; the unmixing matrix $W$ [C, C] (random start) is
    iterated as $W \leftarrow \mathbb{E}[g(W z) z^\top] - \mathrm{diag}(\mathbb{E}\, g'(W z))\, W$
    followed by $W \leftarrow (W W^\top)^{-1/2} W$, until
    $\max_i \big| |(W_\text{new} W^\top)_{ii}| - 1 \big| <$ `tol`.

    Arguments:
        X: [B, N] data, one sample per row.
        components: C, the number of independent components, in [1, N]; None for C = N.
        max_iter: the most fixed-point iterations.
        tol: convergence tolerance on the change of the unmixing rows.
        seed: seed of the random initial unmixing matrix.

    Returns:
        A dict: `"filters"` [C, N] the unmixing filters in pixel space ($W V$), `"basis"`
            [N, C] their pseudo-inverse (the mixing basis functions, one per column),
            `"iterations"` (int) the iterations run, `"converged"` (bool) whether the tolerance
            was met before `max_iter`.

    Raises:
        DyntoolsError: if `components` is not in [1, N].
    """
    X = np.asarray(X, dtype=float)
    n, dim = X.shape
    components = dim if components is None else components
    if not 1 <= components <= dim:
        raise DyntoolsError(f"ICA components must be in [1, {dim}] (got {components})")
    Xc = X - X.mean(axis=0)
    vals, vecs = np.linalg.eigh(Xc.T @ Xc / n)
    order = np.argsort(vals)[::-1][:components]
    V = vecs[:, order].T / np.sqrt(vals[order])[:, None]  # whitening [C, N]
    Z = Xc @ V.T  # [n, C], identity covariance
    W = _sym_decorrelate(np.random.default_rng(seed).standard_normal((components, components)))
    for iteration in range(1, max_iter + 1):
        Y = np.tanh(Z @ W.T)
        W_new = _sym_decorrelate(Y.T @ Z / n - np.diag((1 - Y**2).mean(axis=0)) @ W)
        change = np.max(np.abs(np.abs(np.sum(W_new * W, axis=1)) - 1))
        W = W_new
        if change < tol:
            break
    filters = W @ V
    return {"filters": filters, "basis": np.linalg.pinv(filters), "iterations": iteration, "converged": change < tol}


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
