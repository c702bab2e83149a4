r"""The Locally Competitive Algorithm (Rozell et al. 2008) and dictionary learning with it.

Dictionary D [M, N]: one unit-norm atom per row. For inputs s [B, N]: b = s D^T, G = D D^T - I,
and the membrane potentials u [B, M] follow tau du/dt = b - u - a G with codes a = T(u).

- soft threshold T(u) = sign(u) max(|u| - lambda, 0): minimizes the LASSO energy
  E = ||s - a D||^2 / 2 + lambda ||a||_1;
- hard threshold T(u) = u 1(|u| > lambda): the l0 energy E = ||s - a D||^2 / 2 + (lambda^2/2) ||a||_0;
- ``nonneg``: the one-sided versions (codes >= 0).

The Euler step u <- u + eta (b - u - a G) with eta = dt/tau = 1 is one ISTA step.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

from jaxtyping import Array, Float

from .._jax import jax, jnp
from ..errors import DyntoolsError

THRESHOLDS = ("soft", "hard")


def threshold(u, lam: float, kind: str, nonneg: bool):
    if kind == "soft":
        return jnp.maximum(u - lam, 0.0) if nonneg else jnp.sign(u) * jnp.maximum(jnp.abs(u) - lam, 0.0)
    if kind == "hard":
        return u * (u > lam) if nonneg else u * (jnp.abs(u) > lam)
    raise DyntoolsError(f"unknown threshold '{kind}'; choose soft or hard")


def energy(D, s, a, lam: float, kind: str) -> Float[Array, " B"]:
    """Per-sample sparse-coding energy (LASSO for soft, l0 for hard thresholds)."""
    residual = 0.5 * jnp.sum((s - a @ D) ** 2, axis=-1)
    if kind == "soft":
        return residual + lam * jnp.sum(jnp.abs(a), axis=-1)
    return residual + 0.5 * lam**2 * jnp.sum(a != 0, axis=-1)


@dataclass(frozen=True)
class LCASettings:
    lam: float = 0.1
    threshold: str = "soft"
    nonneg: bool = False
    eta: float = 0.1  # dt / tau
    max_iter: int = 500
    tol: float = 1e-6  # stop when max |du| < tol
    record_energy: bool = True  # energy at every iteration (else only at the start and the end)

    def __post_init__(self):
        if not self.lam > 0:
            raise DyntoolsError(f"lambda must be positive (got {self.lam})")
        if self.threshold not in THRESHOLDS:
            raise DyntoolsError(f"unknown threshold '{self.threshold}'; choose soft or hard")
        if not 0 < self.eta <= 1:
            raise DyntoolsError(f"eta = dt/tau must be in (0, 1] (got {self.eta})")
        if self.max_iter < 1:
            raise DyntoolsError(f"max_iter must be at least 1 (got {self.max_iter})")


@partial(jax.jit, static_argnames=("settings",))
def lca(D: Float[Array, "M N"], s: Float[Array, "B N"], settings: LCASettings, u0=None, target=None):
    """Run LCA from u0 (zeros by default) until max |du| < tol, every sample's energy is at or
    below ``target`` [B] (when given), or max_iter. Returns (codes, u, energy trace
    [max_iter + 1, B] (nan after the stop, and between start and end unless
    ``settings.record_energy``), iterations)."""
    lam, kind, nonneg, eta = settings.lam, settings.threshold, settings.nonneg, settings.eta
    s = s.astype(D.dtype)
    b = s @ D.T
    gram = D @ D.T - jnp.eye(D.shape[0], dtype=D.dtype)
    u = jnp.zeros_like(b) if u0 is None else u0
    trace = jnp.full((settings.max_iter + 1, s.shape[0]), jnp.nan, dtype=s.dtype)
    trace = trace.at[0].set(energy(D, s, threshold(u, lam, kind, nonneg), lam, kind))

    def reached(trace, k):
        return jnp.all(trace[k] <= target) if target is not None else jnp.asarray(False)

    def cond(state):
        u, k, change, trace = state
        return (k < settings.max_iter) & (change >= settings.tol) & ~reached(trace, k)

    record = settings.record_energy or target is not None

    def body(state):
        u, k, _, trace = state
        a = threshold(u, lam, kind, nonneg)
        du = eta * (b - u - a @ gram)
        u = u + du
        if record:
            trace = trace.at[k + 1].set(energy(D, s, threshold(u, lam, kind, nonneg), lam, kind))
        return u, k + 1, jnp.max(jnp.abs(du)), trace

    u, k, _, trace = jax.lax.while_loop(cond, body, (u, 0, jnp.inf, trace))
    codes = threshold(u, lam, kind, nonneg)
    return codes, u, trace.at[k].set(energy(D, s, codes, lam, kind)), k


def normalize_rows(D):
    return D / jnp.linalg.norm(D, axis=-1, keepdims=True)


def learn_dictionary(sample, n_pixels: int, atoms: int, settings: LCASettings, *, steps: int = 300,
                     batch: int = 256, lr: float = 0.05, key=None) -> tuple[Float[Array, "M N"], Float[Array, " steps"]]:
    """Alternate LCA inference on fresh batches ``sample(key, batch) -> s [batch, N]`` with a
    gradient step on D (D <- D + lr a^T (s - a D) / batch) and row renormalization.
    Returns the dictionary and the mean energy per step."""
    if atoms < 1:
        raise DyntoolsError(f"atoms must be at least 1 (got {atoms})")
    key = jax.random.PRNGKey(0) if key is None else key
    settings = replace(settings, record_energy=False)  # only the final energy is used
    k_init, k_data = jax.random.split(key)
    D0 = normalize_rows(jax.random.normal(k_init, (atoms, n_pixels)))

    def step(D, k):
        s = sample(k, batch).astype(D.dtype)
        a, _, trace, iters = lca(D, s, settings)
        D = normalize_rows(D + lr * a.T @ (s - a @ D) / batch)
        return D, jnp.mean(trace[iters])

    return jax.lax.scan(step, D0, jax.random.split(k_data, steps))
