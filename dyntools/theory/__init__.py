"""Theory: the SymPy-derived localization amplifier and the effective dynamics."""

from .amplifier import (
    Amplifier, ClosedFormAmplifier, LinearAmplifier, QuadratureAmplifier, SeriesAmplifier, make_amplifier,
    task_amplifier,
)
from .derivation import Step, general_steps, marginal_steps
from .dynamics import EffectiveDynamics, ExactSingleNeuronFlow, LinearSteadyState
from .symbolic import amplifier_integrand, closed_form, series_coefficients, series_in_moments

__all__ = [
    "Amplifier", "ClosedFormAmplifier", "EffectiveDynamics", "ExactSingleNeuronFlow", "LinearAmplifier",
    "LinearSteadyState", "QuadratureAmplifier", "SeriesAmplifier", "Step", "amplifier_integrand", "closed_form",
    "general_steps", "make_amplifier", "marginal_steps", "series_coefficients", "series_in_moments",
    "task_amplifier",
]
