"""Train any baseline on the toolkit's inputs: the one entry point of ``dyntools baseline`` and
``dyntools localization-map``."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._jax import jax, jnp
from ..errors import DyntoolsError
from ..memory import check_memory
from ..metrics import GaborFits, gabor_fit, gabor_summary, ipr
from .ica import principal_components
from .lca import THRESHOLDS
from .methods import baseline_class

if TYPE_CHECKING:
    from jaxtyping import Array, Float
    from ..inputs.images import ImageSet
    from ..inputs.task import TwoClassTask

LIMITS = {"atoms": 100_000, "steps": 10**8, "batch": 10**7, "samples": 10**8, "seed": 2**31 - 2}
PATCHES = 50_000  # natural-image patches cut for a baseline, drawn from by its sampler
GABOR_FIELDS = ("r2", "x0", "y0", "theta", "frequency", "phase", "sigma_x", "sigma_y", "amplitude")


@dataclass(frozen=True)
class BaselineConfig:
    r"""What [`train_baseline`][dyntools.baselines.run.train_baseline] trains: the options of `dyntools baseline`.

    Attributes:
        method: a baseline name from
            [`BASELINES`][dyntools.registries.BASELINES]: `"ica"`, `"lca"`,
            `"warp-lca"`, `"wlsc"`.
        atoms: M, the number of atoms; None for as many as pixels (ICA: as many components as
            the data have dimensions, N - 1 for patches whose mean was removed).
        lam: sparsity penalty $\lambda > 0$; None for the method's default
            (its `default_lambda`).
            Unused by ICA.
        threshold: LCA threshold, `"soft"` or `"hard"`.
        nonneg: one-sided LCA codes.
        steps: dictionary updates (LCA, WARP-LCA, WLSC).
        batch: inputs per update.
        samples: size of ICA's data set and of WARP-LCA's predictor training set, at least 2.
        seed: non-negative seed of all randomness.
        lr: dictionary learning rate (LCA: plain gradient, WLSC: Adam); None for the method's
            default (its `default_lr`).
    """

    method: str = "lca"
    atoms: int | None = None  # None: complete (as many atoms as pixels; ICA: the data's rank)
    lam: float | None = None  # None: the method's default; unused by ICA
    threshold: str = "soft"
    nonneg: bool = False
    steps: int = 1000
    batch: int = 256
    samples: int = 20_000  # ICA's data set; WARP-LCA's training set
    seed: int = 0
    lr: float | None = None  # dictionary learning rate (LCA: plain gradient, WLSC: Adam)

    @property
    def penalty(self) -> float:
        r"""The $\lambda$ in use: `lam`, or the method's default."""
        return baseline_class(self.method).default_lambda if self.lam is None else self.lam

    def n_atoms(self, n_pixels: int) -> int:
        """M for inputs of ``n_pixels`` pixels: `atoms`, or ``n_pixels`` (complete)."""
        return n_pixels if self.atoms is None else self.atoms

    @property
    def learning_rate(self) -> float:
        """The learning rate in use: `lr`, or the method's default."""
        return baseline_class(self.method).default_lr if self.lr is None else self.lr

    def validate(self) -> None:
        """Check every field against its range and `LIMITS`.

        Raises:
            DyntoolsError: naming the first offending option.
        """
        baseline_class(self.method)  # raises for an unknown name
        if self.atoms is not None and not 1 <= self.atoms <= LIMITS["atoms"]:
            raise DyntoolsError(f"atoms must be between 1 and {LIMITS['atoms']} (got {self.atoms})", arguments=("atoms",))
        if self.lam is not None and not (math.isfinite(self.lam) and self.lam > 0):
            raise DyntoolsError(f"lam must be a positive number (got {self.lam})", arguments=("lam",))
        if self.lr is not None and not (math.isfinite(self.lr) and self.lr > 0):
            raise DyntoolsError(f"lr must be a positive number (got {self.lr})", arguments=("lr",))
        if self.threshold not in THRESHOLDS:
            raise DyntoolsError(f"unknown threshold '{self.threshold}'; choose {' or '.join(THRESHOLDS)}",
                                arguments=("threshold",))
        if self.steps < 1 or self.batch < 1 or self.samples < 2:
            raise DyntoolsError("steps and batch must be at least 1, samples at least 2",
                                arguments=("steps", "batch", "samples"))
        for name in ("steps", "batch", "samples", "seed"):
            if getattr(self, name) > LIMITS[name]:
                raise DyntoolsError(f"{name} must be at most {LIMITS[name]} (got {getattr(self, name)})", arguments=(name,))
        if self.seed < 0:
            raise DyntoolsError(f"seed must be non-negative (got {self.seed})", arguments=("seed",))

    def check_size(self, n_pixels: int) -> None:
        """Raise before any work if the data this baseline holds at once exceed the memory budget,
        or if the method cannot run on ``n_pixels`` (ICA: more components than pixels).

        The estimate is 8 bytes per value of the rows held at once (`samples` rows for ICA and
        WARP-LCA, `batch * steps` otherwise) plus the dictionary, against `dyntools.memory.MEMORY_BUDGET` (4 GiB).

        Arguments:
            n_pixels: N, the input dimension.

        Raises:
            DyntoolsError: if the estimate exceeds the budget, or the method's own check fails.
        """
        baseline = baseline_class(self.method)
        baseline().check(self, n_pixels)
        rows = self.samples if baseline.holds_samples else self.batch * self.steps
        need = rows * n_pixels * 8 + self.n_atoms(n_pixels) * n_pixels * 8
        check_memory(need, f"{self.method}'s data", ("samples", "steps", "batch"))

    def as_dict(self) -> dict:
        """The fields as a plain dict.

        Returns:
            {field name: value}, as written into a run record.
        """
        return asdict(self)


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class BaselineResult:
    """What [`train_baseline`][dyntools.baselines.run.train_baseline] returns, and what
    [`load`][dyntools.baselines.run.BaselineResult.load] reads back from a ``dyntools baseline`` run.

    Attributes:
        config: the method and its settings.
        atoms: [M, N] learned atoms, one per row (ICA: the basis functions).
        summary: ``"method"``, ``"atoms"`` (M), ``"lambda"`` (None for a method without one),
            the IPR statistics of [`ipr_distribution`][dyntools.baselines.run.ipr_distribution],
            and the method's own entries (see each
            [`Baseline`][dyntools.baselines.methods._base.Baseline]).
        inputs: what the inputs were (the task's description with ``"shape"``, or natural-image
            patches with ``"patch_size"``, see
            [`describe_patches`][dyntools.inputs.images.describe_patches]); empty if the caller
            did not say.
        arrays: further arrays saved beside the atoms in ``dictionary.npz``: the method's own
            (ICA's ``filters`` [M, N]) and, on image patches, the Gabor fits of
            [`gabor_measures`][dyntools.baselines.run.gabor_measures].
    """

    config: BaselineConfig
    atoms: Float[np.ndarray, "M N"] = field(repr=False)
    summary: dict
    inputs: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict, repr=False)

    @property
    def gabor_fits(self) -> tuple[GaborFits, GaborFits] | None:
        """The Gabor fits of the atoms and of the PCA control, or None (not image patches)."""
        if "gabor_r2" not in self.arrays:
            return None
        return tuple(GaborFits(**{f: self.arrays[f"{prefix}gabor_{f}"] for f in GABOR_FIELDS})
                     for prefix in ("", "pca_"))

    @property
    def shape(self) -> tuple[int, ...]:
        """The grid of one input, to draw an atom on: the task's, the patch's, or [N]."""
        if "shape" in self.inputs:
            return tuple(self.inputs["shape"])
        if "patch_size" in self.inputs:
            return (self.inputs["patch_size"],) * 2
        return (self.atoms.shape[1],)

    @property
    def record_config(self) -> dict:
        """The run record's ``config``: the baseline's settings and the inputs' description."""
        return {"baseline": self.config.as_dict(), "inputs": self.inputs}

    @classmethod
    def load(cls, directory: Path | str) -> BaselineResult:
        """A finished ``dyntools baseline`` run, read back.

        Arguments:
            directory: the run directory.

        Returns:
            The result, equal to the one the run saved.

        Raises:
            DyntoolsError: not a run, a corrupt run (see [`dyntools.records`][dyntools.records]:
                e.g. an unknown settings key, named, or atoms that do not match the record), or a
                run of another command.
        """
        from ..runs import load_run

        record, arrays = load_run(directory, command="baseline")
        return cls.from_saved(record, arrays["dictionary"])

    @classmethod
    def from_saved(cls, record: dict, dictionary: dict) -> BaselineResult:
        """The result from a run's record and its ``dictionary.npz`` arrays."""
        config = record["config"]
        return cls(BaselineConfig(**config["baseline"]), np.asarray(dictionary["atoms"]), record["summary"],
                   config["inputs"], {k: np.asarray(v) for k, v in dictionary.items() if k != "atoms"})


