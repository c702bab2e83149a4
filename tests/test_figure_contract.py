"""The figure contract: every figure the CLI writes reads like a paper's.

Each figure is drawn from a tiny run (built once for the module) and checked after drawing
its canvas: every data axes has x and y labels (an image: a labelled colourbar), the figure has
a title, no legend and no label of a reference level covers plotted data, no text leaves the canvas, diverging colour maps are
centred on zero, and no title is smaller than 9 pt.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import invoke


TINY = ["--steps", "40", "--saves", "4", "--batch", "100", "--seeds", "2"]
RUNS = {  # name: CLI arguments (without --out): every figure the CLI writes
    "simulate-1": ["simulate", "--kurtosis", "-1", "--n-dims", "12", *TINY],
    "simulate-4": ["simulate", "--kurtosis", "-1", "--neurons", "4", "--n-dims", "12", *TINY],
    "simulate-2d": ["simulate", "--kurtosis", "-1", "--2d", "--n-dims", "6", "--neurons", "2", *TINY],
    "simulate-clone": ["simulate", "--kurtosis", "2", "--gaussian-clone", "--n-dims", "12", *TINY],
    "inputs": ["inputs", "--kurtosis", "-1", "--n-dims", "12", "--samples", "500"],
    "inputs-2d": ["inputs", "--kurtosis", "-1", "--2d", "--n-dims", "6", "--samples", "500"],
    "sweep-1": ["sweep", "--kurtosis=-1.5,-0.5,1,3", "--n-dims", "12", *TINY],
    "sweep-2": ["sweep", "--grid", "kurtosis=-1,1", "--grid", "xi1=2,3", "--n-dims", "12", *TINY],
    "baseline": ["baseline", "ica", "--kurtosis", "2", "--n-dims", "12", "--atoms", "4", "--samples", "300"],
    "baseline-2d": ["baseline", "ica", "--kurtosis", "2", "--2d", "--n-dims", "6", "--atoms", "4", "--samples", "300"],
    "baseline-images": ["baseline", "ica", "--images", "--patch-size", "8", "--samples", "2000"],  # atoms and tuning
    # the localization map's figure is checked by test_cli_baselines.py and each paper reproduction's by
    # test_papers.py, where they run anyway; two-d-discrepancy runs nowhere else
    "two-d-discrepancy": ["reproduce", "two-d-discrepancy", "--quick"],
}
COMPARED = {"compare-simulate": ("simulate-1", "simulate-4"), "compare-sweep": ("sweep-1", "sweep-1")}
DIVERGING = {"RdBu", "RdBu_r", "coolwarm", "bwr", "seismic", "PiYG", "PRGn", "BrBG", "PuOr", "RdGy", "RdYlBu"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Every run of ``RUNS``, written once: {name: run directory}."""
    root = tmp_path_factory.mktemp("figure-contract")
    for name, args in RUNS.items():
        code, _, stderr = invoke(*args, "--out", root / name)
        assert code == 0, f"{name}: {stderr}"
    return {name: root / name for name in RUNS}


def _figures(runs: dict, name: str) -> dict:
    """{file name: Figure} of a run, or the compare figure of two runs."""
    if name in COMPARED:
        from dyntools.plots import compare_figure
        from dyntools.runs import load_run

        return {f"{name}.png": compare_figure([(runs[r].name, *load_run(runs[r])) for r in COMPARED[name]])}
    from dyntools.figures import run_figures

    return run_figures(runs[name])


def _colorbars(fig) -> list:
    """The colourbars of every mappable (images, meshes, collections) in ``fig``."""
    found = []
    for ax in fig.get_axes():
        for artist in [*ax.images, *ax.collections]:
            bar = getattr(artist, "colorbar", None)
            if bar is not None and bar not in found:
                found.append(bar)
    return found


