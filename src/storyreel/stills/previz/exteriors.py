"""Exterior sets beyond the first seven: houses and their yards, gates, pools, pitches, swamps,
ships' decks, castles, camps, graveyards, roadside stations, railway platforms, caves.

Each is a backdrop (sky and a ground colour, `BACKDROPS`) and the set pieces in front of it,
assembled from `parts` and the first sets' pieces (ridges, trees, skylines).
"""

from __future__ import annotations

import numpy as np

from storyreel.stills.previz.interiors import ground_rock
from storyreel.stills.previz.paint import Color, mix, value_noise
from storyreel.stills.previz.parts import Persp, bars, crenels, fence, fire, gabled, windows_on
from storyreel.stills.previz.sets import Stage, _conifer, _ridge, _windows_rate


def _lit(st: Stage) -> float:
    return max(_windows_rate(st) * 1.8, 0.0)


def _tree(
    st: Stage, x: float, d: float, height: float, col: Color | None = None, bare: bool = False
) -> None:
    base, hh = st.framing.ground_y(d), st.m(height, d)
    c = col or st.tone((0.08, 0.11, 0.07), d)
    st.mid.polys(
        [
            [
                (x - hh * 0.04, base - hh * 0.55),
                (x + hh * 0.04, base - hh * 0.55),
                (x + hh * 0.055, base),
                (x - hh * 0.055, base),
            ]
        ],
        c,
    )
    if bare:
        limbs = []
        for k in range(7):
            a = st.rng.uniform(-1.2, 1.2)
            y0 = base - hh * st.rng.uniform(0.45, 0.8)
            ln = hh * st.rng.uniform(0.2, 0.4)
            x1, y1 = x + np.sin(a) * ln, y0 - np.cos(a) * ln
            t = max(1.2, hh * 0.012 * (1.5 - k / 7))
            limbs.append([(x - t, y0), (x + t, y0), (x1 + t * 0.3, y1), (x1 - t * 0.3, y1)])
        st.mid.polys(limbs, c)
        return
    st.mid.ellipses(
        [
            (x + dx * hh, base - hh * (0.72 + dy), hh * r, hh * r * 0.8)
            for dx, dy, r in ((0, 0.05, 0.3), (-0.22, -0.05, 0.22), (0.22, -0.02, 0.24))
        ],
        c,
    )


def _trees_behind(st: Stage) -> None:
    _ridge(
        st.far, st, st.horizon + 2, st.h * 0.06, 6, st.tone((0.12, 0.17, 0.12), st.far_depth / 6)
    )


def house(st: Stage) -> None:
    """A house front with its porch, seen across the lawn and its picket fence."""
    _trees_behind(st)
    d = max(st.mid_depth * 1.3, 16.0)
    x = st.w * (0.5 + st.rng.choice([-1, 1]) * st.rng.uniform(0.05, 0.2))
    palette = [(0.75, 0.72, 0.64), (0.55, 0.62, 0.7), (0.72, 0.6, 0.45), (0.85, 0.85, 0.82)]
    wall = palette[int(st.rng.integers(len(palette)))]
    x0, x1, eaves = gabled(st, st.mid, x, d, 11.0, 6.0, 3.2, wall, (0.2, 0.17, 0.16))
    base = st.framing.ground_y(d)
    mid_y = base - st.m(3.0, d)
    windows_on(st, st.mid, x0, x1, eaves, mid_y, d, 4, 1.0, 1.3, _lit(st))
    windows_on(
        st, st.mid, x0, x1 - (x1 - x0) * 0.45, mid_y, base - st.m(0.4, d), d, 2, 1.0, 1.3, _lit(st)
    )
    # the porch: a roof on posts, its rail, steps down to the path, the door behind
    pd = d * 0.93
    pb = st.framing.ground_y(pd)
    p0, p1 = x - st.m(1.0, pd), x1 + st.m(0.1, pd)
    roof_y = pb - st.m(2.9, pd)
    door = (x + st.m(1.8, d), base - st.m(2.3, d))
    st.mid.polys(
        [
            [
                (door[0] - st.m(0.5, d), door[1]),
                (door[0] + st.m(0.5, d), door[1]),
                (door[0] + st.m(0.5, d), base - st.m(0.5, d)),
                (door[0] - st.m(0.5, d), base - st.m(0.5, d)),
            ]
        ],
        st.tone((0.25, 0.12, 0.1), d),
    )
    if st.light.lamps:
        st.mid.glow(door[0] + st.m(0.8, d), door[1] - 3, st.m(0.5, d), st.light.windows, 0.9)
        st.sky.glow(door[0], door[1] + st.m(1, d), st.m(3.0, d), st.light.windows, 0.3)
    st.mid.polys(
        [
            [
                (p0 - 4, roof_y - st.m(0.35, pd)),
                (p1 + 4, roof_y - st.m(0.35, pd)),
                (p1 + 4, roof_y),
                (p0 - 4, roof_y),
            ]
        ],
        st.tone((0.22, 0.2, 0.19), pd),
    )
    pw = max(2.0, st.m(0.14, pd))
    posts = [
        [(px - pw, roof_y), (px + pw, roof_y), (px + pw, pb), (px - pw, pb)]
        for px in np.linspace(p0, p1, 5)
    ]
    floor_y = pb - st.m(0.5, pd)
    rail = [
        [
            (p0, floor_y - st.m(0.9, pd)),
            (p1, floor_y - st.m(0.9, pd)),
            (p1, floor_y - st.m(0.8, pd)),
            (p0, floor_y - st.m(0.8, pd)),
        ],
        [(p0, floor_y), (p1, floor_y), (p1, pb), (p0, pb)],
    ]
    st.mid.polys(posts + rail, st.tone((0.9, 0.88, 0.84), pd, 1.5))
    spokes = np.arange(p0, p1, st.m(0.15, pd))
    st.mid.polys(
        [
            [
                (sx - 0.7, floor_y - st.m(0.82, pd)),
                (sx + 0.7, floor_y - st.m(0.82, pd)),
                (sx + 0.7, floor_y),
                (sx - 0.7, floor_y),
            ]
            for sx in spokes
        ],
        st.tone((0.9, 0.88, 0.84), pd, 1.5),
        0.8,
    )
    fd = max(st.framing.subject_depth * 1.5, d * 0.45)
    fence(st, fd, -10, st.w + 10, 1.0, 0.14, (0.92, 0.9, 0.86), "picket")
    _tree(st, st.w * (0.08 if x > st.w / 2 else 0.92), d * 0.8, 11.0)


