"""How a parenthetical shapes a line's delivery: speed, volume, a pause before it, and a style.

A screenplay's parentheticals are a small vocabulary — (whispering), (shouting), (beat),
(quietly) — so a table of words does what a model would, offline and the same every time. A
backend uses what it can: espeak and Piper the speed (and espeak a whisper), Kokoro the speed,
OpenAI's gpt-4o-mini-tts the style as `instructions`, ElevenLabs the speed and style settings.
The volume goes to the mix; the pause is silence the voice stage puts before the take.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORDS: tuple[tuple[re.Pattern[str], dict[str, float | bool]], ...] = (
    (re.compile(r"\bwhisper", re.I), {"speed": 0.9, "volume": 0.45, "whisper": True}),
    (re.compile(r"\b(shout|yell|scream)", re.I), {"speed": 1.1, "volume": 1.0, "loud": True}),
    (re.compile(r"\b(quiet|soft|murmur|under (his|her|their) breath)", re.I), {"volume": 0.6}),
    (re.compile(r"\b(fast|quick|hurried|rapid)", re.I), {"speed": 1.15}),
    (re.compile(r"\b(slow|hesita|drawl)", re.I), {"speed": 0.85}),
    (re.compile(r"\b(beat|pause|a moment)\b", re.I), {"pause": 0.6}),
)


@dataclass(frozen=True)
class Delivery:
    """A line's delivery. `style` is the parenthetical's own words, for backends that read it."""

    speed: float = 1.0  # 1 = the voice's own pace
    volume: float = 1.0  # the line's level in the mix, 0..1
    pause: float = 0.0  # seconds of silence before the line
    whisper: bool = False
    loud: bool = False
    style: str | None = None


def delivery(parenthetical: str | None) -> Delivery:
    """The delivery a parenthetical asks for (the plain delivery without one)."""
    text = (parenthetical or "").strip().strip("()").strip()
    if not text:
        return Delivery()
    found: dict[str, float | bool] = {}
    for pattern, effect in _WORDS:
        if pattern.search(text):
            found.update(effect)
    return Delivery(style=text, **found)  # type: ignore[arg-type]


def offscreen(extension: str | None) -> str | None:
    """`V.O.` or `O.S.` (O.C. counts as O.S.) for a line heard off screen, else None."""
    ext = (extension or "").upper().replace(" ", "")
    if ext in ("V.O.", "VO"):
        return "V.O."
    if ext in ("O.S.", "OS", "O.C.", "OC"):
        return "O.S."
    return None
