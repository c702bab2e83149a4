"""Theory: the SymPy-derived localization amplifier and the effective dynamics.

Names are imported on first use, so that running the theory with the quadrature amplifier
never imports SymPy (only deriving does).
"""

from .._lazy import lazy_exports

_EXPORTS = {
    "Amplifier": ".amplifier", "ClosedFormAmplifier": ".amplifier", "LinearAmplifier": ".amplifier",
    "QuadratureAmplifier": ".amplifier", "SeriesAmplifier": ".amplifier", "make_amplifier": ".amplifier",
    "task_amplifier": ".amplifier",
    "Step": ".derivation", "general_steps": ".derivation", "marginal_steps": ".derivation",
    "EffectiveDynamics": ".dynamics", "ExactSingleNeuronFlow": ".dynamics", "LinearSteadyState": ".dynamics",
    "amplifier_integrand": ".symbolic", "closed_form": ".symbolic", "closed_form_search": ".symbolic", "series_coefficients": ".symbolic",
    "series_in_moments": ".symbolic",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
