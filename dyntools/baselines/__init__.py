"""Efficient-coding baselines on the same inputs: LCA (soft/hard, non-negative), WARP-LCA,
WLSC and FastICA; one [`Baseline`][dyntools.baselines.methods._base.Baseline] class a file in
[`methods`][dyntools.baselines.methods]."""

from .ica import amari_index, fast_ica, principal_components
from .lca import LCASettings, energy, lca, learn_dictionary, threshold
from .methods import Baseline, baseline_class, baseline_names
from .run import (
    BaselineConfig, BaselineResult, array_sampler, gabor_measures, ipr_distribution, task_sampler,
    train_baseline, train_on_images,
)
from .warp import Predictor, compare_cold_warm, train_predictor
from .wlsc import encode, train_wlsc, wlsc_loss

__all__ = [
    "Baseline", "BaselineConfig", "BaselineResult", "LCASettings", "Predictor", "amari_index", "array_sampler", "baseline_class",
    "baseline_names", "compare_cold_warm", "encode", "energy", "fast_ica", "gabor_measures", "ipr_distribution", "lca",
    "learn_dictionary", "principal_components", "task_sampler", "threshold", "train_baseline", "train_on_images", "train_predictor", "train_wlsc", "wlsc_loss",
]
