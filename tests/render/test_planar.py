"""The review look made in Y'CbCr 4:2:0: the same picture as the RGB look, grain in luma alone."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from storyreel.config import LookConfig
from storyreel.errors import StoryreelError
from storyreel.render.encode import Encoder, _yuv420p
from storyreel.render.frames import FilmLook
from storyreel.render.planar import PlanarLook, planes
from storyreel.render.program import Event, Overlay, Program, frame_at, planar_frame_at
from tests.render.test_program import Flat

FPS = Fraction(24)
FRAME, PICTURE = (256, 144), (256, 108)
GRADED = {"contrast": 1.2, "saturation": 0.7, "gain": (1.0, 0.9, 0.8), "vignette": 0.6}


def scene(size: tuple[int, int] = PICTURE) -> np.ndarray:
    """A picture with colour, edges and every tone: a hue ramp across, a tone ramp down."""
    w, h = size
    x, y = np.meshgrid(np.linspace(0, 1, w), np.linspace(0, 1, h))
    rgb = np.stack([x, (1 - x) * y, 0.5 + 0.5 * np.sin(8 * x) * y], axis=-1)
    return np.clip(rgb * 255, 0, 255).astype(np.uint8)


def both(picture: tuple[int, int] = PICTURE, **look: object) -> tuple[FilmLook, PlanarLook]:
    cfg = LookConfig(**{"grain": 0.0, **look})
    return FilmLook(cfg, FRAME, picture, FPS), PlanarLook(FilmLook(cfg, FRAME, picture, FPS))


@pytest.mark.parametrize("picture", [PICTURE, (256, 106), (190, 144)])  # even, odd bars, pillars
def test_the_planes_are_the_rgb_look_converted(picture: tuple[int, int]) -> None:
    rgb, planar = both(picture, **GRADED)
    pic = scene(picture)
    want = _yuv420p(rgb.finish(pic, 3)).astype(int)
    got = planar.finish(pic, 3).astype(int)
    assert got.shape == (216, 256)
    assert np.abs(got - want).max() <= 2 and np.abs(got - want).mean() < 0.3
    y, cb, cr = planes(planar.finish(np.zeros_like(pic), 3), *FRAME)
    assert (y == 16).all() and (cb == 128).all() and (cr == 128).all()  # black, bars included


def test_grain_is_in_luma_alone_repeatable_and_changes_every_frame() -> None:
    _, plain = both()
    _, grainy = both(grain=1.0)
    pic = np.full((108, 256, 3), 128, np.uint8)
    a, b = grainy.finish(pic, 0), grainy.finish(pic, 1)
    assert np.array_equal(a, grainy.finish(pic, 0)) and not np.array_equal(a, b)
    y, cb, cr = planes(a, *FRAME)
    y0, cb0, cr0 = planes(plain.finish(pic, 0), *FRAME)
    assert np.array_equal(cb, cb0) and np.array_equal(cr, cr0)
    grain = y[18:126].astype(int) - y0[18:126]
    assert 1.0 < grain.std() < 6.0 and abs(grain.mean()) < 0.5
    assert (y[:18] == 16).all()  # the bars stay black
    black = planes(grainy.finish(np.zeros_like(pic), 1), *FRAME)[0]
    assert (black == 16).all()  # no grain in the blacks


def test_a_still_pictures_frames_are_kept_and_the_same_as_made_afresh() -> None:
    _, kept = both(grain=1.0, fade_out=0.25, **GRADED)
    _, fresh = both(grain=1.0, fade_out=0.25, **GRADED)
    pic = scene()
    pic.flags.writeable = False  # as a still shot's source hands it out, frame after frame
    frames = [kept.finish(pic, t, 30) for t in range(30)]  # grain cycles, the tail fades
    for t, frame in enumerate(frames):
        assert np.array_equal(frame, fresh.finish(pic.copy(), t, 30)), t
        assert frame.flags.writeable  # a frame of its own, to draw titles on
    assert not np.array_equal(frames[0], frames[1]) and np.array_equal(frames[0], frames[8])
    frames[3][:] = 0
    assert np.array_equal(kept.finish(pic, 3, 30), fresh.finish(pic.copy(), 3, 30))


def test_fades_go_to_black_in_the_planes() -> None:
    rgb, planar = both(fade_in=0.25, fade_out=0.25)
    pic = scene()
    for t in (0, 3, 10, 27, 29):
        want = _yuv420p(rgb.finish(pic, t, 30)).astype(int)
        assert np.abs(planar.finish(pic, t, 30).astype(int) - want).max() <= 2
    y, cb, cr = planes(planar.finish(pic, 0, 30), *FRAME)
    assert (y == 16).all() and (cb == 128).all() and (cr == 128).all()


def test_overlays_are_blended_in_the_planes_and_fade() -> None:
    rgba = np.zeros((144, 256, 4), np.uint8)
    rgba[129:140, 21:120] = (255, 200, 40, 255)  # a subtitle in the bottom bar, on odd pixels
    rgba[40:60, 30:90] = (0, 0, 255, 128)  # half see-through over the picture
    p = Program(FPS, PICTURE, FRAME, [Event(Flat(None, 12), 0, 12)], [Overlay(2, 8, rgba, fade=2)])
    rgb, planar = both()
    for t in (0, 2, 5, 9):
        want = _yuv420p(frame_at(p, t, rgb)).astype(int)
        got = planar_frame_at(p, t, planar).astype(int)
        assert np.abs(got - want).max() <= 3, t
    y = planes(planar_frame_at(p, 5, planar), *FRAME)[0]
    assert y[135, 50] == 16 + round(219 * (0.2126 + 0.7152 * 200 / 255 + 0.0722 * 40 / 255))


def test_the_encoder_takes_the_planes(tmp_path: Path) -> None:
    _, planar = both(**GRADED)
    path = tmp_path / "a.mp4"
    frame = planar.finish(scene(), 0)
    with Encoder(path, FRAME, FPS, crf=0) as enc:
        enc.write(frame)
        enc.write(scene(FRAME))  # RGB frames still go in the same stream
    with av.open(str(path)) as c:
        decoded = [f.to_ndarray(format="yuv420p") for f in c.decode(video=0)]
    assert len(decoded) == 2 and np.array_equal(decoded[0], frame)
    with Encoder(tmp_path / "b.mp4", FRAME, FPS) as enc:
        with pytest.raises(StoryreelError, match="expected"):
            enc.write(frame[:-1])
        enc.write(frame)


def test_a_picture_of_another_size_is_an_error() -> None:
    _, planar = both()
    with pytest.raises(StoryreelError, match="expected 256x108"):
        planar.finish(np.zeros((10, 10, 3), np.uint8), 0)
