"""Subtitles from the dialogue track: `.srt` (srt library), `.vtt` (webvtt-py), and burn-in.

A cue lasts as long as its line on A1, from the programme's first frame (00:00:00,000 is the
first frame of the MP4, not the 01:00:00:00 record timecode); a short line stays up at least
`MIN_SECONDS` when the next cue leaves room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import srt
import webvtt

from storyreel.edit.timeline import timeline_fps
from storyreel.files import atomic_write
from storyreel.model import frames_for

MIN_SECONDS = 1.0
FADE_SECONDS = Fraction(1, 12)  # a burned-in subtitle fades in and out
MAX_CHARS = 42  # per subtitle line


@dataclass(frozen=True)
class Cue:
    start: int  # frames from the programme's first frame
    end: int  # exclusive
    character: str
    text: str


def cues(timeline: otio.schema.Timeline) -> list[Cue]:
    """One cue per dialogue line, in programme frames."""
    fps = timeline_fps(timeline)
    out: list[Cue] = []
    for track in timeline.audio_tracks():
        for item in track:
            info = item.metadata.get("storyreel", {}) if isinstance(item, otio.schema.Clip) else {}
            if info.get("kind") != "dialogue":
                continue
            r = track.range_of_child(item)
            start = round(r.start_time.rescaled_to(float(fps)).value)
            end = round(r.end_time_exclusive().rescaled_to(float(fps)).value)
            out.append(Cue(start, end, info.get("character", ""), info["text"]))
    out.sort(key=lambda c: c.start)
    least = frames_for(MIN_SECONDS, fps)
    for i, c in enumerate(out):
        limit = out[i + 1].start if i + 1 < len(out) else c.start + least
        if c.end - c.start < least:
            out[i] = Cue(c.start, max(c.end, min(c.start + least, limit)), c.character, c.text)
    return out


def wrap(text: str, width: int = MAX_CHARS) -> str:
    """At most two balanced lines for lines longer than `width` characters."""
    words = " ".join(text.split())
    if len(words) <= width:
        return words
    parts = words.split(" ")
    best = min(
        range(1, len(parts)),
        key=lambda k: abs(len(" ".join(parts[:k])) - len(words) / 2),
        default=0,
    )
    return " ".join(parts[:best]) + "\n" + " ".join(parts[best:]) if best else words


def _seconds(frames: int, fps: Fraction) -> timedelta:
    return timedelta(milliseconds=round(Fraction(frames) / fps * 1000))


def to_srt(timeline: otio.schema.Timeline) -> str:
    fps = timeline_fps(timeline)
    return srt.compose(
        [
            srt.Subtitle(i, _seconds(c.start, fps), _seconds(c.end, fps), wrap(c.text))
            for i, c in enumerate(cues(timeline), 1)
        ]
    )


def _vtt_time(frames: int, fps: Fraction) -> str:
    ms = round(Fraction(frames) / fps * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def to_vtt(timeline: otio.schema.Timeline) -> str:
    fps = timeline_fps(timeline)
    vtt = webvtt.WebVTT()
    for c in cues(timeline):
        vtt.captions.append(
            webvtt.Caption(_vtt_time(c.start, fps), _vtt_time(c.end, fps), wrap(c.text))
        )
    return vtt.content


def write_subtitles(timeline: otio.schema.Timeline, out_dir: Path, stem: str = "cut") -> list[Path]:
    """`<stem>.srt` and `<stem>.vtt` beside the cut (atomic writes)."""
    out_dir = Path(out_dir)
    return [
        atomic_write(out_dir / f"{stem}.srt", to_srt(timeline)),
        atomic_write(out_dir / f"{stem}.vtt", to_vtt(timeline)),
    ]


def subtitle_overlays(timeline: otio.schema.Timeline) -> list:
    """Burned-in subtitles as full-frame overlays (render.program.Overlay), one per cue."""
    from storyreel.edit.titles import render_text
    from storyreel.render.program import Overlay

    meta = timeline.metadata["storyreel"]
    frame, picture = tuple(meta["frame_size"]), tuple(meta["picture_size"])
    fade = frames_for(FADE_SECONDS, timeline_fps(timeline))
    return [
        Overlay(
            record_in=c.start,
            length=c.end - c.start,
            rgba=render_text(wrap(c.text), "subtitle", frame, picture),
            fade=min(fade, (c.end - c.start) // 3),
        )
        for c in cues(timeline)
    ]
