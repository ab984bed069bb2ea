"""Time of day and weather → light: sky gradients, sun or moon, key and rim colour, haze, shafts.

Atmospheric perspective is `Light.atmos`: a colour at `depth` metres fades toward the haze
colour by 1 - exp(-depth / visibility), so far hills are pale and near walls keep their
darkness. Rain, fog and snow shrink the visibility; night lowers it less but darkens the haze.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import cv2
import numpy as np

from storyreel.model import Scene, Shot
from storyreel.prose import affirmed
from storyreel.script.places import time_of as heading_time
from storyreel.stills.previz.paint import Canvas, Color, mix, scale, soft_field, vertical_gradient

_WEATHER = {
    "rain": r"\b(rain\w*|downpour|drizzl\w*|storm\w*|wet)\b",
    "fog": r"\b(fog\w*|mist\w*|haze|hazy|smoke|smoky|steam\w*)\b",
    "snow": r"\b(snow\w*|blizzard|sleet)\b",
    "neon": r"\b(neon|arcade|sign|signs|billboard\w*)\b",
    "fire": r"\b(fire\w*|flame\w*|candle\w*|campfire|fireplace|burn\w*|blaze|embers?)\b",
}


@dataclass(frozen=True)
class Light:
    time: str
    zenith: Color
    upper: Color
    horizon: Color
    sun: Color  # sun or moon disc and glow
    sun_x: float  # 0..1 across the frame
    sun_alt: float  # height above the horizon as a fraction of the picture height
    sun_size: float  # disc radius as a fraction of the picture height
    key: Color  # rim and key light
    shadow: Color  # the unlit side of things near the camera
    ambient: float  # 0..1: how much of a surface's own colour shows
    haze: Color
    visibility: float  # metres
    windows: Color  # lit windows and lamps
    lamps: bool  # practical lights are on
    stars: bool
    rain: bool = False
    fog: bool = False
    snow: bool = False
    neon: bool = False
    fire: bool = False

    def atmos(self, color: Color, depth: float) -> Color:
        """`color` seen through `depth` metres of air."""
        t = 1.0 - float(np.exp(-depth / self.visibility))
        return mix(color, self.haze, t)

    def lit(self, color: Color, k: float = 1.0) -> Color:
        """A surface colour under this light's ambient level, tinted toward its shadow colour."""
        return mix(self.shadow, color, min(1.0, self.ambient * k))


# a table: one light a row reads better than one value a line
# fmt: off
_BASE = {
    "day": Light("day", (0.22, 0.40, 0.62), (0.45, 0.60, 0.74), (0.80, 0.82, 0.80), (1.0, 0.97, 0.88),
                 0.7, 0.55, 0.035, (1.0, 0.93, 0.80), (0.10, 0.12, 0.15), 0.55, (0.72, 0.77, 0.80),
                 900.0, (0.9, 0.8, 0.6), False, False),
    "night": Light("night", (0.005, 0.010, 0.030), (0.02, 0.04, 0.09), (0.07, 0.10, 0.17),
                   (0.85, 0.90, 1.0), 0.72, 0.55, 0.022, (0.55, 0.68, 0.95), (0.01, 0.012, 0.02), 0.16,
                   (0.06, 0.08, 0.13), 1400.0, (1.0, 0.70, 0.35), True, True),
    "dusk": Light("dusk", (0.08, 0.10, 0.25), (0.38, 0.25, 0.38), (0.98, 0.50, 0.22), (1.0, 0.62, 0.28),
                  0.3, 0.03, 0.045, (1.0, 0.55, 0.25), (0.05, 0.04, 0.08), 0.28, (0.62, 0.38, 0.34),
                  700.0, (1.0, 0.72, 0.40), True, False),
    "dawn": Light("dawn", (0.20, 0.26, 0.42), (0.55, 0.50, 0.60), (0.98, 0.74, 0.58), (1.0, 0.85, 0.70),
                  0.65, 0.04, 0.04, (1.0, 0.78, 0.62), (0.10, 0.10, 0.16), 0.35, (0.78, 0.70, 0.72),
                  500.0, (1.0, 0.78, 0.5), False, False),
    "magic": Light("magic", (0.26, 0.34, 0.52), (0.62, 0.56, 0.52), (1.0, 0.70, 0.36), (1.0, 0.80, 0.45),
                   0.4, 0.10, 0.05, (1.0, 0.68, 0.32), (0.10, 0.07, 0.08), 0.42, (0.90, 0.66, 0.45),
                   800.0, (1.0, 0.8, 0.5), False, False),
}
# fmt: on


def time_of(scene: Scene) -> str:
    """One of `places.TIMES`: the breakdown's reading (continuity included), else the heading's."""
    return scene.place.time if scene.place else heading_time(scene)[0]


