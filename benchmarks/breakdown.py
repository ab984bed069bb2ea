"""Parse and break down a generated 120-page feature, then scripts of 1,000 and 10,000 scenes
and one of 10 MB (the size limit); print the time, the rate and the peak memory of each.

    python benchmarks/breakdown.py [--pages 120] [--repeat 5] [--no-scale]

Target: under 2 s for a feature on a 2-core machine. Figures are the best of `--repeat` runs.
The large scripts run once each, in a fresh process (so that its peak memory is its own);
linear work shows as the same time and memory per scene at 1,000 and at 10,000 scenes.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

from storyreel.config import ProjectConfig
from storyreel.script.breakdown import breakdown
from storyreel.script.fountain import MAX_SCRIPT_BYTES, parse
from storyreel.script.sample import feature_script, long_script
from storyreel.script.timing import pages

SCALE = [
    ("1,000 scenes", "scenes", 1_000),
    ("10,000 scenes", "scenes", 10_000),
    ("10 MB", "size", MAX_SCRIPT_BYTES),
]


def feature(n_pages: float, repeat: int) -> None:
    text = feature_script(n_pages)
    config = ProjectConfig()
    best_parse = best_total = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        script = parse(text, "feature.fountain")
        t1 = time.perf_counter()
        shotlist = breakdown(script, config)
        t2 = time.perf_counter()
        best_parse, best_total = min(best_parse, t1 - t0), min(best_total, t2 - t0)
    n_pages = pages(script)
    print(
        f"script: {n_pages:.0f} pages, {len(text.splitlines())} lines, "
        f"{len(shotlist.scenes)} scenes, {len(shotlist.shots)} shots, "
        f"runtime {shotlist.runtime / 60:.0f} min"
    )
    print(f"parse:            {best_parse:.3f} s")
    print(
        f"parse + breakdown: {best_total:.3f} s  (target < 2 s: "
        f"{'met' if best_total < 2 else 'MISSED'})"
    )
    print(
        f"rate: {n_pages / best_total:.0f} pages/s, {len(shotlist.shots) / best_total:.0f} "
        f"shots/s; breakdown is {best_total / best_parse:.1f}x the parse alone"
    )


def one(kind: str, n: int) -> None:
    """One large script, in this process: prints `bytes scenes shots seconds cpu peak_bytes`."""
    text = long_script(**{kind: n})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    shotlist = breakdown(parse(text, "long.fountain"), ProjectConfig())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        len(text.encode()),
        len(shotlist.scenes),
        len(shotlist.shots),
        wall,
        cpu,
        peak,
        before * 1024,
    )


def scale() -> None:
    print("\nlarge scripts (one run each, a fresh process each):")
    for label, kind, n in SCALE:
        done = subprocess.run(
            [sys.executable, __file__, "--one", kind, str(n)],
            check=True,
            capture_output=True,
            text=True,
        )
        size, scenes, shots, wall, cpu, peak, base = done.stdout.split()
        scenes, wall, cpu, peak, base = int(scenes), float(wall), float(cpu), int(peak), int(base)
        print(
            f"  {label:>13}: {int(size) / 1e6:5.1f} MB, {scenes} scenes, {shots} shots: "
            f"{wall:6.1f} s ({cpu:.1f} s CPU, {cpu / scenes * 1000:.2f} s per 1,000 scenes); "
            f"peak memory {peak / 1e6:.0f} MB ({(peak - base) / scenes / 1e3:.1f} kB a scene "
            f"over the {base / 1e6:.0f} MB before)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=float, default=120.0)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-scale", action="store_true", help="only the feature")
    ap.add_argument("--one", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(args.one[0], int(args.one[1]))
        return
    feature(args.pages, args.repeat)
    if not args.no_scale:
        scale()


if __name__ == "__main__":
    main()
