"""Series coefficients of $\\phi$ kept on disk: SymPy derives them once per marginal, order and version.

Deriving the order-$n$ series takes SymPy about a second per order and importing SymPy half a
second; a run that needs the series again reads its floats from
``cache_root()/series/<key>.json`` instead (the key hashes the marginal's description, the
order and the package version), and SymPy is not imported at all.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from ..cache import cache_root, store

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
    from ..runs import package_version

    root = cache_root()
    identity = json.dumps({"marginal": marginal.describe(), "order": order, "version": package_version()},
                          sort_keys=True, default=str)
    path = None if root is None else root / "series" / f"{hashlib.sha256(identity.encode()).hexdigest()}.json"
    if path is not None and path.exists():
        try:
            stored = json.loads(path.read_text())
            if stored["identity"] == identity and len(stored["coefficients"]) == order + 1:
                return tuple(float(c) for c in stored["coefficients"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # unreadable: derive again and overwrite
    from .symbolic import series_coefficients

    exact = series_coefficients(marginal, order)
    values = tuple(float(exact.get(n, 0.0)) for n in range(order + 1))
    if path is not None:
        store(path, json.dumps({"identity": identity, "coefficients": values}).encode())
    return values
