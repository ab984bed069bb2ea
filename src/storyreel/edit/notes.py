"""Notes on the reel as markers of the timeline, so they reach the editor's NLE.

A note on a shot becomes a marker at the start of that shot's clip on V1; a note at a timecode,
a marker on V1 at that record time. Each marker carries the note's author, time and id in
`metadata["storyreel"]`, so an edit that comes back can be told from the notes sent with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import opentimelineio as otio

from storyreel.edit.timeline import picture_clips, timeline_fps, tr

COLOR = otio.schema.MarkerColor.RED


@dataclass(frozen=True)
class Note:
    id: int
    author: str
    created: str
    text: str
    shot_id: str | None = None
    timecode: str | None = None  # record timecode, as the cut's timecode counts

    @classmethod
    def from_row(cls, row: Any) -> Note:
        """A note from a row of the project database's notes."""
        return cls(
            row["id"], row["author"], row["created"], row["text"], row["shot_id"], row["timecode"]
        )


def add_note_markers(timeline: otio.schema.Timeline, notes: Iterable[Note]) -> int:
    """Mark `notes` on `timeline` (in place); returns how many found a place on it."""
    fps = timeline_fps(timeline)
    v1 = timeline.video_tracks()[0]
    clips = {}
    for clip in picture_clips(timeline):
        clips.setdefault(clip.metadata["storyreel"]["shot_id"], clip)
    start = timeline.global_start_time
    placed = 0
    for note in notes:
        meta = {"kind": "note", "id": note.id, "author": note.author, "created": note.created}
        name = f"{note.author}: {note.text}"
        if note.shot_id in clips:
            clip = clips[note.shot_id]
            at = clip.source_range.start_time.to_frames()
            marker = otio.schema.Marker(name=name, marked_range=tr(at, 0, fps), color=COLOR)
            marker.metadata["storyreel"] = meta
            clip.markers.append(marker)
        elif note.timecode:
            record = otio.opentime.from_timecode(note.timecode, float(fps))
            frame = (record - start).to_frames() if start is not None else record.to_frames()
            if not 0 <= frame < v1.duration().to_frames():
                continue
            marker = otio.schema.Marker(name=name, marked_range=tr(frame, 0, fps), color=COLOR)
            marker.metadata["storyreel"] = meta
            v1.markers.append(marker)
        else:
            continue
        placed += 1
    return placed
