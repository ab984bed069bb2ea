"""The render programme: events on a record timeline, transitions, overlays; streamed to a file.

An `Event` places frames of a `FrameSource` at `record_in` for `length` frames. An event whose
transition is a dissolve, a wipe or a match cut with frames enters over the previous event by
`transition.frames` frames of overlap (the edit lays the events out overlapping); a fade-in
rises from black over the event's first frames, and takes the previous event down to black
over its last frames (a dip to black, as the script's FADE OUT. / FADE IN: between scenes asks);
a fade-out takes the previous event down to black over its last frames and cuts in. Overlays (titles, supers, burned subtitles) are full-frame RGBA
images composited over the finished frame, after the film look.

`render_program` produces frames on a small pool of threads (OpenCV and PyAV release the GIL)
while the calling thread encodes, with a bounded window of frames in flight; a source with a
`close()` method is closed once its last event is past. `in_order` is that pool, also used for
one segment's frames (`render.segments.encode_segment`): frames are made ahead on the threads
and handed out in order, so the encoder sees what one thread would have given it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction

import cv2
import numpy as np

from storyreel.config import LookConfig
from storyreel.errors import StoryreelError
from storyreel.model import FrameSource, Transition, TransitionKind, threadsafe
from storyreel.render.encode import Encoder
from storyreel.render.frames import FilmLook
from storyreel.render.planar import PlanarLook, PlanarOverlay, composite, planar_overlay

OVERLAPPING = (TransitionKind.DISSOLVE, TransitionKind.WIPE, TransitionKind.MATCH_CUT)
WIPE_SOFTNESS = 0.06  # the wipe's edge, as a fraction of the width


@dataclass
class Event:
    source: FrameSource
    record_in: int
    length: int
    src_in: int = 0
    transition: Transition = field(default_factory=Transition)
    fade_out: int = 0  # frames to black at its end; set from the next event's fade-out

    @property
    def record_out(self) -> int:
        return self.record_in + self.length


@dataclass
class Overlay:
    """A full-frame RGBA image shown from `record_in` for `length` frames, faded over `fade`."""

    record_in: int
    length: int
    rgba: np.ndarray
    fade: int = 0
    box: tuple[int, int, int, int] = field(init=False, repr=False)  # x0, y0, x1, y1 of its alpha
    _planar: PlanarOverlay | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.rgba.ndim != 3 or self.rgba.shape[2] != 4 or self.rgba.dtype != np.uint8:
            raise StoryreelError(f"overlay at frame {self.record_in} is not (H, W, 4) uint8 RGBA")
        alpha = self.rgba[..., 3]
        rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
        self.box = (
            (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
            if rows.size
            else (0, 0, 0, 0)
        )

    def planar(self) -> PlanarOverlay:
        """The overlay in Y'CbCr 4:2:0, made on first use."""
        if self._planar is None:
            self._planar = planar_overlay(self.rgba, self.box)
        return self._planar


@dataclass
class Program:
    fps: Fraction
    picture_size: tuple[int, int]
    frame_size: tuple[int, int]
    events: list[Event]
    overlays: list[Overlay] = field(default_factory=list)
    origin: int = 0  # where frame 0 sits in the film, when this is a part of it
    film_frames: int | None = None  # the whole film's length (None: this programme's)

    def __post_init__(self) -> None:
        self.fps = Fraction(self.fps)
        for i, e in enumerate(self.events):
            if e.length < 1 or e.src_in < 0:
                raise StoryreelError(
                    f"event {i}: length {e.length}, src_in {e.src_in}: "
                    "the length must be positive and src_in not negative"
                )
        fw, fh = self.frame_size
        for o in self.overlays:
            if o.rgba.shape[:2] != (fh, fw):
                raise StoryreelError(
                    f"overlay at frame {o.record_in} is {o.rgba.shape[1]}x"
                    f"{o.rgba.shape[0]}, not the frame size {fw}x{fh}"
                )
        self.events = sorted(self.events, key=lambda e: e.record_in)
        for before, e in zip(self.events, self.events[1:], strict=False):
            if e.transition.kind in (TransitionKind.FADE_OUT, TransitionKind.FADE_IN):
                before.fade_out = max(before.fade_out, e.transition.frames)

    @property
    def n_frames(self) -> int:
        ends = [e.record_out for e in self.events] + [o.record_in + o.length for o in self.overlays]
        return max(ends, default=0)


