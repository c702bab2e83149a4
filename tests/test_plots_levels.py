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


def _drawn_label(points: np.ndarray):
    """A level at IPR 0.1 with ``points`` [n, 2] plotted as markers, drawn: (axes, its label, points in pixels)."""
    import matplotlib.pyplot as plt

    from dyntools._level_label import LevelLabel
    from dyntools.plots import level_line

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(*points.T, "o")
    ax.set_xlim(0, 1), ax.set_ylim(0, 1)
    level_line(ax, 0.5, "random field 3/N")
    fig.canvas.draw()
    (label,) = [t for t in ax.texts if isinstance(t, LevelLabel)]
    return ax, label, ax.transData.transform(points)


def _inside(box, pixels: np.ndarray) -> np.ndarray:
    return (pixels[:, 0] >= box.x0) & (pixels[:, 0] <= box.x1) & (pixels[:, 1] >= box.y0) & (pixels[:, 1] <= box.y1)


def test_level_label_sits_at_the_right_end_above_its_line_when_that_is_free():
    ax, label, _ = _drawn_label(np.array([[0.1, 0.1]]))
    box, axes = label.get_window_extent(), ax.get_window_extent()
    assert axes.x1 - 6 < box.x1 < axes.x1 and box.y0 > ax.transData.transform((0, 0.5))[1]
    _close(ax)


ENDS = (0.01, 0.05, 0.1, 0.9, 0.95, 0.99)


@pytest.mark.parametrize("xs, ys", [((0.9, 0.95, 0.99), (0.52,)), (ENDS, (0.52,)), (ENDS, (0.52, 0.48))],
                         ids=["right end", "both ends", "both ends, above and below"])
def test_level_label_moves_off_data_at_its_line(xs, ys):
    """Points just above (and below) the line at its ends push the label to a free place, covering none."""
    points = np.array([(x, y) for x in xs for y in ys])
    ax, label, pixels = _drawn_label(points)
    assert not _inside(label.get_window_extent(), pixels).any()
    assert ax.get_window_extent().contains(*label.get_window_extent().min)
    _close(ax)


def _close(ax) -> None:
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