def yard(st: Stage) -> None:
    """A back yard: a tall board fence, a tree, washing on the line, a table under an umbrella."""
    _trees_behind(st)
    d = max(st.mid_depth * 1.1, 12.0)
    base = st.framing.ground_y(d)
    top = base - st.m(1.9, d)
    col = st.tone((0.45, 0.32, 0.2), d, 1.2)
    st.mid.polys([[(-5, top), (st.w + 5, top), (st.w + 5, base), (-5, base)]], col)
    gap = st.m(0.15, d)
    st.mid.polys(
        [
            [(x, top - st.m(0.05, d)), (x + 1.2, top - st.m(0.05, d)), (x + 1.2, base), (x, base)]
            for x in np.arange(0, st.w, gap)
        ],
        st.tone((0.25, 0.17, 0.1), d),
        0.8,
    )
    side = st.rng.choice([-1, 1])
    # the back of the house on one side: a wall, a lit window, the door
    hd = st.framing.subject_depth * 1.4 + 2
    hb = st.framing.ground_y(hd)
    hx = st.w * (0.5 + side * 0.5)
    inner = st.w * (0.5 + side * 0.28)
    wall = [
        (hx + side * 10, hb - st.m(6, hd)),
        (inner, hb - st.m(6, hd)),
        (inner, hb),
        (hx + side * 10, hb),
    ]
    st.mid.polys([wall], st.tone((0.6, 0.58, 0.52), hd, 1.3))
    wx = (inner + hx) / 2
    windows_on(
        st,
        st.mid,
        min(inner, wx),
        max(inner, wx),
        hb - st.m(3, hd),
        hb - st.m(1, hd),
        hd,
        1,
        1.0,
        1.2,
        _lit(st) + 0.3,
    )
    _tree(st, st.w * (0.5 - side * 0.3), d * 0.9, 9.0)
    # the washing line with sheets
    ly = base - st.m(2.0, d * 0.7)
    lx0, lx1 = st.w * (0.5 - side * 0.1) - st.w * 0.2, st.w * (0.5 - side * 0.1) + st.w * 0.2
    st.mid.polys([[(lx0, ly), (lx1, ly), (lx1, ly + 1.2), (lx0, ly + 1.2)]], (0.1, 0.1, 0.1), 0.6)
    sheets = []
    for k, c in enumerate(((0.95, 0.95, 0.92), (0.7, 0.8, 0.9), (0.95, 0.85, 0.8))):
        sx = lx0 + (lx1 - lx0) * (0.1 + 0.3 * k)
        sw = st.m(st.rng.uniform(0.6, 1.0), d * 0.7)
        sheets.append(
            (
                [
                    (sx, ly),
                    (sx + sw, ly),
                    (sx + sw * 0.98, ly + st.m(0.9, d * 0.7)),
                    (sx + sw * 0.02, ly + st.m(0.85, d * 0.7)),
                ],
                c,
            )
        )
    for q, c in sheets:
        st.mid.polys([q], st.tone(c, d * 0.7, 1.8))
    # a table and its umbrella on the patio
    td = max(st.framing.subject_depth + 1.5, 5.0)
    tx = st.w * (0.5 + side * 0.12)
    tb = st.framing.ground_y(td)
    st.mid.polys(
        [
            [
                (tx - st.m(0.6, td), tb - st.m(0.75, td)),
                (tx + st.m(0.6, td), tb - st.m(0.75, td)),
                (tx + st.m(0.55, td), tb - st.m(0.7, td)),
                (tx - st.m(0.55, td), tb - st.m(0.7, td)),
            ],
            [
                (tx - 1.5, tb - st.m(2.3, td)),
                (tx + 1.5, tb - st.m(2.3, td)),
                (tx + 1.5, tb),
                (tx - 1.5, tb),
            ],
        ],
        st.tone((0.85, 0.85, 0.85), td, 1.6),
    )
    st.mid.polys(
        [
            [
                (tx - st.m(1.3, td), tb - st.m(2.0, td)),
                (tx, tb - st.m(2.5, td)),
                (tx + st.m(1.3, td), tb - st.m(2.0, td)),
            ]
        ],
        st.tone((0.8, 0.25, 0.2), td, 1.5),
    )


