"""`storyreel doctor`: what a script supervisor flags, read from the breakdown, and the model's
reading when the project has a writer.

The flags need no model: characters storyreel.toml does not describe (a stills model then draws
someone new in every shot), a prop or a piece of wardrobe whose colour or material changes
between scenes, dialogue longer than the shot a director timed for it, and a scene that opens on
a new place without a wide shot of it. Each names the script's line. The continuity check reads
the action the way the breakdown reads it (names in capitals, "her" and "his" for the last one
named); its words are a short list here rather than a tagger's, because it only has to notice
the same noun described two ways.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from storyreel.config import ProjectConfig
from storyreel.errors import StoryreelError
from storyreel.model import ShotList, ShotSize
from storyreel.pacing import PACINGS
from storyreel.script.breakdown import breakdown
from storyreel.script.fountain import Element, Script, parse_file, plain
from storyreel.script.timing import speech_seconds
from storyreel.writers.base import Completion, Message, WriterBackend

KINDS = ("character", "continuity", "dialogue", "establishing", "reading")
ESTABLISHING = (ShotSize.EWS, ShotSize.WS)
_GARMENTS = (
    r"coat|overcoat|raincoat|jacket|shirt|t-shirt|blouse|dress|gown|skirt|trousers|jeans|suit|"
    r"swimsuit|sweater|jumper|hoodie|cardigan|vest|uniform|apron|cloak|scarf|tie|hat|cap|beret|"
    r"boots|shoes|sneakers|heels|gloves|glasses|sunglasses|mask|wig"
)
_PROPS = (
    r"umbrella|bag|handbag|backpack|suitcase|briefcase|letter|envelope|photo|photograph|keys|"
    r"ring|necklace|watch|wristwatch|cup|mug|glass|bottle|knife|gun|phone|book|notebook|lamp|"
    r"camera|candle|map|box|flowers|bicycle|car|film can|reel|cassette|guitar"
)
_LOOKS = (
    r"red|blue|green|yellow|black|white|grey|gray|brown|pink|purple|orange|silver|gold|golden|"
    r"navy|crimson|scarlet|beige|cream|tan|khaki|maroon|turquoise|violet|ivory|striped|checked|"
    r"plaid|spotted|floral|leather|wool|woollen|denim|silk|velvet|linen|tweed|cotton|fur|paper|"
    r"plastic|wooden|metal|steel|glass"
)
_DESCRIBED = re.compile(
    rf"\b(?P<look>{_LOOKS})(?:\s+(?!{_LOOKS}\b)[a-z]+)?\s+(?P<noun>{_GARMENTS}|{_PROPS})s?\b",
    re.IGNORECASE,
)
_GARMENT = re.compile(rf"^(?:{_GARMENTS})$", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(her|his|she|he)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Flag:
    """One thing a script supervisor would raise, at a line of the script."""

    kind: str  # one of KINDS
    line: int | None
    message: str


def doctor(script_path: Path, config: ProjectConfig) -> list[Flag]:
    """The flags the breakdown alone finds, in script order (bad input: a `StoryreelError`)."""
    script = parse_file(script_path)
    shotlist = breakdown(script, config)
    names = _characters(shotlist, config)
    flags = [
        *undescribed(script, shotlist, config, names),
        *continuity(script, shotlist, names),
        *long_dialogue(shotlist, config),
        *unestablished(shotlist),
    ]
    return sorted(flags, key=lambda f: (f.line or 0, KINDS.index(f.kind)))


def _characters(shotlist: ShotList, config: ProjectConfig) -> list[str]:
    found = dict.fromkeys(
        [
            *(d.character for s in shotlist.shots for d in s.dialogue),
            *(n for s in shotlist.shots for n in s.subjects),
            *shotlist.cast,
        ]
    )
    return [n for n in found if n.strip()]


def undescribed(
    script: Script, shotlist: ShotList, config: ProjectConfig, names: Iterable[str]
) -> list[Flag]:
    """Characters without a description in storyreel.toml, at their first appearance."""
    flags = []
    for name in names:
        own = config.characters.get(name)
        if own is not None and own.description.strip():
            continue
        line = _first_appearance(script.elements, name)
        intro = shotlist.cast.get(name)
        lent = f' (the script introduces them as "{intro}")' if intro else ""
        flags.append(
            Flag(
                "character",
                line,
                f"{name} has no description in storyreel.toml{lent}; add "
                f'[characters.{_toml_key(name)}] description = "..." so every shot draws the '
                "same person",
            )
        )
    return flags


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _first_appearance(elements: list[Element], name: str) -> int | None:
    word = re.compile(rf"\b{re.escape(name)}\b")
    for e in elements:
        if (e.kind == "character" and e.name.upper() == name) or (
            e.kind == "action" and word.search(plain(e.text))
        ):
            return e.start
    return None


def continuity(script: Script, shotlist: ShotList, names: Iterable[str]) -> list[Flag]:
    """A garment (of a character) or a prop described one way in a scene and another way in a
    later one: "a grey coat" in scene 1, "her red coat" in scene 3."""
    heads = [s.lines.start for s in shotlist.scenes]
    name_re = _names_re(names)
    seen: dict[tuple[str, str], tuple[str, int, int]] = {}  # (owner, noun) → look, scene, line
    flags = []
    last: str | None = None  # who "her" or "his" is: the last one named in the scene
    current = 0
    for e in script.elements:
        if e.kind != "action":
            continue
        scene = sum(1 for h in heads if h <= e.start)
        if scene != current:
            current, last = scene, None
        for sentence in _SENTENCE.split(plain(e.text)):
            named = [m.group(1).upper() for m in name_re.finditer(sentence)] if name_re else []
            if named:
                last = named[0]
            worn_by = named[0] if named else (last if _PRONOUN.search(sentence) else None)
            for m in _DESCRIBED.finditer(sentence):
                noun, look = (
                    m.group("noun").lower(),
                    m.group("look").lower().replace("gray", "grey"),
                )
                garment = bool(_GARMENT.match(noun))
                owner = (worn_by or "") if garment else ""
                before = seen.get((owner, noun))
                seen[(owner, noun)] = (look, scene, e.start)
                if before is None or before[0] == look or before[1] == scene:
                    continue
                whose = f"{owner}'s {noun}" if owner else f"the {noun}"
                what = "wardrobe" if garment else "prop"
                flags.append(
                    Flag(
                        "continuity",
                        e.start,
                        f"{what}: {whose} is {look} here but {before[0]} at line {before[2]} "
                        f"(scene {before[1]}); a change the script means, or a slip?",
                    )
                )
    return flags


def _names_re(names: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(names), key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in ordered) + r")\b")


def long_dialogue(shotlist: ShotList, config: ProjectConfig) -> list[Flag]:
    """Shots whose director-set length is shorter than the time their dialogue takes to say."""
    pacing = PACINGS[config.film.pacing]
    flags = []
    for shot in shotlist.shots:
        if not shot.dialogue:
            continue
        times = [speech_seconds(d, pacing) for d in shot.dialogue]
        spoken = max(times) if any(d.dual for d in shot.dialogue) else sum(times)
        if spoken <= shot.duration + 1e-6:
            continue
        who = " and ".join(dict.fromkeys(d.character for d in shot.dialogue))
        flags.append(
            Flag(
                "dialogue",
                shot.dialogue[0].lines.start,
                f"{who}'s dialogue takes {spoken:.1f}s to say at the {pacing.name} pacing; its "
                f"shot {shot.id} holds {shot.duration:g}s (lengthen the shot or cut the line)",
            )
        )
    return flags


def unestablished(shotlist: ShotList) -> list[Flag]:
    """Scenes that move to a new place and open on anything closer than a wide shot."""
    flags = []
    previous = None
    for scene in shotlist.scenes:
        new_place, previous = scene.location != previous, scene.location
        first = next((s for s in shotlist.shots if s.scene_id == scene.id), None)
        if not (scene.heading and scene.int_ext and new_place and first):
            continue
        if first.size not in ESTABLISHING:
            flags.append(
                Flag(
                    "establishing",
                    scene.lines.start,
                    f"scene {scene.number} ({scene.heading}) opens on a {first.size} ({first.id}): "
                    "no wide shot establishes the new place",
                )
            )
    return flags


# --- the model's reading --------------------------------------------------------------------

READING_SCHEMA = {
    "type": "object",
    "properties": {
        "notes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"line": {"type": "integer"}, "note": {"type": "string"}},
                "required": ["line", "note"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["notes"],
    "additionalProperties": False,
}
_READER = (
    "You are a script supervisor reading a screenplay in Fountain format before it is shot. "
    "Note what would trouble the shoot or the cut: continuity of props, wardrobe and time of day, "
    "characters whose look is never given, a line of dialogue that contradicts an earlier one, "
    "a scene whose purpose is unclear. Do not repeat the flags already raised. Answer with JSON: "
    '{"notes": [{"line": N, "note": "..."}]}, N being the number of the line the note is about.'
)


def numbered(text: str) -> str:
    """The script with its line numbers, as a model can cite them."""
    return "\n".join(f"{n:>5}  {line}" for n, line in enumerate(text.splitlines(), 1))


def reading(script_path: Path, flags: list[Flag], writer: WriterBackend) -> list[Flag]:
    """The writer's own notes on the script, as flags of kind "reading"."""
    text = script_path.read_text(encoding="utf-8")
    raised = "\n".join(f"line {f.line}: {f.message}" for f in flags) or "none"
    reply = writer.complete(
        Completion(
            messages=[
                Message("system", _READER),
                Message(
                    "user", f"Flags already raised:\n{raised}\n\nThe script:\n{numbered(text)}"
                ),
            ],
            schema=READING_SCHEMA,
            seed=0,
            temperature=0.0,
        )
    )
    notes = _json_notes(reply.text, script_path)
    n_lines = len(text.splitlines())
    return [
        Flag("reading", line if isinstance(line, int) and 1 <= line <= n_lines else None, note)
        for line, note in notes
    ]


def _json_notes(answer: str, script_path: Path) -> list[tuple[int | None, str]]:
    body = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", answer)
    try:
        data = json.loads(body)
        notes = data["notes"]
        return [
            (n.get("line"), str(n["note"]).strip())
            for n in notes
            if isinstance(n, dict) and str(n.get("note", "")).strip()
        ]
    except (ValueError, KeyError, TypeError):
        short = " ".join(answer.split())[:80]
        raise StoryreelError(
            f'the writer\'s reading of the script is not the JSON asked for: "{short}"',
            script_path,
        ) from None


def report(flags: list[Flag], where: str) -> str:
    """The plain-text report: a line a flag, `script.fountain:LINE: kind: message`, and a tally."""
    lines = [
        f"{where}:{f.line}: {f.kind}: {f.message}" if f.line else f"{where}: {f.kind}: {f.message}"
        for f in flags
    ]
    if not flags:
        return f"{where}: nothing to flag"
    counts = {k: sum(1 for f in flags if f.kind == k) for k in KINDS}
    tally = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    noun = "flag" if len(flags) == 1 else "flags"
    return "\n".join([*lines, f"{len(flags)} {noun}: {tally}"])
