"""Simulations: Diffrax integration of the effective ODEs, networks trained by SGD or gradient
flow, and the theory-vs-simulation runs behind ``dyntools simulate`` and ``dyntools sweep``.

Names are imported on first use (``SimulationConfig`` without JAX)."""

from .._lazy import lazy_exports

_EXPORTS = {
    **dict.fromkeys(("check_solution", "solve"), ".integrate"),
    "SOLVERS": ".solvers",
    **dict.fromkeys(("gradient_flow_trajectories", "sgd_points", "sgd_trajectories"), ".training"),
    **dict.fromkeys(("ACTIVATIONS", "Network", "network_class", "network_names"), ".networks"),
    "CommitteeMachine": ".networks.committee", "TwoLayerNetwork": ".networks.two_layer",
    "SimulationConfig": ".config",
    **dict.fromkeys(("SimulationResult", "SimulationSummary", "run_simulation", "run_simulations", "run_theories",
                     "run_theory"), ".simulate"),
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
