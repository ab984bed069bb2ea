"""Inserts: the detail an INSERT (or an ECU with nobody in it) is about, on a surface up close."""

from __future__ import annotations

import re

import numpy as np

from storyreel.stills.previz.paint import Canvas, ellipse_poly, mix
from storyreel.stills.previz.sets import Stage

_PROPS = [
    ("reel", r"reel|can|film|tin|disc|record|clock|watch"),
    ("paper", r"letter|envelope|paper|photo\w*|note|map|page|document|file|ticket|card|book"),
    ("phone", r"phone|screen|message|text|laptop|tablet"),
    ("cup", r"cup|mug|glass|coffee|tea|drink|whisk(e)?y|wine|bottle"),
]


def prop_of(text: str) -> str:
    for kind, pattern in _PROPS:
        if re.search(rf"\b({pattern})\b", text.lower()):
            return kind
    return "box"


def draw_insert(st: Stage, subjects: Canvas, text: str) -> tuple[int, int, int, int] | None:
    """A table top filling the lower frame (mid layer) and the prop on it (subjects layer)."""
    w, h, rng, light = st.w, st.h, st.rng, st.light
    top = h * rng.uniform(0.42, 0.55)
    wood = light.lit((0.32, 0.22, 0.15), 1.5 * (2.0 if light.lamps else 1.0))
    st.mid.polys([[(-5, top), (w + 5, top - h * 0.04), (w + 5, h + 5), (-5, h + 5)]], wood)
    st.mid.polys(
        [
            [
                (-5, top + y),
                (w + 5, top - h * 0.04 + y),
                (w + 5, top - h * 0.04 + y + 2),
                (-5, top + y + 2),
            ]
            for y in np.cumsum(rng.uniform(8, 40, 12)) * h / 400
        ],
        mix(wood, (0, 0, 0), 0.3),
        0.5,
    )
    cx = w * (0.5 + rng.choice([-1, 1]) / 6)
    cy = top + (h - top) * 0.45
    s = h * rng.uniform(0.28, 0.36)
    kind = prop_of(text)
    key = light.key
    practical = 3.0 if light.lamps else 1.0  # a desk lamp or the like lights an insert at night
    st.mid.glow(cx, cy, s * 2.2, light.windows if light.lamps else key, 0.3)
    before = subjects.box
    subjects.ellipses([(cx + s * 0.1, cy + s * 0.25, s * 0.9, s * 0.18)], (0, 0, 0), 0.5)  # shadow
    if kind == "paper":
        a = rng.uniform(-0.3, 0.3)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        corners = np.array([[-1, -0.32], [1, -0.32], [1, 0.32], [-1, 0.32]]) * s * 0.75
        paper = corners @ rot.T + (cx, cy)
        subjects.polys([paper], light.lit((0.9, 0.86, 0.76), 2.2 * practical))
        lines = [
            np.array(
                [[-0.8, y], [0.5 + 0.3 * rng.random(), y], [0.5, y + 0.025], [-0.8, y + 0.025]]
            )
            * s
            * 0.75
            @ rot.T
            + (cx, cy)
            for y in np.arange(-0.2, 0.22, 0.08)
        ]
        subjects.polys(lines, light.lit((0.2, 0.2, 0.25), 1.0), 0.7)
    elif kind == "reel":
        lit = light.lit((0.62, 0.62, 0.64), 2.0 * practical)
        subjects.ellipses([(cx, cy, s * 0.75, s * 0.3)], lit)
        subjects.ellipses(
            [(cx, cy, s * 0.6, s * 0.24)], light.lit((0.25, 0.2, 0.15), 1.5 * practical)
        )
        subjects.ellipses(
            [
                (cx + s * 0.3 * np.cos(a), cy + s * 0.12 * np.sin(a), s * 0.1, s * 0.04)
                for a in np.linspace(0, 2 * np.pi, 6, endpoint=False)
            ],
            (0.02, 0.02, 0.02),
        )
        subjects.ellipses([(cx, cy, s * 0.08, s * 0.035)], lit)
        subjects.ellipses([(cx - s * 0.3, cy - s * 0.15, s * 0.25, s * 0.05)], key, 0.35)
    elif kind == "phone":
        pw, ph = s * 0.35, s * 0.7
        subjects.polys(
            [
                [
                    (cx - pw, cy - ph * 0.3),
                    (cx + pw, cy - ph * 0.3),
                    (cx + pw * 1.1, cy + ph * 0.3),
                    (cx - pw * 1.1, cy + ph * 0.3),
                ]
            ],
            (0.02, 0.02, 0.03),
        )
        subjects.polys(
            [
                [
                    (cx - pw * 0.88, cy - ph * 0.25),
                    (cx + pw * 0.88, cy - ph * 0.25),
                    (cx + pw * 0.97, cy + ph * 0.25),
                    (cx - pw * 0.97, cy + ph * 0.25),
                ]
            ],
            (0.55, 0.78, 0.95),
        )
        st.mid.glow(cx, cy, s * 0.9, (0.4, 0.6, 0.9), 0.45)
    elif kind == "cup":
        cw, ch = s * 0.3, s * 0.55
        body = np.concatenate(
            [
                [[cx - cw, cy - ch]],
                [[cx + cw, cy - ch]],
                ellipse_poly(cx, cy, cw * 0.95, cw * 0.3)[:20],
            ]
        )
        subjects.polys([body], light.lit((0.75, 0.72, 0.68), 1.6 * practical))
        subjects.ellipses([(cx, cy - ch, cw, cw * 0.3)], light.lit((0.2, 0.12, 0.08), 1.0))
        subjects.polys(
            [
                [
                    (cx + cw * 0.5, cy - ch),
                    (cx + cw * 0.6, cy - ch),
                    (cx + cw * 0.6, cy - ch * 0.1),
                    (cx + cw * 0.5, cy - ch * 0.1),
                ]
            ],
            key,
            0.5,
        )
    else:
        bw, bh = s * 0.5, s * 0.35
        subjects.polys(
            [
                [
                    (cx - bw, cy - bh),
                    (cx + bw, cy - bh),
                    (cx + bw, cy + bh * 0.4),
                    (cx - bw, cy + bh * 0.4),
                ]
            ],
            light.lit((0.35, 0.3, 0.26), 1.5 * practical),
        )
        subjects.polys(
            [
                [
                    (cx - bw, cy - bh),
                    (cx + bw, cy - bh),
                    (cx + bw * 0.8, cy - bh * 1.3),
                    (cx - bw * 0.8, cy - bh * 1.3),
                ]
            ],
            light.lit(mix((0.35, 0.3, 0.26), key, 0.5), 2.0 * practical),
        )
    if subjects.box is None or subjects.box == before:
        return None
    x0, y0, x1, y1 = subjects.box
    return x0, y0, min(x1, w), min(y1, h)
