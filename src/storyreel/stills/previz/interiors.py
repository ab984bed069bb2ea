"""Interior sets beyond the first seven: rooms people sleep, wash, pray, learn, judge, shop,
work, travel and are locked up in, each assembled from `parts` and the first sets' pieces.

Two shapes of room: a box seen toward its back wall (`_back_wall`, furniture in the mid
layer), or a long room seen down its length (`parts.hall`, rows and windows receding).
"""

from __future__ import annotations

import numpy as np

from storyreel.stills.previz.paint import Color, mix
from storyreel.stills.previz.parts import (
    bars,
    ceiling_lights,
    hall,
    practical_on,
    rows,
    side_windows,
    stones,
)
from storyreel.stills.previz.sets import Stage, _back_wall, _ground, _lamp, _room_shell


def _block(
    st: Stage,
    x: float,
    d: float,
    w_m: float,
    h_m: float,
    color: Color,
    lift: float = 0.0,
    k: float = 1.2,
    layer=None,
    opacity: float = 1.0,
) -> tuple[float, float, float, float]:
    """An upright box face standing on the floor at depth d, centred at x (pixels); returns
    its screen rectangle (x0, top, x1, bottom)."""
    layer = layer or st.mid
    base = st.framing.ground_y(d) - st.m(lift, d)
    ww, hh = st.m(w_m, d) / 2, st.m(h_m, d)
    layer.polys(
        [[(x - ww, base - hh), (x + ww, base - hh), (x + ww, base), (x - ww, base)]],
        st.tone(color, d, k),
        opacity,
    )
    return x - ww, base - hh, x + ww, base


def _panel(layer, x0: float, y0: float, x1: float, y1: float, color: Color, opacity: float = 1.0):
    layer.polys([[(x0, y0), (x1, y0), (x1, y1), (x0, y1)]], color, opacity)


def _side(st: Stage) -> float:
    return float(st.rng.choice([-1.0, 1.0]))


# --- box rooms --------------------------------------------------------------------------------


def bedroom(st: Stage) -> None:
    wx, _ = _room_shell(st, (0.46, 0.40, 0.40), (0.32, 0.24, 0.18))
    d = st.framing.subject_depth + 0.6
    side = -1 if wx > st.w / 2 else 1
    x = st.w * (0.5 + side * 0.24)
    x0, top, x1, base = _block(st, x, d + 2.0, 1.9, 1.2, (0.28, 0.18, 0.14))  # the headboard
    x0, top, x1, base = _block(st, x, d, 1.9, 0.55, (0.30, 0.22, 0.2))  # the bed's foot
    sheet = st.tone((0.86, 0.84, 0.80), d, 2.2)
    back = st.framing.ground_y(d + 2.0) - st.m(0.6, d + 2.0)
    st.mid.polys(
        [[(x0, top), (x1, top), (x1 - (x1 - x0) * 0.08, back), (x0 + (x1 - x0) * 0.08, back)]],
        sheet,
    )
    pw = (x1 - x0) * 0.2
    st.mid.ellipses(
        [(x + s * pw * 1.1, back + (top - back) * 0.15, pw, (top - back) * 0.18) for s in (-1, 1)],
        st.tone((0.95, 0.94, 0.92), d, 2.4),
    )
    st.mid.polys(
        [[(x0, top + (base - top) * 0.1), (x1, top + (base - top) * 0.1), (x1, base), (x0, base)]],
        st.tone((0.5, 0.36, 0.42), d, 1.4),
        0.9,
    )  # the blanket over its foot
    nx = x1 + st.m(0.5, d) if side > 0 else x0 - st.m(0.5, d)
    _block(st, nx, d + 1.8, 0.5, 0.55, (0.25, 0.17, 0.12))
    _lamp(st, nx, d + 1.8, hang=False)


def bathroom(st: Stage) -> None:
    _back_wall(st, (0.70, 0.74, 0.74), (0.45, 0.47, 0.48))
    d = st.far_depth
    base = st.framing.ground_y(d)
    tile = st.m(0.2, d)
    top = base - st.m(1.5, d)
    _panel(
        st.far, -5, top, st.w + 5, base, st.tone((0.88, 0.9, 0.9), d, 1.8)
    )  # tiled to the shoulder
    grout = st.tone((0.4, 0.44, 0.45), d)
    st.far.polys(
        [
            [(-5, y), (st.w + 5, y), (st.w + 5, y + 1.2), (-5, y + 1.2)]
            for y in np.arange(top, base, tile)
        ]
        + [
            [(x, top), (x + 1.2, top), (x + 1.2, base), (x, base)] for x in np.arange(0, st.w, tile)
        ],
        grout,
        0.8,
        disjoint=True,
    )
    side = _side(st)
    sx = st.w * (0.5 - side * 0.18)
    mirror = (sx - st.m(0.45, d), base - st.m(1.95, d), sx + st.m(0.45, d), base - st.m(1.2, d))
    _panel(
        st.far,
        mirror[0] - 3,
        mirror[1] - 3,
        mirror[2] + 3,
        mirror[3] + 3,
        st.tone((0.2, 0.2, 0.2), d),
    )
    _panel(st.far, *mirror, st.tone(mix(st.light.key, (0.6, 0.7, 0.75), 0.6), d, 1.6))
    st.far.glow(
        sx, mirror[1] - 4, st.m(0.5, d), st.light.windows if practical_on(st) else st.light.key, 0.6
    )
    dm = d - 0.3
    x0, t, x1, b = _block(st, sx, dm, 0.18, 0.8, (0.9, 0.9, 0.9), k=2.0)  # the pedestal
    st.mid.ellipses([(sx, t, st.m(0.32, dm), st.m(0.09, dm))], st.tone((0.95, 0.95, 0.95), dm, 2.4))
    tx = st.w * (0.5 + side * 0.3)
    x0, t, x1, b = _block(st, tx, st.mid_depth, 1.7, 0.6, (0.92, 0.92, 0.9), k=2.2)  # the tub
    _panel(
        st.mid,
        x0,
        t,
        x1,
        t + max(2.0, st.m(0.06, st.mid_depth)),
        st.tone((1, 1, 1), st.mid_depth, 2.5),
    )
    # a shower curtain drawn to one end
    cx = x0 if side > 0 else x1
    folds = [
        [
            (cx + k * st.m(0.12, st.mid_depth) * side, t - st.m(1.4, st.mid_depth)),
            (cx + (k + 0.7) * st.m(0.12, st.mid_depth) * side, t - st.m(1.4, st.mid_depth)),
            (cx + (k + 0.7) * st.m(0.12, st.mid_depth) * side, t),
            (cx + k * st.m(0.12, st.mid_depth) * side, t),
        ]
        for k in range(4)
    ]
    st.mid.polys(folds, st.tone((0.55, 0.7, 0.75), st.mid_depth, 1.5), 0.85)


