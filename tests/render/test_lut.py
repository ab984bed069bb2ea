""".cube LUTs applied to pictures: exact where the LUT is affine, trilinear everywhere else."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from storyreel.render.lut import apply_lut, dense_table, parse_cube
from tests.render.grading import previz_still, write_cube

SIZES = [2, 17, 33, 65]


def identity(r, g, b):
    return np.stack([r, g, b], -1)


def swap_invert(r, g, b):
    return np.stack([1 - b, r, g], -1)


def trilinear(path: Path, rgb: np.ndarray) -> np.ndarray:
    """The LUT at each pixel in float64 code values: the 8 lattice points around it, weighted."""
    lattice, lo, hi = parse_cube(path)
    n = lattice.shape[0]
    pos = np.clip((rgb / 255.0 - lo) / (hi - lo), 0, 1) * (n - 1)  # r, g, b
    i = np.minimum(pos.astype(int), n - 2)
    f = pos - i
    out = np.zeros(rgb.shape)
    for corner in itertools.product((0, 1), repeat=3):  # (r, g, b) offsets
        weight = np.prod([f[..., c] if d else 1 - f[..., c] for c, d in enumerate(corner)], axis=0)
        out += (
            weight[..., None]
            * lattice[i[..., 2] + corner[2], i[..., 1] + corner[1], i[..., 0] + corner[0]]
        )
    return np.clip(out * 255.0, 0, 255)


def gradient() -> np.ndarray:
    """Every code value on every channel: red across, green down, blue in bands."""
    x = np.arange(256, dtype=np.uint8)
    r, g = np.meshgrid(x, x)
    return np.stack([r, g, (r // 16 * 16 + g // 16).astype(np.uint8)], -1)


@pytest.mark.parametrize("n", SIZES)
def test_identity_lut_leaves_the_picture_unchanged(tmp_path: Path, n: int) -> None:
    table = dense_table(write_cube(tmp_path / "identity.cube", n, identity))
    pic = gradient()
    assert np.array_equal(apply_lut(pic, table), pic)


@pytest.mark.parametrize("n", SIZES)
def test_swap_and_invert_lut_gives_the_exact_colours(tmp_path: Path, n: int) -> None:
    table = dense_table(write_cube(tmp_path / "swap.cube", n, swap_invert))
    pixels = np.array([[[200, 100, 30], [0, 0, 0], [255, 255, 255], [1, 254, 128]]], np.uint8)
    out = apply_lut(pixels, table)
    assert out[0].tolist() == [[225, 200, 100], [255, 0, 0], [0, 255, 255], [127, 1, 254]]


def test_a_curved_lut_is_trilinear_on_a_still_and_a_gradient(tmp_path: Path) -> None:
    def look(r, g, b):  # crosstalk, a toe and a roll-off, and values outside 0..1 that must clip
        return np.stack([r**2.2 + 0.1 * g, np.sqrt(g) * 1.1 - 0.05, 0.6 * b + 0.3 * r * g], -1)

    path = write_cube(
        tmp_path / "look.cube", 17, look, header="DOMAIN_MIN 0.02 0 0\nDOMAIN_MAX 1 0.9 1\n"
    )
    table = dense_table(path)
    for pic in (previz_still((320, 180), 7), gradient()):
        out = apply_lut(pic, table)
        assert out.shape == pic.shape and out.dtype == np.uint8
        assert np.abs(out - trilinear(path, pic)).max() <= 0.5 + 1e-3  # rounded to the nearest code


def test_an_edited_lut_file_is_read_afresh(tmp_path: Path) -> None:
    path = write_cube(tmp_path / "grade.cube", 2, identity)
    pic = np.array([[[200, 100, 30]]], np.uint8)
    assert apply_lut(pic, dense_table(path)).tolist() == [[[200, 100, 30]]]
    write_cube(path, 2, swap_invert)
    assert apply_lut(pic, dense_table(path)).tolist() == [[[225, 200, 100]]]
