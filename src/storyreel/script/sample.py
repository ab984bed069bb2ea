"""A generated feature-length Fountain screenplay, for tests and benchmarks of scale.

Deterministic for a seed; uses every element a real feature does (sections, synopses, scene
numbers, transitions, dual dialogue, lyrics, notes, directives, boneyard, page breaks).
"""

from __future__ import annotations

import random

from storyreel.script.fountain import parse
from storyreel.script.timing import pages

_PLACES = [
    ("EXT.", "HARBOUR"),
    ("INT.", "TRAIN STATION"),
    ("EXT.", "ROOFTOP"),
    ("INT.", "KITCHEN"),
    ("EXT.", "DESERT ROAD"),
    ("INT.", "HOTEL CORRIDOR"),
    ("EXT.", "PINE FOREST"),
    ("INT.", "POLICE STATION"),
    ("EXT.", "BEACH"),
    ("INT.", "NIGHT BUS"),
    ("INT./EXT.", "CAR"),
    ("INT.", "HOSPITAL WARD"),
    ("EXT.", "CITY STREET"),
    ("INT.", "APARTMENT"),
]
_TIMES = ["DAY", "NIGHT", "DAWN", "DUSK", "CONTINUOUS", "LATER"]
_NAMES = ["NORA", "SAMUEL", "IDA", "VICTOR", "LENA", "OSKAR"]
_ACTION = [
    "{a} crosses the room and stops at the window. Outside, the rain has turned to snow.",
    "A long silence. {a} looks at {b} as if for the first time.",
    "{a} runs. Past the kiosks, past the closed cafés, down the stairs to the water.",
    "Headlights sweep the wall. A car door. Footsteps on gravel.",
    "{a}'s hands shake as {a} opens the envelope. Inside: a photograph, folded twice.",
    "The city below, a grid of sodium light reaching all the way to the sea.",
    "{b} sits on the edge of the bed, shoes still on, staring at nothing.",
    "Waves break over the pier. Gulls wheel in the grey light.",
]
_LINES = [
    "You said you'd be here by nine.",
    "I was. You weren't.",
    "Do you remember the name of the street?",
    "No. Only the colour of the door.",
    "We can't keep doing this.",
    "Then tell me to go, and mean it this time.",
    "It's late. The last train has gone.",
    "There's always another train.",
    "I kept the key. I don't know why I kept the key.",
    "Listen to me. Whatever happens tomorrow, you were not here tonight.",
]
_TRANSITIONS = ["CUT TO:", "DISSOLVE TO:", "SMASH CUT TO:", "MATCH CUT TO:", "> FADE TO BLACK."]
_DIRECTIVES = [
    "[[shot: CU {a}, push-in, 3s]]",
    '[[shot: EWS, crane-up, 6s, "the skyline"]]',
    "[[take: seed {n}]]",
    "[[cut: dissolve 12f]]",
    "[[shot: OTS {a}, slow push-in]]",
    '[[super: "Chapter {n}"]]',
]


_TITLE_PAGE = [
    "Title: THE LONG NIGHT",
    "Credit: written by",
    "Author: storyreel tests",
    "Draft date: 1 January 2026",
    "Contact:",
    "    storyreel",
    "    test fixtures",
    "",
]
_END = ["", "> THE END <", ""]


def feature_script(target_pages: float = 120.0, seed: int = 7) -> str:
    """A screenplay of at least `target_pages` formatted pages."""
    rng = random.Random(seed)
    out = list(_TITLE_PAGE)
    n = 0
    while True:
        for _ in range(10):
            n += 1
            out += _scene(rng, n)
        if pages(parse("\n".join(out))) >= target_pages:
            return "\n".join(out + _END)


def long_script(scenes: int | None = None, size: int | None = None, seed: int = 7) -> str:
    """A screenplay of `scenes` scenes, or of at least `size` bytes, for tests of scale (made in
    one pass: `feature_script` counts its pages as it grows, too slow at this length)."""
    rng = random.Random(seed)
    out, n, length = list(_TITLE_PAGE), 0, 0
    while (scenes is None or n < scenes) and (size is None or length < size):
        n += 1
        lines = _scene(rng, n)
        out += lines
        length += sum(len(line.encode()) + 1 for line in lines)
    return "\n".join(out + _END)


def _scene(rng: random.Random, n: int) -> list[str]:
    a, b = rng.sample(_NAMES, 2)
    ie, place = rng.choice(_PLACES)
    out: list[str] = []
    if n % 30 == 1:
        out += [f"# ACT {n // 30 + 1}", "", f"= The story turns at scene {n}.", ""]
    number = f" #{n}#" if n % 4 == 0 else ""
    out += [f"{ie} {place} - {rng.choice(_TIMES)}{number}", ""]
    for _ in range(rng.randint(3, 6)):
        roll = rng.random()
        if roll < 0.15:
            out += [rng.choice(_DIRECTIVES).format(a=a, n=rng.randint(1, 999))]
        if roll < 0.45:
            out += [rng.choice(_ACTION).format(a=a.title(), b=b.title()), ""]
        elif roll < 0.55:
            out += [a, rng.choice(_LINES), "", f"{b} ^", rng.choice(_LINES), ""]
        elif roll < 0.6:
            out += [f"{a} (V.O.)", "~" + rng.choice(_LINES), "~" + rng.choice(_LINES), ""]
        elif roll < 0.63:
            out += ["/* an older version of this beat", f"{a}", "Cut line.", "*/", ""]
        else:
            for k in range(rng.randint(2, 6)):
                who = (a, b)[k % 2]
                cue = f"{who} (CONT'D)" if rng.random() < 0.05 else who
                paren = ["(quietly)"] if rng.random() < 0.2 else []
                out += [cue, *paren, rng.choice(_LINES), ""]
    if n % 25 == 0:
        out += ["===", ""]
    out += [rng.choice(_TRANSITIONS), ""]
    return out