def hospital(st: Stage) -> None:
    _back_wall(st, (0.56, 0.66, 0.62), (0.5, 0.52, 0.5))
    d = st.mid_depth + 0.5
    side = _side(st)
    x = st.w * (0.5 + side * 0.2)
    x0, top, x1, base = _block(st, x, d, 1.0, 0.62, (0.6, 0.62, 0.64), k=1.5)  # the bed's foot
    back = st.framing.ground_y(d + 2.0) - st.m(0.95, d + 2.0)
    st.mid.polys(
        [[(x0, top), (x1, top), (x1 - (x1 - x0) * 0.15, back), (x0 + (x1 - x0) * 0.15, back)]],
        st.tone((0.9, 0.92, 0.92), d, 2.4),
    )
    rail = max(2.0, st.m(0.03, d))
    st.mid.polys(
        [
            [
                (x0 - rail * 3, top - st.m(0.25, d)),
                (x0 - rail * 2, top - st.m(0.25, d)),
                (x0 - rail * 2, base),
                (x0 - rail * 3, base),
            ],
            [
                (x1 + rail * 2, top - st.m(0.25, d)),
                (x1 + rail * 3, top - st.m(0.25, d)),
                (x1 + rail * 3, base),
                (x1 + rail * 2, base),
            ],
            [
                (x0 - rail * 3, top - st.m(0.25, d)),
                (x1 + rail * 3, top - st.m(0.25, d)),
                (x1 + rail * 3, top - st.m(0.25, d) + rail),
                (x0 - rail * 3, top - st.m(0.25, d) + rail),
            ],
        ],
        st.tone((0.75, 0.75, 0.78), d, 1.8),
    )
    # the monitor on its stand, a green trace; the drip on its pole
    mx = x1 + st.m(0.8, d) if side > 0 else x0 - st.m(0.8, d)
    dm = d + 1.5
    _block(st, mx, dm, 0.05, 1.2, (0.3, 0.3, 0.32))
    m0, mt, m1, mb = _block(st, mx, dm, 0.5, 0.38, (0.05, 0.05, 0.06), lift=1.2, k=1.0)
    xs = np.linspace(m0 + 3, m1 - 3, 24)
    ys = (mt + mb) / 2 + np.where(np.arange(24) % 8 == 4, -0.3, 0.0) * (mb - mt)
    st.mid.polys(
        [np.concatenate([np.stack([xs, ys], 1), np.stack([xs[::-1], ys[::-1] + 1.5], 1)])],
        (0.3, 1.0, 0.5),
    )
    st.mid.glow((m0 + m1) / 2, (mt + mb) / 2, (m1 - m0), (0.3, 0.9, 0.6), 0.3)
    px = x0 - st.m(0.6, d) if side > 0 else x1 + st.m(0.6, d)
    _block(st, px, dm, 0.03, 1.9, (0.7, 0.7, 0.72), k=1.6)
    _block(st, px, dm, 0.18, 0.3, (0.85, 0.9, 0.92), lift=1.6, k=2.0, opacity=0.8)
    # the privacy curtain on its rail
    cx = st.w * (0.5 - side * 0.42)
    folds = [
        [
            (cx + k * st.m(0.18, d), st.framing.ground_y(d) - st.m(2.2, d)),
            (cx + (k + 0.75) * st.m(0.18, d), st.framing.ground_y(d) - st.m(2.2, d)),
            (cx + (k + 0.75) * st.m(0.18, d), st.framing.ground_y(d) - st.m(0.2, d)),
            (cx + k * st.m(0.18, d), st.framing.ground_y(d) - st.m(0.2, d)),
        ]
        for k in range(-4, 4)
    ]
    st.mid.polys(folds, st.tone((0.5, 0.68, 0.78), d, 1.6), 0.9)
    st.sky.glow(st.w / 2, 0, st.w * 0.4, (0.85, 0.95, 1.0), 0.35)  # fluorescent light


def interrogation(st: Stage) -> None:
    _back_wall(st, (0.38, 0.40, 0.38), (0.28, 0.28, 0.28))
    d = st.far_depth
    base = st.framing.ground_y(d)
    mx = st.w * st.rng.uniform(0.35, 0.65)
    x0, y0, x1, y1 = mx - st.m(1.3, d), base - st.m(2.1, d), mx + st.m(1.3, d), base - st.m(1.0, d)
    _panel(st.far, x0 - 4, y0 - 4, x1 + 4, y1 + 4, st.tone((0.15, 0.15, 0.15), d))
    _panel(st.far, x0, y0, x1, y1, st.tone((0.06, 0.07, 0.08), d, 0.6))
    st.far.polys(
        [
            [
                (x0 + (x1 - x0) * 0.1, y1),
                (x0 + (x1 - x0) * 0.3, y0),
                (x0 + (x1 - x0) * 0.38, y0),
                (x0 + (x1 - x0) * 0.18, y1),
            ]
        ],
        (0.5, 0.55, 0.6),
        0.18,
    )  # a sheen on the glass
    dt = st.mid_depth
    tx = st.w * 0.5
    _block(st, tx, dt, 1.6, 0.74, (0.35, 0.36, 0.38), k=1.3)
    top = st.framing.ground_y(dt) - st.m(0.74, dt)
    _panel(
        st.mid,
        tx - st.m(0.85, dt),
        top - st.m(0.04, dt),
        tx + st.m(0.85, dt),
        top,
        st.tone((0.6, 0.62, 0.64), dt, 2.5),
    )
    for s in (-1, 1):
        cx = tx + s * st.m(1.2, dt)
        _block(st, cx, dt + 0.3, 0.45, 0.9, (0.12, 0.12, 0.13))
    _lamp(st, tx, dt, hang=True)
    st.sky.glow(tx, top, st.m(1.8, dt), (1.0, 0.95, 0.8), 0.45)


