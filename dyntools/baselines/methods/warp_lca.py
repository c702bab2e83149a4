"""WARP-LCA: LCA whose inference starts from a learned predictor's guess (warm start)."""

from __future__ import annotations

import jax

from ..lca import LCASettings
from ..warp import compare_cold_warm, train_predictor
from .lca import LCA


class WarpLCA(LCA):
    """LCA's dictionary, then a predictor of the codes trained on ``samples`` inputs, and cold
    against warm starts on 1000 held-out inputs
    ([`compare_cold_warm`][dyntools.baselines.warp.compare_cold_warm]). Summary: LCA's, the
    comparison's and ``predictor_loss_last``."""

    description = "LCA warm-started by a learned predictor"
    holds_samples = True

    def train(self, sample, n_pixels, config, keys, progress):
        atoms, extra = super().train(sample, n_pixels, config, keys, progress)
        settings = LCASettings(config.penalty, config.threshold, config.nonneg)
        k_fit, k_held = jax.random.split(keys["test"])
        predictor, losses = train_predictor(atoms, sample(k_fit, config.samples), settings, key=k_fit)
        extra.update(compare_cold_warm(atoms, predictor, sample(k_held, 1000), settings))
        extra["predictor_loss_last"] = float(losses[-10:].mean())
        return atoms, extra
