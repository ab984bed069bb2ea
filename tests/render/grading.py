"""What the LUT tests and `benchmarks/lut.py` grade: `.cube` files written from a colour
function, and a previz still."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from storyreel.model import ShotSize
from tests.stills.conftest import render, scene, shot


def write_cube(path: Path, n: int, fn: Callable[..., np.ndarray], header: str = "") -> Path:
    """An n³ `.cube` of `fn(r, g, b)` (each 0..1, red changing fastest), with a title, a comment
    and `header` (DOMAIN_MIN, DOMAIN_MAX lines) as real LUT files have."""
    g = np.linspace(0.0, 1.0, n)
    b, gg, r = np.meshgrid(g, g, g, indexing="ij")  # red changes fastest
    np.savetxt(
        path,
        fn(r, gg, b).reshape(-1, 3),
        fmt="%.6f",
        comments="",
        header=f'TITLE "test"\n# a comment\nLUT_3D_SIZE {n}\n{header}'.rstrip("\n"),
    )
    return path


def previz_still(size: tuple[int, int], seed: int) -> np.ndarray:
    """A woman waiting on a harbour at dusk, painted by the previz backend."""
    harbour = scene("EXT. HARBOUR - DUSK")
    wide = shot(ShotSize.WS, description="she waits", scene_id=harbour.id)
    return render(wide, harbour, seed, size=size).image
