"""Models are `equinox.Module`s (issue 22): two equal instances built separately, and two members
of one family that differ only in their numbers, share one compiled program; every model class
is covered, and each is checked to be final or abstract.

Compiles are counted with JAX's monitoring events, as in ``test_compile_once.py``: the first call
of a freshly jitted probe must trace, the second (the other instance) must trace and compile
nothing.
"""

import inspect
import math

import equinox as eqx
import numpy as np
import pytest

from dyntools._jax import jax, jnp
from dyntools.inputs.density import DensityMarginal
from dyntools.inputs.kernels import Circulant, gaussian_kernel
from dyntools.inputs.marginals import FAMILIES, Marginal, Shell, make_marginal
from dyntools.inputs.models import Copula, Elliptical, GaussianClone, InputModel, IsingChain
from dyntools.inputs.task import TwoClassTask
from dyntools.simulations.networks import Network, network_class, network_names
from dyntools.theory.amplifier import Amplifier, LinearAmplifier, make_amplifier
from dyntools.theory.dynamics import EffectiveDynamics, ExactSingleNeuronFlow
from test_compile_once import compilations

SHAPE = (11,)  # a grid no other test uses, so the first call of each probe traces
KEY = jax.random.PRNGKey(3)
Z = jnp.linspace(-3.0, 3.0, 7)
A = jnp.linspace(-0.9, 0.9, 5)
W = jnp.asarray(np.random.default_rng(0).normal(size=(2, SHAPE[0])))


def _sample(model):
    return model.sample(KEY, 4, jnp.float64)


def _dynamics(dynamics):
    return dynamics(0.0, W[:1] if isinstance(dynamics, ExactSingleNeuronFlow) else W)


def _task(xi1):
    return TwoClassTask(Copula(SHAPE, 0.7, make_marginal("alg", 1.0)), Copula(SHAPE, xi1, make_marginal("alg", 1.0)))


def _effective(p):
    return EffectiveDynamics(make_amplifier(make_marginal("nlgp", -1.0)), gaussian_kernel(SHAPE, 0.7),
                             gaussian_kernel(SHAPE, 1.3), p)


# (name, builder of (parameter) -> instance, probe, the parameter of the first two calls, another member's)
MEMBERS = [
    *[(f"marginal {family}", lambda v, f=family: make_marginal(f, v if FAMILIES[f].parameter_name else None),
       lambda m: m.transform(Z), kurtosis, other)
      for family, kurtosis, other in [("gaussian", 0.0, 0.0), ("binary", -2.0, -2.0), ("uniform", -1.2, -1.2),
                                      ("laplace", 3.0, 3.0), ("alg", 1.0, 2.5), ("gennorm", 1.0, 2.0),
                                      ("t", 1.0, 2.0), ("nlgp", -1.0, -0.5)]],
    ("marginal shell", lambda n: Shell(n), lambda m: m.transform(Z), 40, 40),  # n is static: the grid's size
    ("marginal density", lambda c: DensityMarginal(f"{c}*exp(-x**4)/gamma(1/4)"), lambda m: m.transform(Z), 2, 2),
    ("circulant", lambda xi: gaussian_kernel(SHAPE, xi), lambda c: c.apply_sqrt(W), 0.7, 1.3),
    ("copula", lambda xi: Copula(SHAPE, xi, make_marginal("nlgp", -1.0)), _sample, 0.7, 1.3),
    ("elliptical t", lambda xi: Elliptical(SHAPE, xi, "t", 5.0), _sample, 0.7, 1.3),
    ("elliptical shell", lambda xi: Elliptical(SHAPE, xi, "shell"), _sample, 0.7, 1.3),
    ("ising", lambda xi: IsingChain(SHAPE, xi), _sample, 0.7, 1.3),
    ("gaussian clone", lambda xi: GaussianClone(Copula(SHAPE, xi, make_marginal("alg", 1.0))), _sample, 0.7, 1.3),
    ("task", _task, lambda t: t.sample(KEY, 4, jnp.float64)[0], 1.3, 2.0),
    ("amplifier quadrature", lambda v: make_amplifier(make_marginal("nlgp", v)), lambda a: a(A), -1.0, -0.5),
    ("amplifier series", lambda v: make_amplifier(make_marginal("gennorm", v), "series", 5), lambda a: a(A), 1.0, 2.0),
    ("amplifier closed", lambda v: make_amplifier(make_marginal("laplace", v), "closed"), lambda a: a(A), 3.0, 3.0),
    ("amplifier linear", lambda s: LinearAmplifier(s), lambda a: a(A), math.sqrt(2 / math.pi), 0.5),
    ("effective dynamics", _effective, _dynamics, 0.5, 0.3),
    ("exact flow", lambda p: ExactSingleNeuronFlow(W, gaussian_kernel(SHAPE, 0.7), gaussian_kernel(SHAPE, 1.3), p),
     _dynamics, 0.5, 0.3),
]


@pytest.mark.parametrize("name, build, probe, value, other", MEMBERS, ids=[m[0] for m in MEMBERS])
def test_equal_instances_and_other_members_compile_once(name, build, probe, value, other):
    run = jax.jit(probe)  # a fresh program: its first call must trace
    first, second, sibling = build(value), build(value), build(other)
    assert first is not second and jax.tree.structure(first) == jax.tree.structure(second)
    with compilations() as log:
        expected = np.asarray(run(first))
    assert any(kind == "trace" for kind, _ in log), "the listener saw no trace on the first call"
    with compilations() as log:
        again, theirs = np.asarray(run(second)), np.asarray(run(sibling))
    assert log == [], f"an equal instance or another member of {name} traced/compiled: {log}"
    np.testing.assert_array_equal(again, expected)
    np.testing.assert_allclose(theirs, np.asarray(probe(sibling)), rtol=1e-12, atol=1e-15)  # traced = eager


@pytest.mark.parametrize("name", network_names())
def test_equal_networks_are_one_static_argument(name):
    """A network is a static argument of the SGD step: equal ones must hash and compare equal."""
    cls = network_class(name)
    first, second = cls(n_inputs=11, neurons=2), cls(n_inputs=11, neurons=2)
    run = jax.jit(lambda net, params, x: net(params, x), static_argnums=0)
    params = first.init(KEY, 1.0)
    x = jnp.ones((3, 11))
    with compilations() as log:
        run(first, params, x)
    assert any(kind == "trace" for kind, _ in log)
    with compilations() as log:
        run(second, params, x)
    assert log == [] and hash(first) == hash(second) and first == second
    assert cls(n_inputs=11, neurons=3) != first


def test_model_classes_are_modules_abstract_or_final():
    """Every model class of dyntools is an `equinox.Module`, and either abstract or final (no
    subclass may change what a compiled program assumed)."""
    from dyntools.baselines.warp import Predictor

    bases = (Marginal, InputModel, Circulant, TwoClassTask, Amplifier, EffectiveDynamics, ExactSingleNeuronFlow,
             Network, Predictor)
    classes = {cls for base in bases for cls in _subclasses(base) if cls.__module__.startswith("dyntools.")}
    assert len(classes) >= 30
    for cls in classes:
        assert issubclass(cls, eqx.Module), cls
        assert inspect.isabstract(cls) != getattr(cls, "__final__", False), f"{cls.__name__}: abstract xor final"


def _subclasses(cls):
    return {cls} | {s for sub in cls.__subclasses__() for s in _subclasses(sub)}
