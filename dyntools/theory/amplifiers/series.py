"""The series form of the amplifier: odd powers of a, exact in the marginal's moments."""

from __future__ import annotations

from typing import ClassVar, final

import equinox as eqx

from ..._jax import jnp
from ...errors import DyntoolsError
from ...inputs.marginals import Marginal
from ..series_cache import cached_series
from ._base import MarginalAmplifier, finite_series_order


@final
class SeriesAmplifier(MarginalAmplifier):
    r"""$\phi(a) \approx \sum_{n \le \text{order}} b_n a^n$, the SymPy series in odd powers of $a$.

    The coefficients $b_n$ come from
    [`series_coefficients`][dyntools.theory.symbolic.series_coefficients], exact in the marginal's
    moments; the cubic one is $-\sqrt{2/\pi}\,(m_4 - 3)/6$.

    Attributes:
        marginal: the unit-variance pixel marginal.
        order: the highest power of $a$ kept (1 or more).
        coefficients: the `order + 1` coefficients of $a^0, \dots, a^{\text{order}}$ as floats (even
            ones zero; computed, not passed).

    Raises:
        DyntoolsError: if ``order < 1``, or if a coefficient up to ``order`` needs a moment that
            is infinite for this marginal (the message names the highest usable order).
    """

    marginal: Marginal
    order: int = eqx.field(static=True)
    coefficients: tuple[float, ...] = eqx.field(repr=False)
    kind: ClassVar[str] = "series"
    description: ClassVar[str] = "power series in a to --order, from the marginal's moments"

    def __init__(self, marginal: Marginal, order: int = 5):
        if order < 1:
            raise DyntoolsError(f"series order must be at least 1 (got {order})")
        usable, missing = finite_series_order(marginal, order)
        if missing:
            raise DyntoolsError(
                f"the order-{order} series needs m{missing} = E X^{missing}, which is infinite for "
                f"{marginal.family} ({marginal.parameter_name} = {marginal.parameter:g}); "
                f"use order {usable} or the quadrature amplifier"
            )
        self.marginal, self.order = marginal, order
        self.coefficients = cached_series(marginal, order)

    def __call__(self, a):
        return jnp.polyval(jnp.asarray(self.coefficients[::-1], a.dtype), a)

    def describe(self) -> dict:
        """A JSON-ready description of the form (saved in run.json).

        Returns:
            ``{"kind": ...}`` with the order and the coefficients.
        """
        return {"kind": self.kind, "order": self.order, "coefficients": list(self.coefficients)}
