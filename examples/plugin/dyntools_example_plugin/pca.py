"""Principal components as a baseline: the non-localized control of efficient coding."""

from __future__ import annotations

import numpy as np

from dyntools.baselines.methods import Baseline


class PCA(Baseline):
    """The leading principal components of ``samples`` inputs, one atom each. Summary:
    ``explained`` (the share of the variance the atoms carry)."""

    description = "principal components (the non-localized control)"
    holds_samples = True

    def train(self, sample, n_pixels, config, keys, progress):
        data = np.asarray(sample(keys["train"], config.samples), dtype=float)
        data -= data.mean(axis=0)
        variances, vectors = np.linalg.eigh(data.T @ data / len(data))
        order = np.argsort(variances)[::-1][:config.n_atoms(n_pixels)]
        return vectors[:, order].T, {"explained": float(variances[order].sum() / variances.sum())}
