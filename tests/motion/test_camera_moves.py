"""Camera moves, checked on encoded files decoded back with PyAV."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from storyreel.config import ProjectConfig
from storyreel.errors import StoryreelError
from storyreel.model import Easing, Move, Scene, Shot, ShotSize, SourceSpan, Still, frames_for
from storyreel.motion.base import ClipRequest
from storyreel.motion.camera import CameraBackend, CameraClip
from storyreel.motion.moves import ease
from storyreel.render.encode import Encoder
from tests.motion.motion_fixtures import H, W, layered_still

SCENE = Scene(
    id="s1",
    number="1",
    heading="EXT. ROOF - NIGHT",
    int_ext="EXT",
    location="ROOF",
    time_of_day="NIGHT",
    lines=SourceSpan(path="film.fountain", start=1, end=1),
)


def shot(
    move: Move | str = Move.STATIC,
    intensity: float = 1.0,
    easing: Easing = Easing.EASE_IN_OUT,
    seconds: float = 1.0,
) -> Shot:
    s = Shot(
        id="1A",
        scene_id="s1",
        size=ShotSize.MS,
        lines=SourceSpan(path="film.fountain", start=7, end=7),
        duration=seconds,
        easing=easing,
    )
    return s.model_copy(update={"move": move, "move_intensity": intensity})


def clip(
    move: Move | str,
    still: Still | None = None,
    seconds: float = 1.0,
    fps: Fraction = Fraction(24),
    seed: int = 1,
    **kw: object,
) -> CameraClip:
    sh = shot(move, seconds=seconds, **kw)
    n = frames_for(seconds, fps)
    request = ClipRequest(
        sh, SCENE, still or layered_still(), ProjectConfig(), seed, fps, n, (W, H)
    )
    return CameraBackend().animate(request)


def render(source: CameraClip, path: Path) -> Path:
    with Encoder(path, source.size, source.fps, crf=12, preset="ultrafast") as enc:
        for i in range(source.n_frames):
            enc.write(source.frame(i))
    return path


def decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def mask(frame: np.ndarray, colour: str) -> np.ndarray:
    r, g, b = (frame[..., i].astype(int) for i in range(3))
    return {
        "red": (r > 170) & (g < 80) & (b < 80),
        "green": (g > 170) & (r < 80) & (b < 80),
        "blue": (b > 170) & (r < 80) & (g < 80),
    }[colour]


def centroid(frame: np.ndarray, colour: str) -> np.ndarray:
    ys, xs = np.nonzero(mask(frame, colour))
    assert xs.size > 20, f"{colour} marker not found"
    return np.array([xs.mean(), ys.mean()])


@pytest.mark.parametrize(
    ("fps", "seconds"), [(Fraction(24), 1.3), (Fraction(25), 0.7), (Fraction(24000, 1001), 1.5)]
)
def test_frame_count_and_duration_are_exact(tmp_path: Path, fps: Fraction, seconds: float) -> None:
    n = frames_for(seconds, fps)
    path = render(clip(Move.PAN_RIGHT, seconds=seconds, fps=fps), tmp_path / "c.mp4")
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        pts = [f.pts for f in c.decode(video=0)]
        assert stream.average_rate == fps
        assert stream.duration * stream.time_base == Fraction(n) / fps
    assert len(pts) == n
    assert [p * stream.time_base for p in pts] == [Fraction(i) / fps for i in range(n)]


def test_push_in_subject_grows_monotonically(tmp_path: Path) -> None:
    frames = decode(render(clip(Move.PUSH_IN, seconds=1.5), tmp_path / "push.mp4"))
    area = [int(mask(f, "red").sum()) for f in frames]
    assert all(b >= a - 3 for a, b in zip(area, area[1:], strict=False)), area
    assert area[-1] > 1.18 * area[0]  # 12 % taller and wider: about 25 % more area


def test_truck_moves_the_foreground_farther_than_the_background(tmp_path: Path) -> None:
    frames = decode(render(clip(Move.TRUCK_RIGHT), tmp_path / "truck.mp4"))
    fg = centroid(frames[-1], "green") - centroid(frames[0], "green")
    bg = centroid(frames[-1], "blue") - centroid(frames[0], "blue")
    assert fg[0] < 0 and bg[0] < 0  # the camera goes right: the scene slides left
    assert abs(fg[0]) > 3 * abs(bg[0])  # 2 m against 8 m: four times as far
    assert abs(fg[1]) < 1 and abs(bg[1]) < 1


def _similarity_residual(frames: list[np.ndarray]) -> float:
    """How far the markers' motion is from one zoom + shift (0 when there is no parallax)."""
    p0 = np.array([centroid(frames[0], c) for c in ("red", "green", "blue")])
    p1 = np.array([centroid(frames[-1], c) for c in ("red", "green", "blue")])
    a = np.zeros((6, 3))
    a[0::2, 0], a[0::2, 1] = p0[:, 0], 1
    a[1::2, 0], a[1::2, 2] = p0[:, 1], 1
    solution, *_ = np.linalg.lstsq(a, p1.reshape(-1), rcond=None)
    return float(np.abs(a @ solution - p1.reshape(-1)).max())


