"""The reference images a shot sends to a model that keeps a cast consistent.

A character's images (`[characters.NAME] refs`) and the film's look (`[look] refs`) are chosen
for a shot in one order every backend shares: the shot's characters first, in the order the
shot names them, one image of each in turn (so a two-shot capped at two images sends one of
each character, not two of the first), then the look's images. Each vendor caps the list at its
own documented maximum and sends it in its own way; the digests of what was sent go into the
job key and the take's provenance, so changing a reference remakes only the shots it is in.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Any

from PIL import Image

from storyreel.errors import StoryreelError
from storyreel.model import Shot

MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Reference:
    """One reference image: whose it is (a character's name, or "look"), the path as the project
    names it, where it is, and its bytes."""

    owner: str
    name: str
    path: Path
    data: bytes

    @functools.cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()  # as storyreel.store.keys.digest

    def sendable(self) -> tuple[bytes, str]:
        """(bytes, media type) as a vendor takes them: PNG, JPEG and WebP as they are, any other
        format Pillow reads (a TIFF, a BMP) converted to PNG."""
        with Image.open(io.BytesIO(self.data)) as img:
            if img.format in MIME:
                return self.data, MIME[img.format]
            buf = io.BytesIO()
            img.convert("RGB").save(buf, format="PNG")
            return buf.getvalue(), "image/png"

    def record(self, role: str) -> dict[str, str]:
        """What the take's provenance says of this image, and how the vendor was sent it."""
        return {"owner": self.owner, "file": self.name, "sha256": self.sha256, "as": role}


def _read(owner: str, where: str, ref: str, root: Path | None) -> Reference:
    path = Path(ref) if root is None or Path(ref).is_absolute() else root / ref
    if not path.is_file():
        raise StoryreelError(f"{where}: no such image {ref!r}", path)
    return Reference(owner, ref, path, path.read_bytes())


def shot_references(
    shot: Shot, config: Any, root: Path | None, limit: int | None = None
) -> list[Reference]:
    """The references for `shot`, at most `limit` of them: its characters' images taken one of
    each in turn, then the look's (`[look] refs`); an image named twice is sent once."""
    per_character = []
    for name in shot.subjects:
        character = config.characters.get(name.upper())
        where = f"characters.{name.upper()}.refs"
        per_character.append(
            [_read(name.upper(), where, ref, root) for ref in (character.refs if character else [])]
        )
    chosen = [r for turn in zip_longest(*per_character) for r in turn if r is not None]
    chosen += [_read("look", "look.refs", ref, root) for ref in config.look.refs]
    seen: set[str] = set()
    unique = []
    for ref in chosen:
        if ref.sha256 not in seen:
            seen.add(ref.sha256)
            unique.append(ref)
    return unique if limit is None else unique[:limit]


def required(refs: list[Reference], backend: str) -> list[Reference]:
    """`refs`, or, when there are none, the error saying where a backend that makes its clip
    from references (`input=refs`) finds them."""
    if not refs:
        raise StoryreelError(
            f"{backend}: input=refs needs reference images: give the shot's characters "
            "[characters.NAME] refs, or the film [look] refs"
        )
    return refs
