"""Input models: kernels, marginal families, samplers, the two-class task and its spec.

Names are imported on first use (``TaskSpec`` without JAX)."""

from .._lazy import lazy_exports

_EXPORTS = {
    **dict.fromkeys(("Circulant", "KernelClippingWarning", "gaussian_kernel", "ring_distance"), ".kernels"),
    **dict.fromkeys(("FAMILIES", "NLGP", "Alg", "Binary", "GeneralizedNormal", "Gaussian", "Laplace", "Marginal",
                     "Shell", "StudentT", "Uniform", "make_marginal"), ".marginals"),
    **dict.fromkeys(("Copula", "Elliptical", "GaussianClone", "InputModel", "IsingChain"), ".models"),
    **dict.fromkeys(("TwoClassTask", "build_task"), ".task"),
    **dict.fromkeys(("ALL_FAMILIES", "TaskSpec"), ".spec"),
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
