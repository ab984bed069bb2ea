"""The review profile's x264 settings against each other: CPU a frame, SSIM and size, measured.

The example's first scenes are built once (stills made, or found in `--keep`'s store); then a
few representative segments of its programme — a dissolve, a title, a fast camera move and a
still shot whose picture is mostly grain — are rendered once in the review look (yuv420p planes,
`render.planar.PlanarLook`) and held in memory. Each setting encodes those same frames: the CPU
time is the encoder's alone (user + system of every thread of this process while it encodes,
the least of `--repeat` encodes, as other work on the machine only adds to it), the quality is
ffmpeg's `ssim` filter against a lossless encode of the frames, over the picture area (the
letterbox bars left out), and the size is the encoded bytes a frame, times the example's 7,700
frames: a ranking, not the reel's size (these samples, a title on black among them, are about
half as costly to code as the film's average frame; `first_render.py` measures the reel).
FFmpeg is the one `imageio-ffmpeg` ships. The review's setting is the least CPU whose SSIM is
0.985 or more on every kind of segment, with the reel under 150 MB
(`run.picture.REVIEW_ENCODER`).

    python benchmarks/review_encoder.py                   # the table, every setting
    python benchmarks/review_encoder.py --keep /tmp/re    # keep (and reuse) the built project
    python benchmarks/review_encoder.py --frames 48       # frames a segment (fewer: faster)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import first_render  # noqa: E402  (the example's copy, cut after its first scenes)
from storyreel.model import Move, TransitionKind  # noqa: E402
from storyreel.render import segments as seg  # noqa: E402
from storyreel.render.encode import Encoder  # noqa: E402
from storyreel.render.program import OVERLAPPING, Program, planar_frame_at  # noqa: E402
from storyreel.run import build as build_module  # noqa: E402
from storyreel.run import picture  # noqa: E402

FAST = {
    Move.HANDHELD,
    Move.PAN_LEFT,
    Move.PAN_RIGHT,
    Move.TRUCK_LEFT,
    Move.TRUCK_RIGHT,
    Move.CRANE_UP,
    Move.CRANE_DOWN,
    Move.ARC_LEFT,
    Move.ARC_RIGHT,
    Move.TILT_UP,
    Move.TILT_DOWN,
}
FILM_FRAMES = 7_700  # the example's 5:20 at 24 fps, for the size of the whole reel

# name → (encoder, x264 options beyond the segments' own); the first is the review's as it is
SETTINGS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "review": (picture.REVIEW_ENCODER, picture.REVIEW_OPTIONS),
}


def _setting(
    preset: str, crf: int, params: str, threads: str = "2", tune: str = ""
) -> tuple[dict, dict]:
    options = {"x264-params": f"open-gop=0:{params}" if params else "open-gop=0"}
    if threads:
        options["threads"] = threads
    if tune:
        options["tune"] = tune
    return {"codec": "h264", "crf": crf, "preset": preset}, options


for _name, _args in {
    "superfast 23 la10": ("superfast", 23, "mbtree=1:rc-lookahead=10"),  # the review's before
    "superfast 23 la10 1t": ("superfast", 23, "mbtree=1:rc-lookahead=10", "1"),
    "superfast 23 la10 frame": ("superfast", 23, "mbtree=1:rc-lookahead=10:sliced-threads=0"),
    "superfast 23 la5": ("superfast", 23, "mbtree=1:rc-lookahead=5"),
    "superfast 23 no-mbtree": ("superfast", 23, "mbtree=0:rc-lookahead=0"),
    "superfast 25 la10": ("superfast", 25, "mbtree=1:rc-lookahead=10"),
    "superfast 27 la10": ("superfast", 27, "mbtree=1:rc-lookahead=10"),
    "superfast 25 la10 aq0": ("superfast", 25, "mbtree=1:rc-lookahead=10:aq-mode=0"),
    "superfast 25 la10 psy0": ("superfast", 25, "mbtree=1:rc-lookahead=10:psy=0"),
    "superfast 25 tune film": ("superfast", 25, "mbtree=1:rc-lookahead=10", "2", "film"),
    "superfast 25 tune grain": ("superfast", 25, "mbtree=1:rc-lookahead=10", "2", "grain"),
    "superfast 24 la5": ("superfast", 24, "mbtree=1:rc-lookahead=5"),
    "superfast 26 no-mbtree": ("superfast", 26, "mbtree=0:rc-lookahead=0"),
    "superfast 27 no-mbtree": ("superfast", 27, "mbtree=0:rc-lookahead=0"),
    "superfast 28 no-mbtree": ("superfast", 28, "mbtree=0:rc-lookahead=0"),
    "superfast 30 no-mbtree": ("superfast", 30, "mbtree=0:rc-lookahead=0"),
    "ultrafast 23": ("ultrafast", 23, ""),
    "ultrafast 24": ("ultrafast", 24, ""),
    "ultrafast 26": ("ultrafast", 26, ""),
    "ultrafast 26 weightp": ("ultrafast", 26, "weightp=1"),
    "ultrafast 25 cabac": ("ultrafast", 25, "cabac=1"),
    "ultrafast 26 cabac": ("ultrafast", 26, "cabac=1"),
    "ultrafast 24 cabac": ("ultrafast", 24, "cabac=1"),
    "ultrafast 28": ("ultrafast", 28, ""),
    "ultrafast 30": ("ultrafast", 30, ""),
    "veryfast 25 la10": ("veryfast", 25, "mbtree=1:rc-lookahead=10"),
}.items():
    SETTINGS[_name] = _setting(*_args)


@dataclass(frozen=True)
class Sample:
    """A representative segment's frames, rendered once in the review look."""

    kind: str
    start: int
    frames: list


