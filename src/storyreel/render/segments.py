"""Smart render: the cut as independently encoded segments, assembled by remuxing packets.

The programme is cut at every event boundary, so each shot and each transition region is one
segment. A segment's key hashes everything it shows, in frames relative to its first frame
(sources, trims, transitions, overlays, the look, the head/tail fade where it falls), so a
segment does not depend on where it sits in the film; its grain is counted from its first
frame for the same reason. Segments are encoded with identical settings, no B-frames and a
keyframe at their first frame (closed GOPs). The cut is then one pass of packet copies with continuous
timestamps (PyAV, no re-encode), the scratch audio encoded to AAC beside it. A changed shot
costs its own segment (and those of the transitions touching it) plus the remux.

Written here rather than with FFmpeg's concat demuxer so that timestamps are computed from
integer frame counts (exact at 24000/1001); the audio goes through the render room's AAC feed,
interleaved segment by segment and trimmed to the picture.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from storyreel.model import TransitionKind
from storyreel.render.encode import Encoder, _AudioFeed
from storyreel.render.frames import FilmLook
from storyreel.render.program import Program, frame_at
from storyreel.store.keys import digest, stage_key
from storyreel.store.objects import fsync_dir

SEGMENT_OPTIONS = {"bf": "0", "x264-params": "open-gop=0"}


@dataclass(frozen=True)
class Segment:
    start: int  # first frame in the programme
    length: int
    key: str
    sources: tuple[int, ...] = ()  # indices of the programme's events it shows


class SegmentLook:
    """The film look for one segment: grain counted from the segment's first frame (so the
    segment does not depend on where it sits), head and tail fades from the whole programme."""

    def __init__(self, look: FilmLook, start: int):
        self.look, self.start = look, start
        self.plain = copy.copy(look)
        self.plain.fade_in = self.plain.fade_out = 0

    def finish(self, picture: np.ndarray, index: int, n_frames: int | None = None) -> np.ndarray:
        frame = self.plain.finish(picture, index - self.start)
        gain = self.look.fade_gain(index, n_frames)
        return frame if gain >= 1.0 else cv2.convertScaleAbs(frame, alpha=gain)


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


def plan(program: Program, look: FilmLook, settings: dict[str, Any]) -> list[Segment]:
    """The segments of a programme and their keys: everything each one shows, in frames
    relative to its start, with `settings` (look, encoder ...)."""
    cuts, n = boundaries(program), program.n_frames
    events = program.events
    fade_out = [events[k + 1].transition.frames
                if k + 1 < len(events) and events[k + 1].transition.kind is TransitionKind.FADE_OUT
                else 0 for k in range(len(events))]
    keys = [_source_key(e.source) for e in events]
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        shown = tuple(k for k, e in enumerate(events) if e.record_in < b and e.record_out > a)
        view = [{"source": keys[k], "n_frames": events[k].source.n_frames,
                 "record_in": events[k].record_in - a, "length": events[k].length,
                 "src_in": events[k].src_in, "transition": events[k].transition,
                 "fade_out": fade_out[k]} for k in shown]
        overlays = [{"record_in": o.record_in - a, "length": o.length, "fade": o.fade, "rgba": o.rgba}
                    for o in program.overlays if o.record_in < b and o.record_in + o.length > a]
        fades = [look.fade_gain(t, n) for t in range(a, b)]
        key = stage_key("segment", length=b - a, events=view, overlays=overlays,
                        fades=[round(g, 6) for g in fades] if min(fades, default=1.0) < 1.0 else None,
                        fps=program.fps, picture=program.picture_size, frame=program.frame_size,
                        settings=settings)
        out.append(Segment(a, b - a, key, shown))
    return out


def encode_segment(program: Program, segment: Segment, look: FilmLook, path: Path,
                   encoder: dict[str, Any], tick: Callable[[int], None] | None = None) -> None:
    """Render and encode one segment to `path` (a keyframe first, no B-frames)."""
    seg_look = SegmentLook(look, segment.start)
    with Encoder(path, program.frame_size, program.fps, options=SEGMENT_OPTIONS, **encoder) as enc:
        for t in range(segment.start, segment.start + segment.length):
            enc.write(frame_at(program, t, seg_look))
            if tick:
                tick(1)


def assemble(segments: list[Path], lengths: list[int], fps: Fraction, output: Path,
             audio: Path | None = None, metadata: dict[str, str] | None = None) -> None:
    """Concatenate encoded segments by copying packets; mux `audio` as AAC. Atomic."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.stem}.partial{output.suffix}")
    try:
        with av.open(str(tmp), "w", format="mp4") as dst:
            for k, v in (metadata or {}).items():
                dst.metadata[k] = v
            with av.open(str(segments[0])) as first:
                vout = dst.add_stream_from_template(first.streams.video[0])
            feed = _AudioFeed(dst, Path(audio)) if audio is not None else None
            offset = 0  # frames
            for path, length in zip(segments, lengths, strict=True):
                with av.open(str(path)) as src:
                    vin = src.streams.video[0]
                    tb = vin.time_base
                    shift = round(Fraction(offset) / fps / tb)
                    for packet in src.demux(vin):
                        if packet.dts is None:
                            continue
                        packet.pts += shift
                        packet.dts += shift
                        packet.stream = vout
                        dst.mux(packet)
                offset += length
                if feed is not None:  # interleave: the audio up to this segment's end
                    feed.feed_until(Fraction(offset) / fps, final=False)
            if feed is not None:
                feed.feed_until(Fraction(offset) / fps, final=True)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, output)
        fsync_dir(output.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
