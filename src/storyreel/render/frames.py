"""The film look, per frame: grade, LUT, vignette, grain, letterbox/pillarbox, fades.

Everything comes from `[look]` and everything is optional: a neutral setting costs nothing.
The grade (lift/gamma/gain and contrast) is pointwise per channel, so it is baked once into a
256-entry table per channel; saturation is a 3×3 matrix around BT.709 luma. Grain changes every
frame (seeded by the frame index, so renders are repeatable), is softened to film-like clumps
and is strongest in the mid-tones, fading out in the blacks and highlights. The review profile's
look, computed in the encoder's Y'CbCr, is `render.planar.PlanarLook`, made from these tables.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from storyreel.config import LookConfig
from storyreel.errors import StoryreelError
from storyreel.model import frames_for
from storyreel.render.lut import apply_lut, dense_table

LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)  # BT.709
GRAIN_CODES = 14.0  # grain 1.0: mid-tone noise of about 14 code values (8-bit)
GRAIN_SEED = 0x5EED


class FilmLook:
    """`finish(picture, index)`: the graded picture placed in the delivery frame."""

    def __init__(
        self,
        look: LookConfig,
        frame_size: tuple[int, int],
        picture_size: tuple[int, int],
        fps: Fraction,
        project_root: Path | None = None,
    ):
        self.look, self.frame_size, self.picture_size, self.fps = (
            look,
            frame_size,
            picture_size,
            fps,
        )
        fw, fh = frame_size
        pw, ph = picture_size
        if pw > fw or ph > fh:
            raise StoryreelError(f"picture {pw}x{ph} does not fit in the frame {fw}x{fh}")
        self.offset = ((fw - pw) // 2, (fh - ph) // 2)
        # the look's tables (`render.planar` reads them too)
        self.curve = _grade_curve(look)
        self.saturation = _saturation_matrix(look.saturation) if look.saturation != 1.0 else None
        self.lut = None
        if look.lut:
            path = Path(look.lut)
            if not path.is_absolute() and project_root is not None:
                path = project_root / path
            self.lut = dense_table(path)
        self.vignette = vignette_gain(picture_size, look.vignette) if look.vignette > 0 else None
        self._grain_weight = grain_weight(look.grain) if look.grain > 0 else None
        self.fade_in = frames_for(look.fade_in, fps) if look.fade_in > 0 else 0
        self.fade_out = frames_for(look.fade_out, fps) if look.fade_out > 0 else 0

    def check_size(self, picture: np.ndarray) -> None:
        """Refuse a picture that is not the picture area's size (RGB)."""
        pw, ph = self.picture_size
        if picture.shape != (ph, pw, 3):
            raise StoryreelError(
                f"picture is {picture.shape[1]}x{picture.shape[0]}, expected {pw}x{ph}"
            )

    def grade(self, picture: np.ndarray, index: int) -> np.ndarray:
        """The look on the picture area alone (no bars, no fades)."""
        self.check_size(picture)
        out = picture
        if self.curve is not None:
            out = apply_curve(out, self.curve)
        if self.saturation is not None:
            out = cv2.transform(out, self.saturation)
        if self.lut is not None:
            out = apply_lut(out, self.lut)
        if self.vignette is not None:
            out = cv2.multiply(out, self._vignette_rgb, dtype=cv2.CV_8U)
        if self._grain_weight is not None:
            out = self._grain(out, index)
        return out

    @functools.cached_property
    def _vignette_rgb(self) -> np.ndarray:
        """The vignette's gain on three channels (float32, 18 MB at 1080p): made on the first
        graded frame, so the review profile, whose look reads `vignette` alone, never holds it."""
        assert self.vignette is not None
        return cv2.merge([self.vignette] * 3)

    def finish(
        self, picture: np.ndarray, index: int, n_frames: int | None = None, offset: int = 0
    ) -> np.ndarray:
        """Graded picture in the frame (letterbox / pillarbox), with the film's head and tail
        fades. Grain follows `index`; the fades follow `offset + index` (the frame's place in a
        film of `n_frames`, needed for the tail fade), so a part of the film rendered on its
        own fades exactly where the whole film does. With a neutral look and no bars the
        picture array itself comes back: copy it before drawing on it."""
        graded = self.grade(picture, index)
        if graded.shape[:2] == (self.frame_size[1], self.frame_size[0]):
            frame = graded  # may be `picture` itself when the look leaves it untouched
        else:
            frame = np.zeros((self.frame_size[1], self.frame_size[0], 3), np.uint8)
            x, y = self.offset
            frame[y : y + graded.shape[0], x : x + graded.shape[1]] = graded
        gain = self.fade_gain(offset + index, n_frames)
        if gain < 1.0:
            frame = cv2.convertScaleAbs(frame, alpha=gain)
        return frame

    def fade_gain(self, index: int, n_frames: int | None) -> float:
        gain = 1.0
        if self.fade_in and index < self.fade_in:
            gain = index / self.fade_in
        if self.fade_out and n_frames is not None and index >= n_frames - self.fade_out:
            gain = min(gain, (n_frames - 1 - index) / self.fade_out)
        return max(0.0, gain)

    def _grain(self, rgb: np.ndarray, index: int) -> np.ndarray:
        h, w = rgb.shape[:2]
        rng = np.random.default_rng([GRAIN_SEED, index])
        small = rng.standard_normal(((h + 1) // 2, (w + 1) // 2), dtype=np.float32)
        noise = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
        weight = cv2.LUT(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), self._grain_weight)
        noise = cv2.multiply(noise, weight)
        return cv2.add(rgb, cv2.merge([noise, noise, noise]), dtype=cv2.CV_8U)


def _grade_curve(look: LookConfig) -> np.ndarray | None:
    lift, gamma, gain = np.array(look.lift), np.array(look.gamma), np.array(look.gain)
    if not lift.any() and (gamma == 1).all() and (gain == 1).all() and look.contrast == 1.0:
        return None
    if (gamma <= 0).any():
        raise StoryreelError(f"look.gamma must be above 0, not {look.gamma}")
    x = np.linspace(0.0, 1.0, 256)[:, None]
    y = np.clip(gain * (x + lift * (1.0 - x)), 0.0, 1.0) ** (1.0 / gamma)
    y = (y - 0.5) * look.contrast + 0.5
    return np.clip(y * 255.0 + 0.5, 0, 255).astype(np.uint8).reshape(256, 1, 3)


def apply_curve(rgb: np.ndarray, curve: np.ndarray) -> np.ndarray:
    """The grade's table on an RGB picture; one table for all three channels (a grade without
    a tint) looks up the picture as one plane, twice as fast as OpenCV's per-channel tables."""
    if (curve == curve[..., :1]).all():
        h = rgb.shape[0]
        flat = np.ascontiguousarray(rgb).reshape(h, -1)
        return cv2.LUT(flat, np.ascontiguousarray(curve[..., 0])).reshape(rgb.shape)
    return cv2.LUT(rgb, curve)


def _saturation_matrix(s: float) -> np.ndarray:
    return (s * np.eye(3) + (1.0 - s) * np.tile(LUMA, (3, 1))).astype(np.float32)


def vignette_gain(size: tuple[int, int], strength: float) -> np.ndarray:
    """Per-pixel gain (H, W): 1 in the middle, falling smoothly to 1 - strength/2 in the
    corners."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.hypot((xx - (w - 1) / 2) / (w / 2), (yy - (h - 1) / 2) / (h / 2)) / math.sqrt(2)
    t = np.clip((r - 0.35) / 0.65, 0.0, 1.0)
    return 1.0 - 0.5 * strength * t * t * (3 - 2 * t)


def grain_weight(strength: float) -> np.ndarray:
    """Grain amplitude for each luma code: strongest in the mid-tones."""
    y = np.linspace(0.0, 1.0, 256, dtype=np.float32)
    return (strength * GRAIN_CODES * np.sqrt(4.0 * y * (1.0 - y))).astype(np.float32)