def test_zoom_has_no_parallax_but_a_dolly_does(tmp_path: Path) -> None:
    zoom = decode(render(clip(Move.ZOOM_IN, intensity=2.0), tmp_path / "zoom.mp4"))
    dolly = decode(render(clip(Move.PUSH_IN, intensity=2.0), tmp_path / "dolly.mp4"))
    assert mask(zoom[-1], "red").sum() > 1.3 * mask(zoom[0], "red").sum()
    assert _similarity_residual(zoom) < 0.6
    assert _similarity_residual(dolly) > 3.0


def test_same_inputs_give_identical_frames(tmp_path: Path) -> None:
    a = decode(render(clip(Move.HANDHELD, seed=5), tmp_path / "a.mp4"))
    b = decode(render(clip(Move.HANDHELD, seed=5), tmp_path / "b.mp4"))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    other = clip(Move.HANDHELD, seed=6)
    assert not np.array_equal(other.frame(12), clip(Move.HANDHELD, seed=5).frame(12))


def test_a_still_shot_hands_out_one_read_only_frame_and_a_move_new_ones() -> None:
    still = clip(Move.STATIC)
    first = still.frame(0)
    assert all(still.frame(i) is first for i in range(1, still.n_frames))
    with pytest.raises(ValueError, match="read-only"):
        first[0, 0] = 0  # nobody can draw on what every frame shows
    moving = clip(Move.PUSH_IN)
    a, b = moving.frame(3), moving.frame(3)
    assert a is not b and np.array_equal(a, b) and a.flags.writeable


def test_handheld_wanders_a_little_and_smoothly() -> None:
    c = clip(Move.HANDHELD, seconds=2.0)
    xs = np.array([centroid(c.frame(i), "red")[0] for i in range(c.n_frames)])
    assert 0.3 < np.ptp(xs) < 0.05 * W
    assert np.abs(np.diff(xs, 2)).max() < 0.5  # low frequency: no frame-to-frame jolts


def test_dolly_zoom_holds_the_subject_while_the_background_stretches() -> None:
    c = clip(Move.DOLLY_ZOOM)
    first, last = c.frame(0), c.frame(c.n_frames - 1)
    subject = mask(last, "red").sum() / mask(first, "red").sum()
    background = mask(last, "blue").sum() / mask(first, "blue").sum()
    assert abs(subject - 1) < 0.04
    assert background > 1.15


