"""The studio's loop on the example film at draft size: from saving a one-line edit to the player
being able to play the changed shot, and the CPU of a studio left alone.

    python benchmarks/studio.py [--work /tmp/storyreel-example] [--edits 7] [--idle 10]

Copies `examples/footage` into `--work` once (shared with docs/shots/studio.py; the first
draft build takes several minutes), starts the studio, and makes one-line edits through its API,
as the page does, each on another shot: a shot's length in its directive (its clip, segment and
piece of the draft's sound are redone, its stills reused), then a sentence added to a shot's
action (its stills are painted again too: the take the cut uses before the cut, the other after
it). Each is timed from the save to the `reel` event that tells the tabs a new cut is there, plus
the first bytes of it served, in wall time and in the CPU time of this process (the studio runs
in it: the CPU time is what a loaded machine cannot inflate much); the next edit waits for the
build to finish. Each action edit adds a sentence no earlier run added (and a length edit a
length no recent run tried), so the work is done again even in a reused `--work`.
Target: median under 2 s on a 2-core machine. Then the studio's CPU with a tab's event stream
open and nothing changing (target ≈ 0). The script is put back as it was at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import statistics
import threading
import time
from pathlib import Path

import httpx

from storyreel.run.picture import frame_threads
from storyreel.studio.server import running

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["She waits.", "Nobody looks up.", "A long breath.", "Then stillness."]
LENGTH = re.compile(r"(\d+(?:\.\d+)?)s\b")


def listen(base: str, token: str, into: queue.Queue, stop: threading.Event) -> None:
    with httpx.stream(
        "GET", f"{base}/api/events", headers={"X-Storyreel-Token": token}, timeout=None
    ) as r:
        for line in r.iter_lines():
            if stop.is_set():
                return
            if line.startswith("data: "):
                into.put((time.perf_counter(), json.loads(line[6:])))


def edit(
    api: httpx.Client,
    events: queue.Queue,
    shot,
    kind: str,
    k: int,  # noqa: ANN001
) -> tuple[float, float, dict]:
    """One one-line edit of `shot`, saved; (seconds until the new cut is served, CPU seconds
    until then, the build's report). Returns when the build is over, as a director watching
    the new shot would leave it."""
    doc = api.get("/api/script").json()
    text = doc["text"].splitlines(keepends=True)
    if kind == "length":
        i = shot.lines[0] - 2
        more = 0.5 + int(time.time()) % 40 / 20  # a length no recent run tried: a new segment
        text[i] = LENGTH.sub(lambda m: f"{float(m[1]) + more:g}s", text[i], count=1)
    else:
        i = shot.lines[1] - 1
        stamp = f"{time.time():.0f}"[-4:]  # new words each run: new stills
        text[i] = text[i].rstrip("\n") + f" {WORDS[k % len(WORDS)]} Clock {stamp}.\n"
    start, cpu = time.perf_counter(), time.process_time()
    api.put("/api/script", json={"text": "".join(text), "base": doc["digest"]}).raise_for_status()
    playable = None
    while True:
        _, m = events.get(timeout=600)
        if m["event"] == "reel" and playable is None:
            head = api.get("/media/draft.mp4", headers={"Range": "bytes=0-65535"})
            assert head.status_code == 206
            playable = time.perf_counter() - start, time.process_time() - cpu
        if m["event"] == "build_finished":  # the takes the cut does not use come after it
            return *playable, m["report"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/storyreel-example"))
    ap.add_argument("--edits", type=int, default=7, help="edits of each kind")
    ap.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU measured")
    args = ap.parse_args()
    film = args.work / "footage"
    if not film.is_dir():
        shutil.copytree(ROOT / "examples" / "footage", film)
    script = film / "script.fountain"
    original = (ROOT / "examples" / "footage" / "script.fountain").read_text()
    script.write_text(original)
    try:
        with running(film) as r:
            t0 = time.perf_counter()
            r.studio.builder.idle(1800)
            print(
                f"first draft build (or reuse): {time.perf_counter() - t0:.1f} s; load average "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (one segment's frames are "
                f"made on {frame_threads(1)} threads: a busy machine leaves them one core)"
            )
            run(r, script, args)
    finally:
        script.write_text(original)


def run(r, script: Path, args: argparse.Namespace) -> None:  # noqa: ANN001 (a Running)
    api = httpx.Client(base_url=r.base, headers={"X-Storyreel-Token": r.token}, timeout=120)
    events: queue.Queue = queue.Queue()
    stop = threading.Event()
    threading.Thread(target=listen, args=(r.base, r.token, events, stop), daemon=True).start()
    time.sleep(0.5)
    while not events.empty():
        events.get()
    lines = script.read_text().splitlines()
    # shots framed by a directive with a length, the action line right under it
    targets = [
        c
        for c in r.studio.builder.reel.shots
        if lines[c.lines[0] - 2].startswith("[[shot:")
        and LENGTH.search(lines[c.lines[0] - 2])
        and not lines[c.lines[1] - 1].isupper()
    ]
    for kind in ("length", "action"):
        times, cpus, builds = [], [], []
        for k in range(args.edits):
            shot = targets[(k * 3 + (kind == "action")) % len(targets)]
            took, cpu, report = edit(api, events, shot, kind, k)
            times.append(took)
            cpus.append(cpu)
            builds.append(report["seconds"])
            made = {s: len(v) for s, v in report["computed"].items() if v}
            slow = sorted(report["stage_seconds"].items(), key=lambda kv: -kv[1])[:3]
            print(
                f"{kind} edit {k + 1}: shot {shot.id}: {took:.2f} s to a playable cut, "
                f"{cpu:.2f} s of CPU "
                f"(whole build {report['seconds']:.2f} s; made {made}; {report['frames']} frames; "
                + ", ".join(f"{name} {sec:.1f} s" for name, sec in slow)
                + ")"
            )
        print(
            f"{kind} edits, save → playable, median of {len(times)}: "
            f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}); "
            f"CPU {statistics.median(cpus):.2f} s; the whole build: {statistics.median(builds):.2f} s; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
    time.sleep(1.0)
    cpu0, t0 = time.process_time(), time.perf_counter()
    time.sleep(args.idle)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - t0
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"idle studio with a tab's event stream open: {100 * cpu / wall:.2f} % of one core "
        f"({cpu * 1000:.0f} ms CPU in {wall:.0f} s)"
    )
    stop.set()


if __name__ == "__main__":
    main()
