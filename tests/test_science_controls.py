"""Heavy-tailed members, the Gaussian clone, the critical excess kurtosis and the agreement time."""

import json
import math

import numpy as np
import pytest
import scipy.integrate
import scipy.special
import scipy.stats

from dyntools._jax import jax, jnp
from dyntools.errors import DyntoolsError
from dyntools.inputs import Alg, GaussianClone, StudentT, TaskSpec, build_task
from dyntools.inputs.statistics import max_covariance_error, sample_excess_kurtosis
from dyntools.metrics import agreement_time, critical_kurtosis, critical_kurtosis_bootstrap
from dyntools.theory import LinearAmplifier, QuadratureAmplifier, make_amplifier, task_amplifier

PROBABILITIES = np.array([0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])


def _exact_quantiles(marginal):
    if isinstance(marginal, Alg):
        u = 2 * PROBABILITIES - 1
        return u / (1 - np.abs(u) ** marginal.k) ** (1 / marginal.k) / marginal.scale
    return scipy.stats.t.ppf(PROBABILITIES, marginal.nu) / marginal.scale


@pytest.mark.parametrize("family, parameter", [("alg", 2.5), ("alg", 3.0), ("t", 3.0)])
def test_heavy_tailed_members_sample_finite_values_with_the_right_quantiles(family, parameter):
    """10^5 samples of 10 pixels in float32: all finite; each sample quantile within 5 standard
    errors sqrt(p(1-p)/n)/density(q) of the exact one, counting n = 10^5 (the pixels of one
    sample are correlated); measured deviations are below 2 of those."""
    task = build_task(TaskSpec(family=family, param=parameter, n_dims=10, xi0=1.0, xi1=2.0))
    x = np.asarray(task.class1.sample(jax.random.PRNGKey(0), 100_000, dtype=jnp.float32)).ravel()
    assert x.dtype == np.float32 and np.isfinite(x).all()
    marginal = task.pixel_marginal
    assert math.isinf(marginal.excess_kurtosis)
    exact = _exact_quantiles(marginal)
    standard_error = np.sqrt(PROBABILITIES * (1 - PROBABILITIES) / 100_000) / marginal.pdf(exact)
    assert np.all(np.abs(np.quantile(x, PROBABILITIES) - exact) < 5 * standard_error)


@pytest.mark.parametrize("family, parameter", [("alg", 2.0), ("alg", 1.0), ("t", 2.0), ("elliptical-t", 2.0)])
def test_infinite_variance_is_a_clear_error(family, parameter):
    with pytest.raises(DyntoolsError, match=r"\(2, inf\)|exceed 2"):
        build_task(TaskSpec(family=family, param=parameter, n_dims=10))


@pytest.mark.parametrize("marginal", [Alg(3.0), Alg(2.5), StudentT(3.0)], ids=repr)
def test_quadrature_amplifier_handles_heavy_tails(marginal):
    """Against adaptive scipy.quad over the density: measured errors <= 2e-16."""
    phi = QuadratureAmplifier(marginal)
    for a in (0.1, 0.5, 0.9):
        c = a / math.sqrt(2 * (1 - a * a))
        integrand = lambda v: v * scipy.special.erf(c * v) * marginal.pdf(v)  # noqa: E731
        reference = 2 * scipy.integrate.quad(integrand, 0, np.inf, epsabs=1e-14, epsrel=1e-13, limit=1000)[0]
        assert float(phi(jnp.float64(a))) == pytest.approx(reference, abs=1e-12)


def test_copula_correlation_map_is_accurate_for_heavy_tails():
    """Mehler series against a 200 x 200 Gauss-Hermite product rule: measured agreement 4e-8."""
    marginal = Alg(3.0)
    z, w = np.polynomial.hermite_e.hermegauss(200)
    w = w / math.sqrt(2 * math.pi)
    for rho in (0.3, 0.7, 0.95):
        z2 = rho * z[:, None] + math.sqrt(1 - rho**2) * z[None, :]
        direct = np.sum(w[:, None] * w[None, :] * marginal.transform_np(z[:, None]) * marginal.transform_np(z2))
        assert float(marginal.correlation_map(np.array(rho))) == pytest.approx(direct, abs=1e-6)


