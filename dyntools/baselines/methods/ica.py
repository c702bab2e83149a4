"""FastICA: the unmixing filters of a fixed data set."""

from __future__ import annotations

import numpy as np

from ...errors import DyntoolsError
from ..ica import fast_ica
from ._base import Baseline


class FastICA(Baseline):
    """FastICA ([`fast_ica`][dyntools.baselines.ica.fast_ica]) on ``samples`` inputs; its atoms
    are the unmixing filters. Summary: ``iterations``, ``converged``."""

    description = "FastICA (unmixing filters of a data set)"
    holds_samples = True

    def check(self, config, n_pixels):
        if config.atoms > n_pixels:
            raise DyntoolsError(f"ICA finds at most as many components as pixels ({n_pixels}); lower atoms",
                                arguments=("atoms",))

    def train(self, sample, n_pixels, config, keys, progress):
        result = fast_ica(np.asarray(sample(keys["train"], config.samples)), config.atoms, seed=config.seed)
        return result["filters"], {"iterations": result["iterations"], "converged": result["converged"]}