def gate(st: Stage) -> None:
    """Iron gates between stone pillars, the wall running off, the drive to a distant house."""
    _trees_behind(st)
    far = st.mid_depth * 5
    x = st.w * st.rng.uniform(0.4, 0.6)
    _, _, eaves = gabled(st, st.far, x, far, 30.0, 9.0, 5.0, (0.6, 0.58, 0.52), (0.2, 0.18, 0.18))
    base = st.framing.ground_y(far)
    windows_on(
        st,
        st.far,
        x - st.m(14, far),
        x + st.m(14, far),
        eaves,
        base - st.m(4.5, far),
        far,
        8,
        1.2,
        2.0,
        _lit(st) + 0.1,
    )
    windows_on(
        st,
        st.far,
        x - st.m(14, far),
        x + st.m(14, far),
        base - st.m(4.5, far),
        base,
        far,
        8,
        1.2,
        2.0,
        _lit(st) + 0.1,
    )
    d = max(st.framing.subject_depth * 1.8, 7.0)
    gb = st.framing.ground_y(d)
    st.mid.polys(
        [
            [
                (x - st.m(2.5, d * 0.6), st.h + 5),
                (x - st.m(1.8, far), base),
                (x + st.m(1.8, far), base),
                (x + st.m(2.5, d * 0.6), st.h + 5),
            ]
        ],
        st.tone((0.5, 0.45, 0.38), d, 1.2),
        0.9,
    )  # the drive
    stone = st.tone((0.5, 0.47, 0.42), d, 1.3)
    wall_top = gb - st.m(2.0, d)
    for s in (-1, 1):
        px = x + s * st.m(2.2, d)
        edge = -10 if s < 0 else st.w + 10
        st.mid.polys([[(px, wall_top), (edge, wall_top), (edge, gb), (px, gb)]], stone)
        st.mid.polys(
            [
                [
                    (px - st.m(0.5, d), gb - st.m(3.2, d)),
                    (px + st.m(0.5, d), gb - st.m(3.2, d)),
                    (px + st.m(0.5, d), gb),
                    (px - st.m(0.5, d), gb),
                ],
                [
                    (px - st.m(0.65, d), gb - st.m(3.4, d)),
                    (px + st.m(0.65, d), gb - st.m(3.4, d)),
                    (px + st.m(0.65, d), gb - st.m(3.15, d)),
                    (px - st.m(0.65, d), gb - st.m(3.15, d)),
                ],
            ],
            st.tone((0.62, 0.58, 0.52), d, 1.5),
        )
        lamp = (px, gb - st.m(3.7, d))
        st.mid.ellipses(
            [(lamp[0], lamp[1], st.m(0.18, d), st.m(0.25, d))],
            st.light.windows if st.light.lamps else st.tone((0.2, 0.2, 0.2), d),
        )
        if st.light.lamps:
            st.mid.glow(*lamp, st.m(0.9, d), st.light.windows, 0.8)
    iron = st.tone((0.05, 0.05, 0.06), d)
    g0, g1 = x - st.m(1.7, d), x + st.m(1.7, d)
    arch = gb - st.m(3.0, d)
    bars(st, st.mid, g0, g1, arch + st.m(0.3, d), gb, st.m(0.14, d), max(1.5, st.m(0.035, d)), iron)
    xs = np.linspace(g0, g1, 20)
    ys = arch + st.m(0.35, d) * (1 - np.sin(np.linspace(0, np.pi, 20)))
    st.mid.polys(
        [np.concatenate([np.stack([xs, ys], 1), np.stack([xs[::-1], ys[::-1] + 3], 1)])], iron
    )
    st.mid.polys([[(x - 1.5, arch), (x + 1.5, arch), (x + 1.5, gb), (x - 1.5, gb)]], iron)


def pool(st: Stage) -> None:
    """A swimming pool in a paved terrace, loungers beside it, a house wall or hedge beyond."""
    side = st.rng.choice([-1, 1])
    d0 = max(st.framing.subject_depth * 0.9, 3.0)
    d1 = d0 + st.rng.uniform(12, 18)
    at = Persp(st, st.w * (0.5 + side * 0.12))
    x0, x1 = -3.5, 3.5
    coping = st.tone((0.9, 0.88, 0.82), d0, 1.8)
    st.sky.polys([at.flat(x0 - 0.4, x1 + 0.4, 0, d0 - 0.4, d1 + 0.4)], coping)
    water = [at.flat(x0, x1, 0, d0, d1)]
    st.sky.polys(water, st.tone((0.15, 0.62, 0.72), d0, 1.8))
    lines = [at.flat(x0, x1, 0.0, dd, dd + 0.06 * dd / 4) for dd in np.geomspace(d0 + 0.3, d1, 14)]
    st.sky.polys(lines, st.tone((0.6, 0.9, 0.95), d0, 2.0), 0.5)
    st.sky.glow(
        *at(0, 0, (d0 + d1) / 2),
        st.m(4, (d0 + d1) / 2),
        (0.4, 0.9, 1.0),
        0.5 if st.light.lamps else 0.2,
    )
    # the ladder at the near end, the diving board at the far
    lx = x1 - 0.6
    st.mid.polys(
        [
            at.quad(lx - 0.02, lx + 0.02, 0, 0.9, d0 + 0.2),
            at.quad(lx + 0.48, lx + 0.52, 0, 0.9, d0 + 0.2),
        ],
        st.tone((0.85, 0.85, 0.88), d0, 2.0),
    )
    st.mid.polys(
        [at.flat(-0.3, 0.3, 0.8, d1 - 2.5, d1 + 0.2), at.quad(-0.3, 0.3, 0, 0.8, d1 + 0.2)],
        st.tone((0.9, 0.9, 0.88), d1, 1.8),
    )
    for dd in np.arange(d0 + 1.0, d1, 2.5):  # loungers
        st.mid.polys(
            [
                at.flat(x1 + 1.2, x1 + 1.9, 0.35, dd, dd + 1.8),
                at.quad(x1 + 1.2, x1 + 1.9, 0.35, 0.9, dd),
            ],
            st.tone((0.95, 0.95, 0.92), dd, 1.8),
        )
    hd = d1 + 3.0
    wall = [at.quad(-25, 25, 0, 3.2, hd)]
    st.far.polys(wall, st.tone((0.82, 0.8, 0.74), hd, 1.4))
    glass = [at.quad(x, x + 2.2, 0.1, 2.6, hd - 0.05) for x in np.arange(-10, 10, 2.5)]
    st.far.polys(
        glass,
        st.light.windows
        if st.light.lamps
        else st.tone(mix(st.light.upper, (0.1, 0.15, 0.2), 0.5), hd, 1.0),
        0.9,
    )
    for px in (-8.0, 9.0):  # palms
        bx, by = at(px, 0, hd - 1)
        tx, ty = at(px + 0.6, 8.0, hd - 1)
        c = st.tone((0.12, 0.15, 0.1), hd)
        st.far.polys([[(bx - 2, by), (bx + 2, by), (tx + 1, ty), (tx - 1, ty)]], c)
        st.far.polys(
            [
                [
                    (tx, ty),
                    (tx + np.cos(a) * st.m(3, hd), ty + np.sin(a) * st.m(1.5, hd) + st.m(0.8, hd)),
                    (
                        tx + np.cos(a) * st.m(2.6, hd),
                        ty + np.sin(a) * st.m(1.5, hd) + st.m(1.1, hd),
                    ),
                ]
                for a in np.linspace(np.pi * 0.05, np.pi * 0.95, 7)
            ]
            + [
                [
                    (tx, ty),
                    (tx - np.cos(a) * st.m(3, hd), ty - np.sin(a) * st.m(0.6, hd)),
                    (
                        tx - np.cos(a) * st.m(2.6, hd),
                        ty - np.sin(a) * st.m(0.6, hd) + st.m(0.4, hd),
                    ),
                ]
                for a in (0.2, 0.5)
            ],
            c,
        )


