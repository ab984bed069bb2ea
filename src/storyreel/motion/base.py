"""The motion stage: a backend turns a shot's still into a clip of exactly `n_frames` frames.

A clip may also be asked to arrive somewhere: `end_still` is the picture its frame `end_frame`
should show (the next shot's still, across a match cut). A backend whose model takes a last
frame (Wan FLF2V, LTX conditions, Kling's tail image, Luma's `frame1`, Runway's last prompt
image, Veo's last frame) declares `landing` and answers `lands` (see `storyreel.backends`), conditions
on it and conforms with `land=end_frame`; the frames after it (the tail handle) hold that picture.
A backend without one ignores it and says so in its provenance (`params["end_frame"] = "ignored"`).
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import ClassVar

from storyreel.backends import Backend
from storyreel.config import ProjectConfig
from storyreel.model import FrameSource, Scene, Shot, Still


@dataclass(frozen=True)
class ClipRequest:
    shot: Shot
    scene: Scene
    still: Still
    config: ProjectConfig
    seed: int
    fps: Fraction
    n_frames: int
    size: tuple[int, int]  # (width, height) of the picture area
    project_root: Path | None = None
    take: int = 0  # which take of the shot (0-based): folder imports pick their file by it
    end_still: Still | None = None  # the picture to arrive at (a match cut's next shot)
    end_frame: int | None = None  # where in the clip it lands (the shot's out point)

    @property
    def landing(self) -> int | None:
        """The frame index the clip must arrive at `end_still` on, or None for a free clip."""
        if self.end_still is None:
            return None
        last = self.n_frames - 1
        return last if self.end_frame is None else max(1, min(int(self.end_frame), last))


class MotionBackend(Backend):
    """A motion backend: declares its fields (`storyreel.backends.Backend`) and makes clips."""

    stage: ClassVar[str] = "motion"

    @abstractmethod
    def animate(self, request: ClipRequest) -> FrameSource:
        """The clip of `request.shot` from `request.still`.

        Args:
            request: the shot, its still, the config, the seed, the rate, the frame count and
                size, and the still to arrive at (`end_still`, sent only where `lands`).

        Returns:
            A `FrameSource` of exactly `request.n_frames` frames of exactly `request.size`; where
            the backend lands, its frame `request.landing` shows `end_still` and the frames after
            it hold that picture.
        """
