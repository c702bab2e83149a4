"""The baselines, one final class a file, named after it (``warp_lca.py`` is ``warp-lca``).

Each is a [`Baseline`][dyntools.baselines.methods._base.Baseline]: unlabelled inputs in, a
dictionary of atoms out, compared with the neuron's receptive fields by their IPR. Adding a
baseline is adding a file here; `dyntools baseline` and `localization-map` know it at once.
This module stays light (no JAX): the command line lists the baselines from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._lazy import lazy_exports
from ..._registry import entry_class, entry_names

if TYPE_CHECKING:
    from ._base import Baseline

__getattr__ = lazy_exports(__name__, {"Baseline": "._base"})[0]


def baseline_names() -> tuple[str, ...]:
    """The baselines of this package, named after their files (read without importing them)."""
    return entry_names(__name__)


def baseline_class(name: str) -> type[Baseline]:
    """The baseline class called ``name``.

    Arguments:
        name: one of `baseline_names` (``ica``, ``lca``, ``warp-lca``, ``wlsc``, ...).

    Returns:
        The class its module defines.

    Raises:
        DyntoolsError: for an unknown name.
    """
    from ._base import Baseline

    return entry_class(__name__, name, Baseline, "baseline")


def __dir__() -> list[str]:
    return ["Baseline", "baseline_class", "baseline_names"]
