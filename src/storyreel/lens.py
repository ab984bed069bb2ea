"""The lens model both stills and motion see through: focal lengths, where a lens stands the camera,
and how far out of focus a depth falls.

A lens is given in mm on a 36 mm-wide (full-frame) sensor; without one a shot sees 50° across
(about 38.6 mm). The still keeps its framing whatever the lens, so a longer lens stands the camera
farther back (`lens_depth`): the set behind the subject is then relatively nearer to it. The
previz painter rescales its layers by it and the 2.5D camera moves through it, so the maths lives
here, below both.
"""

from __future__ import annotations

import math

HFOV_DEG = 50.0  # the horizontal field of view of a shot without a lens
SENSOR_MM = 36.0  # full-frame sensor width: what a lens's millimetres refer to
DEFAULT_LENS_MM = SENSOR_MM / (2.0 * math.tan(math.radians(HFOV_DEG) / 2.0))  # about 38.6 mm


def focal_px(width: int, lens: float | None = None) -> float:
    """The focal length in pixels for a picture `width` wide, through `lens` mm (None: 50° wide)."""
    if lens is None:  # the formula of the default view as it always was: frames stay bit-identical
        return width / (2.0 * math.tan(math.radians(HFOV_DEG) / 2.0))
    return width * lens / SENSOR_MM


def lens_depth(depth: float, subject: float, lens: float | None) -> float:
    """A layer's distance from the camera once it stands where `lens` keeps the subject's size.

    The camera moves by `(k - 1)·subject` (k = lens / default): layers behind the subject keep
    their place in the set. A wide lens never passes a layer in front of the subject: it keeps
    at least `k·depth`, its share of the distance.
    """
    if lens is None or math.isinf(depth):
        return depth
    k = lens / DEFAULT_LENS_MM
    return max(depth + (k - 1.0) * subject, min(k, 1.0) * depth)


def blur_sigma(
    focus: float | None, aperture: float, depth: float, width: int, lens: float | None = None
) -> float:
    """Gaussian sigma in output pixels for a layer at `depth` with `focus` (metres; None: all sharp)
    and an `aperture` (metres) through `lens`."""
    if focus is None or aperture <= 0.0:
        return 0.0
    inv_d = 0.0 if math.isinf(depth) else 1.0 / depth
    circle = aperture * focal_px(width, lens) * abs(inv_d - 1.0 / focus)
    return min(0.03 * width, circle / 2.0)
