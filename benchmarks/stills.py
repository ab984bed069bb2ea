"""Time per 1920×804 previz still on one core: the median over the example film's shots.

    python benchmarks/stills.py [PROJECT] [--repeat N]

Target: under 150 ms a still. The process is pinned to one CPU with one thread; both wall
time and CPU time are printed (on a busy machine the CPU time is the honest figure). Also prints
the time per set kind and the slowest shots.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402

from storyreel.script.breakdown import breakdown_script  # noqa: E402
from storyreel.stills.base import StillRequest  # noqa: E402
from storyreel.stills.previz import PrevizBackend  # noqa: E402
from storyreel.stills.takes import take_seed  # noqa: E402
from storyreel.store.project import Project  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project", nargs="?", default=str(ROOT / "examples" / "footage"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    project = Project.open(args.project)
    shots = breakdown_script(project.script, project.config)
    backend = PrevizBackend()
    size = project.config.picture_size
    times: list[float] = []
    cpu: list[float] = []
    by_place: dict[str, list[float]] = defaultdict(list)
    per_shot = []
    for shot in shots.shots:
        request = StillRequest(
            shot, shots.scene(shot.scene_id), project.config, take_seed(shot, 0), size, project.root
        )
        backend.generate(request)  # warm caches
        wall, used = [], []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            still = backend.generate(request)
            wall.append(time.perf_counter() - t)
            used.append(time.process_time() - c)
        dt = statistics.median(used)
        times.append(statistics.median(wall))
        cpu.append(dt)
        by_place[still.meta["place"]].append(dt)
        per_shot.append((dt, shot.id, shot.size.value))
    med, med_cpu = statistics.median(times), statistics.median(cpu)
    print(f"previz stills, {size[0]}×{size[1]}, one core, {len(times)} shots of {args.project}")
    print(
        f"  wall: median {med * 1000:.1f} ms   mean {statistics.mean(times) * 1000:.1f} ms   "
        f"max {max(times) * 1000:.1f} ms"
    )
    print(
        f"  cpu:  median {med_cpu * 1000:.1f} ms   max {max(cpu) * 1000:.1f} ms   "
        f"target 150 ms: {'met' if med_cpu < 0.150 else 'NOT met'}"
    )
    for place, ts in sorted(by_place.items()):
        print(
            f"  {place:10s} {len(ts):3d} shots  cpu median {statistics.median(ts) * 1000:6.1f} ms"
        )
    print(
        "  slowest (cpu):",
        ", ".join(
            f"{sid} ({size}) {dt * 1000:.0f} ms"
            for dt, sid, size in sorted(per_shot, reverse=True)[:3]
        ),
    )


if __name__ == "__main__":
    main()
