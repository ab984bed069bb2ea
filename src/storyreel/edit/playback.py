"""The timeline as a render programme: V1 → events, the titles track (and subtitles) → overlays.

A shot's source is its clip with handles (frame 0 = first frame of the head handle, as
`timeline.media_lengths` sizes it). A transition on V1 starts at its cut: the incoming event
starts there; for a dissolve, wipe or match cut the outgoing event runs on over its tail handle
for the transition's frames; fades dip to black on either side of the cut.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import ClassVar

import numpy as np
import opentimelineio as otio

from storyreel.config import ProjectConfig
from storyreel.edit.subtitles import subtitle_overlays
from storyreel.edit.titles import render_text
from storyreel.errors import StoryreelError
from storyreel.model import FrameSource, Transition, TransitionKind, frames_for

TITLE_FADE_SECONDS = {"title": 0.75, "card": 0.5, "super": 0.35}
_KINDS = {k.value for k in TransitionKind}


class Black:
    """A black picture of a given size (the slug under title cards)."""

    threadsafe: ClassVar[bool] = True  # one read-only array for every frame (a look keeps it)

    def __init__(self, size: tuple[int, int], fps: Fraction, n_frames: int):
        self.size, self.fps, self.n_frames = size, fps, n_frames
        self.key = f"black:{size[0]}x{size[1]}"
        self._frame = np.zeros((size[1], size[0], 3), np.uint8)
        self._frame.flags.writeable = False

    def frame(self, index: int) -> np.ndarray:
        return self._frame


def _frames(t: otio.opentime.RationalTime, fps: Fraction) -> int:
    return round(t.rescaled_to(float(fps)).value)


def program_from_timeline(
    timeline: otio.schema.Timeline,
    sources: Mapping[str, FrameSource],
    config: ProjectConfig,
    burn_subtitles: bool = False,
):
    """A `render.program.Program` of the cut; `sources` are the shots' clips by shot id."""
    from storyreel.render.program import OVERLAPPING, Event, Overlay, Program

    fps = config.film.fps
    frame, picture = (config.film.width, config.film.height), config.picture_size
    v1 = timeline.video_tracks()[0]
    events: list = []
    pending: Transition | None = None
    for item in v1:
        if isinstance(item, otio.schema.Transition):
            kind = TransitionKind(item.name) if item.name in _KINDS else TransitionKind.DISSOLVE
            pending = Transition(kind=kind, frames=_frames(item.out_offset, fps))
            continue
        if not isinstance(item, otio.schema.Clip):
            continue
        r = v1.range_of_child(item)
        record_in, length = _frames(r.start_time, fps), _frames(r.duration, fps)
        info = item.metadata.get("storyreel", {})
        if info.get("kind") == "shot":
            shot_id = info["shot_id"]
            if shot_id not in sources:
                raise StoryreelError(f"no picture for shot {shot_id}")
            source, src_in = sources[shot_id], _frames(item.source_range.start_time, fps)
        else:
            source, src_in = Black(picture, fps, length), 0
        transition = pending or _opening(info, fps)
        pending = None
        if transition.kind in OVERLAPPING and transition.frames and events:
            # the outgoing shot runs on over its tail handle under the transition
            prev = events[-1]
            events[-1] = Event(
                prev.source,
                prev.record_in,
                prev.length + transition.frames,
                prev.src_in,
                prev.transition,
            )
        events.append(Event(source, record_in, length, src_in, transition))

    overlays = []
    for track in timeline.video_tracks()[1:]:
        for item in track:
            if not isinstance(item, otio.schema.Clip):
                continue
            ref = item.media_reference
            if not isinstance(ref, otio.schema.GeneratorReference) or "text" not in ref.parameters:
                continue
            style = ref.parameters.get("style", "card")
            r = track.range_of_child(item)
            length = _frames(r.duration, fps)
            fade = min(frames_for(TITLE_FADE_SECONDS.get(style, 0.5), fps), length // 3)
            overlays.append(
                Overlay(
                    _frames(r.start_time, fps),
                    length,
                    render_text(ref.parameters["text"], style, frame, picture),
                    fade,
                )
            )
    if burn_subtitles:
        overlays.extend(subtitle_overlays(timeline))
    n_frames = _frames(v1.duration(), fps)
    program = Program(
        fps=fps, picture_size=picture, frame_size=frame, events=events, overlays=overlays
    )
    if program.n_frames != n_frames:
        raise StoryreelError(
            f"the programme runs {program.n_frames} frames, the timeline {n_frames}"
        )
    return program


def _opening(info: dict, fps: Fraction) -> Transition:
    """A shot that opens the film with a fade-in fades up from black."""
    t = info.get("transition_in") or {}
    if t.get("kind") == TransitionKind.FADE_IN and t.get("frames"):
        return Transition(kind=TransitionKind.FADE_IN, frames=t["frames"])
    return Transition()
