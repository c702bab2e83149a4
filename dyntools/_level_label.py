"""The label of an IPR reference level, placed where it covers no data (imported with matplotlib, when drawing)."""

from __future__ import annotations

import numpy as np
from matplotlib.collections import Collection, PathCollection
from matplotlib.lines import Line2D
from matplotlib.text import Annotation
from matplotlib.transforms import IdentityTransform

STOPS = 16
"""Places along the line a label may take besides its ends: the fractions k/16 of the axes' width."""
PLACES = ((1.0, "bottom"), (0.0, "bottom"), (1.0, "top"), (0.0, "top"),
          *((k / STOPS, side) for k in range(STOPS - 1, 0, -1) for side in ("bottom", "top")))
"""Where a level's label may sit, in order of preference: (fraction of the axes' width, ``"bottom"``: above
the line or ``"top"``: below it); the right end, the left end, then along the line from right to left."""
CLEARANCE_PT = 4.0
"""How near (points) a label may come to a data point: about a marker's radius."""
SAMPLES_PER_SEGMENT = 16
"""Points taken along each segment of a drawn curve, so that a label cannot sit across a line between markers."""


class LevelLabel(Annotation):
    """A reference line's label that picks its place when drawn, after the layout: the first of `PLACES`
    that lies inside the axes and covers none of its data (lines, markers, error bars, bands' outlines and
    scatter points drawn in data coordinates), or, where every place covers some, the one that covers fewest."""

    def __init__(self, text: str, y: float, **kw):
        super().__init__(text, xy=(1.0, y), xycoords=("axes fraction", "data"), xytext=(-3.0, 2.0),
                         textcoords="offset points", **kw)
        self.set_transform(IdentityTransform())  # as `Axes.annotate` sets: positions come from the coordinates
        self._place(*PLACES[0])
        self.set_in_layout(False)

    def _place(self, fraction: float, side: str) -> None:
        end = {0.0: ("left", 3.0), 1.0: ("right", -3.0)}.get(fraction, ("center", 0.0))
        self.xy = (fraction, self.xy[1])
        self.xyann = (end[1], 2.0 if side == "bottom" else -2.0)
        self.set_horizontalalignment(end[0])
        self.set_verticalalignment(side)

    def _covered(self, renderer, points: np.ndarray) -> float:
        """How many ``points`` the label covers where it is now (infinite where it leaves the axes)."""
        box, axes = self.get_window_extent(renderer), self.axes.get_window_extent(renderer)
        if box.x0 < axes.x0 or box.x1 > axes.x1:
            return np.inf
        box = box.padded(renderer.points_to_pixels(CLEARANCE_PT))
        return float(np.count_nonzero(((points >= box.min) & (points <= box.max)).all(axis=1)))

    def draw(self, renderer) -> None:
        if self.get_visible():
            points = data_points(self.axes)
            fewest = (np.inf, PLACES[0])
            for place in PLACES:
                self._place(*place)
                fewest = min(fewest, (self._covered(renderer, points), place), key=lambda pair: pair[0])
                if fewest[0] == 0:
                    break
            self._place(*fewest[1])
        super().draw(renderer)


def data_points(ax) -> np.ndarray:
    """Display coordinates [n, 2] of the data drawn in ``ax``'s data coordinates (reference lines
    spanning the axes, such as `axhline`, are not data), with points taken along line segments and
    along the outlines of error bars and bands."""
    parts = [np.empty((0, 2))]
    for artist in ax.get_children():
        if not artist.get_visible():
            continue
        if isinstance(artist, PathCollection):
            parts.append(artist.get_offset_transform().transform(artist.get_offsets()))
        elif artist.get_transform() is not ax.transData:
            continue
        elif isinstance(artist, Line2D):
            xy = ax.transData.transform(artist.get_xydata())
            parts.append(_along(xy) if artist.get_linestyle() not in ("None", "") else xy)
        elif isinstance(artist, Collection):  # error bars, bands (`fill_between`): along their outlines
            parts += [_along(ax.transData.transform(path.vertices)) for path in artist.get_paths() if len(path.vertices)]
    points = np.concatenate(parts)
    return points[np.isfinite(points).all(axis=1)]


def _along(xy: np.ndarray) -> np.ndarray:
    """Points along the polyline through ``xy`` [n, 2]: `SAMPLES_PER_SEGMENT` on each segment."""
    if len(xy) < 2:
        return xy
    t = np.linspace(0.0, 1.0, SAMPLES_PER_SEGMENT, endpoint=False)[:, None, None]
    return np.concatenate([(xy[:-1] + t * (xy[1:] - xy[:-1])).reshape(-1, 2), xy[-1:]])