def ipr_distribution(atoms: np.ndarray) -> dict:
    """Summary statistics of the inverse participation ratio over the atoms.

    Arguments:
        atoms: [M, N] one atom per row.

    Returns:
        A dict of floats: `"ipr_median"`, `"ipr_q1"`, `"ipr_q3"` (quartiles), `"ipr_min"`, `"ipr_max"`.
    """
    values = ipr(atoms)
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    return {"ipr_median": float(median), "ipr_q1": float(q1), "ipr_q3": float(q3),
            "ipr_min": float(values.min()), "ipr_max": float(values.max())}


def train_baseline(sample: Callable[[Array, int], Float[Array, "n N"]], n_pixels: int, config: BaselineConfig,
                   progress: Callable[[int, int], None] | None = None, inputs: dict | None = None) -> BaselineResult:
    """Train one baseline on inputs drawn from `sample`: the entry point of `dyntools baseline`.

    The method is the [`Baseline`][dyntools.baselines.methods._base.Baseline] named by
    ``config.method`` (see [`methods`][dyntools.baselines.methods]); its keys are split from
    ``config.seed``.

    Arguments:
        sample: `sample(key, n) -> [n, N]` draws n training inputs.
        n_pixels: N, the input dimension.
        config: the method and its settings (validated here).
        progress: called with (steps done, steps in all) while LCA, WARP-LCA or WLSC learn
            (between compiled chunks of steps); ICA reports nothing.
        inputs: what the inputs are, kept in the result (see
            [`BaselineResult`][dyntools.baselines.run.BaselineResult]).

    Returns:
        The atoms and their summary, as a
            [`BaselineResult`][dyntools.baselines.run.BaselineResult].

    Raises:
        DyntoolsError: if `config` is invalid, exceeds the memory budget, or asks ICA for more
            components than pixels.
    """
    config.validate()
    config.check_size(n_pixels)
    keys = dict(zip(("train", "test", "check"), jax.random.split(jax.random.PRNGKey(config.seed), 3)))
    method = baseline_class(config.method)
    atoms, extra = method().train(sample, n_pixels, config, keys, progress)
    arrays = {name: np.asarray(extra.pop(name)) for name in method.arrays}
    summary = {"method": config.method, "atoms": int(atoms.shape[0]), "lambda": config.penalty,
               **ipr_distribution(atoms), **extra}
    return BaselineResult(config, np.asarray(atoms), summary, inputs or {}, arrays)


