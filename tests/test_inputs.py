"""Input models: exact statistics against samples, the FFT sampler against a dense reference."""

import math
import warnings

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.stats
import sympy

from dyntools._jax import jax, jnp
from dyntools.errors import DyntoolsError
from dyntools.inputs import (
    NLGP, Alg, Binary, Circulant, GeneralizedNormal, Gaussian, KernelClippingWarning, Laplace,
    Marginal, Shell, StudentT, TaskSpec, Uniform, build_task, gaussian_kernel,
)

KEY = jax.random.PRNGKey(0)

# (family, options) with finite 8th moments, so sample kurtosis has a finite standard error
LIGHT_TAILED = [
    ("gaussian", {}), ("binary", {}), ("uniform", {}), ("laplace", {}),
    ("alg", {"param": 12.0}), ("alg", {"kurtosis": -0.8}),
    ("gennorm", {"kurtosis": 1.5}), ("gennorm", {"param": 6.0}),
    ("t", {"param": 12.0}), ("nlgp", {"param": 0.6}), ("nlgp", {"kurtosis": -1.9}),
    ("elliptical-t", {"param": 12.0}), ("shell", {}), ("ising", {}),
]


@pytest.mark.parametrize("k, kurtosis", [(4.5, 7.05), (5, 4.29), (6, 2.92), (7.7, 2.32), (10, 2.07), (50, 1.81)])
def test_alg_kurtosis_table(k, kurtosis):
    assert Alg(k).moment(4) == pytest.approx(kurtosis, abs=0.005)


@pytest.mark.parametrize("gain, kurtosis", [(0.01, 3.00), (0.215, 2.70), (0.6, 1.93), (1.67, 1.32), (4.64, 1.10), (100, 1.00)])
def test_nlgp_kurtosis_table(gain, kurtosis):
    assert NLGP(gain).moment(4) == pytest.approx(kurtosis, abs=0.006)


FORMULA_MARGINALS = [Gaussian(), Uniform(), Laplace(), Alg(9.0), Alg(4.5), GeneralizedNormal(0.7), GeneralizedNormal(5.0),
                     StudentT(9.0), StudentT(1e7), Shell(40)]


@pytest.mark.parametrize("marginal", FORMULA_MARGINALS, ids=repr)
def test_closed_form_moments_match_quadrature_of_the_transform(marginal):
    """Each family's moment formula against Gaussian quadrature of g(Z) = Q(Phi(Z))/s."""
    for order, rel in ((1, 1e-10), (2, 1e-10), (4, 1e-5), (6, 1e-5)):
        exact = marginal.abs_moment(order)
        if math.isinf(exact):
            continue
        assert marginal.quadrature_moment(order) == pytest.approx(exact, rel=rel)
    assert marginal.quadrature_moment(2) == pytest.approx(1.0, abs=1e-9)  # unit variance


@pytest.mark.parametrize("marginal", [*FORMULA_MARGINALS, NLGP(0.3), NLGP(5.0)], ids=repr)
def test_density_formula_is_the_derivative_of_the_copula_transform(marginal):
    """p(g(z)) = phi(z) / g'(z): the density formula against the quantile side, by finite differences."""
    z_max = 2.5 / marginal.gain if isinstance(marginal, NLGP) and marginal.gain > 1 else 3.0  # before erf saturates
    z = np.linspace(0.05, z_max, 60)
    h = 1e-5
    slope = (marginal.transform_np(z + h) - marginal.transform_np(z - h)) / (2 * h)
    expected = scipy.stats.norm.pdf(z) / slope
    assert np.allclose(marginal.pdf(marginal.transform_np(z)), expected, rtol=2e-5)
    assert np.all(marginal.pdf(np.array([-1.3, 1.3])) == marginal.pdf(1.3))  # symmetric