def test_series_names_the_missing_moment():
    with pytest.raises(DyntoolsError, match=r"m6 = E X\^6, which is infinite.*order 3"):
        make_amplifier(Alg(5.0), "series", order=5)
    with pytest.raises(DyntoolsError, match=r"m4 = E X\^4.*order 1"):
        make_amplifier(Alg(3.0), "series", order=3)


def test_a_finite_kurtosis_is_solved_among_finite_kurtosis_members():
    assert Alg.from_excess_kurtosis(4.0).k > 4
    assert build_task(TaskSpec(family="alg", kurtosis=2.0)).pixel_marginal.excess_kurtosis == pytest.approx(2.0)


@pytest.mark.parametrize("family, options", [("alg", {"kurtosis": -1.0}), ("nlgp", {"param": 3.0}),
                                             ("elliptical-t", {"param": 5.0}), ("ising", {})])
def test_gaussian_clone_has_exactly_the_model_covariance_and_gaussian_pixels(family, options):
    """10^5 samples per class: the largest error of 78 covariance entries is about 2 standard
    errors (sqrt(2/n) = 0.0045); measured 0.009-0.010. The clone's pixels: excess kurtosis
    within 0.03 of 0 (standard error sqrt(24/n) spread over correlated pixels)."""
    original = build_task(TaskSpec(family=family, n_dims=12, xi0=1.0, xi1=2.0, **options))
    clone = build_task(TaskSpec(family=family, n_dims=12, xi0=1.0, xi1=2.0, gaussian_clone=True, **options))
    assert isinstance(clone.class1, GaussianClone) and clone.describe()["clone_of"]["family"] == original.pixel_marginal.family
    x, y = clone.sample(jax.random.PRNGKey(0), 200_000, dtype=jnp.float64)
    x, y = np.asarray(x), np.asarray(y)
    for cls, exact in ((0, original.sigma0), (1, original.sigma1)):
        assert max_covariance_error(x[y == cls], exact)[0] < 0.02
    assert abs(sample_excess_kurtosis(x)) < 0.03
    amplifier = task_amplifier(clone)
    assert isinstance(amplifier, LinearAmplifier) and amplifier.slope == pytest.approx(math.sqrt(2 / math.pi))


def test_the_clone_copies_the_pixel_covariance_not_the_latent_kernel():
    """For the NLGP at g = 3 the arcsin map moves the covariance far from the kernel C."""
    task = build_task(TaskSpec(family="nlgp", param=3.0, n_dims=12, xi0=1.0, xi1=2.0))
    clone = GaussianClone(task.class1)
    assert np.allclose(clone.covariance.first_row, task.sigma1.first_row)
    assert np.abs(task.sigma1.first_row - task.class1.latent.first_row).max() > 0.05


def _logistic_curve(kurtosis, k0, low, high, width=0.3):
    """log IPR from log(high) to log(low) around k0: crosses the log-midpoint exactly at k0."""
    return np.exp(np.log(low) + (np.log(high) - np.log(low)) / (1 + np.exp((kurtosis - k0) / width)))


def test_critical_kurtosis_finds_a_known_crossing():
    """The level is sqrt(3/N x max IPR); a logistic curve between 3/N and IPR_max (max reached
    at the sampled end) crosses it near k0: linear interpolation in log IPR on a 0.05 grid is
    within 0.01."""
    n = 40
    k = np.linspace(-1.5, 2.0, 71)
    curve = _logistic_curve(k, 0.4, 3 / n, 0.4, width=0.2)
    high = curve.max()
    exact = 0.4 + 0.2 * math.log((math.log(high) - math.log(3 / n)) / (math.log(math.sqrt(3 / n * high)) - math.log(3 / n)) - 1)
    value, reason = critical_kurtosis(k, curve, n)
    assert reason is None and value == pytest.approx(exact, abs=0.01)
    shuffled = np.random.default_rng(0).permutation(k.size)
    assert critical_kurtosis(k[shuffled], curve[shuffled], n)[0] == pytest.approx(value)


@pytest.mark.parametrize("kurtosis, ipr, reason", [
    ([0.0], [0.3], "fewer than two"), ([0.0, 1.0], [0.05, 0.06], "random-field"),
    ([0.0, 1.0], [0.2, 0.3], "stays above"), ([0.0, np.inf], [0.3, 0.01], "fewer than two"),
])
def test_critical_kurtosis_says_why_there_is_no_crossing(kurtosis, ipr, reason):
    value, why = critical_kurtosis(np.array(kurtosis), np.array(ipr), 40)
    assert value is None and reason in why


