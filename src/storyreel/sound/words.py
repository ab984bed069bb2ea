"""The sound a scene asks for, in words: its ambience and spot effects from the heading and the
action, and its mood for the score.

A small table of patterns, not a language model: the words are few (a place's air, a handful of
sounds an action names), they must be the same every run, and a user's folder of effects is
matched by the same words (`rain.wav`, `door-slam.flac`).
"""

from __future__ import annotations

import re

# ambience beds: word → (what in a heading or an action names it, how to ask for it)
AMBIENCE: dict[str, tuple[str, str]] = {
    "rain": (r"\brain", "steady rain falling on streets and roofs, no music"),
    "harbour": (
        r"\bharbou?r|\bdocks?\b|\bpier\b|\bquay|\bport\b|\bwharf",
        "a harbour: water lapping at the quay, rigging, distant gulls",
    ),
    "traffic": (
        r"\bstreet|\btraffic|\broad\b|\bavenue|\bcity\b|\bcrossing|\btaxi",
        "city traffic passing at a distance, tyres on wet tarmac",
    ),
    "bar": (
        r"\bbar\b|\bpub\b|\bcaf[eé]|\brestaurant|\bdiner\b|\bclub\b",
        "the murmur of a bar: low voices, glasses, no music",
    ),
    "sea": (r"\bbeach|\bsea\b|\bocean|\bshore|\bwaves", "waves breaking on a shore"),
    "wind": (r"\bwind|\brooftop|\bcliff", "wind gusting across an open roof"),
}
# spot effects an action names: word → (pattern, how to ask for it)
SPOTS: dict[str, tuple[str, str]] = {
    "door": (r"\bdoors?\b", "a door opening and closing"),
    "footsteps": (r"\bfootsteps|\bwalks?\b|\bsteps\b", "footsteps on a hard floor"),
    "thunder": (r"\bthunder", "a roll of thunder"),
    "glass": (r"\bglass(es)?\b|\bbottle", "a glass set down on a table"),
    "phone": (r"\bphone", "a phone ringing"),
    "car": (r"\bcar\b|\bengine", "a car passing"),
    "knock": (r"\bknocks?\b", "a knock at a door"),
}
ROOM = "room"  # an interior that names no sound: its room tone
ROOM_PROMPT = "the quiet room tone of an interior, air and a faint hum"

_MOODS = (
    (r"\bnight|\bdark|\bmidnight", "nocturnal and hushed"),
    (r"\brain|\bfog|\bgrey|\bgray|\balone|\bempty", "melancholic"),
    (r"\brun|\bchase|\bgun|\bfight|\bscream|\bfalls?\b", "tense, driving"),
    (r"\blaugh|\bsun|\bsummer|\bdance|\bsmil", "warm and bright"),
    (r"\bmemory|\bremember|\bdream|\bphoto", "wistful, remembering"),
)


def ambience_words(heading: str, action: str, interior: bool) -> list[str]:
    """The beds a scene is heard over (at most two), the room tone for a silent interior."""
    text = f"{heading} {action}"
    found = [w for w, (pattern, _) in AMBIENCE.items() if re.search(pattern, text, re.I)]
    return found[:2] or ([ROOM] if interior else [])


def spot_words(action: str) -> list[str]:
    """The spot effects a shot's action names, in the table's order."""
    return [w for w, (pattern, _) in SPOTS.items() if re.search(pattern, action, re.I)]


def describe(word: str) -> str:
    """How to ask a generator for the sound `word` names."""
    if word == ROOM:
        return ROOM_PROMPT
    return {**AMBIENCE, **SPOTS}[word][1]


def mood(text: str) -> str:
    """The score's mood from a scene's heading, synopsis and action."""
    moods = [m for pattern, m in _MOODS if re.search(pattern, text, re.I)]
    return ", ".join(moods[:2]) or "restrained, understated"


def cue_prompt(heading: str, text: str, style: str) -> str:
    """What a music generator is asked for to score a scene."""
    look = f"; the film looks {style}" if style else ""
    return f"instrumental film score, {mood(f'{heading} {text}')}, for the scene {heading}{look}"
