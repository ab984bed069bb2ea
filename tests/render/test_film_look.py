"""The film look and .cube LUTs."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from storyreel.config import LookConfig
from storyreel.errors import StoryreelError
from storyreel.render.frames import FilmLook
from storyreel.render.lut import dense_table, parse_cube
from tests.render.grading import write_cube

FRAME, PICTURE = (256, 144), (256, 108)
NEUTRAL = {"grain": 0.0, "vignette": 0.0}


def look(frame=FRAME, picture=PICTURE, **kw: object) -> FilmLook:
    settings = {**NEUTRAL, **kw}
    return FilmLook(LookConfig(**settings), frame, picture, Fraction(24))


def picture(value: int | tuple[int, int, int] = 128, size: tuple[int, int] = PICTURE) -> np.ndarray:
    return np.full((size[1], size[0], 3), value, np.uint8)


def test_neutral_look_letterboxes_and_changes_nothing_else() -> None:
    rng = np.random.default_rng(0)
    pic = rng.integers(0, 256, (108, 256, 3), dtype=np.uint8)
    frame = look().finish(pic, 0)
    assert frame.shape == (144, 256, 3)
    assert np.array_equal(frame[18:126], pic)
    assert frame[:18].max() == 0 and frame[126:].max() == 0


def test_pillarbox() -> None:
    frame = look(frame=(256, 144), picture=(192, 144)).finish(picture(200, (192, 144)), 0)
    assert frame[:, :32].max() == 0 and frame[:, 224:].max() == 0 and frame[:, 32:224].min() == 200


def test_lift_gamma_gain_and_saturation() -> None:
    assert look(gain=(0.5, 1.0, 1.0)).grade(picture(200), 0)[0, 0].tolist() == [100, 200, 200]
    assert look(lift=(0.2, 0.2, 0.2)).grade(picture(0), 0)[0, 0].tolist() == [51, 51, 51]
    lifted = look(gamma=(2.0, 2.0, 2.0)).grade(picture(64), 0)[0, 0, 0]
    assert lifted == round(255 * (64 / 255) ** 0.5)
    grey = look(saturation=0.0).grade(picture((200, 50, 50)), 0)[0, 0]
    assert (
        np.ptp(grey) <= 1
        and abs(int(grey[0]) - round(0.2126 * 200 + 0.7152 * 50 + 0.0722 * 50)) <= 1
    )
    vivid = look(saturation=1.5).grade(picture((150, 100, 100)), 0)[0, 0].astype(int)
    assert vivid[0] - vivid[1] > 50


def test_vignette_darkens_the_corners_only() -> None:
    out = look(vignette=1.0).grade(picture(200), 0)
    assert out[54, 128].min() == 200
    assert out[0, 0].max() < 130


def test_grain_changes_every_frame_repeatably_and_spares_blacks_and_whites() -> None:
    lk = look(grain=1.0)
    mid = picture(128)
    a, b, a2 = lk.grade(mid, 3), lk.grade(mid, 4), lk.grade(mid, 3)
    assert np.array_equal(a, a2)
    assert not np.array_equal(a, b)
    assert 4 < a.astype(float).std() < 20
    assert (a[..., 0] == a[..., 1]).all()  # monochrome grain
    black = lk.grade(picture(0), 3).astype(float)
    near_white = lk.grade(picture(250), 3).astype(float)
    assert black.std() < 0.5 and near_white.std() < a.astype(float).std() / 2


def test_fades_at_the_head_and_tail() -> None:
    lk = look(fade_in=0.5, fade_out=0.25)  # 12 and 6 frames at 24 fps
    pic = picture(200)
    gains = [lk.finish(pic, i, 48)[72, 128, 0] / 200 for i in range(48)]
    assert gains[0] == 0 and gains[47] == 0
    assert gains[6] == pytest.approx(0.5, abs=0.01) and gains[12] == 1 and gains[30] == 1
    assert all(x <= y for x, y in zip(gains[:12], gains[1:13], strict=True))
    assert all(x >= y for x, y in zip(gains[41:47], gains[42:48], strict=True))


def test_cube_lut_is_applied_with_trilinear_interpolation(tmp_path: Path) -> None:
    swap = write_cube(tmp_path / "swap.cube", 2, lambda r, g, b: np.stack([b, g, r], -1))
    out = look(lut=str(swap)).grade(picture((200, 100, 30)), 0)
    assert out[0, 0].tolist() == [30, 100, 200]
    curve = write_cube(tmp_path / "curve.cube", 9, lambda r, g, b: np.stack([r**2, g, b], -1))
    out = look(lut=str(curve)).grade(picture((128, 0, 0)), 0)[0, 0, 0]
    x = 128 / 255 * 8  # between lattice points 4 and 5: linear between their squares
    expected = ((4 / 8) ** 2 * (5 - x) + (5 / 8) ** 2 * (x - 4)) * 255
    assert abs(int(out) - expected) <= 1


def test_cube_domain_and_relative_path(tmp_path: Path) -> None:
    half = write_cube(
        tmp_path / "half.cube",
        2,
        lambda r, g, b: np.stack([r, g, b], -1),
        header="DOMAIN_MIN 0 0 0\nDOMAIN_MAX 0.5 0.5 0.5\n",
    )
    lk = FilmLook(
        LookConfig(lut="half.cube", **NEUTRAL), FRAME, PICTURE, Fraction(24), project_root=tmp_path
    )
    assert lk.grade(picture(64), 0)[0, 0].tolist() == [128, 128, 128]  # 0.25 of a 0..0.5 domain
    assert lk.grade(picture(200), 0)[0, 0].tolist() == [255, 255, 255]  # beyond it: clamped
    assert half.exists()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("LUT_3D_SIZE 2\n0 0 0\n1 0\n", 3, "a LUT row needs three numbers"),
        ("LUT_3D_SIZE 2\n0 0 0\n1 0 x\n", 3, "not a number"),
        ('TITLE "a"\nLUT_3D_SIZE 2\n0 0 0\n', 3, "expected 8 rows"),
        ("LUT_1D_SIZE 16\n", 1, "1D LUTs are not supported"),
        ("\n\nLUT_3D_SIZE 1\n", 3, "LUT_3D_SIZE must be 2 to 256"),
        ("0 0 0\n", 1, "data before LUT_3D_SIZE"),
        ("LUT_3D_SIZE 2\nGAMMA 2\n", 2, "unknown keyword 'GAMMA'"),
    ],
)
def test_malformed_cube_names_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "bad.cube"
    path.write_text(text)
    with pytest.raises(StoryreelError, match=message) as e:
        parse_cube(path)
    assert (e.value.path, e.value.line) == (str(path), line)


def test_missing_lut_file(tmp_path: Path) -> None:
    with pytest.raises(StoryreelError, match="no such LUT file"):
        dense_table(tmp_path / "none.cube")
