"""dyntools: learning-dynamics theory of receptive-field localization.

The public API is re-exported flat and imported lazily (``import dyntools`` is instant;
JAX and SymPy load on first use of what needs them).
"""

from ._lazy import lazy_exports

_EXPORTS = {
    "DyntoolsError": ".errors",
    # inputs
    "Circulant": ".inputs", "gaussian_kernel": ".inputs", "Marginal": ".inputs",
    "Gaussian": ".inputs", "Binary": ".inputs", "Uniform": ".inputs", "Laplace": ".inputs",
    "Alg": ".inputs", "GeneralizedNormal": ".inputs", "StudentT": ".inputs", "NLGP": ".inputs",
    "Shell": ".inputs", "FAMILIES": ".inputs", "make_marginal": ".inputs", "DensityMarginal": ".inputs.density",
    "InputModel": ".inputs", "Copula": ".inputs", "Elliptical": ".inputs", "IsingChain": ".inputs",
    "TwoClassTask": ".inputs", "build_task": ".inputs", "TaskSpec": ".inputs",
    # theory
    "make_amplifier": ".theory", "task_amplifier": ".theory", "QuadratureAmplifier": ".theory",
    "SeriesAmplifier": ".theory", "ClosedFormAmplifier": ".theory", "LinearAmplifier": ".theory",
    "EffectiveDynamics": ".theory", "ExactSingleNeuronFlow": ".theory", "LinearSteadyState": ".theory",
    "series_in_moments": ".theory", "series_coefficients": ".theory", "closed_form": ".theory",
    # simulations
    "SimulationConfig": ".simulations", "run_simulation": ".simulations", "CommitteeMachine": ".simulations",
    "sgd_trajectories": ".simulations", "gradient_flow_trajectories": ".simulations", "solve": ".simulations",
    # baselines
    "lca": ".baselines", "LCASettings": ".baselines", "learn_dictionary": ".baselines", "fast_ica": ".baselines",
    "train_wlsc": ".baselines", "train_predictor": ".baselines", "BaselineConfig": ".baselines", "BaselineResult": ".baselines",
    "train_baseline": ".baselines", "natural_patches": ".inputs.images",
    # measures and records
    "ipr": ".metrics", "circular_peak": ".metrics", "sinusoid_residual": ".metrics",
    "cosine_similarity": ".metrics", "load_run": ".runs",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
