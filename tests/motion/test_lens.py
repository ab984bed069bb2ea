"""The shot's lens in the camera: a long lens flattens a move's parallax, a wide one deepens it."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from storyreel.config import LookConfig, ProjectConfig
from storyreel.lens import DEFAULT_LENS_MM, focal_px
from storyreel.model import Move, Shot, ShotSize, SourceSpan
from storyreel.motion.base import ClipRequest
from storyreel.motion.camera import CameraBackend, CameraClip
from storyreel.stills.base import StillRequest
from storyreel.stills.previz import PrevizBackend
from tests.motion.motion_fixtures import H, W, layered_still
from tests.motion.test_camera_moves import SCENE, centroid, mask


def lens_clip(
    move: Move, lens: float | None, look_lens: float | None = None, intensity: float = 1.0
) -> CameraClip:
    shot = Shot(
        id="1A",
        scene_id="s1",
        size=ShotSize.MS,
        move=move,
        move_intensity=intensity,
        lines=SourceSpan(path="film.fountain", start=7, end=7),
        duration=0.5,
        lens=lens,
    )
    config = ProjectConfig(look=LookConfig(lens=look_lens))
    return CameraBackend().animate(
        ClipRequest(shot, SCENE, layered_still(), config, 1, Fraction(24), 12, (W, H))
    )


def shift(c: CameraClip, colour: str) -> np.ndarray:
    return centroid(c.frame(c.n_frames - 1), colour) - centroid(c.frame(0), colour)


def test_a_wide_lens_shows_more_parallax_in_a_truck_than_a_long_one() -> None:
    ratio, sweep = {}, {}
    for lens in (24.0, None, 85.0):
        c = lens_clip(Move.TRUCK_RIGHT, lens)
        fg, bg = shift(c, "green"), shift(c, "blue")  # the post at 2 m, the set at 8 m
        ratio[lens] = fg[0] / bg[0]
        sweep[lens] = shift(c, "red")[0]
    assert ratio[24.0] > 1.15 * ratio[None] > 1.3 * ratio[85.0]
    assert ratio[85.0] > 1.2  # still some parallax, just less
    # the same framing move: the subject sweeps the same distance through every lens
    assert sweep[24.0] == pytest.approx(sweep[85.0], abs=1.0) and sweep[85.0] < -10


def test_a_long_lens_push_in_grows_the_background_nearly_with_the_subject() -> None:
    parallax = {}
    for lens in (24.0, 85.0):
        c = lens_clip(Move.PUSH_IN, lens, intensity=2.0)
        first, last = c.frame(0), c.frame(c.n_frames - 1)
        subject = mask(last, "red").sum() / mask(first, "red").sum()
        background = mask(last, "blue").sum() / mask(first, "blue").sum()
        assert subject == pytest.approx(1.24**2, abs=0.08)  # the subject grows alike through both
        parallax[lens] = subject / background
    assert parallax[24.0] > 1.15 * parallax[85.0] > 1.05


def test_a_shot_without_a_lens_keeps_todays_fifty_degree_view() -> None:
    assert focal_px(W) == W / (2 * math.tan(math.radians(25)))
    assert 38.55 < DEFAULT_LENS_MM < 38.65
    assert focal_px(W, DEFAULT_LENS_MM) == pytest.approx(focal_px(W), rel=1e-12)
    for move in (Move.TRUCK_LEFT, Move.PUSH_IN, Move.RACK_FOCUS):
        plain, default = lens_clip(move, None), lens_clip(move, DEFAULT_LENS_MM)
        for i in (0, 5, 11):
            assert np.array_equal(plain.frame(i), default.frame(i)), (move, i)
    assert "lens" not in CameraBackend.params(lens_clip(Move.TRUCK_LEFT, None))


def test_the_looks_lens_applies_and_a_shots_lens_wins() -> None:
    by_look = lens_clip(Move.TRUCK_RIGHT, None, look_lens=85.0)
    by_shot = lens_clip(Move.TRUCK_RIGHT, 85.0, look_lens=24.0)
    reference = lens_clip(Move.TRUCK_RIGHT, 85.0)
    assert np.array_equal(by_look.frame(11), reference.frame(11))
    assert np.array_equal(by_shot.frame(11), reference.frame(11))
    assert not np.array_equal(lens_clip(Move.TRUCK_RIGHT, None).frame(11), reference.frame(11))
    assert CameraBackend.params(by_look)["lens"] == 85.0


@pytest.mark.parametrize("lens", [24.0, 135.0])
def test_zooms_stay_relative_to_the_lens(lens: float) -> None:
    zoom = lens_clip(Move.ZOOM_IN, lens, intensity=2.0)
    plain = lens_clip(Move.ZOOM_IN, None, intensity=2.0)
    assert np.array_equal(zoom.frame(11), plain.frame(11))  # +30 %, whatever the lens
    dolly_zoom = lens_clip(Move.DOLLY_ZOOM, lens)
    held = mask(dolly_zoom.frame(11), "red").sum() / mask(dolly_zoom.frame(0), "red").sum()
    assert held == pytest.approx(1.0, abs=0.04)


def test_a_long_lens_racks_focus_with_a_shallower_depth_of_field() -> None:
    def edge(lens: float) -> float:
        """The steepest red step across the subject's right edge while the far set is in focus."""
        frame = lens_clip(Move.RACK_FOCUS, lens).frame(0).astype(float)
        x, y = centroid(frame.astype(np.uint8), "red").astype(int)
        return float(np.abs(np.diff(frame[y, x : x + 40, 0] - frame[y, x : x + 40, 1])).max())

    assert edge(24.0) > 1.2 * edge(85.0)


def test_a_previz_still_pushed_in_through_any_lens_starts_on_the_still() -> None:
    shot = Shot(
        id="1A",
        scene_id="s1",
        size=ShotSize.MS,
        subjects=["MAYA"],
        move=Move.PUSH_IN,
        lines=SourceSpan(start=7, end=7),
        duration=0.5,
    )
    still = PrevizBackend().generate(StillRequest(shot, SCENE, ProjectConfig(), 3, (W, H)))
    frames = {}
    for lens in (24.0, None, 85.0):
        request = ClipRequest(
            shot.model_copy(update={"lens": lens}),
            SCENE,
            still,
            ProjectConfig(),
            1,
            Fraction(24),
            12,
            (W, H),
        )
        c = CameraBackend().animate(request)
        frames[lens] = c.frame(0), c.frame(11)
    assert np.array_equal(frames[24.0][0], frames[85.0][0])  # at rest, every lens shows the still
    assert np.array_equal(frames[None][0], frames[85.0][0])
    ends = [frames[lens][1].astype(int) for lens in (24.0, None, 85.0)]
    for other in (ends[0], ends[2]):  # the set behind the subject grows differently
        assert (np.abs(other - ends[1]).max(axis=2) > 2).mean() > 0.005
