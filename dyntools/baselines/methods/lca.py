"""LCA: sparse coding by the locally competitive algorithm, its dictionary learned by gradient steps."""

from __future__ import annotations

import numpy as np

from ..lca import LCASettings, lca, learn_dictionary
from ._base import Baseline


class LCA(Baseline):
    """LCA with a soft (l1) or hard (l0) threshold ([`learn_dictionary`][dyntools.baselines.lca.learn_dictionary]).
    Summary: ``energy_first``, ``energy_last`` (means of the first and last 10 energies) and
    whether inference with the final dictionary converges on 1000 held-out inputs
    (``inference_iterations``, ``inference_converged``)."""

    description = "locally competitive algorithm (sparse coding)"
    default_lambda = 1.0
    default_lr = 0.2

    def train(self, sample, n_pixels, config, keys, progress):
        settings = LCASettings(config.penalty, config.threshold, config.nonneg)
        D, energies = learn_dictionary(sample, n_pixels, config.n_atoms(n_pixels), settings, steps=config.steps,
                                       batch=config.batch, lr=config.learning_rate, key=keys["train"],
                                       progress=progress)
        # dictionary learning runs a fixed budget of inference iterations per step: check convergence
        iterations = int(lca(D, sample(keys["check"], 1000), settings)[3])
        return np.asarray(D), {"energy_first": float(energies[:10].mean()),
                               "energy_last": float(energies[-10:].mean()),
                               "inference_iterations": iterations,
                               "inference_converged": iterations < settings.max_iter}
