"""`.cube` 3D LUTs: parse (with errors that name file:line) and apply with trilinear interpolation.

Hand-written because neither OpenCV nor PyAV's API applies a 3D LUT to an array (FFmpeg's
lut3d filter needs a filter graph per frame size). Trilinear interpolation is separable, so the
lattice is interpolated once, axis by axis, to every 8-bit input: applying it is then one
gather per pixel, exactly trilinear at every uint8 colour. The table takes 48 MB.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from storyreel.errors import StoryreelError


def parse_cube(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lattice (N, N, N, 3) indexed [b, g, r], domain_min (3,), domain_max (3,))."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoryreelError("no such LUT file", path) from None
    except (OSError, UnicodeDecodeError) as e:
        raise StoryreelError(f"cannot read LUT: {e}", path) from None
    size = None
    lo, hi = np.zeros(3), np.ones(3)
    rows: list[list[float]] = []
    last_line = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        last_line = number
        key, *vals = line.split()
        try:
            if key == "TITLE":
                continue
            if key == "LUT_1D_SIZE":
                raise StoryreelError("1D LUTs are not supported; use a 3D .cube", path, number)
            if key == "LUT_3D_SIZE":
                size = int(vals[0]) if len(vals) == 1 else -1
                if not 2 <= size <= 256:
                    raise StoryreelError(f"LUT_3D_SIZE must be 2 to 256, not {' '.join(vals)}", path, number)
            elif key in ("DOMAIN_MIN", "DOMAIN_MAX"):
                if len(vals) != 3:
                    raise StoryreelError(f"{key} needs three numbers", path, number)
                if key == "DOMAIN_MIN":
                    lo = np.array([float(v) for v in vals])
                else:
                    hi = np.array([float(v) for v in vals])
            elif _is_number(key):
                if size is None:
                    raise StoryreelError("data before LUT_3D_SIZE", path, number)
                row = [float(v) for v in (key, *vals)]
                if len(row) != 3:
                    raise StoryreelError(f"a LUT row needs three numbers, found {len(row)}", path, number)
                rows.append(row)
            else:
                raise StoryreelError(f"unknown keyword {key!r}", path, number)
        except ValueError:
            raise StoryreelError(f"not a number in {line!r}", path, number) from None
    if size is None:
        raise StoryreelError("no LUT_3D_SIZE line", path, last_line or None)
    if len(rows) != size**3:
        raise StoryreelError(f"expected {size**3} rows for LUT_3D_SIZE {size}, found {len(rows)}",
                             path, last_line or None)
    if (hi <= lo).any():
        raise StoryreelError("DOMAIN_MAX must be above DOMAIN_MIN", path)
    return np.asarray(rows, np.float32).reshape(size, size, size, 3), lo, hi


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def _lerp_axis(table: np.ndarray, axis: int, pos: np.ndarray) -> np.ndarray:
    """Linear interpolation of `table` along `axis` at fractional lattice positions `pos`."""
    n = table.shape[axis]
    pos = np.clip(pos, 0, n - 1)
    i0 = np.minimum(np.floor(pos).astype(np.intp), n - 2)
    w = (pos - i0).astype(np.float32)
    shape = [1] * table.ndim
    shape[axis] = -1
    w = w.reshape(shape)
    return np.take(table, i0, axis=axis) * (1 - w) + np.take(table, i0 + 1, axis=axis) * w


@lru_cache(maxsize=2)
def dense_table(path: Path) -> np.ndarray:
    """(256³, 3) uint8: the LUT at every 8-bit colour, index (b << 16) | (g << 8) | r."""
    lattice, lo, hi = parse_cube(path)
    n = lattice.shape[0]
    codes = np.arange(256) / 255.0
    pos = [(codes - lo[c]) / (hi[c] - lo[c]) * (n - 1) for c in range(3)]  # r, g, b
    t = _lerp_axis(lattice, 2, pos[0])  # (N, N, 256, 3)
    t = _lerp_axis(t, 1, pos[1])  # (N, 256, 256, 3)
    out = np.empty((256, 256, 256, 3), np.uint8)
    for b0 in range(0, 256, 32):  # the last axis in slices: bounded float memory
        part = _lerp_axis(t, 0, pos[2][b0 : b0 + 32])
        out[b0 : b0 + 32] = np.clip(part * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out.reshape(-1, 3)


def apply_lut(rgb: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Map an (H, W, 3) uint8 RGB image through a dense table."""
    c = rgb.astype(np.uint32)
    index = (c[..., 2] << 16) | (c[..., 1] << 8) | c[..., 0]
    return table[index]