def stadium(st: Stage) -> None:
    """A pitch with its lines, the stands rising on the far side under floodlights."""
    w = st.w
    at = Persp(st, w * st.rng.uniform(0.4, 0.6))
    d_far = max(st.mid_depth * 3.0, 45.0)
    stripes = [at.flat(-60, 60, 0, d, d * 1.18) for d in np.geomspace(2.0, d_far, 18)[::2]]
    st.sky.polys(stripes, st.tone((0.18, 0.42, 0.16), 30, 1.8), 0.35)
    chalk = st.tone((0.95, 0.95, 0.95), 20, 2.0)
    st.sky.polys(
        [
            at.flat(-60, 60, 0, d_far * 0.55, d_far * 0.55 + 0.25),
            at.flat(-0.12, 0.12, 0, 3, d_far),
            at.flat(-20, 20, 0, d_far - 1.5, d_far - 1.2),
        ],
        chalk,
        0.85,
    )
    cx, cy = at(0, 0, d_far * 0.55)
    st.sky.polys(
        [
            np.stack(
                [
                    cx + st.m(9, d_far * 0.55) * np.cos(t),
                    cy + st.m(9, d_far * 0.55) * 0.12 * np.sin(t),
                ],
                1,
            )
            for t in [np.linspace(0, 2 * np.pi, 48)]
        ],
        chalk,
        0.0,
    )
    # the stands: banked tiers with a crowd of specks, a roof over them
    base = st.framing.ground_y(d_far)
    tiers = 9
    crowd = []
    for k in range(tiers):
        y0 = base - st.m(1.0 + k * 1.6, d_far + k * 1.5)
        y1 = base - st.m(1.0 + (k + 1) * 1.6, d_far + (k + 1) * 1.5)
        st.far.polys(
            [[(-10, y1), (w + 10, y1), (w + 10, y0), (-10, y0)]],
            st.tone((0.35, 0.36, 0.4) if k % 2 else (0.3, 0.31, 0.36), d_far, 1.1),
        )
        n = int(w / 3)
        xs = st.rng.uniform(0, w, n)
        crowd.append((xs, np.full(n, (y0 + y1) / 2), abs(y0 - y1)))
    palette = [
        (0.8, 0.2, 0.2),
        (0.9, 0.9, 0.85),
        (0.2, 0.3, 0.7),
        (0.9, 0.7, 0.2),
        (0.15, 0.15, 0.15),
    ]
    for k, c in enumerate(palette):
        dots = [
            (x, y, s * 0.2, s * 0.3)
            for xs, ys, s in crowd
            for x, y in zip(xs[k::5], ys[k::5], strict=True)
        ]
        st.far.polys(
            [
                np.array([[x - rx, y - ry], [x + rx, y - ry], [x + rx, y + ry], [x - rx, y + ry]])
                for x, y, rx, ry in dots
            ],
            st.tone(c, d_far, 1.4),
            0.8,
            disjoint=True,
        )
    top = base - st.m(1.0 + tiers * 1.6, d_far + tiers * 1.5)
    st.far.polys(
        [
            [
                (-10, top - st.m(2, d_far)),
                (w + 10, top - st.m(2.5, d_far)),
                (w + 10, top),
                (-10, top),
            ]
        ],
        st.tone((0.2, 0.2, 0.22), d_far),
    )
    # the advertising boards along the touchline, floodlight towers, the goal
    st.mid.polys(
        [
            [
                (-10, base - st.m(1.0, d_far)),
                (w + 10, base - st.m(1.0, d_far)),
                (w + 10, base),
                (-10, base),
            ]
        ],
        st.tone((0.1, 0.35, 0.75), d_far, 1.8),
    )
    for s in (-1, 1):
        fx = at.vp + s * w * 0.42
        ft = top - st.m(14, d_far)
        st.far.polys(
            [[(fx - 1.5, ft), (fx + 1.5, ft), (fx + 3, base), (fx - 3, base)]],
            st.tone((0.15, 0.15, 0.15), d_far),
        )
        lamps = [
            (fx + dx, ft + dy, st.m(0.6, d_far), st.m(0.5, d_far))
            for dx in np.linspace(-st.m(3, d_far), st.m(3, d_far), 4)
            for dy in (0, st.m(1.1, d_far))
        ]
        st.far.ellipses(
            lamps, (1.0, 1.0, 0.95) if st.light.time != "day" else st.tone((0.6, 0.6, 0.6), d_far)
        )
        if st.light.time in ("night", "dusk"):
            st.sky.glow(fx, ft, st.m(12, d_far), (1.0, 1.0, 0.92), 0.7)
    if st.light.time in ("night", "dusk"):  # the floodlit pitch
        st.sky.glow(at.vp, base + (st.h - base) * 0.5, w * 0.5, (0.75, 0.95, 0.7), 0.45)
    gd = d_far - 2.0
    st.mid.polys(
        [
            at.quad(-3.7, -3.6, 0, 2.44, gd),
            at.quad(3.6, 3.7, 0, 2.44, gd),
            at.quad(-3.7, 3.7, 2.34, 2.44, gd),
        ],
        st.tone((1, 1, 1), gd, 2.0),
    )
    st.mid.polys([at.quad(-3.6, 3.6, 0, 2.34, gd + 1.5)], st.tone((0.85, 0.85, 0.85), gd, 1.5), 0.3)