def test_formulas_stay_accurate_at_extreme_parameters():
    """A Student-t with nu = 1e12 against SciPy (gamma ratio as poch, (1 + u)^e through log1p), its
    moments against the product formula prod_j (2j - 1)(nu - 2)/(nu - 2j); nu above 1e15 refused; the
    NLGP density at its support edge is 0, not NaN; odd moments of a symmetric law are 0."""
    t = StudentT(1e12)
    x = np.array([0.0, 1.0, 5.0])
    assert np.allclose(t.pdf(x), scipy.stats.t.pdf(x * t.scale, 1e12) * t.scale, rtol=1e-9)
    for p in (4, 8):
        exact = math.prod((2 * j - 1) * (1e12 - 2) / (1e12 - 2 * j) for j in range(1, p // 2 + 1))
        assert t.moment(p) == pytest.approx(exact, rel=1e-12)
    with pytest.raises(DyntoolsError, match="Gaussian to float64 precision"):
        StudentT(1e16)
    nlgp = NLGP(1.0)
    edge = 1 / nlgp.normalization
    assert np.all(np.isfinite(nlgp.pdf(np.array([edge, np.nextafter(edge, 0), -edge]))))
    assert Laplace().moment(3) == 0.0 and Laplace().abs_moment(3) == pytest.approx(3 / math.sqrt(2), rel=1e-14)


@pytest.mark.parametrize("marginal, m4", [(Gaussian(), 3), (Uniform(), sympy.Rational(9, 5)), (Laplace(), 6),
                                          (StudentT(9.0), sympy.Rational(21, 5)), (Shell(40), sympy.Rational(20, 7)),
                                          (Binary(), 1)], ids=repr)
def test_symbolic_moments_are_exact_and_equal_the_compiled_ones(marginal, m4):
    assert marginal.sympy_moment(4) == m4 and marginal.moment(4) == pytest.approx(float(m4), rel=1e-14)
    assert float(marginal.sympy_moment(6)) == pytest.approx(marginal.moment(6), rel=1e-14)


def test_the_family_index_is_the_registry():
    """The light index the command line reads (families, parameter names) is the registry's."""
    from dyntools.inputs import FAMILIES, _family_index
    from dyntools.inputs.formula_codegen import INDEX, index_source

    assert _family_index.PARAMETERS == {family: cls.parameter_name for family, cls in FAMILIES.items()}
    assert INDEX.read_text() == index_source()


def test_every_task_family_has_exactly_one_input_model():
    from dyntools.inputs import ALL_FAMILIES
    from dyntools.inputs.models import MODELS, model_for

    served = [family for model in MODELS for family in model.families]
    assert sorted(served) == sorted(set(ALL_FAMILIES) - {"auto"})
    assert [model_for(f).__name__ for f in ("alg", "shell", "ising")] == ["Copula", "Elliptical", "IsingChain"]


def test_shipped_formulas_are_the_sympy_formulas_compiled_now():
    """The generated ``_formulas.py`` against the formulas lambdified afresh (regenerate it with
    ``python -m dyntools.inputs.formula_codegen`` when this fails)."""
    from dyntools.inputs import _formulas
    from dyntools.inputs.formula_codegen import compiled_formulas
    from dyntools.inputs.marginals import FORMULA_FAMILIES

    arguments = {"x": np.linspace(-0.9, 0.9, 7), "p": np.array([1.0, 2.0, 4.0, 6.0]),
                 "k": 7.5, "beta": 1.7, "nu": 11.0, "gain": 0.8, "n": 12}
    for cls in FORMULA_FAMILIES:
        shipped = {"pdf": _formulas.PDF.get(cls.family, (None, None))[0],
                   "pdf_upper": _formulas.PDF.get(cls.family, (None, None))[1],
                   "abs_moment": _formulas.ABS_MOMENT.get(cls.family), "scale": _formulas.SCALE.get(cls.family)}
        formulas = compiled_formulas(cls)
        assert {k for k, f in shipped.items() if f is not None} == set(formulas), cls.family
        for name, (symbols, expr) in formulas.items():
            values = [arguments[str(s)] for s in symbols]
            fresh = sympy.lambdify(symbols, expr, ["scipy", "numpy"])(*values)
            assert np.allclose(shipped[name](*values), fresh, rtol=1e-13), (cls.family, name)


@pytest.mark.parametrize("marginal", [Uniform(), NLGP(0.6), NLGP(5.0)], ids=repr)
def test_hermite_correlation_map_matches_closed_form(marginal):
    rho = np.array([-0.7, 0.1, 0.5, 0.9, 0.99])
    assert np.allclose(Marginal.correlation_map(marginal, rho), marginal.correlation_map(rho), atol=1e-9)


def test_binary_correlation_map_is_the_orthant_probability():
    r"""E[sign Z1 sign Z2] = 4 P(Z1 > 0, Z2 > 0) - 1, the orthant probability computed here by
    quadrature over z1 of phi(z1) Phi(rho z1 / sqrt(1 - rho^2)) (not the arcsine formula the class
    uses); the quadrature is good to ~1e-13, the tolerance 1e-10. Also against 400 000 sampled
    pairs (5 standard errors, sqrt((1 - rho_x^2) / n))."""
    rho = np.array([-0.9, -0.3, 0.0, 0.2, 0.5, 0.8, 0.99])

    def orthant(r):
        integrand = lambda z: scipy.stats.norm.pdf(z) * scipy.stats.norm.cdf(r * z / math.sqrt(1 - r * r))  # noqa: E731
        return scipy.integrate.quad(integrand, 0, np.inf, epsabs=1e-14, epsrel=1e-13)[0]

    expected = np.array([4 * orthant(r) - 1 for r in rho])
    np.testing.assert_allclose(Binary().correlation_map(rho), expected, rtol=0, atol=1e-10)
    n, r = 400_000, 0.5
    z = np.random.default_rng(0).standard_normal((2, n))
    pairs = np.sign(z[0]), np.sign(r * z[0] + math.sqrt(1 - r * r) * z[1])
    mapped = float(Binary().correlation_map(np.array([r]))[0])
    assert abs(np.mean(pairs[0] * pairs[1]) - mapped) < 5 * math.sqrt((1 - mapped**2) / n)


@pytest.mark.parametrize("family, target", [("alg", -1.0), ("alg", 3.0), ("gennorm", -1.1), ("gennorm", 8.0),
                                            ("t", 0.5), ("nlgp", -1.99), ("nlgp", -0.01)])
def test_kurtosis_solver_hits_target(family, target):
    from dyntools.inputs import make_marginal

    assert make_marginal(family, excess_kurtosis=target).excess_kurtosis == pytest.approx(target, abs=1e-8)


@pytest.mark.parametrize("family, bad", [("alg", -1.3), ("gennorm", -1.2), ("t", -0.1), ("nlgp", 0.5),
                                         ("uniform", 0.0), ("gaussian", 1.0), ("auto", -2.1), ("ising", 1.0)])
def test_kurtosis_outside_the_family_range_is_a_clear_error(family, bad):
    with pytest.raises(DyntoolsError, match="kurtosis"):
        build_task(TaskSpec(family=family, kurtosis=bad))


def test_auto_family_reaches_every_kurtosis_above_minus_two():
    for target in (-1.999, -1.5, -1.2, -1.19, 0.0, 5.0, 50.0):
        task = build_task(TaskSpec(family="auto", kurtosis=target, n_dims=8))
        assert task.pixel_marginal.excess_kurtosis == pytest.approx(target, abs=1e-7)


@pytest.mark.parametrize("family, options", LIGHT_TAILED, ids=[f"{f}-{o}" for f, o in LIGHT_TAILED])
def test_sampled_kurtosis_and_covariance_match_exact(family, options):
    n = 100_000
    task = build_task(TaskSpec(family=family, n_dims=16, xi0=1.0, xi1=2.0, **options))
    x, y = task.sample(KEY, n, dtype=jnp.float64)
    x, y = np.asarray(x), np.asarray(y)
    marginal = task.pixel_marginal
    m4, m6, m8 = (marginal.moment(p) for p in (4, 6, 8))
    pixel = x[:, 0]  # one pixel per sample: independent draws
    # delta method for M4 / M2^2 of a unit-variance variable
    var_kurtosis = (m8 - m4**2 - 4 * m4 * (m6 - m4) + 4 * m4**2 * (m4 - 1)) / n
    assert np.mean(pixel**4) / np.mean(pixel**2) ** 2 == pytest.approx(m4, abs=5 * math.sqrt(var_kurtosis) + 1e-9)
    for cls, exact in ((0, task.sigma0), (1, task.sigma1)):
        xc = x[y == cls]
        sample_cov = xc.T @ xc / len(xc)
        tolerance = 5 * math.sqrt(m4 / len(xc))
        assert np.abs(sample_cov - exact.dense()).max() < tolerance


def test_fft_sampler_equals_dense_square_root_1d_and_2d():
    eps = np.random.default_rng(0).standard_normal((5, 12, 12))
    for shape, e in (((30,), eps.reshape(5, -1)[:, :30]), ((12, 12), eps)):
        kernel = gaussian_kernel(shape, 2.0)
        dense_root = scipy.linalg.sqrtm(kernel.dense()).real
        reference = (e.reshape(5, -1) @ dense_root.T).reshape(e.shape)
        assert np.allclose(np.asarray(kernel.apply_sqrt(jnp.asarray(e))), reference, atol=1e-10)
        assert np.allclose(np.asarray(kernel.apply(jnp.asarray(e))), (e.reshape(5, -1) @ kernel.dense().T).reshape(e.shape))


def test_kernel_eigenvalues_are_the_dft_of_the_first_row():
    kernel = gaussian_kernel((20,), 3.0)
    assert np.allclose(np.sort(kernel.eigenvalues), np.linalg.eigvalsh(kernel.dense()), atol=1e-12)


def test_kernel_clipping_is_reported():
    kernel = gaussian_kernel((20,), 3.0)  # truncated Gaussian kernel: slightly negative eigenvalues
    assert kernel.n_clipped > 0 and kernel.min_eigenvalue < 0
    with pytest.warns(KernelClippingWarning, match="negative eigenvalues"):
        fixed = kernel.nearest_correlation()
    assert fixed.eigenvalues.min() > -1e-12 and fixed.first_row[0] == pytest.approx(1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        task = build_task(TaskSpec(family="gaussian", n_dims=20, xi0=1.0, xi1=3.0))
    assert task.describe()["clipping"]["class1"]["n_clipped"] == kernel.n_clipped


def test_labels_are_iid_and_balanced():
    n = 200_000
    for p in (0.5, 0.3):
        _, y = build_task(TaskSpec(family="gaussian", n_dims=8, proportion=p)).sample(KEY, n)
        y = np.asarray(y, dtype=float)
        assert abs(y.mean() - p) < 5 * math.sqrt(p * (1 - p) / n)
        lag1 = np.corrcoef(y[:-1], y[1:])[0, 1]
        assert abs(lag1) < 5 / math.sqrt(n)


def test_alg_samples_follow_the_exact_cdf():
    k = 4.5
    marginal = Alg(k)
    z = jax.random.normal(KEY, (100_000,), dtype=jnp.float64)
    x = np.asarray(marginal.transform(z)) * marginal.scale
    cdf = lambda v: (1 + v / (1 + np.abs(v) ** k) ** (1 / k)) / 2  # noqa: E731
    assert scipy.stats.kstest(x, cdf).pvalue > 1e-3


def test_heavy_tails_never_give_inf_or_nan_in_float32():
    task = build_task(TaskSpec(family="alg", param=4.01, n_dims=64))
    x, _ = task.sample(KEY, 50_000, dtype=jnp.float32)
    assert x.dtype == jnp.float32 and bool(jnp.isfinite(x).all())
    extreme = jnp.array([0.0, 8.0, 20.0, 40.0, 1e4], dtype=jnp.float32)
    for marginal in (Alg(4.01), Laplace(), StudentT(4.1), GeneralizedNormal(0.2)):
        assert bool(jnp.isfinite(marginal.transform(extreme)).all())
        assert bool(jnp.isfinite(marginal.transform(-extreme)).all())


def test_ising_sampler_is_exact():
    task = build_task(TaskSpec(family="ising", n_dims=10, xi0=0.8, xi1=3.0))
    x, y = task.sample(KEY, 100_000)
    x1 = np.asarray(x, dtype=float)[np.asarray(y) == 1]
    a = math.exp(-1 / 3.0)
    d = np.arange(10)
    assert np.allclose(task.sigma1.first_row, (a**d + a ** (10 - d)) / (1 + a**10))
    assert np.abs(x1.T @ x1 / len(x1) - task.sigma1.dense()).max() < 5 / math.sqrt(len(x1))
    assert set(np.unique(x1)) == {-1.0, 1.0}


def test_elliptical_pixel_marginals():
    assert Shell(40).excess_kurtosis == pytest.approx(3 * 40 / 42 - 3)
    assert StudentT(12.0).excess_kurtosis == pytest.approx(6 / 8)
    with pytest.raises(DyntoolsError, match="shell"):
        build_task(TaskSpec(family="shell", kurtosis=1.0, n_dims=40))


@pytest.mark.parametrize("kwargs, match", [
    ({"xi0": 0.0}, "xi0"), ({"xi1": -1.0}, "xi1"), ({"n_dims": 3}, "n_dims"),
    ({"family": "nope"}, "unknown family"), ({"proportion": 1.0}, "proportion"),
    ({"family": "alg", "param": 1.9}, "k for family"),  # k <= 2: infinite variance
])
def test_bad_task_options(kwargs, match):
    options = {"family": "gaussian", **kwargs}
    with pytest.raises(DyntoolsError, match=match):
        build_task(TaskSpec(**options))


def test_same_seed_same_samples_and_another_seed_other_samples():
    """The samples are a function of the key alone: a task built again, and the sampler under
    `jit`, give exactly the same numbers for the same key (float64: the same operations,
    `array_equal`); another key gives other inputs and other labels (a sampler that ignored its
    key, or drew from hidden state, fails here)."""
    task = build_task(TaskSpec(family="alg", kurtosis=-0.5, n_dims=12))
    a, ya = task.sample(KEY, 100, jnp.float64)
    b, yb = build_task(TaskSpec(family="alg", kurtosis=-0.5, n_dims=12)).sample(KEY, 100, jnp.float64)
    c, yc = jax.jit(lambda key: task.sample(key, 100, jnp.float64))(KEY)
    for x, y in ((b, yb), (c, yc)):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(a))
        np.testing.assert_array_equal(np.asarray(y), np.asarray(ya))
    d, yd = task.sample(jax.random.PRNGKey(1), 100, jnp.float64)
    assert not np.isclose(np.asarray(d), np.asarray(a)).any()  # continuous pixels: no coincidences
    assert (np.asarray(yd) != np.asarray(ya)).mean() > 0.3  # labels: ~half differ (binomial, p = 0.5)


def test_circulant_dense_is_circulant():
    c = Circulant(np.array([1.0, 0.5, 0.1, 0.5]))
    assert np.allclose(c.dense(), scipy.linalg.circulant([1.0, 0.5, 0.1, 0.5]))
