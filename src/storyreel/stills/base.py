"""The stills stage: a backend turns one shot (and a seed) into a keyframe `Still`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from storyreel.config import ProjectConfig
from storyreel.model import Scene, Shot, Still


@dataclass(frozen=True)
class StillRequest:
    shot: Shot
    scene: Scene
    config: ProjectConfig
    seed: int
    size: tuple[int, int]  # (width, height) of the picture area
    project_root: Path | None = None  # for reference images and folder imports
    take: int = 0  # which take of the shot (0-based): folder imports pick their file by it


@runtime_checkable
class StillsBackend(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]

    def generate(self, request: StillRequest) -> Still: ...
