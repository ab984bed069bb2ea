"""Reading a scene heading the way a reader does: which set it means, inside or out, and when.

`read_places` goes through a film's scenes in order, because a heading leans on the one before
it: `- CONTINUOUS`, `LATER` and `SAME` keep the previous scene's light, and a `POV` or `INSERT`
heading stays in the previous scene's place. Within a heading, each part is read
(`BLOOM HOUSE - MASTER BEDROOM` is a bedroom in a house): later parts and head nouns (the last
word of an English noun phrase) name the set more closely than what comes before them, except
weak words such as "road" that only say where in a place we are (`PINE FOREST ROAD` is the
forest). Possessives and plurals are read as their nouns (`BRICK'S POOL`). When the heading
is only weak words or unknown ones, the scene's first action paragraph may name the set (a
"porch" in the action of `EXT. HOUSE`); when nothing names one, a generic set is chosen by
what the words suggest (built, natural, water or a vehicle). A forced heading without
INT./EXT. (`.INSIDE THE FERRY CABIN`) is placed inside or out by its words.

The words live in `place_words` (hand-written: see there why); the painting of each kind lives
in the previz (`stills/previz`), which reads `Scene.place`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from storyreel.model import Scene, ScenePlace
from storyreel.prose import affirmed
from storyreel.script import place_words as pw

TIMES = ("day", "night", "dusk", "dawn", "magic")
_TIME_WORDS = [
    ("magic", r"magic hour|magic|golden hour|golden"),
    (
        "night",
        r"night|midnight|nighttime|small hours|witching hour|"
        r"late(?!\s+(?:afternoon|morning|day|evening))",
    ),
    ("dusk", r"dusk|sunset|evening|twilight|nightfall|sundown"),
    ("dawn", r"dawn|sunrise|first light|daybreak|sunup|pre-dawn|predawn"),
    ("day", r"day|morning|noon|midday|afternoon|daytime|daylight|lunchtime|lunch"),
]
_CONTINUITY = re.compile(
    r"\b(continuous|cont'?d|continued|later|moments? later|seconds later|minutes later|"
    r"a little later|same|same time|simultaneous|meanwhile)\b",
    re.IGNORECASE,
)
_FOLLOWS = re.compile(  # headings that stay in the place of the scene they belong to
    r"^\s*(pov|.*'s pov|.* pov|insert|inserts?|back to scene|back to|intercut|close on|"
    r"angle on|closer angle|reverse angle|another angle|wider|same scene|split screen|"
    r"series of shots|montage)\b",
    re.IGNORECASE,
)
# a generic set for each family of words, inside and out
GENERIC = {
    (True, "built"): "room",
    (True, "natural"): "cave",
    (True, "water"): "ship",
    (True, "vehicle"): "car",
    (False, "built"): "city",
    (False, "natural"): "field",
    (False, "water"): "sea",
    (False, "vehicle"): "field",
}
_STRONG, _WEAK = 10.0, 5.0
_EXCEPT = frozenset(
    [
        "mars",
        "christmas",
        "texas",
        "paris",
        "vegas",
        "news",
        "lens",
        "always",
        "bus",
        "campus",
        "canvas",
        "chaos",
        "kansas",
        "atlas",
        "gas",
        "glass",
        "grass",
        "press",
        "class",
        "cross",
        "boss",
        "moss",
        "pass",
        "ferris",
        "thomas",
        "brass",
        "mass",
        "series",
        "species",
        "cactus",
        "circus",
        "octopus",
        "business",
        "congress",
        "fortress",
        "mattress",
        "princess",
        "terrace",
        "various",
        "jesus",
        "status",
        "bogus",
        "virus",
        "citrus",
        "lotus",
        "iris",
        "axis",
        "oasis",
        "analysis",
        "basis",
    ]
)


def normal(word: str) -> str:
    """A word as the lexicon holds it: lower case, singular, without a possessive."""
    w = word.lower().replace("’", "'")
    w = re.sub(r"'s?$", "", w)
    if w in _EXCEPT or len(w) < 4:
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if re.search(r"(ch|sh|x|ss|zz)es$", w):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def words(text: str) -> list[str]:
    return [normal(t) for t in re.findall(r"[a-zà-ÿ0-9]+(?:['’][a-z]+)?", text.lower())]


@cache
def _table(interior: bool) -> dict[str, str]:
    """phrase (normal words joined by spaces) → kind, for one side of the wall."""
    out: dict[str, str] = {}
    for kind, alts in (pw.INTERIOR if interior else pw.EXTERIOR).items():
        for phrase in alts.split("|"):
            out.setdefault(" ".join(words(phrase)), kind)
    return out


@cache
def _weak(interior: bool) -> frozenset[str]:
    return frozenset(" ".join(words(w)) for w in pw.WEAK | (set() if interior else pw.WEAK_OUTSIDE))


@cache
def _families() -> dict[str, str]:
    out: dict[str, str] = {}
    for family, alts in pw.FAMILIES.items():
        for w in alts.split("|"):
            out.setdefault(" ".join(words(w)), family)
    return out


def _parts(location: str) -> list[str]:
    text = re.sub(r"\(.*?\)", " ", location)
    return [
        p for p in re.split(r"\s+[-–—]+\s+|/|,|:|;|\bINTERCUT\b", text, flags=re.I) if p.strip()
    ]


def _matches(parts: list[str], interior: bool) -> list[tuple[float, str, str, bool]]:
    """(score, kind, phrase, strong) for every lexicon phrase in the heading's parts."""
    table, weak, found = _table(interior), _weak(interior), []
    for pi, part in enumerate(parts):
        ws = words(part)
        if pi:  # "HIGH SCHOOL - HALLWAY" is a school hallway: the part before modifies this one
            last = words(parts[pi - 1])[-1:]
            phrase = " ".join(last + ws[:1])
            if len(last + ws[:1]) == 2 and phrase in table:
                strong = phrase not in weak
                found.append(
                    ((_STRONG if strong else _WEAK) + 1 + 2.0 * pi, table[phrase], phrase, strong)
                )
        taken = [False] * len(ws)
        for n in (3, 2, 1):  # longest phrases first; a word belongs to one phrase
            for i in range(len(ws) - n + 1):
                if any(taken[i : i + n]):
                    continue
                phrase = " ".join(ws[i : i + n])
                kind = table.get(phrase)
                if kind is None:
                    continue
                taken[i : i + n] = [True] * n
                strong = phrase not in weak
                score = (_STRONG if strong else _WEAK) + n - 1 + 2.0 * pi + 0.5 * (i + n - 1)
                found.append((score, kind, phrase, strong))
    return found


