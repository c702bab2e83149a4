"""What ``dyntools derive`` reports about one marginal, as a plain dict."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .amplifier import QuadratureAmplifier, finite_series_order, task_amplifier
from .derivation import EQ5_TEXT
from .dynamics import THEORY_VALIDITY
from .symbolic import closed_form_search, series_coefficients

if TYPE_CHECKING:
    from ..inputs.marginals import Marginal
    from ..inputs.task import TwoClassTask

CHECK_POINTS = (0.3, 0.6)


def amplifier_report(marginal: Marginal, order: int, task: TwoClassTask | None = None) -> dict:
    r"""What ``dyntools derive`` reports about one marginal, JSON-ready.

    Moments, closed form, series (to the highest order whose moments are finite), its error
    against quadrature at `CHECK_POINTS` ($a$ = 0.3 and 0.6), and the effective ODE.

    Arguments:
        marginal: the unit-variance pixel marginal.
        order: the requested series order; moments $m_4, \dots, m_{\text{order}+1}$ are listed.
        task: the task the marginal belongs to, if any: for elliptical data (whose pixel
            marginal depends on N) the report adds ``n_pixels`` and ``exact_amplifier``, the
            task's exact linear amplifier.

    Returns:
        The marginal's description plus ``moments`` ({"m4": ..., ...}), ``closed_form`` (a
            string or None), ``closed_form_note`` (why there is none, or None), ``series``
            ({"n": coefficient of a^n}), ``series_order`` (the order used),
            ``series_missing_moment`` (why it stops short, or None),
            ``series_error`` and ``quadrature`` (series minus quadrature, and quadrature, at each
            check point), ``ode`` (Eq. 5 as text) and ``theory_validity``.
    """
    report = _marginal_report(marginal, order)
    if task is not None and task.is_elliptical:
        report["n_pixels"] = task.n_pixels
        report["exact_amplifier"] = {**task_amplifier(task).describe(),
                                     "why": "elliptical data: E[x | w.x] is exactly linear in w.x"}
    return report


def _marginal_report(marginal: Marginal, order: int) -> dict:
    usable, missing = finite_series_order(marginal, order)
    series = {n: float(c) for n, c in series_coefficients(marginal, usable).items()}
    exact = QuadratureAmplifier(marginal).values(np.asarray(CHECK_POINTS, dtype=np.float64))
    dense = [series.get(n, 0.0) for n in range(usable + 1)]  # coefficients of a^0 .. a^usable
    series_values = np.polynomial.polynomial.polyval(np.asarray(CHECK_POINTS), dense)
    closed, why_not = closed_form_search(marginal)
    moments = {f"m{p}": marginal.moment(p) for p in range(4, order + 2, 2)}
    return {
        **marginal.describe(),
        "moments": moments,
        "closed_form": None if closed is None else str(closed),
        "closed_form_note": why_not,
        "series": {str(n): c for n, c in series.items()},
        "series_order": usable,
        "series_missing_moment": None if missing is None else f"m{missing} = E X^{missing} is infinite",
        "series_error": {str(p): float(s - e) for p, s, e in zip(CHECK_POINTS, series_values, exact)},
        "quadrature": {str(p): float(e) for p, e in zip(CHECK_POINTS, exact)},
        "ode": EQ5_TEXT,
        "theory_validity": THEORY_VALIDITY,
    }
