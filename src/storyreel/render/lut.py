"""`.cube` 3D LUTs: parse (with errors that name file:line) and apply with trilinear interpolation.

Hand-written because neither OpenCV nor PyAV's API applies a 3D LUT to an array (FFmpeg's
lut3d filter needs a filter graph per frame size). Trilinear interpolation is separable, so the
lattice is interpolated once, axis by axis, to every 8-bit input: applying it is then one
gather per pixel, exactly trilinear at every uint8 colour. Each table cell is an RGB0 pixel
packed in 4 bytes, so a frame is looked up with one `np.take` on 32-bit words (a 3-byte row
gather is several times slower). The table takes 64 MiB and is kept for the two LUT files
read last, by their contents.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from storyreel.errors import StoryreelError


def parse_cube(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lattice (N, N, N, 3) indexed [b, g, r], domain_min (3,), domain_max (3,))."""
    return _parse(path, _read(path))


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoryreelError("no such LUT file", path) from None
    except (OSError, UnicodeDecodeError) as e:
        raise StoryreelError(f"cannot read LUT: {e}", path) from None


def _parse(path: Path, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
                    raise StoryreelError(
                        f"LUT_3D_SIZE must be 2 to 256, not {_shown(' '.join(vals))}", path, number
                    )
            elif key in ("DOMAIN_MIN", "DOMAIN_MAX"):
                if len(vals) != 3:
                    raise StoryreelError(f"{key} needs three numbers", path, number)
                if key == "DOMAIN_MIN":
                    lo = np.array(_floats(vals, path, number))
                else:
                    hi = np.array(_floats(vals, path, number))
            elif _is_number(key):
                if size is None:
                    raise StoryreelError("data before LUT_3D_SIZE", path, number)
                row = _floats([key, *vals], path, number)
                if len(row) != 3:
                    raise StoryreelError(
                        f"a LUT row needs three numbers, found {len(row)}", path, number
                    )
                rows.append(row)
            else:
                raise StoryreelError(
                    f"unknown keyword {_shown(key)}; is this a .cube LUT?", path, number
                )
        except ValueError:  # LUT_3D_SIZE's
            raise StoryreelError(f"not a whole number: {_shown(vals[0])}", path, number) from None
    if size is None:
        raise StoryreelError("no LUT_3D_SIZE line", path, last_line or None)
    if len(rows) != size**3:
        raise StoryreelError(
            f"expected {size**3} rows for LUT_3D_SIZE {size}, found {len(rows)}",
            path,
            last_line or None,
        )
    if (hi <= lo).any():
        raise StoryreelError("DOMAIN_MAX must be above DOMAIN_MIN", path)
    return np.asarray(rows, np.float32).reshape(size, size, size, 3), lo, hi


def _shown(word: str, limit: int = 8) -> str:
    """The offending word, quoted and cut to `limit` characters: an error never shows more of
    a file that may not be a LUT at all."""
    return repr(word if len(word) <= limit else word[:limit] + "…")


def _floats(words: list[str], path: Path, line: int) -> list[float]:
    numbers = []
    for word in words:
        try:
            numbers.append(float(word))
        except ValueError:
            raise StoryreelError(f"not a number: {_shown(word)}", path, line) from None
    return numbers


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def _lerp_axis(table: np.ndarray, axis: int, pos: np.ndarray) -> np.ndarray:
    """Linear interpolation of `table` along `axis` at fractional lattice positions `pos` (0..n-1)."""
    n = table.shape[axis]
    i0 = np.minimum(np.floor(pos).astype(np.intp), n - 2)
    w = (pos - i0).astype(np.float32)
    shape = [1] * table.ndim
    shape[axis] = -1
    w = w.reshape(shape)
    return np.take(table, i0, axis=axis) * (1 - w) + np.take(table, i0 + 1, axis=axis) * w


def dense_table(path: Path) -> np.ndarray:
    """(256³,) uint32: the LUT at every 8-bit colour as RGB0 bytes, index (b << 16) | (g << 8) | r.

    Cached by the file's text, so a LUT edited while the process runs is read afresh."""
    return _dense_table(path, _read(path))


@lru_cache(maxsize=2)
def _dense_table(path: Path, text: str) -> np.ndarray:
    lattice, lo, hi = _parse(path, text)
    n = lattice.shape[0]
    lattice = np.concatenate([lattice * 255.0, np.zeros((n, n, n, 1), np.float32)], axis=-1)  # RGB0
    codes = np.arange(256) / 255.0
    pos = [
        np.clip((codes - lo[c]) / (hi[c] - lo[c]) * (n - 1), 0, n - 1) for c in range(3)
    ]  # r, g, b
    t = _lerp_axis(lattice, 2, pos[0])  # (N, N, 256, 4)
    t = _lerp_axis(t, 1, pos[1])  # (N, 256, 256, 4)
    i0 = np.minimum(pos[2].astype(np.intp), n - 2)
    out = np.empty((256, 256, 256, 4), np.uint8)
    for b, (i, w) in enumerate(
        zip(i0, pos[2] - i0, strict=True)
    ):  # the last axis: rounded, saturated
        cv2.addWeighted(t[i], 1.0 - w, t[i + 1], w, 0.0, dst=out[b], dtype=cv2.CV_8U)
    return out.view(np.uint32).reshape(-1)


def apply_lut(rgb: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Map an (H, W, 3) uint8 RGB image through a dense table."""
    h, w = rgb.shape[:2]
    index = (
        cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA).view("<u4").reshape(h, w)
    )  # r | g << 8 | b << 16 | a << 24
    np.bitwise_and(index, 0xFFFFFF, out=index)
    out = np.take(table, index, mode="clip")  # every index is in range: skip the bounds check
    return cv2.cvtColor(out.view(np.uint8).reshape(h, w, 4), cv2.COLOR_RGBA2RGB)
