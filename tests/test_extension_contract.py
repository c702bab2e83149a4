"""The extension contract: every entry of every registry (task families, networks, baselines,
amplifier forms) does what the rest of dyntools relies on. The tests are parametrized over the
registries' names, so a new entry is checked as soon as its file exists, and none of them lists
the entries by hand."""

import math

import numpy as np
import pytest

from dyntools._jax import jax, jnp
from dyntools.errors import DyntoolsError
from dyntools.inputs import TaskSpec, build_task
from dyntools.inputs.marginals import FAMILIES, Shell
from dyntools.inputs.spec import ALL_FAMILIES, ELLIPTICAL_FAMILIES, family_parameters
from dyntools._jax import stack
from dyntools.registries import AMPLIFIERS, BASELINES, NETWORKS

KEY = jax.random.PRNGKey(0)
N_DIMS = 8
SAMPLES = 100_000  # one pixel per sample: independent draws


def _kurtosis_range(family: str) -> tuple[float, float]:
    """The excess kurtosis a parametric task family reaches (its radial law's for an elliptical one)."""
    if family == "auto":
        return (-2.0, math.inf)
    radial = ELLIPTICAL_FAMILIES.get(family, family)
    return (Shell if radial == "shell" else FAMILIES[radial]).kurtosis_range


def _members(family: str) -> list:
    """Tasks of ``family`` (N = 8): one for a fixed family, two of different parameter for a
    family with one. The chosen kurtosis sits just above the family's lower end (an infinite
    range) or mid-range, where the 8th moment is finite (the kurtosis test needs it)."""
    if family != "auto" and family not in family_parameters():
        return [build_task(TaskSpec(family=family, n_dims=N_DIMS))]
    lo, hi = _kurtosis_range(family)
    first = lo + 0.3 if math.isinf(hi) else (lo + hi) / 2
    return [build_task(TaskSpec(family=family, kurtosis=k, n_dims=N_DIMS)) for k in (first, first + 0.2)]


@pytest.fixture(scope="module", params=ALL_FAMILIES)
def family_members(request):
    return request.param, _members(request.param)


