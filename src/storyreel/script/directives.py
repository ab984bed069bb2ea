"""Shot directives: the director's notes in `[[ ]]`, a grammar one can type without a manual.

    [[shot: CU MAYA, push-in, low, 3s]]          size, subjects, move, angle, duration
    [[shot: EWS, crane-up 0.5, 6s, "city lights below"]]   intensity after a move; a description
    [[shot: slow push-in, ease-out, 72f, #sh010]]          intensity words, easing, frames, an id
    [[shot: CU MAYA, 85mm, push-in]]       a lens in mm, full-frame (also `85 mm`, `lens 85`)
    [[take: seed 41]]      [[cut: dissolve 12f]]      [[super: "Genoa, 1994"]]

Words are separated by commas or spaces, in any order, case-insensitive; film-school synonyms
work too (`close-up`, `dolly in`, `bird's eye`). A directive applies to the action or dialogue
block it precedes. Notes that are not directives (`[[call the location manager]]`) are left
alone, but a word that looks like a misspelt directive (`[[shoot: ...]]`) or an unknown word
inside one is a `StoryreelError` with the file, the line and a did-you-mean.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from fractions import Fraction

from storyreel.errors import StoryreelError, did_you_mean
from storyreel.model import (
    LENS_RANGE,
    Angle,
    Easing,
    Move,
    ShotSize,
    Transition,
    TransitionKind,
    frames_for,
)

KEYWORDS = ("shot", "take", "cut", "super")

_ALIASES: dict[str, tuple[str, object]] = {}


def _add(kind: str, value: object, *words: str) -> None:
    for w in words:
        _ALIASES[w] = (kind, value)


for _s in ShotSize:
    _add("size", _s, _s.value.lower())
for _a in Angle:
    _add("angle", _a, _a.value)
for _m in Move:
    _add("move", _m, _m.value)
for _e in Easing:
    _add("easing", _e, _e.value)
_add(
    "size",
    ShotSize.EWS,
    "els",
    "xls",
    "xws",
    "extreme-wide",
    "extreme-wide-shot",
    "extreme-long-shot",
    "establishing",
)
_add("size", ShotSize.WS, "ls", "wide", "wide-shot", "long-shot")
_add("size", ShotSize.FS, "full", "full-shot")
_add("size", ShotSize.MWS, "mls", "medium-wide", "medium-long", "cowboy")
_add("size", ShotSize.MS, "medium", "mid", "medium-shot", "mid-shot")
_add("size", ShotSize.MCU, "medium-close", "medium-close-up")
_add("size", ShotSize.CU, "close", "close-up", "closeup")
_add("size", ShotSize.ECU, "xcu", "bcu", "extreme-close-up", "extreme-closeup")
_add("size", ShotSize.OTS, "over-the-shoulder", "over-shoulder")
_add("size", ShotSize.POV, "point-of-view")
_add("size", ShotSize.TWO, "two-shot", "2-shot", "2shot")
_add("angle", Angle.EYE, "eye-level", "level")
_add("angle", Angle.LOW, "low-angle")
_add("angle", Angle.HIGH, "high-angle")
_add("angle", Angle.OVERHEAD, "top-down", "birds-eye", "bird's-eye", "top-shot")
_add("angle", Angle.DUTCH, "dutch-angle", "canted", "tilted")
_add("move", Move.STATIC, "locked", "locked-off", "still", "fixed")
_add("move", Move.PUSH_IN, "dolly-in", "push", "track-in")
_add("move", Move.PULL_OUT, "dolly-out", "pull-back", "track-out", "pull")
_add("move", Move.TRUCK_LEFT, "track-left")
_add("move", Move.TRUCK_RIGHT, "track-right")
_add("move", Move.ARC_LEFT, "orbit-left")
_add("move", Move.ARC_RIGHT, "orbit-right")
_add("move", Move.HANDHELD, "hand-held")
_add("move", Move.DOLLY_ZOOM, "vertigo")
_add("move", Move.RACK_FOCUS, "rack", "pull-focus")
_add("easing", Easing.EASE_IN_OUT, "ease", "smooth")
for _w, _v in {
    "very-slow": 0.25,
    "slow": 0.5,
    "gentle": 0.5,
    "subtle": 0.5,
    "slight": 0.5,
    "fast": 1.6,
    "quick": 1.6,
    "hard": 1.6,
    "very-fast": 2.5,
}.items():
    _add("intensity", _v, _w)

_CUTS: dict[str, TransitionKind] = {k.value: k for k in TransitionKind}
_CUTS.update(
    {
        "crossfade": TransitionKind.DISSOLVE,
        "cross-dissolve": TransitionKind.DISSOLVE,
        "mix": TransitionKind.DISSOLVE,
        "smash": TransitionKind.SMASH_CUT,
        "match": TransitionKind.MATCH_CUT,
        "hard-cut": TransitionKind.CUT,
        "fade": TransitionKind.FADE_IN,
        "straight-cut": TransitionKind.CUT,
    }
)

_HEAD = re.compile(r"^\s*([A-Za-z][\w-]*)\s*:(.*)$", re.DOTALL)
_QUOTED = re.compile(r"\"([^\"]*)\"|“([^”]*)”|'([^']*)'(?=\s*(?:,|$))")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(s|sec|secs|seconds|f|fr|frames)$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_LENS = re.compile(r"^(\d+(?:\.\d+)?)mm$")
_UNIT = re.compile(r"^(\d+(?:\.\d+)?)([a-z]+)$")  # a number with a unit that is none of ours
_ID = re.compile(r"^(?:id=|#)([A-Za-z0-9][A-Za-z0-9_.\-]*)$", re.IGNORECASE)


@dataclass
class Directive:
    kind: str  # shot | take | cut | super
    line: int
    size: ShotSize | None = None
    subjects: list[str] = field(default_factory=list)
    angle: Angle | None = None
    move: Move | None = None
    intensity: float | None = None
    easing: Easing | None = None
    duration: float | None = None  # seconds
    lens: float | None = None  # focal length in mm
    description: str | None = None
    id: str | None = None
    seed: int | None = None
    transition: Transition | None = None
    text: str | None = None  # super


def parse_directive(
    note: str, line: int, path: str, fps: Fraction, characters: Collection[str] = ()
) -> Directive | None:
    """A directive from a note's text, or None for an ordinary note."""
    m = _HEAD.match(note)
    if not m:
        return None
    keyword, body = m.group(1).lower(), m.group(2).strip()
    if keyword not in KEYWORDS:
        if difflib.get_close_matches(keyword, KEYWORDS, n=1, cutoff=0.75):
            raise StoryreelError(
                f"unknown directive {keyword!r}{did_you_mean(keyword, KEYWORDS)}", path, line
            )
        return None
    d = Directive(keyword, line)
    quoted = [next(g for g in q.groups() if g is not None) for q in _QUOTED.finditer(body)]
    words = [w for w in re.split(r"[,\s]+", _QUOTED.sub(" ", body)) if w]
    if keyword == "super":
        d.text = quoted[0] if quoted else body
        if not d.text:
            raise StoryreelError(
                '[[super: ...]] needs its text, e.g. [[super: "Genoa, 1994"]]', path, line
            )
        return d
    _Reader(d, words, path, fps, {c.upper() for c in characters}).read()
    if quoted:
        if keyword != "shot":
            raise StoryreelError(
                f"a quoted description has no place in [[{keyword}: ...]]", path, line
            )
        d.description = " ".join(quoted)
    if keyword == "take" and d.seed is None:
        raise StoryreelError("[[take: ...]] needs a seed, e.g. [[take: seed 41]]", path, line)
    if keyword == "cut" and d.transition is None:
        raise StoryreelError(
            f"[[cut: ...]] needs a transition: one of {', '.join(_CUTS)}", path, line
        )
    return d