def test_rack_focus_pulls_focus_from_the_background_to_the_subject() -> None:
    c = clip(Move.RACK_FOCUS, intensity=2.0)

    def sharpness(frame: np.ndarray, colour: str) -> float:
        """Steepest step of the marker's colour across its right edge."""
        x, y = centroid(frame, colour).astype(int)
        f = frame.astype(float)
        signal = (
            f[y, x : x + 40, 0] - f[y, x : x + 40, 1]
            if colour == "red"
            else f[y, x : x + 40, 2] - f[y, x : x + 40, 0]
        )
        return float(np.abs(np.diff(signal)).max())

    first, last = c.frame(0), c.frame(c.n_frames - 1)
    assert sharpness(last, "red") > 1.5 * sharpness(first, "red")
    assert sharpness(first, "blue") > 1.5 * sharpness(last, "blue")


@pytest.mark.parametrize("move", [m for m in Move])
def test_no_move_runs_out_of_picture_at_the_edges(move: Move) -> None:
    """Overscan: the edges always show real texture, never an empty or smeared border."""
    c = clip(move, intensity=2.0)
    for i in (0, c.n_frames // 4, c.n_frames // 2, c.n_frames - 1):
        f = c.frame(i).astype(int)
        for edge in (f[:3], f[-3:], f[:, :3].transpose(1, 0, 2), f[:, -3:].transpose(1, 0, 2)):
            assert edge.max(axis=2).min() > 20, f"{move} frame {i}: empty border"
            if move is not Move.RACK_FOCUS:  # a defocused layer is smooth by design
                assert (edge[0] != edge[1]).any() and (edge[1] != edge[2]).any(), (
                    f"{move} {i}: smeared"
                )


def test_single_layer_still_gets_a_sub_pixel_ken_burns() -> None:
    layered = layered_still()
    flat = Still(image=layered.image, subject_boxes=layered.subject_boxes)
    c = clip(Move.PUSH_IN, still=flat, seconds=2.0)
    area = [int(mask(c.frame(i), "red").sum()) for i in range(c.n_frames)]
    assert area[-1] > 1.18 * area[0]
    # sub-pixel: consecutive frames differ even where the subject grows by under a pixel
    assert all(not np.array_equal(c.frame(i), c.frame(i + 1)) for i in range(c.n_frames - 1))


def test_large_stills_are_prefiltered_not_aliased() -> None:
    checker = ((np.indices((H * 4, W * 4)).sum(axis=0) % 2) * 255).astype(np.uint8)
    still = Still(image=np.dstack([checker] * 3))
    frame = clip(Move.PAN_RIGHT, still=still).frame(5)
    assert abs(frame.mean() - 127.5) < 3
    assert frame.std() < 6  # area-averaged to grey, not sampled into moiré


def test_easing_curves() -> None:
    for e in Easing:
        assert ease(0, e) == 0 and ease(1, e) == 1
    assert ease(0.25, Easing.EASE_IN) < ease(0.25, Easing.LINEAR) < ease(0.25, Easing.EASE_OUT)
    linear = clip(Move.PAN_RIGHT, easing=Easing.LINEAR)
    eased = clip(Move.PAN_RIGHT)
    step = [
        abs(centroid(c.frame(1), "red")[0] - centroid(c.frame(0), "red")[0])
        for c in (linear, eased)
    ]
    assert step[0] > 3 * step[1]  # ease-in-out starts slowly


def test_unknown_move_word_names_the_shot_line_and_the_closest_move() -> None:
    with pytest.raises(StoryreelError) as e:
        clip("push-inn")
    assert str(e.value).startswith(
        "film.fountain:7: unknown move 'push-inn' (did you mean push-in?)"
    )


@pytest.mark.parametrize("value", [-0.5, 3.5, math.nan])
def test_intensity_out_of_range_is_refused(value: float) -> None:
    with pytest.raises(
        StoryreelError, match=r"film.fountain:7: move intensity .* out of range \(0 to 3\)"
    ):
        clip(Move.PUSH_IN, intensity=value)


def test_backend_is_registered() -> None:
    from storyreel.backends import load_backend

    backend = load_backend("motion", "camera")
    assert backend.name == "camera"
    c = clip(Move.STATIC)
    assert CameraBackend.params(c)["move"] == "static"
