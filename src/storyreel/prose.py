"""Reading screenplay prose for what is there: "The rain has stopped." names rain but shows a
dry night, so a sentence that negates or ends something is left out before weather and place
words are looked for (by the breakdown for a scene's weather, and by the previz)."""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
_NEGATED = re.compile(
    r"\b(?:no|not|never|without|nothing of)\b|n't\b"
    r"|\b(?:stops?|stopped|ends?|ended|clears?|cleared|lifts?|lifted|gone|dies down|died down)\b",
    re.IGNORECASE,
)


def affirmed(text: str) -> str:
    """`text` without its sentences that negate or end something."""
    return " ".join(s for s in _SENTENCE.split(text) if not _NEGATED.search(s))
