"""A parsed screenplay → `ShotList`: scenes, shots with film grammar, stable ids, timing.

Where the director framed a shot with `[[shot: ...]]` that wins. Elsewhere the breakdown
covers the scene the way a script supervisor and a director would plan it:

- a scene that opens on a new location gets an establishing shot (EXT → EWS, INT → WS);
- each action paragraph is a shot sized by what it describes (a landscape, a figure moving,
  a face, a hand on an object) with the angle and move its verbs suggest;
- dialogue gets coverage: an over-the-shoulder to open an exchange and its reverse, then
  singles that tighten as the exchange goes on (shot / reverse shot), a two-shot for dual
  dialogue, the listener for an off-screen or voice-over line;
- the script's transitions (CUT TO:, DISSOLVE TO:, SMASH CUT TO:, FADE OUT. ...) enter the
  next shot; a FADE OUT. (or `[[cut: fade-out 48f]]`) after the last shot is the film's ending;
  centered text (`> THE END <`) becomes a card;
- a shot framed by `[[shot: ..., "note"]]` keeps the note as its description and the action
  paragraph beside it; the weather named in a scene's first action paragraph is the scene's.

Shot ids hash the scene heading and the shot's own source text, so an edit elsewhere in the
script never renumbers them; identical shots are told apart by their order, and an explicit
id (`[[shot: id=sh010]]` or `#sh010`) wins. An edit of a shot's own text makes a new hash: a
caller that remembers earlier shot lists passes `identify`, which maps such generated ids to the
identities they carry on (the build's project database does; explicit ids are never passed).

The breakdown runs with CPython's cycle collector paused: it makes a few hundred thousand
long-lived objects for a long script and no reference cycles, and each full collection would
rescan them all (a 10,000-scene script spent a third of its time there; its peak is the same).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from storyreel.config import ProjectConfig
from storyreel.errors import StoryreelError
from storyreel.model import (
    Angle,
    Card,
    DialogueLine,
    Easing,
    Move,
    Scene,
    Shot,
    ShotList,
    ShotSize,
    SourceSpan,
    Transition,
    TransitionKind,
    frames_for,
)
from storyreel.pacing import PACINGS, Pacing
from storyreel.prose import affirmed
from storyreel.script.cast import INTRODUCED, introductions
from storyreel.script.directives import Directive, parse_directive
from storyreel.script.fountain import Element, Script, parse_file, plain
from storyreel.script.places import read_places
from storyreel.script.timing import shot_seconds

_TIMES = (
    "DAY",
    "NIGHT",
    "DAWN",
    "DUSK",
    "MORNING",
    "EVENING",
    "AFTERNOON",
    "SUNSET",
    "SUNRISE",
    "MAGIC HOUR",
    "LATER",
    "CONTINUOUS",
    "MOMENTS LATER",
    "SAME",
)
_HEAD = re.compile(r"^(INT\.?/EXT|INT/EXT|I/E|INT|EXT|EST)\.?\s*", re.IGNORECASE)


# (scenes, shots with their generated ids, the generated ids) → generated id → identity
Identify = Callable[[list[Scene], list[Shot], set[str]], Mapping[str, str]]


def breakdown_script(
    path: Path, config: ProjectConfig, identify: Identify | None = None
) -> ShotList:
    """Parse and break down a Fountain script; bad input is a `StoryreelError` with file:line."""
    return breakdown(parse_file(Path(path)), config, identify)


def breakdown(script: Script, config: ProjectConfig, identify: Identify | None = None) -> ShotList:
    if not any(
        e.kind in ("scene_heading", "action", "dialogue", "lyrics") for e in script.elements
    ):
        raise StoryreelError(
            "the script is empty: no scene, action or dialogue to break down", script.path
        )
    pacing = PACINGS[config.film.pacing]
    with _cycle_collection_paused():
        builder = _Builder(script, config, pacing)
        builder.walk()
        return builder.finish(identify)


@contextlib.contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class _Block:
    kind: str  # action | dialogue | dual
    elements: list[Element]
    directives: list[Directive]

    @property
    def span(self) -> tuple[int, int]:
        return self.elements[0].start, self.elements[-1].end

    @property
    def text(self) -> str:
        return "\n".join(e.text for e in self.elements)


@dataclass
class _Scene:
    scene: Scene
    blocks: list[_Block] = field(default_factory=list)
    transition: Transition | None = None  # from the script, for the first shot
    numbered: bool = False  # the heading carried a scene number (`#1A#`)


@dataclass
class _Draft:
    shot: Shot
    key: str  # what the id hashes
    explicit_id: str | None
    directive_line: int | None


class _Builder:
    def __init__(self, script: Script, config: ProjectConfig, pacing: Pacing):
        self.script, self.config, self.pacing = script, config, pacing
        self.fps: Fraction = config.film.fps
        names = {e.name.upper() for e in script.elements if e.kind == "character"}
        names |= {
            m.group(1)
            for e in script.elements
            if e.kind == "action"
            for m in INTRODUCED.finditer(e.text)
        }
        self.characters = {n for n in names | set(config.characters) if n.strip()}
        self.name_re = (
            re.compile(
                r"\b("
                + "|".join(re.escape(n) for n in sorted(self.characters, key=len, reverse=True))
                + r")\b",
                re.IGNORECASE,
            )
            if self.characters
            else None
        )
        self.scenes: list[_Scene] = []
        self.cards: list[tuple[int, Element]] = []  # (blocks seen so far, element)
        self.section: str | None = None
        self.synopsis: str | None = None
        self.transition: Transition | None = None
        self.transition_text = ""  # the script's words for `transition`
        self.pending: list[Directive] = []

    # --- pass 1: elements → scenes of blocks --------------------------------------------

    def walk(self) -> None:
        els = self.script.elements
        i = 0
        while i < len(els):
            e = els[i]
            if e.kind == "scene_heading":
                self.new_scene(e)
            elif e.kind == "section":
                self.section = plain(e.text)
            elif e.kind == "synopsis":
                cur = self.scenes[-1] if self.scenes else None
                if cur and not cur.blocks and cur.scene.synopsis is None:
                    cur.scene.synopsis = plain(e.text)
                else:
                    self.synopsis = plain(e.text)
            elif e.kind == "note":
                d = self.directive(e.text, e.start)
                if d:
                    self.pending.append(d)
            elif e.kind == "transition":
                self.transition = self.script_transition(e.text)
                self.transition_text = plain(e.text).strip().upper()
            elif e.kind == "centered":
                self.cards.append((self.block_count(), e))
            elif e.kind in ("action", "lyrics"):
                self.add_block("action", [e])
            elif e.kind == "character":
                j = i + 1
                while j < len(els) and els[j].kind in ("parenthetical", "dialogue", "lyrics"):
                    j += 1
                group = els[i:j]
                cur = self.current()
                last = cur.blocks[-1] if cur.blocks else None
                if (
                    e.dual
                    and last
                    and last.kind == "dialogue"
                    and last.elements[0].dual
                    and not self.pending
                ):
                    last.kind = "dual"
                    last.elements += group
                else:
                    self.add_block("dialogue", group)
                i = j
                continue
            i += 1

    def block_count(self) -> int:
        return sum(len(s.blocks) for s in self.scenes)

    def current(self) -> _Scene:
        if not self.scenes:
            first = next(e for e in self.script.elements if e.kind != "note")
            self.scenes.append(
                _Scene(
                    Scene(
                        id="",
                        number="1",
                        heading="",
                        int_ext="",
                        location="",
                        time_of_day="",
                        section=self.section,
                        synopsis=self.synopsis,
                        lines=SourceSpan(path=self.script.path, start=first.start, end=first.start),
                    )
                )
            )
            self.synopsis = None
        return self.scenes[-1]

    def new_scene(self, e: Element) -> None:
        heading = plain(e.text).strip()
        int_ext, location, time = split_heading(heading)
        number = e.scene_number or str(len(self.scenes) + 1)
        scene = Scene(
            id="",
            number=number,
            heading=heading,
            int_ext=int_ext,
            location=location,
            time_of_day=time,
            section=self.section,
            synopsis=self.synopsis,
            lines=SourceSpan(path=self.script.path, start=e.start, end=e.end),
        )
        self.synopsis = None
        # directives written before the heading stay pending: they apply to its first block
        self.scenes.append(
            _Scene(scene, transition=self.transition, numbered=e.scene_number is not None)
        )
        self.transition = None

    def add_block(self, kind: str, els: list[Element]) -> None:
        cur = self.current()
        inline = [d for el in els for n in el.notes if (d := self.directive(n.text, n.start))]
        cur.blocks.append(_Block(kind, els, self.pending + inline))
        self.pending = []
        if self.transition is not None:  # a transition inside a scene enters the next shot
            cur.blocks[-1].directives.insert(
                0, Directive("cut", els[0].start, transition=self.transition)
            )
            self.transition = None

    def directive(self, text: str, line: int) -> Directive | None:
        return parse_directive(text, line, self.script.path, self.fps, self.characters)

    def script_transition(self, text: str) -> Transition:
        t = plain(text).strip().upper()
        second = frames_for(1.0, self.fps)
        if "DISSOLVE" in t:
            return Transition(
                kind=TransitionKind.DISSOLVE, frames=frames_for(self.pacing.dissolve, self.fps)
            )
        if "SMASH" in t:
            return Transition(kind=TransitionKind.SMASH_CUT)
        if "MATCH" in t:
            return Transition(kind=TransitionKind.MATCH_CUT)
        if "WIPE" in t:
            return Transition(kind=TransitionKind.WIPE, frames=second // 2)
        if "FADE" in t or "BLACK" in t:
            return Transition(kind=TransitionKind.FADE_IN, frames=second)
        return Transition()

    # --- pass 2: blocks → shots ------------------------------------------------------------

    def ending(self) -> Transition | None:
        """How the film leaves its last shot: a fade-out or a cut to black, from a trailing
        `[[cut: ...]]` (it wins) or the script's last transition; other trailing directives
        have nothing to apply to."""
        second = frames_for(1.0, self.fps)
        out = None
        if self.transition is not None and "FADE" in self.transition_text:
            out = Transition(kind=TransitionKind.FADE_OUT, frames=second)
        elif self.transition is not None and "BLACK" in self.transition_text:
            out = Transition(kind=TransitionKind.CUT)
        for d in self.pending:
            t = d.transition
            if d.kind != "cut" or t is None:
                raise StoryreelError(
                    f"[[{d.kind}: ...]] ends the script with nothing to apply "
                    "to; put it before an action or dialogue block",
                    self.script.path,
                    d.line,
                )
            if t.kind not in (TransitionKind.FADE_IN, TransitionKind.FADE_OUT, TransitionKind.CUT):
                raise StoryreelError(
                    f"[[cut: {t.kind}]] ends the script with nothing to apply "
                    "to; the film can end only on a fade-out or a cut",
                    self.script.path,
                    d.line,
                )
            out = (
                Transition(kind=TransitionKind.FADE_OUT, frames=t.frames or second)
                if t.kind is not TransitionKind.CUT
                else Transition(kind=TransitionKind.CUT)
            )
        return out

    def finish(self, identify: Identify | None = None) -> ShotList:
        ending = self.ending()
        drafts: list[_Draft] = []
        block_first_shot: list[int] = []  # index of the first draft of each block
        prev_location = None
        scene_ids = _ids(
            [
                (
                    s.scene.heading + "\n" + (s.blocks[0].text if s.blocks else ""),
                    f"sc{s.scene.number}" if s.numbered else None,
                    _slug(s.scene.location or "scene"),
                    s.scene.lines.start,
                )
                for s in self.scenes
            ],
            self.script.path,
        )
        scenes = []
        openings = [
            next((plain(b.text) for b in s.blocks if b.kind == "action"), "") for s in self.scenes
        ]
        places = read_places([s.scene for s in self.scenes], openings)
        for s, sid, opening, place in zip(self.scenes, scene_ids, openings, places, strict=True):
            weather = [w for w, r in _WEATHER.items() if r.search(affirmed(opening))]
            s.scene = s.scene.model_copy(update={"id": sid, "weather": weather, "place": place})
            scenes.append(s.scene)
            new_place = s.scene.location != prev_location
            prev_location = s.scene.location
            coverage = _Coverage(self, s.scene, s.blocks, new_place)
            for k, block in enumerate(s.blocks):
                block_first_shot.append(len(drafts))
                shot_ds = [d for d in block.directives if d.kind == "shot"]
                if (
                    k == 0
                    and new_place
                    and s.scene.heading
                    and block.kind != "action"
                    and not shot_ds
                ):
                    drafts.append(coverage.establishing(block))
                drafts.extend(coverage.block(block, shot_ds))
                first = drafts[block_first_shot[-1]]
                self.apply(first.shot, [d for d in block.directives if d.kind != "shot"])
                if (
                    k == 0
                    and s.transition is not None
                    and not any(d.kind == "cut" for d in block.directives)
                ):
                    first.shot.transition_in = s.transition
        if not drafts:
            raise StoryreelError(
                "the script has scene headings but nothing happens in them: "
                "no action or dialogue to make a shot of",
                self.script.path,
            )
        place = {s.id: _slug(s.location or "shot") for s in scenes}
        ids = _ids(
            [(d.key, d.explicit_id, place[d.shot.scene_id], d.directive_line) for d in drafts],
            self.script.path,
        )
        shots = [d.shot.model_copy(update={"id": i}) for d, i in zip(drafts, ids, strict=True)]
        if identify is not None:
            generated = {i for d, i in zip(drafts, ids, strict=True) if d.explicit_id is None}
            carried = identify(scenes, shots, generated)
            shots = [s.model_copy(update={"id": carried.get(s.id, s.id)}) for s in shots]
        cards = []
        for seen, e in self.cards:  # `seen` blocks came before the card
            after = None
            if seen:
                nxt = block_first_shot[seen] if seen < len(block_first_shot) else len(shots)
                after = shots[nxt - 1].id
            cards.append(
                Card(
                    text=plain(e.text).strip(),
                    after_shot=after,
                    duration=self.pacing.card,
                    lines=SourceSpan(path=self.script.path, start=e.start, end=e.end),
                )
            )
        return ShotList(
            source=self.script.path,
            title=self.script.title(),
            title_page={f.key: plain(f.value) for f in self.script.title_page},
            pacing=self.pacing.name,
            scenes=scenes,
            shots=shots,
            cards=cards,
            ending=ending,
            cast=introductions(self.script.elements, self.characters),
        )

    def apply(self, shot: Shot, directives: Iterable[Directive]) -> None:
        for d in directives:
            if d.kind == "take":
                shot.seed = d.seed
            elif d.kind == "super":
                shot.super = d.text
            elif d.kind == "cut" and d.transition is not None:
                t = d.transition
                if not t.frames and t.kind in (
                    TransitionKind.DISSOLVE,
                    TransitionKind.WIPE,
                    TransitionKind.FADE_IN,
                    TransitionKind.FADE_OUT,
                ):
                    t = t.model_copy(update={"frames": frames_for(self.pacing.dissolve, self.fps)})
                shot.transition_in = t

    def names_in(self, text: str) -> list[str]:
        if self.name_re is None:
            return []
        seen: list[str] = []
        for m in self.name_re.finditer(text):
            n = m.group(1).upper()
            if m.group(1)[0].isupper() and n not in seen:
                seen.append(n)
        return seen


def split_heading(heading: str) -> tuple[str, str, str]:
    """ "EXT. BEACH - DAWN" → ("EXT", "BEACH", "DAWN")."""
    m = _HEAD.match(heading)
    rest = heading[m.end() :] if m else heading
    int_ext = ""
    if m:
        word = m.group(1).upper().replace(".", "")
        int_ext = {"EST": "EXT", "I/E": "INT/EXT"}.get(word, word)
    parts = [p.strip() for p in re.split(r"\s+[-–—]+\s+", rest) if p.strip()]
    time = ""
    for j in range(len(parts) - 1, 0, -1):  # the last part naming a time: "DAWN - FLASHBACK"
        word = re.sub(r"\s*\(.*?\)\s*", " ", parts[j]).strip().upper()
        if any(word.startswith(t) for t in _TIMES):
            time, parts = word, parts[:j]
            break
    return int_ext, " - ".join(parts).strip().upper(), time


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    out = ""
    for w in words:
        if len(out) + len(w) + 1 > 16 and out:
            break
        out = f"{out}-{w}" if out else w
    return out[:16] or "shot"


def _ids(items: list[tuple[str, str | None, str, int | None]], path: str) -> list[str]:
    """Stable ids: explicit ones as given, others `slug-hash` of their key, duplicates numbered."""
    taken: dict[str, int | None] = {}
    for _key, explicit, _name, line in items:
        if explicit is not None:
            if explicit in taken:
                raise StoryreelError(
                    f"the id {explicit!r} is used twice (first at line {taken[explicit]})",
                    path,
                    line,
                )
            taken[explicit] = line
    out = []
    last: dict[str, int] = {}  # base → the number it last got: the next free one is above it
    for key, explicit, slug, _line in items:
        if explicit is not None:
            out.append(explicit)
            continue
        base = f"{slug}-{hashlib.sha1(key.encode()).hexdigest()[:5]}"
        n = last.get(base, 1)
        ident = base if n == 1 else f"{base}-{n}"
        while ident in taken:
            n += 1
            ident = f"{base}-{n}"
        last[base] = n
        taken[ident] = None
        out.append(ident)
    return out


# --- film grammar --------------------------------------------------------------------------

_WORDS = {
    "detail": r"hands?|fingers?|label|screen|phone|letter|photo(?:graph)?|keys|ring|cup|glass|"
    r"reel|cassette|knife|gun|button|coin|envelope|film can|wristwatch",
    "face": r"face|eyes|tears?|crying|cries|smiles?|stares?|gazes?|frowns?|weeps?|whispers?|"
    r"breath|lips|blinks?|looks? at",
    "body": r"walks?|runs?|enters?|leaves|crosses|climbs?|stands?|sits?|falls?|dances?|"
    r"drops?|steps?|turns away|spins?|jumps?|kneels?",
    "place": r"city|street|sea|ocean|sky|horizon|skyline|crowd|forest|road|beach|desert|"
    r"harbou?r|rooftops?|landscape|mountains?|fields?|coast|shore|waves|rain over",
    "low": r"looms?|towers? over|from below|giant|towering",
    "high": r"from above|far below|below (?:him|her|them)|looks down on",
    "overhead": r"overhead|bird'?s[- ]eye|directly above",
    "dutch": r"dizzy|drunk|disorient\w*|reels|spins",
    "run": r"runs?|chases?|flees|sprints?|stumbles?|fights?|struggles?",
    "walk": r"walks?|crosses|wanders?|drives?|follows?",
    "up": r"rises|looks up|climbs?",
    "down": r"lowers|looks down|sinks?|falls?",
    "emotion": r"tears?|crying|cries|weeps?|trembl\w*|realis\w*|realiz\w*|does not expect|"
    r"something she|something he|whispers?",
}
_RE = {k: re.compile(rf"\b(?:{v})\b", re.IGNORECASE) for k, v in _WORDS.items()}
_WEATHER = {
    k: re.compile(rf"\b(?:{v})\b", re.IGNORECASE)
    for k, v in {
        "rain": r"rain(?:s|ing|y|fall|water)?|downpour|drizzl\w*",
        "storm": r"storm\w*|thunder\w*|lightning",
        "snow": r"snow\w*|blizzard|sleet",
        "fog": r"fog\w*|mist\w*|haze|hazy|smoke|smoky",
        "neon": r"neon",
        "fire": r"fires?|flames?|firelight|candle\w*|fireplace|campfire|embers?",
    }.items()
}
_PRONOUN = re.compile(r"\b(she|he|her|his|him)\b", re.IGNORECASE)
_VOICE_OVER = re.compile(r"\b(V\.?O\.?|VOICE[- ]?OVER|PRE-?LAP)\b", re.IGNORECASE)
_OFF_SCREEN = re.compile(r"\b(O\.?S\.?|O\.?C\.?|OFF|OFF-?SCREEN)\b", re.IGNORECASE)
_QUIET = re.compile(
    r"\b(quiet\w*|barely|whisper\w*|softly|to (?:him|her)self|tears?)\b", re.IGNORECASE
)


class _Coverage:
    """Shots for one scene's blocks, remembering who has spoken and who is in the scene."""

    def __init__(self, builder: _Builder, scene: Scene, blocks: list[_Block], new_place: bool):
        self.b, self.scene, self.new_place = builder, scene, new_place
        self.cast: list[str] = []  # who speaks on screen in the scene, in order
        for e in (e for block in blocks for e in block.elements if e.kind == "character"):
            ext = e.extension or ""
            heard = _VOICE_OVER.search(ext) or _OFF_SCREEN.search(ext)
            if not heard and e.name.upper() not in self.cast:
                self.cast.append(e.name.upper())
        self.present: list[str] = []
        self.exchange: list[str] = []  # speakers of the running exchange, in order
        self.lines_in_exchange = 0
        self.started = False  # a shot has been made in this scene
        self.last: str | None = None  # who "she" or "he" most likely is

    def shot(
        self,
        key: str,
        block: _Block,
        size: ShotSize,
        subjects: list[str],
        description: str,
        dialogue: list[DialogueLine],
        d: Directive | None = None,
        angle: Angle = Angle.EYE,
        move: Move = Move.STATIC,
        intensity: float = 1.0,
        span: tuple[int, int] | None = None,
    ) -> _Draft:
        b = self.b
        action = ""
        if d is not None:
            if d.description and block.kind == "action" and d.description != description:
                action = description  # the paragraph, kept beside the director's note
            size = d.size or size
            subjects = d.subjects or subjects
            angle = d.angle or angle
            move = d.move or move
            intensity = d.intensity if d.intensity is not None else intensity
            description = d.description or description
        duration = (
            d.duration
            if d is not None and d.duration
            else shot_seconds(size, action or description, dialogue, b.pacing)
        )  # the action takes the time
        start, end = span or block.span
        shot = Shot(
            id="pending",
            scene_id=self.scene.id,
            size=size,
            angle=angle,
            move=move,
            move_intensity=intensity,
            easing=(d.easing if d and d.easing else Easing.EASE_IN_OUT),
            subjects=subjects,
            description=description,
            action=action,
            dialogue=dialogue,
            lines=SourceSpan(path=b.script.path, start=start, end=end),
            duration=duration,
            duration_fixed=bool(d and d.duration),
            seed=d.seed if d else None,
            explicit=d is not None,
            lens=d.lens if d else None,
        )
        return _Draft(
            shot,
            f"{self.scene.heading}\n{key}\n{block.text}",
            d.id if d else None,
            d.line if d else None,
        )

    def establishing(self, block: _Block) -> _Draft:
        exterior = self.scene.int_ext.startswith("EXT")
        size = ShotSize.EWS if exterior else ShotSize.WS
        where = self.scene.location.lower() or "the place"
        when = f", {self.scene.time_of_day.lower()}" if self.scene.time_of_day else ""
        line = self.scene.lines.start
        return self.shot(
            "establish",
            block,
            size,
            [],
            f"{where}{when}",
            [],
            move=Move.PUSH_IN if exterior else Move.STATIC,
            intensity=0.35,
            span=(line, self.scene.lines.end),
        )

    def block(self, block: _Block, directed: list[Directive]) -> list[_Draft]:
        drafts = (
            self.action(block, directed[0] if directed else None)
            if block.kind == "action"
            else self.dialogue(block, directed[0] if directed else None)
        )
        for n, d in enumerate(directed[1:], 1):  # more directives: cutaways over the block
            drafts.append(
                self.shot(
                    f"cutaway {n}",
                    block,
                    d.size or ShotSize.MS,
                    d.subjects,
                    _one_line(plain(block.text)),
                    [],
                    d,
                )
            )
        return drafts

    def action(self, block: _Block, d: Directive | None) -> list[_Draft]:
        text = plain(block.text).strip()
        names = self.b.names_in(text)
        if not names and self.last and _PRONOUN.search(text):
            names = [self.last]
        if names:
            self.last = names[0]
        for n in names:
            if n not in self.present:
                self.present.append(n)
        if names:
            self.exchange, self.lines_in_exchange = [], 0
        first, self.started = not self.started, True
        size, angle, move, intensity = _frame_action(
            text, names, first and self.new_place, self.scene
        )
        return [
            self.shot("action", block, size, names, _one_line(text), [], d, angle, move, intensity)
        ]

    def dialogue(self, block: _Block, d: Directive | None) -> list[_Draft]:
        self.started = True
        lines = _dialogue_lines(block, self.b.script.path)
        speakers = [ln.character for ln in lines]
        if block.kind == "dual":
            for s in speakers:
                if s not in self.present:
                    self.present.append(s)
            return [
                self.shot(
                    "dual",
                    block,
                    ShotSize.TWO,
                    speakers,
                    " and ".join(s.title() for s in speakers) + " at once",
                    lines,
                    d,
                )
            ]
        line = lines[0]
        speaker = line.character
        ext = line.extension or ""
        if _VOICE_OVER.search(ext):
            listeners = [p for p in self.present if p != speaker]
            if listeners:
                return [
                    self.shot(
                        "voice",
                        block,
                        ShotSize.CU,
                        listeners[:1],
                        f"{listeners[0].title()} hears {speaker.title()}'s voice",
                        lines,
                        d,
                        move=Move.PUSH_IN,
                        intensity=0.4,
                    )
                ]
            where = self.scene.location.lower() or "the place"
            return [
                self.shot(
                    "voice",
                    block,
                    ShotSize.WS,
                    [],
                    f"{where}; a voice",
                    lines,
                    d,
                    move=Move.PUSH_IN,
                    intensity=0.3,
                )
            ]
        if _OFF_SCREEN.search(ext):
            listeners = [p for p in self.present if p != speaker]
            return [
                self.shot(
                    "off",
                    block,
                    ShotSize.MS if listeners else ShotSize.WS,
                    listeners[:1],
                    f"{listeners[0].title()} hears {speaker.title()}, off screen"
                    if listeners
                    else f"{speaker.title()}, off screen",
                    lines,
                    d,
                )
            ]
        if speaker not in self.present:
            self.present.append(speaker)
        self.last = speaker
        if not self.exchange or self.exchange[-1] != speaker:
            self.exchange.append(speaker)
        self.lines_in_exchange += 1
        others = [p for p in self.exchange if p != speaker] or [
            p for p in self.present + self.cast if p != speaker
        ]
        k = self.lines_in_exchange
        quiet = any(ln.parenthetical and _QUIET.search(ln.parenthetical) for ln in lines)
        if others and k <= 2:
            size, subjects, what = (
                ShotSize.OTS,
                [speaker, others[-1]],
                f"over {others[-1].title()}'s shoulder onto {speaker.title()}",
            )
        elif quiet or k > 4:
            size, subjects, what = ShotSize.CU, [speaker], f"{speaker.title()} speaks"
        else:
            size, subjects, what = ShotSize.MCU, [speaker], f"{speaker.title()} speaks"
        move, intensity = (Move.PUSH_IN, 0.4) if quiet else (Move.STATIC, 1.0)
        return [
            self.shot(
                "speech", block, size, subjects, what, lines, d, move=move, intensity=intensity
            )
        ]


