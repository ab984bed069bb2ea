"""Editorial overrides: the order and trims an editor made in an NLE, brought back to the project.

The script stays the source of the shots; overrides only say which shots the cut uses, in which
order, and which frames of each (`src_in` and `length` in frames of the shot's media, whose
frame 0 is the start of its head handle).
"""

from __future__ import annotations

from pydantic import Field

from storyreel.model import Model


class OverrideEntry(Model):
    shot_id: str
    src_in: int = Field(ge=0)  # first frame used, counted from the start of the media
    length: int = Field(gt=0)  # frames on the timeline


class EditOverrides(Model):
    source: str  # the edited file they came from
    fps: str  # the frame rate the frames are counted at, "24000/1001"
    entries: list[OverrideEntry]  # picture order; a shot may appear more than once
    known_shots: list[str] = Field(default_factory=list)  # shots in the script at import time
    changes: list[str] = Field(default_factory=list)  # human report of what changed

    @property
    def summary(self) -> str:
        return "\n".join(self.changes) if self.changes else "no changes"
