"""A layered still made in code: textured sky (inf), a far set (8 m), a subject (4 m), a
foreground post (2 m), each with a marker of a pure colour that tests track in decoded frames.

Named uniquely rather than `conftest`: test modules of several folders import their helpers,
and a shared module name would resolve to whichever folder's was loaded first."""

from __future__ import annotations

import math

import numpy as np

from storyreel.model import Layer, Still

W, H = 256, 144


def _texture(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(90, 170, size=(H, W, 3), dtype=np.uint8)


def layered_still() -> Still:
    yy, xx = np.mgrid[0:H, 0:W]
    sky = np.dstack([_texture(1), np.full((H, W), 255, np.uint8)])
    far = np.zeros((H, W, 4), np.uint8)
    far[70:, :, :3] = _texture(2)[70:]
    far[70:, :, 3] = 255
    far[80:96, 40:56] = (0, 0, 255, 255)  # blue marker on the far set
    subject = np.zeros((H, W, 4), np.uint8)
    disc = (xx - W / 2) ** 2 + (yy - H / 2) ** 2 < 22**2
    subject[disc] = (255, 0, 0, 255)
    fore = np.zeros((H, W, 4), np.uint8)
    fore[96:116, 196:216] = (0, 255, 0, 255)  # green marker on a dark post reaching the bottom edge
    fore[116:, 200:212] = (30, 30, 30, 255)
    layers = [
        Layer("sky", math.inf, sky),
        Layer("far set", 8.0, far),
        Layer("subjects", 4.0, subject),
        Layer("foreground", 2.0, fore),
    ]
    image = np.zeros((H, W, 3), np.uint8)
    for lay in layers:
        a = lay.rgba[..., 3:4].astype(np.float32) / 255
        image = (lay.rgba[..., :3] * a + image * (1 - a)).astype(np.uint8)
    return Still(image=image, layers=layers, subject_boxes={"MAYA": (106, 50, 150, 94)})
