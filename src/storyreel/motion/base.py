"""The motion stage: a backend turns a shot's still into a clip of exactly `n_frames` frames."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

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


@runtime_checkable
class MotionBackend(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]

    def animate(self, request: ClipRequest) -> FrameSource: ...
