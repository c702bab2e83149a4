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

from typing import TYPE_CHECKING

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial


from .._jax import jax, jnp
from ..errors import DyntoolsError
from .optim import scan_in_chunks

if TYPE_CHECKING:
    from jaxtyping import Array, Float, Int

THRESHOLDS = {"soft": "l1", "hard": "l0"}  # the threshold -> the penalty it minimizes


def threshold(u: Float[Array, "*s"], lam: float, kind: str, nonneg: bool) -> Float[Array, "*s"]:
    r"""The LCA activation $a = T_\lambda(u)$, elementwise.

    Soft: $T(u) = \mathrm{sign}(u) \max(|u| - \lambda, 0)$; hard: $T(u) = u\, 1(|u| > \lambda)$. With
    `nonneg`, the one-sided versions $\max(u - \lambda, 0)$ and $u\, 1(u > \lambda)$.

    Arguments:
        u: [*s] membrane potentials (any shape, e.g. [B, M]).
        lam: threshold $\lambda > 0$.
        kind: `"soft"` or `"hard"`.
        nonneg: whether codes are one-sided (non-negative).

    Returns:
        [*s] codes, the shape of `u`.

    Raises:
        DyntoolsError: if `kind` is neither soft nor hard.
    """
    if kind == "soft":
        return jnp.maximum(u - lam, 0.0) if nonneg else jnp.sign(u) * jnp.maximum(jnp.abs(u) - lam, 0.0)
    if kind == "hard":
        return u * (u > lam) if nonneg else u * (jnp.abs(u) > lam)
    raise DyntoolsError(f"unknown threshold '{kind}'; choose soft or hard")


def energy(D: Float[Array, "M N"], s: Float[Array, "B N"], a: Float[Array, "B M"], lam: float,
           kind: str) -> Float[Array, " B"]:
    r"""Per-sample sparse-coding energy (LASSO for soft, l0 for hard thresholds).

    Soft: $E = \tfrac12 \lVert s - a D\rVert^2 + \lambda \lVert a\rVert_1$; any other `kind`:
    $E = \tfrac12 \lVert s - a D\rVert^2 + \tfrac{\lambda^2}{2} \lVert a\rVert_0$.

    Arguments:
        D: [M, N] dictionary, one atom per row.
        s: [B, N] inputs.
        a: [B, M] codes.
        lam: sparsity penalty $\lambda$.
        kind: `"soft"` for the LASSO energy, otherwise the l0 energy.

    Returns:
        [B] energy of each sample.
    """
    residual = 0.5 * jnp.sum((s - a @ D) ** 2, axis=-1)
    if kind == "soft":
        return residual + lam * jnp.sum(jnp.abs(a), axis=-1)
    return residual + 0.5 * lam**2 * jnp.sum(a != 0, axis=-1)


@dataclass(frozen=True)
class LCASettings:
    r"""Settings of one LCA inference; hashable, a static argument of the jit-ed `lca`.

    Attributes:
        lam: threshold / sparsity penalty $\lambda > 0$.
        threshold: `"soft"` (LASSO) or `"hard"` (l0).
        nonneg: one-sided thresholds (non-negative codes).
        eta: Euler step $\eta = dt/\tau$ in (0, 1]; None for $1 / \lambda_\max(D D^\top)$ (at most
            1), the ISTA step: stable for any dictionary (the Euler steps diverge above
            $2 / \lambda_\max$) and as fast as a fixed safe step allows.
        max_iter: the most iterations, at least 1.
        tol: stop when the fixed-point residual, relative to the input drive, is below `tol`:
            $\mathrm{rms}(b - u - a G) < \mathrm{tol}\ \mathrm{rms}(b)$ over the batch (scale-free,
            and reachable in float32).
        record_energy: record the energy at every iteration (else only at the start and the end).

    Raises:
        DyntoolsError: if `lam`, `threshold`, `eta` or `max_iter` is out of range.
    """

    lam: float = 0.1
    threshold: str = "soft"
    nonneg: bool = False
    eta: float | None = None  # dt / tau; None: 1 / largest eigenvalue of D D^T
    max_iter: int = 500
    tol: float = 1e-3  # stop when rms(b - u - a G) < tol rms(b)
    record_energy: bool = True  # energy at every iteration (else only at the start and the end)

    def __post_init__(self):
        if not self.lam > 0:
            raise DyntoolsError(f"lambda must be positive (got {self.lam})")
        if self.threshold not in THRESHOLDS:
            raise DyntoolsError(f"unknown threshold '{self.threshold}'; choose {' or '.join(THRESHOLDS)}")
        if self.eta is not None and not 0 < self.eta <= 1:
            raise DyntoolsError(f"eta = dt/tau must be in (0, 1] (got {self.eta})")
        if self.max_iter < 1:
            raise DyntoolsError(f"max_iter must be at least 1 (got {self.max_iter})")


