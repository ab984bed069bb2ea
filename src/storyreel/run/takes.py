"""Takes as stored objects: the keys of a shot's still and clip, and stills on disk.

A still is stored as two objects: the flattened image as PNG (what a person opens) and its depth
layers as `.npz` (names, depths, RGBA planes), with the subject boxes in the output's metadata.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from storyreel.backends import Backend
from storyreel.config import ProjectConfig
from storyreel.files import png_bytes
from storyreel.model import Layer, Scene, Shot, Still
from storyreel.run.stage import Stored
from storyreel.store.keys import canonical, digest, stage_key
from storyreel.store.objects import ObjectStore

# Shot fields that place it in the cut or are heard rather than seen: a still's key leaves them
# out (a backend that reads them says so with `cache_token`). The scene's id is left out too: it
# hashes the scene's first paragraph, which may belong to another shot.
_PLACEMENT = {
    "lines",
    "scene_id",
    "duration",
    "duration_fixed",
    "transition_in",
    "super",
    "dialogue",
}
_MOTION = ("size", "angle", "move", "move_intensity", "easing", "subjects", "description")


def shot_text_hash(shot: Shot) -> str:
    """What a shot says, wherever it sits in the script (its line numbers are left out)."""
    return digest(canonical(shot.model_dump(mode="python", exclude={"lines", "scene_id"})))[:16]


def _refs(paths: list[str], root: Path | None) -> list[str]:
    """Digests of reference images, so replacing a file changes the key."""
    out = []
    for ref in paths:
        path = (root / ref) if root else Path(ref)
        out.append(digest(path.read_bytes()) if path.is_file() else f"missing:{ref}")
    return out


def still_key(
    shot: Shot,
    scene: Scene,
    config: ProjectConfig,
    backend: Backend,
    take: int,
    seed: int,
    size: tuple[int, int],
    root: Path | None,
) -> str:
    characters = {n: config.characters[n] for n in sorted(config.characters)}
    token = backend.cache_token(shot, root)
    return stage_key(
        "still",
        backend=(backend.name, str(backend.version)),
        shot=shot.model_dump(mode="python", exclude=_PLACEMENT),
        scene=scene.model_dump(mode="python", exclude={"id", "lines"}),
        look=config.look,
        characters=characters,
        size=size,
        take=take,
        seed=seed,
        refs=_refs([r for c in characters.values() for r in c.refs] + config.look.refs, root),
        token=token,
    )


def clip_key(
    still: str,
    shot: Shot,
    config: ProjectConfig,
    backend: Backend,
    take: int,
    seed: int,
    n_frames: int,
    size: tuple[int, int],
    root: Path | None,
    end: tuple[str, int] | None = None,
) -> str:
    """The key of a clip; `end` is (the key of the still it arrives at, the frame it lands on)."""
    token = backend.cache_token(shot, root)
    return stage_key(
        "clip",
        backend=(backend.name, str(backend.version)),
        upstream=[still],
        shot={f: getattr(shot, f) for f in _MOTION},
        fps=config.film.fps,
        n_frames=n_frames,
        size=size,
        take=take,
        seed=seed,
        token=token,
        **({"end": list(end)} if end else {}),
    )


def take_id(shot_id: str, kind: str, key: str) -> str:
    return f"{shot_id}.{kind}.{key[:8]}"


def save_still(store: ObjectStore, still: Still) -> Stored:
    """Store a still's PNG and layers; returns the stored output."""
    png = png_bytes(still.image, compress_level=1)  # for speed: a take is written once
    path = store.temp_path(".npz")
    try:
        _write_layers(path, still.layers)
        blobs = {"png": store.put_bytes(png), "layers": store.put_file(path)}
    finally:
        path.unlink(missing_ok=True)
    meta = {
        "subject_boxes": {k: list(v) for k, v in still.subject_boxes.items()},
        "meta": json.loads(json.dumps(still.meta, default=str)),
    }
    return Stored(blobs, meta)


def _write_layers(path: Path, layers: list[Layer]) -> None:
    """The layers as the `.npz` `np.savez` writes (names, depths, RGBA stacked (n, H, W, 4)),
    the planes written one after another into the file: stacking them first would hold a
    second copy of every layer (and `np.savez` into memory a third) while a still is saved.
    The members carry a fixed date, so the same layers are the same object whenever saved."""
    rgbas = [la.rgba for la in layers]
    dtype = np.result_type(*rgbas) if rgbas else np.dtype(np.uint8)
    shapes = {a.shape for a in rgbas}
    if len(shapes) > 1:
        raise ValueError(f"a still's layers differ in size: {sorted(shapes)}")
    shape = (len(rgbas), *shapes.pop()) if rgbas else (0, 1, 1, 4)
    names = np.array([la.name for la in layers], dtype=str)
    depths = np.array([la.depth for la in layers], dtype=np.float64)
    with zipfile.ZipFile(path, "w", allowZip64=True) as z:
        for name, array in (("names", names), ("depths", depths)):
            with z.open(_member(f"{name}.npy"), "w", force_zip64=True) as f:
                np.lib.format.write_array(f, array)
        with z.open(_member("rgba.npy"), "w", force_zip64=True) as f:
            header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False}
            np.lib.format.write_array_header_1_0(f, {**header, "shape": shape})
            for a in rgbas:
                f.write(np.ascontiguousarray(a, dtype).data)


def _member(name: str) -> zipfile.ZipInfo:
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # the zip format's first day


def load_still(store: ObjectStore, stored: Stored) -> Still:
    """A stored still, verified by hash (raises `CorruptObject`)."""
    image = np.asarray(Image.open(io.BytesIO(store.read_bytes(stored.blobs["png"]))).convert("RGB"))
    with np.load(io.BytesIO(store.read_bytes(stored.blobs["layers"]))) as z:
        rgba = z["rgba"]  # read once: each `z["rgba"]` reads (and holds) every layer again
        layers = [
            Layer(str(n), float(d) if math.isfinite(d) else math.inf, rgba[i])
            for i, (n, d) in enumerate(zip(z["names"], z["depths"], strict=True))
        ]
    boxes = {k: tuple(v) for k, v in stored.meta.get("subject_boxes", {}).items()}
    return Still(image=image, layers=layers, subject_boxes=boxes, meta=stored.meta.get("meta", {}))