def test_bootstrap_interval_over_seeds_contains_the_crossing():
    """Seeds scatter by 10% around a curve crossing at -0.2 (level from its own maximum); the
    95% interval over 1000 resamples of 20 seeds contains the crossing of the mean curve."""
    rng = np.random.default_rng(1)
    k = np.linspace(-1.5, 2.0, 15)
    truth = _logistic_curve(k, -0.2, 3 / 40, 0.35)
    seeds = truth[:, None] * np.exp(0.1 * rng.standard_normal((k.size, 20)))
    result = critical_kurtosis_bootstrap(k, seeds, 40)
    lo, hi = result["interval"]
    assert lo <= result["value"] <= hi and hi - lo < 0.5 and result["no_crossing_fraction"] == 0
    assert lo < critical_kurtosis(k, truth, 40)[0] < hi


def _crossing(k, ipr, n):
    """The critical kurtosis as `critical_kurtosis` documents it, written again here: the level
    sqrt(3/N x max IPR); from the most localized point towards higher kurtosis, the first point
    below the level; linear in kurtosis against log IPR between it and the point before."""
    order = np.argsort(k)
    k, ipr = np.asarray(k)[order], np.asarray(ipr)[order]
    if ipr.max() <= 3 / n:
        return None, "no point is above the random-field level 3/N"
    level = math.sqrt(3 / n * ipr.max())
    peak = int(np.argmax(ipr))
    for j in range(peak + 1, len(k)):
        if ipr[j] < level:
            x0, x1 = math.log(ipr[j - 1]), math.log(ipr[j])
            return k[j - 1] + (x0 - math.log(level)) / (x0 - x1) * (k[j] - k[j - 1]), None
    return None, "the IPR stays above the level at every kurtosis above the most localized point"


def test_agreement_time_is_the_last_time_above_the_level():
    t = np.arange(6.0)
    assert agreement_time(t, np.array([1.0, 0.95, 0.85, 0.92, 0.5, 0.4])) == 3.0
    assert agreement_time(t, np.full(6, 0.5)) is None


def test_simulate_and_sweep_with_the_clone_and_the_critical_kurtosis(cli, tmp_path):
    tiny = ["--n-dims", "12", "--steps", "40", "--batch", "200", "--seeds", "3", "--saves", "4"]
    code, stdout, _ = cli("simulate", "--kurtosis", "-1.5", "--gaussian-clone", *tiny, "--out", tmp_path / "c", "--json")
    summary = json.loads(stdout)
    assert code == 0 and summary["gaussian_clone"] and summary["clone_of"]["excess_kurtosis"] == pytest.approx(-1.5)
    assert summary["theory"]["kind"] == "linear" and summary["theory_agreement_time"] is not None
    code, stdout, _ = cli("sweep", "--kurtosis", "-1.8,0,2", *tiny, "--out", tmp_path / "s", "--json")
    summary = json.loads(stdout)
    assert code == 0 and len(summary["theory_agreement_time"]) == 3
    # the critical kurtosis, recomputed here from the saved final IPRs by the documented rule
    import xarray as xr

    with xr.open_dataset(tmp_path / "s" / "sweep.nc") as data:
        k, theory, network = (data[name].values for name in ("excess_kurtosis", "ipr_theory", "ipr_sim"))
    np.testing.assert_allclose(summary["ipr_sim_mean"], network.mean(axis=1), rtol=1e-12)
    for key, ipr in (("critical_excess_kurtosis_theory", theory), ("critical_excess_kurtosis_network", network.mean(axis=1))):
        value, reason = _crossing(k, ipr, 12)
        if value is None:
            assert summary[key] is None and summary[f"{key}_reason"] == reason, key
        else:
            assert summary[key] == pytest.approx(value, abs=1e-12) and summary[f"{key}_reason"] is None, key
    code, stdout, _ = cli("inputs", "--kurtosis", "-1", "--gaussian-clone", "--n-dims", "8", "--samples", "2000",
                          "--out", tmp_path / "i", "--json")
    assert code == 0 and json.loads(stdout)["model"] == "gaussian-clone"
