"""README command 1's render of the example film at 1080p, review and master profiles, in one run.

Each profile renders a fresh copy of `examples/footage` (no store: stills, clips, sound and
segments are all made), as `storyreel render SCRIPT --json` in a process of its own; it is
measured from outside: wall time, CPU time (user + system of the render and its children),
peak resident memory (the render process's), the cut's size and the stage times of its report.

The review reel's quality is measured against a reference encode of the same frames: the
review profile's look rendered again into the same project with the encoder made lossless
(x264 CRF 0, so only the review's encoder differs; its stills and clips are reused), then
ffmpeg's `ssim` filter (and `libvmaf` where the FFmpeg build has it, on every 4th frame)
compares the two over the picture area, the letterbox bars left out (they would inflate the
scores). FFmpeg is the one `imageio-ffmpeg` ships.

    python benchmarks/first_render.py                 # the whole film, both profiles
    python benchmarks/first_render.py --seconds 30    # the script's first scenes, 30 s or more
    python benchmarks/first_render.py --no-master     # the review reel and its quality alone

The review's x264 settings were chosen with `benchmarks/review_encoder.py`, which encodes the
same segments at each setting tried.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "footage"
HEADING = re.compile(r"^(INT|EXT|EST|INT\./EXT|I/E)[ .]", re.MULTILINE)

# the render, run as a child of this wrapper so that the wrapper's RUSAGE_CHILDREN is the
# render's alone: its CPU time and its peak resident memory (ru_maxrss, KiB on Linux)
_MEASURE = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(done.stderr)
print(json.dumps({"rc": done.returncode, "wall": wall, "cpu": ru.ru_utime + ru.ru_stime,
                  "rss_mb": ru.ru_maxrss / 1024, "last": (done.stdout.strip().splitlines()
                                                          or [""])[-1]}))
"""


def project_copy(dest: Path, seconds: float | None) -> Path:
    """A fresh copy of the example (its toml and script); with `seconds`, the script cut after
    the first scenes that last that long."""
    dest.mkdir(parents=True)
    shutil.copy(EXAMPLE / "storyreel.toml", dest / "storyreel.toml")
    text = (EXAMPLE / "script.fountain").read_text(encoding="utf-8")
    script = dest / "script.fountain"
    script.write_text(text, encoding="utf-8")
    if seconds is None:
        return script
    from storyreel.config import load_config
    from storyreel.script.breakdown import breakdown_script

    config = load_config(dest / "storyreel.toml")
    starts = [m.start() for m in HEADING.finditer(text)] + [len(text)]
    for end in starts[1:]:
        script.write_text(text[:end], encoding="utf-8")
        if sum(s.duration for s in breakdown_script(script, config).shots) >= seconds:
            break
    return script


def render(script: Path, *flags: str, output: Path | None = None) -> dict:
    """One `storyreel render`, measured."""
    cmd = [sys.executable, "-m", "storyreel", "render", str(script), "--json", *flags]
    if output is not None:
        cmd += ["-o", str(output)]
    done = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True)
    if done.returncode != 0 or not done.stdout.strip():
        sys.exit(f"render failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["rc"] not in (0,):
        sys.exit(f"render exited {result['rc']}:\n{done.stderr[-3000:]}")
    result["report"] = json.loads(result.pop("last"))["report"]
    cut = Path(result["report"]["output"])
    result["mb"] = cut.stat().st_size / 1e6
    result["cut"] = str(cut)
    from storyreel.render.encode import x264_settings

    said = x264_settings(cut)  # what x264 wrote it used, whatever it was asked
    result["x264"] = {k: said[k] for k in _SAID if k in said}
    return result


_SAID = ("crf", "threads", "sliced_threads", "rc_lookahead", "mbtree", "cabac", "deblock", "aq")


def reference(script: Path, output: Path) -> float:
    """The review's frames again, encoded losslessly, into `output`; its wall time."""
    from storyreel.run import picture
    from storyreel.run.build import build
    from storyreel.store.project import Project

    picture.REVIEW_ENCODER = {**picture.REVIEW_ENCODER, "crf": 0, "preset": "ultrafast"}
    start = time.perf_counter()
    build(Project.open(script), output=output, profile="review")
    return time.perf_counter() - start


def _compared(cut: Path, ref: Path, picture: tuple[int, int], measure: str) -> str:
    """FFmpeg's log of `measure` (a two-input filter) over the picture areas of `cut` and `ref`."""
    import imageio_ffmpeg

    crop = f"crop={picture[0]}:{picture[1]}"
    return subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(cut),
            "-i",
            str(ref),
            "-lavfi",
            f"[0:v]{crop}[a];[1:v]{crop}[b];[a][b]{measure}",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
    ).stderr


