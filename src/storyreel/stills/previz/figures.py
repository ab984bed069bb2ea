"""Characters that stay themselves: an identity per name, and the silhouette drawn from it.

The identity (proportions, hair or hat, accent colour of the coat) comes from a stable hash of
the name (BLAKE2b, not Python's salted `hash()`), so a character looks the same in every shot,
every take and every run. Their description dresses them (`costume`: a hat, a suit, a dress, a
uniform, grey hair, a child's height); `[characters.NAME]` in storyreel.toml overrides any of
it; without a colour, the first reference image lends its most saturated colour.
"""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from storyreel.config import CharacterConfig, ProjectConfig
from storyreel.errors import StoryreelError
from storyreel.stills.previz.compose import EYE, Figure
from storyreel.stills.previz.costume import read_costume
from storyreel.stills.previz.light import Light
from storyreel.stills.previz.paint import Canvas, Color, ellipse_poly, hex_rgb, mix, poly_cover

HAIRS = ("short", "long", "bun", "bald", "hat", "cap", "hood")
# muted, distinct accents that survive a moody grade
ACCENTS = (
    "#c8553d",
    "#2a9d8f",
    "#e9c46a",
    "#6d597a",
    "#d62828",
    "#277da1",
    "#90be6d",
    "#f28482",
    "#8d6e63",
    "#4d908e",
    "#f77f00",
    "#9b2226",
)


@dataclass(frozen=True)
class Identity:
    name: str
    accent: Color
    build: float  # width factor
    height: float  # height factor
    hair: str
    long_coat: bool
    hair_tone: Color = (0.06, 0.05, 0.05)
    dress: bool = False
    suit: bool = False
    uniform: bool = False
    age: str = "adult"  # child, teen, adult, old


def stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def identity_for(name: str, config: ProjectConfig, root: Path | None = None) -> Identity:
    """The persistent look of character `name` (upper case), with the project's overrides."""
    over = config.characters.get(name.upper(), CharacterConfig())
    key = name.upper() if over.seed is None else f"{name.upper()}#{over.seed}"
    rng = np.random.default_rng(stable_hash(key))
    accent = hex_rgb(ACCENTS[int(rng.integers(len(ACCENTS)))])
    build = float(rng.uniform(0.85, 1.2))
    height = float(rng.uniform(0.92, 1.06))
    hair = HAIRS[int(rng.choice(len(HAIRS), p=[0.3, 0.22, 0.1, 0.06, 0.14, 0.08, 0.1]))]
    long_coat = bool(rng.random() < 0.5)
    refs = [validate_ref(root / r if root else Path(r)) for r in over.refs]
    if over.color:
        accent = hex_rgb(over.color)
    elif refs:
        accent = _ref_accent(refs[0], refs[0].stat().st_mtime_ns)
    worn = read_costume(over.description)
    age = worn.age or "adult"
    height *= _AGE_HEIGHT[age]
    build *= 0.85 if age == "child" else 1.0
    return Identity(
        name.upper(),
        accent,
        over.build or build,
        over.height or height,
        over.hair or worn.hair or hair,
        long_coat if worn.long_coat is None else worn.long_coat,
        worn.hair_tone or (0.06, 0.05, 0.05),
        worn.dress,
        worn.suit,
        worn.uniform,
        age,
    )


_AGE_HEIGHT = {"child": 0.6, "teen": 0.93, "adult": 1.0, "old": 0.95}


def validate_ref(path: Path) -> Path:
    """A reference image that exists and decodes, or a StoryreelError naming the file."""
    if not path.is_file():
        raise StoryreelError("reference image not found", path)
    try:
        with Image.open(path) as im:
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise StoryreelError("reference is not an image Pillow can read", path) from None
    return path


@cache
def _ref_accent(path: Path, _mtime: int) -> Color:
    with Image.open(path) as im:
        small = np.asarray(im.convert("RGB").resize((32, 32)), np.float32) / 255
    hsv = np.array([colorsys.rgb_to_hsv(*p) for p in small.reshape(-1, 3)])
    best = small.reshape(-1, 3)[int(np.argmax(hsv[:, 1] * hsv[:, 2]))]
    return tuple(float(v) for v in best)  # type: ignore[return-value]