def gallery(st: Stage) -> None:
    _back_wall(st, (0.86, 0.85, 0.82), (0.42, 0.34, 0.28))
    d = st.far_depth
    base = st.framing.ground_y(d)
    palette = [
        (0.7, 0.2, 0.15),
        (0.15, 0.3, 0.6),
        (0.85, 0.7, 0.2),
        (0.2, 0.45, 0.3),
        (0.1, 0.1, 0.12),
    ]
    x = st.rng.uniform(0.02, 0.12) * st.w
    while x < st.w:
        pw, ph = st.m(st.rng.uniform(0.8, 1.6), d), st.m(st.rng.uniform(0.7, 1.2), d)
        cy = base - st.m(1.6, d)
        _panel(
            st.far,
            x - 3,
            cy - ph / 2 - 3,
            x + pw + 3,
            cy + ph / 2 + 3,
            st.tone((0.2, 0.15, 0.08), d),
        )
        _panel(
            st.far,
            x,
            cy - ph / 2,
            x + pw,
            cy + ph / 2,
            st.tone(palette[int(st.rng.integers(len(palette)))], d, 1.5),
        )
        _panel(
            st.far,
            x + pw * st.rng.uniform(0.1, 0.5),
            cy - ph * 0.3,
            x + pw * st.rng.uniform(0.55, 0.9),
            cy + ph * 0.1,
            st.tone(palette[int(st.rng.integers(len(palette)))], d, 1.5),
            0.8,
        )
        st.sky.glow(x + pw / 2, cy - ph * 0.4, pw * 0.9, (1.0, 0.95, 0.85), 0.45)
        x += pw + st.m(st.rng.uniform(1.2, 2.0), d)
    bx = st.w * st.rng.uniform(0.3, 0.7)
    _block(st, bx, st.mid_depth, 1.8, 0.45, (0.18, 0.14, 0.1))


def shack(st: Stage) -> None:
    wx, _ = _room_shell(st, (0.36, 0.26, 0.17), (0.25, 0.18, 0.12))
    d = st.far_depth
    base = st.framing.ground_y(d)
    gap = st.m(0.22, d)
    st.far.polys(
        [[(x, -5), (x + 1.5, -5), (x + 1.5, base), (x, base)] for x in np.arange(0, st.w, gap)],
        st.tone((0.12, 0.08, 0.05), d),
        0.8,
    )  # planks
    side = -1 if wx > st.w / 2 else 1
    x = st.w * (0.5 + side * 0.25)
    dt = st.mid_depth
    _block(st, x, dt, 1.2, 0.75, (0.3, 0.2, 0.12))
    _block(st, x, dt, 1.3, 0.05, (0.4, 0.28, 0.16), lift=0.75, k=1.6)
    sx = st.w * (0.5 - side * 0.3)  # an iron stove and its pipe
    s0, stop, s1, sb = _block(st, sx, d - 0.5, 0.6, 0.8, (0.06, 0.06, 0.06), k=1.0)
    _panel(st.mid, sx - st.m(0.06, d), -5, sx + st.m(0.06, d), stop, st.tone((0.08, 0.08, 0.08), d))
    if practical_on(st):
        st.mid.glow(sx, (stop + sb) / 2, st.m(0.35, d), (1.0, 0.45, 0.12), 0.8)
    bx = st.w * (0.5 + st.rng.uniform(-0.1, 0.1))  # a bare bulb on its flex
    by = st.framing.ground_y(dt) - st.m(2.1, dt)
    st.mid.polys(
        [[(bx - 0.7, -5), (bx + 0.7, -5), (bx + 0.7, by), (bx - 0.7, by)]], (0.05, 0.05, 0.05)
    )
    st.mid.ellipses(
        [(bx, by + st.m(0.05, dt), st.m(0.05, dt) + 1, st.m(0.07, dt) + 1)], (1.0, 0.9, 0.65)
    )
    st.sky.glow(bx, by, st.m(1.8, dt), st.light.windows, 0.35 if practical_on(st) else 0.15)


def garage(st: Stage) -> None:
    _back_wall(st, (0.40, 0.40, 0.40), (0.30, 0.30, 0.31))
    d = st.far_depth
    base = st.framing.ground_y(d)
    dx = st.w * st.rng.uniform(0.3, 0.7)
    x0, x1, top = dx - st.m(1.5, d), dx + st.m(1.5, d), base - st.m(2.3, d)
    _panel(st.far, x0 - 4, top - 4, x1 + 4, base, st.tone((0.2, 0.2, 0.2), d))
    slat = st.m(0.12, d)
    st.far.polys(
        [
            [(x0, y), (x1, y), (x1, y + slat * 0.8), (x0, y + slat * 0.8)]
            for y in np.arange(top, base, slat)
        ],
        st.tone((0.55, 0.55, 0.52), d, 1.3),
    )  # the roller door
    side = 1 if dx < st.w / 2 else -1
    px = dx + side * st.m(2.8, d)
    p0, p1 = px - st.m(0.9, d), px + st.m(0.9, d)
    _panel(
        st.far, p0, base - st.m(2.0, d), p1, base - st.m(1.1, d), st.tone((0.5, 0.38, 0.25), d, 1.2)
    )
    tools = []
    for tx in np.linspace(p0 + 8, p1 - 8, 7):
        ln = st.m(st.rng.uniform(0.2, 0.45), d)
        ty = base - st.m(1.9, d)
        tools.append([(tx - 1.5, ty), (tx + 1.5, ty), (tx + 1.5, ty + ln), (tx - 1.5, ty + ln)])
        tools.append(
            [(tx - 4, ty + ln), (tx + 4, ty + ln), (tx + 3, ty + ln + 5), (tx - 3, ty + ln + 5)]
        )
    st.far.polys(tools, st.tone((0.08, 0.08, 0.09), d))
    dm = d - 0.5
    _block(st, px, dm, 2.0, 0.9, (0.25, 0.2, 0.15))  # the workbench
    # a car's rear quarter in the foreground side, a lamp hanging over the bench
    cx = st.w * (0.5 - side * 0.45)
    dc = st.mid_depth
    cb = st.framing.ground_y(dc)
    cw, ch = st.m(2.2, dc), st.m(1.3, dc)
    st.mid.polys(
        [
            [
                (cx - cw, cb - ch * 0.35),
                (cx - cw * 0.7, cb - ch * 0.55),
                (cx - cw * 0.4, cb - ch),
                (cx + cw * 0.4, cb - ch),
                (cx + cw * 0.7, cb - ch * 0.55),
                (cx + cw, cb - ch * 0.35),
                (cx + cw, cb - ch * 0.1),
                (cx - cw, cb - ch * 0.1),
            ]
        ],
        st.tone((0.12, 0.18, 0.3), dc, 1.3),
    )
    st.mid.ellipses(
        [(cx + s * cw * 0.6, cb - ch * 0.12, cw * 0.16, ch * 0.14) for s in (-1, 1)],
        (0.03, 0.03, 0.03),
    )
    st.mid.polys(
        [
            [
                (cx - cw * 0.35, cb - ch * 0.95),
                (cx + cw * 0.35, cb - ch * 0.95),
                (cx + cw * 0.6, cb - ch * 0.58),
                (cx - cw * 0.6, cb - ch * 0.58),
            ]
        ],
        st.tone(mix(st.light.upper, (0.1, 0.1, 0.1), 0.5), dc, 1.5),
    )
    _lamp(st, px, dm, hang=True)