def shot_text(scene: Scene, shot: Shot) -> str:
    """The words a still reads its place and weather from: the scene's heading, synopsis and
    weather, the shot's description and the action it covers (less what they negate)."""
    weather = " ".join(scene.weather)
    return f"{scene.heading} {scene.synopsis or ''} {weather} {affirmed(shot.description)} {affirmed(shot.action)}"


def light_for(scene: Scene, shot: Shot, rng: np.random.Generator) -> Light:
    """The light of a shot: its scene's time of day, the weather in its text, varied by `rng`."""
    text = shot_text(scene, shot).lower()
    flags = {k: bool(re.search(p, text)) for k, p in _WEATHER.items()}
    light = _BASE[time_of(scene)]
    shift = float(rng.uniform(-0.04, 0.04))  # takes vary the palette a little
    light = replace(
        light,
        zenith=_hue_nudge(light.zenith, shift),
        horizon=_hue_nudge(light.horizon, -shift),
        sun_x=float(np.clip(light.sun_x + rng.uniform(-0.25, 0.25), 0.08, 0.92)),
        visibility=light.visibility * float(rng.uniform(0.75, 1.3)),
        **flags,
    )
    if flags["fire"]:  # firelight: warm, low, flickering key; practicals on
        light = replace(light, key=(1.0, 0.55, 0.2), windows=(1.0, 0.5, 0.15), lamps=True)
    elif flags["neon"] and light.time in ("night", "dusk"):
        light = replace(light, key=(1.0, 0.35, 0.65))
    if flags["rain"] or flags["fog"] or flags["snow"]:
        grey = mix(
            light.horizon, (0.5, 0.53, 0.56) if light.time != "night" else (0.08, 0.09, 0.11), 0.6
        )
        light = replace(
            light,
            zenith=mix(light.zenith, grey, 0.6),
            upper=mix(light.upper, grey, 0.7),
            horizon=grey,
            haze=mix(light.haze, grey, 0.7),
            sun_size=0.0 if light.time != "night" else light.sun_size * 0.6,
            stars=False,
            visibility=light.visibility * (0.15 if flags["fog"] else 0.3),
        )
    return light


def _hue_nudge(c: Color, t: float) -> Color:
    warm, cool = (1.0, 0.6, 0.3), (0.3, 0.5, 1.0)
    return mix(c, warm if t > 0 else cool, abs(t))


def paint_sky(
    canvas: Canvas,
    light: Light,
    horizon: float,
    rng: np.random.Generator,
    region: tuple[int, int, int, int] | None = None,
) -> None:
    """Sky gradient, clouds, sun or moon and stars into `region` (default: above the horizon)."""
    w, h = canvas.w, canvas.h
    x0, y0, x1, y1 = region or (0, 0, w, int(np.clip(np.ceil(horizon) + 2, 1, h)))
    if x1 <= x0 or y1 <= y0:
        return
    sw, sh = max(4, (x1 - x0) // 8), max(4, (y1 - y0) // 8)
    ys = np.linspace(y0, y1, sh)
    rel = np.clip((horizon - ys) / h, 0.0, 2.0)  # height above the horizon
    pos = np.clip(rel / 1.1, 0.0, 1.0)
    col = vertical_gradient(256, [(0.0, light.horizon), (0.3, light.upper), (1.0, light.zenith)])
    grad = col[(pos * 255).astype(int)]
    field = np.repeat(grad[:, None, :], sw, axis=1)
    xs = np.linspace(x0, x1, sw)
    sx, sy = light.sun_x * w, horizon - light.sun_alt * h
    d = np.hypot((xs[None, :] - sx) / h, (ys[:, None] - sy) / h)
    halo = np.exp(-d * (3.0 if light.time in ("dusk", "magic", "dawn") else 6.0))[..., None]
    halo_k = {"night": 0.25, "day": 0.35}.get(light.time, 0.7)
    if light.rain or light.fog or light.snow:
        halo_k *= 0.4
    field += (np.asarray(light.sun, np.float32) - field) * (halo * halo_k).astype(np.float32)
    # clouds: stretched smooth noise, lit from the sun's side
    noise = cv2.resize(
        rng.random((6, 5)).astype(np.float32), (sw, sh), interpolation=cv2.INTER_CUBIC
    )
    band = np.clip((noise - 0.55) * 2.5, 0, 1) * np.clip(rel[:, None] * 4, 0, 1) * 0.5
    cloud = mix(light.upper, light.sun, 0.5) if light.time != "night" else scale(light.upper, 1.6)
    field += (np.asarray(cloud, np.float32) - field) * band[..., None].astype(np.float32)
    big = soft_field(field, x1 - x0, y1 - y0)
    canvas.rgb[y0:y1, x0:x1] = big
    canvas.alpha[y0:y1, x0:x1] = 1.0
    if light.stars:
        n = int(0.00012 * (x1 - x0) * (y1 - y0))
        px = rng.integers(x0, x1, n)
        py = rng.integers(y0, y1, n)
        keep = py < horizon - 0.1 * h
        canvas.rgb[py[keep], px[keep]] = np.asarray(light.sun, np.float32) * rng.uniform(
            0.3, 0.9, (int(keep.sum()), 1)
        ).astype(np.float32)
    if light.sun_size > 0 and x0 <= sx < x1 and y0 <= sy < y1:
        canvas.glow(sx, sy, light.sun_size * h * 2.5, light.sun, 0.6)
        canvas.ellipses([(sx, sy, light.sun_size * h, light.sun_size * h)], light.sun)


def paint_shafts(
    canvas: Canvas,
    light: Light,
    origin: tuple[float, float],
    toward: float,
    spread: float,
    rng: np.random.Generator,
    strength: float = 0.22,
) -> None:
    """Volumetric light shafts fanning from `origin` around the angle `toward` (radians)."""
    sw, sh = canvas.soft_size
    ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float32)
    ox, oy = origin[0] / canvas.SOFT, origin[1] / canvas.SOFT
    ang = np.arctan2(ys - oy, xs - ox)
    dist = np.hypot(xs - ox, ys - oy) / max(sw, sh)
    rays = np.zeros_like(ang)
    for _ in range(7):
        a = toward + rng.uniform(-spread, spread)
        width = rng.uniform(0.01, 0.05)
        rays += np.exp(-((((ang - a + np.pi) % (2 * np.pi) - np.pi) / width) ** 2)) * rng.uniform(
            0.4, 1
        )
    cover = np.clip(rays, 0, 1) * np.exp(-dist * 1.6) * strength
    canvas.paint_soft(cover.astype(np.float32), light.key)


