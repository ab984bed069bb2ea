"""Takes: the seed of each take of a shot, generating N takes, and where the `stills` command
keeps them (`.storyreel/stills/<shot>/<seed>.png` and the layers in a `.npz` beside it)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from storyreel.config import ProjectConfig
from storyreel.model import Layer, Scene, Shot, Still
from storyreel.stills.base import StillRequest, StillsBackend
from storyreel.store.objects import atomic_write


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


def take_path(project_root: Path, shot_id: str, seed: int) -> Path:
    """Where the `stills` command keeps a take: `.storyreel/stills/<shot>/<seed>.png`."""
    return project_root / ".storyreel" / "stills" / shot_id / f"{seed}.png"


def png_bytes(image: np.ndarray) -> bytes:
    """A deterministic PNG (no timestamps or other metadata): same pixels, same bytes."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def write_take(path: Path, still: Still) -> None:
    """The still as a PNG at `path` and its layers as a compressed `.npz` beside it."""
    atomic_write(path, png_bytes(still.image))
    if still.layers:
        buf = io.BytesIO()
        arrays = {f"layer{i}": layer.rgba for i, layer in enumerate(still.layers)}
        np.savez_compressed(buf, names=np.array([layer.name for layer in still.layers]),
                            depths=np.array([layer.depth for layer in still.layers]),
                            boxes=np.array(json.dumps(still.subject_boxes)), **arrays)
        atomic_write(path.with_suffix(".npz"), buf.getvalue())


def read_layers(path: Path) -> tuple[list[Layer], dict[str, tuple[int, int, int, int]]]:
    """The layers and subject boxes written by `write_take` (give the PNG's or the npz's path)."""
    with np.load(path.with_suffix(".npz")) as data:
        layers = [Layer(str(name), float(depth), data[f"layer{i}"])
                  for i, (name, depth) in enumerate(zip(data["names"], data["depths"], strict=True))]
        boxes = {k: tuple(v) for k, v in json.loads(str(data["boxes"])).items()}
    return layers, boxes
