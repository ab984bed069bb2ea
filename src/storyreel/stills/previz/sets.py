"""The first sets and the stage they are painted on: skylines, hills, trees, water, rooms.

`place_of` takes a scene's set from the breakdown's reading (`script/places.py`). A set paints
the backdrop (sky and ground, or the back wall) into the sky layer, distant things into the far
layer and nearer set pieces into the mid layer, each with the haze of its depth. Ground rows are
coloured by their true perspective distance, so the floor of every set fades into the haze.
`catalogue` holds every kind; `interiors` and `exteriors` the later ones, built from `parts`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from storyreel.model import Scene, Shot
from storyreel.script.places import read_place
from storyreel.stills.previz.compose import Framing
from storyreel.stills.previz.light import Light, paint_shafts, paint_sky, shot_text
from storyreel.stills.previz.paint import Canvas, Color, mix, scale, soft_field, value_noise


def place_of(scene: Scene, shot: Shot) -> tuple[str, bool]:
    """(set kind, interior?) of a shot: the breakdown's reading of its scene, else the heading's
    and this shot's words (for scenes made by hand)."""
    place = scene.place or read_place(scene, shot_text(scene, shot))
    return place.kind, place.interior


@dataclass
class Stage:
    """Everything a set painter needs: the layers, the framing, the light and the seed."""

    sky: Canvas
    far: Canvas
    mid: Canvas
    fg: Canvas
    framing: Framing
    light: Light
    rng: np.random.Generator
    far_depth: float = 600.0
    mid_depth: float = 30.0

    @property
    def w(self) -> int:
        return self.sky.w

    @property
    def h(self) -> int:
        return self.sky.h

    @property
    def horizon(self) -> float:
        return self.framing.horizon

    def m(self, metres: float, depth: float) -> float:
        """Screen size in pixels of `metres` at `depth`."""
        return metres * self.framing.focal / depth

    def tone(self, color: Color, depth: float, k: float = 1.0) -> Color:
        return self.light.atmos(self.light.lit(color, k), depth)


# --- backdrops: sky and ground ----------------------------------------------------------------


