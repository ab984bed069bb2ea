"""Conform throughput: a vendor-sized clip (1280x720, 24 fps, 5 s) made into shots of the film.

Prints frames per second for plain PyAV decoding (the peer: what any import must pay) and for
`conform_video` trimming to a 3 s shot and retiming to an 8 s shot at 1920x804, with every
frame read back as the render would, and the ratio of each to the plain decode.

    python benchmarks/conform.py
"""

from __future__ import annotations

import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from storyreel.motion.folder import conform_video

SRC = (1280, 720)
PICTURE = (1920, 804)


def make_clip(path: Path, seconds: int = 5, fps: int = 24) -> int:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (SRC[1], SRC[0], 3), dtype=np.uint8)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = *SRC, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(seconds * fps):
            out.mux(
                stream.encode(
                    av.VideoFrame.from_ndarray(np.roll(base, 8 * i, axis=1), format="rgb24")
                )
            )
        out.mux(stream.encode())
    return seconds * fps


def plain_decode(path: Path) -> tuple[int, float]:
    start = time.perf_counter()
    with av.open(str(path)) as c:
        n = sum(1 for f in c.decode(video=0) if f.to_ndarray(format="rgb24") is not None)
    return n, time.perf_counter() - start


def conform(path: Path, n_frames: int) -> tuple[int, float, bool]:
    start = time.perf_counter()
    clip = conform_video(path, n_frames, Fraction(24), PICTURE)
    for i in range(clip.n_frames):
        clip.frame(i)
    return n_frames, time.perf_counter() - start, clip.retimed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vendor.mp4"
        make_clip(path)
        n, t = plain_decode(path)
        base = n / t
        print(f"{'case':<34}{'frames':>8}{'seconds':>10}{'frames/s':>10}{'vs decode':>11}")
        print(f"{'plain decode 1280x720 (peer)':<34}{n:>8}{t:>10.2f}{base:>10.1f}{1.0:>10.2f}x")
        for label, frames in (
            ("conform: trim to 3 s, 1920x804", 72),
            ("conform: retime to 8 s, 1920x804", 192),
        ):
            n, t, retimed = conform(path, frames)
            print(f"{label:<34}{n:>8}{t:>10.2f}{n / t:>10.1f}{n / t / base:>10.2f}x")


if __name__ == "__main__":
    main()