def test_every_task_family_is_a_pytree_that_round_trips_and_vmaps_over_its_parameter(family_members):
    """flatten/unflatten gives a task that samples the same numbers; tasks of one family with
    different parameters stack, and a vmapped sample equals each task's own sample exactly (the
    same key, the same float64 operations: `assert_array_equal`)."""
    family, tasks = family_members
    leaves, treedef = jax.tree.flatten(tasks[0])
    again = jax.tree.unflatten(treedef, leaves)
    assert jax.tree.structure(again) == treedef
    for a, b in zip(tasks[0].sample(KEY, 50, jnp.float64), again.sample(KEY, 50, jnp.float64)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    if len(tasks) == 1:
        return
    assert tasks[0].pixel_marginal.parameter != tasks[1].pixel_marginal.parameter
    x, y = jax.vmap(lambda task: task.sample(KEY, 50, jnp.float64))(stack(tasks))
    for i, task in enumerate(tasks):
        xi, yi = task.sample(KEY, 50, jnp.float64)
        np.testing.assert_array_equal(np.asarray(x[i]), np.asarray(xi))
        np.testing.assert_array_equal(np.asarray(y[i]), np.asarray(yi))
    assert not np.array_equal(np.asarray(x[0]), np.asarray(x[1]))  # the parameter reached the sampler


def test_every_task_family_samples_the_moments_it_reports(family_members):
    r"""Monte Carlo (100 000 draws of one pixel) against the exact mean 0, variance 1 and excess
    kurtosis the family's marginal reports, each within 5 standard errors: $1/\sqrt n$ for the
    mean, $\sqrt{(m_4 - 1)/n}$ for the variance, the delta method's for $m_4/m_2^2$ (the existing
    kurtosis test's formula). A discrete marginal's exact zero errors get 1e-9 of slack."""
    family, tasks = family_members
    task = tasks[0]
    marginal = task.pixel_marginal
    m2, m4, m6, m8 = (marginal.moment(p) for p in (2, 4, 6, 8))
    assert m2 == pytest.approx(1.0, abs=1e-9) and math.isfinite(m8), (family, m8)
    x = np.asarray(task.sample(KEY, SAMPLES, jnp.float64)[0]).reshape(SAMPLES, -1)[:, 0]
    n = SAMPLES
    var_kurtosis = (m8 - m4**2 - 4 * m4 * (m6 - m4) + 4 * m4**2 * (m4 - 1)) / n
    assert abs(x.mean()) < 5 / math.sqrt(n) + 1e-9
    assert abs(np.mean(x**2) - 1.0) < 5 * math.sqrt((m4 - 1) / n) + 1e-9
    sample_excess = np.mean(x**4) / np.mean(x**2) ** 2 - 3
    assert abs(sample_excess - marginal.excess_kurtosis) < 5 * math.sqrt(max(var_kurtosis, 0.0)) + 1e-9


@pytest.mark.parametrize("name", NETWORKS.names())
def test_every_network_lowers_its_loss_when_trained(name):
    """Full-batch gradient descent (lr 0.5, 10 steps) on 2000 fixed samples of a small task: the
    loss falls at every step and by at least 2% in all; the parameters are a pytree that vmaps."""
    task = build_task(TaskSpec(kurtosis=-1.0, n_dims=N_DIMS))
    net = NETWORKS.get(name)(N_DIMS, 2)
    params = net.init(jax.random.PRNGKey(1), 1.0)
    x, y = task.sample(jax.random.PRNGKey(2), 2000, jnp.float64)
    x, y = x.reshape(2000, -1), y.astype(jnp.float64)
    step = jax.jit(lambda p: jax.tree.map(lambda leaf, g: leaf - 0.5 * g, p, jax.grad(net.loss)(p, x, y)))
    losses = [float(net.loss(params, x, y))]
    for _ in range(10):
        params = step(params)
        losses.append(float(net.loss(params, x, y)))
    assert np.all(np.diff(losses) < 0) and losses[-1] < 0.98 * losses[0], losses
    inits = jax.vmap(lambda k: net.init(k, 1.0))(jax.random.split(KEY, 3))
    out = jax.vmap(lambda p: net.apply(p, x[:5]))(inits)
    assert out.shape == (3, 5)
    np.testing.assert_allclose(np.asarray(out[1]), np.asarray(net.apply(jax.tree.map(lambda v: v[1], inits), x[:5])),
                               rtol=1e-12)


@pytest.mark.parametrize("name", BASELINES.names())
def test_every_baseline_learns_m_finite_atoms_of_n_pixels(name):
    from dyntools.baselines import BaselineConfig, task_sampler, train_baseline

    task = build_task(TaskSpec(kurtosis=2.0, n_dims=N_DIMS))
    config = BaselineConfig(name, atoms=6, steps=10, batch=64, samples=500)
    config.validate()
    result = train_baseline(task_sampler(task), N_DIMS, config)
    assert result.atoms.shape == (6, N_DIMS) and np.all(np.isfinite(result.atoms))
    assert result.summary["method"] == name and result.summary["atoms"] == 6


@pytest.mark.parametrize("name", AMPLIFIERS.names())
def test_every_amplifier_form_is_odd_with_slope_sqrt_2_over_pi_and_agrees_with_quadrature(name):
    r"""For uniform pixels: $\phi(-a) = -\phi(a)$, $\phi'(0) = \sqrt{2/\pi}$ (finite difference,
    1e-6), and at |a| <= 0.3 every form within 1e-4 of the quadrature form (the series to order 7
    is the least accurate: its truncation error there is ~1e-5); vmap and jit give the same numbers."""
    from dyntools.inputs import Uniform
    from dyntools.theory.amplifier import make_amplifier

    phi = make_amplifier(Uniform(), name, order=7)
    reference = make_amplifier(Uniform(), "quadrature", order=7)
    a = jnp.linspace(-0.3, 0.3, 13)
    values = np.asarray(phi(a))
    np.testing.assert_allclose(values, -values[::-1], atol=1e-14)
    h = 1e-6
    slope = float((phi(jnp.array(h)) - phi(jnp.array(-h))) / (2 * h))
    assert slope == pytest.approx(math.sqrt(2 / math.pi), rel=1e-6)
    np.testing.assert_allclose(values, np.asarray(reference(a)), atol=1e-4)
    np.testing.assert_allclose(np.asarray(jax.jit(jax.vmap(phi))(a)), values, rtol=1e-12, atol=1e-15)


REGISTRIES = {"network": NETWORKS, "baseline": BASELINES, "amplifier": AMPLIFIERS}
HELP_OF = {"network": "simulate", "baseline": "baseline", "amplifier": "simulate"}  # the command listing each
ENTRIES = [(what, name) for what, registry in REGISTRIES.items() for name in registry.names()]


def _help(command: str) -> str:
    """``dyntools COMMAND --help``, its words joined by single spaces (a fresh interpreter, wide)."""
    import os
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "dyntools", command, "--help"], capture_output=True, text=True,
                         check=True, env={**os.environ, "COLUMNS": "200"}).stdout
    return " ".join(out.replace("│", " ").split())


@pytest.fixture(scope="module")
def helps():
    return {command: _help(command) for command in ("simulate", "baseline", "localization-map")}


