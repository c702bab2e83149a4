"""Reference levels and the critical-kurtosis mark drawn where metrics puts them."""

import math

import numpy as np
import pytest


def test_ipr_levels_draw_the_metrics_levels():
    import matplotlib.pyplot as plt

    from dyntools.metrics import IPR_LEVELS
    from dyntools.plots import ipr_levels

    fig, ax = plt.subplots()
    ipr_levels(ax, 40, "random", "localized", "sinusoid", "constant")
    drawn = [line.get_ydata()[0] for line in ax.lines]
    assert drawn == [IPR_LEVELS[name] / 40 for name in ("random", "localized", "sinusoid", "constant")]
    assert drawn == pytest.approx([3 / 40, 5 / 40, 1.5 / 40, 1 / 40])
    plt.close(fig)


def test_critical_mark_draws_the_level_of_critical_kurtosis():
    """The level line at sqrt(3/N x max IPR), worked out by hand, and the recorded crossing on it."""
    import matplotlib.pyplot as plt

    from dyntools.plots import NETWORK, _critical_mark

    kurtosis, iprs = np.array([-1.0, 0.0, 1.0, np.inf]), np.array([0.3, 0.2, 0.05, 0.9])
    fig, ax = plt.subplots()
    _critical_mark(ax, {"critical": 0.75}, "network", kurtosis, iprs, NETWORK, "critical", 40)
    level, mark = ax.lines
    assert level.get_ydata()[0] == pytest.approx(math.sqrt(3 / 40 * 0.3), rel=1e-14)
    assert mark.get_xdata()[0] == 0.75 and mark.get_ydata()[0] == level.get_ydata()[0]
    ax.clear()
    _critical_mark(ax, {}, "network", kurtosis, np.full(4, 0.05), NETWORK, "critical", 40)  # all below 3/N
    assert not ax.lines
    plt.close(fig)
