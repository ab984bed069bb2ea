"""The lens in a previz still: the shot size keeps the subject's size, the lens sets where the camera is.

The layers are painted for the default view (about 38.6 mm). Through a shot's or the look's
lens, each layer is rescaled the way the motion camera sees it (`storyreel.lens`): the
camera stands where the lens keeps the subject's size (`lens_depth`), so a layer at depth d
appears `k·d / lens_depth(d)` times as large (k = lens / default; the sky k times), about the
point straight ahead on the horizon. A long lens shows a narrower slice of the set behind the
subject, larger; a wide one more of it, smaller. A shrunk layer is continued past its painted
edges: its edge rows repeat, its sides mirror. What stands nearer than the subject (a shoulder,
the rain) is left as painted: a wide lens keeps its share of the distance (see `lens_depth`),
and a long one would only pull a cut-off shoulder or the rain away from the frame's edges.
A long lens also softens what is out of focus: at the same f-number (`STOP`) it adds its
defocus (`blur_sigma`, as in a rack focus; drawn as a stack blur) to the default view's, which
stays sharp.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from storyreel.lens import DEFAULT_LENS_MM, blur_sigma, lens_depth

STOP = 5.6  # the f-number depth of field is figured at
_SHARP = 0.3  # pixels: below this blur sigma a layer is left as painted


def layer_scale(depth: float, subject: float, lens: float) -> float:
    """How much larger a layer at `depth` appears through `lens` than in the default view."""
    k = lens / DEFAULT_LENS_MM
    return k if math.isinf(depth) else k * depth / lens_depth(depth, subject, lens)


def defocus(depth: float, subject: float, lens: float, width: int) -> float:
    """The blur sigma (pixels of a `width`-wide picture) that `lens` adds to a layer at `depth`."""

    def sigma(mm: float | None, d: float, focus: float) -> float:
        aperture = (DEFAULT_LENS_MM if mm is None else mm) / 1000.0 / STOP
        return blur_sigma(focus, aperture, d, width, mm)

    near = sigma(lens, lens_depth(depth, subject, lens), lens_depth(subject, subject, lens))
    return math.sqrt(max(0.0, near * near - sigma(None, depth, subject) ** 2))


@dataclass(frozen=True)
class Lens:
    """A lens for one still: its focal length, the subject's depth and the centre of scaling."""

    mm: float
    subject: float  # metres: the depth the shot size frames (and the focus)
    anchor: tuple[float, float]  # pixels: straight ahead on the horizon

    def apply(
        self,
        rgb: np.ndarray,
        alpha: np.ndarray,
        roi: list[int] | None,
        depth: float,
        backdrop: bool,
    ) -> tuple[np.ndarray, np.ndarray, list[int] | None]:
        """One layer (straight RGB, alpha, painted box) as seen through the lens."""
        if roi is None or depth < self.subject:
            return rgb, alpha, roi
        h, w = alpha.shape
        s = layer_scale(depth, self.subject, self.mm)
        sigma = defocus(depth, self.subject, self.mm, w) / s  # in painted pixels
        if s != 1.0 or sigma >= _SHARP:
            rgb, alpha = self._view(rgb, alpha, s, sigma if sigma >= _SHARP else 0.0, backdrop)
        if backdrop:
            return rgb, alpha, [0, 0, w, h]
        x, y, bw, bh = cv2.boundingRect(alpha)
        return rgb, alpha, [x, y, x + bw, y + bh] if bw else None

    def _view(
        self, rgb: np.ndarray, alpha: np.ndarray, s: float, sigma: float, opaque: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """The layer scaled by `s` about the anchor, defocused by `sigma` painted pixels first.

        Only the part that stays in frame is blurred and resampled; a shrunk layer's rows past
        its top and bottom then repeat, its sides mirror.
        """
        h, w = alpha.shape
        ax, ay = self.anchor
        m = math.ceil(3 * sigma) + 1  # context for the blur and the interpolation
        x0 = min(
            w - 1, max(0, math.floor(ax - ax / s) - m)
        )  # at least one painted pixel, even when
        y0 = min(
            h - 1, max(0, math.floor(ay - ay / s) - m)
        )  # the view lies beyond the painted edge
        x1 = max(x0 + 1, min(w, math.ceil(ax + (w - ax) / s) + m))
        y1 = max(y0 + 1, min(h, math.ceil(ay + (h - ay) / s) + m))
        rgb, alpha = rgb[y0:y1, x0:x1], alpha[y0:y1, x0:x1]
        if sigma:
            rgb, alpha = _blur(rgb, alpha, sigma, opaque)
        bx, by = (
            round(s * (x0 - ax) + ax),
            round(s * (y0 - ay) + ay),
        )  # where the crop lands in frame

        def place(img: np.ndarray) -> np.ndarray:
            size = (max(1, round((x1 - x0) * s)), max(1, round((y1 - y0) * s)))
            big = cv2.resize(img, size, interpolation=cv2.INTER_LINEAR) if s != 1.0 else img
            top, bottom = max(0, by), max(0, h - by - big.shape[0])
            left, right = max(0, bx), max(0, w - bx - big.shape[1])
            if top or bottom:
                big = cv2.copyMakeBorder(big, top, bottom, 0, 0, cv2.BORDER_REPLICATE)
            if left or right:
                big = cv2.copyMakeBorder(big, 0, 0, left, right, cv2.BORDER_REFLECT_101)
            return big[top - by : top - by + h, left - bx : left - bx + w]

        return place(rgb), place(alpha)


def _blur(
    rgb: np.ndarray, alpha: np.ndarray, sigma: float, opaque: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Defocus (a stack blur as wide as a Gaussian of `sigma`); a transparent layer is blurred
    premultiplied, so its edges keep their colour."""
    k = 2 * round(sigma * math.sqrt(6.0)) + 1
    if opaque:
        return cv2.stackBlur(rgb, (k, k)), alpha
    pre = cv2.stackBlur(
        cv2.multiply(rgb, cv2.cvtColor(alpha, cv2.COLOR_GRAY2RGB), scale=1 / 255), (k, k)
    )
    alpha = cv2.stackBlur(alpha, (k, k))
    return cv2.divide(pre, cv2.cvtColor(alpha, cv2.COLOR_GRAY2RGB), scale=255), alpha
