"""Parse and break down a generated 120-page feature; print the time and the rate.

    python benchmarks/breakdown.py [--pages 120] [--repeat 5]

Target: under 2 s for a feature on a 2-core machine. Figures are the best of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import time

from storyreel.config import ProjectConfig
from storyreel.script.breakdown import breakdown
from storyreel.script.fountain import parse
from storyreel.script.sample import feature_script
from storyreel.script.timing import pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=float, default=120.0)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    text = feature_script(args.pages)
    config = ProjectConfig()
    best_parse = best_total = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        script = parse(text, "feature.fountain")
        t1 = time.perf_counter()
        shotlist = breakdown(script, config)
        t2 = time.perf_counter()
        best_parse, best_total = min(best_parse, t1 - t0), min(best_total, t2 - t0)
    n_pages = pages(script)
    print(f"script: {n_pages:.0f} pages, {len(text.splitlines())} lines, "
          f"{len(shotlist.scenes)} scenes, {len(shotlist.shots)} shots, "
          f"runtime {shotlist.runtime / 60:.0f} min")
    print(f"parse:            {best_parse:.3f} s")
    print(f"parse + breakdown: {best_total:.3f} s  (target < 2 s: "
          f"{'met' if best_total < 2 else 'MISSED'})")
    print(f"rate: {n_pages / best_total:.0f} pages/s, {len(shotlist.shots) / best_total:.0f} "
          f"shots/s; breakdown is {best_total / best_parse:.1f}x the parse alone")


if __name__ == "__main__":
    main()
