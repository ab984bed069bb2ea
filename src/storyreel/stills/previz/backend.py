"""`PrevizBackend`: a shot, its scene and the look → a layered keyframe, with no model and no network.

The still is painted as depth-ordered RGBA layers (sky or back wall, far set, mid set,
subjects, foreground); the grade (contrast, palette, saturation) is applied to every layer
alike, a shot's lens rescales each by its depth (see `lens`), and the flattened image is
exactly those layers composited, so the motion stage can move a camera through them and get
the same picture at rest.
"""

from __future__ import annotations

import math
import re
from functools import cache

import cv2
import numpy as np

from storyreel.config import LookConfig
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.model import Layer, ShotSize, Still
from storyreel.stills.base import StillRequest, StillsBackend
from storyreel.stills.previz.catalogue import build_set
from storyreel.stills.previz.compose import frame_shot
from storyreel.stills.previz.figures import draw_figure, identity_for
from storyreel.stills.previz.lens import Lens
from storyreel.stills.previz.light import light_for, paint_weather
from storyreel.stills.previz.paint import Canvas
from storyreel.stills.previz.props import draw_insert
from storyreel.stills.previz.sets import Stage, place_of

WORK_WIDTH = 960  # pixels: soft silhouettes lose nothing when painted at this width and upscaled
PALETTES = ("teal-orange", "neutral", "warm", "cool", "noir", "bleach-bypass", "sepia", "neon")


class PrevizBackend(StillsBackend):
    """The embedded stills generator: cinematic silhouette keyframes on a laptop CPU."""

    name = "previz"
    version = "1.2.0"

    def generate(self, request: StillRequest) -> Still:
        shot, scene, config = request.shot, request.scene, request.config
        fw, fh = request.size
        if fw <= 0 or fh <= 0:
            raise StoryreelError(f"picture size {fw}×{fh} must be positive")
        k = min(1.0, WORK_WIDTH / fw)  # painted at most WORK_WIDTH wide, upscaled at the end
        w, h = max(2, round(fw * k)), max(2, round(fh * k))
        grade = _grade(config.look, request)
        r_frame, r_light, r_set, r_sky = (
            np.random.default_rng(s) for s in np.random.SeedSequence(request.seed).spawn(4)
        )
        framing = frame_shot(shot, w, h, r_frame)
        light = light_for(scene, shot, r_light)
        kind, interior = place_of(scene, shot)
        sky, far, mid, subjects, fg = (Canvas(w, h, (0, 0, 0)), *(Canvas(w, h) for _ in range(4)))
        stage = Stage(sky, far, mid, fg, framing, light, r_set)
        build_set(kind, interior, stage)
        boxes: dict[str, tuple[int, int, int, int]] = {}
        detail = shot.size is ShotSize.INSERT or (shot.size is ShotSize.ECU and not shot.subjects)
        if detail:
            box = draw_insert(stage, subjects, shot.description)
            if box:
                boxes["INSERT"] = box
        key_side = 1 if light.sun_x >= 0.5 else -1
        for fig in sorted(framing.figures, key=lambda f: -f.depth):
            if not fig.name:
                ident = identity_for("?", config)
            else:
                ident = identity_for(fig.name, config, request.project_root)
            target = fg if fig.foreground else subjects
            box = draw_figure(target, fig, ident, light, key_side, framing.overhead)
            if box and fig.name and not fig.foreground:
                boxes[fig.name] = box
        if not interior or light.fog or light.fire:
            paint_weather(fg, light, framing.horizon, r_sky)

        depths = [
            math.inf if not interior else stage.far_depth + 2.0,
            stage.far_depth,
            stage.mid_depth,
            framing.subject_depth,
            framing.subject_depth * 0.5,
        ]
        names = ["sky", "far", "mid", "subjects", "foreground"]
        canvases = [sky, far, mid, subjects, fg]
        del sky, far, mid, subjects, fg, stage  # the list holds the canvases, one let go at a time
        mm = shot.lens if shot.lens is not None else config.look.lens
        lens = mm and Lens(
            mm, framing.subject_depth, (w / 2, h / 2 if framing.overhead else framing.horizon)
        )
        # each layer is finished, laid over the picture and let go before the next: at most one
        # layer's painting is alive beside the full-size layers. A layer is upscaled as RGBA
        # (one resize, the same pixels as its planes apart) and laid over the picture as RGBA;
        # the picture's fourth channel is left over, and dropped at the end.
        layers, image = [], None
        for i, (name, depth) in enumerate(zip(names, depths, strict=True)):
            canvas, canvases[i] = canvases[i], None
            rgb, alpha = canvas.to_uint8()
            roi = canvas.box
            del canvas
            rgb = grade(rgb)
            if lens:
                rgb, alpha, roi = lens.apply(rgb, alpha, roi, depth, backdrop=name == "sky")
            if framing.roll:
                rgb, alpha = (
                    _roll(rgb, framing.roll, True),
                    _roll(alpha, framing.roll, name == "sky"),
                )
                roi = [0, 0, w, h] if roi else None
            rgba = cv2.merge([rgb, alpha])
            del rgb, alpha
            if (w, h) != (fw, fh):
                rgba = cv2.resize(rgba, (fw, fh), interpolation=cv2.INTER_LINEAR)
                roi = roi and _scale_box(roi, fw / w, fh / h, fw, fh)
            layers.append(Layer(name, depth, rgba))
            if image is None:
                image = rgba.copy()
            elif roi is not None:
                _over(image, rgba, roi[1], roi[3])
        image = cv2.cvtColor(image, cv2.COLOR_RGBA2RGB)
        if framing.roll:
            boxes = {n: _roll_box(b, framing.roll, w, h) for n, b in boxes.items()}
        boxes = {n: _scale_box(b, fw / w, fh / h, fw, fh) for n, b in boxes.items()}
        meta = {
            "backend": self.name,
            "version": self.version,
            "seed": request.seed,
            "place": kind,
            "interior": interior,
            "time": light.time,
            "horizon": framing.horizon,
            "roll": framing.roll,
            "weather": [k for k in ("rain", "fog", "snow", "neon", "fire") if getattr(light, k)],
            **({"lens": mm} if lens else {}),
        }
        return Still(image=image, layers=layers, subject_boxes=boxes, meta=meta)


