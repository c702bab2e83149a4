"""The registry of ODE solvers: each name chooses one Diffrax solver class.

Light to import (Diffrax is imported only where an ODE is integrated): the command line reads
its choices and help from here.
"""

from __future__ import annotations

from ..errors import DyntoolsError

# solver name -> Diffrax class name
ADAPTIVE_SOLVERS = {"tsit5": "Tsit5", "dopri5": "Dopri5", "dopri8": "Dopri8", "heun": "Heun", "bosh3": "Bosh3"}
FIXED_SOLVERS = {"euler": "Euler"}
SOLVERS = (*ADAPTIVE_SOLVERS, *FIXED_SOLVERS)
"""Every solver name: the adaptive ones (Diffrax's PID step-size controller) and the fixed-step ones."""


def check_solver(solver: str) -> None:
    """Check a solver name.

    Arguments:
        solver: one of `SOLVERS` (``tsit5``, ``dopri5``, ``dopri8``, ``heun``, ``bosh3``, ``euler``).

    Raises:
        DyntoolsError: for an unknown name.
    """
    if solver not in SOLVERS:
        raise DyntoolsError(f"unknown solver '{solver}'; choose one of: {', '.join(SOLVERS)}")
