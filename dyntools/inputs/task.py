"""The two-class task and the one constructor every caller (CLI, simulations, baselines,
experiments) uses, `build_task`, from the [`TaskSpec`][dyntools.inputs.spec.TaskSpec] that names it."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, final

import equinox as eqx

from .._jax import jax, jnp
from ..errors import DyntoolsError
from .kernels import Circulant
from .marginals import Alg, Marginal, NLGP
from .models import GaussianClone, InputModel, LatentGaussianModel, model_for
from .spec import TaskSpec, check_excess_kurtosis, grid_shape

if TYPE_CHECKING:
    from jaxtyping import Array, Float, Int, PRNGKeyArray


@final
class TwoClassTask(eqx.Module):
    r"""The two-class task: class $y = 1$ (correlation length $\xi_1$, the longer) vs $y = 0$ ($\xi_0$).

    Labels are i.i.d. with $P(y = 1)$ = ``proportion``; ``sigma0``, ``sigma1`` are the exact
    pixel covariances $\Sigma_0$, $\Sigma_1$ and ``pixel_marginal`` is class 1's.

    Attributes:
        class0: the input model of class 0.
        class1: the input model of class 1.
        proportion: $P(y = 1)$, in $(0, 1)$.
        shared_noise: whether both classes are drawn from one white-noise batch (they differ
            only in their kernel; computed, not passed).

    Raises:
        DyntoolsError: if ``proportion`` is not in $(0, 1)$.
    """

    class0: InputModel
    class1: InputModel
    proportion: float
    shared_noise: bool = eqx.field(static=True)

    def __init__(self, class0: InputModel, class1: InputModel, proportion: float = 0.5):
        if not 0 < proportion < 1:
            raise DyntoolsError(f"class proportion must be in (0, 1) (got {proportion:g})")
        self.class0, self.class1, self.proportion = class0, class1, proportion
        self.shared_noise = bool(isinstance(class0, LatentGaussianModel) and class0.shares_transform(class1))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.class1.shape

    @property
    def n_pixels(self) -> int:
        return math.prod(self.shape)

    @property
    def sigma0(self) -> Circulant:
        return self.class0.covariance

    @property
    def sigma1(self) -> Circulant:
        return self.class1.covariance

    @property
    def pixel_marginal(self) -> Marginal:
        return self.class1.pixel_marginal

    @property
    def is_elliptical(self) -> bool:
        return self.class1.is_elliptical

    def sample(self, key: PRNGKeyArray, n: int, dtype=jnp.float32) -> tuple[Float[Array, "n *grid"], Int[Array, " n"]]:
        """``n`` i.i.d. $(x, y)$ pairs (jit-able).

        Classes that differ only in their kernel are drawn from one white-noise batch with a
        per-sample spectrum (half the cost of drawing both classes).

        Arguments:
            key: JAX PRNG key.
            n: number of pairs.
            dtype (jnp.dtype): floating dtype of ``x``.

        Returns:
            x: [n, *grid] inputs.
            y: [n] int32 labels in {0, 1}.
        """
        k_y, k0, k1 = jax.random.split(key, 3)
        y = jax.random.bernoulli(k_y, self.proportion, (n,))
        c0, c1 = self.class0, self.class1
        if self.shared_noise:
            eps = jax.random.normal(k0, (n, *self.shape), dtype=dtype)
            x = c1.from_latent(k1, c0.latent.apply_sqrt_mixed(c1.latent, y, eps), eps)
        else:
            mask = y.reshape((n,) + (1,) * len(self.shape))
            x = jnp.where(mask, c1.sample(k1, n, dtype), c0.sample(k0, n, dtype))
        return x, y.astype(jnp.int32)

    def describe(self) -> dict:
        desc = self.class1.describe()
        desc.pop("xi", None)
        return {**desc, "xi": [self.class0.xi, self.class1.xi], "shape": list(self.shape),
                "proportion": self.proportion,
                "clipping": {"class0": self.class0.clipping, "class1": self.class1.clipping}}


def resolve_family(family: str, excess_kurtosis: float | None) -> str:
    r"""Resolve the family ``'auto'``; any other name is returned unchanged.

    ``'auto'`` picks the paper's Kur(k) family (``alg``) where it reaches the kurtosis (> -1.2),
    the NLGP below, and ``binary`` at exactly -2, so every excess kurtosis $\ge -2$ is reachable.

    Arguments:
        family: a family name, or ``'auto'``.
        excess_kurtosis: the requested excess kurtosis (needed for ``'auto'``).

    Returns:
        The family name.

    Raises:
        DyntoolsError: for ``'auto'`` without a kurtosis, or a kurtosis below -2.
    """
    if family != "auto":
        return family
    if excess_kurtosis is None:
        raise DyntoolsError("family 'auto' needs a kurtosis", arguments=("kurtosis",))
    check_excess_kurtosis(excess_kurtosis)
    if excess_kurtosis == -2:
        return "binary"
    return Alg.family if excess_kurtosis > -1.2 + 1e-6 else NLGP.family


@lru_cache(maxsize=512)  # a sweep prepares every point up front; equal specs share one task
def build_task(spec: TaskSpec) -> TwoClassTask:
    r"""The two-class task a spec names (built once per spec, then cached).

    The family names its input model (`MODELS` of [`models`][dyntools.inputs.models]: copula
    families give `Copula` classes, ``elliptical-t`` and ``shell`` `Elliptical` ones, ``ising``
    `IsingChain` ones); both classes share the pixel marginal and differ in $\xi$. With
    ``gaussian_clone`` both classes are replaced by Gaussian fields with exactly their pixel
    covariances (`GaussianClone`).

    Arguments:
        spec: the task's settings (``family`` ``'auto'``: see `resolve_family`).

    Returns:
        The task.

    Raises:
        DyntoolsError: for a family that does not reach the kurtosis, a parameter out of
            range, or a kurtosis or parameter given where the family has none (each field
            alone was checked when the spec was made).
    """
    family = resolve_family(spec.family, spec.kurtosis)
    class0, class1 = model_for(family).for_family(family, grid_shape(spec.n_dims, spec.two_d), spec.xi, spec.kurtosis,
                                                  spec.param)
    if spec.gaussian_clone:
        class0, class1 = GaussianClone(class0), GaussianClone(class1)
    return TwoClassTask(class0, class1, spec.proportion)
