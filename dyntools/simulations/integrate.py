"""Diffrax integration of vector fields ``f(t, y, args)`` with checked results."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DyntoolsError
from .solvers import ADAPTIVE_SOLVERS, FIXED_SOLVERS, check_solver

if TYPE_CHECKING:
    from jaxtyping import Array, ArrayLike, Bool, PyTree

def max_steps_for(t1: float, stiffness: float, dt0: float | None = None) -> int:
    r"""The ``max_steps`` budget of a solve, from its horizon.

    An explicit solver needs about $t_1 \times$ (largest decay rate) steps for stability; allow
    50 times that (and at least $10^4$), or $\lceil 1.01\, t_1 / dt_0\rceil + 16$ for fixed steps.

    Arguments:
        t1: the final time.
        stiffness: the largest decay rate of the field (floored at 1e-3).
        dt0: the fixed step size, or None for an adaptive solver.

    Returns:
        The maximum number of solver steps, rounded up to a power of two: it is static in the
            compiled solve, so nearby horizons and stiffnesses share one program.
    """
    if dt0 is not None:
        budget = int(np.ceil(1.01 * t1 / dt0)) + 16
    else:
        budget = max(10_000, int(50 * t1 * max(stiffness, 1e-3)))
    return 1 << (budget - 1).bit_length()


def solve(field: Callable, y0: PyTree[Array], t_save: ArrayLike, *, stiffness: float | None = None,
          max_steps: int | None = None, solver: str = "tsit5", rtol: float = 1e-6, atol: float = 1e-9,
          dt0: ArrayLike | None = None, args: object = None) -> tuple[PyTree[Array], Bool[Array, ""]]:
    r"""Integrate $dy/dt = \text{field}(t, y, \text{args})$ from $t = 0$ with Diffrax.

    Adaptive solvers use a PID controller (``rtol``, ``atol``); ``euler`` uses the fixed step
    ``dt0``. The step budget is ``max_steps``, or `max_steps_for` the horizon and
    ``stiffness`` (then ``t_save`` and ``dt0`` must be concrete). Jit-able and vmappable; with
    ``max_steps`` given, ``t_save``, ``dt0`` and a pytree ``field`` may be traced, so one
    program serves every horizon and parameter. Failures are not raised but flagged, for
    [`check_solution`][dyntools.simulations.integrate.check_solution].

    Arguments:
        field: the vector field ``field(t, y, args)``, returning a PyTree shaped like ``y``
            (e.g. [`EffectiveDynamics`][dyntools.theory.dynamics.EffectiveDynamics]).
        y0: the initial state at $t = 0$, a PyTree of arrays (e.g. weights [K, N]).
        t_save: [T] increasing save times, the last one the horizon $t_1$.
        stiffness: the largest decay rate of the field (e.g. the top eigenvalue of
            $\Sigma_0 + \Sigma_1$); needed when ``max_steps`` is not given.
        max_steps: the step budget (static under `jit`), or None for `max_steps_for`.
        solver: a name from [`SOLVERS`][dyntools.simulations.solvers.SOLVERS].
        rtol: relative tolerance of adaptive solvers.
        atol: absolute tolerance of adaptive solvers.
        dt0: the initial step (adaptive solvers; None lets Diffrax choose) or the fixed step
            (``euler``, required).
        args: passed to ``field`` unchanged.

    Returns:
        ``(ys, ok)``: the state at each save time, every leaf with a leading axis [T], and a
            boolean scalar array, True when the solver finished.

    Raises:
        DyntoolsError: for an unknown solver, or ``euler`` without ``dt0``.
    """
    import diffrax

    check_solver(solver)
    if max_steps is None:
        t_save = np.asarray(t_save, dtype=float)  # concrete: the horizon fixes the budget
        max_steps = max_steps_for(float(t_save[-1]), stiffness, dt0 if solver in FIXED_SOLVERS else None)
    t1 = t_save[-1]
    if solver in FIXED_SOLVERS:
        if dt0 is None:
            raise DyntoolsError("the euler solver needs a step size dt0")
        method, controller = getattr(diffrax, FIXED_SOLVERS[solver])(), diffrax.ConstantStepSize()
    else:
        method = getattr(diffrax, ADAPTIVE_SOLVERS[solver])()
        controller = diffrax.PIDController(rtol=rtol, atol=atol)
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(field), method, t0=0.0, t1=t1, dt0=dt0, y0=y0, args=args,
        saveat=diffrax.SaveAt(ts=t_save), stepsize_controller=controller,
        max_steps=max_steps, throw=False,
    )
    return sol.ys, sol.result == diffrax.RESULTS.successful


def check_solution(ys: ArrayLike, succeeded: ArrayLike, what: str) -> None:
    """Raise a one-line DyntoolsError if the solver failed or the solution is not finite.

    Arguments:
        ys: [T, ...] the solution at the save times (as returned by
            [`solve`][dyntools.simulations.integrate.solve]; one array, not a PyTree).
        succeeded: the success flag(s) of [`solve`][dyntools.simulations.integrate.solve] (any
            shape, e.g. one per vmapped solve).
        what: what was integrated, to start the message (e.g. ``"effective ODE"``).

    Raises:
        DyntoolsError: if any flag is False (step budget exhausted or step size collapsed), or
            the solution is not finite at some save point (the message names the first).
    """
    if not np.all(np.asarray(succeeded)):
        raise DyntoolsError(f"{what}: the ODE solver did not finish (step budget exhausted or step size "
                            "collapsed); try a shorter horizon, looser tolerances or another solver", arguments=("solver",))
    ys = np.asarray(ys)
    finite = np.isfinite(ys.reshape(ys.shape[0], -1)).all(axis=1)
    if not finite.all():
        raise DyntoolsError(f"{what}: the solution became non-finite at save point {int(np.argmin(finite))}")
