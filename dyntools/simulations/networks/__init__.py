r"""Networks: one interface, one final class a file.

A network ([`Network`][dyntools.simulations.networks._base.Network]) maps inputs $x$ [B, N] to one
output per input, has first-layer weights $w$ [K, N] (its receptive fields, what the metrics
measure), and is trained on the mean squared error to the labels. In the spirit of
neural-tangents it is three functions of one object: ``init`` (parameters), ``apply`` (outputs)
and, optionally, ``effective_theory`` (the effective ODE of its first-layer weights, or None).

Every public module of this package defines one network, named after its file
(``two_layer.py`` is ``two-layer``); adding a network is adding a file. This module stays
light (no JAX): the command line lists the networks from it.
"""

from __future__ import annotations

from ..._lazy import lazy_exports
from ...registries import NETWORKS

_EXPORTS = {"ACTIVATIONS": "._base", "Network": "._base"}
__getattr__ = lazy_exports(__name__, _EXPORTS)[0]

network_names = NETWORKS.names  # () -> the names (committee, two-layer, ...), read without importing
network_class = NETWORKS.get  # (name) -> the class; DyntoolsError for an unknown name


def __dir__() -> list[str]:
    return sorted([*_EXPORTS, "NETWORKS", "network_class", "network_names"])
