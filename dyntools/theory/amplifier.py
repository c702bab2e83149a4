r"""The localization amplifier $\phi(a)$ as JAX functions, in interchangeable forms.

All forms come from the one definition in [`dyntools.theory.symbolic`][dyntools.theory.symbolic],
$\phi(a) = \mathbb{E}_X[X\,\mathrm{erf}(X c(a))]$ with $c(a) = a/\sqrt{2(1 - a^2)}$:

- [`QuadratureAmplifier`][dyntools.theory.amplifiers.quadrature.QuadratureAmplifier]: the expectation by
  quadrature over the pixel law (any marginal; ~1e-12 accurate in float64 away from $|a| = 1$);
- [`SeriesAmplifier`][dyntools.theory.amplifiers.series.SeriesAmplifier]: the SymPy series in odd powers
  of $a$, to a chosen order;
- [`ClosedFormAmplifier`][dyntools.theory.amplifiers.closed.ClosedFormAmplifier]: SymPy's closed form
  where it compiles to JAX (gaussian, binary, uniform, Laplace, ...), with the order-9 series
  below $|a| = 0.02$, where closed forms cancel;
- [`LinearAmplifier`][dyntools.theory.amplifier.LinearAmplifier]: $\phi(a) = \text{slope}\cdot a$,
  exact for Gaussian and elliptical data.

Each is a callable ``phi(a)``: elementwise, jit-able and vmappable.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar, final

from .._jax import require_x64
from ..inputs.marginals import Gaussian, Marginal
from ..registries import AMPLIFIERS, build_entry, own_options
from .amplifiers._base import A_MAX, SMALL_A, Amplifier, MarginalAmplifier, erf_argument_scale, finite_series_order
from .amplifiers.closed import ClosedFormAmplifier, compiles_to_jax
from .amplifiers.quadrature import QuadratureAmplifier
from .amplifiers.series import SeriesAmplifier

if TYPE_CHECKING:
    from ..inputs.task import TwoClassTask

KINDS = AMPLIFIERS.names()
__all__ = ["A_MAX", "KINDS", "SMALL_A", "Amplifier", "ClosedFormAmplifier", "LinearAmplifier", "MarginalAmplifier",
           "QuadratureAmplifier", "SeriesAmplifier", "compiles_to_jax", "erf_argument_scale", "finite_series_order",
           "make_amplifier", "task_amplifier"]


@final
class LinearAmplifier(Amplifier):
    r"""$\phi(a) = \text{slope}\cdot a$: exact for Gaussian pixels and for elliptical data.

    Gaussian pixels have slope $\sqrt{2/\pi}$; elliptical data have slope $\mathbb{E}|X|$, at all
    times, since $\mathbb{E}[x \mid w\cdot x]$ is linear in $w\cdot x$.

    Attributes:
        slope: the slope of $\phi$.
    """

    slope: float
    kind: ClassVar[str] = "linear"

    def __call__(self, a):
        return self.slope * a

    def describe(self) -> dict:
        """A JSON-ready description of the form (saved in run.json).

        Returns:
            ``{"kind": ...}`` with the slope.
        """
        return {"kind": self.kind, "slope": self.slope}


def make_amplifier(marginal: Marginal, kind: str = "quadrature", order: int = 5,
                   options: dict | None = None) -> Amplifier:
    """The amplifier of ``marginal`` in the requested form.

    Arguments:
        marginal: the unit-variance pixel marginal.
        kind: a form's name in [`AMPLIFIERS`][dyntools.registries.AMPLIFIERS] (``"quadrature"``,
            ``"series"``, ``"closed"``).
        order: the series order, for a form that takes an ``order`` option (the series form).
        options: the form's own options, by name (its ``__init__``'s keyword arguments after
            the marginal).

    Returns:
        A [`QuadratureAmplifier`][dyntools.theory.amplifiers.quadrature.QuadratureAmplifier],
            [`SeriesAmplifier`][dyntools.theory.amplifiers.series.SeriesAmplifier] or
            [`ClosedFormAmplifier`][dyntools.theory.amplifiers.closed.ClosedFormAmplifier].

    Raises:
        DyntoolsError: for an unknown ``kind`` or an option the form does not take, or when the
            form is not available for this marginal (an infinite moment for the series, no
            closed form), or when JAX's 64-bit floats are off.
    """
    form = AMPLIFIERS.get(kind)  # raises for an unknown kind, listing the known ones
    require_x64()
    given = {"marginal": marginal, **({"order": order} if "order" in own_options(form, ("marginal",)) else {})}
    return build_entry(form, "amplifier", kind, given, options or {})


def task_amplifier(task: TwoClassTask, kind: str = "quadrature", order: int = 5,
                   options: dict | None = None) -> Amplifier:
    r"""The amplifier for a two-class task.

    Linear with slope $\mathbb{E}|X|$ for elliptical data (exact, at all times), linear with slope
    $\sqrt{2/\pi}$ for Gaussian pixels (a Gaussian clone included), otherwise the pixel
    marginal's amplifier in the requested form (see `make_amplifier`).

    Arguments:
        task: the two-class task ([`TwoClassTask`][dyntools.inputs.task.TwoClassTask]); its
            class-1 pixel marginal decides.
        kind: ``"quadrature"``, ``"series"`` or ``"closed"``, for non-Gaussian, non-elliptical
            pixels.
        order: the series order, with ``kind="series"`` only.
        options: the form's own options (see `make_amplifier`).

    Returns:
        An [`Amplifier`][dyntools.theory.amplifiers._base.Amplifier].

    Raises:
        DyntoolsError: as `make_amplifier`, for non-Gaussian, non-elliptical pixels.
    """
    if task.is_elliptical:
        return LinearAmplifier(task.pixel_marginal.mean_abs())
    if isinstance(task.pixel_marginal, Gaussian):  # Gaussian pixels, a Gaussian clone included
        return LinearAmplifier(math.sqrt(2 / math.pi))
    return make_amplifier(task.pixel_marginal, kind, order, options)
