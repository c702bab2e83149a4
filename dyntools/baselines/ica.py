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
    """Returns {"filters" [C, N], "basis" [N, C], "iterations", "converged"}."""
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
    """Amari distance of P = W A from a scaled permutation: 0 for perfect separation."""
    P = np.abs(W @ A)
    c = P.shape[0]
    rows = (P.sum(axis=1) / P.max(axis=1) - 1).sum()
    cols = (P.sum(axis=0) / P.max(axis=0) - 1).sum()
    return float((rows + cols) / (2 * c * (c - 1)))
