"""Writing files, shared by every room that writes a file a person or a program reads.

A write goes to a temporary name in the same folder, is fsynced and renamed, so a process killed
at any moment leaves the old file or the new one, never half of one. The file ends with the mode
an ordinary `open(path, "w")` gives (0666 less the umask), not mkstemp's private 0600.
Every PNG is encoded by `png_bytes`, so the same pixels give the same bytes wherever they are
written or sent (a take, a title card, a still a vendor is sent and keyed by).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image


@functools.cache
def file_mode() -> int:
    """0666 less the process's umask: the mode a newly created ordinary file gets."""
    with contextlib.suppress(
        OSError, ValueError, StopIteration
    ):  # Linux: read it without setting it
        status = Path("/proc/self/status").read_text().splitlines()
        return 0o666 & ~int(next(x for x in status if x.startswith("Umask:")).split()[1], 8)
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, data: bytes | str) -> Path:
    """Write `data` (text as UTF-8) to `path`: temporary name in the same folder, fsync, rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
    return path


def png_bytes(
    image: np.ndarray | Image.Image, compress_level: int = 6, optimize: bool = False
) -> bytes:
    """A deterministic PNG of `image` (RGB or RGBA uint8, or a Pillow image): no timestamps or
    other metadata, so the same pixels give the same bytes. `compress_level` 1 is for speed,
    `optimize` for the smallest file."""
    buf = io.BytesIO()
    picture = image if isinstance(image, Image.Image) else Image.fromarray(image)
    picture.save(buf, format="PNG", compress_level=compress_level, optimize=optimize)
    return buf.getvalue()
