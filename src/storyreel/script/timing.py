"""How long a shot holds: dialogue at a speaking rate, action by its length, within a pacing
(the presets and the shot-length data behind them are in `storyreel.pacing`). Dialogue is never
cut short: a spoken line holds at least as long as it takes to say (about 150 words a minute in
drama).
"""

from __future__ import annotations

import math
import re

from storyreel.model import DialogueLine, ShotSize
from storyreel.pacing import Pacing
from storyreel.script.fountain import Script

# Establishing and detail shots read differently from a plain action shot.
_SIZE_FACTOR = {ShotSize.EWS: 1.3, ShotSize.WS: 1.15, ShotSize.INSERT: 0.7, ShotSize.ECU: 0.8}
_WORD = re.compile(r"[\w']+")
_PAUSES = re.compile(r"\b(beat|pause|a moment|silence|long look)\b", re.IGNORECASE)


def words(text: str) -> int:
    return len(_WORD.findall(text))


def speech_seconds(line: DialogueLine, pacing: Pacing) -> float:
    """How long a line takes to say, with the pauses its parenthetical asks for."""
    t = words(line.text) / pacing.words_per_second
    if line.parenthetical and _PAUSES.search(line.parenthetical):
        t += 1.0
    return t


def shot_seconds(
    size: ShotSize, description: str, dialogue: list[DialogueLine], pacing: Pacing
) -> float:
    """The estimated duration of a shot: its speech, or its action, within the pacing."""
    lo, hi = pacing.bounds
    if dialogue:
        spoken = sum(speech_seconds(d, pacing) for d in dialogue)
        if any(d.dual for d in dialogue):  # dual dialogue overlaps: the longer side sets it
            spoken = max(speech_seconds(d, pacing) for d in dialogue)
        return round(max(lo, spoken + 2 * pacing.breath), 2)
    action = words(description) / pacing.read_rate * _SIZE_FACTOR.get(size, 1.0)
    action += 2 * len(_PAUSES.findall(description))
    # Pull the text's estimate towards the pacing's median in log space: short descriptions
    # still hold long enough to read the frame, long ones are trimmed towards the ASL.
    estimate = math.exp(0.5 * math.log(max(action, 0.1)) + 0.5 * math.log(pacing.median))
    return round(min(hi, max(lo, estimate)), 2)


# Screenplay format: Courier 12 pt, 55 lines to the page; action wraps at 60 characters,
# dialogue at 35, parentheticals at 25; one blank line between elements.
_WIDTH = {"action": 60, "dialogue": 35, "parenthetical": 25, "lyrics": 35, "centered": 60}
LINES_PER_PAGE = 55


def pages(script: Script) -> float:
    """The script's length in formatted pages (the title page not counted)."""
    lines = 0
    for e in script.elements:
        if e.kind in ("note", "section", "synopsis", "page_break"):
            continue
        width = _WIDTH.get(e.kind, 10_000)  # headings, cues, transitions: one line
        count = sum(max(1, -(-len(p) // width)) for p in e.text.split("\n"))
        gap = 0 if e.kind in ("dialogue", "parenthetical", "lyrics") else 1
        lines += count + gap
    return lines / LINES_PER_PAGE
