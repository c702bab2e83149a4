"""The baselines, one final class a file, named after it (``warp_lca.py`` is ``warp-lca``).

Each is a [`Baseline`][dyntools.baselines.methods._base.Baseline]: unlabelled inputs in, a
dictionary of atoms out, compared with the neuron's receptive fields by their IPR. Adding a
baseline is adding a file here; `dyntools baseline` and `localization-map` know it at once.
This module stays light (no JAX): the command line lists the baselines from it.
"""

from __future__ import annotations

from ..._lazy import lazy_exports
from ...registries import BASELINES

__getattr__ = lazy_exports(__name__, {"Baseline": "._base"})[0]

baseline_names = BASELINES.names  # () -> the names (ica, lca, warp-lca, wlsc, ...), read without importing
baseline_class = BASELINES.get  # (name) -> the class; DyntoolsError for an unknown name


def __dir__() -> list[str]:
    return ["BASELINES", "Baseline", "baseline_class", "baseline_names"]
