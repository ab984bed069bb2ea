"""One segment's frames made on several threads: the same encoded file, the same decoded frames,
and a source that does not say it is thread-safe read from one thread only."""

from __future__ import annotations

import itertools
import threading
from fractions import Fraction

import av
import numpy as np
import pytest

from storyreel.config import LookConfig
from storyreel.edit.playback import Black
from storyreel.errors import StoryreelError
from storyreel.model import Move, Transition, TransitionKind, threadsafe
from storyreel.render.frames import FilmLook
from storyreel.render.planar import PlanarLook
from storyreel.render.program import Event, LazySource, Program
from storyreel.render.segments import Segment, encode_segment, plan
from storyreel.run.clips import Slate
from storyreel.run.picture import REVIEW_ENCODER, REVIEW_OPTIONS, frame_threads
from tests.motion.motion_fixtures import H, W
from tests.motion.test_camera_moves import clip

FPS = Fraction(24)


class Painted:
    """A source that records the threads reading it and does not declare itself thread-safe."""

    def __init__(self, n_frames: int):
        self.fps, self.n_frames, self.size = FPS, n_frames, (W, H)
        self.readers: set[str] = set()

    def frame(self, index: int) -> np.ndarray:
        self.readers.add(threading.current_thread().name)
        return np.full((H, W, 3), (7 * index) % 256, np.uint8)


class Watched:
    """A camera clip whose readers are recorded; it says what the clip says."""

    def __init__(self, source):  # noqa: ANN001 (a CameraClip)
        self.source, self.readers = source, set()
        self.fps, self.n_frames, self.size = source.fps, source.n_frames, source.size
        self.threadsafe = source.threadsafe

    def frame(self, index: int) -> np.ndarray:
        self.readers.add(threading.current_thread().name)
        return self.source.frame(index)


def _program(first, second) -> Program:  # noqa: ANN001 (frame sources)
    dissolve = Transition(kind=TransitionKind.DISSOLVE, frames=6)
    return Program(
        FPS,
        (W, H),
        (W, H + 16),  # letterboxed: the look draws its bars too
        [Event(first, 0, 24), Event(second, 18, 24, transition=dissolve)],
    )


def _look(program: Program, planar: bool) -> FilmLook | PlanarLook:
    look = FilmLook(LookConfig(grain=0.4, vignette=0.3), program.frame_size, (W, H), FPS)
    return PlanarLook(look) if planar else look


def _decoded(path) -> list[np.ndarray]:  # noqa: ANN001
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


@pytest.mark.parametrize("planar", [True, False], ids=["review planes", "master look"])
def test_a_segment_made_on_two_threads_is_the_file_one_thread_makes(tmp_path, planar):
    program = _program(clip(Move.PUSH_IN), clip(Move.ARC_LEFT, seconds=1.5))
    look = _look(program, planar)
    [segment] = [s for s in plan(program, look, {}) if s.length == 6]  # the dissolve
    whole = Segment(0, program.n_frames, "whole")
    for part in (segment, whole):
        files = []
        for threads in (1, 2, 4):
            path = tmp_path / f"{part.start}-{part.length}-{threads}.mp4"
            encode_segment(
                program, part, look, path, REVIEW_ENCODER, options=REVIEW_OPTIONS, threads=threads
            )
            files.append(path)
        one, *many = files
        assert all(f.read_bytes() == one.read_bytes() for f in many)
        frames = _decoded(one)
        assert len(frames) == part.length
        for f in many:
            assert all(np.array_equal(a, b) for a, b in zip(frames, _decoded(f), strict=True))


def test_frames_come_from_the_frame_threads_only_where_every_source_is_thread_safe(tmp_path):
    camera = Watched(clip(Move.PUSH_IN))
    program = _program(camera, Watched(clip(Move.TRUCK_LEFT, seconds=1.5)))
    look = _look(program, True)
    whole = Segment(0, program.n_frames, "whole")
    encode_segment(program, whole, look, tmp_path / "a.mp4", REVIEW_ENCODER, threads=2)
    assert camera.readers and all(n.startswith("storyreel-frame") for n in camera.readers)

    painted = Painted(24)
    program = _program(Watched(clip(Move.PUSH_IN)), painted)
    encode_segment(program, whole, look, tmp_path / "b.mp4", REVIEW_ENCODER, threads=2)
    assert painted.readers == {threading.current_thread().name}


def test_a_lazy_source_is_as_thread_safe_as_what_it_makes():
    assert threadsafe(clip(Move.PUSH_IN))
    assert threadsafe(LazySource(lambda: clip(Move.PUSH_IN), FPS, 24, (W, H)))
    assert not threadsafe(Painted(24))
    assert not threadsafe(LazySource(lambda: Painted(24), FPS, 24, (W, H)))
    # a title card's black slug and a failed shot's slate: one array for every frame
    assert threadsafe(Black((W, H), FPS, 24))
    assert threadsafe(Slate(np.zeros((H, W, 3), np.uint8), FPS, 24))


def test_one_segment_alone_is_made_on_every_core_and_side_by_side_ones_share_them(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert (frame_threads(1), frame_threads(2), frame_threads(3)) == (2, 1, 1)
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert (frame_threads(1), frame_threads(4), frame_threads(16)) == (4, 4, 1)


class Failing(Painted):
    """A thread-safe source whose frame 10 cannot be made."""

    threadsafe = True

    def frame(self, index: int) -> np.ndarray:
        if index == 10:
            raise StoryreelError("frame 10 is missing")
        return super().frame(index)


def _stop_after(n: int):  # noqa: ANN202
    """A progress tick that fails once `n` frames are encoded."""
    encoded = itertools.count(1)

    def tick(frames: int) -> None:
        if next(encoded) == n:
            raise StoryreelError("stopped")

    return tick


@pytest.mark.parametrize("fails", ["a frame thread", "the encoding thread"])
def test_a_segment_that_fails_midway_leaves_no_file_and_no_frame_threads(tmp_path, fails):
    source = Failing(24) if fails == "a frame thread" else Painted(24)
    source.threadsafe = True
    program = _program(source, source)
    look = _look(program, True)
    path = tmp_path / "segment.mp4"
    tick = _stop_after(5) if fails == "the encoding thread" else None
    with pytest.raises(StoryreelError, match="frame 10 is missing|stopped"):
        encode_segment(program, Segment(0, 24, "k"), look, path, REVIEW_ENCODER, tick, threads=2)
    assert not list(tmp_path.iterdir())
    assert not [t for t in threading.enumerate() if t.name.startswith("storyreel-frame")]