def ssim(cut: Path, ref: Path, picture: tuple[int, int]) -> tuple[float, float]:
    """SSIM of `cut` against `ref` over the picture area: (Y, all planes)."""
    log = _compared(cut, ref, picture, "ssim")
    found = re.search(r"SSIM Y:([0-9.]+).*All:([0-9.]+)", log)
    if not found:
        sys.exit(f"ffmpeg ssim failed:\n{log[-2000:]}")
    return float(found.group(1)), float(found.group(2))


def quality(cut: Path, ref: Path, picture: tuple[int, int]) -> dict[str, float]:
    """SSIM (Y and all planes) and, where FFmpeg has libvmaf, VMAF of `cut` against `ref`,
    over the picture area."""
    import imageio_ffmpeg

    y, whole = ssim(cut, ref, picture)
    out = {"ssim_y": y, "ssim": whole}
    filters = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-filters"],
        capture_output=True,
        text=True,
    ).stdout
    if " libvmaf " in filters:
        vmaf = f"libvmaf=n_subsample=4:n_threads={os.cpu_count() or 1}"
        score = re.search(r"VMAF score: ([0-9.]+)", _compared(cut, ref, picture, vmaf))
        if score:
            out["vmaf"] = float(score.group(1))
    return out


def _said(name: str, r: dict) -> None:
    """A render's figures as soon as they are measured (the whole table comes at the end)."""
    print(
        f"{name}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, {r['rss_mb']:.0f} MB peak, "
        f"{r['mb']:.1f} MB cut, {r['report']['frames']} frames",
        flush=True,
    )


def row(name: str, r: dict, film: float) -> str:
    return (
        f"{name:<8}{r['wall']:>8.1f}{r['wall'] / film:>9.2f}{r['cpu']:>9.1f}"
        f"{r['cpu'] / r['wall']:>7.2f}{r['rss_mb']:>9.0f}{r['mb']:>9.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, help="render the script's first scenes only")
    ap.add_argument("--no-master", action="store_true", help="leave out the master render")
    ap.add_argument("--keep", type=Path, help="keep the projects in this folder")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="first-render-"))
    results: dict = {"cpus": os.cpu_count(), "load_before": os.getloadavg()}
    try:
        script = project_copy(work / "review", args.seconds)
        results["review"] = review = render(script)
        _said("review", review)
        ref = script.parent / "out" / "reference.mp4"
        results["reference_wall"] = reference(script, ref)
        from storyreel.config import load_config

        config = load_config(script.parent / "storyreel.toml")
        size, results["fps"] = config.picture_size, config.film.fps
        results["quality"] = quality(Path(review["cut"]), ref, size)
        if not args.no_master:
            results["master"] = render(project_copy(work / "master", args.seconds), "--master")
            _said("master", results["master"])
        results["load_after"] = os.getloadavg()
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    frames = review["report"]["frames"]
    film = frames / float(results["fps"])
    print(
        f"{frames} frames ({film / 60:.0f}:{film % 60:02.0f} of film), {os.cpu_count()} CPUs, "
        f"load {results['load_before'][0]:.1f} before, {results['load_after'][0]:.1f} after"
    )
    print(
        f"{'profile':<8}{'wall s':>8}{'x film':>9}{'CPU s':>9}{'cores':>7}{'peak MB':>9}"
        f"{'cut MB':>9}"
    )
    for name in ("review", "master"):
        if name in results:
            print(row(name, results[name], film))
    for name in ("review", "master"):
        if name in results:
            stages = results[name]["report"]["stage_seconds"]
            print(
                f"{name} stages: "
                + ", ".join(
                    f"{k} {v:.1f} s"
                    for k, v in sorted(stages.items(), key=lambda kv: -kv[1])
                    if v >= 0.5
                )
            )
    for name in ("review", "master"):
        if name in results:
            said = results[name]["x264"]
            print(f"{name} x264: " + " ".join(f"{k}={v}" for k, v in said.items()))
    q = results["quality"]
    vmaf = f", VMAF {q['vmaf']:.2f}" if "vmaf" in q else ", VMAF: this FFmpeg has no libvmaf"
    print(
        f"review vs a lossless encode of the same frames (picture area): SSIM {q['ssim']:.4f} "
        f"(Y {q['ssim_y']:.4f}){vmaf}; reference rendered in {results['reference_wall']:.0f} s"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