def swamp(st: Stage) -> None:
    """Black water between reeds and drowned trees, moss hanging, mist on the surface."""
    _ridge(st.far, st, st.horizon + 2, st.h * 0.09, 4, st.tone((0.12, 0.16, 0.1), st.far_depth / 5))
    for _ in range(7):
        d = st.mid_depth * st.rng.uniform(0.8, 3.0)
        x = st.rng.uniform(-0.05, 1.05) * st.w
        c = st.tone((0.1, 0.1, 0.07), d, 0.8)
        _tree(st, x, d, st.rng.uniform(8, 14), c, bare=True)
        base, hh = st.framing.ground_y(d), st.m(10, d)
        st.mid.polys(
            [
                [
                    (x + dx, base - hh * 0.7),
                    (x + dx + 2, base - hh * 0.7),
                    (x + dx + 1, base - hh * st.rng.uniform(0.35, 0.5)),
                ]
                for dx in st.rng.uniform(-hh * 0.25, hh * 0.25, 8)
            ],
            st.tone((0.25, 0.3, 0.2), d),
            0.8,
        )
    reeds = []
    for _ in range(int(st.rng.integers(5, 9))):
        d = st.mid_depth * st.rng.uniform(0.3, 1.5)
        cx = st.rng.uniform(0, st.w)
        base = st.framing.ground_y(d)
        for _k in range(14):
            x = cx + st.rng.normal(0, st.m(0.8, d))
            hh = st.m(st.rng.uniform(0.8, 1.8), d)
            lean = st.rng.uniform(-0.2, 0.2) * hh
            reeds.append(
                [
                    (x - 1, base),
                    (x + 1, base),
                    (x + lean + 0.5, base - hh),
                    (x + lean - 0.5, base - hh),
                ]
            )
    st.mid.polys(reeds, st.tone((0.2, 0.24, 0.12), st.mid_depth * 0.8, 1.2))
    st.mid.glow(st.w * 0.5, st.horizon + st.h * 0.05, st.w * 0.5, st.light.haze, 0.45)


def deck(st: Stage) -> None:
    """A ship's deck: planks to the rail, the sea beyond it, a mast and a lifeboat."""
    w, h = st.w, st.h
    d = max(st.framing.subject_depth + 3.0, 6.0)
    rb = st.framing.ground_y(d)
    wood = st.tone((0.42, 0.3, 0.2), d, 1.4)
    st.mid.polys([[(-5, rb), (w + 5, rb), (w + 5, h + 5), (-5, h + 5)]], wood)
    at = Persp(st, w * st.rng.uniform(0.3, 0.7))
    seams = [
        [
            at(x, 0, d),
            (at(x, 0, d)[0] + 1.2, rb),
            (at(x * 0.1, 0, 0.6)[0] + 2, h + 5),
            (at(x * 0.1, 0, 0.6)[0], h + 5),
        ]
        for x in np.arange(-30, 30, 0.25)
    ]
    st.mid.polys(seams, st.tone((0.2, 0.14, 0.09), d), 0.6)
    white = st.tone((0.92, 0.92, 0.9), d, 1.8)
    top = rb - st.m(1.05, d)
    posts = [
        [(x - 1.5, top), (x + 1.5, top), (x + 1.5, rb), (x - 1.5, rb)]
        for x in np.arange(0, w, st.m(1.2, d))
    ]
    st.mid.polys(
        posts
        + [
            [
                (-5, top),
                (w + 5, top),
                (w + 5, top + st.m(0.07, d) + 1),
                (-5, top + st.m(0.07, d) + 1),
            ],
            [
                (-5, top + (rb - top) * 0.5),
                (w + 5, top + (rb - top) * 0.5),
                (w + 5, top + (rb - top) * 0.5 + 1.5),
                (-5, top + (rb - top) * 0.5 + 1.5),
            ],
        ],
        white,
    )
    side = st.rng.choice([-1, 1])
    mx = w * (0.5 + side * 0.38)
    md = d * 0.8
    mb = st.framing.ground_y(md)
    st.mid.polys(
        [
            [
                (mx - st.m(0.15, md), -10),
                (mx + st.m(0.15, md), -10),
                (mx + st.m(0.2, md), mb),
                (mx - st.m(0.2, md), mb),
            ]
        ],
        st.tone((0.3, 0.25, 0.2), md),
    )
    st.mid.polys(
        [[(mx, -10), (mx + 1, -10), (mx + side * w * 0.4, top), (mx + side * w * 0.4 - 1, top)]],
        st.tone((0.1, 0.1, 0.1), md),
        0.7,
    )  # a stay
    lx = w * (0.5 - side * 0.3)  # a lifeboat on its davits
    ly = top - st.m(1.4, d)
    lw, lh = st.m(2.5, d), st.m(0.8, d)
    st.mid.polys(
        [[(lx - lw, ly), (lx + lw, ly), (lx + lw * 0.8, ly + lh), (lx - lw * 0.8, ly + lh)]],
        st.tone((0.9, 0.45, 0.15), d, 1.6),
    )
    st.mid.polys(
        [
            [
                (lx + s * lw * 0.9 - 1.5, ly - st.m(0.6, d)),
                (lx + s * lw * 0.9 + 1.5, ly - st.m(0.6, d)),
                (lx + s * lw * 0.9 + 1.5, rb),
                (lx + s * lw * 0.9 - 1.5, rb),
            ]
            for s in (-1, 1)
        ],
        white,
    )


