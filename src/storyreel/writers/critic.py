"""The critic of takes: a vision model ranks a shot's still takes against the shot, and the best
is pre-selected unless the director chose one.

The model is shown every current take of the shot (and each subject's first reference image from
`[characters.NAME] refs`) with what the shot asks for: its size and angle, who is in it, what
happens. It scores each take from 0 to 10 with a reason. Scores are stored per take under the
key of the request (the shot's words, the takes' and references' digests, the model), so a rerun
with nothing changed asks nothing and pays nothing. A selection records who made it: the critic
replaces only its own, never the director's (`storyreel select`).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from storyreel.config import ProjectConfig
from storyreel.errors import StoryreelError
from storyreel.files import png_bytes
from storyreel.model import Shot
from storyreel.references import Reference, shot_references
from storyreel.store.db import Database
from storyreel.store.keys import digest, stage_key
from storyreel.store.objects import CorruptObject, ObjectStore
from storyreel.writers.base import Completion, Message, WriterBackend

VERSION = "1"  # bumped when the request changes meaning: every shot is asked again
CRITIC = "critic"  # who a selection made here is recorded as
REF_SIZE = 512  # the long side a reference image is sent at
SCHEMA = {
    "type": "object",
    "properties": {
        "takes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "take": {"type": "integer"},
                    "score": {"type": "number"},
                    "reason": {"type": "string"},
                },
                "required": ["take", "score", "reason"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["takes"],
    "additionalProperties": False,
}
_SYSTEM = (
    "You are a script supervisor judging generated keyframes (takes) of one shot of a film. "
    "For each take, check that the subjects the shot names are present and recognisable, that "
    "the shot size and camera angle are the ones asked for, that it shows what the action says, "
    "and that each character matches their reference image when one is given. Score each take "
    "from 0 (wrong shot) to 10 (exactly the shot), with a one-sentence reason. Answer with JSON: "
    '{"takes": [{"take": N, "score": S, "reason": "..."}]} with every take once.'
)


@dataclass(frozen=True)
class TakeImage:
    """A current still take of a shot, as the critic is shown it."""

    take_id: str
    number: int  # 1-based, as `storyreel takes` numbers it
    png: bytes


@dataclass(frozen=True)
class Judgement:
    take_id: str
    number: int
    score: float
    reason: str


@dataclass(frozen=True)
class Verdict:
    """What the critic made of one shot: its takes best first, and what it did to the selection."""

    shot_id: str
    ranking: list[Judgement]
    reused: bool  # the stored scores answered: nothing asked
    selection: str  # "pre-selected", "kept the director's", or "unchanged"


def seeing(writer: WriterBackend, spec: str) -> WriterBackend:
    """`writer`, when it can look at images; else the error that says what the critic needs."""
    if not writer.vision:
        raise StoryreelError(
            f"the writer {spec!r} cannot look at images; the critic needs a vision model "
            '(e.g. "openai:gpt-4.1-mini", "anthropic:claude-sonnet-4-5", "gemini:gemini-2.5-flash")'
        )
    return writer


def shot_takes(db: Database, store: ObjectStore, shot_id: str) -> list[TakeImage]:
    """The shot's current (not stale) still takes with their PNGs, verified."""
    takes = []
    for row in db.takes(shot_id, "still"):
        if row["stale"]:
            continue
        out = db.output_get(row["object_key"])
        if out is None or "png" not in out["blobs"]:
            continue
        try:
            png = store.read_bytes(out["blobs"]["png"][0])
        except (CorruptObject, FileNotFoundError):
            continue  # lost or damaged: the next build makes it again
        takes.append(TakeImage(row["id"], row["idx"] + 1, png))
    return takes


def references(shot: Shot, config: ProjectConfig, root: Path) -> list[tuple[str, bytes]]:
    """Each subject's first reference image, as a PNG of at most `REF_SIZE` on its long side."""
    out = []
    firsts: dict[str, Reference] = {}
    for ref in shot_references(shot, config, root):  # the bytes read once, as the vendors' are
        if ref.owner != "look":
            firsts.setdefault(ref.owner, ref)
    for name, ref in firsts.items():
        try:
            with Image.open(io.BytesIO(ref.data)) as im:
                im = im.convert("RGB")
                im.thumbnail((REF_SIZE, REF_SIZE))
                out.append((name, png_bytes(im)))
        except OSError as e:
            raise StoryreelError(f"characters.{name}.refs: not an image ({e})", ref.path) from None
    return out


