"""Incremental build figures on a generated 40-shot script.

    python benchmarks/incremental.py [--shots 40] [--width 480] [--height 270] [--seconds 2]

Times a full build, a rebuild with nothing changed, one shot's action line edited, a shot
inserted, and the look changed (everything downstream of the look redone), and prints each
as a ratio of the full build. Targets: no change under 1 s; one-shot edit under 10 % of full.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from storyreel.run.build import build
from storyreel.store.project import Project

SIZES = ["WS", "MS", "CU", "MCU", "INSERT", "FS"]
MOVES = ["push-in", "pan-left", "static", "truck-right", "zoom-in", "tilt-up", "pull-out"]
PLACES = [
    "HARBOUR",
    "ARCHIVE",
    "TRAM",
    "ROOFTOP",
    "BEACH",
    "STAIRWELL",
    "KITCHEN",
    "PIER",
    "CINEMA",
    "STATION",
]
THINGS = [
    "a lamp",
    "the rain",
    "a film can",
    "a door",
    "the sea",
    "a photograph",
    "a tram",
    "a window",
    "the neon",
    "a suitcase",
]


def script(n_shots: int, seconds: float) -> str:
    out = ["Title: Bench\n"]
    for i in range(n_shots):
        if i % 4 == 0:
            out.append(f"\nEXT. {PLACES[(i // 4) % len(PLACES)]} {i // 4} - NIGHT\n")
        out.append(
            f"\n[[shot: {SIZES[i % len(SIZES)]}, {MOVES[i % len(MOVES)]}, {seconds:g}s]]\n"
            f"Shot {i}: the light falls on {THINGS[i % len(THINGS)]}.\n"
        )
    return "".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=int, default=40)
    ap.add_argument("--width", type=int, default=480)
    ap.add_argument("--height", type=int, default=270)
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        toml = (
            f'[film]\nfps = "24"\nwidth = {args.width}\nheight = {args.height}\n'
            f'[look]\naspect = "16:9"\ngrain = {{grain}}\n'
        )
        (root / "storyreel.toml").write_text(toml.format(grain=0.3))
        path = root / "script.fountain"
        path.write_text(script(args.shots, args.seconds))

        def run(label: str) -> tuple[str, float, int, int]:
            start = time.perf_counter()
            report = build(Project.open(root))
            return (
                label,
                time.perf_counter() - start,
                len(report.computed["stills"]),
                report.frames,
            )

        rows = [run("full build")]
        rows.append(run("no change"))
        text = path.read_text()
        path.write_text(text.replace("Shot 17: the light", "Shot 17: the harsh light"))
        rows.append(run("one action line edited"))
        text = path.read_text()
        at = text.index("[[shot:", text.index("Shot 25:"))
        path.write_text(
            text[:at] + "[[shot: CU, push-in, 2s]]\nA new face in the crowd.\n\n" + text[at:]
        )
        rows.append(run("one shot inserted"))
        (root / "storyreel.toml").write_text(toml.format(grain=0.1))
        rows.append(run("look changed"))

    full = rows[0][1]
    print(f"{args.shots} shots of {args.seconds:g} s at {args.width}x{args.height}, 24 fps")
    print(f"{'':26}{'seconds':>9}{'of full':>9}{'stills':>8}{'frames':>8}")
    for label, seconds, stills, frames in rows:
        print(f"{label:26}{seconds:9.2f}{seconds / full:9.1%}{stills:8d}{frames:8d}")
    print(
        f"targets: no change < 1 s ({rows[1][1]:.2f} s); "
        f"one-shot edit < 10 % of full ({rows[2][1] / full:.1%})"
    )


if __name__ == "__main__":
    main()