def castle(st: Stage) -> None:
    """A castle on its rise: curtain wall, towers with crenels and slit windows, a gatehouse."""
    _ridge(st.far, st, st.horizon + 2, st.h * 0.05, 8, st.tone((0.2, 0.26, 0.2), st.far_depth / 3))
    d = max(st.mid_depth * 3.5, 60.0)
    base = st.framing.ground_y(d) + st.m(4, d)
    stone = st.tone((0.42, 0.4, 0.38), d, 1.1)
    cx = st.w * st.rng.uniform(0.35, 0.65)
    span = st.m(st.rng.uniform(70, 100), d)
    merlon = max(2.0, st.m(1.0, d))
    crenels(st, st.far, cx - span / 2, cx + span / 2, base - st.m(12, d), base, merlon, stone)
    slits = []
    for tx, th, tw in (
        (cx - span / 2, 24, 10),
        (cx + span / 2, 22, 10),
        (cx - span * 0.12, 34, 14),
        (cx + span * 0.2, 28, 11),
    ):
        tw_px, top = st.m(tw, d), base - st.m(th, d)
        crenels(st, st.far, tx - tw_px / 2, tx + tw_px / 2, top, base, merlon, stone)
        if st.rng.random() < 0.5:
            st.far.polys(
                [
                    [
                        (tx - tw_px * 0.6, top + merlon * 0.8),
                        (tx, top - st.m(8, d)),
                        (tx + tw_px * 0.6, top + merlon * 0.8),
                    ]
                ],
                st.tone((0.25, 0.15, 0.15), d),
            )
        for yy in (0.3, 0.55):
            slits.append(
                [
                    (tx - 1.5, top + (base - top) * yy),
                    (tx + 1.5, top + (base - top) * yy),
                    (tx + 1.5, top + (base - top) * yy + st.m(2, d)),
                    (tx - 1.5, top + (base - top) * yy + st.m(2, d)),
                ]
            )
    st.far.polys(slits, st.light.windows if st.light.lamps else st.tone((0.05, 0.05, 0.05), d))
    gx = cx + span * 0.04
    aw, ah = st.m(4, d), st.m(6, d)
    xs = np.linspace(gx - aw / 2, gx + aw / 2, 16)
    ys = base - ah + ah * 0.4 * (1 - np.sin(np.linspace(0, np.pi, 16)))
    st.far.polys(
        [np.concatenate([np.stack([xs, ys], 1), [[gx + aw / 2, base], [gx - aw / 2, base]]])],
        st.tone((0.05, 0.04, 0.04), d),
    )
    fx = cx - span * 0.12
    ft = base - st.m(34, d)
    st.far.polys(
        [
            [(fx - 1, ft - st.m(8, d)), (fx + 1, ft - st.m(8, d)), (fx + 1, ft), (fx - 1, ft)],
            [
                (fx + 1, ft - st.m(8, d)),
                (fx + st.m(5, d), ft - st.m(6.5, d)),
                (fx + 1, ft - st.m(5, d)),
            ],
        ],
        st.tone((0.6, 0.12, 0.12), d, 1.5),
    )
    # the hill under it
    _ridge(
        st.mid,
        st,
        st.framing.ground_y(st.mid_depth * 2),
        st.h * 0.05,
        10,
        st.tone((0.18, 0.24, 0.14), st.mid_depth * 2),
    )


def campfire(st: Stage) -> None:
    """A fire in a clearing: pines around, a tent, logs to sit on, its glow on everything."""
    for _ in range(10):
        d = max(st.mid_depth, 10.0) * st.rng.uniform(1.2, 3.0)
        _conifer(st.far, st, st.rng.uniform(-0.05, 1.05) * st.w, d)
    d = max(st.framing.subject_depth * 1.3, 4.0)
    x = st.w * st.rng.uniform(0.4, 0.6)
    base = st.framing.ground_y(d)
    logs = st.tone((0.22, 0.14, 0.08), d, 1.6)
    for s in (-1, 1):
        lx = x + s * st.m(2.0, d)
        st.mid.polys(
            [
                [
                    (lx - st.m(0.9, d), base - st.m(0.35, d)),
                    (lx + st.m(0.9, d), base - st.m(0.35, d)),
                    (lx + st.m(0.95, d), base + st.m(0.1, d)),
                    (lx - st.m(0.95, d), base + st.m(0.1, d)),
                ]
            ],
            logs,
        )
    fire(st, st.mid, x, d, 0.9)
    td = d * 2.2
    tb = st.framing.ground_y(td)
    tx = x + st.rng.choice([-1, 1]) * st.m(4.0, td)
    tw, th = st.m(1.6, td), st.m(1.7, td)
    st.mid.polys(
        [[(tx - tw, tb), (tx, tb - th), (tx + tw, tb)]], st.tone((0.55, 0.4, 0.2), td, 1.8)
    )
    st.mid.polys(
        [[(tx - tw * 0.2, tb), (tx, tb - th * 0.55), (tx + tw * 0.2, tb)]], (0.05, 0.03, 0.02)
    )
    st.sky.glow(x, base, st.w * 0.35, (1.0, 0.5, 0.15), 0.35)


