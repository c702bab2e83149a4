"""FastICA: the unmixing filters of a fixed data set."""

from __future__ import annotations

import numpy as np

from ...errors import DyntoolsError
from ..ica import fast_ica
from ._base import Baseline


class FastICA(Baseline):
    """FastICA ([`fast_ica`][dyntools.baselines.ica.fast_ica]) on ``samples`` inputs, complete
    by default (as many components as the data have dimensions). Its atoms are the basis
    functions (the mixing matrix's columns, in pixel space); the unmixing ``filters`` are saved
    beside them. Summary: ``components``, ``rank`` (of the data), ``iterations``, ``converged``."""

    description = "FastICA (basis functions of a data set; filters saved beside)"
    holds_samples = True
    arrays = ("filters",)

    def check(self, config, n_pixels):
        if config.atoms is not None and config.atoms > n_pixels:
            raise DyntoolsError(f"ICA finds at most as many components as pixels ({n_pixels}); lower atoms",
                                arguments=("atoms",))

    def train(self, sample, n_pixels, config, keys, progress):
        result = fast_ica(np.asarray(sample(keys["train"], config.samples)), config.atoms, seed=config.seed,
                          progress=progress)
        return result["basis"].T, {"components": len(result["filters"]), "rank": result["rank"],
                                   "iterations": result["iterations"], "converged": result["converged"],
                                   "filters": result["filters"]}