def cell(st: Stage) -> None:
    """Looking out of a cell through its bars, the bunk against the side, the corridor beyond."""
    w = st.w
    d = st.far_depth
    base = st.framing.ground_y(d)
    _back_wall(st, (0.45, 0.45, 0.42), (0.32, 0.32, 0.3))
    # the corridor beyond the bars, under its strip lights day and night; its far wall
    beyond = mix(st.light.lit((0.62, 0.62, 0.56), 1.6), (0.62, 0.63, 0.58), 0.6)
    _panel(st.sky, -5, -5, w + 5, base, beyond)
    _panel(st.sky, -5, base - st.m(1.2, d), w + 5, base, mix(beyond, (0.3, 0.3, 0.3), 0.4))
    st.sky.glow(w * 0.5, base - st.m(2.8, d), w * 0.6, (0.95, 0.97, 0.9), 0.5)
    gap = st.m(0.24, d)
    bars(
        st,
        st.far,
        -gap / 2,
        w + gap,
        -10,
        base + 2,
        gap,
        max(3.0, st.m(0.045, d)),
        st.tone((0.08, 0.08, 0.09), d, 1.2),
    )
    side = _side(st)
    dm = st.mid_depth
    x = w * (0.5 + side * 0.38)
    _block(st, x, dm, 2.2, 0.5, (0.35, 0.35, 0.33), k=1.2)
    top = st.framing.ground_y(dm) - st.m(0.5, dm)
    _panel(
        st.mid,
        x - st.m(1.1, dm),
        top - st.m(0.12, dm),
        x + st.m(1.1, dm),
        top,
        st.tone((0.55, 0.58, 0.6), dm, 1.8),
    )  # a thin mattress
    _block(st, x, dm, 2.2, 0.5, (0.3, 0.3, 0.29), lift=1.1)  # the upper bunk


# --- long rooms -----------------------------------------------------------------------------


def _far(st: Stage, extra: float = 10.0) -> float:
    return st.far_depth + extra


def church(st: Stage) -> None:
    far = _far(st, 16)
    half, ceil = 5.5, 10.0
    at = hall(st, half, ceil, far, (0.42, 0.39, 0.35), (0.3, 0.27, 0.24), (0.2, 0.18, 0.16))
    day = st.light.time != "night"
    side_windows(st, at, half, 3.0, 6.5, far, 3.2, 1.3, "arch", near=2.0, frame=(0.12, 0.1, 0.09))
    if day:  # stained glass: colour in the panes, shafts across the nave
        for s in (-1, 1):
            for dd in np.arange(2.0, far, 3.2):
                for k, col in enumerate(((0.9, 0.2, 0.2), (0.2, 0.35, 0.9), (0.95, 0.75, 0.2))):
                    q = at.side(s * half * 0.998, 3.2 + k * 1.1, 3.9 + k * 1.1, dd + 0.2, dd + 1.1)
                    st.far.polys([q], col, 0.45)
    # the altar, its cross and candles, a great window behind
    aw = at.quad(-1.8, 1.8, 3.5, 9.0, far - 0.05)
    st.sky.polys(
        [aw],
        mix(st.light.horizon, (0.95, 0.85, 0.6), 0.4) if day else st.tone((0.1, 0.1, 0.2), far),
        0.9,
    )
    st.sky.polys(
        [at.quad(-0.12, 0.12, 4.0, 8.5, far - 0.1), at.quad(-1.0, 1.0, 7.0, 7.3, far - 0.1)],
        st.tone((0.08, 0.06, 0.05), far, 1.0),
    )
    st.sky.polys([at.quad(-1.6, 1.6, 0, 1.1, far - 1.5)], st.tone((0.35, 0.28, 0.2), far, 1.3))
    st.sky.polys(
        [at.quad(-1.65, 1.65, 0.85, 1.12, far - 1.55)], st.tone((0.92, 0.9, 0.85), far, 2.0)
    )
    for cx in (-1.2, -0.6, 0.6, 1.2):
        st.sky.glow(*at(cx, 1.45, far - 1.5), st.m(0.4, far), (1.0, 0.75, 0.35), 0.9)
    rows(
        st,
        at,
        [(-half + 0.6, -0.9), (0.9, half - 0.6)],
        far - 3.0,
        1.5,
        1.4,
        0.95,
        (0.22, 0.14, 0.09),
        thick=0.12,
    )
    if st.light.lamps:
        for dd in (far * 0.3, far * 0.6):
            st.far.glow(*at(0, ceil - 2.5, dd), st.m(1.5, dd), st.light.windows, 0.5)


