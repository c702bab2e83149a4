"""The sample statistics of generated inputs, against computations written out here."""

import numpy as np
import pytest

from dyntools.inputs.kernels import Circulant
from dyntools.inputs.statistics import DENSE_CHECK_MAX_PIXELS, max_covariance_error, sample_covariance_row


def _zero_mean(rng, n, shape):
    """Samples x and -x: their sample mean is exactly zero, so np.cov (about the mean) is x^T x / n."""
    x = rng.standard_normal((n, *shape)).cumsum(axis=-1)  # correlated along the last axis
    return np.concatenate([x, -x])


def test_sample_covariance_row_on_a_ring_is_the_averaged_np_cov():
    x = _zero_mean(np.random.default_rng(0), 300, (9,))
    dense = np.cov(x, rowvar=False, bias=True)
    by_hand = [np.mean([dense[i, (i + d) % 9] for i in range(9)]) for d in range(9)]
    np.testing.assert_allclose(sample_covariance_row(x), by_hand, rtol=1e-10, atol=1e-12)


def test_sample_covariance_row_on_a_torus_by_rolling():
    x = _zero_mean(np.random.default_rng(1), 200, (4, 5))
    by_hand = np.array([[np.mean(x * np.roll(x, (-a, -b), axis=(1, 2))) for b in range(5)] for a in range(4)])
    np.testing.assert_allclose(sample_covariance_row(x), by_hand, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n_pixels", [12, DENSE_CHECK_MAX_PIXELS + 4])
def test_max_covariance_error_against_a_direct_computation(n_pixels):
    rng = np.random.default_rng(n_pixels)
    exact = Circulant(np.exp(-np.minimum(np.arange(n_pixels), n_pixels - np.arange(n_pixels)) ** 2 / 4.0))
    x = rng.standard_normal((400, n_pixels)) @ np.linalg.cholesky(exact.dense() + 1e-9 * np.eye(n_pixels)).T
    error, estimator = max_covariance_error(x, exact)
    if n_pixels <= DENSE_CHECK_MAX_PIXELS:
        assert estimator == "dense"
        assert error == pytest.approx(np.abs(x.T @ x / len(x) - exact.dense()).max(), rel=1e-12)
    else:
        by_hand = np.array([np.mean(x * np.roll(x, -d, axis=1)) for d in range(n_pixels)])
        assert estimator == "translation-averaged"
        assert error == pytest.approx(np.abs(by_hand - exact.first_row).max(), rel=1e-9)