# --- the silhouette --------------------------------------------------------------------------
# Units: the figure is 1 tall, head top at y=0, feet at y=1, x=0 its centre, facing +x.


def _parts(ident: Identity) -> dict[str, list[np.ndarray]]:
    b = ident.build
    hem = 0.8 if ident.long_coat else 0.58
    head = [
        ellipse_poly(0.0, 0.058, 0.043, 0.058, 48),
        np.array([[0.0, 0.085], [0.036, 0.08], [0.031, 0.106], [0.004, 0.123], [-0.028, 0.108]]),
        np.array([[0.039, 0.05], [0.052, 0.071], [0.036, 0.078]]),  # nose
        np.array([[-0.021, 0.095], [0.024, 0.095], [0.03, 0.165], [-0.028, 0.165]]),
    ]  # neck
    side = [
        (0.034, 0.146),
        (0.075 * b, 0.155),
        (0.104 * b, 0.17),
        (0.116 * b, 0.2),
        (0.12 * b, 0.32),
        (0.118 * b, 0.47),
        (0.108 * b, 0.52),
        (0.098 * b, 0.5),
        (0.096 * b, hem * 0.9),
        (0.104 * b, hem),
    ]
    if ident.dress:  # fitted to the waist, then flaring to below the knee
        hem = 0.76
        side = side[:6] + [(0.09 * b, 0.44), (0.09 * b, 0.46), (0.13 * b, 0.62), (0.17 * b, hem)]
    coat = [np.array([(x, y) for x, y in side] + [(-x, y) for x, y in reversed(side)])]
    trim: list[np.ndarray] = []  # shirt and tie of a suit, the belt of a uniform
    if ident.suit:
        trim += [
            np.array([[-0.028, 0.15], [0.034, 0.15], [0.004, 0.3]]),
            np.array([[-0.004, 0.16], [0.01, 0.16], [0.012, 0.27], [0.003, 0.29], [-0.006, 0.27]]),
        ]
    if ident.uniform:
        trim += [
            np.array(
                [[-0.118 * b, 0.44], [0.118 * b, 0.44], [0.116 * b, 0.465], [-0.116 * b, 0.465]]
            ),
            np.array([[0.06 * b, 0.152], [0.112 * b, 0.168], [0.11 * b, 0.18], [0.06 * b, 0.165]]),
            np.array(
                [[-0.06 * b, 0.152], [-0.112 * b, 0.168], [-0.11 * b, 0.18], [-0.06 * b, 0.165]]
            ),
        ]
    legs = [
        np.array(
            [
                [s * 0.085 * b, hem - 0.03],
                [s * 0.075 * b, 0.975],
                [s * (0.075 * b + 0.035), 1.0],
                [s * 0.012, 1.0],
                [s * 0.01, hem - 0.03],
            ]
        )
        for s in (-1, 1)
    ]
    hair: list[np.ndarray] = []
    kind = ident.hair
    if kind in ("short", "bun", "long"):  # the top and back of the head; the face stays clear
        hair.append(
            np.array(
                [
                    [0.038, 0.03],
                    [0.03, 0.008],
                    [0.0, -0.004],
                    [-0.03, 0.004],
                    [-0.047, 0.03],
                    [-0.048, 0.07],
                    [-0.04, 0.095],
                    [-0.022, 0.09],
                    [-0.012, 0.05],
                    [0.005, 0.03],
                ]
            )
        )
    if kind == "bun":
        hair.append(ellipse_poly(-0.043, 0.02, 0.024, 0.023))
    if kind == "long":
        hair.append(
            np.array(
                [
                    [-0.047, 0.04],
                    [0.015, 0.02],
                    [0.02, 0.09],
                    [0.006, 0.15],
                    [-0.07, 0.19],
                    [-0.078, 0.12],
                    [-0.056, 0.07],
                ]
            )
        )
    if kind == "hat":
        hair += [
            ellipse_poly(0.0, 0.028, 0.09, 0.013),
            np.array([[-0.046, 0.03], [-0.042, -0.035], [0.042, -0.035], [0.046, 0.03]]),
        ]
    if kind == "cap":
        hair += [
            ellipse_poly(-0.004, 0.036, 0.047, 0.038),
            np.array([[0.02, 0.026], [0.09, 0.038], [0.085, 0.05], [0.02, 0.048]]),
        ]
    if kind == "hood":
        hair.append(
            np.array(
                [
                    [-0.062, 0.06],
                    [-0.048, 0.0],
                    [0.0, -0.012],
                    [0.043, 0.005],
                    [0.056, 0.05],
                    [0.046, 0.1],
                    [0.09 * b, 0.17],
                    [-0.1 * b, 0.17],
                ]
            )
        )
    return {"legs": legs, "coat": coat, "head": head, "hair": hair, "trim": trim}


