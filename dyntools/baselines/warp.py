r"""WARP-LCA (Kasenbacher et al. 2024): a predictor network maps an input s to an initial
membrane state u0, trained to match the states of converged LCA; LCA then runs from u0
instead of from zero."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, final

import equinox as eqx
import numpy as np

from .._jax import jax, jnp
from ..errors import DyntoolsError
from .lca import LCASettings, lca
from .optim import adam

if TYPE_CHECKING:
    from jaxtyping import Array, Float


@final
class Predictor(eqx.Module):
    r"""A two-layer MLP $s \mapsto u_0$ (hidden ReLU layer); `params` None until trained.

    $u_0 = \mathrm{ReLU}(s W_1 + b_1) W_2 + b_2$. Calling a trained predictor on inputs [B, N]
    returns [B, M]; calling an untrained one, or with the wrong number of pixels, raises a
    `DyntoolsError`. An `equinox.Module`: its weights are leaves, so a jitted function takes
    a predictor as an argument and compiles once per shape.

    Attributes:
        params: `{"w1": [N, H], "b1": [H], "w2": [H, M], "b2": [M]}`, or None before training.
    """

    params: dict | None = None

    @staticmethod
    def init(key: Array, n_pixels: int, atoms: int, hidden: int) -> dict:
        r"""Random initial parameters: Gaussian weights, zero biases.

        Entries of $W_1$ have variance $2/N$, entries of $W_2$ variance $1/H$.

        Arguments:
            key: JAX PRNG key.
            n_pixels: N, the input dimension.
            atoms: M, the number of membrane potentials predicted.
            hidden: H, the hidden width.

        Returns:
            `{"w1": [N, H], "b1": [H], "w2": [H, M], "b2": [M]}`.
        """
        k1, k2 = jax.random.split(key)
        return {
            "w1": jax.random.normal(k1, (n_pixels, hidden)) * math.sqrt(2 / n_pixels),
            "b1": jnp.zeros(hidden),
            "w2": jax.random.normal(k2, (hidden, atoms)) * math.sqrt(1 / hidden),
            "b2": jnp.zeros(atoms),
        }

    @staticmethod
    def apply(params: dict, s: Float[Array, "B N"]) -> Float[Array, "B M"]:
        """The MLP with the given parameters (no checks).

        Arguments:
            params: as returned by [`init`][dyntools.baselines.warp.Predictor.init].
            s: [B, N] inputs.

        Returns:
            [B, M] predicted initial membrane potentials.
        """
        return jax.nn.relu(s @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]

    def __call__(self, s):
        if self.params is None:
            raise DyntoolsError("the WARP-LCA predictor is untrained; train it with train_predictor first")
        if s.shape[-1] != self.params["w1"].shape[0]:
            raise DyntoolsError(f"inputs have {s.shape[-1]} pixels but the predictor expects {self.params['w1'].shape[0]}")
        return self.apply(self.params, s)


def train_predictor(D: Float[Array, "M N"], s_train: Float[Array, "P N"], settings: LCASettings, *,
                    hidden: int = 256, epochs: int = 200, batch: int = 256, lr: float = 1e-3,
                    key: Array | None = None) -> tuple[Predictor, np.ndarray]:
    """Fit the predictor to converged LCA membrane states of `s_train` by mean squared error.

    LCA runs once on all of `s_train` (from zero) to give the targets $u^*$ [P, M]; Adam then
    minimizes the mean of $(u_0(s) - u^*)^2$ over shuffled minibatches, `epochs` passes.

    Arguments:
        D: [M, N] dictionary.
        s_train: [P, N] training inputs.
        settings: the LCA settings whose converged states are the targets.
        hidden: H, the hidden width.
        epochs: passes over the (reshuffled) training set.
        batch: minibatch size (P if P is smaller).
        lr: Adam learning rate.
        key: JAX PRNG key for the initial weights and shuffling; None for `PRNGKey(0)`.

    Returns:
        predictor: the trained [`Predictor`][dyntools.baselines.warp.Predictor].
        losses: [epochs * max(P // batch, 1)] loss per Adam step.
    """
    key = jax.random.PRNGKey(0) if key is None else key
    k_init, k_perm = jax.random.split(key)
    _, u_star, _, _ = lca(D, s_train, settings)
    n = s_train.shape[0]
    batches_per_epoch = max(n // batch, 1)
    perms = jax.vmap(lambda k: jax.random.permutation(k, n))(jax.random.split(k_perm, epochs))
    idx = perms[:, : batches_per_epoch * batch].reshape(-1, min(batch, n))
    # the data are arguments of the compiled steps (bound in a Partial), not constants in them:
    # every fit of these shapes shares one program
    loss = jax.tree_util.Partial(_predictor_loss, jnp.asarray(s_train), u_star)
    params, losses = adam(loss, Predictor.init(k_init, s_train.shape[1], D.shape[0], hidden), idx, lr=lr)
    return Predictor(params), np.asarray(losses)


def _predictor_loss(s_train: Float[Array, "P N"], u_star: Float[Array, "P M"], params: dict,
                    i: Array) -> Float[Array, ""]:
    """Mean squared error of the predictor against the targets on the minibatch of rows ``i``."""
    return jnp.mean((Predictor.apply(params, s_train[i]) - u_star[i]) ** 2)


def iterations_to_reach(trace: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per sample, the first iteration whose energy is at or below the target (max if never).

    Arguments:
        trace: [T, B] energy per iteration and sample (an [`lca`][dyntools.baselines.lca.lca]
            trace; NaN entries never count as reached).
        target: [B] energy to reach per sample.

    Returns:
        [B] int iteration indices; T - 1 for samples that never reach the target.
    """
    below = np.asarray(trace) <= np.asarray(target)[None]
    return np.where(below.any(axis=0), below.argmax(axis=0), trace.shape[0] - 1)


def compare_cold_warm(D: Float[Array, "M N"], predictor: Predictor, s_test: Float[Array, "B N"],
                      settings: LCASettings, rel_tol: float = 0.01) -> dict:
    r"""Cold ($u_0 = 0$) vs warm ($u_0$ = `predictor(s)`) LCA on held-out inputs.

    The target energy per sample is the energy cold-start LCA reaches at convergence, plus
    `rel_tol` of it. Reports mean iterations and wall time to reach it, and final energies.
    Wall times are the best of 3 runs of LCA stopped at the target, after compilation.

    Arguments:
        D: [M, N] dictionary.
        predictor: a trained predictor for `D`.
        s_test: [B, N] held-out inputs.
        settings: LCA settings of both runs.
        rel_tol: relative slack of the target energy above the cold-start final energy.

    Returns:
        A dict of floats: `"iterations_cold"`, `"iterations_warm"` (mean over samples),
            `"wall_time_cold_s"`, `"wall_time_warm_s"`, `"final_energy_cold"`,
            `"final_energy_warm"` (mean over samples), `"target_rel_tol"`.

    Raises:
        DyntoolsError: if the predictor is untrained or expects another number of pixels.
    """
    _, _, cold_trace, cold_iters = lca(D, s_test, settings)
    cold_final = np.asarray(cold_trace)[int(cold_iters)]
    target = jnp.asarray(cold_final * (1 + rel_tol))
    u0 = predictor(s_test)
    _, _, warm_trace, warm_iters = lca(D, s_test, settings, u0=u0)
    warm_final = np.asarray(warm_trace)[int(warm_iters)]

    def wall(u0):
        start = time.perf_counter()
        jax.block_until_ready(lca(D, s_test, settings, u0=u0, target=target))
        return time.perf_counter() - start

    zeros = jnp.zeros_like(u0)
    wall(zeros), wall(u0)  # compile both
    return {
        "iterations_cold": float(iterations_to_reach(cold_trace, target).mean()),
        "iterations_warm": float(iterations_to_reach(warm_trace, target).mean()),
        "wall_time_cold_s": min(wall(zeros) for _ in range(3)),
        "wall_time_warm_s": min(wall(u0) for _ in range(3)),
        "final_energy_cold": float(cold_final.mean()),
        "final_energy_warm": float(warm_final.mean()),
        "target_rel_tol": rel_tol,
    }