class _Reader:
    def __init__(self, d: Directive, words: list[str], path: str, fps: Fraction, names: set[str]):
        self.d, self.words, self.path, self.fps, self.names = d, words, path, fps, names
        self.i = 0
        self.frames = 0  # a transition's length

    def fail(self, message: str) -> StoryreelError:
        return StoryreelError(message, self.path, self.d.line)

    def read(self) -> None:
        while self.i < len(self.words):
            self.word()
        if self.d.transition is not None:
            self.d.transition = Transition(kind=self.d.transition.kind, frames=self.frames)

    def word(self) -> None:
        d, w = self.d, self.words[self.i]
        low = w.lower()
        if dur := _DURATION.match(low):
            value, unit = float(dur.group(1)), dur.group(2)
            seconds = value / float(self.fps) if unit.startswith("f") else value
            if seconds <= 0:
                raise self.fail(f"a duration must be positive: {w!r}")
            if d.kind == "cut":
                self.frames = int(value) if unit.startswith("f") else frames_for(value, self.fps)
            else:
                d.duration = seconds
            self.i += 1
            return
        if low == "seed" and self.i + 1 < len(self.words) and self.words[self.i + 1].isdigit():
            d.seed = int(self.words[self.i + 1])
            self.i += 2
            return
        if d.kind == "take" and w.isdigit():
            d.seed = int(w)
            self.i += 1
            return
        if low in ("and", "&", "on", "of", "with", "to", "at"):
            self.i += 1
            return
        if d.kind == "cut":
            self.cut(w)
            return
        if low == "lens" or _LENS.match(low) or (_NUMBER.match(w) and self.peek() == "mm"):
            self.lens()
            return
        if ident := _ID.match(w):
            d.id = ident.group(1)
            self.i += 1
            return
        if _NUMBER.match(w):
            value = float(w)
            if d.move is None or not 0 <= value <= 3:
                lens = f"; a lens is written {w}mm" if value > 3 else ""
                raise self.fail(
                    f"a number {w!r} must follow a move, as its intensity (0 to 3){lens}"
                )
            d.intensity = value
            self.i += 1
            return
        for n in (3, 2, 1):  # the longest phrase first: "extreme close up", "push in"
            phrase = self.words[self.i : self.i + n]
            if len(phrase) < n:
                continue
            name = " ".join(phrase).upper()
            if name in self.names and d.kind == "shot":
                d.subjects.append(name)
                self.i += n
                return
            key = "-".join(p.lower() for p in phrase)
            if key in _ALIASES:
                self.apply(*_ALIASES[key])
                self.i += n
                return
        if unit := _UNIT.match(low):
            number = unit.group(1)
            raise self.fail(
                f"unknown word {w!r} in [[{d.kind}: ...]]"
                f"{did_you_mean(low, [number + 'mm', number + 's', number + 'f'])}; "
                f"a number takes a unit: {number}mm for a lens, {number}s or {number}f "
                "for a duration"
            )
        choices = [k.upper() if kind == "size" else k for k, (kind, _) in _ALIASES.items()]
        choices += sorted(self.names)
        raise self.fail(f"unknown word {w!r} in [[{d.kind}: ...]]{did_you_mean(w, choices)}")

    def peek(self) -> str:
        """The next word, lower case ("" at the end)."""
        return self.words[self.i + 1].lower() if self.i + 1 < len(self.words) else ""

    def lens(self) -> None:
        """`85mm`, `85 mm`, `lens 85`, `lens 85mm`; a `lens` after one is a filler (`85mm lens`)."""
        if self.words[self.i].lower() == "lens":
            nxt = self.peek()
            if not (_LENS.match(nxt) or _NUMBER.match(nxt)):
                if self.d.lens is None:
                    raise self.fail("'lens' needs a focal length in mm, e.g. lens 85 or 85mm")
                self.i += 1
                return
            self.i += 1
        low = self.words[self.i].lower()
        written = _LENS.match(low)
        value = float(written.group(1) if written else low)
        lo, hi = LENS_RANGE
        if not lo <= value <= hi:
            raise self.fail(
                f"lens {value:g}mm is out of range ({lo:g} to {hi:g} mm, full-frame equivalent)"
            )
        self.apply("lens", value)
        self.i += 1 if written or self.peek() != "mm" else 2

    def apply(self, kind: str, value: object) -> None:
        d = self.d
        if d.kind != "shot":
            raise self.fail(f"{self.words[self.i]!r} has no place in [[{d.kind}: ...]]")
        if kind == "intensity":
            d.intensity = value  # type: ignore[assignment]
            return
        if getattr(d, kind) is not None and getattr(d, kind) != value:
            kinds = "lenses" if kind == "lens" else f"{kind}s"
            raise self.fail(f"two {kinds} in one shot: {getattr(d, kind)} and {value}")
        setattr(d, kind, value)

    def cut(self, w: str) -> None:
        for n in (2, 1):
            key = "-".join(p.lower() for p in self.words[self.i : self.i + n])
            if len(self.words[self.i : self.i + n]) == n and key in _CUTS:
                self.d.transition = Transition(kind=_CUTS[key])
                self.i += n
                return
        raise self.fail(f"unknown transition {w!r} in [[cut: ...]]{did_you_mean(w, list(_CUTS))}")