def draw_figure(
    canvas: Canvas,
    fig: Figure,
    ident: Identity,
    light: Light,
    key_side: int,
    overhead: bool = False,
) -> tuple[int, int, int, int] | None:
    """Draw one character; returns its on-screen box (x0, y0, x1, y1) or None when off frame."""
    height = fig.height * ident.height
    if fig.top + fig.height <= canvas.h * 1.05:  # feet in frame: they stay on the ground
        top = fig.top + fig.height - height
    else:  # the eye line stays where the framing put it
        top = fig.top - (height - fig.height) * EYE
    if overhead:
        return _draw_overhead(canvas, fig, ident, light, height)
    parts = _parts(ident)
    sx = height * fig.facing

    def place(p: np.ndarray) -> np.ndarray:
        return np.stack([fig.x + p[:, 0] * sx, top + p[:, 1] * height], 1)

    placed = {k: [place(p) for p in v] for k, v in parts.items()}
    allpts = np.concatenate([p for v in placed.values() for p in v])
    pad = height * 0.02 + 2
    box = canvas.clip(
        allpts[:, 0].min() - pad,
        allpts[:, 1].min() - pad,
        allpts[:, 0].max() + pad,
        allpts[:, 1].max() + pad,
    )
    if box is None:
        return None
    covers = {k: poly_cover(v, box) for k, v in placed.items() if v}
    dark = light.lit((0.16, 0.13, 0.12), 0.6)
    if fig.foreground:  # out of focus, near black, a soft rim where the key catches it
        body = cv2.GaussianBlur(
            np.maximum.reduce(list(covers.values())), (0, 0), max(1.0, height / 120)
        )
        canvas.paint(box, body, mix(light.shadow, (0, 0, 0), 0.4))
        canvas.paint(box, _rim(body, max(2, int(height * 0.012)), key_side) * 0.35, light.key)
        return _box_of(body, box)
    x0, y0, x1, y1 = box
    ramp = np.linspace(-1.0, 1.0, x1 - x0, dtype=np.float32) * key_side
    shade = (0.8 + 0.3 * np.clip(ramp, -1, 1))[None, :, None]
    coat = np.asarray(
        mix(light.shadow, ident.accent, max(0.35, min(1.0, light.ambient * 1.6))), np.float32
    )
    canvas.paint(box, covers["legs"], light.lit((0.12, 0.12, 0.14), 0.8))
    canvas.paint(box, covers["coat"], np.clip(coat * shade, 0, 1))
    # the face: modelled by the key (a practical's warm light indoors at night), dark on the far side
    skin = np.asarray((0.62, 0.46, 0.38), np.float32)
    key = np.asarray(light.windows if light.lamps else light.key, np.float32)
    lit_face = np.clip(skin * key * (0.8 + 0.6 * light.ambient) + 0.04, 0, 1)
    across = (np.arange(x0, x1, dtype=np.float32) - fig.x) / (0.045 * height) * key_side
    t = np.clip(across * 1.1 + 0.1, 0, 1)[None, :, None] ** 1.3
    face = np.asarray(dark, np.float32) + (lit_face - np.asarray(dark, np.float32)) * t
    canvas.paint(box, covers["head"], face)
    if "hair" in covers:
        worn = ident.hair in ("hat", "cap", "hood")  # headwear stays dark; grey or fair hair shows
        tone = (0.06, 0.05, 0.05) if worn else ident.hair_tone
        canvas.paint(box, covers["hair"], light.lit(tone, 0.5 if tone[0] < 0.2 else 1.2))
    if "trim" in covers:  # a suit's shirt and tie: light and dark; a uniform's belt: dark
        if ident.suit:
            shirt, tie = poly_cover(placed["trim"][:1], box), poly_cover(placed["trim"][1:2], box)
            canvas.paint(box, shirt, light.lit((0.9, 0.9, 0.88), 1.4))
            canvas.paint(box, tie, light.lit((0.1, 0.1, 0.14), 0.8))
        if ident.uniform:
            canvas.paint(
                box,
                poly_cover(placed["trim"][2 if ident.suit else 0 :], box),
                light.lit((0.08, 0.07, 0.06), 0.8),
            )
    body = np.maximum.reduce(list(covers.values()))
    if height > 3.5 * canvas.h:  # close enough to see the eye: a shadowed socket and a catchlight
        ex, ey = place(np.array([[0.024, 0.056]]))[0]
        canvas.ellipses([(ex, ey, 0.011 * height, 0.005 * height)], mix(dark, (0, 0, 0), 0.5), 0.9)
        canvas.polys(
            [place(np.array([[0.008, 0.045], [0.038, 0.043], [0.038, 0.047], [0.008, 0.049]]))],
            mix(dark, (0, 0, 0), 0.6),
            0.8,
        )  # the brow
        canvas.glow(
            ex + 0.003 * height * fig.facing, ey - 0.001 * height, 0.0018 * height, light.key, 0.9
        )
    rim = _rim(body, max(1, int(round(height * 0.006))), key_side)
    canvas.paint(box, rim * {"night": 0.55, "day": 0.45}.get(light.time, 0.8), light.key)
    return _box_of(body, box)


