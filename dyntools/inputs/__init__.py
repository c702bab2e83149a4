"""Input models: kernels, marginal families, samplers and the two-class task."""

from .kernels import Circulant, KernelClippingWarning, gaussian_kernel, ring_distance
from .marginals import (
    FAMILIES,
    NLGP,
    Alg,
    Binary,
    GeneralizedNormal,
    Gaussian,
    Laplace,
    Marginal,
    Shell,
    StudentT,
    Uniform,
    make_marginal,
)
from .models import Copula, Elliptical, GaussianClone, InputModel, IsingChain
from .task import ALL_FAMILIES, TwoClassTask, build_task

__all__ = [
    "ALL_FAMILIES", "FAMILIES", "NLGP", "Alg", "Binary", "Circulant", "Copula", "Elliptical",
    "GaussianClone", "GeneralizedNormal", "Gaussian", "InputModel", "IsingChain", "KernelClippingWarning",
    "Laplace", "Marginal", "Shell", "StudentT", "TwoClassTask", "Uniform", "build_task",
    "gaussian_kernel", "make_marginal", "ring_distance",
]