@partial(jax.jit, static_argnames=("settings",))
def lca(D: Float[Array, "M N"], s: Float[Array, "B N"], settings: LCASettings, u0: Float[Array, "B M"] | None = None,
        target: Float[Array, " B"] | None = None) -> tuple[Float[Array, "B M"], Float[Array, "B M"],
                                                          Float[Array, "T B"], Int[Array, ""]]:
    r"""Run LCA on a batch: Euler steps of $\tau\, du/dt = b - u - a G$, jit-ed.

    With $b = s D^\top$, $G = D D^\top - I$ and $a = T(u)$ ([`threshold`][dyntools.baselines.lca.threshold]),
    each step is $u \leftarrow u + \eta (b - u - a G)$. It runs from `u0` until
    $\mathrm{rms}(b - u - a G) <$ `tol` $\mathrm{rms}(b)$,
    until every sample's energy is at or below `target` (when given), or for `max_iter` steps.

    Arguments:
        D: [M, N] dictionary, unit-norm atoms as rows.
        s: [B, N] inputs (cast to the dtype of `D`).
        settings: the threshold, $\lambda$, step and stopping rule.
        u0: [B, M] initial membrane potentials; None for zeros (cold start).
        target: [B] energy to reach per sample (stop once all are at or below it); None to ignore.

    Returns:
        codes: [B, M] final codes $T(u)$.
        u: [B, M] final membrane potentials.
        trace: [max_iter + 1, B] energy per iteration: index 0 the start, index `iterations`
            the end; NaN after the stop, and between start and end unless
            `settings.record_energy` or a `target` is given.
        iterations: scalar int array, the number of steps taken.
    """
    lam, kind, nonneg = settings.lam, settings.threshold, settings.nonneg
    eta = settings.eta if settings.eta is not None else jnp.minimum(1.0, 1.0 / jnp.linalg.eigvalsh(D @ D.T)[-1])
    s = s.astype(D.dtype)
    b = s @ D.T
    gram = D @ D.T - jnp.eye(D.shape[0], dtype=D.dtype)
    drive = jnp.maximum(jnp.sqrt(jnp.mean(b**2)), jnp.finfo(D.dtype).tiny)
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
        residual = b - u - a @ gram
        u = u + eta * residual
        if record:
            trace = trace.at[k + 1].set(energy(D, s, threshold(u, lam, kind, nonneg), lam, kind))
        return u, k + 1, jnp.sqrt(jnp.mean(residual**2)) / drive, trace

    u, k, _, trace = jax.lax.while_loop(cond, body, (u, 0, jnp.inf, trace))
    codes = threshold(u, lam, kind, nonneg)
    return codes, u, trace.at[k].set(energy(D, s, codes, lam, kind)), k


def normalize_rows(D: Float[Array, "*b M N"]) -> Float[Array, "*b M N"]:
    r"""Scale every row (atom) to unit Euclidean norm.

    Arguments:
        D: [..., M, N] dictionary.

    Returns:
        [..., M, N] the dictionary with $\lVert d_j\rVert = 1$ for every row $j$.
    """
    return D / jnp.linalg.norm(D, axis=-1, keepdims=True)


def learn_dictionary(sample: Callable[[Array, int], Float[Array, "n N"]], n_pixels: int, atoms: int,
                     settings: LCASettings, *, steps: int = 300, batch: int = 256, lr: float = 0.05,
                     key: Array | None = None,
                     progress: Callable[[int, int], None] | None = None) -> tuple[Float[Array, "M N"], Float[Array, " steps"]]:
    r"""Learn an LCA dictionary: inference on fresh batches alternating with gradient steps on $D$.

    From a random unit-norm $D$, each step draws $s$ = `sample(key, batch)`, runs
    [`lca`][dyntools.baselines.lca.lca] (energy recorded only at the end), then sets
    $D \leftarrow D + \mathrm{lr}\, a^\top (s - a D) / \mathrm{batch}$ and renormalizes the rows.

    Arguments:
        sample: `sample(key, n) -> [n, N]` draws n inputs.
        n_pixels: N, the input dimension.
        atoms: M, the number of atoms, at least 1.
        settings: LCA settings of every inference.
        steps: number of dictionary updates.
        batch: inputs per update.
        lr: learning rate of the dictionary.
        key: JAX PRNG key; None for `PRNGKey(0)`.
        progress: called with (steps done, steps in all) between compiled chunks of steps.

    Returns:
        D: [M, N] the learned dictionary (unit-norm rows).
        energies: [steps] mean final LCA energy over each step's batch (before its update).

    Raises:
        DyntoolsError: if `atoms` < 1.
    """
    if atoms < 1:
        raise DyntoolsError(f"atoms must be at least 1 (got {atoms})")
    key = jax.random.PRNGKey(0) if key is None else key
    settings = replace(settings, record_energy=False)  # only the final energy is used
    k_init, k_data = jax.random.split(key)
    D0 = normalize_rows(jax.random.normal(k_init, (atoms, n_pixels)))

    step = jax.tree_util.Partial(_dictionary_step, sample, settings, lr, batch)
    return scan_in_chunks(step, D0, jax.random.split(k_data, steps), progress)


def _dictionary_step(sample, settings, lr, batch, D, k):
    """One step of `learn_dictionary` (module-level, its settings bound in a Partial: one program)."""
    s = sample(k, batch).astype(D.dtype)
    a, _, trace, iters = lca(D, s, settings)
    D = normalize_rows(D + lr * a.T @ (s - a @ D) / batch)
    return D, jnp.mean(trace[iters])