_BAND = 64  # rows composited at a time: the float weights stay small


def _over(out: np.ndarray, rgba: np.ndarray, y0: int, y1: int) -> None:
    """Lay one layer "over" `out` (H, W, 4 uint8, its fourth channel unused) in place, rounding
    as it goes.

    A layer is fully transparent outside the rows of its box, so only rows y0..y1 are blended,
    a band at a time (the result is per pixel, so the bands change nothing).
    """
    for b0 in range(y0, y1, _BAND):
        b1 = min(y1, b0 + _BAND)
        a = rgba[b0:b1, :, 3].astype(np.float32) * np.float32(1 / 255)
        out[b0:b1] = cv2.blendLinear(rgba[b0:b1], out[b0:b1], a, 1.0 - a)


def _scale_box(box, kx: float, ky: float, w: int, h: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return (
        max(0, math.floor(x0 * kx)),
        max(0, math.floor(y0 * ky)),
        min(w, math.ceil(x1 * kx)),
        min(h, math.ceil(y1 * ky)),
    )


def _roll(img: np.ndarray, degrees: float, opaque: bool) -> np.ndarray:
    """Dutch angle: rotate about the centre, scaled up so no corner comes up empty."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, _roll_scale(degrees, w, h))
    border = cv2.BORDER_REPLICATE if opaque else cv2.BORDER_CONSTANT
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=border, borderValue=0)


def _roll_scale(degrees: float, w: int, h: int) -> float:
    a = math.radians(abs(degrees))
    return max((w * math.cos(a) + h * math.sin(a)) / w, (w * math.sin(a) + h * math.cos(a)) / h)


def _roll_box(box, degrees, w, h):
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, _roll_scale(degrees, w, h))
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], np.float64) @ m.T
    return (
        max(0, int(pts[:, 0].min())),
        max(0, int(pts[:, 1].min())),
        min(w, int(math.ceil(pts[:, 0].max()))),
        min(h, int(math.ceil(pts[:, 1].max()))),
    )


# --- the look: contrast, palette, saturation -------------------------------------------------


def _grade(look: LookConfig, request: StillRequest):
    """The look as a function on a layer's RGB: per-channel curves and a colour matrix.

    Grain is left to the render, which adds moving grain to every frame: static grain baked
    into the layers would slide with them when the camera moves.
    """
    palette = look.palette.lower()
    if palette not in PALETTES:
        path, line = _look_source(request)
        raise StoryreelError(
            f"look.palette: unknown palette {look.palette!r}{did_you_mean(palette, PALETTES)}; "
            f"one of {', '.join(PALETTES)}",
            path,
            line,
        )
    lut = _curves(palette, round(look.contrast, 3))
    matrix = _matrix(palette, round(look.saturation, 3))

    def colour(rgb: np.ndarray) -> np.ndarray:
        rgb = cv2.LUT(rgb, lut)
        return rgb if matrix is None else cv2.transform(rgb, matrix)

    return colour


def _look_source(request: StillRequest):
    if request.project_root is None:
        return None, None
    path = request.project_root / "storyreel.toml"
    if not path.exists():
        return None, None
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if re.match(r"\s*palette\s*=", line):
            return path, i
    return path, None


@cache
def _curves(palette: str, contrast: float) -> np.ndarray:
    x = np.linspace(0.0, 1.0, 256)
    s = x * x * (3 - 2 * x)  # a gentle filmic S
    y = x + (s - x) * 0.35
    y = np.clip(0.5 + (y - 0.5) * contrast, 0, 1)
    sh, hl = (1 - y) ** 2 * y * 4, y**2 * (1 - y) * 4
    r, g, b = y.copy(), y.copy(), y.copy()
    if palette == "teal-orange":
        r, g, b = y + 0.07 * hl - 0.04 * sh, y + 0.015 * hl + 0.02 * sh, y - 0.06 * hl + 0.06 * sh
    elif palette == "warm":
        r, b = y + 0.05 * (sh + hl), y - 0.06 * (sh + hl)
    elif palette == "cool":
        r, b = y - 0.04 * (sh + hl), y + 0.06 * (sh + hl)
    elif palette == "neon":
        r, g, b = y + 0.06 * hl, y - 0.03 * (sh + hl), y + 0.08 * sh
    elif palette == "bleach-bypass":
        r = g = b = np.clip(0.5 + (y - 0.5) * 1.25, 0, 1)
    lut = np.stack([b, g, r][::-1], 1)  # channel order R, G, B
    return (np.clip(lut, 0, 1) * 255 + 0.5).astype(np.uint8)[None, :, :]


def _matrix(palette: str, saturation: float) -> np.ndarray | None:
    sat = {"noir": 0.0, "sepia": 0.0, "bleach-bypass": 0.45}.get(palette, 1.0) * saturation
    if sat == 1.0:
        return None
    luma = np.array([0.2126, 0.7152, 0.0722], np.float32)
    m = np.eye(3, dtype=np.float32) * sat + (1 - sat) * luma[None, :]
    if palette == "sepia":
        m *= np.array([1.08, 0.94, 0.74], np.float32)[:, None]
    return m
