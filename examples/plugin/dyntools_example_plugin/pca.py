"""Principal components as a baseline: the non-localized control of efficient coding."""

from __future__ import annotations

import numpy as np

from dyntools.baselines import principal_components
from dyntools.baselines.methods import Baseline


class PCA(Baseline):
    """The leading principal components of ``samples`` inputs, one atom each. Summary:
    ``explained`` (the share of the variance the atoms carry)."""

    description = "principal components (the non-localized control)"
    holds_samples = True

    def train(self, sample, n_pixels, config, keys, progress):
        data = np.asarray(sample(keys["train"], config.samples), dtype=float)
        atoms = principal_components(data)[:config.n_atoms(n_pixels)]
        centred = data - data.mean(axis=0)
        explained = np.sum((centred @ atoms.T) ** 2) / np.sum(centred**2)
        return atoms, {"explained": float(explained)}
