"""Smart render: the cut as independently encoded segments, assembled by remuxing packets.

The programme is cut at every event boundary, so each shot and each transition region is one
segment. A segment's key hashes everything it shows, in frames relative to its first frame
(sources, trims, transitions, overlays, the look, the head/tail fade where it falls), so a
segment does not depend on where it sits in the film. It is rendered as a programme of its own
(`Program.origin` places it in the film for the fades; its grain counts from its first frame
for the same reason). Segments are encoded with identical settings, no B-frames and a
keyframe at their first frame (closed GOPs). The cut is then one pass of packet copies with continuous
timestamps (PyAV, no re-encode), the scratch audio encoded to AAC beside it. A changed shot
costs its own segment (and those of the transitions touching it) plus the remux.

Written here rather than with FFmpeg's concat demuxer so that timestamps are computed from
integer frame counts (exact at 24000/1001); the audio goes through the render room's AAC feed,
interleaved segment by segment and trimmed to the picture.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from storyreel.errors import StoryreelError
from storyreel.files import fsync_dir
from storyreel.model import threadsafe
from storyreel.render.encode import AUDIO_RATE, AudioFeed, Encoder, add_flac_stream
from storyreel.render.frames import FilmLook
from storyreel.render.planar import PlanarLook
from storyreel.render.program import Program, frame_at, in_order, planar_frame_at
from storyreel.store.keys import digest, stage_key

SEGMENT_OPTIONS = {"bf": "0", "x264-params": "open-gop=0"}
# a segment opened to copy its packets: its stream's parameters come from its header, no frame
# is decoded to probe them (a third of the remux's time, a segment a shot)
COPY_ONLY = {"skip_frame": "all", "threads": "1"}


@dataclass(frozen=True)
class Segment:
    start: int  # first frame in the programme
    length: int
    key: str
    sources: tuple[int, ...] = ()  # indices of the programme's events it shows


def boundaries(program: Program) -> list[int]:
    """Frame numbers where a segment starts or ends: every event's in and out."""
    cuts = {0, program.n_frames}
    for e in program.events:
        cuts.update((e.record_in, e.record_out))
    return sorted(c for c in cuts if 0 <= c <= program.n_frames)


def _source_key(source: Any) -> str:
    key = getattr(source, "key", None)
    if key is None:  # a source the build did not make: key it by its frames (slow, but exact)
        key = digest(b"".join(digest(source.frame(i)).encode() for i in range(source.n_frames)))
    return key


def sub_program(program: Program, start: int, length: int) -> Program:
    """The part [start, start+length) as a programme of its own: its events and overlays shifted
    to start at 0, `origin` and `film_frames` set so the head and tail fades fall where they do
    in the whole film (and the grain counts from the segment's first frame)."""
    end = start + length
    events = [
        replace(e, record_in=e.record_in - start)
        for e in program.events
        if e.record_in < end and e.record_out > start
    ]
    overlays = [
        replace(o, record_in=o.record_in - start)
        for o in program.overlays
        if o.record_in < end and o.record_in + o.length > start
    ]
    return replace(
        program,
        events=events,
        overlays=overlays,
        origin=program.origin + start,
        film_frames=program.film_frames or program.n_frames,
    )


def plan(program: Program, look: FilmLook | PlanarLook, settings: dict[str, Any]) -> list[Segment]:
    """The segments of a programme and their keys: everything each one shows, in frames
    relative to its start, with `settings` (look, encoder ...)."""
    cuts, n = boundaries(program), program.film_frames or program.n_frames
    keys = {id(e.source): _source_key(e.source) for e in program.events}
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        sub = sub_program(program, a, b - a)
        view = [
            {
                "source": keys[id(e.source)],
                "n_frames": e.source.n_frames,
                "record_in": e.record_in,
                "length": e.length,
                "src_in": e.src_in,
                "transition": e.transition,
                "fade_out": e.fade_out,
            }
            for e in sub.events
        ]
        overlays = [
            {"record_in": o.record_in, "length": o.length, "fade": o.fade, "rgba": o.rgba}
            for o in sub.overlays
        ]
        fades = [look.fade_gain(t, n) for t in range(a, b)]
        key = stage_key(
            "segment",
            length=b - a,
            events=view,
            overlays=overlays,
            fades=[round(g, 6) for g in fades] if min(fades, default=1.0) < 1.0 else None,
            fps=program.fps,
            picture=program.picture_size,
            frame=program.frame_size,
            settings=settings,
        )
        out.append(
            Segment(
                a,
                b - a,
                key,
                tuple(
                    k for k, e in enumerate(program.events) if e.record_in < b and e.record_out > a
                ),
            )
        )
    return out


