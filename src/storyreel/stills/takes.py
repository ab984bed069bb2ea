"""Takes: the seed of each take of a shot, and generating N takes with a stills backend."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from storyreel.config import ProjectConfig
from storyreel.model import Scene, Shot, Still
from storyreel.stills.base import StillRequest, StillsBackend


def take_seed(shot: Shot, index: int) -> int:
    """The seed of take `index` (0-based) of `shot`: stable across runs and machines.

    A `[[take: seed N]]` directive makes N the seed of take 0; later takes follow from it.
    """
    if index < 0:
        raise ValueError("take index must be >= 0")
    if shot.seed is not None and index == 0:
        return shot.seed
    base = f"{shot.id}" if shot.seed is None else f"{shot.id}#{shot.seed}"
    digest = hashlib.blake2b(f"{base}/{index}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF


def generate_takes(backend: StillsBackend, shot: Shot, scene: Scene, config: ProjectConfig,
                   n: int, project_root: Path | None = None,
                   size: tuple[int, int] | None = None) -> Iterator[tuple[int, Still]]:
    """(seed, still) for takes 0..n-1 of a shot, one at a time."""
    for index in range(n):
        seed = take_seed(shot, index)
        request = StillRequest(shot=shot, scene=scene, config=config, seed=seed,
                               size=size or config.picture_size, project_root=project_root,
                               take=index)
        yield seed, backend.generate(request)
