"""`write`: an idea becomes a premise, an outline, scenes, and a Fountain screenplay.

Each step is one conversation with the writer, and every answer is checked the way the rest of
storyreel will read it: the premise and outline as the JSON asked for, each scene by storyreel's
own Fountain parser and the shot-directive grammar (through the breakdown, with the outline's
characters). An answer that fails goes back to the model with the error, at its line, for a
bounded number of repairs; then the step fails with that error, and nothing is written. The
steps themselves know nothing of storage: `storyreel.run.writing` makes each a keyed stage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, TypeVar

from storyreel.config import CharacterConfig, ProjectConfig
from storyreel.errors import StoryreelError
from storyreel.pacing import PACINGS
from storyreel.script.breakdown import breakdown
from storyreel.script.fountain import parse
from storyreel.writers.base import Completion, Message, Reply, WriterBackend

PROMPTS = "1"  # bump when a prompt changes what the steps answer: their keys change with it
REPAIRS = 2  # how many times an answer that does not check goes back to the model
MAX_PAGES = 200
T = TypeVar("T")

_HEADING = re.compile(r"^(INT\.?/EXT|INT/EXT|I/E|INT|EXT|EST)[.\s]", re.IGNORECASE)
_BEFORE_HEADING = ("note", "section", "synopsis", "transition", "page_break")
_FENCE = re.compile(r"^\s*```[\w-]*\s*\n(.*?)\n\s*```\s*$", re.DOTALL)

DIRECTIVES = """Shot directives are Fountain notes on their own line, just before the action or \
dialogue they frame:
  [[shot: SIZE SUBJECTS, MOVE, ANGLE, DURATION, "description"]]  (any order, all optional)
  sizes: EWS WS FS MWS MS MCU CU ECU OTS POV INSERT TWO
  moves: static push-in pull-out zoom-in zoom-out pan-left pan-right tilt-up tilt-down \
truck-left truck-right pedestal-up pedestal-down crane-up crane-down arc-left arc-right \
handheld dolly-zoom rack-focus (a word like slow or fast before a move sets its speed)
  angles: eye low high overhead dutch
  durations: 3s or 72f
  subjects: character names in capitals, as in the script
  e.g. [[shot: CU MAYA, push-in, low, 3s]]   [[shot: EWS, crane-down, 6s, "the harbour at night"]]
  [[cut: dissolve 12f]] before a scene heading sets the transition into that scene."""


@dataclass(frozen=True)
class Brief:
    """What the director asked for."""

    idea: str
    pages: int = 3
    genre: str | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.idea.strip():
            raise StoryreelError("write: the idea is empty; say in a sentence what the film is")
        if not 1 <= self.pages <= MAX_PAGES:
            raise StoryreelError(f"write: --pages {self.pages} is out of range (1 to {MAX_PAGES})")

    @property
    def scenes(self) -> int:
        """About how many scenes: one and a half pages a scene."""
        return max(1, round(self.pages / 1.5))


@dataclass(frozen=True)
class Answer:
    """A step's checked result, with what its requests cost (for provenance)."""

    value: Any
    model: str
    tries: int
    tokens_in: int
    tokens_out: int
    cost: float | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Conversation:
    """One step's exchange with the writer, repaired up to `repairs` times."""

    writer: WriterBackend
    step: str  # "premise", "outline", "scene 2": as messages say it
    what: str  # what the answer must be, for messages: "the JSON asked for"
    seed: int
    repairs: int = REPAIRS
    on_text: Callable[[str], None] | None = None
    replies: list[Reply] = field(default_factory=list)

    def ask(
        self,
        messages: list[Message],
        check: Callable[[str], T],
        schema: dict[str, Any] | None = None,
        max_tokens: int = 4096,
    ) -> Answer:
        """The checked answer to `messages`: `check` returns the value or raises the error that
        goes back to the model."""
        convo = list(messages)
        problem = ""
        for _ in range(self.repairs + 1):
            reply = self.writer.complete(
                Completion(
                    convo,
                    schema=schema,
                    seed=self.seed,
                    max_tokens=max_tokens,
                    on_text=self.on_text,
                )
            )
            self.replies.append(reply)
            try:
                return self._answer(check(reply.text))
            except StoryreelError as e:
                problem = str(e)
            convo += [
                Message("assistant", reply.text),
                Message(
                    "user",
                    f"That answer does not check: {problem}\nAnswer again with {self.what}, "
                    "corrected, and nothing else.",
                ),
            ]
        tries = "try" if self.repairs == 0 else f"{self.repairs + 1} tries"
        raise StoryreelError(
            f"write: the writer's {self.step} is not {self.what} after {tries} "
            f"({self.repairs} repairs); the last answer: {problem}"
        )

    def _answer(self, value: Any) -> Answer:
        costs = [r.cost for r in self.replies]
        return Answer(
            value,
            self.replies[-1].model,
            len(self.replies),
            sum(r.tokens_in for r in self.replies),
            sum(r.tokens_out for r in self.replies),
            None if any(c is None for c in costs) else sum(costs),
        )