def _mappables(ax) -> list:
    """The images and meshes of ``ax`` that a colour map draws."""
    from matplotlib.collections import QuadMesh
    from matplotlib.image import AxesImage

    return [a for a in [*ax.images, *ax.collections] if isinstance(a, (AxesImage, QuadMesh))]


def _has_data(ax) -> bool:
    return bool(ax.lines or ax.images or ax.collections or ax.patches)


def _label_problems(fig) -> list[str]:
    """Data axes without x and y labels; images without a labelled colourbar of their scale."""
    bars = _colorbars(fig)
    bar_axes = {bar.ax for bar in bars}
    problems = []
    for i, ax in enumerate(fig.get_axes()):
        if ax in bar_axes or not ax.axison or not _has_data(ax):
            continue
        images = _mappables(ax)
        for m in images:
            scale = (m.get_cmap().name, m.norm.vmin, m.norm.vmax)
            if not any(b.ax.get_ylabel() or b.ax.get_xlabel() for b in bars
                       if (b.mappable.get_cmap().name, b.mappable.norm.vmin, b.mappable.norm.vmax) == scale):
                problems.append(f"axes {i} ({ax.get_title()!r}): image without a labelled colourbar")
        for which in "xy":
            axis = getattr(ax, f"{which}axis")
            shown = any(t.get_text() for t in axis.get_ticklabels())
            siblings = getattr(ax, f"get_shared_{which}_axes")().get_siblings(ax)
            labelled = any(getattr(s, f"get_{which}label")() for s in siblings)
            if (shown or not images) and not labelled:
                problems.append(f"axes {i} ({ax.get_title()!r}): no {which} label")
    return problems


def _title_problems(fig) -> list[str]:
    """No title at all; a title under 9 pt."""
    titles = [t for f in [fig, *fig.subfigs] if (t := f._suptitle) is not None and t.get_text()]
    problems = [] if titles or any(ax.get_title() for ax in fig.get_axes()) else ["no title"]
    for ax in fig.get_axes():
        for where in ("left", "center", "right"):
            title = ax.get_title(where)
            size = getattr(ax, {"left": "_left_title", "center": "title", "right": "_right_title"}[where]).get_fontsize()
            if title and size < 9:
                problems.append(f"title {title!r} at {size} pt")
    return problems


def _data_points(ax, renderer) -> np.ndarray:
    """[P, 2] display coordinates of the plotted data of ``ax``: lines (densely along each
    segment), collections' vertices, images' corners and centre, inside the axes."""
    points = []
    for line in ax.lines:
        if line.get_visible() and len(line.get_xydata()):
            xy = line.get_transform().transform(line.get_xydata())
            xy = xy[np.isfinite(xy).all(axis=1)]
            if len(xy) > 1:
                steps = np.linspace(0, 1, 20)[:, None, None]
                xy = (xy[:-1] + steps * (xy[1:] - xy[:-1])).reshape(-1, 2)
            points.append(xy)
    for artist in ax.collections:
        transform = artist.get_transform()
        for path in artist.get_paths():
            points.append(transform.transform(path.vertices))
        offsets = artist.get_offsets()
        if len(offsets) and not _mappables_contains(ax, artist):
            points.append(artist.get_offset_transform().transform(offsets))
    for image in _mappables(ax):
        box = image.get_window_extent(renderer)
        xs, ys = np.linspace(box.x0, box.x1, 9), np.linspace(box.y0, box.y1, 9)
        points.append(np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2))
    if not points:
        return np.zeros((0, 2))
    points = np.concatenate(points)
    box = ax.get_window_extent(renderer)
    keep = (points[:, 0] >= box.x0) & (points[:, 0] <= box.x1) & (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1)
    return points[keep]


def _mappables_contains(ax, artist) -> bool:
    return artist in _mappables(ax)