def graveyard(st: Stage) -> None:
    """Rows of headstones and crosses in the grass, a church and a bare tree behind."""
    _trees_behind(st)
    cd = max(st.mid_depth * 4, 50.0)
    cx = st.w * st.rng.uniform(0.25, 0.75)
    x0, x1, eaves = gabled(
        st, st.far, cx, cd, 12.0, 8.0, 5.0, (0.45, 0.43, 0.4), (0.25, 0.22, 0.22)
    )
    tx = x0 + st.m(1.5, cd)
    cb = st.framing.ground_y(cd)
    tw = st.m(2.6, cd)
    st.far.polys(
        [
            [
                (tx - tw, cb - st.m(16, cd)),
                (tx + tw, cb - st.m(16, cd)),
                (tx + tw, cb),
                (tx - tw, cb),
            ],
            [
                (tx - tw * 1.1, cb - st.m(16, cd)),
                (tx, cb - st.m(25, cd)),
                (tx + tw * 1.1, cb - st.m(16, cd)),
            ],
        ],
        st.tone((0.42, 0.4, 0.37), cd, 1.1),
    )
    stones = {}
    for d in np.geomspace(max(st.framing.subject_depth * 0.8, 3.0), cd * 0.6, 9):
        base = st.framing.ground_y(d)
        for x in np.arange(
            st.rng.uniform(-0.1, 0.05) * st.w, st.w * 1.05, st.m(st.rng.uniform(1.6, 2.2), d)
        ):
            x += st.rng.normal(0, st.m(0.2, d))
            sw, sh = st.m(0.5, d) / 2, st.m(st.rng.uniform(0.7, 1.1), d)
            kind = st.rng.random()
            if kind < 0.2:
                poly = [
                    (x - sw * 0.2, base),
                    (x - sw * 0.2, base - sh * 0.7),
                    (x - sw, base - sh * 0.7),
                    (x - sw, base - sh * 0.85),
                    (x - sw * 0.2, base - sh * 0.85),
                    (x - sw * 0.2, base - sh * 1.1),
                    (x + sw * 0.2, base - sh * 1.1),
                    (x + sw * 0.2, base - sh * 0.85),
                    (x + sw, base - sh * 0.85),
                    (x + sw, base - sh * 0.7),
                    (x + sw * 0.2, base - sh * 0.7),
                    (x + sw * 0.2, base),
                ]
            else:
                t = np.linspace(0, np.pi, 9)
                poly = (
                    [(x - sw, base)]
                    + [(x - sw * np.cos(a), base - sh + sw * 0.8 * (1 - np.sin(a))) for a in t]
                    + [(x + sw, base)]
                )
            stones.setdefault(round(float(d), 1), []).append(np.array(poly))
    for d in sorted(stones, reverse=True):
        st.mid.polys(stones[d], st.tone((0.55, 0.55, 0.52), d, 1.4))
    _tree(st, st.w * st.rng.choice([0.12, 0.88]), st.mid_depth * 1.2, 10.0, bare=True)


def roadside(st: Stage) -> None:
    """A gas station on an empty road: the lit canopy over its pumps, the shop, the tall sign."""
    _ridge(st.far, st, st.horizon + 2, st.h * 0.05, 12, st.tone((0.25, 0.28, 0.25), st.far_depth))
    w = st.w
    at = Persp(st, w * st.rng.uniform(0.4, 0.6))
    d = max(st.mid_depth * 1.2, 14.0)
    night = st.light.time in ("night", "dusk")
    st.sky.polys([at.flat(-40, 40, 0.0, d - 8, d + 6)], st.tone((0.22, 0.22, 0.23), d, 1.2))
    shop = [at.quad(-4, 10, 0, 3.6, d + 6)]
    st.far.polys(shop, st.tone((0.75, 0.72, 0.66), d + 6, 1.3))
    st.far.polys(
        [at.quad(-3, 3.5, 0.3, 2.6, d + 5.95)],
        (0.95, 0.95, 0.85) if night else st.tone(mix(st.light.upper, (0.1, 0.1, 0.1), 0.4), d, 1.0),
        0.9,
    )
    st.far.polys([at.quad(-4, 10, 3.6, 4.3, d + 5.9)], st.tone((0.8, 0.15, 0.12), d + 6, 1.6))
    under = (0.98, 0.98, 0.92) if night else st.tone((0.75, 0.75, 0.75), d, 1.2)
    st.mid.polys(
        [at.quad(-9, 6, 4.6, 5.4, d - 3), at.quad(-9, 6, 4.5, 4.6, d - 3)],
        st.tone((0.85, 0.85, 0.85), d, 1.6),
    )
    st.mid.polys([at.quad(-9, 6, 4.45, 4.5, d - 3)], st.tone((0.8, 0.15, 0.12), d, 1.6))
    st.mid.polys(
        [at.quad(px - 0.2, px + 0.2, 0, 4.5, d - 3) for px in (-7.5, -1.5, 4.5)],
        st.tone((0.85, 0.85, 0.85), d, 1.5),
    )
    st.mid.polys(
        [at.quad(px - 0.35, px + 0.35, 0, 1.6, d - 3.2) for px in (-4.5, 1.5)],
        st.tone((0.85, 0.2, 0.15), d, 1.6),
    )
    st.mid.polys(
        [at.quad(px - 0.25, px + 0.25, 1.0, 1.4, d - 3.25) for px in (-4.5, 1.5)], under, 0.9
    )
    if night:
        cx, cy = at(-1.5, 4.4, d - 3)
        st.sky.glow(cx, cy + st.m(3, d), st.m(9, d), (0.95, 0.98, 1.0), 0.75)
        st.mid.glow(cx, cy, st.m(6, d), (0.95, 0.98, 1.0), 0.35)
    px, py = at(13, 9, d - 1)
    bx, by = at(13, 0, d - 1)
    st.mid.polys(
        [[(px - 2, py), (px + 2, py), (bx + 2, by), (bx - 2, by)]], st.tone((0.2, 0.2, 0.2), d)
    )
    sw = st.m(3, d)
    st.mid.polys(
        [
            [
                (px - sw / 2, py - sw * 0.8),
                (px + sw / 2, py - sw * 0.8),
                (px + sw / 2, py),
                (px - sw / 2, py),
            ]
        ],
        (0.95, 0.8, 0.2) if night else st.tone((0.95, 0.8, 0.2), d, 1.8),
    )
    if night:
        st.mid.glow(px, py - sw * 0.4, sw, (1.0, 0.8, 0.3), 0.6)


