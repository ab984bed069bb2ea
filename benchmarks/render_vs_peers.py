"""One animatic rendered three ways: storyreel, MoviePy 2.x and ffmpeg's zoompan.

12 stills at 1920x1080 (previz keyframes with depth layers; the peers get the flattened
image), a push-in or a pan on each (alternating), 4 s per shot at 24 fps, 12-frame dissolves,
H.264 at the same CRF and preset for all three. Every renderer runs in its own process; the
parent samples the resident memory of that process and its children (ffmpeg included).

Prints wall time, peak RSS, the ratios against storyreel, and a jitter figure per output: a
textured patch is tracked frame to frame with phase correlation (sub-pixel) inside each shot,
and the spread (std) of its acceleration is reported in px/frame². All three move linearly in
this benchmark, so any acceleration is jitter.

    python benchmarks/render_vs_peers.py                  # the animatic, three ways
    python benchmarks/render_vs_peers.py --shots 4        # a shorter one
    python benchmarks/render_vs_peers.py --long           # a 10-minute film, storyreel only
    python benchmarks/render_vs_peers.py --long --seconds 120
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import psutil

FPS = 24
OVERLAP = 12
PUSH = 0.12  # the push-in grows the picture by 12 %
PAN = 0.10  # the pan sweeps 10 % of the width


def move_of(k: int) -> str:
    return "push-in" if k % 2 == 0 else "pan-right"


# --- stills ---------------------------------------------------------------------------------


def make_stills(folder: Path, count: int, size: tuple[int, int]) -> None:
    """Previz keyframes (layers saved as .npz, flattened as .png), made once, not timed."""
    from storyreel.backends import load_backend
    from storyreel.config import ProjectConfig
    from storyreel.model import Scene, Shot, ShotSize, SourceSpan
    from storyreel.stills.base import StillRequest

    config = ProjectConfig.model_validate(
        {"film": {"width": size[0], "height": size[1]}, "look": {"aspect": "16:9"}}
    )
    backend = load_backend("stills", "previz")
    places = [
        ("EXT", "HARBOUR", "NIGHT"),
        ("INT", "FILM ARCHIVE", "DAY"),
        ("EXT", "BEACH", "DAY"),
        ("EXT", "ROOFTOP", "DUSK"),
    ]
    sizes = [ShotSize.WS, ShotSize.MS, ShotSize.EWS, ShotSize.MCU, ShotSize.FS, ShotSize.CU]
    for k in range(count):
        if (folder / f"still{k}.npz").exists():
            continue
        ie, loc, tod = places[k % len(places)]
        span = SourceSpan(start=1, end=1)
        scene = Scene(
            id=f"s{k}",
            number=str(k + 1),
            heading=f"{ie}. {loc} - {tod}",
            int_ext=ie,
            location=loc,
            time_of_day=tod,
            lines=span,
        )
        shot = Shot(
            id=f"shot{k}",
            scene_id=scene.id,
            size=sizes[k % len(sizes)],
            subjects=["MAYA"],
            description="a woman waits by the water",
            lines=span,
            duration=4.0,
        )
        still = backend.generate(StillRequest(shot, scene, config, 1000 + k, size))
        np.savez(
            folder / f"still{k}.npz",
            image=still.image,
            layers=np.stack([lay.rgba for lay in still.layers]),
            depths=np.array([lay.depth for lay in still.layers]),
            names=np.array([lay.name for lay in still.layers]),
        )
        cv2.imwrite(str(folder / f"still{k}.png"), cv2.cvtColor(still.image, cv2.COLOR_RGB2BGR))


def load_still(path: Path):  # noqa: ANN201 (a storyreel.model.Still)
    from storyreel.model import Layer, Still

    with np.load(path) as z:
        layers = [
            Layer(str(n), float(d), rgba)
            for n, d, rgba in zip(z["names"], z["depths"], z["layers"], strict=True)
        ]
        return Still(image=z["image"], layers=layers)


# --- the three renderers (each runs in a child process) ------------------------------------


def render_storyreel(a: argparse.Namespace) -> None:
    from storyreel.config import ProjectConfig
    from storyreel.model import (
        Easing,
        Move,
        Scene,
        Shot,
        ShotSize,
        SourceSpan,
        Transition,
        TransitionKind,
    )
    from storyreel.motion.base import ClipRequest
    from storyreel.motion.camera import CameraBackend
    from storyreel.render.encode import Encoder
    from storyreel.render.program import Event, LazySource, Program, render_program

    size, fps, n = (a.width, a.height), Fraction(FPS), a.seconds_per_shot * FPS
    span = SourceSpan(start=1, end=1)
    scene = Scene(
        id="s",
        number="1",
        heading="EXT. X - DAY",
        int_ext="EXT",
        location="X",
        time_of_day="DAY",
        lines=span,
    )
    config, backend = ProjectConfig(), CameraBackend()

    def source(k: int) -> LazySource:
        shot = Shot(
            id=f"shot{k}",
            scene_id="s",
            size=ShotSize.MS,
            move=Move(move_of(k)),
            easing=Easing.LINEAR,
            lines=span,
            duration=a.seconds_per_shot,
        )
        path = Path(a.workdir) / f"still{k % a.stills}.npz"
        return LazySource(
            lambda: backend.animate(
                ClipRequest(shot, scene, load_still(path), config, k, fps, n, size)
            ),
            fps,
            n,
            size,
        )

    dissolve = Transition(kind=TransitionKind.DISSOLVE, frames=OVERLAP)
    events = [
        Event(source(k), k * (n - OVERLAP), n, transition=dissolve if k else Transition())
        for k in range(a.shots)
    ]
    program = Program(fps, size, size, events)
    with Encoder(Path(a.output), size, fps, crf=a.crf, preset=a.preset) as enc:
        render_program(program, enc)


def render_moviepy(a: argparse.Namespace) -> None:
    from moviepy import CompositeVideoClip, ImageClip, vfx

    w, h, d = a.width, a.height, a.seconds_per_shot
    fade = OVERLAP / FPS
    clips = []
    for k in range(a.shots):
        png = str(Path(a.workdir) / f"still{k % a.stills}.png")
        if move_of(k) == "push-in":
            clip = (
                ImageClip(png)
                .with_duration(d)
                .resized(lambda t: 1 + PUSH * t / d)
                .with_position("center")
            )
        else:
            clip = ImageClip(png).with_duration(d).resized(1 + PAN)
            clip = clip.with_position(lambda t: (-w * PAN * t / d, -h * PAN / 2))
        if k:
            clip = clip.with_effects([vfx.CrossFadeIn(fade)])
        clips.append(clip.with_start(k * (d - fade)))
    CompositeVideoClip(clips, size=(w, h)).write_videofile(
        a.output,
        fps=FPS,
        codec="libx264",
        preset=a.preset,
        ffmpeg_params=["-crf", str(a.crf)],
        audio=False,
        logger=None,
    )


def render_zoompan(a: argparse.Namespace) -> None:
    import imageio_ffmpeg

    w, h, n = a.width, a.height, a.seconds_per_shot * FPS
    inputs, chains = [], []
    for k in range(a.shots):
        inputs += ["-i", str(Path(a.workdir) / f"still{k % a.stills}.png")]
        if move_of(k) == "push-in":
            z, x, y = f"1+{PUSH}*on/{n - 1}", "iw/2-(iw/zoom/2)", "ih/2-(ih/zoom/2)"
        else:
            z, x, y = f"{1 + PAN}", f"(iw-iw/zoom)*on/{n - 1}", "(ih-ih/zoom)/2"
        chains.append(
            f"[{k}:v]zoompan=z='{z}':x='{x}':y='{y}':d={n}:s={w}x{h}:fps={FPS},"
            f"format=yuv420p,setsar=1[v{k}]"
        )
    last = "v0"
    for k in range(1, a.shots):
        offset = k * (n - OVERLAP) / FPS
        chains.append(
            f"[{last}][v{k}]xfade=transition=fade:duration={OVERLAP / FPS}:offset={offset}[x{k}]"
        )
        last = f"x{k}"
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-y",
        "-loglevel",
        "error",
        *inputs,
        "-filter_complex",
        ";".join(chains),
        "-map",
        f"[{last}]",
        "-c:v",
        "libx264",
        "-preset",
        a.preset,
        "-crf",
        str(a.crf),
        "-pix_fmt",
        "yuv420p",
        a.output,
    ]
    subprocess.run(cmd, check=True)


RENDERERS = {"storyreel": render_storyreel, "moviepy": render_moviepy, "zoompan": render_zoompan}


# --- measuring --------------------------------------------------------------------------------


def measure(name: str, a: argparse.Namespace, output: Path) -> tuple[float, float, float]:
    """Run one renderer in a child process: wall seconds, CPU seconds (user + system, its
    children included) and peak RSS in MB of it and its children."""
    argv = [
        sys.executable,
        __file__,
        "--run",
        name,
        "--output",
        str(output),
        "--workdir",
        a.workdir,
        "--shots",
        str(a.shots),
        "--stills",
        str(a.stills),
        "--seconds-per-shot",
        str(a.seconds_per_shot),
        "--width",
        str(a.width),
        "--height",
        str(a.height),
        "--crf",
        str(a.crf),
        "--preset",
        a.preset,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = psutil.Popen(argv)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            try:
                procs = [child, *child.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = child.wait()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"{name} failed with exit status {code}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak / 2**20


def jitter(path: Path, shots: int, n: int) -> tuple[float, int]:
    """Spread (std) of a tracked patch's acceleration inside each shot, px/frame²; frames seen.

    Streams the decoded frames: only the previous patch is kept."""
    spans = [
        (
            k * (n - OVERLAP) + (OVERLAP if k else 0),
            k * (n - OVERLAP) + n - (OVERLAP if k < shots - 1 else 0),
        )
        for k in range(shots)
    ]
    accel: list[np.ndarray] = []
    steps: list[tuple[float, float]] = []
    where = prev = window = None
    count = 0
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            count += 1
            span = next((s for s in spans if s[0] <= i < s[1]), None)
            if span is None:
                continue
            grey = f.to_ndarray(format="gray").astype(np.float32)
            h, w = grey.shape
            p = min(256, h // 3)
            if i == span[0]:  # a new shot: the most textured of nine candidate patches
                if len(steps) > 2:
                    accel.append(np.diff(np.array(steps), axis=0))
                steps, window = [], cv2.createHanningWindow((p, p), cv2.CV_32F)
                candidates = [
                    (x, y)
                    for x in (w // 8, w // 2 - p // 2, w - w // 8 - p)
                    for y in (h // 8, h // 2 - p // 2, h - h // 8 - p)
                ]
                where = max(
                    candidates,
                    key=lambda q: cv2.Laplacian(
                        grey[q[1] : q[1] + p, q[0] : q[0] + p], cv2.CV_32F
                    ).var(),
                )
                prev = None
            x, y = where
            patch = np.ascontiguousarray(grey[y : y + p, x : x + p])
            if prev is not None:
                steps.append(cv2.phaseCorrelate(prev, patch, window)[0])
            prev = patch
    if len(steps) > 2:
        accel.append(np.diff(np.array(steps), axis=0))
    return float(np.concatenate(accel).std()), count


def frames_in(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--shots", type=int, default=12)
    ap.add_argument(
        "--stills", type=int, default=12, help="distinct stills (shots reuse them in turn)"
    )
    ap.add_argument("--seconds-per-shot", type=int, default=4)
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--crf", type=int, default=18)
    ap.add_argument("--preset", default="veryfast", help="x264 preset, the same for all three")
    ap.add_argument("--only", default="storyreel,moviepy,zoompan")
    ap.add_argument("--long", action="store_true", help="a long film, storyreel only: peak memory")
    ap.add_argument("--seconds", type=int, default=600, help="length of the --long film")
    ap.add_argument(
        "--workdir", default=None, help="where stills and outputs go (default: a temp dir)"
    )
    ap.add_argument("--run", choices=list(RENDERERS), help=argparse.SUPPRESS)
    ap.add_argument("--output", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.run:
        RENDERERS[a.run](a)
        return

    a.workdir = a.workdir or tempfile.mkdtemp(prefix="storyreel-bench-")
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    n = a.seconds_per_shot * FPS
    if a.long:
        a.shots = math.ceil((a.seconds * FPS - OVERLAP) / (n - OVERLAP))
    a.stills = min(a.stills, a.shots)
    t0 = time.perf_counter()
    make_stills(work, a.stills, (a.width, a.height))
    print(
        f"stills: {a.stills} previz keyframes at {a.width}x{a.height} in {time.perf_counter() - t0:.1f} s "
        f"(not timed below)"
    )
    names = ["storyreel"] if a.long else [s.strip() for s in a.only.split(",")]
    expected = a.shots * n - (a.shots - 1) * OVERLAP
    print(
        f"programme: {a.shots} shots x {a.seconds_per_shot} s at {FPS} fps, {OVERLAP}-frame dissolves = "
        f"{expected} frames ({expected / FPS:.1f} s); x264 preset {a.preset}, crf {a.crf}\n"
    )
    results = {}
    for name in names:
        out = work / f"{name}.mp4"
        wall, cpu, rss = measure(name, a, out)
        results[name] = {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss}
        if a.long:
            results[name]["frames"] = frames_in(out)
        else:
            results[name]["jitter"], results[name]["frames"] = jitter(out, a.shots, n)
        r = results[name]
        print(
            f"{name:10s} {r['wall_s']:8.1f} s wall  {r['cpu_s']:7.1f} s CPU  "
            f"{r['peak_rss_mb']:6.0f} MB peak RSS  "
            f"{r['frames']:6d} frames ({r['frames'] / r['wall_s']:.1f} fps)"
            + (f"  jitter {r['jitter']:.3f} px/frame²" if "jitter" in r else "")
        )
    if "storyreel" in results and len(results) > 1:
        s = results["storyreel"]
        print()
        for name, r in results.items():
            if name != "storyreel":
                print(
                    f"storyreel vs {name}: {r['wall_s'] / s['wall_s']:.2f}x faster (wall), "
                    f"{r['cpu_s'] / s['cpu_s']:.2f}x less CPU, "
                    f"{r['peak_rss_mb'] / s['peak_rss_mb']:.2f}x less memory"
                )
        print(
            f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
            "(wall-time ratios are only fair on a quiet machine; CPU seconds are steadier)"
        )
    print("\n" + json.dumps(results))


if __name__ == "__main__":
    main()