def encode_segment(
    program: Program,
    segment: Segment,
    look: FilmLook | PlanarLook,
    path: Path,
    encoder: dict[str, Any],
    tick: Callable[[int], None] | None = None,
    options: dict[str, str] | None = None,
    threads: int = 1,
) -> None:
    """Render and encode one segment to `path` (a keyframe first, no B-frames); `options` are
    FFmpeg encoder options beyond those (`SEGMENT_OPTIONS` and more). A `PlanarLook` hands the
    encoder its frames in yuv420p (the look made in those planes). Its frames are made on
    `threads` threads where every source it shows is `threadsafe` (else on this one), and
    encoded in order: the file is the same either way. On failure nothing is left at `path`
    (not even the empty file a caller reserved the name with)."""
    sub = sub_program(program, segment.start, segment.length)
    options = {**SEGMENT_OPTIONS, **(options or {})}

    def make(t: int) -> np.ndarray:
        if isinstance(look, PlanarLook):
            return planar_frame_at(sub, t, look)
        return frame_at(sub, t, look)

    if threads > 1 and not all(threadsafe(e.source) for e in sub.events):
        threads = 1
    with (
        _removed_on_error(path),
        Encoder(path, program.frame_size, program.fps, options=options, **encoder) as enc,
        contextlib.closing(in_order(make, segment.length, threads)) as frames,
    ):
        for frame in frames:
            enc.write(frame)
            if tick:
                tick(1)


@contextlib.contextmanager
def side_by_side(makers: int) -> Iterator[None]:
    """While `makers` (> 1) threads make frames (segments encoded side by side, or one
    segment's frames made on several threads), OpenCV works on one thread: the makers already
    fill the cores, and its per-call hand-offs between threads only add CPU (a tenth of a
    review frame's, measured on two cores) and wall time."""
    threads = cv2.getNumThreads()
    if makers > 1:
        cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(threads)


@contextlib.contextmanager
def _removed_on_error(path: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise


def encode_audio(wav: Path, seconds: Fraction, path: Path) -> None:
    """A mix as AAC (48 kHz stereo) in an .m4a, trimmed or padded to `seconds`: encoded once
    per mix, so a cut whose picture changed is assembled without encoding sound again. On
    failure nothing is left at `path`."""
    with _removed_on_error(path), av.open(str(path), "w", format="mp4") as dst:
        AudioFeed(dst, Path(wav)).feed_until(seconds, final=True)


@dataclass(frozen=True)
class FlacSound:
    """A sound given as FLAC frames (packet, its samples) in order, from the programme's start:
    a draft's pieces (`storyreel.render.encode.flac_frames`), read as the remux needs them."""

    frames: Iterable[tuple[bytes, int]]


def _flac_packets(sound: FlacSound, stream: Any) -> Iterator[av.Packet]:
    at = 0
    for data, n in sound.frames:
        packet = av.Packet(data)
        packet.pts = packet.dts = at
        packet.duration = n
        packet.time_base = Fraction(1, AUDIO_RATE)
        packet.stream = stream
        at += n
        yield packet


def assemble(
    segments: list[Path],
    lengths: list[int],
    fps: Fraction,
    output: Path,
    audio: Path | FlacSound | None = None,
    metadata: dict[str, str] | None = None,
) -> None:
    """Concatenate encoded segments by copying packets, with the AAC packets of `audio` (an
    `encode_audio` file, or a draft's `FlacSound`) interleaved segment by segment. Atomic, and
    faststart (the index before the media, so a browser plays it before it has all of it); a
    `timecode` in `metadata` ("01:00:00:00") becomes the file's `tmcd` track, where the cut
    starts."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.stem}.partial{output.suffix}")
    try:
        with contextlib.ExitStack() as stack:
            dst = stack.enter_context(
                av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"})
            )
            for k, v in (metadata or {}).items():
                dst.metadata[k] = v
            with av.open(str(segments[0]), options=COPY_ONLY) as first:
                vout = dst.add_stream_from_template(first.streams.video[0])
            if isinstance(audio, FlacSound):
                aout = add_flac_stream(dst)
                tick = Fraction(1, AUDIO_RATE)
                packets = _flac_packets(audio, aout)
            elif audio is not None:
                ain = stack.enter_context(av.open(str(audio)))
                aout = dst.add_stream_from_template(ain.streams.audio[0])
                tick = ain.streams.audio[0].time_base
                packets = (p for p in ain.demux(ain.streams.audio[0]) if p.dts is not None)
            try:
                dst.start_encoding()  # opens the file: a folder that cannot be written fails here
            except OSError as e:  # PyAV's errors do not name the file
                raise StoryreelError(f"cannot write here: {e.strerror or e}", output) from None
            offset = 0  # frames
            for path, length in zip(segments, lengths, strict=True):
                with av.open(str(path), options=COPY_ONLY) as src:
                    vin = src.streams.video[0]
                    shift = round(Fraction(offset) / fps / vin.time_base)
                    for packet in src.demux(vin):
                        if packet.dts is None:
                            continue
                        packet.pts += shift
                        packet.dts += shift
                        packet.stream = vout
                        dst.mux(packet)
                offset += length
                if audio is not None:  # interleave: the sound up to this segment's end
                    end = math.ceil(Fraction(offset) / fps / tick)
                    for packet in packets:  # (in integer ticks: no Fraction per packet)
                        at = packet.pts
                        packet.stream = aout
                        dst.mux(packet)
                        if at >= end:
                            break
            if audio is not None:
                for packet in packets:
                    packet.stream = aout
                    dst.mux(packet)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, output)
        fsync_dir(output.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