def paint_weather(canvas: Canvas, light: Light, horizon: float, rng: np.random.Generator) -> None:
    """Rain streaks, snow flakes, fog banks and firelight with embers into the foreground layer."""
    w, h = canvas.w, canvas.h
    if light.fire:
        fx = w * rng.uniform(0.3, 0.7)
        canvas.glow(fx, h * 1.05, h * 0.5, light.key, 0.45)
        n = 50
        xs, ys = fx + rng.normal(0, 0.12, n) * w, h * (1 - rng.random(n) ** 1.5 * 0.7)
        canvas.ellipses(
            [
                (x, y, r, r)
                for x, y, r in zip(xs, ys, rng.uniform(0.8, 2.2, n) * h / 400, strict=True)
            ],
            (1.0, 0.75, 0.35),
            0.9,
        )
    if light.fog:
        sw, sh = canvas.soft_size
        noise = cv2.resize(
            rng.random((5, 12)).astype(np.float32), (sw, sh), interpolation=cv2.INTER_CUBIC
        )
        ys = np.linspace(0, h, sh, dtype=np.float32)[:, None]
        band = np.exp(-(((ys - horizon) / (0.25 * h)) ** 2))  # banks lie along the horizon
        canvas.paint_soft(
            np.clip((0.35 + 0.5 * noise) * band * 0.55, 0, 0.5).astype(np.float32), light.haze
        )
    if light.rain:
        n = 600  # per frame, whatever its size
        x = rng.uniform(-0.1 * w, 1.1 * w, n)
        y = rng.uniform(-0.1 * h, h, n)
        ln = rng.uniform(0.03, 0.09, n) * h
        slant = 0.18
        pts = np.stack([np.stack([x, y], 1), np.stack([x + ln * slant, y + ln], 1)], 1)
        mask = np.zeros((h, w), np.uint8)
        thick = max(1, h // 400)
        cv2.polylines(mask, np.round(pts * 16).astype(np.int32), False, 120, thick, cv2.LINE_AA, 4)
        canvas.paint((0, 0, w, h), mask.astype(np.float32) / 255, mix(light.haze, (1, 1, 1), 0.5))
    if light.snow:
        n = 700
        x = rng.uniform(0, w, n)
        y = rng.uniform(0, h, n)
        r = rng.uniform(0.6, 2.6, n) * h / 540
        mask = np.zeros((h, w), np.uint8)
        for xi, yi, ri in zip(x, y, r, strict=True):
            cv2.circle(mask, (int(xi * 16), int(yi * 16)), int(ri * 16), 200, -1, cv2.LINE_AA, 4)
        mask = cv2.GaussianBlur(mask, (0, 0), 0.8)
        canvas.paint((0, 0, w, h), mask.astype(np.float32) / 255, (0.92, 0.94, 0.97))