def _legend_problems(fig, renderer) -> list[str]:
    """Legends (of axes and of the figure) that cover plotted data of any axes."""
    legends = [ax.get_legend() for ax in fig.get_axes() if ax.get_legend()] + list(fig.legends)
    for sub in fig.subfigs:
        legends += list(sub.legends)
    problems = []
    for legend in legends:
        box = legend.get_window_extent(renderer).padded(-1)
        for i, ax in enumerate(fig.get_axes()):
            points = _data_points(ax, renderer)
            inside = (points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)
            if inside.any():
                problems.append(f"legend {[t.get_text() for t in legend.get_texts()][:2]} covers data of axes {i} "
                                f"({ax.get_title()!r})")
    return problems


def _level_label_problems(fig, renderer) -> list[str]:
    """Labels of reference levels (3/N, 5/N, ...) that cover plotted data of their axes."""
    from dyntools._level_label import LevelLabel

    problems = []
    for i, ax in enumerate(fig.get_axes()):
        points = _data_points(ax, renderer)
        for label in (t for t in ax.texts if isinstance(t, LevelLabel)):
            box = label.get_window_extent(renderer).padded(-1)
            inside = (points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)
            if inside.any():
                problems.append(f"level label {label.get_text()!r} covers data of axes {i} ({ax.get_title()!r})")
    return problems


def _text_problems(fig, renderer) -> list[str]:
    """Text that reaches outside the canvas: of each axes (tick labels, labels, titles, notes,
    legends: as drawn, from its tight box) and of the figure (titles, notes, legends)."""
    canvas = fig.bbox.padded(1)

    def outside(box) -> bool:
        return box is not None and (box.x0 < canvas.x0 or box.x1 > canvas.x1 or box.y0 < canvas.y0 or box.y1 > canvas.y1)

    problems = [f"axes {i} ({ax.get_title()!r}): text outside the canvas"
                for i, ax in enumerate(fig.get_axes()) if outside(ax.get_tightbbox(renderer))]
    figures = [fig, *fig.subfigs]
    texts = [t for f in figures for t in [*f.texts, *f.legends, f._suptitle] if t is not None and t.get_visible()]
    problems += [f"{type(t).__name__} {getattr(t, 'get_text', lambda: '')()[:40]!r} outside the canvas"
                 for t in texts if outside(t.get_window_extent(renderer))]
    return problems


def _colour_problems(fig) -> list[str]:
    """Diverging colour maps not centred on zero."""
    problems = []
    for ax in fig.get_axes():
        for m in _mappables(ax):
            name = m.get_cmap().name
            if name in DIVERGING and not np.isclose(m.norm.vmin, -m.norm.vmax):
                problems.append(f"{name} on [{m.norm.vmin}, {m.norm.vmax}] in {ax.get_title()!r}")
    return problems


def figure_problems(fig) -> list[str]:
    """Everything in ``fig`` that breaks the contract (empty if nothing)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return (_title_problems(fig) + _label_problems(fig) + _legend_problems(fig, renderer)
            + _level_label_problems(fig, renderer) + _text_problems(fig, renderer) + _colour_problems(fig))


@pytest.mark.parametrize("name", [*RUNS, *COMPARED])
def test_every_figure_keeps_the_contract(runs, name):
    import matplotlib.pyplot as plt

    figures = _figures(runs, name)
    assert figures, f"{name} drew no figure"
    problems = {}
    for file, fig in figures.items():
        found = figure_problems(fig)
        if found:
            problems[file] = found
        plt.close(fig)
    assert not problems, problems


def test_every_reproduction_figure_keeps_the_contract_somewhere():
    """A reproduction not run above is run by test_papers.py's `reproduce`, which checks its figure."""
    from pathlib import Path

    from dyntools.registries import REPRODUCTION_NAMES

    papers = (Path(__file__).parent / "test_papers.py").read_text()
    unchecked = [name for name in REPRODUCTION_NAMES if name not in RUNS and f'reproduce("{name}"' not in papers]
    assert not unchecked, unchecked
