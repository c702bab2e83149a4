"""Simulations: Diffrax integration of the effective ODEs, networks trained by SGD or gradient
flow, and the theory-vs-simulation runs behind ``dyntools simulate`` and ``dyntools sweep``."""

from .integrate import SOLVERS, check_solution, solve
from .network import ACTIVATIONS, CommitteeMachine, gradient_flow_trajectories, sgd_points, sgd_trajectories
from .simulate import SimulationConfig, SimulationResult, run_simulation, run_simulations, run_theories, run_theory

__all__ = [
    "ACTIVATIONS", "SOLVERS", "CommitteeMachine", "SimulationConfig", "SimulationResult", "check_solution",
    "gradient_flow_trajectories", "run_simulation", "run_simulations", "run_theories", "run_theory", "sgd_points",
    "sgd_trajectories", "solve",
]
