"""Takes: the seed of each take of a shot, and the deterministic PNG a take is shown as.

Where takes are kept is the build's business: one store for every command (`storyreel.run.stills`).
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
from PIL import Image

from storyreel.model import Shot


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


def png_bytes(image: np.ndarray) -> bytes:
    """A deterministic PNG (no timestamps or other metadata): same pixels, same bytes."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG", compress_level=6)
    return buf.getvalue()
