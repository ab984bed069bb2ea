"""The stills stage: a backend turns one shot (and a seed) into a keyframe `Still`."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from storyreel.backends import Backend
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


class StillsBackend(Backend):
    """A stills backend: declares its fields (`storyreel.backends.Backend`) and makes stills."""

    stage: ClassVar[str] = "stills"

    @abstractmethod
    def generate(self, request: StillRequest) -> Still:
        """The still of `request.shot` for `request.seed`, exactly `request.size` (width, height).

        Args:
            request: the shot, its scene, the project's config, the seed, the picture size, and
                which take of the shot it is.

        Returns:
            A `Still` whose image is (height, width, 3) uint8 RGB, with its provenance in `meta`
            (`prompt`, `negative_prompt`, `remote_id`, `params`) and never a secret in it.
        """
