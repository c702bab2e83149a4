"""Baselines against independent solvers and their defining properties."""

import numpy as np
import pytest
import scipy.optimize

from dyntools._jax import jax, jnp
from dyntools.baselines import (
    BaselineConfig, LCASettings, Predictor, amari_index, array_sampler, compare_cold_warm, encode, fast_ica,
    lca, learn_dictionary, task_sampler, train_baseline, train_predictor, train_wlsc,
)
from dyntools.errors import DyntoolsError
from dyntools.inputs import TaskSpec, build_task
from dyntools.inputs.images import natural_patches, whiten
from dyntools.metrics import ipr


def _dictionary(atoms=24, pixels=16, seed=0):
    D = jax.random.normal(jax.random.PRNGKey(seed), (atoms, pixels))
    return D / jnp.linalg.norm(D, axis=1, keepdims=True)


def _lasso_reference(D, s, lam):
    """Independent solver: L-BFGS-B on the split a = p - q, p, q >= 0 (smooth, bound-constrained)."""
    D, s = np.asarray(D), np.asarray(s)
    m = D.shape[0]

    def f(z):
        a = z[:m] - z[m:]
        r = a @ D - s
        return 0.5 * r @ r + lam * z.sum(), np.concatenate([D @ r + lam, -D @ r + lam])

    z = scipy.optimize.minimize(f, np.zeros(2 * m), jac=True, method="L-BFGS-B", bounds=[(0, None)] * (2 * m),
                                options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 20000}).x
    return z[:m] - z[m:], f(z)[0]


def test_soft_threshold_lca_reaches_the_lasso_optimum():
    D = _dictionary()
    s = jax.random.normal(jax.random.PRNGKey(1), (4, 16))
    settings = LCASettings(lam=0.3, eta=0.1, max_iter=20000, tol=1e-12)
    codes, _, trace, iters = lca(D, s, settings)
    for i in range(4):
        _, best = _lasso_reference(D, s[i], 0.3)
        assert float(trace[int(iters), i]) == pytest.approx(best, rel=1e-6)
    assert int(iters) < settings.max_iter  # stopped on the tolerance


def test_hard_threshold_energy_is_non_increasing():
    D = _dictionary()
    s = jax.random.normal(jax.random.PRNGKey(2), (8, 16))
    _, _, trace, iters = lca(D, s, LCASettings(lam=0.4, threshold="hard", eta=0.05, max_iter=400))
    trace = np.asarray(trace)[: int(iters) + 1]
    assert np.all(np.diff(trace, axis=0) <= 1e-9)


def test_nonnegative_codes_and_one_ista_step():
    D = _dictionary()
    s = jax.random.normal(jax.random.PRNGKey(3), (5, 16))
    codes, *_ = lca(D, s, LCASettings(lam=0.2, nonneg=True, max_iter=300))
    assert float(codes.min()) >= 0
    # eta = 1: one LCA step from u = 0 is the ISTA step a = T(D s) (unit step)
    _, u1, _, _ = lca(D, s, LCASettings(lam=0.2, eta=1.0, max_iter=1))
    assert np.allclose(u1, s @ D.T)


def test_dictionary_learning_lowers_the_energy_and_keeps_unit_atoms():
    task = build_task(TaskSpec(family="alg", kurtosis=2.0, n_dims=16, xi0=1.0, xi1=2.0))
    D, energies = learn_dictionary(task_sampler(task), 16, 16, LCASettings(lam=1.0), steps=200, batch=128, lr=0.2)
    assert float(energies[-20:].mean()) < 0.95 * float(energies[:20].mean())
    assert np.allclose(np.linalg.norm(np.asarray(D), axis=1), 1.0)


def test_warp_lca_beats_cold_start_on_held_out_inputs():
    task = build_task(TaskSpec(family="alg", kurtosis=2.0, n_dims=16, xi0=1.0, xi1=2.0))
    sample = task_sampler(task)
    settings = LCASettings(lam=1.0)
    D, _ = learn_dictionary(sample, 16, 16, settings, steps=100, batch=128, lr=0.2)
    predictor, losses = train_predictor(D, sample(jax.random.PRNGKey(5), 4000), settings, epochs=100)
    assert losses[-10:].mean() < losses[:10].mean()
    report = compare_cold_warm(D, predictor, sample(jax.random.PRNGKey(6), 500), settings)
    assert report["iterations_warm"] < 0.5 * report["iterations_cold"]
    assert report["final_energy_warm"] <= report["final_energy_cold"] * 1.01


def test_untrained_predictor_and_wrong_shapes_are_clear_errors():
    with pytest.raises(DyntoolsError, match="untrained"):
        Predictor()(jnp.zeros((2, 16)))
    params = Predictor.init(jax.random.PRNGKey(0), 16, 8, 4)
    with pytest.raises(DyntoolsError, match="pixels"):
        Predictor(params)(jnp.zeros((2, 10)))


def test_wlsc_loss_decreases_and_codes_are_non_negative():
    task = build_task(TaskSpec(family="alg", kurtosis=2.0, n_dims=16, xi0=1.0, xi1=2.0))
    params, losses = train_wlsc(task_sampler(task), 16, 16, 0.003, steps=300, batch=128)
    assert losses[-20:].mean() < 0.8 * losses[:20].mean()
    codes = encode(params, task_sampler(task)(jax.random.PRNGKey(1), 64), 0.003)
    assert float(codes.min()) >= 0 and float(codes.max()) > 0


