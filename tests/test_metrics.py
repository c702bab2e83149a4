import math

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


def test_reference_levels_are_the_iprs_they_name():
    """IPR_LEVELS (units of 1/N) against IPRs computed here from the fields they describe."""
    from dyntools.metrics import IPR_LEVELS, LOCALIZED_IPR, localized_ipr, random_field_ipr

    i = np.arange(N)
    w = np.ones(N)
    assert np.sum(w**4) / np.sum(w**2) ** 2 == pytest.approx(IPR_LEVELS["constant"] / N, rel=1e-12)
    w = np.cos(2 * np.pi * 3 * i / N + 0.4)
    assert np.sum(w**4) / np.sum(w**2) ** 2 == pytest.approx(IPR_LEVELS["sinusoid"] / N, rel=1e-12)
    w = np.random.default_rng(1).standard_normal((4000, N))
    assert np.mean(np.sum(w**4, axis=1) / np.sum(w**2, axis=1) ** 2) == pytest.approx(random_field_ipr(N), rel=0.05)
    assert random_field_ipr(N) == 3 / N and localized_ipr(N) == 5 / N == LOCALIZED_IPR / N


@pytest.mark.parametrize("n", [7, 8])
def test_pair_power_against_a_direct_fourier_sum(n):
    """Each +-k pair's energy from the DFT written out as a sum (odd n: no Nyquist bin; even n: it stands alone)."""
    from dyntools.metrics import pair_power

    w = np.random.default_rng(n).standard_normal((3, n))
    i = np.arange(n)
    coefficient = lambda k: np.sum(w * np.exp(-2j * np.pi * k * i / n), axis=-1)  # noqa: E731
    expected = [np.abs(coefficient(k)) ** 2 + (np.abs(coefficient(n - k)) ** 2 if 0 < k < n - k else 0)
                for k in range(n // 2 + 1)]
    power = pair_power(w)
    assert power.shape == (3, n // 2 + 1)
    np.testing.assert_allclose(power, np.stack(expected, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(power.sum(axis=-1), n * np.sum(w**2, axis=-1), rtol=1e-12)  # Parseval
    assert sinusoid_residual(w) == pytest.approx(1 - power.max(axis=-1) / power.sum(axis=-1), rel=1e-12)


def test_localization_level_and_crossing_by_hand():
    """Level sqrt(3/N x max IPR) and the crossing, worked out by hand on four points; the point of
    infinite kurtosis is ignored by both (its IPR, the largest, sets no level)."""
    from dyntools.metrics import critical_kurtosis, localization_level

    kurtosis = np.array([2.0, 0.0, 1.0, np.inf])
    iprs = np.array([0.05, 0.3, 0.2, 0.9])
    level = math.sqrt(3 / 40 * 0.3)  # 0.15: 0.3 is the largest IPR at a finite kurtosis
    assert localization_level(kurtosis, iprs, 40) == pytest.approx(level, rel=1e-14)
    # sorted: k 0, 1, 2 with IPR 0.3, 0.2, 0.05; from the peak (k = 0) the first IPR below 0.15 is at k = 2
    expected = 1 + (math.log(0.2) - math.log(level)) / (math.log(0.2) - math.log(0.05))
    value, reason = critical_kurtosis(kurtosis, iprs, 40)
    assert reason is None and value == pytest.approx(expected, rel=1e-12)
    assert localization_level(kurtosis, np.full(4, 0.05), 40) is None  # nothing above 3/40 = 0.075
    assert localization_level([0.0], [0.3], 40) == pytest.approx(level, rel=1e-14)  # one point: a level, no crossing