def classroom(st: Stage) -> None:
    far = _far(st, 4)
    half, ceil = 4.0, 3.2
    at = hall(st, half, ceil, far, (0.62, 0.6, 0.52), (0.35, 0.28, 0.22), (0.75, 0.75, 0.72))
    st.sky.polys([at.quad(-2.4, 2.4, 0.9, 2.2, far - 0.02)], st.tone((0.38, 0.25, 0.15), far, 1.2))
    st.sky.polys([at.quad(-2.3, 2.3, 1.0, 2.1, far - 0.03)], st.tone((0.1, 0.22, 0.17), far, 1.3))
    for _ in range(5):  # chalk
        x0, y = st.rng.uniform(-2.1, 0.8), st.rng.uniform(1.2, 1.95)
        st.sky.polys(
            [at.quad(x0, x0 + st.rng.uniform(0.4, 1.2), y, y + 0.03, far - 0.04)],
            (0.85, 0.88, 0.85),
            0.7,
        )
    cx, cy = at(2.9, 2.6, far - 0.03)
    st.sky.ellipses([(cx, cy, st.m(0.18, far), st.m(0.18, far))], (0.95, 0.95, 0.92))
    side = _side(st)
    side_windows(
        st,
        at,
        half,
        0.9,
        2.7,
        far,
        2.2,
        1.6,
        near=0.8,
        sides=(int(side),),
        frame=(0.85, 0.85, 0.82),
    )
    side_windows(
        st,
        at,
        half,
        1.9,
        2.6,
        far,
        0.6,
        0.45,
        near=0.8,
        sides=(int(-side),),
        frame=(0.3, 0.2, 0.12),
    )  # notices on the other wall
    rows(
        st,
        at,
        [(-3.4, -2.0), (-1.0, 0.4), (1.2, 2.6)],
        far - 2.0,
        1.2,
        1.25,
        0.76,
        (0.45, 0.32, 0.2),
        thick=0.5,
        top=(0.7, 0.55, 0.38),
    )
    ceiling_lights(st, at, ceil, far, xs=(-1.5, 1.5), size=0.3, step=1.4)


def courtroom(st: Stage) -> None:
    far = _far(st, 8)
    half, ceil = 6.0, 5.5
    wood = (0.34, 0.21, 0.13)
    at = hall(
        st,
        half,
        ceil,
        far,
        (0.55, 0.5, 0.42),
        (0.3, 0.22, 0.17),
        (0.45, 0.42, 0.36),
        end=(0.5, 0.45, 0.38),
    )
    st.far.polys(
        [at.side(s * half * 0.998, 0, 1.6, 0.6, far) for s in (-1, 1)],
        st.tone(wood, st.mid_depth, 1.2),
    )
    # the bench, raised, the seal above it, the witness box beside
    st.sky.polys([at.quad(-2.6, 2.6, 0, 1.9, far - 1.2)], st.tone(wood, far, 1.4))
    st.sky.polys([at.quad(-2.7, 2.7, 1.85, 2.0, far - 1.25)], st.tone((0.5, 0.34, 0.2), far, 1.8))
    st.sky.polys([at.quad(-0.7, 0.7, 2.0, 3.4, far - 0.05)], st.tone((0.3, 0.15, 0.1), far, 1.2))
    sx, sy = at(0, 4.1, far - 0.05)
    st.sky.ellipses(
        [(sx, sy, st.m(0.55, far), st.m(0.55, far))], st.tone((0.8, 0.65, 0.3), far, 1.8)
    )
    st.sky.polys([at.quad(3.0, 4.4, 0, 1.3, far - 2.0)], st.tone(wood, far, 1.3))
    for fx, col in ((-3.6, (0.2, 0.25, 0.55)), (-4.2, (0.6, 0.15, 0.15))):
        st.sky.polys([at.quad(fx - 0.02, fx + 0.02, 0, 2.8, far - 0.3)], (0.15, 0.12, 0.1))
        st.sky.polys([at.quad(fx + 0.02, fx + 0.6, 1.9, 2.8, far - 0.3)], st.tone(col, far, 1.5))
    # the bar rail with its gate, the gallery's benches near us
    rail = far * 0.55
    st.far.polys(
        [at.quad(-half, half, 0.85, 0.95, rail)]
        + [at.quad(x - 0.03, x + 0.03, 0, 0.9, rail) for x in np.arange(-half, half, 0.35)],
        st.tone(wood, rail, 1.5),
    )
    rows(
        st,
        at,
        [(-half + 0.5, -0.8), (0.8, half - 0.5)],
        rail - 0.5,
        1.2,
        1.1,
        0.95,
        wood,
        thick=0.1,
    )
    ceiling_lights(st, at, ceil, far, xs=(-2.5, 2.5), size=0.35, step=1.2)


def theater(st: Stage) -> None:
    far = _far(st, 14)
    half, ceil = 8.0, 9.0
    at = hall(
        st,
        half,
        ceil,
        far,
        (0.22, 0.08, 0.08),
        (0.14, 0.06, 0.06),
        (0.08, 0.05, 0.05),
        end=(0.1, 0.05, 0.05),
        k=0.9,
    )
    sd = far - 0.5  # the stage: raised, a proscenium, red curtains half open, a pool of light
    st.sky.polys([at.quad(-7.0, 7.0, 0, 1.1, sd - 2.5)], st.tone((0.2, 0.12, 0.08), far, 1.2))
    st.sky.polys([at.flat(-7.0, 7.0, 1.1, sd - 2.5, sd)], st.tone((0.35, 0.22, 0.14), far, 1.6))
    st.sky.glow(*at(0, 2.2, sd - 1.0), st.m(3.0, sd), (1.0, 0.92, 0.75), 0.6)
    folds = []
    for s in (-1, 1):
        for k in range(8):
            x0 = s * (7.0 - k * 0.55)
            folds.append(at.quad(min(x0, x0 - s * 0.45), max(x0, x0 - s * 0.45), 1.1, 7.5, sd))
    st.far.polys(folds, st.tone((0.6, 0.06, 0.08), sd * 0.5, 1.6))
    st.far.polys([at.quad(-7.5, 7.5, 7.2, 8.2, sd)], st.tone((0.55, 0.05, 0.07), sd * 0.5, 1.4))
    st.far.polys(
        [
            at.quad(-8.0, -7.0, 0, 8.5, sd),
            at.quad(7.0, 8.0, 0, 8.5, sd),
            at.quad(-8, 8, 8.2, 9, sd),
        ],
        st.tone((0.55, 0.42, 0.2), sd * 0.5, 1.2),
    )  # the gilded proscenium
    rows(
        st,
        at,
        [(-7.0, -0.8), (0.8, 7.0)],
        sd - 4.0,
        1.0,
        0.95,
        0.95,
        (0.45, 0.05, 0.07),
        thick=0.15,
        top=(0.7, 0.2, 0.2),
    )
    for s in (-1, 1):  # wall sconces
        for dd in (far * 0.25, far * 0.5):
            st.far.glow(*at(s * half * 0.99, 3.5, dd), st.m(0.6, dd), (1.0, 0.7, 0.4), 0.6)


