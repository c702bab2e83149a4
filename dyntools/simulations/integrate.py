"""Diffrax integration of vector fields ``f(t, y, args)`` with checked results."""

from __future__ import annotations

import numpy as np

from ..errors import DyntoolsError

# solver name -> diffrax class name (diffrax is imported only when an ODE is integrated)
ADAPTIVE_SOLVERS = {"tsit5": "Tsit5", "dopri5": "Dopri5", "dopri8": "Dopri8", "heun": "Heun", "bosh3": "Bosh3"}
FIXED_SOLVERS = {"euler": "Euler"}
SOLVERS = (*ADAPTIVE_SOLVERS, *FIXED_SOLVERS)


def check_solver(solver: str) -> None:
    if solver not in SOLVERS:
        raise DyntoolsError(f"unknown solver '{solver}'; choose one of: {', '.join(SOLVERS)}")


def max_steps_for(t1: float, stiffness: float, dt0: float | None = None) -> int:
    """Step budget from the horizon: an explicit solver needs ~t1 * (largest decay rate) steps
    for stability; allow 50x that (and at least 10^4), or t1/dt0 (+1%) for fixed steps."""
    if dt0 is not None:
        return int(np.ceil(1.01 * t1 / dt0)) + 16
    return max(10_000, int(50 * t1 * max(stiffness, 1e-3)))


def solve(field, y0, t_save, *, stiffness: float, solver: str = "tsit5", rtol: float = 1e-6, atol: float = 1e-9,
          dt0: float | None = None, args=None):
    """Integrate dy/dt = field(t, y, args) from t = 0, returning (ys at t_save, success flag).

    Adaptive solvers use a PID controller (rtol, atol); 'euler' uses the fixed step ``dt0``.
    ``stiffness`` (the largest decay rate of the field) sets ``max_steps``. Jit-able and
    vmappable: the flag is a boolean array, checked by :func:`check_solution`."""
    import diffrax

    check_solver(solver)
    t_save = np.asarray(t_save, dtype=float)  # concrete: the horizon fixes max_steps
    t1 = float(t_save[-1])
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
        max_steps=max_steps_for(t1, stiffness, dt0 if solver in FIXED_SOLVERS else None), throw=False,
    )
    return sol.ys, sol.result == diffrax.RESULTS.successful


def check_solution(ys, succeeded, what: str) -> None:
    """Raise a one-line DyntoolsError if the solver failed or the solution is not finite."""
    if not np.all(np.asarray(succeeded)):
        raise DyntoolsError(f"{what}: the ODE solver did not finish (step budget exhausted or step size "
                            "collapsed); try a shorter horizon, looser tolerances or another --solver")
    ys = np.asarray(ys)
    finite = np.isfinite(ys.reshape(ys.shape[0], -1)).all(axis=1)
    if not finite.all():
        raise DyntoolsError(f"{what}: the solution became non-finite at save point {int(np.argmin(finite))}")