# --- JSON answers ------------------------------------------------------------------------


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


_TEXT = {"type": "string"}
PREMISE_SCHEMA = _object({"title": _TEXT, "logline": _TEXT, "synopsis": _TEXT})
OUTLINE_SCHEMA = _object(
    {
        "characters": {
            "type": "array",
            "items": _object({"name": _TEXT, "description": _TEXT}),
        },
        "look": _object({"style": _TEXT, "palette": _TEXT}),
        "scenes": {"type": "array", "items": _object({"heading": _TEXT, "beat": _TEXT})},
    }
)


def unfenced(text: str) -> str:
    """`text` without the Markdown code fence a model may wrap an answer in."""
    m = _FENCE.match(text.strip())
    return m.group(1) if m else text.strip()


def _json(text: str, schema: dict[str, Any]) -> Any:
    """The answer's JSON object, checked against `schema`. A model without structured output
    often says a word before or after it: the object from its first `{` to its last `}` is
    taken when the whole answer is not JSON."""
    body = unfenced(text)
    try:
        value = json.loads(body)
    except ValueError as e:
        start, end = body.find("{"), body.rfind("}")
        try:
            value = json.loads(body[start : end + 1]) if 0 <= start < end else None
        except ValueError:
            value = None
        if value is None:
            line = getattr(e, "lineno", 1)
            raise StoryreelError(f"line {line}: not JSON ({getattr(e, 'msg', e)})") from None
    _conforms(value, schema, "the answer")
    return value


def _conforms(value: Any, schema: dict[str, Any], where: str) -> None:
    """`value` against the small subset of JSON Schema the steps use (objects, arrays, strings)."""
    kind = schema["type"]
    if kind == "string":
        if not isinstance(value, str) or not value.strip():
            raise StoryreelError(f"{where} must be a non-empty string")
    elif kind == "array":
        if not isinstance(value, list) or not value:
            raise StoryreelError(f"{where} must be a non-empty list")
        for i, item in enumerate(value):
            _conforms(item, schema["items"], f"{where}[{i}]")
    else:
        if not isinstance(value, dict):
            raise StoryreelError(f"{where} must be a JSON object")
        for key in schema["required"]:
            if key not in value:
                raise StoryreelError(f"{where} has no {key!r}")
            _conforms(value[key], schema["properties"][key], f"{where}.{key}")


def _system(brief: Brief) -> Message:
    genre = f" in the genre {brief.genre}" if brief.genre else ""
    return Message(
        "system",
        f"You are a screenwriter writing a short film of about {brief.pages} pages{genre} "
        "in Fountain, the plain-text screenplay format, for a director who will storyboard "
        "every shot. Write for the screen: what we see and hear, in the present tense.",
    )


def premise(conversation: Conversation, brief: Brief) -> Answer:
    """The idea → a title, a logline and a synopsis."""
    ask = Message(
        "user",
        f"The idea: {brief.idea.strip()}\n\nGive the film a title, a one-sentence logline and "
        "a synopsis of one paragraph, as a JSON object with the keys title, logline, synopsis.",
    )
    return conversation.ask(
        [_system(brief), ask], lambda t: _json(t, PREMISE_SCHEMA), PREMISE_SCHEMA, 2000
    )


def outline(conversation: Conversation, brief: Brief, story: dict[str, str]) -> Answer:
    """The premise → the cast (described for a stills model), a look, and one beat a scene."""
    ask = Message(
        "user",
        f"Title: {story['title']}\nLogline: {story['logline']}\nSynopsis: {story['synopsis']}"
        f"\n\nOutline it in about {brief.scenes} scenes, as a JSON object:\n"
        "- characters: each speaking or seen character, name in capitals, and a description "
        "an illustrator can draw from (age, build, hair, clothes, one telling detail);\n"
        "- look: style (lens, film stock, light, mood, in a phrase) and palette;\n"
        "- scenes: heading (a Fountain scene heading: INT. or EXT., place, ' - ', DAY or "
        "NIGHT) and beat (what happens and what changes, in two sentences).",
    )
    tokens = min(32000, 1000 + 200 * brief.scenes)  # about a hundred words a scene, and the cast
    return conversation.ask(
        [_system(brief), ask], lambda t: check_outline(t, brief), OUTLINE_SCHEMA, tokens
    )


def check_outline(text: str, brief: Brief) -> dict[str, Any]:
    """An outline's JSON, checked: scene headings, a number of scenes that fits the pages."""
    value = _json(text, OUTLINE_SCHEMA)
    for i, scene in enumerate(value["scenes"]):
        if not _HEADING.match(scene["heading"].strip()):
            raise StoryreelError(
                f"scenes[{i}].heading {scene['heading']!r} is not a scene heading "
                "(INT. PLACE - DAY or EXT. PLACE - NIGHT)"
            )
    if len(value["scenes"]) > 3 * brief.scenes + 2:
        raise StoryreelError(
            f"{len(value['scenes'])} scenes is too many for {brief.pages} pages "
            f"(about {brief.scenes} were asked for)"
        )
    for c in value["characters"]:
        c["name"] = c["name"].strip().upper()
    return value