def _dialogue_lines(block: _Block, path: str) -> list[DialogueLine]:
    out: list[DialogueLine] = []
    cur: dict | None = None
    paren: str | None = None
    for e in block.elements:
        if e.kind == "character":
            cur = {"character": e.name.upper(), "extension": e.extension, "dual": e.dual}
            paren = None
        elif e.kind == "parenthetical":
            paren = plain(e.text).strip()[1:-1].strip()
        elif cur is not None:
            text = plain(e.text).strip()
            if e.kind == "lyrics":
                text = f"♪ {text} ♪"
            if (
                out
                and out[-1].character == cur["character"]
                and paren is None
                and out[-1].lines.end + 1 >= e.start
                and e.kind == "lyrics"
            ):
                prev = out[-1]
                out[-1] = prev.model_copy(
                    update={
                        "text": prev.text + "\n" + text,
                        "lines": SourceSpan(path=path, start=prev.lines.start, end=e.end),
                    }
                )
                continue
            out.append(
                DialogueLine(
                    parenthetical=paren,
                    text=text,
                    lines=SourceSpan(path=path, start=e.start, end=e.end),
                    **cur,
                )
            )
            paren = None
    if not out:  # a cue with only a parenthetical
        e = block.elements[0]
        out.append(
            DialogueLine(
                character=e.name.upper(),
                extension=e.extension,
                text="",
                parenthetical=paren,
                dual=e.dual,
                lines=SourceSpan(path=path, start=e.start, end=e.end),
            )
        )
    return out


