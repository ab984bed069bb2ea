"""The edit room at scale: a feature's timeline and exports.

    python benchmarks/edit.py [--pages 120]

Prints the time to build a generated feature's timeline, export it to the four NLE formats and
write its subtitles. The mix's speed and memory are `benchmarks/sound.py`'s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from storyreel.config import ProjectConfig
from storyreel.edit.subtitles import write_subtitles
from storyreel.edit.timeline import build_timeline
from storyreel.handoff.exports import export_all
from storyreel.script.breakdown import breakdown
from storyreel.script.fountain import parse
from storyreel.script.sample import feature_script


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=float, default=120.0)
    args = ap.parse_args()
    config = ProjectConfig.model_validate({"film": {"fps": "24000/1001"}})
    shotlist = breakdown(parse(feature_script(args.pages), "feature.fountain"), config)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        tl = build_timeline(shotlist, config)
        t1 = time.perf_counter()
        export_all(tl, out / "out")
        t2 = time.perf_counter()
        write_subtitles(tl, out / "out")
        t3 = time.perf_counter()
        lines = sum(len(s.dialogue) for s in shotlist.shots)
        print(
            f"feature: {len(shotlist.shots)} shots, {lines} lines, "
            f"{tl.duration().to_seconds() / 60:.0f} min at 24000/1001"
        )
        print(
            f"build_timeline: {t1 - t0:.2f} s   export_all (4 formats): {t2 - t1:.2f} s   "
            f"subtitles: {t3 - t2:.2f} s"
        )


if __name__ == "__main__":
    main()