def aircraft(st: Stage) -> None:
    far = _far(st, 10)
    half, ceil = 1.9, 2.1
    at = hall(st, half, ceil, far, (0.8, 0.8, 0.78), (0.3, 0.32, 0.38), (0.86, 0.86, 0.84), k=1.3)
    st.far.polys(
        [at.side(s * half * 0.99, 1.55, 2.05, 0.6, far) for s in (-1, 1)],
        st.tone((0.9, 0.9, 0.88), st.mid_depth, 1.6),
    )  # the overhead bins
    st.far.polys(
        [at.side(s * half * 0.985, 1.53, 1.56, 0.6, far) for s in (-1, 1)],
        st.tone((0.3, 0.3, 0.32), st.mid_depth, 1.0),
    )
    side_windows(st, at, half, 1.0, 1.38, far, 0.9, 0.3, "oval", near=0.9, frame=(0.7, 0.7, 0.68))
    rows(
        st,
        at,
        [(-1.75, -0.35), (0.35, 1.75)],
        far - 1.0,
        1.2,
        0.85,
        1.15,
        (0.2, 0.26, 0.42),
        thick=0.2,
        top=(0.35, 0.42, 0.6),
    )
    for dd in np.arange(1.2, far - 1.0, 0.85):  # headrest covers
        st.mid.polys(
            [at.quad(x0 + 0.05, x0 + 0.6, 0.95, 1.12, dd) for x0 in (-1.7, -1.05, 0.4, 1.05)],
            st.tone((0.85, 0.85, 0.82), dd, 1.8),
            0.9,
        )
    ceiling_lights(st, at, ceil, far, xs=(-0.6, 0.6), size=0.06, step=0.5, color=(0.9, 0.92, 1.0))


def train(st: Stage) -> None:
    far = _far(st, 12)
    half, ceil = 1.5, 2.4
    at = hall(st, half, ceil, far, (0.6, 0.58, 0.52), (0.28, 0.27, 0.25), (0.78, 0.78, 0.74), k=1.3)
    side_windows(st, at, half, 0.85, 1.85, far, 1.9, 1.5, near=0.7, frame=(0.35, 0.35, 0.36))
    st.far.polys(
        [at.side(s * half * 0.98, 2.0, 2.05, 0.6, far) for s in (-1, 1)]
        + [at.side(s * half * 0.8, 2.0, 2.05, 0.6, far) for s in (-1, 1)],
        st.tone((0.55, 0.55, 0.58), st.mid_depth, 1.6),
    )  # luggage racks
    rows(
        st,
        at,
        [(-1.45, -0.3), (0.3, 1.45)],
        far - 1.0,
        1.1,
        1.9,
        1.25,
        (0.45, 0.15, 0.14),
        thick=0.25,
        top=(0.65, 0.3, 0.25),
    )
    st.sky.polys(
        [at.quad(-0.4, 0.4, 0, 2.0, far - 0.02)], st.tone((0.3, 0.3, 0.32), far, 1.2)
    )  # the end door
    st.sky.polys(
        [at.quad(-0.25, 0.25, 1.1, 1.8, far - 0.03)],
        mix(st.light.horizon, st.light.windows, 0.3),
        0.8,
    )
    ceiling_lights(st, at, ceil, far, xs=(0.0,), size=0.12, step=0.7)


def ship(st: Stage) -> None:
    far = _far(st, 8)
    half, ceil = 3.0, 2.3
    at = hall(st, half, ceil, far, (0.82, 0.82, 0.76), (0.25, 0.32, 0.42), (0.9, 0.9, 0.86), k=1.3)
    side_windows(st, at, half, 1.15, 1.6, far, 1.6, 0.45, "oval", near=1.0, frame=(0.55, 0.5, 0.3))
    # a sea line through the portholes
    for s in (-1, 1):
        for dd in np.arange(1.0, far, 1.6):
            st.far.polys(
                [at.side(s * half * 0.997, 1.15, 1.32, dd + 0.05, dd + 0.4)],
                st.tone((0.15, 0.3, 0.38), 30, 1.4),
                0.8,
            )
    rows(st, at, [(-2.8, -0.6), (0.6, 2.8)], far - 1.5, 1.3, 1.6, 0.9, (0.2, 0.35, 0.55), thick=0.2)
    st.far.polys(
        [at.side(s * half * 0.99, 0.95, 1.0, 0.6, far) for s in (-1, 1)],
        st.tone((0.5, 0.4, 0.2), st.mid_depth),
    )
    st.sky.polys(
        [at.quad(-0.5, 0.5, 0, 1.9, far - 0.02)], st.tone((0.45, 0.45, 0.42), far, 1.3)
    )  # a bulkhead door
    ceiling_lights(st, at, ceil, far, xs=(-1.2, 1.2), size=0.15, step=0.9)


