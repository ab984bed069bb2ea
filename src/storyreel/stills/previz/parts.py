"""Parametric set pieces the later sets are assembled from: a room in perspective, rows of
seats, windows along a wall, fences, house fronts, fire, bars, shelves, crenellations.

Every piece is measured in metres at a depth and projected with the shot's framing (`Persp`),
so it sits on the same floor and under the same horizon as the figures, shrinks with distance
and takes the haze of its depth (`Stage.tone`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from storyreel.stills.previz.paint import Canvas, Color, mix
from storyreel.stills.previz.sets import Stage, _ground, _rects


@dataclass(frozen=True)
class Persp:
    """Metres (x across from the centre line, y up from the floor, d away) → screen pixels."""

    st: Stage
    vp: float  # screen x of the centre line

    def __call__(self, x: float, y: float, d: float) -> tuple[float, float]:
        f = self.st.framing
        return self.vp + x * f.focal / d, f.horizon + (f.camera_m - y) * f.focal / d

    def quad(
        self, x0: float, x1: float, y0: float, y1: float, d: float
    ) -> list[tuple[float, float]]:
        """An upright rectangle facing the camera at depth d."""
        return [self(x0, y1, d), self(x1, y1, d), self(x1, y0, d), self(x0, y0, d)]

    def side(
        self, x: float, y0: float, y1: float, d0: float, d1: float
    ) -> list[tuple[float, float]]:
        """A rectangle on the side wall plane x, from depth d0 to d1."""
        return [self(x, y1, d0), self(x, y1, d1), self(x, y0, d1), self(x, y0, d0)]

    def flat(
        self, x0: float, x1: float, y: float, d0: float, d1: float
    ) -> list[tuple[float, float]]:
        """A horizontal rectangle at height y (a floor marking, a table top, a ceiling panel)."""
        return [self(x0, y, d0), self(x1, y, d0), self(x1, y, d1), self(x0, y, d1)]


def hall(
    st: Stage,
    half: float,
    ceil: float,
    far: float,
    wall: Color,
    floor: Color,
    ceiling: Color,
    end: Color | None = None,
    near: float = 0.6,
    k: float = 1.2,
) -> Persp:
    """A long room seen down its length: floor, back wall (sky layer), side walls and ceiling
    (far layer). Returns the projection for what stands in it."""
    w, h = st.w, st.h
    at = Persp(st, w * st.rng.uniform(0.44, 0.56))
    st.sky.rgb[:] = st.light.lit(wall, 0.8)
    st.sky.alpha[:] = 1.0
    st.sky.box = [0, 0, w, h]
    _ground(st, floor, texture="boards")
    st.sky.polys([at.quad(-half, half, 0, ceil, far)], st.tone(end or wall, far, k + 0.2))
    walls = [at.side(s * half, 0, ceil, near, far) for s in (-1, 1)]
    st.far.polys(walls, st.tone(wall, st.mid_depth, k))
    st.far.polys([at.flat(-half, half, ceil, near, far)], st.tone(ceiling, st.mid_depth, k * 0.8))
    return at


def practical_on(st: Stage) -> bool:
    return st.light.lamps or st.light.time == "dusk"


def ceiling_lights(
    st: Stage,
    at: Persp,
    ceil: float,
    far: float,
    xs: tuple[float, ...] = (0.0,),
    size: float = 0.25,
    step: float = 0.9,
    color: Color | None = None,
) -> None:
    """Lights receding along the ceiling, each with its pool of light on the floor."""
    lit = color or st.light.windows
    depths = far / (1 + np.arange(1, 12) * step)
    panels = [
        at.flat(x - size, x + size, ceil - 0.01, d, d + size * 1.6) for d in depths for x in xs
    ]
    st.far.polys(
        panels, (1.0, 0.97, 0.9) if practical_on(st) or color else mix(lit, (1, 1, 1), 0.5)
    )
    for d in depths[::2]:
        for x in xs:
            st.far.glow(*at(x, ceil - 0.3, d), st.m(0.6, d), lit, 0.25)
            st.sky.glow(*at(x, 0.0, d), st.m(1.0, d), lit, 0.12)


def side_windows(
    st: Stage,
    at: Persp,
    half: float,
    y0: float,
    y1: float,
    far: float,
    every: float,
    width: float,
    shape: str = "rect",
    near: float = 1.0,
    sides: tuple[int, ...] = (-1, 1),
    frame: Color = (0.1, 0.1, 0.11),
) -> None:
    """Windows along the side walls showing the sky (or the night): rect, oval or arched."""
    sky = mix(st.light.horizon, st.light.upper, 0.4)
    holes, frames = [], []
    d = near
    while d < far:
        for s in sides:
            q = at.side(s * half * 0.999, y0, y1, d, d + width)
            if shape == "oval":
                c = np.mean(q, axis=0)
                rx = abs(q[1][0] - q[0][0]) / 2
                ry = abs(q[2][1] - q[1][1]) / 2
                t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
                pts = np.stack([c[0] + rx * np.cos(t), c[1] + ry * np.sin(t)], 1)
                holes.append(pts)
                frames.append(
                    np.stack([c[0] + rx * 1.25 * np.cos(t), c[1] + ry * 1.2 * np.sin(t)], 1)
                )
                continue
            if shape == "arch":
                top = at(s * half * 0.999, y1 + (y1 - y0) * 0.35, d + width / 2)
                q = [q[0], top, q[1], q[2], q[3]]
            holes.append(np.array(q))
            pad = 0.06
            frames.append(
                np.array(at.side(s * half * 0.999, y0 - pad, y1 + pad, d - pad, d + width + pad))
            )
        d += every
    st.far.polys(frames, st.tone(frame, st.mid_depth, 1.0))
    glass = st.light.atmos(sky, 40) if st.light.time != "night" else mix(sky, st.light.windows, 0.1)
    st.far.polys(holes, glass, 0.95)


def rows(
    st: Stage,
    at: Persp,
    xs: list[tuple[float, float]],
    far: float,
    start: float,
    step: float,
    back: float,
    color: Color,
    layer: Canvas | None = None,
    thick: float = 0.45,
    top: Color | None = None,
) -> None:
    """Rows of seats, pews or desks receding toward the back wall: for each (x0, x1) span and
    each row depth, a block rising to `back` metres whose top catches the light (a lighter
    band, which tells the rows apart where their silhouettes merge)."""
    layer = layer or st.mid
    blocks, tops = [], []
    for d in np.arange(start, far - 0.3, step):
        for x0, x1 in xs:
            blocks.append(at.quad(x0, x1, 0, back, d))
            tops.append(at.flat(x0, x1, back, d, d + thick))
            tops.append(at.quad(x0, x1, back - 0.04, back, d))
    depth = (start + far) / 2
    layer.polys(blocks, st.tone(color, depth, 1.3))
    layer.polys(tops, st.tone(top or mix(color, st.light.key, 0.35), depth, 1.8), 0.9)


def fence(
    st: Stage,
    d: float,
    x0: float,
    x1: float,
    height: float,
    spacing: float,
    color: Color,
    kind: str = "picket",
    layer: Canvas | None = None,
) -> None:
    """A fence across the frame at depth d: pickets, iron railings with spikes, or wire."""
    layer = layer or st.mid
    base = st.framing.ground_y(d)
    top = base - st.m(height, d)
    pw = max(1.5, st.m(0.06 if kind == "iron" else 0.09, d))
    xs = np.arange(x0, x1, st.m(spacing, d))
    col = st.tone(color, d)
    if kind == "wire":
        posts = _rects(xs[::6] - pw, np.full(len(xs[::6]), top), pw * 2, base - top)
        layer.polys(posts, col, disjoint=True)
        grid = [
            np.array([[x0, y], [x1, y], [x1, y + 1.2], [x0, y + 1.2]])
            for y in np.linspace(top, base, 9)
        ]
        layer.polys(grid, col, 0.6)
        diag = [
            np.array(
                [[x, top], [x + 1.2, top], [x + (base - top) + 1.2, base], [x + (base - top), base]]
            )
            for x in np.arange(x0 - (base - top), x1, st.m(spacing * 0.8, d))
        ]
        layer.polys(diag, col, 0.35)
        return
    pick = _rects(xs - pw / 2, np.full(len(xs), top), pw, base - top)
    tips = [
        [(x - pw / 2, top), (x, top - pw * (2.5 if kind == "iron" else 1.2)), (x + pw / 2, top)]
        for x in xs
    ]
    rails = [
        [(x0, y), (x1, y), (x1, y + max(1.5, st.m(0.05, d))), (x0, y + max(1.5, st.m(0.05, d)))]
        for y in (top + (base - top) * 0.15, top + (base - top) * 0.7)
    ]
    layer.polys(pick, col, disjoint=True)
    layer.polys(tips + rails, col)


def gabled(
    st: Stage,
    layer: Canvas,
    x: float,
    d: float,
    width: float,
    wall_h: float,
    roof_h: float,
    wall: Color,
    roof: Color,
) -> tuple[float, float, float]:
    """A gabled house front centred at x (pixels) at depth d; returns (left, right, eaves y)."""
    base = st.framing.ground_y(d)
    ww, wh, rh = st.m(width, d) / 2, st.m(wall_h, d), st.m(roof_h, d)
    layer.polys(
        [[(x - ww, base - wh), (x + ww, base - wh), (x + ww, base), (x - ww, base)]],
        st.tone(wall, d, 1.3),
    )
    over = ww * 0.08
    layer.polys(
        [[(x - ww - over, base - wh + 2), (x, base - wh - rh), (x + ww + over, base - wh + 2)]],
        st.tone(roof, d, 1.0),
    )
    return x - ww, x + ww, base - wh


def windows_on(
    st: Stage,
    layer: Canvas,
    x0: float,
    x1: float,
    y0: float,
    y1: float,
    d: float,
    n: int,
    w_m: float,
    h_m: float,
    lit: float,
) -> None:
    """n windows evenly along a wall between x0 and x1, lit at night at the rate `lit`."""
    ww, wh = st.m(w_m, d), st.m(h_m, d)
    xs = np.linspace(x0, x1, n + 2)[1:-1] - ww / 2
    ys = np.full(n, (y0 + y1) / 2 - wh / 2)
    on = st.rng.random(n) < lit
    frames = _rects(xs - 2, ys - 2, ww + 4, wh + 4)
    layer.polys(frames, st.tone((0.85, 0.85, 0.82), d, 1.0), disjoint=True)
    dark = st.tone(mix(st.light.upper, (0.05, 0.06, 0.08), 0.6), d)
    if (~on).any():
        layer.polys(_rects(xs[~on], ys[~on], ww, wh), dark, disjoint=True)
    if on.any():
        layer.polys(_rects(xs[on], ys[on], ww, wh), st.light.windows, disjoint=True)
        for x, y in zip(xs[on], ys[on], strict=True):
            layer.glow(x + ww / 2, y + wh / 2, ww * 1.2, st.light.windows, 0.35)
    layer.polys(_rects(xs + ww / 2 - 1, ys, 2, wh), st.tone((0.85, 0.85, 0.82), d), disjoint=True)


def fire(st: Stage, layer: Canvas, x: float, d: float, size: float) -> None:
    """A fire at x (pixels) on the ground at depth d: logs, tongues of flame, its glow."""
    base = st.framing.ground_y(d)
    s = st.m(size, d)
    st.sky.glow(x, base - s * 0.4, s * 6, (1.0, 0.45, 0.12), 0.55)
    layer.glow(x, base - s * 0.5, s * 2.2, (1.0, 0.55, 0.15), 0.7)
    logs = [
        [
            (x - s * 0.7, base - s * 0.05),
            (x + s * 0.6, base - s * 0.25),
            (x + s * 0.65, base - s * 0.1),
            (x - s * 0.65, base + s * 0.08),
        ],
        [
            (x + s * 0.7, base - s * 0.05),
            (x - s * 0.6, base - s * 0.25),
            (x - s * 0.65, base - s * 0.1),
            (x + s * 0.65, base + s * 0.08),
        ],
    ]
    layer.polys(logs, (0.08, 0.05, 0.03))
    for k, (col, hk) in enumerate(
        (((1.0, 0.35, 0.05), 1.0), ((1.0, 0.65, 0.15), 0.7), ((1.0, 0.92, 0.6), 0.4))
    ):
        tongues = []
        for _ in range(5):
            cx = x + st.rng.uniform(-0.35, 0.35) * s * (1 - k * 0.3)
            hh = s * st.rng.uniform(0.7, 1.3) * hk
            wd = s * st.rng.uniform(0.18, 0.3) * (1 - k * 0.25)
            tongues.append(
                [
                    (cx - wd, base - s * 0.1),
                    (cx - wd * 0.4, base - hh * 0.6),
                    (cx + st.rng.uniform(-0.2, 0.2) * s, base - hh),
                    (cx + wd * 0.5, base - hh * 0.5),
                    (cx + wd, base - s * 0.1),
                ]
            )
        layer.polys(tongues, col, 0.95)


def bars(
    st: Stage,
    layer: Canvas,
    x0: float,
    x1: float,
    top: float,
    bottom: float,
    gap: float,
    thick: float,
    color: Color,
) -> None:
    """Upright bars with cross-bands (a cell front, a gate)."""
    xs = np.arange(x0, x1, gap)
    layer.polys(
        _rects(xs - thick / 2, np.full(len(xs), top), thick, bottom - top), color, disjoint=True
    )
    band = max(2.0, thick * 0.8)
    layer.polys(
        [
            [(x0, y), (x1, y), (x1, y + band), (x0, y + band)]
            for y in (top + (bottom - top) * 0.08, top + (bottom - top) * 0.55)
        ],
        color,
    )


def crenels(
    st: Stage,
    layer: Canvas,
    x0: float,
    x1: float,
    top: float,
    bottom: float,
    merlon: float,
    color: Color,
) -> None:
    """A wall with a crenellated top (merlons `merlon` pixels wide) from top to bottom."""
    layer.polys(
        [[(x0, top + merlon * 0.8), (x1, top + merlon * 0.8), (x1, bottom), (x0, bottom)]], color
    )
    xs = np.arange(x0, x1, merlon * 2)
    layer.polys(_rects(xs, np.full(len(xs), top), merlon, merlon * 0.9), color, disjoint=True)


def stones(
    st: Stage,
    layer: Canvas,
    y: float,
    n: int,
    big: float,
    color: Color,
    x0: float = 0.0,
    x1: float | None = None,
) -> None:
    """Irregular rock outlines along a line y (a cave floor, a river bank)."""
    x1 = st.w if x1 is None else x1
    polys = []
    for x in np.sort(st.rng.uniform(x0, x1, n)):
        r = big * st.rng.uniform(0.4, 1.0)
        t = np.linspace(0, np.pi, 7)
        rr = r * st.rng.uniform(0.7, 1.1, 7)
        polys.append(np.stack([x + rr * np.cos(t), y - rr * np.sin(t) * 0.7], 1))
    layer.polys(polys, color)
