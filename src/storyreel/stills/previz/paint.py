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
    """One RGBA layer being painted: float32 RGB and coverage, plus the painted bounding box.

    RGB is kept premultiplied by coverage while painting (so "over" is one multiply-add and soft
    edges on a transparent layer keep their colour); `to_uint8` returns it straight.

    Large soft things (glows, shafts, fog) go to a quarter-size soft buffer that is upscaled and
    laid over the layer once, when it is finished.
    """

    SOFT = 4  # the soft buffer's reduction

    def __init__(self, w: int, h: int, opaque: Color | None = None):
        self.w, self.h = w, h
        self.rgb = np.zeros((h, w, 3), np.float32)
        self.alpha = np.zeros((h, w), np.float32)
        self.box: list[int] | None = None  # x0, y0, x1, y1 of everything painted
        self._soft: tuple[np.ndarray, np.ndarray] | None = None
        self.opaque = opaque is not None  # stays fully covered: no unpremultiplying needed
        if opaque is not None:
            self.rgb[:] = opaque
            self.alpha[:] = 1.0
            self.box = [0, 0, w, h]

    @property
    def soft_size(self) -> tuple[int, int]:
        return max(2, -(-self.w // self.SOFT)), max(2, -(-self.h // self.SOFT))

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

    def paint_soft(self, cover: np.ndarray, color) -> None:
        """Lay `color` with a soft-buffer-sized `cover` (see `soft_size`) over the layer."""
        sw, sh = self.soft_size
        if self._soft is None:
            self._soft = np.zeros((sh, sw, 3), np.float32), np.zeros((sh, sw), np.float32)
        rgb, al = self._soft
        rgb += (np.asarray(color, np.float32) - rgb) * cover[..., None]
        al += (1.0 - al) * cover

    def polys(
        self, polys: Iterable[np.ndarray], color, opacity: float = 1.0, disjoint: bool = False
    ) -> None:
        """Fill polygons (lists of (x, y) float points) in one colour, anti-aliased.

        `disjoint`: the polygons do not overlap, so they can be filled in one pass.
        """
        if isinstance(polys, np.ndarray) and polys.ndim == 3:  # (n, k, 2): n polygons of k corners
            if not len(polys):
                return
            allpts = polys.reshape(-1, 2)
        else:
            polys = [np.asarray(p, np.float64) for p in polys]
            polys = [p for p in polys if len(p) >= 3]
            if not polys:
                return
            allpts = np.concatenate(polys)
        box = self.clip(
            allpts[:, 0].min(), allpts[:, 1].min(), allpts[:, 0].max(), allpts[:, 1].max()
        )
        if box is None:
            return
        self.paint(box, poly_cover(polys, box, disjoint), color, opacity)

    def ellipses(self, items: Iterable[tuple[float, float, float, float]], color, opacity=1.0):
        """Fill ellipses given as (cx, cy, rx, ry)."""
        self.polys([ellipse_poly(*e) for e in items], color, opacity)

    def glow(self, cx: float, cy: float, radius: float, color, strength: float = 1.0) -> None:
        """A soft radial light (gaussian falloff) of `radius` pixels."""
        if radius < 0.5:
            return
        k = 1.0 if radius < 3 * self.SOFT else 1.0 / self.SOFT
        cx, cy, r = cx * k, cy * k, radius * k
        sw, sh = (self.w, self.h) if k == 1.0 else self.soft_size
        x0, y0 = max(0, int(cx - 2.5 * r)), max(0, int(cy - 2.5 * r))
        x1, y1 = min(sw, int(cx + 2.5 * r) + 2), min(sh, int(cy + 2.5 * r) + 2)
        if x1 <= x0 or y1 <= y0:
            return
        xs = (np.arange(x0, x1, dtype=np.float32) - cx) / r
        ys = (np.arange(y0, y1, dtype=np.float32) - cy) / r
        cover = np.minimum(
            np.exp(-(ys[:, None] ** 2 + xs[None, :] ** 2) * 1.2) * np.float32(strength), 1
        )
        if k == 1.0:
            self.paint((x0, y0, x1, y1), cover, color)
            return
        full = np.zeros((sh, sw), np.float32)
        full[y0:y1, x0:x1] = cover
        self.paint_soft(full, color)

    def to_uint8(self) -> tuple[np.ndarray, np.ndarray]:
        """The finished layer as (H, W, 3) straight RGB and (H, W) alpha, uint8.

        Worked out in the canvas's own planes (no full-size temporaries): call it once, when
        the layer is painted.
        """
        if self._soft is not None:  # premultiplied soft light, laid over the layer
            soft, sa = (
                cv2.resize(a, (self.w, self.h), interpolation=cv2.INTER_LINEAR) for a in self._soft
            )
            self._soft = None
            rest = 1.0 - sa
            self.rgb *= rest[..., None]
            self.rgb += soft
            self.alpha *= rest
            self.alpha += sa
            self.box = [0, 0, self.w, self.h]
        if not self.opaque:
            np.divide(self.rgb, np.maximum(self.alpha, 1e-6)[..., None], out=self.rgb)
        return (
            cv2.convertScaleAbs(self.rgb, alpha=255.0),
            cv2.convertScaleAbs(self.alpha, alpha=255.0),
        )


def ellipse_poly(cx: float, cy: float, rx: float, ry: float, n: int = 40) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def poly_cover(
    polys: Sequence[np.ndarray], box: tuple[int, int, int, int], disjoint: bool = False
) -> np.ndarray:
    """Anti-aliased coverage (float32 0..1) of polygons inside `box`."""
    x0, y0, x1, y1 = box
    m = np.zeros((y1 - y0, x1 - x0), np.uint8)
    if disjoint:
        pts = (
            np.round((np.asarray(polys, np.float64) - (x0, y0)) * _ONE).astype(np.int32)
            if isinstance(polys, np.ndarray)
            else [np.round((p - (x0, y0)) * _ONE).astype(np.int32) for p in polys]
        )
        cv2.fillPoly(m, list(pts), 255, cv2.LINE_AA, SHIFT)
        return m.astype(np.float32) * np.float32(1 / 255)
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