def _rim(body: np.ndarray, shift: int, key_side: int) -> np.ndarray:
    """The edge of a silhouette that faces the key light, `shift` pixels deep."""
    moved = np.zeros_like(body)
    if key_side > 0:
        moved[:, :-shift] = body[:, shift:]
    else:
        moved[:, shift:] = body[:, :-shift]
    return np.clip(body - moved, 0, 1)


def _draw_overhead(canvas: Canvas, fig: Figure, ident: Identity, light: Light, height: float):
    """Seen from straight above: a shadow, shoulders in the coat colour, the head."""
    cy = canvas.h * 0.5 + (fig.top - canvas.h * 0.3) * 0.1
    r = height * 0.2
    b = ident.build
    canvas.ellipses([(fig.x + r * 0.9, cy + r * 0.5, r * 1.3 * b, r * 0.7)], (0, 0, 0), 0.45)
    canvas.ellipses([(fig.x, cy, r * 1.15 * b, r * 0.55)], light.lit(ident.accent, 1.6))
    canvas.ellipses([(fig.x, cy, r * 0.42, r * 0.45)], light.lit((0.06, 0.05, 0.05), 0.5))
    return _clip_box(canvas, fig.x - r * 1.2 * b, cy - r * 0.6, fig.x + r * 1.2 * b, cy + r * 0.6)


def _box_of(cover: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    rows = np.flatnonzero(cover.max(axis=1) > 0.5)
    cols = np.flatnonzero(cover.max(axis=0) > 0.5)
    if not len(rows):
        return None
    return (
        box[0] + int(cols[0]),
        box[1] + int(rows[0]),
        box[0] + int(cols[-1]) + 1,
        box[1] + int(rows[-1]) + 1,
    )


def _clip_box(canvas: Canvas, x0: float, y0: float, x1: float, y1: float):
    b = canvas.clip(x0, y0, x1, y1)
    return None if b is None else (b[0], b[1], min(b[2], canvas.w), min(b[3], canvas.h))
