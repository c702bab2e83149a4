"""Series coefficients of $\\phi$ kept on disk: SymPy derives them once per marginal, order and code.

Deriving the order-$n$ series takes SymPy about a second per order and importing SymPy half a
second; a run that needs the series again reads its floats from
``cache_root()/series/<key>.json`` instead, and SymPy is not imported at all. The key hashes the
marginal's description, the order and [`code_identity`][dyntools.cache.code_identity]
(dyntools' sources, so an edited `symbolic.py` derives again, and the versions of dyntools, JAX
and SymPy); a damaged entry is derived again and reported in one line.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING

from ..cache import entry_key, entry_path, load, save

if TYPE_CHECKING:
    from ..inputs.marginals import Marginal


def cached_series(marginal: Marginal, order: int) -> tuple[float, ...]:
    """The coefficients of $a^0, \\dots, a^{\\text{order}}$ of $\\phi$'s series, as floats.

    Read from the disk cache, or derived by
    [`series_coefficients`][dyntools.theory.symbolic.series_coefficients] and stored (a cache
    that cannot be written is skipped silently: it only saves time).

    Arguments:
        marginal: the unit-variance pixel marginal (its moments up to $m_{\\text{order}+1}$
            finite).
        order: the highest power of $a$.

    Returns:
        ``order + 1`` floats (even powers zero).
    """
    key = entry_key("series", json.dumps(marginal.describe(), sort_keys=True, default=str), order)
    path = entry_path("series", key, ".json")
    stored = load(path, key, partial(_coefficients, order))
    if stored is not None:
        return stored
    from .symbolic import series_coefficients

    exact = series_coefficients(marginal, order)
    values = tuple(float(exact.get(n, 0.0)) for n in range(order + 1))
    save(path, key, json.dumps(values).encode())
    return values


def _coefficients(order: int, payload: bytes) -> tuple[float, ...]:
    """The ``order + 1`` floats a stored payload (a JSON list) holds; ValueError otherwise."""
    values = tuple(float(c) for c in json.loads(payload))
    if len(values) != order + 1:
        raise ValueError(f"{len(values)} coefficients stored, {order + 1} expected")
    return values