def request_key(
    writer: WriterBackend,
    spec: str,
    shot: Shot,
    takes: list[TakeImage],
    refs: list[tuple[str, bytes]],
) -> str:
    """The key the scores are stored under: what the model is shown and the model."""
    return stage_key(
        "critic",
        backend=(writer.name, str(writer.version)),
        spec=spec,
        version=VERSION,
        shot=_asked(shot),
        takes=[(t.number, digest(t.png)) for t in takes],
        refs=[(name, digest(png)) for name, png in refs],
    )


def _asked(shot: Shot) -> dict[str, object]:
    return {
        "size": str(shot.size),
        "angle": str(shot.angle),
        "subjects": list(shot.subjects),
        "description": shot.description,
        "action": shot.action,
    }


def completion(shot: Shot, takes: list[TakeImage], refs: list[tuple[str, bytes]]) -> Completion:
    """The request: the shot in words, then the takes and the references as images, in order."""
    who = ", ".join(s.title() for s in shot.subjects) or "no one in particular"
    words = [
        f"The shot: size {shot.size}, {shot.angle} angle; in it: {who}.",
        f"What it shows: {shot.description}",
        *([f"The action: {shot.action}"] if shot.action else []),
        *(f'{d.character.title()} says: "{d.text}"' for d in shot.dialogue),
        "",
        f"Images 1 to {len(takes)} are takes "
        + ", ".join(f"{k} (take {t.number})" for k, t in enumerate(takes, 1))
        + ".",
    ]
    if refs:
        first = len(takes) + 1
        words.append(
            "Then the references: "
            + ", ".join(f"image {first + k} is {name.title()}" for k, (name, _) in enumerate(refs))
            + "."
        )
    images = (*(t.png for t in takes), *(png for _, png in refs))
    return Completion(
        messages=[Message("system", _SYSTEM), Message("user", "\n".join(words), images=images)],
        schema=SCHEMA,
        seed=0,
        temperature=0.0,
        max_tokens=2048,
    )


def parse_ranking(text: str, takes: list[TakeImage], shot_id: str) -> list[Judgement]:
    """The model's answer as judgements, best first; an answer without every take once is a
    `StoryreelError` naming the shot."""
    by_number = {t.number: t for t in takes}
    body = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", text)
    try:
        rows = json.loads(body)["takes"]
        judged = {
            int(r["take"]): (float(r["score"]), str(r["reason"]).strip())
            for r in rows
            if int(r["take"]) in by_number
        }
    except (ValueError, KeyError, TypeError):
        short = " ".join(text.split())[:80]
        raise StoryreelError(
            f'shot {shot_id}: the critic\'s answer is not the JSON asked for: "{short}"'
        ) from None
    missing = sorted(set(by_number) - set(judged))
    if missing:
        raise StoryreelError(
            f"shot {shot_id}: the critic did not score take {', '.join(map(str, missing))}"
        )
    ranking = [
        Judgement(by_number[n].take_id, n, max(0.0, min(10.0, s)), r)
        for n, (s, r) in judged.items()
    ]
    return sorted(ranking, key=lambda j: (-j.score, j.number))


def critique(
    db: Database,
    store: ObjectStore,
    writer: WriterBackend,
    spec: str,
    shot: Shot,
    config: ProjectConfig,
    root: Path,
) -> Verdict | None:
    """Rank the shot's takes (from the stored scores when nothing changed) and pre-select the
    best unless the director chose a take; None when the shot has fewer than two takes."""
    takes = shot_takes(db, store, shot.id)
    if len(takes) < 2:
        return None
    refs = references(shot, config, root)
    key = request_key(writer, spec, shot, takes, refs)
    stored = db.critiques(shot.id)
    reused = all(t.take_id in stored and stored[t.take_id]["key"] == key for t in takes)
    if reused:
        ranking = sorted(
            (
                Judgement(
                    t.take_id, t.number, stored[t.take_id]["score"], stored[t.take_id]["reason"]
                )
                for t in takes
            ),
            key=lambda j: (-j.score, j.number),
        )
    else:
        reply = writer.complete(completion(shot, takes, refs))
        ranking = parse_ranking(reply.text, takes, shot.id)
        db.critique_put(
            key,
            f"{spec} ({reply.model})",
            {j.take_id: (shot.id, j.score, j.reason) for j in ranking},
        )
    return Verdict(shot.id, ranking, reused, preselect(db, shot.id, ranking[0]))


def preselect(db: Database, shot_id: str, best: Judgement) -> str:
    """Select the best take for the critic, unless the director chose one (the director wins)."""
    by = db.selected_by(shot_id)
    if by is not None and by != CRITIC:
        return "kept the director's"
    if by == CRITIC and db.selected_take(shot_id) == best.take_id:
        return "unchanged"
    db.select(shot_id, best.number - 1, best.take_id, by=CRITIC)
    return "pre-selected"
