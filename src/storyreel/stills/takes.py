"""Takes: the seed of each take of a shot.

Where takes are kept is the build's business: one store for every command (`storyreel.run.stills`).
"""

from __future__ import annotations

import hashlib

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