def lockers(st: Stage) -> None:
    far = _far(st, 14)
    half, ceil = 1.8, 3.0
    at = hall(st, half, ceil, far, (0.6, 0.6, 0.56), (0.45, 0.44, 0.4), (0.75, 0.75, 0.72))
    col = [(0.2, 0.35, 0.6), (0.6, 0.2, 0.18), (0.3, 0.5, 0.35)][int(st.rng.integers(3))]
    doors, vents = [], []
    for s in (-1, 1):
        for dd in np.arange(0.7, far, 0.4):
            doors.append(at.side(s * half * 0.995, 0.15, 1.9, dd + 0.02, dd + 0.38))
            for vy in (1.65, 1.72, 1.79):
                vents.append(at.side(s * half * 0.99, vy, vy + 0.025, dd + 0.08, dd + 0.3))
    st.far.polys(doors, st.tone(col, st.mid_depth, 1.5))
    st.far.polys(vents, st.tone((0.05, 0.05, 0.05), st.mid_depth), 0.8)
    st.sky.polys([at.quad(-0.6, 0.6, 0, 2.1, far - 0.02)], st.tone((0.35, 0.3, 0.25), far, 1.2))
    st.sky.polys(
        [at.quad(-0.45, 0.45, 1.2, 1.9, far - 0.03)], mix(st.light.horizon, st.light.key, 0.3), 0.8
    )
    st.mid.polys(
        [at.quad(-0.6, 0.6, 0.42, 0.48, dd) for dd in (3.0,)]
        + [at.quad(x - 0.04, x + 0.04, 0, 0.45, 3.0) for x in (-0.5, 0.5)],
        st.tone((0.4, 0.3, 0.2), 3.0, 1.4),
    )  # a bench
    ceiling_lights(st, at, ceil, far, size=0.3, step=0.9)


def store(st: Stage) -> None:
    far = _far(st, 14)
    half, ceil = 1.7, 4.0
    at = hall(st, half, ceil, far, (0.75, 0.75, 0.72), (0.6, 0.6, 0.58), (0.85, 0.85, 0.82), k=1.4)
    goods: dict[int, list] = {}
    palette = [
        (0.85, 0.2, 0.15),
        (0.95, 0.75, 0.15),
        (0.2, 0.45, 0.8),
        (0.25, 0.65, 0.3),
        (0.95, 0.95, 0.9),
        (0.9, 0.45, 0.1),
    ]
    boards = []
    for s in (-1, 1):
        ux = s * (half - 0.35)
        for y in np.arange(0.15, 2.0, 0.42):
            boards.append(at.side(s * half, y - 0.05, y, 0.5, far))
            dd = 0.6
            while dd < far:
                run = st.rng.uniform(0.3, 0.9)
                k = int(st.rng.integers(len(palette)))
                hgt = st.rng.uniform(0.18, 0.32)
                goods.setdefault(k, []).append(at.side(ux, y, y + hgt, dd, dd + run))
                dd += run + 0.02
        boards.append(at.side(s * half, 2.0, 2.3, 0.5, far))
    for k, polys in goods.items():
        st.far.polys(polys, st.tone(palette[k], st.mid_depth, 1.8))
    st.far.polys(boards, st.tone((0.85, 0.85, 0.85), st.mid_depth, 1.6))
    for dd in (far * 0.25, far * 0.5):  # hanging aisle signs
        st.far.polys([at.quad(-0.7, 0.7, 2.9, 3.3, dd)], st.tone((0.15, 0.35, 0.7), dd, 1.8))
    ceiling_lights(st, at, ceil, far, xs=(0.0,), size=0.15, step=0.6, color=(0.95, 0.97, 1.0))


def factory(st: Stage) -> None:
    far = _far(st, 25)
    half, ceil = 9.0, 11.0
    at = hall(
        st, half, ceil, far, (0.34, 0.32, 0.29), (0.26, 0.25, 0.23), (0.18, 0.17, 0.16), k=1.0
    )
    side_windows(st, at, half, 6.0, 9.5, far, 4.0, 3.2, near=2.0, frame=(0.12, 0.12, 0.12))
    girders = []
    for dd in np.arange(3.0, far, 4.0):
        girders.append(at.quad(-half, half, ceil - 1.6, ceil - 1.3, dd))
        girders.append(at.quad(-half, half, ceil - 0.3, ceil, dd))
        for x in np.arange(-half, half, 1.5):
            a, b = at(x, ceil - 1.45, dd), at(x + 0.75, ceil - 0.15, dd)
            girders.append([a, (a[0] + 2, a[1]), (b[0] + 2, b[1]), b])
            a2 = at(x + 1.5, ceil - 1.45, dd)
            girders.append([b, (b[0] + 2, b[1]), (a2[0] + 2, a2[1]), a2])
    st.far.polys(girders, st.tone((0.1, 0.1, 0.1), st.mid_depth))
    machines, wheels = [], []
    for dd in np.arange(st.far_depth * 0.8, far - 2.0, 4.5):
        for s in (-1, 1):
            x0 = s * st.rng.uniform(2.0, 3.0)
            x1 = x0 + s * st.rng.uniform(2.5, 4.0)
            hgt = st.rng.uniform(1.5, 3.2)
            machines.append(at.quad(min(x0, x1), max(x0, x1), 0, hgt, dd))
            machines.append(
                at.quad(min(x0, x1) + 0.3, min(x0, x1) + 0.6, hgt, ceil - 1.6, dd)
            )  # a flue
            cx, cy = at((x0 + x1) / 2, hgt * 0.55, dd - 0.01)
            r = st.m(hgt * 0.3, dd)
            wheels.append((cx, cy, r, r))
    st.mid.polys(machines, st.tone((0.2, 0.22, 0.24), far * 0.4, 1.2))
    st.mid.ellipses(wheels, st.tone((0.45, 0.4, 0.3), far * 0.4, 1.5))
    st.mid.ellipses(
        [(x, y, r * 0.25, r * 0.25) for x, y, r, _ in wheels], st.tone((0.1, 0.1, 0.1), far * 0.4)
    )
    for dd in np.arange(4.0, far, 6.0):  # industrial lamps
        for s in (-1, 1):
            lx, ly = at(s * 3.0, ceil - 2.5, dd)
            st.far.polys(
                [
                    [
                        (lx - st.m(0.4, dd), ly + st.m(0.3, dd)),
                        (lx - st.m(0.1, dd), ly),
                        (lx + st.m(0.1, dd), ly),
                        (lx + st.m(0.4, dd), ly + st.m(0.3, dd)),
                    ]
                ],
                st.tone((0.1, 0.1, 0.1), dd),
            )
            st.far.glow(lx, ly + st.m(0.35, dd), st.m(1.2, dd), st.light.windows, 0.45)