def _frame_action(
    text: str, names: list[str], opens: bool, scene: Scene
) -> tuple[ShotSize, Angle, Move, float]:
    """Size, angle, move and move intensity for an action paragraph, from what it says."""
    has = {k: bool(r.search(text)) for k, r in _RE.items()}
    exterior = scene.int_ext.startswith("EXT")
    angle = (
        Angle.OVERHEAD
        if has["overhead"]
        else Angle.LOW
        if has["low"]
        else Angle.HIGH
        if has["high"]
        else Angle.DUTCH
        if has["dutch"]
        else Angle.EYE
    )
    one = len(names) == 1
    if text.upper().startswith("POV") or "'S POV" in text.upper():
        return ShotSize.POV, angle, Move.HANDHELD, 1.0
    if opens:  # the scene opens on a new place: establish it
        size = ShotSize.EWS if exterior and not names else ShotSize.WS
        return size, angle, (Move.PAN_RIGHT if names else Move.PUSH_IN), 0.35
    if has["run"] and names:
        return (ShotSize.FS if one else ShotSize.MWS), angle, Move.HANDHELD, 1.0
    if has["face"] and one:
        size = ShotSize.ECU if re.search(r"\beyes\b|\blips\b", text, re.I) else ShotSize.CU
        return size, angle, (Move.PUSH_IN if has["emotion"] else Move.STATIC), 0.5
    if has["walk"] and names:
        return (ShotSize.FS if one else ShotSize.MWS), angle, Move.TRUCK_RIGHT, 0.6
    if has["detail"] and len(names) <= 1:
        return ShotSize.INSERT, angle, Move.STATIC, 1.0
    if not names:
        return (ShotSize.WS if has["place"] else ShotSize.MS), angle, Move.STATIC, 1.0
    if not one:
        return ShotSize.TWO, angle, Move.STATIC, 1.0
    if has["body"]:
        move = Move.TILT_UP if has["up"] else Move.TILT_DOWN if has["down"] else Move.STATIC
        return ShotSize.MWS, angle, move, 0.6
    return ShotSize.MS, angle, Move.STATIC, 1.0


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
