"""Peak memory of a render against the frame size, beside the estimate `[render] memory` is
checked with (`storyreel.config.render_memory`).

    python benchmarks/render_memory.py [--sizes 320x180 640x360 1280x720 1920x1080]

Each size renders a four-shot, four-second film in a fresh process (its peak is its own), with
as many segments encoded at once as the build uses (one a core). The slope between sizes, per
pixel and per segment in flight, is what `BYTES_PER_PIXEL_PER_WORKER` should be near.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = """EXT. PIER - NIGHT

[[shot: WS, push-in, 1s]]
Waves under the pier lights.

[[shot: MS MAYA, static, 1s]]
MAYA stands at the rail.

INT. ARCHIVE - NIGHT

[[shot: CU MAYA, pan-left, 1s]]
She looks at the reel.

[[shot: INSERT, zoom-in, 1s]]
A film can on the desk.
"""


def one(width: int, height: int) -> None:
    from storyreel.run.build import build
    from storyreel.store.project import Project

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "storyreel.toml").write_text(
            f'[film]\nfps = "24"\nwidth = {width}\nheight = {height}\n\n[look]\naspect = "16:9"\n'
            '\n[characters.MAYA]\ndescription = "a woman in a grey coat"\n'
            '\n[render]\nmemory = "1TB"\n'
        )
        (root / "script.fountain").write_text(SCRIPT)
        start = time.perf_counter()
        build(Project.open(root))
        seconds = time.perf_counter() - start
    print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["320x180", "640x360", "1280x720", "1920x1080"])
    ap.add_argument("--one", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(*args.one)
        return
    from storyreel.config import render_memory

    workers = os.cpu_count() or 1
    print(f"{workers} segments encoded at once (one a core)")
    runs = []
    for size in args.sizes:
        w, h = (int(n) for n in size.split("x"))
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(w), str(h)],
            check=True,
            capture_output=True,
            text=True,
        )
        seconds, peak = done.stdout.split()
        runs.append((w * h, int(peak)))
        print(
            f"  {w:>5}×{h:<5} peak {int(peak) / 1e6:6.0f} MB in {float(seconds):5.1f} s; "
            f"estimated {render_memory(w, h, workers) / 1e6:6.0f} MB"
        )
    (p0, m0), (p1, m1) = runs[0], runs[-1]
    if p1 > p0:
        print(f"slope: {(m1 - m0) / (p1 - p0) / workers:.0f} bytes a pixel per segment in flight")


if __name__ == "__main__":
    main()