def test_every_family_and_amplifier_class_has_a_docstring():
    from dyntools.inputs.marginals import FORMULA_FAMILIES

    for name in AMPLIFIERS.names():
        assert (AMPLIFIERS.get(name).__doc__ or "").strip(), name
    for cls in FORMULA_FAMILIES:
        assert (cls.__doc__ or "").strip(), cls.family


@pytest.mark.parametrize("what, name", ENTRIES, ids=[f"{w}-{n}" for w, n in ENTRIES])
def test_every_registry_entry_has_a_description_shown_in_help(what, name, helps):
    """Each entry's class has a one-line ``description``; the command line reads it (and every
    literal class attribute, such as a baseline's defaults) from the source without importing
    the entry, the same values the class has, and lists ``NAME: description`` in its help."""
    registry = REGISTRIES[what]
    cls = registry.get(name)
    description = cls.description
    assert isinstance(description, str) and description.strip() and "\n" not in description.strip(), name
    static = registry.attributes(name)
    assert static and all(getattr(cls, key) == value for key, value in static.items()), (name, static)
    assert registry.description(name) == description.strip()
    assert f"{name}: {description.strip()}" in helps[HELP_OF[what]]


def test_registry_names_are_listed_in_help(helps):
    for name in (*NETWORKS.names(), *AMPLIFIERS.names(), *ALL_FAMILIES):
        assert name in helps["simulate"], name
    assert "The baseline: " + ", ".join(BASELINES.names()) + "." in helps["baseline"]


def test_baseline_defaults_in_help_come_from_the_classes(helps):
    """--lambda and --lr list each method's own default (its class's); the other defaults of
    `dyntools baseline` are BaselineConfig's, read without importing it, and the same."""
    import dataclasses

    from dyntools.baselines import BaselineConfig
    from dyntools.cli.baseline import CONFIG
    from dyntools.cli.common import short

    assert CONFIG == {f.name: f.default for f in dataclasses.fields(BaselineConfig)}
    for option, attribute in (("--lambda", "default_lambda"), ("--lr", "default_lr")):
        text = helps["baseline"].split(f" {option} ", 1)[1].split(" --", 1)[0]
        for name in BASELINES.names():
            value = getattr(BASELINES.get(name), attribute)
            assert (f"{name} {short(value)}" in text) if value is not None else (name in text.split("unused by")[1])
    for option, field in (("--threshold", "threshold"), ("--steps", "steps"), ("--batch", "batch"),
                          ("--samples", "samples"), ("--seed", "seed")):
        text = helps["baseline"].split(f" {option} ", 1)[1].split(" --", 1)[0]
        assert f"[default: {getattr(BaselineConfig(), field)}]" in text, option


def test_localization_map_defaults_are_its_configs(helps):
    from dyntools.experiments.localization_map import LocalizationMapConfig
    from dyntools.cli.sweep import parse_values

    config = LocalizationMapConfig()
    kurtosis = helps["localization-map"].split(" --kurtosis ", 1)[1].split("[default: ", 1)[1].split("]")[0]
    np.testing.assert_array_equal(parse_values(kurtosis), np.asarray(config.kurtosis))
    assert f"[default: {','.join(config.methods)}]" in helps["localization-map"]
    assert f"Training steps per baseline. [default: {config.steps}]" in helps["localization-map"]


def test_other_choices_in_help_come_from_their_tables(helps):
    from dyntools.cli.common import choice_list
    from dyntools.simulations.config import FLOAT_RANGE
    from dyntools.simulations.networks import ACTIVATIONS
    from dyntools.simulations.solvers import SOLVERS

    assert choice_list(ACTIVATIONS) + "." in helps["simulate"]
    assert f"Network precision: {choice_list(FLOAT_RANGE)}" in helps["simulate"]
    assert "Diffrax solver: " + ", ".join(SOLVERS) in helps["simulate"]
    from dyntools.baselines.lca import THRESHOLDS
    from dyntools.simulations.config import SWEEP_AXES, TRAINERS

    assert " or ".join(f"{name} ({what})" for name, what in TRAINERS.items()) in helps["simulate"]
    assert "LCA threshold: " + " or ".join(f"{n} ({p})" for n, p in THRESHOLDS.items()) in helps["baseline"]
    axes = [name.replace("_", "-") for name in SWEEP_AXES]
    assert "AXIS: " + ", ".join([*axes[:2], "gain", *axes[2:]]) in _help("sweep")


def test_an_unknown_name_lists_every_registry_entry():
    for registry in (NETWORKS, BASELINES, AMPLIFIERS):
        with pytest.raises(DyntoolsError) as error:
            registry.get("no-such-entry")
        assert str(error.value).endswith("choose one of: " + ", ".join(registry.names()))
