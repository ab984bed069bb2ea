"""The `camera` motion backend: a virtual camera moving through a still's depth layers.

Each layer is a fronto-parallel plane at its depth; for a pose (see `moves`) a plane maps to
the picture by one float affine transform (scale and shift; roll rotates them all), so near
layers move more than far ones and the sky (depth inf) moves only when the camera rotates.
Layers are warped with `cv2.warpAffine` (bilinear, 1/32 px sub-pixel) and composited
premultiplied, far to near; a layer shrunk on screen is pre-filtered once with area
resampling. The still is over-scanned (scaled up about the centre by the least factor that
keeps every edge-touching layer covering the frame for the whole move), so no move reveals an
empty border. A still without layers is one plane at the subject's depth: a sub-pixel Ken
Burns move. The shot's lens (or the look's) sets the focal length and, keeping the still's
framing, where the camera stands: the longer the lens, the less the set shifts behind the subject.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import ClassVar

import cv2
import numpy as np

from storyreel.errors import StoryreelError
from storyreel.lens import blur_sigma, focal_px, lens_depth
from storyreel.model import Layer, Still
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.motion.moves import (
    MoveSpec,
    Pose,
    check_intensity,
    parse_easing,
    parse_move,
    pose_at,
)

DEFAULT_SUBJECT_DEPTH = 5.0  # metres, for stills without depth layers
MAX_OVERSCAN = 1.5  # beyond this, edge pixels are replicated instead of zooming further
_SAMPLES = 97  # poses sampled to size the overscan


@dataclass
class _Plane:
    """A layer ready to warp: premultiplied RGBA cropped to its visible box."""

    pixels: np.ndarray  # (h, w, 4) premultiplied, or (h, w, 3) when fully opaque
    origin: tuple[float, float]  # crop's top-left in still pixels
    prescale: float  # pixels per still pixel (< 1 when pre-filtered)
    depth: float
    touches_edge: bool  # reaches the still's border: must cover the frame
    opaque: bool
    sides: tuple[bool, bool, bool, bool] = (False, False, False, False)  # left, top, right, bottom


def _plane(layer: Layer) -> _Plane | None:
    rgba = np.ascontiguousarray(layer.rgba)
    if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
        raise StoryreelError(f"layer {layer.name!r} is not an (H, W, 4) uint8 RGBA image")
    alpha = rgba[..., 3]
    h, w = alpha.shape
    rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    if rows.size == 0:
        return None  # an empty layer (nobody in it) draws nothing
    # one transparent pixel of margin on inner sides, so replicated borders stay transparent
    y0, y1 = max(0, rows[0] - 1), min(h, rows[-1] + 2)
    x0, x1 = max(0, cols[0] - 1), min(w, cols[-1] + 2)
    crop = rgba[y0:y1, x0:x1]
    sides = (
        bool(alpha[:, 0].any()),
        bool(alpha[0].any()),
        bool(alpha[:, -1].any()),
        bool(alpha[-1].any()),
    )
    if crop[..., 3].min() == 255:
        return _Plane(
            crop.copy(), (x0, y0), 1.0, layer.depth, any(sides), True, sides
        )  # not a view
    a = np.ascontiguousarray(crop[..., 3])
    # colour × alpha / 255 rounded (OpenCV in 8 bits, exact: it never falls on a half), alpha kept
    premult = cv2.multiply(crop, cv2.merge([a, a, a, np.full_like(a, 255)]), scale=1 / 255)
    return _Plane(premult, (x0, y0), 1.0, layer.depth, any(sides), False, sides)


def _translate(x: float, y: float) -> np.ndarray:
    return np.array([[1.0, 0.0, x], [0.0, 1.0, y], [0.0, 0.0, 1.0]])


def _scale(s: float, cx: float, cy: float) -> np.ndarray:
    return np.array([[s, 0.0, cx * (1 - s)], [0.0, s, cy * (1 - s)], [0.0, 0.0, 1.0]])


def _rotate(angle: float, cx: float, cy: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return (
        _translate(cx, cy)
        @ np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        @ _translate(-cx, -cy)
    )


def subject_depth(still: Still) -> float:
    """The depth the move is about: a layer named like "subject", else the median finite depth."""
    finite = [lay for lay in still.layers if math.isfinite(lay.depth)]
    named = [lay.depth for lay in finite if "subject" in lay.name.lower()]
    if named:
        return float(min(named))
    if finite:
        return float(np.median([lay.depth for lay in finite]))
    return DEFAULT_SUBJECT_DEPTH


class CameraClip:
    """A `FrameSource`: frame `i` of a move through a still, computed on demand (thread-safe:
    the backdrop's memo is only ever replaced whole, and gives what a warp would)."""

    threadsafe: ClassVar[bool] = True

    def __init__(
        self, still: Still, spec: MoveSpec, fps: Fraction, n_frames: int, size: tuple[int, int]
    ):
        self.fps, self.n_frames, self.size, self.spec = fps, n_frames, size, spec
        self._sampled: list[Pose] | None = None
        w, h = size
        sw, sh = still.size
        self._center = ((w - 1) / 2.0, (h - 1) / 2.0)
        b = max(w / sw, h / sh)  # cover-fit the still to the picture
        self._base = (
            _translate(*self._center)
            @ np.diag([b, b, 1.0])
            @ _translate(-(sw - 1) / 2.0, -(sh - 1) / 2.0)
        )
        layers = still.layers
        if not layers or self._depth_independent():
            # every plane moves alike (a rotation or a zoom): warp the flattened still once
            layers = [Layer("image", spec.subject_depth, _opaque(still.image))]
        self._planes = [p for p in map(_plane, layers) if p is not None]
        self._anchor = self._subject_anchor(still)
        self._still_rect = (sw, sh)
        self.overscan = self._overscan()
        self._prefilter()
        self._memo: tuple[tuple[bytes, float], np.ndarray] | None = None
        self._memo_misses = 0

    # --- geometry --------------------------------------------------------------------------

    def pose(self, index: int) -> Pose:
        u = index / (self.n_frames - 1) if self.n_frames > 1 else 0.0
        return pose_at(self.spec, u, index / float(self.fps))

    def _depth_independent(self) -> bool:
        return not any(p.tx or p.ty or p.tz or p.aperture for p in self._samples())

    def _subject_anchor(self, still: Still) -> tuple[float, float]:
        """Moves converge on the subjects' centre, drawn halfway toward the picture centre."""
        cx, cy = self._center
        if not still.subject_boxes:
            return cx, cy
        boxes = np.array(list(still.subject_boxes.values()), dtype=float)
        x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
        x1, y1 = boxes[:, 2].max(), boxes[:, 3].max()
        sx, sy, _ = self._base @ np.array([(x0 + x1) / 2.0, (y0 + y1) / 2.0, 1.0])
        return (cx + sx) / 2.0, (cy + sy) / 2.0

    def _motion(self, pose: Pose, depth: float) -> np.ndarray:
        """Picture → picture transform of a plane at `depth` under `pose` (3×3)."""
        f = focal_px(self.size[0], self.spec.lens) * pose.zoom
        if math.isinf(depth):
            s, dx, dy = pose.zoom, 0.0, 0.0
        else:
            dist = depth - pose.tz
            s, dx, dy = pose.zoom * depth / dist, -f * pose.tx / dist, f * pose.ty / dist
        dx -= f * math.tan(pose.yaw)
        dy += f * math.tan(pose.pitch)
        m = _translate(dx, dy) @ _scale(s, *self._anchor)
        return _rotate(pose.roll, *self._center) @ m if pose.roll else m

    def _matrix(self, plane: _Plane, pose: Pose, overscan: float) -> np.ndarray:
        """Plane pixels → picture pixels (3×3)."""
        to_still = _translate(*plane.origin) @ np.diag(
            [1 / plane.prescale, 1 / plane.prescale, 1.0]
        )
        return (
            self._motion(pose, plane.depth)
            @ _scale(overscan, *self._center)
            @ self._base
            @ to_still
        )

    def _overscan(self) -> float:
        """The least zoom about the centre that keeps edge-touching planes over the frame: a
        bisection, each step testing every sampled pose and depth at once (a stack of 3×3
        solves, each as `np.linalg.solve` would do it alone)."""
        edge = [p for p in self._planes if p.touches_edge]
        if not edge:
            return 1.0
        w, h = self.size
        sw, sh = self._still_rect
        corners = np.array(
            [[-0.5, -0.5, 1], [w - 0.5, -0.5, 1], [-0.5, h - 0.5, 1], [w - 0.5, h - 0.5, 1]]
        ).T
        depths = sorted({p.depth for p in edge})
        motions = np.array([self._motion(pose, d) for pose in self._samples() for d in depths])
        corners = np.broadcast_to(corners, (len(motions), *corners.shape))

        def covers(k: float) -> bool:
            m = np.matmul(np.matmul(motions, _scale(k, *self._center)), self._base)
            src = np.linalg.solve(m, corners)
            x, y = src[:, 0], src[:, 1]
            inside_x = (x >= -0.5 - 1e-6).all() and (x <= sw - 0.5 + 1e-6).all()
            return bool(inside_x and (y >= -0.5 - 1e-6).all() and (y <= sh - 0.5 + 1e-6).all())

        if covers(1.0):
            return 1.0
        if not covers(MAX_OVERSCAN):
            return MAX_OVERSCAN
        lo, hi = 1.0, MAX_OVERSCAN
        for _ in range(24):
            mid = (lo + hi) / 2.0
            lo, hi = (lo, mid) if covers(mid) else (mid, hi)
        return hi

    def _samples(self) -> list[Pose]:
        """`_SAMPLES` poses spread evenly over the move (every frame of a shorter one)."""
        if self._sampled is None:
            count = min(self.n_frames, _SAMPLES)
            self._sampled = [
                self.pose(round(i * (self.n_frames - 1) / max(1, count - 1))) for i in range(count)
            ]
        return self._sampled

    def _prefilter(self) -> None:
        """Planes drawn smaller than their pixels at some frame are area-resampled once."""
        for plane in self._planes:
            m = [self._matrix(plane, pose, self.overscan)[:2, :2] for pose in self._samples()]
            least = min(math.sqrt(abs(np.linalg.det(a))) for a in m)
            if least < 0.98 and plane.pixels.shape[0] > 2:
                h, w = plane.pixels.shape[:2]
                size = (max(1, round(w * least)), max(1, round(h * least)))
                plane.pixels = cv2.resize(plane.pixels, size, interpolation=cv2.INTER_AREA)
                plane.prescale = size[0] / w

    # --- frames ----------------------------------------------------------------------------

    def _backdrop(self, plane: _Plane, m: np.ndarray, sigma: float) -> np.ndarray:
        """The bottom, opaque plane, warped; kept while its transform holds (a dolly leaves the
        sky where it is), so a still backdrop is warped once per clip, not once per frame.
        Alone (nothing drawn over it), the kept array itself, read-only, is the frame: a still
        shot hands out one array, and the look can tell its frames are alike."""
        alone = len(self._planes) == 1
        key = (m[:2].tobytes(), sigma)
        memo = self._memo
        if memo is not None and memo[0] == key:
            return memo[1] if alone else memo[1].copy()
        w, h = self.size
        warped = cv2.warpAffine(
            plane.pixels, m[:2], (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        out = cv2.cvtColor(_blur(warped, sigma), cv2.COLOR_RGBA2RGB)
        if memo is None or self._memo_misses < 2:  # stop trying once it keeps moving
            self._memo_misses += memo is not None
            kept = out if alone else out.copy()
            kept.flags.writeable = False
            self._memo = (key, kept)
        return out

    def frame(self, index: int) -> np.ndarray:
        if not 0 <= index < self.n_frames:
            raise IndexError(f"frame {index} outside 0..{self.n_frames - 1}")
        pose = self.pose(index)
        w, h = self.size
        out: np.ndarray | None = None
        for plane in self._planes:
            m = self._matrix(plane, pose, self.overscan)
            sigma = blur_sigma(pose.focus, pose.aperture, plane.depth, w, self.spec.lens)
            if plane.opaque and out is None and all(plane.sides):
                out = self._backdrop(plane, m, sigma)
                continue
            if out is None:
                out = np.zeros((h, w, 3), np.uint8)
            _over(out, plane, m, sigma)
        return out if out is not None else np.zeros((h, w, 3), np.uint8)


def _opaque(image: np.ndarray) -> np.ndarray:
    return np.dstack([image, np.full(image.shape[:2], 255, np.uint8)])


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur; wide ones on a pyramid level (halving until sigma < 4), then scaled back."""
    if sigma <= 0.3:
        return image
    h, w = image.shape[:2]
    small = image
    while sigma > 4.0 and min(small.shape[:2]) > 16:
        small = cv2.pyrDown(small)
        sigma /= 2.0
    small = cv2.GaussianBlur(small, (0, 0), sigma)
    return (
        small
        if small.shape[:2] == (h, w)
        else cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    )


def _over(out: np.ndarray, plane: _Plane, m: np.ndarray, sigma: float) -> None:
    """Warp a plane into the region of `out` it reaches and composite it over (premultiplied)."""
    h, w = out.shape[:2]
    pad = math.ceil(3 * sigma) + 1 if sigma > 0.3 else 1
    ph, pw = plane.pixels.shape[:2]
    box = m @ np.array(
        [[-0.5, pw - 0.5, -0.5, pw - 0.5], [-0.5, -0.5, ph - 0.5, ph - 0.5], [1, 1, 1, 1]]
    )
    left, top, right, bottom = plane.sides  # a side on the still's border extends past the frame
    x0 = 0 if left else max(0, math.floor(box[0].min()) - pad)
    y0 = 0 if top else max(0, math.floor(box[1].min()) - pad)
    x1 = w if right else min(w, math.ceil(box[0].max()) + pad + 1)
    y1 = h if bottom else min(h, math.ceil(box[1].max()) + pad + 1)
    if x0 >= x1 or y0 >= y1:
        return
    roi_m = (_translate(-x0, -y0) @ m)[:2]
    warped = cv2.warpAffine(
        plane.pixels,
        roi_m,
        (x1 - x0, y1 - y0),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    warped = _blur(warped, sigma)
    region = out[y0:y1, x0:x1]  # composited in place (OpenCV writes through the view)
    inv = cv2.cvtColor(cv2.bitwise_not(cv2.extractChannel(warped, 3)), cv2.COLOR_GRAY2RGB)
    cv2.multiply(region, inv, dst=region, scale=1.0 / 255.0)
    cv2.add(region, cv2.cvtColor(warped, cv2.COLOR_RGBA2RGB), dst=region)


class CameraBackend(MotionBackend):
    """`motion.camera`: 2.5D camera moves through a still's depth layers."""

    name: ClassVar[str] = "camera"
    version: ClassVar[str] = "1"

    def animate(self, request: ClipRequest) -> CameraClip:
        shot = request.shot
        where = (shot.lines.path, shot.lines.start)
        move = parse_move(str(shot.move), *where)
        easing = parse_easing(str(shot.easing), *where)
        intensity = check_intensity(shot.move_intensity, *where)
        if request.n_frames < 1:
            raise StoryreelError(f"shot {shot.id}: a clip needs at least one frame", *where)
        w, h = request.size
        if w < 2 or h < 2:
            raise StoryreelError(f"shot {shot.id}: picture size {w}x{h} is too small", *where)
        still = request.still
        for lay in still.layers:
            if not lay.depth > 0:
                raise StoryreelError(
                    f"shot {shot.id}: layer {lay.name!r} has depth {lay.depth}; "
                    "depths must be above 0",
                    *where,
                )
        lens = shot.lens if shot.lens is not None else request.config.look.lens
        ds = subject_depth(still)
        if lens is not None:  # the camera stands where the lens keeps the still's framing
            still = replace(
                still,
                layers=[
                    replace(lay, depth=lens_depth(lay.depth, ds, lens)) for lay in still.layers
                ],
            )
            ds = lens_depth(ds, ds, lens)
        finite = [lay.depth for lay in still.layers if math.isfinite(lay.depth)]
        spec = MoveSpec(
            move=move,
            intensity=intensity,
            easing=easing,
            width=w,
            height=h,
            subject_depth=ds,
            near_depth=min(finite, default=ds),
            far_depth=max(finite, default=ds * 4),
            seed=request.seed,
            lens=lens,
        )
        return CameraClip(still, spec, request.fps, request.n_frames, request.size)

    @staticmethod
    def params(source: CameraClip) -> dict[str, object]:
        """What a clip take's provenance records about the move."""
        clip, s = source, source.spec
        lens = {} if s.lens is None else {"lens": s.lens}
        return {
            "move": s.move.value,
            "intensity": s.intensity,
            "easing": s.easing.value,
            **lens,
            "overscan": round(clip.overscan, 6),
            "n_frames": clip.n_frames,
            "fps": str(clip.fps),
        }


__all__ = ["CameraBackend", "CameraClip", "subject_depth"]
