"""The render programme: transitions, fades, overlays, and streaming into the encoder."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from storyreel.config import LookConfig
from storyreel.errors import StoryreelError
from storyreel.model import Transition, TransitionKind
from storyreel.render.encode import Encoder
from storyreel.render.frames import FilmLook
from storyreel.render.program import Event, Overlay, Program, frame_at, render_program

FPS = Fraction(24)
FRAME, PICTURE = (256, 144), (256, 108)


class Flat:
    """A FrameSource of one flat colour, or a grey ramp (frame i has value i) when colour is None."""

    def __init__(
        self, colour: tuple[int, int, int] | None, n: int, size: tuple[int, int] = PICTURE
    ):
        self.colour, self.n_frames, self.size, self.fps = colour, n, size, FPS
        self.requested: list[int] = []
        self.closed = False
        self._lock = threading.Lock()

    def frame(self, index: int) -> np.ndarray:
        assert not self.closed, "frame asked for after close()"
        with self._lock:
            self.requested.append(index)
        value = self.colour if self.colour is not None else (index % 256,) * 3
        return np.full((self.size[1], self.size[0], 3), value, np.uint8)

    def close(self) -> None:
        self.closed = True


def program(events: list[Event], overlays: list[Overlay] | None = None) -> Program:
    return Program(FPS, PICTURE, FRAME, events, overlays or [])


def centre(p: Program, t: int, look: FilmLook | None = None) -> list[int]:
    return frame_at(p, t, look)[72, 128].tolist()


def test_cut_and_letterbox() -> None:
    p = program([Event(Flat((200, 0, 0), 10), 0, 10), Event(Flat((0, 0, 200), 10), 10, 10)])
    assert p.n_frames == 20
    assert centre(p, 9) == [200, 0, 0] and centre(p, 10) == [0, 0, 200]
    assert frame_at(p, 0)[:18].max() == 0


def test_dissolve_blends_the_overlap() -> None:
    a, b = Flat((200, 0, 0), 20), Flat((0, 0, 200), 20)
    p = program(
        [
            Event(a, 0, 20),
            Event(b, 8, 20, transition=Transition(kind=TransitionKind.DISSOLVE, frames=12)),
        ]
    )
    assert p.n_frames == 28
    reds = [centre(p, t)[0] for t in range(6, 22)]
    assert reds[:2] == [200, 200] and reds[-2:] == [0, 0]
    assert all(x > y for x, y in zip(reds[1:-2], reds[2:-1], strict=False))
    mid = centre(p, 13)  # the middle of a 12-frame dissolve
    assert abs(mid[0] - mid[2]) <= 40 and abs(mid[0] + mid[2] - 200) <= 2


def test_wipe_moves_across() -> None:
    a, b = Flat((200, 0, 0), 20), Flat((0, 0, 200), 20)
    p = program(
        [
            Event(a, 0, 20),
            Event(b, 10, 20, transition=Transition(kind=TransitionKind.WIPE, frames=10)),
        ]
    )
    f = frame_at(p, 14)[72]
    assert f[5].tolist() == [0, 0, 200] and f[250].tolist() == [200, 0, 0]  # B enters from the left


def test_fades_go_through_black() -> None:
    a, b = Flat((200, 200, 200), 10), Flat((100, 100, 100), 10)
    p = program(
        [
            Event(a, 0, 10),
            Event(b, 10, 10, transition=Transition(kind=TransitionKind.FADE_OUT, frames=4)),
        ]
    )
    assert [centre(p, t)[0] for t in range(5, 11)] == [200, 150, 100, 50, 0, 100]
    p = program(
        [
            Event(a, 0, 10),
            Event(b, 10, 10, transition=Transition(kind=TransitionKind.FADE_IN, frames=4)),
        ]
    )
    assert [centre(p, t)[0] for t in range(5, 15)] == [
        200,
        150,
        100,
        50,
        0,
        0,
        25,
        50,
        75,
        100,
    ]  # a dip


def test_overlays_go_over_the_finished_frame_and_fade() -> None:
    rgba = np.zeros((144, 256, 4), np.uint8)
    rgba[130:140, 20:120] = (255, 255, 255, 255)  # a subtitle in the bottom bar
    p = program([Event(Flat((128, 128, 128), 12), 0, 12)], [Overlay(2, 8, rgba, fade=2)])
    grainy = FilmLook(LookConfig(grain=1.0, vignette=1.0), FRAME, PICTURE, FPS)
    assert frame_at(p, 0, grainy)[135, 50].tolist() == [0, 0, 0]
    assert frame_at(p, 5, grainy)[135, 50].tolist() == [255, 255, 255]  # untouched by grain
    assert frame_at(p, 2, grainy)[135, 50, 0] == 85  # fading in over 2 frames: 1/3, 2/3, full
    assert frame_at(p, 9, grainy)[135, 50, 0] == 85
    with pytest.raises(StoryreelError, match="not the frame size"):
        program([Event(Flat((0, 0, 0), 2), 0, 2)], [Overlay(0, 2, np.zeros((10, 10, 4), np.uint8))])


def test_sources_of_another_size_are_fitted() -> None:
    p = program([Event(Flat((0, 200, 0), 4, size=(128, 72)), 0, 4)])
    f = frame_at(p, 0)
    assert f.shape == (144, 256, 3) and f[18:126].min(axis=(0, 1)).tolist() == [0, 200, 0]


def test_render_streams_in_order_with_bounded_lookahead(tmp_path: Path) -> None:
    ramp, tail = Flat(None, 40), Flat((0, 0, 0), 20)
    p = program([Event(ramp, 0, 40, src_in=0), Event(tail, 40, 20)])
    written: list[int] = []

    class Watching(Encoder):
        def write(self, frame: np.ndarray) -> None:
            ahead = max(ramp.requested, default=0) - len(written)
            assert ahead <= 8, f"{ahead} frames produced ahead of the encoder"
            written.append(int(frame[72, 128, 0]))
            super().write(frame)

    seen: list[int] = []
    with Watching(tmp_path / "p.mp4", FRAME, FPS, preset="ultrafast", crf=0) as enc:
        assert render_program(p, enc, progress=lambda done, total: seen.append(done)) == 60
    assert written[:40] == list(range(40)) and seen[-1] == 60
    assert ramp.closed and tail.closed
    with av.open(str(tmp_path / "p.mp4")) as c:
        values = [int(f.to_ndarray(format="rgb24")[72, 128, 0]) for f in c.decode(video=0)]
    assert len(values) == 60
    assert all(abs(v - i) <= 2 for i, v in enumerate(values[:40]))


def test_render_failure_leaves_no_file(tmp_path: Path) -> None:
    class Broken(Flat):
        def frame(self, index: int) -> np.ndarray:
            if index == 7:
                raise StoryreelError("the clip's still is missing")
            return super().frame(index)

    out = tmp_path / "cut.mp4"
    with pytest.raises(StoryreelError, match="still is missing"), Encoder(out, FRAME, FPS) as enc:
        render_program(program([Event(Broken((1, 2, 3), 20), 0, 20)]), enc)
    assert list(tmp_path.iterdir()) == []


def test_bad_events() -> None:
    with pytest.raises(StoryreelError, match="length must be positive"):
        program([Event(Flat((0, 0, 0), 2), 0, 0)])


def test_lazy_sources_exist_only_while_shown(tmp_path: Path) -> None:
    from storyreel.render.program import LazySource

    made: list[Flat] = []

    def make(colour: tuple[int, int, int]) -> LazySource:
        def build() -> Flat:
            made.append(Flat(colour, 10))
            return made[-1]

        return LazySource(build, FPS, 10, PICTURE)

    a, b = make((200, 0, 0)), make((0, 0, 200))
    p = program([Event(a, 0, 10), Event(b, 10, 10)])
    assert made == []
    with Encoder(tmp_path / "p.mp4", FRAME, FPS, preset="ultrafast") as enc:
        render_program(p, enc)
    assert len(made) == 2 and all(m.closed for m in made)
    assert centre(p, 3) == [200, 0, 0] and len(made) == 3  # made again when asked again


def test_a_part_of_the_film_fades_where_the_whole_film_does() -> None:
    from dataclasses import replace

    look = FilmLook(
        LookConfig(grain=0.0, vignette=0.0, fade_in=0.25, fade_out=0.25), FRAME, PICTURE, FPS
    )
    whole = program([Event(Flat((200, 200, 200), 30), 0, 30)])
    part = replace(
        whole, events=[Event(Flat((200, 200, 200), 30), -10, 30)], origin=10, film_frames=30
    )
    assert [centre(whole, t, look)[0] for t in (0, 3, 10, 27, 29)] == [0, 100, 200, 67, 0]
    assert all(centre(part, t, look) == centre(whole, t + 10, look) for t in range(20))
    alone = replace(part, origin=0, film_frames=None)  # as a programme of its own it fades itself
    assert centre(alone, 0, look)[0] == 0


def test_overlays_never_draw_on_a_source_frame() -> None:
    held = np.full((144, 256, 3), 50, np.uint8)

    class Held(Flat):
        def frame(self, index: int) -> np.ndarray:
            return held  # the same array every time, as a still or a cache would

    rgba = np.zeros((144, 256, 4), np.uint8)
    rgba[10:20, 10:20] = 255
    p = Program(FPS, FRAME, FRAME, [Event(Held(None, 4, FRAME), 0, 4)], [Overlay(0, 4, rgba)])
    assert frame_at(p, 1)[15, 15].tolist() == [255, 255, 255]
    assert held.max() == 50