def platform(st: Stage) -> None:
    """A railway platform under its canopy, the edge and the tracks running to the horizon."""
    w = st.w
    side = st.rng.choice([-1, 1])
    at = Persp(st, w * (0.5 - side * 0.15))
    far = 400.0
    st.sky.polys(
        [at.flat(side * 1.0, side * 9.0, 0.0, 0.5, far)], st.tone((0.5, 0.48, 0.45), 30, 1.3)
    )
    st.sky.polys(
        [at.flat(side * 1.0, side * 1.4, 0.01, 0.5, far)], st.tone((0.9, 0.8, 0.2), 20, 1.6)
    )
    ballast = at.flat(-side * 6.0, side * 1.0, -0.01, 0.5, far)
    st.sky.polys([ballast], st.tone((0.25, 0.23, 0.21), 30, 1.0))
    sleepers = [
        at.flat(-side * 4.3 - 1.3, -side * 4.3 + 1.3, -0.005, dd, dd + 0.25)
        for dd in np.arange(1.0, 120.0, 0.7)
    ]
    st.sky.polys(sleepers, st.tone((0.18, 0.13, 0.1), 20, 1.0), 0.9)
    rails = [
        at.flat(-side * 4.3 + s * 0.72 - 0.04, -side * 4.3 + s * 0.72 + 0.04, 0.0, 0.5, far)
        for s in (-1, 1)
    ]
    st.sky.polys(rails, st.tone((0.6, 0.6, 0.62), 20, 2.0))
    st.sky.polys(
        [
            at.quad(min(side * 1.0, side * 1.02), max(side * 1.0, side * 1.02), -0.9, 0, dd)
            for dd in (0.5,)
        ],
        st.tone((0.3, 0.3, 0.3), 5),
    )
    # the canopy on its columns, lamps hanging under it
    ceil = 4.0
    cols = [
        at.quad(side * 5.0 - 0.12, side * 5.0 + 0.12, 0, ceil, dd)
        for dd in np.arange(2.0, 80.0, 6.0)
    ]
    st.far.polys(cols, st.tone((0.2, 0.3, 0.25), 20, 1.2))
    roof = [
        at.flat(side * 0.8, side * 9.0, ceil, 0.5, 90.0),
        at.quad(min(side * 0.8, side * 9.0), max(side * 0.8, side * 9.0), ceil, ceil + 0.4, 90.0),
    ]
    st.far.polys(roof, st.tone((0.2, 0.22, 0.22), 20, 1.0))
    st.far.polys(
        [at.side(side * 0.8, ceil - 0.35, ceil, 0.5, 90.0)], st.tone((0.35, 0.3, 0.2), 20, 1.3)
    )
    for dd in np.arange(3.0, 60.0, 6.0):
        lx, ly = at(side * 3.0, ceil - 0.5, dd)
        st.far.ellipses(
            [(lx, ly, st.m(0.25, dd), st.m(0.25, dd))],
            st.light.windows if st.light.lamps else (0.9, 0.9, 0.85),
        )
        if st.light.lamps:
            st.far.glow(lx, ly, st.m(1.5, dd), st.light.windows, 0.45)
    sx, sy = at(side * 3.0, ceil - 1.2, 8.0)  # the station sign
    st.far.polys(
        [
            [
                (sx - st.m(1.2, 8), sy - st.m(0.3, 8)),
                (sx + st.m(1.2, 8), sy - st.m(0.3, 8)),
                (sx + st.m(1.2, 8), sy + st.m(0.3, 8)),
                (sx - st.m(1.2, 8), sy + st.m(0.3, 8)),
            ]
        ],
        st.tone((0.12, 0.25, 0.55), 8, 1.8),
    )


def cave_mouth(st: Stage) -> None:
    """A cliff face with the dark mouth of a cave, boulders at its foot."""
    w = st.w
    d = max(st.mid_depth * 3.0, 40.0)
    base = st.framing.ground_y(d)
    rock = (0.4, 0.34, 0.28)
    xs = np.linspace(-10, w + 10, 24)
    top = base - st.m(14, d) * (0.7 + 0.5 * value_noise(st.rng, 24, 2))
    st.mid.polys(
        [np.concatenate([np.stack([xs, top], 1), [[w + 10, base + 3], [-10, base + 3]]])],
        st.tone(rock, d, 1.2),
    )
    strata = [
        np.array([[-10, y], [w + 10, y + st.rng.uniform(-8, 8)], [w + 10, y + 3], [-10, y + 3]])
        for y in np.linspace(base - st.m(16, d), base, 9)
    ]
    st.mid.polys(strata, st.tone(mix(rock, (0, 0, 0), 0.35), d), 0.5)
    mx = w * st.rng.uniform(0.35, 0.65)
    mw, mh = st.m(st.rng.uniform(8, 11), d), st.m(st.rng.uniform(5, 7), d)
    t = np.linspace(np.pi, 2 * np.pi, 24)
    rr = 1 + 0.04 * st.rng.standard_normal(24)
    mouth = np.concatenate(
        [
            np.stack([mx + mw / 2 * rr * np.cos(t), base - mh * rr * -np.sin(t) * 1.0], 1),
            [[mx + mw / 2, base + 2], [mx - mw / 2, base + 2]],
        ]
    )
    mouth[:, 1] = np.where(mouth[:, 1] > base, base + 2, mouth[:, 1])
    st.mid.polys([mouth], (0.02, 0.02, 0.02))
    if st.light.lamps or st.light.fire:
        st.mid.glow(mx, base - mh * 0.3, mw * 0.4, (1.0, 0.55, 0.2), 0.6)
    ground_rock(st, rock)


# kind → (ground colour, water under the sky?, painter)
EXTERIORS = {
    "house": ((0.22, 0.32, 0.16), False, house),
    "yard": ((0.24, 0.34, 0.17), False, yard),
    "gate": ((0.22, 0.3, 0.16), False, gate),
    "pool": ((0.7, 0.66, 0.58), False, pool),
    "stadium": ((0.16, 0.38, 0.14), False, stadium),
    "swamp": ((0.08, 0.11, 0.07), True, swamp),
    "deck": ((0.10, 0.18, 0.24), True, deck),
    "castle": ((0.2, 0.28, 0.14), False, castle),
    "campfire": ((0.13, 0.1, 0.07), False, campfire),
    "graveyard": ((0.2, 0.27, 0.14), False, graveyard),
    "roadside": ((0.3, 0.28, 0.22), False, roadside),
    "platform": ((0.25, 0.25, 0.25), False, platform),
    "cave": ((0.32, 0.28, 0.22), False, cave_mouth),
}