def _ground(st: Stage, color: Color, texture: str = "", water: bool = False) -> None:
    """Ground below the horizon, each row hazed by its perspective distance."""
    w, h, hor = st.w, st.h, st.horizon
    f = st.framing
    y0 = int(np.clip(np.floor(hor), 0, h))
    if f.overhead:
        y0 = 0
    if y0 >= h:
        return
    rows = np.arange(y0, h, 4, dtype=np.float32) + 2
    depth = (
        f.camera_m * f.focal / np.maximum(rows - hor, 0.5)
        if not f.overhead
        else np.full_like(rows, f.camera_m * 2)
    )
    near = np.asarray(st.light.lit(color, 2.0 if st.light.rain else 1.2), np.float32)
    t = (1 - np.exp(-depth / st.light.visibility))[:, None]
    col = near + (np.asarray(st.light.haze, np.float32) - near) * t
    if water or st.light.rain:  # the sky, mirrored and darkened
        up = np.clip((rows - hor) / h, 0, 1)[:, None]
        sky = np.asarray(st.light.horizon, np.float32) * (1 - up) + np.asarray(st.light.upper) * up
        k = 0.55 if water else 0.3
        col = col * (1 - k) + sky.astype(np.float32) * k
    field = np.repeat(col[:, None, :], max(2, w // 64), axis=1)
    big = soft_field(field, w, h - y0)
    if texture == "boards" or water:
        stripes = value_noise(st.rng, (h - y0) // 2 + 1, 1)[: h - y0].repeat(2)[: h - y0]
        big *= (0.9 + 0.12 * stripes)[:, None, None].astype(np.float32)
    st.sky.rgb[y0:h] = big
    st.sky.alpha[y0:h] = 1.0
    if water and st.light.sun_size > 0:  # the glitter path under the sun or moon
        sx = st.light.sun_x * w
        n = 420
        ys = hor + (h - hor) * st.rng.random(n) ** 1.8
        spread = (ys - hor) / h * 0.22 * w + 3
        xs = sx + st.rng.normal(0, 1, n) * spread * st.rng.random(n)
        ln = np.minimum((ys - hor) / h * 0.03 * w + 1.5, 0.012 * w) * st.rng.uniform(0.3, 1.0, n)
        th = np.minimum((ys - hor) / h * 0.006 * h + 0.7, 0.004 * h)
        st.sky.polys(
            [
                [(x - lw, y), (x + lw, y), (x + lw * 0.8, y + t), (x - lw * 0.8, y + t)]
                for x, y, lw, t in zip(xs, ys, ln, th, strict=True)
            ],
            st.light.sun,
            0.55,
        )


def _sky_and(color: Color, **kw):
    def paint(st: Stage) -> None:
        if not st.framing.overhead:
            paint_sky(st.sky, st.light, st.horizon, st.rng)
        _ground(st, color, **kw)

    return paint


_SKY_GROUND = {
    "city": _sky_and((0.16, 0.16, 0.18)),
    "rooftop": _sky_and((0.14, 0.14, 0.16)),
    "forest": _sky_and((0.10, 0.15, 0.09)),
    "sea": _sky_and((0.10, 0.18, 0.24), water=True),
    "desert": _sky_and((0.78, 0.58, 0.38)),
    "mountain": _sky_and((0.28, 0.30, 0.28)),
    "field": _sky_and((0.28, 0.32, 0.18)),
}


def _from_above(kind: str, st: Stage) -> None:
    """What the ground shows from straight above: road markings, tree crowns, surf, ripples."""
    w, h, rng = st.w, st.h, st.rng
    d = st.framing.subject_depth  # the camera's height above the ground
    if kind == "interior":  # a table under a lamp
        st.sky.glow(
            w * 0.5, h * 0.5, h * 0.6, st.light.windows if st.light.lamps else st.light.key, 0.35
        )
        tw, th = st.m(1.6, d), st.m(0.9, d)
        x, y = w * rng.uniform(0.35, 0.65), h * rng.uniform(0.3, 0.7)
        st.mid.polys(
            [
                [
                    (x - tw / 2, y - th / 2),
                    (x + tw / 2, y - th / 2),
                    (x + tw / 2, y + th / 2),
                    (x - tw / 2, y + th / 2),
                ]
            ],
            st.tone((0.35, 0.25, 0.18), d, 2.0),
        )
    elif kind in ("city", "rooftop"):
        x = w * rng.uniform(0.2, 0.4)
        stripe = st.m(0.5, d)
        st.mid.polys(
            _rects(
                np.arange(-stripe, h + stripe, 2 * stripe) * 0 + x,
                np.arange(-stripe, h + stripe, 2 * stripe),
                st.m(3.0, d),
                stripe,
            ),
            st.tone((0.8, 0.8, 0.78), d),
            0.85,
            disjoint=True,
        )
        st.mid.polys(
            [
                [
                    (x + st.m(5, d), -5),
                    (x + st.m(5.2, d), -5),
                    (x + st.m(5.2, d), h + 5),
                    (x + st.m(5, d), h + 5),
                ]
            ],
            st.tone((0.8, 0.7, 0.3), d),
            0.8,
        )
    elif kind in ("forest", "field", "mountain"):
        n = 14 if kind == "forest" else 4
        crowns = [
            (rng.uniform(0, w), rng.uniform(0, h), r, r) for r in rng.uniform(0.08, 0.2, n) * h
        ]
        st.mid.ellipses(
            [(x + r * 0.3, y + r * 0.3, r, r) for x, y, r, _ in crowns], (0, 0, 0), 0.35
        )
        st.mid.ellipses(crowns, st.tone((0.12, 0.2, 0.1), d, 1.2))
    elif kind in ("sea", "desert"):
        col = (0.9, 0.92, 0.9) if kind == "sea" else (0.6, 0.45, 0.3)
        for k in range(6):
            y0 = h * (k + rng.random()) / 6
            xs = np.linspace(-10, w + 10, 40)
            ys = y0 + np.sin(xs / w * rng.uniform(4, 9) + rng.uniform(0, 6)) * h * 0.03
            band = np.concatenate(
                [np.stack([xs, ys], 1), np.stack([xs[::-1], ys[::-1] + h * 0.012], 1)]
            )
            st.mid.polys([band], st.tone(col, d), 0.5)


# --- exterior set pieces ----------------------------------------------------------------------


def _ridge(
    canvas: Canvas,
    st: Stage,
    base: float,
    amp: float,
    smooth: float,
    color: Color,
    jag: float = 0.0,
) -> np.ndarray:
    """A filled skyline curve above `base`; returns its top y per 8-pixel column."""
    n = st.w // 8 + 2
    top = base - amp * value_noise(st.rng, n, smooth)
    if jag:
        top -= jag * np.abs(np.sin(np.arange(n) * st.rng.uniform(0.2, 0.5))) * st.rng.random(n)
    xs = np.arange(n) * 8.0
    pts = np.concatenate([np.stack([xs, top], 1), [[xs[-1], base + 2], [0, base + 2]]])
    canvas.polys([pts], color)
    return top


def _skyline(
    canvas: Canvas,
    st: Stage,
    depth: float,
    lo: float,
    hi: float,
    dark: Color,
    windows: float,
    below: float = 0.0,
) -> None:
    """A row of buildings standing on the horizon (or `below` it), lit windows at night."""
    x, rects, lit = -10.0, [], []
    base = st.horizon + below * st.h
    while x < st.w + 10:
        bw = st.w * st.rng.uniform(0.02, 0.07)
        bh = st.h * st.rng.uniform(lo, hi)
        rects.append([(x, base - bh), (x + bw, base - bh), (x + bw, base + 4), (x, base + 4)])
        if st.rng.random() < 0.25:
            ax = x + bw * st.rng.uniform(0.3, 0.7)
            rects.append(
                [
                    (ax - 1, base - bh - st.h * 0.05),
                    (ax + 1, base - bh - st.h * 0.05),
                    (ax + 1, base - bh),
                    (ax - 1, base - bh),
                ]
            )
        if windows:
            ww = max(1.2, st.w / 700)
            gy, gx = np.meshgrid(
                np.arange(base - bh + 2 * ww, base - ww, 2.6 * ww),
                np.arange(x + 1.5 * ww, x + bw - 1.5 * ww, 2.4 * ww),
                indexing="ij",
            )
            on = st.rng.random(gx.shape) < windows
            lit.append(_rects(gx[on], gy[on], ww, ww * 1.3))
        x += bw * st.rng.uniform(0.8, 1.1)
    canvas.polys(rects, st.light.atmos(dark, depth))
    if lit:
        canvas.polys(
            np.concatenate(lit), st.light.atmos(st.light.windows, depth * 0.6), 0.9, disjoint=True
        )


def _rects(x: np.ndarray, y: np.ndarray, w: float, h: float) -> np.ndarray:
    """Axis-aligned rectangles at (x, y) of size w×h as an (n, 4, 2) array of corners."""
    return np.stack(
        [
            np.stack([x, y], 1),
            np.stack([x + w, y], 1),
            np.stack([x + w, y + h], 1),
            np.stack([x, y + h], 1),
        ],
        1,
    )


def _windows_rate(st: Stage) -> float:
    return {"night": 0.35, "dusk": 0.2}.get(st.light.time, 0.0)


def _city(st: Stage) -> None:
    _skyline(st.far, st, st.far_depth, 0.06, 0.3, (0.2, 0.22, 0.27), _windows_rate(st))
    _skyline(st.far, st, st.far_depth / 3, 0.03, 0.18, (0.12, 0.13, 0.16), _windows_rate(st))
    # street-side facades converging on a vanishing point, lamp posts along the kerb
    vp = st.w * st.rng.uniform(0.35, 0.65)
    for side in (-1, 1):
        if st.rng.random() < 0.3:
            continue
        edge = -0.02 * st.w if side < 0 else 1.02 * st.w
        inner = vp + side * st.w * st.rng.uniform(0.06, 0.14)
        quad = np.array(
            [
                [edge, st.horizon - st.h * st.rng.uniform(0.9, 1.4)],
                [inner, st.horizon - st.h * st.rng.uniform(0.1, 0.25)],
                [inner, st.horizon + 2],
                [edge, st.horizon + st.h * 1.2],
            ]
        )
        _facade(st, quad)
    if st.light.lamps:
        side = st.rng.choice([-1, 1])
        for i in range(5):
            d = st.mid_depth * (0.5 + 0.9 * i)
            x = vp + side * st.w * 0.3 * st.mid_depth / d
            base, hh = st.framing.ground_y(d), st.m(5.0, d)
            st.mid.polys(
                [[(x - 1.5, base - hh), (x + 1.5, base - hh), (x + 1.5, base), (x - 1.5, base)]],
                st.tone((0.1, 0.1, 0.1), d),
            )
            st.mid.glow(x, base - hh, st.m(0.5, d) + 3, st.light.windows, 0.9)
            st.sky.glow(x, base - hh, st.m(3.5, d) + 6, st.light.windows, 0.25)
            if st.light.rain:  # its reflection in the wet street
                _streak(st, x, base, st.m(4.0, d), st.light.windows)


def _streak(st: Stage, x: float, y: float, length: float, color: Color) -> None:
    """A light's vertical reflection on a wet ground, in the backdrop layer."""
    for k in range(4):
        st.sky.glow(x, y + length * (0.2 + 0.25 * k), length * (0.18 - 0.03 * k) + 2, color, 0.35)


def _facade(st: Stage, quad: np.ndarray) -> None:
    """A building face in perspective (corners: outer top, inner top, inner bottom, outer bottom)
    with a grid of windows, some lit, and neon signs near street level when there is neon."""
    depth = st.mid_depth
    wall = st.tone((0.2, 0.19, 0.2), depth, 0.9)
    st.mid.polys([quad], wall)

    def at(u, v):  # u along the street, v down the face (arrays) → (..., 2) screen points
        top = quad[0] + (quad[1] - quad[0]) * np.asarray(u)[..., None]
        bot = quad[3] + (quad[2] - quad[3]) * np.asarray(u)[..., None]
        return top + (bot - top) * np.asarray(v)[..., None]

    us = 1 - 0.88 ** np.arange(1, 30)
    du = np.diff(us)
    u0, u1 = us[:-1] + du * 0.25, us[1:] - du * 0.25
    vs = np.arange(0.08, 0.72, 0.055)
    U0, V = np.meshgrid(u0, vs, indexing="ij")
    U1 = np.meshgrid(u1, vs, indexing="ij")[0]
    quads = np.stack([at(U0, V), at(U1, V), at(U1, V + 0.03), at(U0, V + 0.03)], -2).reshape(
        -1, 4, 2
    )
    rate = _windows_rate(st) + (0.1 if st.light.time == "day" else 0)
    on = st.rng.random(len(quads)) < rate * 0.8
    st.mid.polys(quads[~on], mix(wall, st.light.upper, 0.35), disjoint=True)
    st.mid.polys(quads[on], st.light.atmos(st.light.windows, depth * 0.5), 0.6, disjoint=True)
    signs = []
    if st.light.neon:
        for a, b in zip(us[:-1], us[1:], strict=True):
            if st.rng.random() < 0.35:
                v = st.rng.uniform(0.72, 0.8)
                signs.append(np.array([at(a, v), at(b, v), at(b, v + 0.08), at(a, v + 0.08)]))
    colours = [(1.0, 0.15, 0.45), (0.15, 0.95, 0.6), (0.2, 0.8, 1.0), (1.0, 0.35, 0.1)]
    for q in signs:
        col = colours[int(st.rng.integers(len(colours)))]
        st.mid.polys([q], col, 0.95)
        cx, cy = np.mean(q, axis=0)
        size = abs(q[1][0] - q[0][0]) + 2
        st.mid.glow(cx, cy, size * 1.6, col, 0.55)
        if st.light.rain:
            _streak(
                st,
                cx,
                st.horizon + (st.h - st.horizon) * 0.1 + (cy - st.horizon) * -0.2,
                size * 3,
                col,
            )


def _rooftop(st: Stage) -> None:
    _skyline(st.far, st, st.far_depth, 0.02, 0.12, (0.2, 0.22, 0.27), _windows_rate(st) * 1.4)
    _skyline(
        st.far, st, st.far_depth / 2, 0.02, 0.1, (0.15, 0.16, 0.2), _windows_rate(st) * 1.4, 0.06
    )
    d = max(st.framing.subject_depth + 2.5, 4.0)
    top = st.framing.ground_y(d) - st.m(1.1, d)
    col = st.tone((0.13, 0.12, 0.13), d, 0.8)
    st.mid.polys([[(-5, top), (st.w + 5, top), (st.w + 5, st.h + 5), (-5, st.h + 5)]], col)
    st.mid.polys(
        [[(-5, top - 3), (st.w + 5, top - 3), (st.w + 5, top + 2), (-5, top + 2)]],
        mix(col, st.light.key, 0.25),
    )
    x = st.w * st.rng.choice([0.12, 0.85])
    tw = st.m(3.0, 20)
    tb = st.framing.ground_y(20)
    st.mid.polys(
        [
            [
                (x - tw / 2, tb - st.m(9, 20)),
                (x + tw / 2, tb - st.m(9, 20)),
                (x + tw / 2, tb - st.m(5, 20)),
                (x - tw / 2, tb - st.m(5, 20)),
            ],
            [
                (x - tw / 2, tb - st.m(9.6, 20)),
                (x, tb - st.m(10.8, 20)),
                (x + tw / 2, tb - st.m(9.6, 20)),
                (x + tw / 2, tb - st.m(9, 20)),
                (x - tw / 2, tb - st.m(9, 20)),
            ],
        ]
        + [
            [
                (x + s * tw * 0.4 - 1, tb - st.m(5, 20)),
                (x + s * tw * 0.4 + 1, tb - st.m(5, 20)),
                (x + s * tw * 0.5 + 1, tb),
                (x + s * tw * 0.5 - 1, tb),
            ]
            for s in (-1, 1)
        ],
        st.tone((0.1, 0.09, 0.09), 20),
    )


def _forest(st: Stage) -> None:
    _ridge(st.far, st, st.horizon + 2, st.h * 0.12, 6, st.tone((0.15, 0.22, 0.18), st.far_depth))
    base = st.horizon + 3
    tri = []
    for x in np.arange(-10, st.w + 10, st.w / 90):
        hh = st.h * st.rng.uniform(0.04, 0.1)
        ww = hh * 0.35
        tri.append([(x - ww, base), (x, base - hh), (x + ww, base)])
    st.far.polys(tri, st.tone((0.1, 0.16, 0.12), st.far_depth / 4))
    for _ in range(int(st.rng.integers(7, 13))):
        d = max(st.mid_depth, 10.0) * st.rng.uniform(1.0, 3.0)
        x = st.rng.uniform(-0.05, 1.05) * st.w
        _conifer(st.mid, st, x, d)


def _conifer(canvas: Canvas, st: Stage, x: float, d: float) -> None:
    base = st.framing.ground_y(d)
    hh = st.m(st.rng.uniform(14, 24), d)
    ww = hh * st.rng.uniform(0.2, 0.28)
    tiers = [
        [
            (x - ww * (1 - k * 0.2), base - hh * (0.25 + k * 0.17)),
            (x, base - hh * (0.62 + k * 0.14)),
            (x + ww * (1 - k * 0.2), base - hh * (0.25 + k * 0.17)),
        ]
        for k in range(4)
    ]
    tiers.append(
        [(x, base - hh), (x - ww * 0.25, base - hh * 0.7), (x + ww * 0.25, base - hh * 0.7)]
    )
    trunk = [
        (x - ww * 0.06, base - hh * 0.3),
        (x + ww * 0.06, base - hh * 0.3),
        (x + ww * 0.08, base),
        (x - ww * 0.08, base),
    ]
    canvas.polys([*tiers, trunk], st.tone((0.06, 0.1, 0.07), d, 0.7))


def _sea(st: Stage) -> None:
    if st.rng.random() < 0.7:
        x0 = st.rng.uniform(-0.2, 0.6) * st.w
        top = st.horizon - st.h * st.rng.uniform(0.02, 0.06)
        n = 12
        xs = np.linspace(x0, x0 + st.w * st.rng.uniform(0.25, 0.5), n)
        ys = st.horizon - (top - st.horizon) * -(np.sin(np.linspace(0, np.pi, n)) ** 0.6)
        st.far.polys(
            [
                np.concatenate(
                    [np.stack([xs, ys], 1), [[xs[-1], st.horizon + 1], [xs[0], st.horizon + 1]]]
                )
            ],
            st.tone((0.15, 0.17, 0.2), st.far_depth),
        )
    if st.rng.random() < 0.6:  # pier posts marching out to sea
        side = st.rng.choice([-1, 1])
        for i in range(9):
            d = max(8.0, st.mid_depth * 0.35) * (1 + i * 0.5)
            x = st.w * (0.5 + side * (0.42 - i * 0.03))
            base, hh, ww = st.framing.ground_y(d), st.m(2.2, d), st.m(0.3, d)
            st.mid.polys(
                [
                    [
                        (x - ww, base - hh),
                        (x + ww, base - hh),
                        (x + ww, base + hh * 0.2),
                        (x - ww, base + hh * 0.2),
                    ]
                ],
                st.tone((0.08, 0.08, 0.09), d),
            )


def _desert(st: Stage) -> None:
    for _ in range(int(st.rng.integers(1, 4))):
        x = st.rng.uniform(0, 1) * st.w
        ww = st.w * st.rng.uniform(0.08, 0.2)
        hh = st.h * st.rng.uniform(0.05, 0.14)
        st.far.polys(
            [
                [
                    (x - ww, st.horizon + 2),
                    (x - ww * 0.7, st.horizon - hh),
                    (x + ww * 0.7, st.horizon - hh),
                    (x + ww, st.horizon + 2),
                ]
            ],
            st.tone((0.6, 0.38, 0.25), st.far_depth),
        )
    for k in range(2):
        d = st.mid_depth * (1.5 + 2 * k)
        base = st.framing.ground_y(d)
        _ridge(st.mid, st, base, st.m(4, d), 10, st.tone((0.72, 0.52, 0.34), d, 0.9 - 0.2 * k))


def _mountain(st: Stage) -> None:
    top = _ridge(
        st.far,
        st,
        st.horizon + 2,
        st.h * 0.32,
        2,
        st.tone((0.3, 0.32, 0.38), st.far_depth),
        jag=st.h * 0.05,
    )
    caps = [
        [
            (i * 8.0, t),
            ((i + 1) * 8.0, top[i + 1]),
            ((i + 1) * 8.0, top[i + 1] + st.h * 0.03),
            (i * 8.0, t + st.h * 0.03),
        ]
        for i, t in enumerate(top[:-1])
        if t < st.horizon - st.h * 0.2
    ]
    st.far.polys(caps, st.light.atmos(scale(st.light.key, 0.9), st.far_depth), 0.85)
    _ridge(
        st.mid,
        st,
        st.framing.ground_y(st.mid_depth * 3),
        st.h * 0.12,
        5,
        st.tone((0.16, 0.18, 0.16), st.mid_depth * 3),
    )


def _field(st: Stage) -> None:
    _ridge(st.far, st, st.horizon + 2, st.h * 0.07, 10, st.tone((0.25, 0.3, 0.25), st.far_depth))
    vp = st.w * st.rng.uniform(0.3, 0.7)
    if st.rng.random() < 0.6:  # a road to the horizon, telegraph poles along it
        st.mid.polys(
            [
                [
                    (vp - 1, st.horizon + 1),
                    (vp + 1, st.horizon + 1),
                    (vp + st.w * 0.6, st.h + 2),
                    (vp - st.w * 0.6, st.h + 2),
                ]
            ],
            st.tone((0.18, 0.18, 0.19), st.mid_depth),
        )
        for i in range(6):
            d = st.mid_depth * (0.5 + i * 1.2)
            x = vp + (st.w * 0.35) * st.mid_depth / d
            base, hh = st.framing.ground_y(d), st.m(8, d)
            st.mid.polys(
                [
                    [(x - 1, base - hh), (x + 1, base - hh), (x + 1, base), (x - 1, base)],
                    [
                        (x - st.m(1, d), base - hh * 0.9),
                        (x + st.m(1, d), base - hh * 0.9),
                        (x + st.m(1, d), base - hh * 0.88),
                        (x - st.m(1, d), base - hh * 0.88),
                    ],
                ],
                st.tone((0.1, 0.09, 0.09), d),
            )
    else:  # a lone tree
        d = st.mid_depth * 2
        x = st.w * st.rng.choice([0.2, 0.8])
        base, hh = st.framing.ground_y(d), st.m(9, d)
        col = st.tone((0.08, 0.1, 0.07), d)
        st.mid.polys(
            [
                [
                    (x - hh * 0.04, base - hh * 0.5),
                    (x + hh * 0.04, base - hh * 0.5),
                    (x + hh * 0.05, base),
                    (x - hh * 0.05, base),
                ]
            ],
            col,
        )
        st.mid.ellipses(
            [
                (x + dx * hh, base - hh * (0.7 + dy), hh * r, hh * r * 0.8)
                for dx, dy, r in ((0, 0.05, 0.32), (-0.25, -0.05, 0.22), (0.25, -0.02, 0.24))
            ],
            col,
        )


_EXTERIORS = {
    "city": _city,
    "rooftop": _rooftop,
    "forest": _forest,
    "sea": _sea,
    "desert": _desert,
    "mountain": _mountain,
    "field": _field,
}


# --- interiors ------------------------------------------------------------------------------


def _back_wall(st: Stage, wall: Color, floor: Color) -> None:
    """The back wall, lit by the day or pooled by a practical, and the floor below it."""
    d = st.far_depth
    w, h = st.w, st.h
    floor_y = int(np.clip(st.framing.ground_y(d), 0, h))
    base = np.asarray(st.light.lit(wall, 1.4), np.float32)
    practical = st.light.lamps or st.light.time == "dusk"
    pool = (
        np.asarray(wall, np.float32)
        * np.asarray(st.light.windows if practical else st.light.key, np.float32)
        * (0.75 if practical else 0.5)
    )
    gx = st.rng.uniform(0.2, 0.8)
    ys = np.linspace(0, 1, 24)[:, None, None]
    xs = np.linspace(0, 1, 48)[None, :, None]
    spot = np.exp(-((xs - gx) ** 2) * 5 - (ys - 0.6) ** 2 * 2.5)
    field = base * (0.55 + 0.3 * (1 - ys)) + pool * spot * (0.5 if practical else 0.8)
    if floor_y:
        st.sky.rgb[:floor_y] = soft_field(np.clip(field, 0, 1), w, floor_y)
    st.sky.alpha[:] = 1.0
    st.sky.box = [0, 0, w, h]
    _ground(st, floor, texture="boards")
    if practical:
        st.sky.glow(
            gx * w, floor_y + (h - floor_y) * 0.3, w * 0.25, mix(floor, st.light.windows, 0.5), 0.3
        )


def _room_shell(st: Stage, wall: Color, floor: Color, window: str = "plain") -> tuple[float, float]:
    """Back wall with a window onto the sky, floor below; returns the window's (x, width)."""
    _back_wall(st, wall, floor)
    d = st.far_depth
    w = st.w
    # the window: sky through it, a frame and mullions in the far layer
    ww, wh = st.m(st.rng.uniform(1.4, 2.4), d), st.m(1.6, d)
    wx = w * st.rng.choice([0.18, 0.5, 0.78]) + st.rng.uniform(-0.05, 0.05) * w
    wy = st.framing.ground_y(d) - st.m(2.4, d)
    box = st.sky.clip(wx - ww / 2, wy, wx + ww / 2, wy + wh)
    if box is not None:
        paint_sky(st.sky, st.light, wy + wh * 1.1, st.rng, box)
    frame = st.tone((0.08, 0.07, 0.07), d)
    bar = max(2.0, ww * 0.03)
    bars = [
        [
            (wx - ww / 2 - bar, wy - bar),
            (wx + ww / 2 + bar, wy - bar),
            (wx + ww / 2 + bar, wy),
            (wx - ww / 2 - bar, wy),
        ],
        [
            (wx - ww / 2 - bar, wy + wh),
            (wx + ww / 2 + bar, wy + wh),
            (wx + ww / 2 + bar, wy + wh + bar * 2),
            (wx - ww / 2 - bar, wy + wh + bar * 2),
        ],
        [(wx - bar / 2, wy), (wx + bar / 2, wy), (wx + bar / 2, wy + wh), (wx - bar / 2, wy + wh)],
        [
            (wx - ww / 2, wy + wh / 2 - bar / 2),
            (wx + ww / 2, wy + wh / 2 - bar / 2),
            (wx + ww / 2, wy + wh / 2 + bar / 2),
            (wx - ww / 2, wy + wh / 2 + bar / 2),
        ],
    ]
    for s in (-1, 1):
        bars.append(
            [
                (wx + s * ww / 2, wy),
                (wx + s * (ww / 2 + bar), wy),
                (wx + s * (ww / 2 + bar), wy + wh),
                (wx + s * ww / 2, wy + wh),
            ]
        )
    if window == "blinds":
        slat = max(2.0, wh / 18)
        bars += [
            [
                (wx - ww / 2, y),
                (wx + ww / 2, y),
                (wx + ww / 2, y + slat * 0.55),
                (wx - ww / 2, y + slat * 0.55),
            ]
            for y in np.arange(wy, wy + wh, slat)
        ]
    st.far.polys(bars, frame)
    if st.light.time in ("day", "dawn", "magic"):  # daylight falling through the window
        paint_shafts(
            st.fg, st.light, (wx, wy - wh), np.pi / 2 + (0.5 - wx / w) * 0.6, 0.15, st.rng, 0.16
        )
    return wx, ww


def _lamp(st: Stage, x: float, d: float, hang: bool) -> None:
    base = st.framing.ground_y(d)
    y = base - st.m(2.3 if hang else 1.5, d)
    col = st.tone((0.06, 0.06, 0.06), d)
    if hang:
        st.mid.polys(
            [
                [(x - 1, -5), (x + 1, -5), (x + 1, y), (x - 1, y)],
                [
                    (x - st.m(0.25, d), y + st.m(0.2, d)),
                    (x - st.m(0.08, d), y),
                    (x + st.m(0.08, d), y),
                    (x + st.m(0.25, d), y + st.m(0.2, d)),
                ],
            ],
            col,
        )
    else:
        st.mid.polys(
            [
                [(x - 1, y), (x + 1, y), (x + 1, base), (x - 1, base)],
                [
                    (x - st.m(0.22, d), y + st.m(0.1, d)),
                    (x - st.m(0.15, d), y - st.m(0.25, d)),
                    (x + st.m(0.15, d), y - st.m(0.25, d)),
                    (x + st.m(0.22, d), y + st.m(0.1, d)),
                ],
            ],
            st.tone(st.light.windows, d, 0.8),
        )
    on = st.light.lamps or st.light.time == "dusk"
    if on:
        st.sky.glow(x, y + st.m(0.2, d), st.m(1.6, d), st.light.windows, 0.3)
        st.mid.glow(x, y + st.m(0.22, d), st.m(0.35, d), st.light.windows, 0.9)


def _counter(
    st: Stage, d: float, top_m: float, color: Color, x0: float = -0.05, x1: float = 1.05
) -> float:
    base = st.framing.ground_y(d)
    top = base - st.m(top_m, d)
    st.mid.polys(
        [[(x0 * st.w, top), (x1 * st.w, top), (x1 * st.w, base + 2), (x0 * st.w, base + 2)]],
        st.tone(color, d, 0.9),
    )
    st.mid.polys(
        [
            [
                (x0 * st.w, top),
                (x1 * st.w, top),
                (x1 * st.w, top + st.m(0.05, d) + 1),
                (x0 * st.w, top + st.m(0.05, d) + 1),
            ]
        ],
        st.tone(mix(color, st.light.key, 0.4), d),
    )
    return top


def _room(st: Stage) -> None:
    wx, _ = _room_shell(st, (0.42, 0.38, 0.33), (0.30, 0.22, 0.16))
    d = st.mid_depth
    side = -1 if wx > st.w / 2 else 1
    x = st.w * (0.5 + side * 0.3)
    base = st.framing.ground_y(d)
    sw, sh = st.m(2.2, d), st.m(0.85, d)
    st.mid.polys(
        [
            [
                (x - sw / 2, base - sh * 0.5),
                (x + sw / 2, base - sh * 0.5),
                (x + sw / 2, base),
                (x - sw / 2, base),
            ],
            [
                (x - sw / 2, base - sh),
                (x + sw / 2, base - sh),
                (x + sw / 2 + 2, base - sh * 0.45),
                (x - sw / 2, base - sh * 0.45),
            ],
        ],
        st.tone((0.2, 0.14, 0.12), d, 0.8),
    )
    _lamp(st, x + side * sw * 0.65, d, hang=False)
    _door(st, wx)


def _door(st: Stage, avoid: float) -> None:
    d = st.far_depth
    x = st.w * (0.12 if avoid > st.w / 2 else 0.88)
    base, hh, ww = st.framing.ground_y(d), st.m(2.1, d), st.m(0.9, d)
    st.far.polys(
        [
            [
                (x - ww / 2, base - hh),
                (x + ww / 2, base - hh),
                (x + ww / 2, base),
                (x - ww / 2, base),
            ]
        ],
        st.tone((0.08, 0.07, 0.07), d),
    )
    if st.rng.random() < 0.5:  # ajar: a slit of light
        st.far.polys(
            [
                [
                    (x + ww / 2 - 3, base - hh),
                    (x + ww / 2, base - hh),
                    (x + ww / 2, base),
                    (x + ww / 2 - 3, base),
                ]
            ],
            st.light.windows,
            0.8,
        )


def _kitchen(st: Stage) -> None:
    _room_shell(st, (0.5, 0.5, 0.45), (0.35, 0.33, 0.3))
    d = st.far_depth - 0.6
    top = _counter(st, d, 0.92, (0.3, 0.3, 0.32))
    base = st.framing.ground_y(d)
    doors = [
        [(x, top + 4), (x + st.m(0.55, d), top + 4), (x + st.m(0.55, d), base - 3), (x, base - 3)]
        for x in np.arange(0, st.w, st.m(0.6, d))
    ]
    st.mid.polys(doors, st.tone((0.36, 0.36, 0.38), d, 0.8))
    cab_top = base - st.m(2.3, d)
    st.mid.polys(
        [
            [
                (x, cab_top),
                (x + st.m(0.55, d), cab_top),
                (x + st.m(0.55, d), cab_top + st.m(0.7, d)),
                (x, cab_top + st.m(0.7, d)),
            ]
            for x in np.arange(0, st.w * 0.35, st.m(0.6, d))
        ],
        st.tone((0.36, 0.36, 0.38), d, 0.8),
    )
    _lamp(st, st.w * st.rng.uniform(0.4, 0.6), st.mid_depth, hang=True)


def _office(st: Stage) -> None:
    wx, _ = _room_shell(st, (0.36, 0.38, 0.4), (0.22, 0.22, 0.24), window="blinds")
    d = st.mid_depth
    x0 = 0.05 if wx > st.w / 2 else 0.55
    top = _counter(st, d, 0.75, (0.22, 0.16, 0.12), x0, x0 + 0.4)
    mx = st.w * (x0 + 0.2)
    mw, mh = st.m(0.55, d), st.m(0.35, d)
    st.mid.polys(
        [
            [
                (mx - mw / 2, top - mh - st.m(0.1, d)),
                (mx + mw / 2, top - mh - st.m(0.1, d)),
                (mx + mw / 2, top - st.m(0.1, d)),
                (mx - mw / 2, top - st.m(0.1, d)),
            ]
        ],
        (0.02, 0.02, 0.03),
    )
    st.mid.polys(
        [
            [
                (mx - mw * 0.45, top - mh),
                (mx + mw * 0.45, top - mh),
                (mx + mw * 0.45, top - st.m(0.13, d)),
                (mx - mw * 0.45, top - st.m(0.13, d)),
            ]
        ],
        (0.55, 0.75, 0.9),
        0.85,
    )
    st.sky.glow(mx, top - mh / 2, mw * 1.5, (0.4, 0.6, 0.8), 0.3)
    _lamp(st, st.w * (x0 + 0.35), d, hang=False)


def _bar(st: Stage) -> None:
    _room_shell(st, (0.25, 0.16, 0.12), (0.18, 0.12, 0.09))
    d = st.far_depth - 0.3
    base = st.framing.ground_y(d)
    bottles = []
    for shelf in (1.3, 1.75, 2.2):
        y = base - st.m(shelf, d)
        bottles.append([(-5, y), (st.w + 5, y), (st.w + 5, y + 3), (-5, y + 3)])
        for x in np.arange(st.rng.uniform(0, 8), st.w, st.m(0.11, d) + 1):
            if st.rng.random() < 0.75:
                bh = st.m(st.rng.uniform(0.2, 0.33), d)
                bw = st.m(0.035, d)
                bottles.append(
                    [
                        (x - bw, y),
                        (x - bw, y - bh * 0.65),
                        (x - bw * 0.35, y - bh * 0.8),
                        (x - bw * 0.35, y - bh),
                        (x + bw * 0.35, y - bh),
                        (x + bw * 0.35, y - bh * 0.8),
                        (x + bw, y - bh * 0.65),
                        (x + bw, y),
                    ]
                )
    st.far.polys(bottles, st.tone((0.12, 0.08, 0.05), d))
    st.sky.glow(st.w * 0.5, base - st.m(1.8, d), st.w * 0.35, st.light.windows, 0.35)
    if st.light.neon or st.light.time in ("night", "dusk"):
        x = st.w * st.rng.uniform(0.2, 0.8)
        y = base - st.m(2.6, d)
        col = [(1.0, 0.2, 0.55), (0.2, 0.85, 1.0)][int(st.rng.integers(2))]
        st.far.polys(
            [
                [
                    (x - st.m(0.6, d), y),
                    (x + st.m(0.6, d), y),
                    (x + st.m(0.6, d), y + 3),
                    (x - st.m(0.6, d), y + 3),
                ]
            ],
            col,
        )
        st.far.glow(x, y, st.m(0.8, d), col, 0.6)
    _counter(st, st.mid_depth, 1.05, (0.16, 0.09, 0.06))
    for x in (0.25, 0.5, 0.75):
        _lamp(st, st.w * x + st.rng.uniform(-30, 30), st.mid_depth + 0.5, hang=True)


def _car(st: Stage) -> None:
    paint_sky(st.sky, st.light, st.horizon, st.rng)
    _ground(st, (0.16, 0.16, 0.17))
    if st.light.lamps:  # passing lights, out of focus
        for _ in range(18):
            x, y = st.rng.uniform(0, st.w), st.horizon + st.rng.uniform(-0.2, 0.08) * st.h
            col = st.light.windows if st.rng.random() < 0.7 else (0.9, 0.25, 0.2)
            r = st.rng.uniform(0.015, 0.06) * st.h
            st.far.glow(x, y, r, col, 0.5)
            st.far.ellipses([(x, y, r * 0.5, r * 0.5)], col, 0.35)
    else:
        _ridge(st.far, st, st.horizon + 2, st.h * 0.08, 8, st.tone((0.25, 0.28, 0.25), 300))
    col = st.tone((0.03, 0.03, 0.035), 1.0)
    w, h = st.w, st.h
    roof = h * st.rng.uniform(0.06, 0.14)
    sill = h * st.rng.uniform(0.62, 0.72)
    pillar = w * st.rng.uniform(0.05, 0.09)
    side = st.rng.choice([-1, 1])
    px = w * (0.5 + side * 0.42)
    st.mid.polys(
        [
            [(-5, -5), (w + 5, -5), (w + 5, roof), (-5, roof)],
            [(-5, sill), (w + 5, sill - h * 0.03), (w + 5, h + 5), (-5, h + 5)],
            [
                (px - pillar, -5),
                (px + pillar, -5),
                (px + pillar * 0.6, sill),
                (px - pillar * 0.6, sill),
            ],
        ],
        col,
    )
    st.mid.polys(
        [
            [
                (-5, sill - 2),
                (w + 5, sill - h * 0.03 - 2),
                (w + 5, sill - h * 0.03 + 1),
                (-5, sill + 1),
            ]
        ],
        mix(col, st.light.key, 0.3),
    )
    st.mid.glow(
        w * (0.5 - side * 0.25), h * 1.02, h * 0.25, (0.35, 0.75, 0.7), 0.35
    )  # the dashboard


def _corridor(st: Stage, shelves: bool = False) -> None:
    """A corridor (or, with shelves, the aisle of an archive) in true perspective."""
    w, h, f = st.w, st.h, st.framing
    far = st.far_depth + 10
    vp = w * st.rng.uniform(0.42, 0.58)
    half, ceil = (1.3, 3.2) if shelves else (1.6, 2.8)

    def at(x: float, y: float, d: float) -> tuple[float, float]:  # metres → screen
        return vp + x * f.focal / d, f.horizon + (f.camera_m - y) * f.focal / d

    st.sky.rgb[:] = st.light.lit((0.3, 0.3, 0.3), 1.0)
    st.sky.alpha[:] = 1.0
    st.sky.box = [0, 0, w, h]
    _ground(st, (0.25, 0.25, 0.26), texture="boards")
    end = [at(-half, ceil, far), at(half, ceil, far), at(half, 0, far), at(-half, 0, far)]
    st.sky.polys([end], st.tone((0.35, 0.37, 0.36), far, 1.3))
    door = [at(-0.45, 2.1, far), at(0.45, 2.1, far), at(0.45, 0, far), at(-0.45, 0, far)]
    st.sky.polys([door], st.light.windows, 0.9)
    st.sky.glow(*at(0, 1.0, far), st.m(1.5, far), st.light.windows, 0.6)
    near = 0.6
    for sx in (-1, 1):
        wall = [
            at(sx * half, ceil, near),
            at(sx * half, ceil, far),
            at(sx * half, 0, far),
            at(sx * half, 0, near),
        ]
        st.far.polys(
            [wall], st.tone((0.2, 0.2, 0.21) if shelves else (0.3, 0.3, 0.3), st.mid_depth, 1.2)
        )
    st.far.polys(
        [[at(-half, ceil, near), at(half, ceil, near), at(half, ceil, far), at(-half, ceil, far)]],
        st.tone((0.12, 0.12, 0.13), st.mid_depth),
    )
    depths = far / (1 + np.arange(0, 12) * 0.9)
    if shelves:
        boards, cans, posts = [], [], []
        for sx in (-1, 1):
            for y in np.arange(0.35, ceil - 0.2, 0.55):
                boards.append(
                    [
                        at(sx * half, y, near),
                        at(sx * half, y, far),
                        at(sx * half, y - 0.05, far),
                        at(sx * half, y - 0.05, near),
                    ]
                )
                d = near + 0.2
                while d < far:
                    dd = d + st.rng.uniform(0.1, 0.35)
                    if st.rng.random() < 0.8:
                        hgt = st.rng.uniform(0.12, 0.35)
                        cans.append(
                            [
                                at(sx * (half - 0.05), y + hgt, d),
                                at(sx * (half - 0.05), y + hgt, dd),
                                at(sx * (half - 0.05), y, dd),
                                at(sx * (half - 0.05), y, d),
                            ]
                        )
                    d = dd + 0.03
            for d in np.arange(near + 1.0, far, 1.6):
                posts.append(
                    [
                        at(sx * (half - 0.02), ceil, d),
                        at(sx * (half - 0.02), ceil, d + 0.06),
                        at(sx * (half - 0.02), 0, d + 0.06),
                        at(sx * (half - 0.02), 0, d),
                    ]
                )
        st.far.polys(
            cans, st.tone(mix((0.32, 0.3, 0.28), st.light.windows, 0.3), st.mid_depth, 2.5)
        )
        st.far.polys(boards + posts, st.tone((0.1, 0.1, 0.11), st.mid_depth))
    for d in depths[1:]:  # ceiling lights receding
        q = [
            at(-0.25, ceil - 0.01, d),
            at(0.25, ceil - 0.01, d),
            at(0.25, ceil - 0.01, d + 0.4),
            at(-0.25, ceil - 0.01, d + 0.4),
        ]
        st.far.polys([q], (1.0, 0.97, 0.9))
        cx, cy = at(0, ceil - 0.3, d)
        st.far.glow(cx, cy, st.m(0.7, d), st.light.windows, 0.25)
        st.sky.glow(*at(0, 0.0, d), st.m(1.0, d), st.light.windows, 0.1)


def _stacks(st: Stage) -> None:
    _corridor(st, shelves=True)


_INTERIORS = {
    "room": _room,
    "kitchen": _kitchen,
    "office": _office,
    "bar": _bar,
    "car": _car,
    "corridor": _corridor,
    "stacks": _stacks,
}
