r"""The base of the amplifier forms, and what they share.

Every form is a callable ``phi(a)``: elementwise, jit-able and vmappable. The forms a caller
chooses by name (``quadrature``, ``series``, ``closed``) are `MarginalAmplifier` classes, one a
file in this package; [`AMPLIFIERS`][dyntools.registries.AMPLIFIERS] lists them.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from typing import TYPE_CHECKING, ClassVar

import equinox as eqx
import numpy as np

from ..._jax import jax, jnp
from ...inputs.marginals import Marginal

if TYPE_CHECKING:
    from jaxtyping import Array, Float

A_MAX = 1 - 1e-12  # |a| <= 1 by Cauchy-Schwarz; keep c(a) finite
SMALL_A = 0.02


def erf_argument_scale(a: Float[Array, "*s"]) -> Float[Array, "*s"]:
    r"""The scale $c(a) = a / \sqrt{2(1 - a^2)}$ inside the erf of the amplifier.

    Arguments:
        a: amplifier arguments of any shape, in $(-1, 1)$ (infinite at $|a| = 1$).

    Returns:
        $c(a)$, elementwise, with the shape of ``a``.
    """
    return a / jnp.sqrt(2 * (1 - a * a))


class Amplifier(eqx.Module):
    r"""Base class of the amplifier forms: $\phi: [-1, 1] \to \mathbb{R}$, odd, with slope $\sqrt{2/\pi}$ at 0.

    Calling an amplifier, ``phi(a)``, evaluates it elementwise on an array ``a`` of any shape
    `[*s]` with entries in $[-1, 1]$, returning an array of the same shape and dtype; it is
    jit-able and vmappable. Forms are `equinox.Module`s: their numbers (nodes, coefficients,
    the marginal's parameter) are leaves, so equal forms share one compiled program and forms
    of one structure stack for `vmap`.

    Attributes:
        kind: the form's name (``"quadrature"``, ``"series"``, ``"closed"`` or ``"linear"``).
    """

    kind: ClassVar[str]

    @abstractmethod
    def __call__(self, a: Float[Array, "*s"]) -> Float[Array, "*s"]: ...

    def values(self, a: np.ndarray) -> np.ndarray:
        r"""$\phi$ at NumPy points, computed by one compiled program. (Called outside a compiled
        program, a form compiles each of its operations on its own: for the quadrature form eleven
        programs, 0.07 s, against 0.02 s, compilation cache warm.)

        Arguments:
            a: points of any shape [*s] in $[-1, 1]$.

        Returns:
            [*s] $\phi(a)$, a NumPy array.
        """
        return np.asarray(_evaluate(self, np.asarray(a)))

    def describe(self) -> dict:
        """A JSON-ready description of the form (saved in run.json).

        Returns:
            ``{"kind": ...}`` and the form's own settings.
        """
        return {"kind": self.kind}


@jax.jit  # every leaf traced, Python numbers too (the marginal's parameter): one program per form
def _evaluate(amplifier: Amplifier, a):
    return amplifier(a)


class MarginalAmplifier(Amplifier):
    """An amplifier form computed from the pixel marginal: the forms chosen by name. A form is
    built as ``Form(marginal, **its own options)``: the series form's ``order``, or any keyword
    argument a form's ``__init__`` adds (see `dyntools.theory.amplifier.make_amplifier`).

    Attributes:
        marginal: the unit-variance pixel marginal.
    """

    marginal: eqx.AbstractVar[Marginal]
    GIVEN: ClassVar[tuple[str, ...]] = ("marginal", "order")  # not options (the order only to a form that takes it)


def finite_series_order(marginal: Marginal, order: int) -> tuple[int, int | None]:
    r"""How far the series of $\phi$ can go for a marginal whose high moments may be infinite.

    The coefficient of $a^n$ needs $m_{n+1} = \mathbb{E} X^{n+1}$, so a heavy-tailed marginal
    (e.g. Student-t, or Kur($k$) with small $k$) has a series only up to some order.

    Arguments:
        marginal: the unit-variance pixel marginal.
        order: the requested highest power of $a$.

    Returns:
        `(usable, missing)`: the highest odd order `<= order` whose coefficients need only finite
            moments (at least 1), and the order of the first infinite moment that stops it
            (`None` if none does).
    """
    usable = 1
    for n in range(3, order + 1, 2):
        if not math.isfinite(marginal.moment(n + 1)):
            return usable, n + 1
        usable = n
    return usable, None
