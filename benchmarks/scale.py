"""How a render scales out on Ray: throughput against workers, and what the driver costs.

A simulated GPU backend stands in for a model: each shot's task sleeps a fixed time
(`--shot-seconds`, as a real model's call holds its GPU) and returns a still-sized result
(`--result-kb`), which the driver saves in a real store and database, as the build does, through
the same `Runner` and `RayExecutor`. Printed:

- shots per second with 1, 2, 4... workers (a local Ray of that many CPU slots, restarted for
  each) against the ideal, workers / shot time;
- the driver's overhead per task (zero-cost shots through Ray, against the same shots on the
  local thread pool) and per stored result (the save and the database record, timed alone);
- a projection for a 1,800-shot feature, four clip takes a shot, on N GPUs, from published
  per-clip times (a GPU run of `benchmarks/gpu_generation.py` can replace them: `--clip-seconds`),
  bounded by the rate at which the driver takes in results, measured here.

    python benchmarks/scale.py
    python benchmarks/scale.py --workers 1 2 4 8 --shots 64 --shot-seconds 0.5
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import ray

from storyreel.run.events import EventBus
from storyreel.run.executors import LocalExecutor
from storyreel.run.ray_executor import RayExecutor
from storyreel.run.stage import Runner, Stage, Stored
from storyreel.run.work import Needs, Task
from storyreel.store.db import Database
from storyreel.store.keys import stage_key
from storyreel.store.objects import ObjectStore

FEATURE_SHOTS, TAKES = 1800, 4  # a 120-page feature's breakdown; four takes a shot
# published seconds per clip on one GPU: (what, seconds, where it is said)
PUBLISHED = [
    (
        "LTX-Video 2B, 5 s of 768x512 at 24 fps, H100",
        2.0,
        "HaCohen et al., LTX-Video: Realtime Video Latent Diffusion, arXiv:2501.00103",
    ),
    (
        "Wan2.1 I2V-14B 480P, 5 s, 40 steps, H200",
        366.0,
        "ModelTC/LightX2V, docs/EN/source/getting_started/benchmark_source.md (official baseline)",
    ),
    (
        "Wan2.1 I2V-14B 720P, 5 s, 40 steps, H200",
        974.0,
        "ModelTC/LightX2V, docs/EN/source/getting_started/benchmark_source.md (official baseline)",
    ),
]


@dataclass(frozen=True)
class Shot:
    index: int
    seconds: float
    size: int


@dataclass(frozen=True)
class ShotTask(Task):
    """A simulated model call: the GPU held `seconds`, a result of `size` bytes."""

    backend: None
    needs: Needs
    shot: Shot

    def run(self, backend: None) -> bytes:
        time.sleep(self.shot.seconds)
        return os.urandom(self.shot.size)


class Simulated(Stage[Shot, bytes]):
    name, kind = "stills", "still"

    def __init__(self, store: ObjectStore, run: str):
        self.store, self.run, self.saving = store, run, 0.0

    def key(self, item: Shot) -> str:
        return stage_key("simulated", run=self.run, shot=item.index)

    def compute(self, item: Shot) -> bytes:
        return ShotTask(None, Needs(), item).run(None)

    def task(self, item: Shot) -> ShotTask:
        return ShotTask(None, Needs(), item)

    def save(self, item: Shot, value: bytes) -> Stored:
        start = time.perf_counter()
        tmp = self.store.temp_path(".bin")
        tmp.write_bytes(value)
        stored = Stored({"png": self.store.put_file(tmp)})
        self.saving += time.perf_counter() - start
        return stored


def render(executor, root: Path, run: str, shots: list[Shot]) -> tuple[float, float]:
    """(wall seconds, seconds the driver spent saving and recording) for `shots` on `executor`."""
    store = ObjectStore(root / "objects")
    with Database(root / "project.db") as db:
        runner, stage = Runner(store, db, EventBus(), executor), Simulated(store, run)
        original = runner.record

        def record(key, kind, stored):  # the database's share of a stored result
            start = time.perf_counter()
            original(key, kind, stored)
            stage.saving += time.perf_counter() - start

        runner.record = record
        start = time.perf_counter()
        for _ in runner.ensure(stage, shots):
            pass
        return time.perf_counter() - start, stage.saving


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--shots", type=int, default=32)
    ap.add_argument("--shot-seconds", type=float, default=0.5)
    ap.add_argument("--result-kb", type=int, default=600, help="a 1280x720 PNG still's size")
    ap.add_argument("--overhead-tasks", type=int, default=200)
    ap.add_argument("--gpus", type=int, nargs="+", default=[1, 8, 32, 128])
    ap.add_argument("--clip-seconds", type=float, default=None, help="a measured per-clip time")
    args = ap.parse_args()
    size = args.result_kb * 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(
            f"throughput, {args.shots} shots of {args.shot_seconds:g} s, {args.result_kb} kB "
            "results, on a local Ray:"
        )
        for w in args.workers:
            ray.init(num_cpus=w, include_dashboard=False, log_to_driver=False)
            executor = RayExecutor("local")
            warm = [Shot(i, args.shot_seconds, 1) for i in range(w)]  # every worker started
            started, _ = render(executor, root / f"warm{w}", f"warm{w}", warm)
            shots = [Shot(i, args.shot_seconds, size) for i in range(args.shots)]
            wall, _ = render(executor, root / f"w{w}", f"w{w}", shots)
            if w == args.workers[-1]:
                zero = [Shot(i, 0.0, size) for i in range(args.overhead_tasks)]
                ray_wall, ray_saving = render(executor, root / "ray0", "zero", zero)
            executor.close()
            ray.shutdown()
            rate, ideal = args.shots / wall, w / args.shot_seconds
            efficiency = rate / ideal
            print(
                f"  {w:3d} workers: {rate:6.2f} shots/s (ideal {ideal:6.2f}, {efficiency:.0%}); "
                f"their start: {started - args.shot_seconds:.1f} s"
            )
        zero = [Shot(i, 0.0, size) for i in range(args.overhead_tasks)]
        local_wall, local_saving = render(LocalExecutor(2), root / "local0", "zero", zero)
    n = args.overhead_tasks
    print(f"driver overhead, {n} zero-cost shots with {args.workers[-1]} workers:")
    print(f"  per task on Ray:          {1000 * ray_wall / n:7.2f} ms (wall / tasks)")
    print(f"  per task on local threads: {1000 * local_wall / n:7.2f} ms (the runner alone)")
    print(f"  per stored result:        {1000 * ray_saving / n:7.2f} ms (save + record)")
    per_task = ray_wall / n  # the driver's bound: it takes in one result in this time
    print(
        f"projection: {FEATURE_SHOTS} shots x {TAKES} takes = {FEATURE_SHOTS * TAKES} clips, "
        f"each GPU busy clip after clip, the driver taking in one result each "
        f"{1000 * per_task:.1f} ms:"
    )
    cases = list(PUBLISHED)
    if args.clip_seconds is not None:
        cases.insert(0, ("measured (--clip-seconds)", args.clip_seconds, "this machine"))
    clips = FEATURE_SHOTS * TAKES
    for what, seconds, source in cases:
        hours = [max(math.ceil(clips / g) * seconds, clips * per_task) / 3600 for g in args.gpus]
        row = ", ".join(f"{g} GPU {h:.2f} h" for g, h in zip(args.gpus, hours, strict=True))
        print(f"  {what} ({seconds:g} s/clip): {row}")
        print(f"    source: {source}")


if __name__ == "__main__":
    main()