def _kind(program: Program, s: seg.Segment) -> str | None:
    events = [program.events[k] for k in s.sources]
    if any(
        o.record_in < s.start + s.length and o.record_in + o.length > s.start
        for o in program.overlays
    ):
        return "title"
    if len(events) == 2 and events[1].transition.kind in OVERLAPPING:
        return "dissolve" if events[1].transition.kind is TransitionKind.DISSOLVE else None
    if len(events) != 1 or not hasattr(events[0].source, "job"):
        return None
    move = events[0].source.job.shot.move
    return "move" if move in FAST else "grain" if move is Move.STATIC else None


def samples(program: Program, look: Any, settings: dict, frames: int) -> list[Sample]:
    """The first segment of each kind (at least a second long), `frames` of it at most."""
    out: dict[str, Sample] = {}
    for s in seg.plan(program, look, settings):
        kind = _kind(program, s)
        short = s.length < min(frames, 24) and kind != "dissolve"  # a dissolve is short
        if kind is None or kind in out or short:
            continue
        sub = seg.sub_program(program, s.start, s.length)
        n = min(frames, s.length)
        out[kind] = Sample(kind, s.start, [planar_frame_at(sub, t, look) for t in range(n)])
    return list(out.values())


def encode(path: Path, sample: Sample, program: Program, how: tuple[dict, dict]) -> float:
    """`sample`'s frames encoded to `path` as a segment is; the CPU seconds it took."""
    encoder, options = how
    cpu = time.process_time()
    with Encoder(
        path,
        program.frame_size,
        program.fps,
        options={**seg.SEGMENT_OPTIONS, **options},
        **encoder,
    ) as enc:
        for frame in sample.frames:
            enc.write(frame)
    return time.process_time() - cpu


def ssim(a: Path, b: Path, picture_size: tuple[int, int]) -> float:
    """SSIM over all planes of `a` against `b`, the picture area (as `first_render` measures)."""
    return first_render.ssim(a, b, picture_size)[1]


def measure(p: Any, program: Program, frames: int, only: list[str] | None, repeat: int) -> None:
    encoding = picture._encoding(p, program, "review")
    chosen = samples(program, encoding.look, encoding.settings, frames)
    print(", ".join(f"{s.kind} at frame {s.start} ({len(s.frames)} frames)" for s in chosen))
    lossless = ({"codec": "h264", "crf": 0, "preset": "ultrafast"}, {})
    names = [n for n in SETTINGS if not only or n in only or n == "review"]
    with tempfile.TemporaryDirectory(prefix="review-encoder-") as tmp:
        refs = {s.kind: Path(tmp) / f"{s.kind}.ref.mp4" for s in chosen}
        for s in chosen:
            encode(refs[s.kind], s, program, lossless)
        kinds = [s.kind for s in chosen]
        print(
            f"{'setting':<26}{'ms/frame':>9}{'min SSIM':>9}"
            + "".join(f"{k:>9}" for k in kinds)
            + f"{'kB/frame':>9}{'x7700 MB':>9}"
        )
        for name in names:
            cpu = size = n = 0
            scores = []
            for s in chosen:
                out = Path(tmp) / f"{s.kind}.mp4"
                cpu += min(encode(out, s, program, SETTINGS[name]) for _ in range(repeat))
                size += out.stat().st_size
                n += len(s.frames)
                scores.append(ssim(out, refs[s.kind], program.picture_size))
            print(
                f"{name:<26}{1000 * cpu / n:>9.1f}{min(scores):>9.4f}"
                + "".join(f"{v:>9.4f}" for v in scores)
                + f"{size / n / 1e3:>9.1f}{size / n * FILM_FRAMES / 1e6:>9.1f}",
                flush=True,
            )


class _Measured(Exception):
    """Raised once the segments are measured: the build has nothing more to do here."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=150, help="the script's first scenes")
    ap.add_argument("--frames", type=int, default=48, help="frames of each segment at most")
    ap.add_argument("--keep", type=Path, help="build (and reuse) the project in this folder")
    ap.add_argument("--repeat", type=int, default=2, help="encodes a setting (its least CPU)")
    ap.add_argument("--only", nargs="+", help="these settings (and the review's) alone")
    args = ap.parse_args()
    from storyreel.store.project import Project

    work = Path(args.keep or tempfile.mkdtemp(prefix="review-encoder-"))
    script = work / "script.fountain"
    if not script.is_file():
        script = first_render.project_copy(work, args.seconds)
    made = build_module.make_segments

    def measured(p: Any, program: Program, profile: str = "review", head: Any = None) -> Any:
        measure(p, program, args.frames, args.only, args.repeat)
        raise _Measured

    build_module.make_segments = measured
    try:
        build_module.build(Project.open(script), profile="review")
    except _Measured:
        pass
    finally:
        build_module.make_segments = made


if __name__ == "__main__":
    main()