def _best(parts: list[str], interior: bool) -> tuple[float, str, str, bool] | None:
    found = _matches(parts, interior)
    return max(found, key=lambda f: f[0]) if found else None


def _in_action(text: str, interior: bool) -> tuple[str, str] | None:
    """The first strong place word of the side in `text` (what it affirms)."""
    table, weak = _table(interior), _weak(interior)
    ws = words(affirmed(text))
    for i in range(len(ws)):
        for n in (3, 2, 1):
            phrase = " ".join(ws[i : i + n])
            if len(ws[i : i + n]) == n and phrase in table and phrase not in weak:
                return table[phrase], phrase
    return None


def _family(parts: Iterable[str]) -> tuple[str, str] | None:
    """What the words suggest when no kind is named: (family, the word that says so)."""
    fam = _families()
    ws = [w for p in parts for w in words(p)]
    for w in reversed(ws):  # the head noun first
        if w in fam:
            return fam[w], w
    for w in reversed(ws):
        for family, ends in pw.ENDINGS.items():
            if len(w) > 5 and w.endswith(ends):
                return family, w
    return None


def time_of(scene: Scene, previous: str | None = None) -> tuple[str, str]:
    """(one of TIMES, why) from the heading; continuity words and silence keep `previous`."""
    said = scene.time_of_day.lower()
    held = _CONTINUITY.search(scene.heading)
    for text in (said, "" if held and previous else scene.heading.lower()):
        for time, pattern in _TIME_WORDS:
            if re.search(rf"\b({pattern})\b", text):
                return time, ""
    if previous and held:
        return previous, f"{held.group(1).upper()} keeps the light of the scene before"
    if previous:
        return previous, "no time of day: the light of the scene before"
    return "day", "" if not said else f"{said.upper()}: day"


