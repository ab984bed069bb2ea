"""What a character wears and how old they look, read from how the script describes them.

`read_costume` takes a description (`storyreel.toml`'s `[characters.NAME] description`, or the
action line that introduces them: `MAYA (38, grey coat, hair cut short)`) and finds the words
a costume designer would: hats and hoods, coats, suits, uniforms, dresses, the hair's length
and colour, and age (a child, an old man). Only what is said is set; the rest stays as the
character's stable hash made it, so a description never makes two characters alike by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyreel.prose import affirmed
from storyreel.stills.previz.paint import Color

_HEADWEAR = [
    ("hood", r"hood|hoodie|hooded|cowl|balaclava"),
    ("cap", r"cap|caps|beanie|helmet|beret|kepi|bandana|headscarf|visor|peaked cap"),
    (
        "hat",
        r"hat|hats|fedora|stetson|trilby|bowler|top hat|sombrero|panama|homburg|cloche|"
        r"boater|turban|bonnet|tricorn|deerstalker",
    ),
]
_HAIR = [
    ("bald", r"bald|shaved head|shaven head|clean-shaven head|hairless"),
    ("bun", r"bun|topknot|chignon"),
    (
        "long",
        r"long hair|long \w+ hair|ponytail|braids?|plaits?|mane|hair down to|"
        r"shoulder-length|waist-length|dreadlocks|locks",
    ),
    (
        "short",
        r"short hair|short \w+ hair|crew cut|buzz cut|buzzcut|cropped|crop|pixie|"
        r"hair cut short|close-cropped|flat-top|mohawk|crewcut",
    ),
]
_HAIR_TONE = [
    ((0.72, 0.72, 0.7), r"white hair|white-haired|silver|silver-haired|snow-white"),
    (
        (0.5, 0.5, 0.5),
        r"grey hair|gray hair|grey-haired|gray-haired|greying|graying|salt-and-pepper",
    ),
    ((0.78, 0.62, 0.32), r"blond|blonde|fair-haired|golden hair|platinum"),
    ((0.55, 0.22, 0.1), r"red hair|red-haired|redhead|ginger|auburn|copper hair"),
]
_LONG_COAT = (
    r"coat|overcoat|trench ?coat|greatcoat|duster|cloak|cape|poncho|robe|cassock|"
    r"dressing gown|bathrobe|housecoat|"
    r"habit|parka|mackintosh|raincoat|frock coat|kaftan|lab coat|long coat"
)
_SHORT_TOP = (
    r"jacket|blazer|bomber|t-shirt|tee|shirt|sweater|jumper|cardigan|vest|tank top|"
    r"hoodie|polo|blouse|swimsuit|bikini|overalls|jersey|windbreaker|fleece"
)
_DRESS = r"dress|dresses|gown|skirt|sundress|frock|sari|kimono|nightgown|nightdress|tutu"
_SUIT = r"suit|tuxedo|dinner jacket|three-piece|pinstripe|tie|necktie|bow tie"
_UNIFORM = (
    r"uniform|uniformed|fatigues|camouflage|camo|livery|scrubs|police officer|cop|"
    r"soldier|sergeant|lieutenant|captain|corporal|private|guard|officer|marine|sailor's "
    r"uniform|nurse's uniform|pilot's uniform|conductor|doorman|bellhop|security guard"
)
_CHILD = (
    r"child|kid|toddler|baby|infant|little (?:boy|girl)|boy|girl|schoolboy|schoolgirl|"
    r"son of \w+|daughter of \w+"
)
_OLD = (
    r"old|elderly|aged|ancient|wizened|frail|grandmother|grandfather|grandma|grandpa|granny|"
    r"old man|old woman|pensioner|octogenarian|nonagenarian|in (?:his|her|their) (?:seventies|"
    r"eighties|nineties)"
)
_AGES = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
}


@dataclass(frozen=True)
class Costume:
    """What the words say (None: they say nothing of it)."""

    hair: str | None = None  # one of figures.HAIRS
    hair_tone: Color | None = None
    long_coat: bool | None = None
    dress: bool = False
    suit: bool = False
    uniform: bool = False
    age: str | None = None  # child, teen, adult, old


def _find(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(rf"\b(?:{pattern})\b", text)


def _age(text: str) -> str | None:
    m = re.search(r"\b(\d{1,3})(?:s|-years?-old| years? old)?\b(?!-)", text)
    if m is None:
        m2 = re.search(r"\b(?:of|aged|age)\s+(" + "|".join(_AGES) + r")\b", text)
        n = _AGES[m2.group(1)] if m2 else None
    else:
        n = int(m.group(1))
    if n is not None and 0 < n < 120:
        return "child" if n < 13 else "teen" if n < 18 else "old" if n >= 65 else "adult"
    if _find(_CHILD, text):
        return "child"
    if _find(_OLD, text):
        return "old"
    return None


def read_costume(text: str) -> Costume:
    """The costume, hair and age a description names (what it negates is left out)."""
    t = affirmed(text).lower()
    if not t.strip():
        return Costume()
    hair = next((k for k, p in _HEADWEAR if _find(p, t)), None)
    uniform = bool(_find(_UNIFORM, t))
    if hair is None:
        hair = next((k for k, p in _HAIR if _find(p, t)), None)
    if hair is None and uniform:
        hair = "cap"
    tone = next((c for c, p in _HAIR_TONE if _find(p, t)), None)
    coat, top = _find(_LONG_COAT, t), _find(_SHORT_TOP, t)
    long_coat = None
    if coat and (not top or coat.start() < top.start()):
        long_coat = True
    elif top:
        long_coat = False
    dress = bool(_find(_DRESS, t.replace("dressing gown", "")))
    suit = bool(_find(_SUIT, t)) and not re.search(r"\b(?:swim|wet|space|bathing |jump)suit", t)
    age = _age(t)
    if tone is None and age == "old":
        tone = (0.6, 0.6, 0.58)
    suit = suit and not dress
    if long_coat is None and (suit or dress):
        long_coat = False
    return Costume(hair, tone, long_coat, dress, suit, uniform, age)
