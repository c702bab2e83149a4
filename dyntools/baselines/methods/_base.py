"""The interface every baseline implements (see [`methods`][dyntools.baselines.methods])."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:
    from jaxtyping import Array, Float, PRNGKeyArray

    from ..run import BaselineConfig

    Sampler = Callable[[PRNGKeyArray, int], Float[Array, "n N"]]


class Baseline(ABC):
    r"""A learning principle trained on unlabelled inputs, whose atoms are its receptive fields.

    Subclasses are final and stateless; their class attributes say what the method needs.

    Attributes:
        description: one line for help texts and tables.
        default_lambda: the sparsity penalty $\lambda$ when none is given (None: the method has
            none).
        default_lr: the dictionary learning rate when none is given (None: the method has none).
        holds_samples: whether it holds ``samples`` inputs at once (a data set or a training
            set); otherwise it holds ``batch * steps`` (batches drawn up front).
        arrays: names of the entries of `train`'s ``extra`` that are arrays saved beside the atoms
            (in ``dictionary.npz``, one row per atom) rather than summary entries.
    """

    description: ClassVar[str]
    default_lambda: ClassVar[float | None] = None
    default_lr: ClassVar[float | None] = None
    holds_samples: ClassVar[bool] = False
    arrays: ClassVar[tuple[str, ...]] = ()

    def check(self, config: BaselineConfig, n_pixels: int) -> None:
        """Raise before any work if ``config`` cannot run on ``n_pixels`` (by default nothing can
        go wrong)."""

    @abstractmethod
    def train(self, sample: Sampler, n_pixels: int, config: BaselineConfig, keys: dict[str, PRNGKeyArray],
              progress: Callable[[int, int], None] | None) -> tuple[np.ndarray, dict]:
        """Learn the atoms.

        Arguments:
            sample: ``sample(key, n) -> [n, N]`` draws n inputs.
            n_pixels: N.
            config: the settings (validated; ``config.penalty``, ``config.learning_rate`` and
                ``config.n_atoms(n_pixels)`` resolve the defaults).
            keys: ``"train"``, ``"test"`` and ``"check"`` random keys.
            progress: called with (steps done, steps in all) between compiled chunks, or None.

        Returns:
            atoms: [M, N] one atom per row.
            extra: the method's own summary entries (floats, bools, small arrays), and the
                arrays named in `arrays`.
        """