def train_on_images(config: BaselineConfig, patch_size: int, images: ImageSet | None = None,
                    progress: Callable[[int, int], None] | None = None) -> BaselineResult:
    """Train one baseline on whitened natural-image patches and measure its atoms as Gabors.

    `PATCHES` patches are cut by [`natural_patches`][dyntools.inputs.images.natural_patches]
    (seed ``config.seed``); the baseline draws its inputs from them; then
    [`gabor_measures`][dyntools.baselines.run.gabor_measures] fits its atoms and, as the
    non-localized control, the principal components of the same patches.

    Arguments:
        config: the method and its settings.
        patch_size: side of the square patches, 4 to 32.
        images: the images; None for scikit-image's photographs
            ([`default_images`][dyntools.inputs.images.default_images]).
        progress: as in [`train_baseline`][dyntools.baselines.run.train_baseline].

    Returns:
        The result; its summary has the Gabor measures, its arrays the fits.

    Raises:
        DyntoolsError: as `train_baseline`, or for a patch size out of range or images too small.
    """
    from ..inputs.images import describe_patches, natural_patches

    config.validate()
    patches = natural_patches(patch_size, PATCHES, config.seed, images).reshape(PATCHES, -1)
    result = train_baseline(array_sampler(patches), patches.shape[1], config, progress,
                            describe_patches(patch_size, PATCHES, images))
    summary, arrays = gabor_measures(result.atoms, (patch_size, patch_size), patches)
    return replace(result, summary={**result.summary, **summary}, arrays={**result.arrays, **arrays})


def gabor_measures(atoms: np.ndarray, shape: tuple[int, int], data: np.ndarray) -> tuple[dict, dict]:
    """Gabor fits of the atoms, and of the principal components of ``data`` as the control.

    Arguments:
        atoms: [M, N] atoms, N = h * w.
        shape: (h, w), the patch.
        data: [P, N] the patches the atoms were learned from.

    Returns:
        summary: [`gabor_summary`][dyntools.metrics.gabor_summary] of the atoms, and the same
            for the principal components with the prefix ``pca_``.
        arrays: ``gabor_FIELD`` [M] and ``pca_gabor_FIELD`` [C] for every field of
            [`GaborFits`][dyntools.metrics.GaborFits], and ``pca_atoms`` [C, N].
    """
    pca = principal_components(data)
    summary, arrays = {}, {"pca_atoms": pca}
    for prefix, rows in (("", atoms), ("pca_", pca)):
        fits = gabor_fit(rows, shape)
        summary |= {prefix + key: value for key, value in gabor_summary(fits, shape).items()}
        arrays |= {f"{prefix}gabor_{name}": getattr(fits, name) for name in GABOR_FIELDS}
    return summary, arrays


def task_sampler(task: TwoClassTask) -> Callable[[Array, int], Float[Array, "n N"]]:
    """Unlabelled inputs of the two-class task, flattened.

    Arguments:
        task: the two-class task whose inputs (labels dropped) are drawn.

    Returns:
        `sample(key, n) -> [n, N]` float32 inputs, each grid flattened to N pixels.
    """
    return jax.tree_util.Partial(_task_sample, task)


def _task_sample(task, key, n):
    return task.sample(key, n)[0].reshape(n, -1).astype(jnp.float32)


def array_sampler(data: np.ndarray) -> Callable[[Array, int], Float[Array, "n N"]]:
    """Random rows of a fixed data set (e.g. natural-image patches), flattened.

    Arguments:
        data: [P, ...] P samples of any shape, flattened to [P, N].

    Returns:
        `sample(key, n) -> [n, N]`: n rows drawn uniformly with replacement.
    """
    return jax.tree_util.Partial(_array_sample, jnp.asarray(data.reshape(len(data), -1)))


def _array_sample(flat, key, n):
    return flat[jax.random.randint(key, (n,), 0, flat.shape[0])]
