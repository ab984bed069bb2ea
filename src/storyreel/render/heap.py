"""Freed memory handed back to the system between the render's stages.

glibc's malloc keeps what a thread frees in that thread's arena for the next allocation; after
the stills stage (a pool of threads painting full-size layers) a render held about 220 MB it no
longer used, under everything the segments then allocate (measured on the example at 1080p:
432 MB resident before `malloc_trim`, 212 MB after). `malloc_trim(0)` returns the arenas' free
pages; it is glibc's own call, reached through ctypes since Python has no binding for it. On
another C library this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc
        return None


def release() -> None:
    """Give the system back the heap's free pages (glibc), so a peak is the live memory's."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