def read_place(scene: Scene, opening: str = "", previous: ScenePlace | None = None) -> ScenePlace:
    """The set of `scene`, given its first action paragraph and the reading of the scene before."""
    time, time_why = time_of(scene, previous.time if previous else None)
    ie = scene.int_ext.upper()
    parts = _parts(scene.location or re.sub(r"^\W+", "", scene.heading))
    if previous is not None and parts and _FOLLOWS.match(parts[0]):
        rest = [p for p in parts[1:] if not _FOLLOWS.match(p)]
        if not ie or not any(b and b[3] for b in (_best(rest, True), _best(rest, False))):
            why = f"{parts[0].strip().upper()}: the set of the scene before"
            return _place(previous.kind, previous.interior, time, previous.generic, why, time_why)
    if ie.startswith("INT/EXT"):
        sides = [True, False]
    elif ie.startswith("INT"):
        sides = [True]
    elif ie.startswith("EXT"):
        sides = [False]
    else:
        sides = [_side_of(parts, previous)]
    for interior in sides:
        best = _best(parts, interior)
        if best and best[3]:
            return _place(best[1], interior, time, False, f"heading word '{best[2]}'", time_why)
        refined = _in_action(opening, interior) if opening else None
        if refined:
            weak = f" (the heading's '{best[2]}' says less)" if best else ""
            return _place(
                refined[0], interior, time, False, f"action word '{refined[1]}'{weak}", time_why
            )
        if best:
            return _place(best[1], interior, time, False, f"heading word '{best[2]}'", time_why)
    interior = sides[0]
    owner = next((p for p in parts if re.search(r"\w['’]S?\s*$", p.strip(), re.I)), None)
    if owner:  # "INT. SARAH'S - NIGHT": someone's place, their home
        kind = _table(interior)["home"]
        return _place(kind, interior, time, False, f"'{owner.strip()}': someone's home", time_why)
    if ie.startswith("INT/EXT"):
        return _place("car", True, time, True, "INT/EXT with no place word: a car", time_why)
    fam = _family(parts)
    if fam:
        kind = GENERIC[(interior, fam[0])]
        return _place(
            kind, interior, time, True, f"no set named; '{fam[1]}' suggests {fam[0]}", time_why
        )
    kind = GENERIC[(interior, "built" if interior else "natural")]
    return _place(
        kind,
        interior,
        time,
        True,
        "no place word: the generic " + ("room" if interior else "open country"),
        time_why,
    )


def _side_of(parts: list[str], previous: ScenePlace | None) -> bool:
    """Inside or out, for a heading that does not say: its words, else the scene before."""
    ws = {w for p in parts for w in words(p)}
    if ws & pw.OUTSIDE and not ws & {"inside", "interior", "indoors"}:
        return False
    if ws & pw.INSIDE:
        return True
    inside, outside = _best(parts, True), _best(parts, False)
    if inside and (not outside or inside[0] >= outside[0]):  # a building named: we go in
        return True
    if outside:
        return False
    return previous.interior if previous else False


def _place(
    kind: str, interior: bool, time: str, generic: bool, why: str, time_why: str
) -> ScenePlace:
    return ScenePlace(
        kind=kind,
        interior=interior,
        time=time,
        generic=generic,
        why=f"{why}; {time_why}" if time_why else why,
    )


def read_places(scenes: list[Scene], openings: list[str]) -> list[ScenePlace]:
    """The set of every scene of a film, in order (each reading leans on the one before)."""
    out: list[ScenePlace] = []
    for scene, opening in zip(scenes, openings, strict=True):
        out.append(read_place(scene, opening, out[-1] if out else None))
    return out
