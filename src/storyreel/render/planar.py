"""The review profile's look, computed in the encoder's own Y'CbCr 4:2:0 (BT.709, limited range).

A review frame goes to x264 as yuv420p; making the look in those planes rather than in RGB
saves most of its cost where a viewer cannot tell. The grade (and a `.cube` LUT) stays in RGB,
where it is defined; the saturation matrix keeps BT.709 luma, so it folds into the RGB → Y'CbCr
matrix; the chroma is computed from the picture area-averaged to half size (the conversion is
linear, so that is 4:2:0's chroma). The vignette is a gain on every RGB channel, so it scales
luma above black and chroma about neutral; it is applied in 1/255 steps (an 8-bit multiply).
Grain is added to R, G and B alike, which changes luma alone: it is added to the Y plane only,
lighter and coarser than the master's (`REVIEW_GRAIN`, `REVIEW_CLUMP`), from a few fields
made once (`REVIEW_FIELDS`) and weighted by tone in integers. Bars are Y'CbCr black, fades
scale towards it, and overlays (titles, subtitles) are blended in these planes. A read-only
picture (a still shot's source hands out one array for all its frames) is graded once: its
planes are kept (`KEPT_PICTURES`) and each of its frames costs its grain alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from storyreel.render.frames import GRAIN_SEED, FilmLook, apply_curve, grain_weight
from storyreel.render.lut import apply_lut

# this share of the master's grain strength, in clumps this many pixels across, cycled through
# this many fields computed once a render
REVIEW_GRAIN, REVIEW_CLUMP, REVIEW_FIELDS = 0.5, 4, 8
KEPT_PICTURES = 4  # still pictures whose planes are kept: one a segment encoded side by side
LUMA_RANGE = 219 / 255  # limited range: black 16, white 235
# RGB (0..255) → Y' (above black: 0..219), Cb, Cr (about 128), BT.709, as rows of cv2.transform
_BT709 = np.array([[0.2126, 0.7152, 0.0722], [-0.1146, -0.3854, 0.5], [0.5, -0.4542, -0.0458]])
_SCALE = np.diag([219, 224, 224]) / 255


def yuv_matrix(saturation: np.ndarray | None, black: int) -> np.ndarray:
    """The 3×4 RGB → Y'CbCr matrix for cv2.transform, the saturation folded in, Y' from `black`."""
    m = _SCALE @ _BT709 @ (np.eye(3) if saturation is None else saturation)
    return np.hstack([m, [[black], [128], [128]]]).astype(np.float32)


class PlanarLook:
    """`finish(picture, index, n_frames, offset)`: the frame as a yuv420p array (H·3/2, W)."""

    def __init__(self, look: FilmLook):
        self.look, self.frame_size, self.picture_size = look, look.frame_size, look.picture_size
        fw, fh = look.frame_size
        pw, ph = look.picture_size
        ox, oy = look.offset
        # the picture's planes are written in place when its edges land on chroma samples;
        # otherwise the picture is placed in a black RGB frame, and the whole frame converted
        self._placed = bool(ox % 2 or oy % 2 or pw % 2 or ph % 2)
        aw, ah = (fw, fh) if self._placed else (pw, ph)
        ax, ay = (0, 0) if self._placed else (ox, oy)
        self._area = (ax, ay, aw, ah)
        lut_first = look.lut is not None  # a LUT comes after the saturation: that stays in RGB
        self._to_yuv = yuv_matrix(None if lut_first else look.saturation, 0)
        self._to_chroma = yuv_matrix(None if lut_first else look.saturation, 16)
        self._vignette = self._vignette_half = None
        if look.vignette is not None:
            x, y = ox - ax, oy - ay  # into black bars the gain runs on, smooth for the chroma
            gain = cv2.copyMakeBorder(
                look.vignette, y, ah - ph - y, x, aw - pw - x, cv2.BORDER_REPLICATE
            )
            self._vignette = np.rint(gain * 255).astype(np.uint8)
            half = cv2.resize(gain, (aw // 2, ah // 2), interpolation=cv2.INTER_AREA)
            self._vignette_half = cv2.merge([np.rint(half * 255).astype(np.uint8)] * 3)
        self._weight = self._fields = None
        self._kept: tuple[_Graded, ...] = ()  # read-only pictures' planes, the latest first
        if look.look.grain > 0:
            codes = np.minimum(255, np.rint(np.arange(256) / LUMA_RANGE)).astype(int)
            weight = grain_weight(look.look.grain * REVIEW_GRAIN)[codes] * LUMA_RANGE
            # in 1/16 code: int16 like the fields, so the multiply is SIMD
            self._weight = np.clip(np.rint(weight * 16), 0, 255).astype(np.int16)
            self._fields = _fields((aw, ah))

    def fade_gain(self, index: int, n_frames: int | None) -> float:
        return self.look.fade_gain(index, n_frames)

    def finish(
        self, picture: np.ndarray, index: int, n_frames: int | None = None, offset: int = 0
    ) -> np.ndarray:
        """The graded picture in the frame, in the encoder's layout (`FilmLook.finish`'s
        meaning of the arguments): a new array each call. A read-only picture is one its source
        hands out again (a still shot's): its graded planes are kept, so its frames cost the
        grain alone."""
        look = self.look
        fw, fh = self.frame_size
        graded = next((g for g in self._kept if g.picture is picture), None)
        if graded is None:
            graded = self._graded_planes(picture)
            if not picture.flags.writeable:  # replaced whole: other threads see one or other
                self._kept = (graded, *self._kept[: KEPT_PICTURES - 1])
        ax, ay, aw, ah = self._area
        out = np.empty((fh * 3 // 2, fw), np.uint8)
        luma, cb, cr = planes(out, fw, fh)
        if (aw, ah) != (fw, fh):
            luma.fill(16)
            cb.fill(128)
            cr.fill(128)
        y = graded.luma
        if graded.weight is not None:
            noise = cv2.multiply(self._fields[index % REVIEW_FIELDS], graded.weight, scale=1 / 256)
            y = cv2.add(y, noise, dtype=cv2.CV_8U)
        cv2.add(y, 16, dst=luma[ay : ay + ah, ax : ax + aw])  # OpenCV writes through views
        rows, cols = slice(ay // 2, (ay + ah) // 2), slice(ax // 2, (ax + aw) // 2)
        cv2.mixChannels([graded.chroma], [cb[rows, cols], cr[rows, cols]], [1, 0, 2, 1])
        gain = look.fade_gain(offset + index, n_frames)
        if gain < 1.0:
            cv2.convertScaleAbs(luma, luma, alpha=gain, beta=16 * (1 - gain))
            flat = out.reshape(-1)[fw * fh :]
            cv2.convertScaleAbs(flat, flat, alpha=gain, beta=128 * (1 - gain))
        return out

    def _graded_planes(self, picture: np.ndarray) -> _Graded:
        """What the look makes of a picture before the grain: Y' above black (vignetted), the
        grain's weight by tone, and the half-size chroma."""
        look = self.look
        pw, ph = self.picture_size
        fw, fh = self.frame_size
        rgb = _graded(look, picture)
        if self._placed:
            framed = np.zeros((fh, fw, 3), np.uint8)
            x, y = look.offset
            framed[y : y + ph, x : x + pw] = rgb
            rgb = framed
        _, _, aw, ah = self._area
        full = cv2.transform(rgb, self._to_yuv)  # Y' above black; its chroma is not used
        y = cv2.extractChannel(full, 0)
        half = cv2.resize(rgb, (aw // 2, ah // 2), interpolation=cv2.INTER_AREA)
        if self._vignette is not None:
            y = cv2.multiply(y, self._vignette, scale=1 / 255)
            half = cv2.multiply(half, self._vignette_half, scale=1 / 255)
        weight = cv2.LUT(y, self._weight) if self._fields is not None else None
        return _Graded(picture, y, weight, cv2.transform(half, self._to_chroma))


@dataclass(frozen=True)
class _Graded:
    """A picture's planes before the grain (`PlanarLook._graded_planes`)."""

    picture: np.ndarray
    luma: np.ndarray  # (h, w) uint8, Y' above black
    weight: np.ndarray | None  # (h, w) int16, the grain's amplitude (None: no grain)
    chroma: np.ndarray  # (h/2, w/2, 3) uint8: a spare channel, Cb, Cr


def planes(frame: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, Cb and Cr planes of a yuv420p array."""
    flat, q = frame.reshape(-1), (w // 2) * (h // 2)
    return (
        flat[: w * h].reshape(h, w),
        flat[w * h : w * h + q].reshape(h // 2, w // 2),
        flat[w * h + q : w * h + 2 * q].reshape(h // 2, w // 2),
    )


def _graded(look: FilmLook, picture: np.ndarray) -> np.ndarray:
    """The grade in RGB: the curve, and with a LUT the saturation before it."""
    look.check_size(picture)
    out = picture
    if look.curve is not None:
        out = apply_curve(out, look.curve)
    if look.lut is not None:
        if look.saturation is not None:
            out = cv2.transform(out, look.saturation)
        out = apply_lut(out, look.lut)
    return out


def _fields(size: tuple[int, int]) -> list[np.ndarray]:
    """`REVIEW_FIELDS` grain fields of unit spread in clumps of `REVIEW_CLUMP` px (int16 in
    1/16 code): made once a render, so a frame's grain costs no draw."""
    w, h = size
    rng = np.random.default_rng([GRAIN_SEED, w, h])
    small = (max(1, -(-w // REVIEW_CLUMP)), max(1, -(-h // REVIEW_CLUMP)))
    out = []
    for _ in range(REVIEW_FIELDS):
        field = rng.standard_normal((small[1], small[0]), dtype=np.float32)
        field = cv2.resize(field, (w, h), interpolation=cv2.INTER_LINEAR)
        out.append(np.clip(np.rint(field * 16), -32767, 32767).astype(np.int16))
    return out


@dataclass(frozen=True)
class PlanarOverlay:
    """An overlay's box on even coordinates, as Y' and CbCr planes with their opacities."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1, all even
    luma: np.ndarray  # (h, w) uint8
    alpha: np.ndarray  # (h, w) float32, 0..1
    chroma: np.ndarray  # (h/2, w/2, 2) uint8: Cb, Cr
    alpha_half: np.ndarray  # (h/2, w/2) float32


def planar_overlay(rgba: np.ndarray, box: tuple[int, int, int, int]) -> PlanarOverlay:
    """An RGBA overlay in Y'CbCr 4:2:0; its chroma is alpha-weighted, so no fringe shows."""
    x0, y0, x1, y1 = box
    h, w = rgba.shape[:2]
    x0, y0, x1, y1 = x0 - x0 % 2, y0 - y0 % 2, min(w, x1 + x1 % 2), min(h, y1 + y1 % 2)
    src = rgba[y0:y1, x0:x1].astype(np.float32)
    alpha = src[..., 3] / 255.0
    rgb = np.ascontiguousarray(src[..., :3])
    luma = cv2.transform(rgb, yuv_matrix(None, 16))[..., 0]
    size = ((x1 - x0) // 2, (y1 - y0) // 2)
    alpha_half = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
    premult = cv2.resize(rgb * alpha[..., None], size, interpolation=cv2.INTER_AREA)
    colour = premult / np.maximum(alpha_half, 1e-6)[..., None]
    chroma = cv2.transform(np.clip(colour, 0, 255), yuv_matrix(None, 16))[..., 1:]
    return PlanarOverlay(
        (x0, y0, x1, y1),
        np.clip(np.rint(luma), 0, 255).astype(np.uint8),
        np.ascontiguousarray(alpha),
        np.clip(np.rint(chroma), 0, 255).astype(np.uint8),
        alpha_half,
    )


def composite(frame: np.ndarray, size: tuple[int, int], o: PlanarOverlay, gain: float) -> None:
    """Blend an overlay at `gain` of its opacity over a yuv420p frame, in place."""
    x0, y0, x1, y1 = o.box
    if x0 >= x1 or y0 >= y1:
        return
    luma, cb, cr = planes(frame, *size)
    a = o.alpha * gain
    region = luma[y0:y1, x0:x1]
    region[:] = cv2.blendLinear(o.luma, np.ascontiguousarray(region), a, 1.0 - a)
    a = o.alpha_half * gain
    for k, plane in enumerate((cb, cr)):
        region = plane[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2]
        ours = np.ascontiguousarray(o.chroma[..., k])
        region[:] = cv2.blendLinear(ours, np.ascontiguousarray(region), a, 1.0 - a)
