"""`.cube` LUT grading cost per 1920x1080 frame: the previous lookup against the current one.

A 33³ film-print-like LUT (crosstalk, toe, roll-off, a non-default domain) is applied to three
pictures: a previz still, the same still with photographic noise (σ 4 codes: every pixel a
slightly different colour, as in a real plate), and uniform noise (the worst case: no two
neighbours share a cache line of the table). The previous implementation is rebuilt here as
the reference: a (256³, 3) table made in float32 numpy and gathered by 3-byte rows. Prints the
table build time once per LUT, the median ms per frame of each, and the largest difference
between their outputs in 8-bit code values.

    python benchmarks/lut.py
    python benchmarks/lut.py --repeats 15
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the LUT tests' material

from tests.render.grading import previz_still, write_cube  # noqa: E402

from storyreel.render.lut import _lerp_axis, apply_lut, dense_table, parse_cube  # noqa: E402

SIZE = (1920, 1080)
DOMAIN = "DOMAIN_MIN 0.02 0.02 0.02\nDOMAIN_MAX 0.98 0.98 0.98"


def film_print(r: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Crosstalk between the channels, a toe and a roll-off."""
    return np.stack(
        [r**1.3 * 0.9 + 0.08 * g, np.sqrt(g) * 0.95 + 0.03 * b, 0.7 * b + 0.25 * r * g + 0.04], -1
    )


def previous_table(path: Path) -> np.ndarray:
    """(256³, 3) uint8: the lattice interpolated axis by axis in float32, rounded at the end."""
    lattice, lo, hi = parse_cube(path)
    n = lattice.shape[0]
    codes = np.arange(256) / 255.0
    pos = [np.clip((codes - lo[c]) / (hi[c] - lo[c]) * (n - 1), 0, n - 1) for c in range(3)]
    t = _lerp_axis(_lerp_axis(lattice, 2, pos[0]), 1, pos[1])
    out = np.empty((256, 256, 256, 3), np.uint8)
    for b0 in range(0, 256, 32):
        part = _lerp_axis(t, 0, pos[2][b0 : b0 + 32])
        out[b0 : b0 + 32] = np.clip(part * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out.reshape(-1, 3)


def previous_apply(rgb: np.ndarray, table: np.ndarray) -> np.ndarray:
    c = rgb.astype(np.uint32)
    return table[(c[..., 2] << 16) | (c[..., 1] << 8) | c[..., 0]]


def pictures() -> dict[str, np.ndarray]:
    still = previz_still(SIZE, 1000)
    rng = np.random.default_rng(0)
    noisy = np.clip(still + rng.normal(0, 4, still.shape), 0, 255).astype(np.uint8)
    noise = rng.integers(0, 256, still.shape, dtype=np.uint8)
    return {"previz still": still, "still + noise": noisy, "uniform noise": noise}


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_cube(Path(tmp) / "print.cube", 33, film_print, header=DOMAIN)
        start = time.perf_counter()
        old_table = previous_table(path)
        old_build = time.perf_counter() - start
        start = time.perf_counter()
        new_table = dense_table(path)
        new_build = time.perf_counter() - start
    print(
        f"table build (33³ LUT, parse included): previous {old_build * 1000:.0f} ms, "
        f"current {new_build * 1000:.0f} ms"
    )
    print(
        f"{'1920x1080 picture':<16}  {'previous ms':>11}  {'current ms':>10}  {'speed-up':>8}  {'max |diff|':>10}"
    )
    for name, rgb in pictures().items():
        old = median_ms(lambda rgb=rgb: previous_apply(rgb, old_table), a.repeats)
        new = median_ms(lambda rgb=rgb: apply_lut(rgb, new_table), a.repeats)
        diff = np.abs(previous_apply(rgb, old_table).astype(int) - apply_lut(rgb, new_table)).max()
        print(f"{name:<16}  {old:>11.1f}  {new:>10.1f}  {old / new:>7.1f}x  {diff:>10}")


if __name__ == "__main__":
    main()