def mansion(st: Stage) -> None:
    far = _far(st, 12)
    half, ceil = 6.5, 8.0
    at = hall(
        st,
        half,
        ceil,
        far,
        (0.62, 0.54, 0.42),
        (0.45, 0.38, 0.3),
        (0.7, 0.64, 0.52),
        end=(0.6, 0.52, 0.4),
    )
    side_windows(st, at, half, 1.2, 5.2, far, 3.0, 1.4, near=2.4, frame=(0.45, 0.1, 0.1))
    cols = []
    for dd in np.arange(1.6, far, 3.0):
        for s in (-1, 1):
            x = s * (half - 0.5)
            cols.append(at.quad(x - 0.35, x + 0.35, 0, ceil, dd))
            cols.append(at.quad(x - 0.5, x + 0.5, ceil - 0.6, ceil - 0.3, dd))
            cols.append(at.quad(x - 0.5, x + 0.5, 0, 0.3, dd))
    st.far.polys(cols, st.tone((0.85, 0.8, 0.7), st.mid_depth, 1.6))
    st.sky.polys(
        [at.flat(-1.2, 1.2, 0.005, 0.6, far)], st.tone((0.5, 0.08, 0.1), st.mid_depth, 1.4)
    )  # runner
    steps = []  # the grand staircase rising at the end
    for k in range(14):
        y = k * 0.3
        dd = far - 4.0 + k * 0.28
        steps.append(at.quad(-3.0 + k * 0.05, 3.0 - k * 0.05, y, y + 0.3, dd))
    st.sky.polys(steps[::-1], st.tone((0.78, 0.72, 0.62), far, 1.5))
    st.sky.polys([at.quad(-1.0, 1.0, 0, 4.4, far - 4.05)], st.tone((0.5, 0.08, 0.1), far, 1.4), 0.8)
    cx, cy = at(0, ceil - 2.0, far * 0.45)  # a chandelier
    r = st.m(1.2, far * 0.45)
    st.far.polys([[(cx - 1, -5), (cx + 1, -5), (cx + 1, cy), (cx - 1, cy)]], (0.2, 0.15, 0.05))
    st.far.ellipses(
        [
            (cx + r * np.cos(a), cy + r * 0.3 * np.sin(a), r * 0.08, r * 0.12)
            for a in np.linspace(0, 2 * np.pi, 12, endpoint=False)
        ],
        (1.0, 0.88, 0.6),
    )
    st.far.glow(cx, cy, r * 2.2, (1.0, 0.85, 0.55), 0.7 if practical_on(st) else 0.4)


def cave_inside(st: Stage) -> None:
    """Inside a cave looking toward its mouth: rough rock around a bright opening."""
    w, h = st.w, st.h
    rock = (0.24, 0.2, 0.17)
    st.sky.rgb[:] = st.light.lit(rock, 0.6)
    st.sky.alpha[:] = 1.0
    st.sky.box = [0, 0, w, h]
    mx, my = w * st.rng.uniform(0.35, 0.65), st.horizon - h * 0.05
    t = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    rr = 1 + 0.15 * np.sin(t * 5 + st.rng.uniform(0, 6)) + 0.08 * st.rng.standard_normal(40)
    mouth = np.stack([mx + w * 0.2 * rr * np.cos(t), my + h * 0.32 * rr * np.sin(t)], 1)
    mouth[:, 1] = np.minimum(mouth[:, 1], st.horizon + h * 0.15)
    st.sky.polys([mouth], st.light.atmos(mix(st.light.horizon, st.light.upper, 0.4), 200))
    st.sky.glow(mx, my, w * 0.35, st.light.horizon, 0.5)
    ground_rock(st, rock)
    # the rock walls close in: jagged masses from the edges, stalactites from the roof
    for layer, depth, k in ((st.far, st.far_depth, 0.9), (st.mid, st.mid_depth, 0.6)):
        col = st.tone(rock, depth, k)
        for s in (-1, 1):
            xs = np.linspace(0, 1, 12)
            edge = w * (
                0.5 + s * (0.5 - (0.14 + 0.1 * st.rng.random(12)) * (1.2 - np.sin(xs * np.pi)))
            )
            ys = np.linspace(-10, h + 10, 12)
            outer = -10 if s < 0 else w + 10
            layer.polys(
                [np.concatenate([np.stack([edge, ys], 1), [[outer, h + 10], [outer, -10]]])], col
            )
        roof = h * (0.12 + 0.1 * st.rng.random(16))
        xs = np.linspace(-10, w + 10, 16)
        layer.polys([np.concatenate([np.stack([xs, roof], 1), [[w + 10, -10], [-10, -10]]])], col)
        tips = [
            [(x - w * 0.01, r - 1), (x, r + h * st.rng.uniform(0.05, 0.15)), (x + w * 0.01, r - 1)]
            for x, r in zip(xs[1:-1], roof[1:-1], strict=True)
        ]
        layer.polys(tips, col)
    if st.light.lamps or st.light.fire:
        st.mid.glow(w * 0.5, st.horizon + h * 0.3, w * 0.3, (1.0, 0.6, 0.3), 0.35)


def ground_rock(st: Stage, rock: Color) -> None:
    """A cave's floor: rock-coloured ground and boulders along it."""
    _ground(st, mix(rock, (0.35, 0.3, 0.25), 0.4))
    y = st.framing.ground_y(st.mid_depth)
    stones(
        st,
        st.mid,
        y,
        14,
        st.m(0.8, st.mid_depth),
        st.tone(mix(rock, (0, 0, 0), 0.2), st.mid_depth, 0.9),
    )


INTERIORS = {
    "bedroom": bedroom,
    "bathroom": bathroom,
    "hospital": hospital,
    "interrogation": interrogation,
    "gallery": gallery,
    "shack": shack,
    "garage": garage,
    "cell": cell,
    "church": church,
    "classroom": classroom,
    "courtroom": courtroom,
    "theater": theater,
    "aircraft": aircraft,
    "train": train,
    "ship": ship,
    "lockers": lockers,
    "store": store,
    "factory": factory,
    "hall": mansion,
    "cave": cave_inside,
}
