"""How well scene headings are read into sets: the share that fall to a generic set, and the
share that get the set a director would expect, over a corpus of headings written for it.

    python benchmarks/places.py [HEADINGS.tsv] [--misses]

The corpus (benchmarks/data/headings.tsv, written for this repository, not taken from any
screenplay) pairs each heading with the expected kind; "-kind" marks a heading whose words name
no set, where the generic one is the right answer. A forced heading (".INSIDE THE CABIN") is
read without its dot, as the parser hands it over.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from storyreel.model import Scene, ScenePlace, SourceSpan
from storyreel.script.breakdown import split_heading
from storyreel.script.places import read_place

CORPUS = Path(__file__).resolve().parent / "data" / "headings.tsv"
_SPAN = SourceSpan(path="corpus", start=1, end=1)


@dataclass(frozen=True)
class Case:
    heading: str
    kind: str
    generic_ok: bool


def load(path: Path = CORPUS) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        heading, kind = line.split("\t")
        cases.append(
            Case(heading.strip().lstrip("."), kind.strip().lstrip("-"), kind.startswith("-"))
        )
    return cases


def read(heading: str) -> ScenePlace:
    int_ext, location, time = split_heading(heading)
    scene = Scene(
        id="s",
        number="1",
        heading=heading,
        int_ext=int_ext,
        location=location,
        time_of_day=time,
        lines=_SPAN,
    )
    return read_place(scene)


def score(cases: list[Case]) -> tuple[float, float, list[tuple[Case, ScenePlace]]]:
    """(share generic, share matched, the misses)."""
    misses, generic, matched = [], 0, 0
    for case in cases:
        place = read(case.heading)
        generic += place.generic and not case.generic_ok
        if place.kind == case.kind:
            matched += 1
        else:
            misses.append((case, place))
    return generic / len(cases), matched / len(cases), misses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(CORPUS))
    ap.add_argument("--misses", action="store_true", help="list the headings read wrong")
    args = ap.parse_args()
    cases = load(Path(args.corpus))
    generic, matched, misses = score(cases)
    kinds = Counter(c.kind for c in cases)
    interiors = sum(read(c.heading).interior for c in cases)
    print(
        f"{len(cases)} headings ({interiors} interior, {len(cases) - interiors} exterior), "
        f"{len(kinds)} expected kinds, from {args.corpus}"
    )
    print(f"  fall to a generic set: {generic:.1%}   (target: under 15 %)")
    print(f"  matched to the expected kind: {matched:.1%}")
    if args.misses:
        for case, place in misses:
            print(f"  {case.heading!r}: expected {case.kind}, got {place.kind} ({place.why})")


if __name__ == "__main__":
    main()