def scene(
    conversation: Conversation,
    brief: Brief,
    story: dict[str, str],
    plan: dict[str, Any],
    index: int,
    config: ProjectConfig,
) -> Answer:
    """One beat of the outline → the scene in Fountain, with shot directives where the shot
    matters, checked by the parser and the breakdown."""
    beats = plan["scenes"]
    cast = "\n".join(f"- {c['name']}: {c['description']}" for c in plan["characters"])
    before = beats[index - 1]["beat"] if index else "(this is the first scene)"
    after = beats[index + 1]["beat"] if index + 1 < len(beats) else "(this is the last scene)"
    pages = max(0.5, brief.pages / len(beats))
    ask = Message(
        "user",
        f"Title: {story['title']}\nSynopsis: {story['synopsis']}\n\nCharacters:\n{cast}\n\n"
        f"The scene before: {before}\nThe scene after: {after}\n\n"
        f"Write scene {index + 1} of {len(beats)}, about {pages:.1f} pages: "
        f"{beats[index]['beat']}\n\nBegin with its heading, exactly: {beats[index]['heading']}\n"
        "Then action and dialogue in Fountain (a character's name in capitals on its own line "
        "before their lines). No title page, no other scene, no commentary.\n\n"
        "Put a shot directive where the shot matters (the opening wide, a close-up on a "
        "reveal, a move that carries the feeling); a block without one is framed for you.\n"
        + DIRECTIVES,
    )
    path = f"scene {index + 1}"
    tokens = min(32000, 1000 + round(600 * pages))  # a page is about 250 words
    return conversation.ask(
        [_system(brief), ask], lambda t: check_scene(t, path, config), None, tokens
    )


def check_scene(text: str, path: str, config: ProjectConfig) -> str:
    """One scene's Fountain, as the answer gave it, if storyreel reads it as one scene; else the
    error at its line."""
    body = unfenced(text)
    script = parse(body, path)
    if script.title_page:
        raise StoryreelError("a scene has no title page (no `Key: value` lines)", path, 1)
    first = next((e for e in script.elements if e.kind not in _BEFORE_HEADING), None)
    if first is None or first.kind != "scene_heading":
        line = first.start if first is not None else 1
        raise StoryreelError(
            "a scene begins with its heading (INT. PLACE - DAY), not this", path, line
        )
    breakdown(script, config)  # the directives and the shots, or the error at its line
    return body


def title_page(story: dict[str, str], author: str = "storyreel write") -> str:
    fields = [
        ("Title", story["title"].strip()),
        ("Credit", "a draft written with"),
        ("Author", author),
        ("Notes", story["logline"].strip()),
        ("Draft date", date.today().isoformat()),
    ]
    return "".join(f"{k}: {' '.join(v.split())}\n" for k, v in fields)


def screenplay(story: dict[str, str], scenes: list[str], config: ProjectConfig, path: str) -> str:
    """The title page and the scenes, checked once more as the whole script `path`."""
    text = title_page(story) + "\n" + "\n\n".join(s.strip() for s in scenes) + "\n"
    script = parse(text, path)
    if not script.title_page:
        raise StoryreelError("the title page did not parse", path, 1)
    breakdown(script, config)
    return text


def draft_config(plan: dict[str, Any], writer: str | None, genre: str | None = None) -> str:
    """A `storyreel.toml` for the screenplay: its cast as described, its look, its writer, and
    the pacing its genre names when it names one."""
    q = json.dumps  # a JSON string is a TOML basic string
    lines = [
        "# A draft from `storyreel write`; src/storyreel/config.py describes every setting.",
        "",
        "[film]",
        'fps = "24"',
        "width = 1920",
        "height = 1080",
        *([f"pacing = {q(genre.lower())}"] if genre and genre.lower() in PACINGS else []),
        "",
        "[look]",
        f"style = {q(plan['look']['style'].strip())}",
        f"palette = {q(plan['look']['palette'].strip())}",
    ]
    for c in plan["characters"]:
        lines += [
            "",
            f"[characters.{q(c['name'])}]",
            f"description = {q(c['description'].strip())}",
        ]
    lines += ["", "[backends]", 'stills = "previz"', 'motion = "camera"']
    if writer:
        lines.append(f"writer = {q(writer)}")
    return "\n".join(lines) + "\n"


def cast_config(plan: dict[str, Any], base: ProjectConfig) -> ProjectConfig:
    """`base` with the outline's characters, for checking scenes as the project will read them."""
    characters = dict(base.characters)
    for c in plan["characters"]:
        characters.setdefault(c["name"], CharacterConfig(description=c["description"]))
    return base.model_copy(update={"characters": characters})
