"""WLSC: weighted l1 sparse coding (codes weighted by the distance of input and atom), trained with Adam."""

from __future__ import annotations

import jax
import numpy as np

from ..wlsc import train_wlsc
from ._base import Baseline


class WLSC(Baseline):
    """Weighted l1 sparse coding ([`train_wlsc`][dyntools.baselines.wlsc.train_wlsc]). Summary:
    ``loss_first``, ``loss_last`` (means of the first and last 10 losses), ``step_sizes``
    [layers]."""

    description = "weighted l1 sparse coding (Adam)"
    default_lambda = 0.003  # WLSC weights codes by ||x - d_j||^2 ~ N: a smaller scale than LCA's
    default_lr = 3e-3

    def train(self, sample, n_pixels, config, keys, progress):
        params, losses = train_wlsc(sample, n_pixels, config.n_atoms(n_pixels), config.penalty, steps=config.steps,
                                    batch=config.batch, lr=config.learning_rate, key=keys["train"], progress=progress)
        return np.asarray(params["D"]), {"loss_first": float(losses[:10].mean()), "loss_last": float(losses[-10:].mean()),
                                         "step_sizes": np.asarray(jax.nn.softplus(params["theta"]))}
