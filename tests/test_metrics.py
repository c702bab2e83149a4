import numpy as np
import pytest

from dyntools.metrics import circular_peak, cosine_similarity, ipr, sinusoid_residual

N = 40


def test_ipr_limits():
    delta = np.zeros(N)
    delta[7] = -2.0
    assert ipr(delta) == pytest.approx(1.0)
    assert ipr(np.ones(N)) == pytest.approx(1 / N)
    gaussian = np.random.default_rng(0).standard_normal((2000, N))
    assert ipr(gaussian).mean() == pytest.approx(3 / N, rel=0.1)


def test_circular_peak_across_the_boundary():
    d = np.minimum(np.arange(N), N - np.arange(N))
    bump = np.exp(-(d**2) / 4.0)  # centred on pixel 0, half of it at the far end of the array
    position, width = circular_peak(bump)
    assert min(position, N - position) < 1e-9
    assert width < 2.0  # a naive (non-circular) std would be ~N/2
    shifted = np.roll(bump, 13)
    assert circular_peak(shifted)[0] == pytest.approx(13.0, abs=1e-9)


def test_sinusoid_residual():
    i = np.arange(N)
    assert sinusoid_residual(np.cos(2 * np.pi * 3 * i / N + 0.4)) == pytest.approx(0.0, abs=1e-12)
    assert sinusoid_residual(np.ones(N)) == pytest.approx(0.0, abs=1e-12)
    delta = np.zeros(N)
    delta[3] = 1.0
    assert sinusoid_residual(delta) == pytest.approx(1 - 2 / N)


def test_cosine_similarity():
    a = np.array([1.0, 2.0, 3.0])
    assert cosine_similarity(a, 2 * a) == pytest.approx(1.0)
    assert cosine_similarity(a, -a) == pytest.approx(-1.0)
    assert cosine_similarity(np.array([1.0, 0]), np.array([0, 1.0])) == pytest.approx(0.0)
