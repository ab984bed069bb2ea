"""Drawing primitives for the previz layers: anti-aliased shapes and soft fields on float canvases.

Hand-written on top of OpenCV because no library paints *layers* the way the previz needs:
every fill is restricted to the shape's bounding box (a 1920×804 still is drawn in well under
150 ms on one core), coverage comes from `cv2.fillPoly` with `LINE_AA` and sub-pixel shift,
and soft fields (sky, glows, haze) are computed at a fraction of the size and upscaled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import cv2
import numpy as np

SHIFT = 4  # sub-pixel bits for cv2 drawing
_ONE = 1 << SHIFT

Color = tuple[float, float, float]


def mix(a: Sequence[float], b: Sequence[float], t: float) -> Color:
    """Linear mix of two RGB colours (0..1)."""
    return tuple(float(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def scale(c: Sequence[float], k: float) -> Color:
    return tuple(float(min(1.0, x * k)) for x in c)  # type: ignore[return-value]


def hex_rgb(value: str) -> Color:
    v = value.lstrip("#")
    return tuple(int(v[i : i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]


class Canvas:
    """One RGBA layer being painted: float32 RGB and coverage, plus the painted bounding box."""

    def __init__(self, w: int, h: int, opaque: Color | None = None):
        self.w, self.h = w, h
        self.rgb = np.zeros((h, w, 3), np.float32)
        self.alpha = np.zeros((h, w), np.float32)
        self.box: list[int] | None = None  # x0, y0, x1, y1 of everything painted
        if opaque is not None:
            self.rgb[:] = opaque
            self.alpha[:] = 1.0
            self.box = [0, 0, w, h]

    def _grow(self, x0: int, y0: int, x1: int, y1: int) -> None:
        if self.box is None:
            self.box = [x0, y0, x1, y1]
        else:
            b = self.box
            self.box = [min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1)]

    def clip(self, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int] | None:
        ix0, iy0 = max(0, int(np.floor(x0))), max(0, int(np.floor(y0)))
        ix1, iy1 = min(self.w, int(np.ceil(x1)) + 1), min(self.h, int(np.ceil(y1)) + 1)
        if ix1 <= ix0 or iy1 <= iy0:
            return None
        return ix0, iy0, ix1, iy1

    def paint(self, box: tuple[int, int, int, int], cover: np.ndarray, color, opacity: float = 1.0):
        """Paint `color` (RGB tuple or an (h, w, 3) field) with `cover` (0..1) inside `box`."""
        x0, y0, x1, y1 = box
        a = cover if opacity == 1.0 else cover * np.float32(opacity)
        rgb = self.rgb[y0:y1, x0:x1]
        c = np.asarray(color, np.float32)
        rgb += (c - rgb) * a[..., None]
        al = self.alpha[y0:y1, x0:x1]
        al += (1.0 - al) * a
        self._grow(x0, y0, x1, y1)

    def polys(self, polys: Iterable[np.ndarray], color, opacity: float = 1.0) -> None:
        """Fill polygons (lists of (x, y) float points) in one colour, anti-aliased."""
        polys = [np.asarray(p, np.float64) for p in polys]
        polys = [p for p in polys if len(p) >= 3]
        if not polys:
            return
        allpts = np.concatenate(polys)
        box = self.clip(allpts[:, 0].min(), allpts[:, 1].min(), allpts[:, 0].max(), allpts[:, 1].max())
        if box is None:
            return
        self.paint(box, poly_cover(polys, box), color, opacity)

    def ellipses(self, items: Iterable[tuple[float, float, float, float]], color, opacity=1.0):
        """Fill ellipses given as (cx, cy, rx, ry)."""
        self.polys([ellipse_poly(*e) for e in items], color, opacity)

    def glow(self, cx: float, cy: float, radius: float, color, strength: float = 1.0) -> None:
        """A soft radial light (gaussian falloff) of `radius` pixels."""
        box = self.clip(cx - 2.5 * radius, cy - 2.5 * radius, cx + 2.5 * radius, cy + 2.5 * radius)
        if box is None or radius < 0.5:
            return
        x0, y0, x1, y1 = box
        xs = (np.arange(x0, x1, dtype=np.float32) - cx) / radius
        ys = (np.arange(y0, y1, dtype=np.float32) - cy) / radius
        cover = np.exp(-(ys[:, None] ** 2 + xs[None, :] ** 2) * 1.2) * np.float32(strength)
        self.paint(box, np.minimum(cover, 1.0), color)

    def rgba(self) -> np.ndarray:
        """The layer as (H, W, 4) uint8."""
        out = np.empty((self.h, self.w, 4), np.uint8)
        np.multiply(np.clip(self.rgb, 0.0, 1.0), 255.0, out=self.rgb)
        out[..., :3] = self.rgb + 0.5
        out[..., 3] = self.alpha * 255.0 + 0.5
        return out


def ellipse_poly(cx: float, cy: float, rx: float, ry: float, n: int = 40) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def poly_cover(polys: Sequence[np.ndarray], box: tuple[int, int, int, int]) -> np.ndarray:
    """Anti-aliased coverage (float32 0..1) of polygons inside `box`."""
    x0, y0, x1, y1 = box
    m = np.zeros((y1 - y0, x1 - x0), np.uint8)
    for p in polys:  # one call each: fillPoly would cut overlaps out of a union (even-odd)
        pts = np.round((p - (x0, y0)) * _ONE).astype(np.int32)
        cv2.fillPoly(m, [pts], 255, cv2.LINE_AA, SHIFT)
    return m.astype(np.float32) * np.float32(1 / 255)


def soft_field(small: np.ndarray, w: int, h: int) -> np.ndarray:
    """Upscale a small smooth field (h', w'[, c]) to (h, w[, c]) float32."""
    return cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def vertical_gradient(h: int, stops: Sequence[tuple[float, Color]]) -> np.ndarray:
    """(h, 3) colours interpolated between (position 0..1, colour) stops."""
    y = np.linspace(0.0, 1.0, h)
    pos = [p for p, _ in stops]
    return np.stack([np.interp(y, pos, [c[i] for _, c in stops]) for i in range(3)], 1).astype(
        np.float32
    )


def value_noise(rng: np.random.Generator, n: int, smooth: float) -> np.ndarray:
    """1-D smooth random values in 0..1 (a blurred random walk), length n."""
    v = rng.random(n + 8).astype(np.float32)
    k = max(1, int(smooth))
    v = cv2.GaussianBlur(v[None, :], (0, 0), k)[0][4 : n + 4]
    lo, hi = float(v.min()), float(v.max())
    return (v - lo) / (hi - lo + 1e-6)