class LazySource:
    """A `FrameSource` made on first use and dropped on `close()`: a long programme keeps only
    the clips it is showing (their stills and planes) in memory, not all of them."""

    def __init__(
        self, make: Callable[[], FrameSource], fps: Fraction, n_frames: int, size: tuple[int, int]
    ):
        self.fps, self.n_frames, self.size = fps, n_frames, size
        self._make = make
        self._source: FrameSource | None = None
        self._lock = threading.Lock()

    def frame(self, index: int) -> np.ndarray:
        return self._made().frame(index)

    @property
    def threadsafe(self) -> bool:
        """As the source it makes (made here if it is not yet)."""
        return threadsafe(self._made())

    def _made(self) -> FrameSource:
        source = self._source
        if source is None:
            with self._lock:
                if self._source is None:
                    self._source = self._make()
                source = self._source
        return source

    def close(self) -> None:
        with self._lock:
            if self._source is not None:
                _close(self._source)
            self._source = None


def _picture(event: Event, t: int, size: tuple[int, int]) -> np.ndarray:
    src = event.source
    index = min(max(0, event.src_in + t - event.record_in), src.n_frames - 1)
    img = src.frame(index)
    h, w = img.shape[:2]
    if (w, h) == size:
        return img
    s = max(size[0] / w, size[1] / h)  # cover, then centre-crop
    sw, sh = max(size[0], round(w * s)), max(size[1], round(h * s))
    img = cv2.resize(img, (sw, sh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    x, y = (sw - size[0]) // 2, (sh - size[1]) // 2
    return img[y : y + size[1], x : x + size[0]]


def _gain(e: Event, t: int) -> float:
    gain = 1.0
    if e.transition.kind is TransitionKind.FADE_IN and e.transition.frames:
        gain = min(gain, (t - e.record_in) / e.transition.frames)
    if e.fade_out:
        gain = min(gain, (e.record_out - 1 - t) / e.fade_out)
    return max(0.0, min(1.0, gain))


def _wipe(a: np.ndarray, b: np.ndarray, p: float) -> np.ndarray:
    h, w = a.shape[:2]
    x = np.linspace(0.0, 1.0, w, dtype=np.float32)
    edge = p * (1.0 + WIPE_SOFTNESS)
    wb = np.clip((edge - x) / WIPE_SOFTNESS, 0.0, 1.0)
    wb = np.ascontiguousarray(np.broadcast_to(wb, (h, w)))
    return cv2.blendLinear(b, a, wb, 1.0 - wb)


def picture_at(program: Program, t: int) -> np.ndarray:
    """The picture area at record frame `t`, before the look: events, transitions, fades."""
    pw, ph = program.picture_size
    out: np.ndarray | None = None
    for e in program.events:
        if e.record_in > t:
            break
        if t >= e.record_out:
            continue
        img = _picture(e, t, program.picture_size)
        gain = _gain(e, t)
        if gain < 1.0:
            img = cv2.convertScaleAbs(img, alpha=gain)
        f = e.transition.frames
        if out is not None and e.transition.kind in OVERLAPPING and f and t < e.record_in + f:
            p = (t - e.record_in + 1) / (f + 1)
            if e.transition.kind is TransitionKind.WIPE:
                img = _wipe(out, img, p)
            else:
                img = cv2.addWeighted(out, 1.0 - p, img, p, 0.0)
        out = img
    return out if out is not None else np.zeros((ph, pw, 3), np.uint8)


def neutral_look(program: Program) -> FilmLook:
    """Letterbox only: no grade, no grain, no vignette."""
    plain = LookConfig(grain=0.0, vignette=0.0)
    return FilmLook(plain, program.frame_size, program.picture_size, program.fps)


def frame_at(program: Program, t: int, look: FilmLook | None = None) -> np.ndarray:
    """The finished full frame at record frame `t`: picture, look, bars, then overlays."""
    look = look or neutral_look(program)
    picture = picture_at(program, t)
    frame = look.finish(picture, t, program.film_frames or program.n_frames, offset=program.origin)
    shown = [o for o in program.overlays if o.record_in <= t < o.record_in + o.length]
    if shown and frame is picture:
        frame = frame.copy()  # a source may hand out the same array again: never draw on it
    for o in shown:
        _composite(frame, o, t)
    return frame


def planar_frame_at(program: Program, t: int, look: PlanarLook) -> np.ndarray:
    """`frame_at` in the encoder's yuv420p layout (H·3/2, W), the look made in those planes."""
    picture = picture_at(program, t)
    frame = look.finish(picture, t, program.film_frames or program.n_frames, offset=program.origin)
    for o in program.overlays:
        if o.record_in <= t < o.record_in + o.length:
            composite(frame, program.frame_size, o.planar(), _overlay_gain(o, t))
    return frame


def _overlay_gain(o: Overlay, t: int) -> float:
    if not o.fade:
        return 1.0
    return min(
        1.0, (t - o.record_in + 1) / (o.fade + 1), (o.record_in + o.length - t) / (o.fade + 1)
    )


def _composite(frame: np.ndarray, o: Overlay, t: int) -> None:
    x0, y0, x1, y1 = o.box
    if x0 == x1:
        return
    gain = _overlay_gain(o, t)
    region = frame[y0:y1, x0:x1]
    src = o.rgba[y0:y1, x0:x1]
    alpha = src[..., 3].astype(np.float32) * (gain / 255.0)
    rgb = np.ascontiguousarray(src[..., :3])
    region[:] = cv2.blendLinear(rgb, np.ascontiguousarray(region), alpha, 1.0 - alpha)


def render_program(
    program: Program,
    encoder: Encoder,
    look: FilmLook | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Stream every frame of `program` into an open `encoder`; returns the frames written."""
    n = program.n_frames
    if n == 0:
        raise StoryreelError("nothing to render: the programme is empty")
    if tuple(encoder.size) != tuple(program.frame_size):
        raise StoryreelError(f"encoder is {encoder.size}, programme frame is {program.frame_size}")
    look = look or neutral_look(program)
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    last_use: dict[int, tuple[int, FrameSource]] = {}
    for e in program.events:
        end = max(e.record_out, last_use.get(id(e.source), (0, e.source))[0])
        last_use[id(e.source)] = (end, e.source)
    closing = sorted(last_use.values(), key=lambda item: item[0])
    with contextlib.closing(in_order(lambda t: frame_at(program, t, look), n, workers)) as frames:
        for t, frame in enumerate(frames):
            encoder.write(frame)
            while closing and closing[0][0] <= t + 1:  # every frame that uses it is done
                _close(closing.pop(0)[1])
            if progress is not None:
                progress(t + 1, n)
    for _, source in closing:
        _close(source)
    return n


def in_order(make: Callable[[int], np.ndarray], n: int, threads: int) -> Iterator[np.ndarray]:
    """`make(0)` to `make(n - 1)`, in order, made on `threads` threads up to twice as many
    frames ahead of the caller (on the caller's thread when `threads` is 1); closing it early
    cancels the frames not begun and waits for those being made."""
    if threads <= 1:
        yield from map(make, range(n))
        return
    window = 2 * threads
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="storyreel-frame") as pool:
        pending: deque[Future[np.ndarray]] = deque()
        submitted = 0
        try:
            for _ in range(n):
                while submitted < n and len(pending) < window:
                    pending.append(pool.submit(make, submitted))
                    submitted += 1
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()


def _close(source: FrameSource) -> None:
    close = getattr(source, "close", None)
    if callable(close):
        close()