def test_ica_recovers_the_sources_of_a_synthetic_mixture():
    rng = np.random.default_rng(0)
    sources = rng.laplace(size=(20_000, 6))
    sources[:, :2] = rng.uniform(-1, 1, size=(20_000, 2))  # sub-Gaussian sources too
    mixing = rng.standard_normal((6, 6))
    result = fast_ica(sources @ mixing.T)
    assert result["converged"]
    assert amari_index(result["filters"], mixing) < 0.05
    assert amari_index(rng.standard_normal((6, 6)), mixing) > 0.2  # the index can fail


def test_ica_localizes_on_positive_but_not_negative_excess_kurtosis():
    """The contrast with the supervised neuron. Random fields have IPR ~3/N = 0.125 here;
    measured median IPR of the unmixing filters 0.237 at +3 and 0.124 at -1; of the basis
    functions (the atoms) 0.217 at +3 and 0.159 at -1."""
    filters, basis = {}, {}
    for kurtosis in (-1.0, 3.0):
        task = build_task(TaskSpec(family="auto", kurtosis=kurtosis, n_dims=24, xi0=1.0, xi1=2.0))
        result = train_baseline(task_sampler(task), 24, BaselineConfig("ica", atoms=24, samples=20_000))
        filters[kurtosis] = np.median(ipr(result.arrays["filters"]))
        basis[kurtosis] = result.summary["ipr_median"]
        assert basis[kurtosis] == pytest.approx(np.median(ipr(result.atoms)))
    random_level = 3 / 24
    assert filters[3.0] > 1.5 * random_level and filters[-1.0] < 1.2 * random_level
    assert basis[3.0] > 1.5 * random_level and basis[3.0] > 1.2 * basis[-1.0]


def test_natural_patches_are_whitened_and_centred():
    patches = natural_patches(8, 2000)
    assert patches.shape == (2000, 8, 8) and patches.dtype == np.float32
    assert np.allclose(patches.mean(axis=(1, 2)), 0, atol=1e-5)
    # a periodic image with a 1/f amplitude spectrum, like natural scenes: whitening flattens it
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(64) * 64, np.fft.fftfreq(64) * 64))
    phases = np.exp(2j * np.pi * np.random.default_rng(0).random((64, 64)))
    image = np.fft.ifft2(phases / np.maximum(f, 1)).real
    white = whiten(image)
    amplitude = lambda im, lo, hi: np.abs(np.fft.fft2(im))[(f >= lo) & (f < hi)].mean()  # noqa: E731
    assert white.std() == pytest.approx(1.0)
    assert amplitude(image, 2, 4) > 2 * amplitude(image, 8, 10)  # 1/f before (ratio ~3)
    assert amplitude(white, 2, 4) == pytest.approx(amplitude(white, 8, 10), rel=0.3)  # flat after (f0 = 12.8)
    sample = array_sampler(patches)(jax.random.PRNGKey(0), 32)
    assert sample.shape == (32, 64)


@pytest.mark.parametrize("kwargs, message", [
    ({"lam": -1.0}, "lam must be a positive"), ({"atoms": 0}, "atoms"), ({"threshold": "medium"}, "threshold"),
    ({"method": "pca"}, "unknown baseline"),
])
def test_bad_baseline_options(kwargs, message):
    with pytest.raises(DyntoolsError, match=message):
        BaselineConfig(**kwargs).validate()


def test_baselines_are_a_registry_of_files_with_their_own_defaults():
    from dyntools.baselines import baseline_class, baseline_names

    from pathlib import Path

    import dyntools.baselines.methods as methods
    from dyntools.baselines.methods._base import Baseline

    names = baseline_names()
    files = sorted(f.stem.replace("_", "-") for f in Path(methods.__file__).parent.glob("[!_]*.py"))
    assert list(names) == files and {"ica", "lca", "wlsc"} <= set(names)
    for name in names:  # every entry: a Baseline with valid defaults, resolved by the config
        cls = baseline_class(name)
        assert issubclass(cls, Baseline) and isinstance(cls.holds_samples, bool)
        for default in (cls.default_lambda, cls.default_lr):
            assert default is None or default > 0, name
        assert BaselineConfig(name).penalty == cls.default_lambda and BaselineConfig(name).learning_rate == cls.default_lr
    # the defaults of the paper's methods (a new entry brings its own)
    defaults = {name: (baseline_class(name).default_lambda, baseline_class(name).default_lr,
                       baseline_class(name).holds_samples) for name in ("ica", "lca", "wlsc")}
    assert defaults == {"ica": (None, None, True), "lca": (1.0, 0.2, False), "wlsc": (0.003, 3e-3, False)}
    assert BaselineConfig("wlsc").penalty == 0.003 and BaselineConfig("lca", lam=0.5).penalty == 0.5
    with pytest.raises(DyntoolsError, match=f"unknown baseline 'pca'; choose one of: {', '.join(names)}$"):
        BaselineConfig("pca").validate()


def test_ica_asking_for_more_components_than_pixels_fails_before_any_work():
    with pytest.raises(DyntoolsError, match=r"at most as many components as pixels \(16\); lower atoms"):
        BaselineConfig("ica", atoms=20).check_size(16)
    BaselineConfig("lca", atoms=20).check_size(16)  # an overcomplete dictionary is fine for LCA
